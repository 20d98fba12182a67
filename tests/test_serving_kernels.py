"""The kernel cap's cull rule on real kernels (jupyter_client + ipykernel, no Voila server).

A kernel whose page is still being rendered is never culled for having no page, however long its start
takes on a busy machine; once the render has ended, its idle time counts like any other's.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from mentorkit import serving


def test_a_kernel_whose_page_is_rendering_is_not_culled():
    async def scenario():
        km = serving.CappedKernelManager(max_kernels=4, unconnected_timeout=0)  # no watcher task
        started: list[str] = []
        token = serving._RENDER_KERNELS.set(started)       # what the render handler does for its request
        try:
            rendering = await km.start_kernel(kernel_name="python3")
        finally:
            serving._RENDER_KERNELS.reset(token)
        plain = await km.start_kernel(kernel_name="python3")  # started outside any render
        try:
            assert started == [rendering]
            await asyncio.sleep(0.2)
            found = km.unconnected_kernels(older_than=0.0)
            assert plain in found and rendering not in found
            culled = await km.cull_unconnected(older_than=0.0)
            assert culled == [plain] and plain not in km and rendering in km
            km.render_ended(started)                       # the page is rendered; nobody connected
            for _ in range(60):                            # idle 0.5 s once its start-up messages are over
                if km.unconnected_kernels(older_than=0.5) == [rendering]:
                    break
                await asyncio.sleep(0.25)
            assert km.unconnected_kernels(older_than=0.5) == [rendering]
        finally:
            await km.shutdown_all(now=True)
        assert km.list_kernel_ids() == []

    # a thread of its own: an earlier test in the session (Playwright's sync API) may hold this thread's loop
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
