"""Serving the dashboards: a kernel manager that caps how many kernels run at once.

Voila starts one kernel per open page (plus the pre-heated ones waiting in the pools),
and each dashboard kernel holds the program data and the analysis libraries: a few
hundred MB. :class:`CappedKernelManager` keeps the server from being swamped: when
``max_kernels`` kernels are running or starting, a new page waits up to ``slot_wait_s``
seconds for one to close (a closed tab shuts its kernel down), then gets a plain
"busy, try again" answer (HTTP 503) instead of a server out of memory.

``voila.json`` at the repository root selects it::

    "VoilaConfiguration": {"multi_kernel_manager_class": "mentorkit.serving.CappedKernelManager"},
    "CappedKernelManager": {"max_kernels": 20, "slot_wait_s": 90}

Example
-------
>>> CappedKernelManager(max_kernels=3).max_kernels
3
"""
from __future__ import annotations

import asyncio
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Int

__all__ = ["CappedKernelManager", "BUSY_MESSAGE"]

BUSY_MESSAGE = ("The dashboards are busy: all {n} sessions are in use. Close a dashboard tab you no longer need, "
                "or try again in a minute.")


class CappedKernelManager(AsyncMappingKernelManager):
    """An ``AsyncMappingKernelManager`` that runs at most ``max_kernels`` kernels at once."""

    max_kernels = Int(20, config=True, help="Most kernels running or starting at once (pools included).")
    slot_wait_s = Float(90.0, config=True, help="How long a new page waits for a free slot before a 503.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0

    @property
    def slots_in_use(self) -> int:
        """Kernels running plus kernels being started now."""
        return len(self.list_kernel_ids()) + self._starting

    async def wait_for_slot(self) -> None:
        """Return once a kernel may start; raise HTTP 503 after ``slot_wait_s`` seconds without one."""
        deadline = time.monotonic() + self.slot_wait_s
        while self.slots_in_use >= self.max_kernels:
            if time.monotonic() >= deadline:
                self.log.warning("kernel cap reached (%s kernels); refusing a new one", self.max_kernels)
                raise web.HTTPError(503, reason=BUSY_MESSAGE.format(n=self.max_kernels))
            await asyncio.sleep(0.25)

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs) -> str:  # type: ignore[override]
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        await self.wait_for_slot()
        self._starting += 1  # no await between the check and this line: no other start can slip in
        try:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting -= 1
