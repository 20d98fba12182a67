"""Serving the dashboards: who may see them, what can be rendered, and kernels nobody uses.

``make serve`` runs ``python -m mentorkit.serving`` (:class:`MentorkitVoila`, Voila with
mentorkit's policy) at the repository root with ``voila.json``:

* **login off loopback.** On 127.0.0.1 (the default) no login is asked. On any other
  address the server refuses to start unless a token (``MENTORKIT_SERVE_TOKEN`` or
  ``--Voila.token``) or a password (``MENTORKIT_SERVE_PASSWORD``, kept only as a salted
  hash) is set; visitors then sign in on the login page of the ``mentorkit`` template
  (no CDN). For many users, run Voila as a JupyterHub service (docs/deployment.md).
* **render allowlist.** Only notebooks under ``dashboards/`` and ``exercises/`` render, and
  the file lists of the landing page, ``dashboards/`` and ``exercises/`` show; every other
  notebook, folder and the contents API answer 404. ``/voila/files/`` serves only plain
  images under those folders (no ``.svg``, whose scripts would run on this origin).
* **served root.** ``MENTORKIT_ROOT`` is set to the served folder for every kernel, so a
  ``mentorkit.toml`` there is read whatever the kernel's working directory
  (:mod:`mentorkit.config`) and every kernel keeps one pseudonym secret
  (:func:`mentorkit.privacy.installation_secret`).
* **kernels.** :class:`CappedKernelManager` runs at most ``max_kernels`` kernels; a kernel
  whose page never connected is shut down ``unconnected_timeout`` seconds after it was
  last busy (plain requests cannot fill the cap), and sooner when the cap is reached and a
  new page is waiting (after ``unconnected_grace``); a kernel whose page is still being
  rendered is never counted as unconnected (up to ``render_protect_s``), so a visitor's
  kernel that starts slowly on a busy machine is not taken for an abandoned one; a pre-heat
  pool that lost a kernel is refilled. A page that still finds no slot within ``slot_wait_s`` gets "busy" (HTTP 503).

Example
-------
>>> CappedKernelManager(max_kernels=3).max_kernels
3
>>> allowed_to_render("dashboards/program_health.ipynb"), allowed_to_render("notebooks/00_program_data.ipynb")
(True, False)
"""
from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import os
import posixpath
import sys
import time
from datetime import datetime, timezone

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Float, Int, List, Unicode

__all__ = ["CappedKernelManager", "MentorkitVoila", "BUSY_MESSAGE", "allowed_to_render", "allowed_tree",
           "is_loopback", "RENDER_FOLDERS", "NO_LOGIN_MESSAGE", "main"]

BUSY_MESSAGE = ("The dashboards are busy: all {n} sessions are in use. Close a dashboard tab you no longer need, "
                "or try again in a minute.")
NO_LOGIN_MESSAGE = ("mentorkit: refusing to serve on {ip} without a login. Set MENTORKIT_SERVE_TOKEN (a long random "
                    "token) or MENTORKIT_SERVE_PASSWORD, or serve on 127.0.0.1; for many users run Voila as a "
                    "JupyterHub service (docs/deployment.md).")
#: the folders whose notebooks can be rendered
RENDER_FOLDERS = ("dashboards", "exercises")

#: the kernels started by the page render running in this task (set by the render handler)
_RENDER_KERNELS: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("mentorkit_render_kernels",
                                                                                 default=None)


def _clean(path: str | None) -> str | None:
    p = (path or "").replace("\\", "/").strip("/")
    if not p:
        return ""
    norm = posixpath.normpath(p)
    parts = norm.split("/")
    if norm.startswith("..") or any(x.startswith(".") or x == "" for x in parts):
        return None
    return norm


def allowed_to_render(path: str | None) -> bool:
    """Whether the notebook at *path* (relative to the served root) may be rendered.

    >>> allowed_to_render("exercises/sbi_practice.ipynb"), allowed_to_render("dashboards/../notebooks/x.ipynb")
    (True, False)
    """
    p = _clean(path)
    return bool(p) and p.endswith(".ipynb") and p.split("/")[0] in RENDER_FOLDERS


def allowed_tree(path: str | None) -> bool:
    """Whether the file list of folder *path* may be shown: the landing page and the two folders.

    >>> allowed_tree(""), allowed_tree("dashboards"), allowed_tree("notebooks"), allowed_tree(".git")
    (True, True, False, False)
    """
    p = _clean(path)
    return p == "" or p in RENDER_FOLDERS or allowed_to_render(p)


def is_loopback(ip: str | None) -> bool:
    """Whether *ip* only listens on this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0"), is_loopback("")
    (True, True, False, False)
    """
    if ip in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(ip or "").is_loopback
    except ValueError:
        return False


# ------------------------------------------------------------------------ kernels

class CappedKernelManager(AsyncMappingKernelManager):
    """An ``AsyncMappingKernelManager`` that caps kernels and removes the ones no page uses."""

    max_kernels = Int(20, config=True, help="Most kernels running or starting at once (pools included).")
    slot_wait_s = Float(90.0, config=True, help="How long a new page waits for a free slot before a 503.")
    unconnected_timeout = Float(45.0, config=True,
                                help="A kernel no page ever connected to is shut down this many seconds after it "
                                     "was last busy or handed out (pre-heated kernels waiting in a pool excepted).")
    unconnected_grace = Float(12.0, config=True,
                              help="When the cap is reached and a page waits, an unconnected kernel idle this long "
                                   "is shut down at once to make room.")
    unconnected_check_s = Float(5.0, config=True, help="How often unconnected kernels are looked at.")
    render_protect_s = Float(180.0, config=True,
                             help="A kernel whose page is still being rendered is not culled for having no page, "
                                  "for at most this many seconds after it was started.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0
        self._ever_connected: set[str] = set()
        self._first_seen: dict[str, float] = {}   # kernel id -> when first seen outside a pool
        self._culling: set[str] = set()           # kernels being shut down for having no page
        self._rendering: dict[str, float] = {}    # kernel id -> when started, while its page is rendered
        self._stopping = False
        self._unconnected_task = None

    # -- accounting
    @property
    def slots_in_use(self) -> int:
        """Kernels running plus kernels being started now."""
        return len(self.list_kernel_ids()) + self._starting

    def pooled_kernel_ids(self) -> set[str]:
        """Pre-heated kernels still waiting in a pool (Voila's ``_pools``)."""
        out = set()
        for pool in getattr(self, "_pools", {}).values():
            for task in pool:
                if task.done() and not task.cancelled() and task.exception() is None:
                    kid = task.result().get("kernel_id")
                    if kid:
                        out.add(kid)
        return out

    def notify_connect(self, kernel_id):
        self._ever_connected.add(kernel_id)
        return super().notify_connect(kernel_id)

    def _idle_since(self, kernel_id: str) -> float:
        """Seconds since the kernel was last busy or was handed out of its pool, whichever is later."""
        kernel = self._kernels.get(kernel_id)
        now = time.time()
        seen = self._first_seen.setdefault(kernel_id, now)
        try:
            last = kernel.last_activity
        except Exception:  # noqa: BLE001 - not set until the kernel has started: it is not idle
            return 0.0
        last_ts = last.timestamp() if isinstance(last, datetime) else seen
        return now - max(seen, last_ts)

    def unconnected_kernels(self, older_than: float) -> list[str]:
        """Kernels outside the pools that no page ever connected to, idle for *older_than* seconds, oldest first."""
        pooled = self.pooled_kernel_ids()
        found = []
        for kid in list(self._kernels):
            if kid in pooled:
                self._first_seen.pop(kid, None)
                continue
            if kid in self._ever_connected or self._kernel_connections.get(kid, 0) > 0:
                continue
            if time.time() - self._rendering.get(kid, float("-inf")) < self.render_protect_s:
                # its page is still being rendered (the kernel may still be starting on a busy machine):
                # the visitor has not had the chance to connect yet
                continue
            if getattr(self._kernels[kid], "execution_state", None) == "busy":
                self._first_seen[kid] = time.time()
                continue
            idle = self._idle_since(kid)
            if idle >= older_than:
                found.append((idle, kid))
        return [kid for _idle, kid in sorted(found, reverse=True)]

    async def cull_unconnected(self, older_than: float | None = None, limit: int | None = None) -> list[str]:
        """Shut down unconnected kernels idle for *older_than* seconds (default ``unconnected_timeout``)."""
        victims = [k for k in self.unconnected_kernels(self.unconnected_timeout if older_than is None else older_than)
                   if k not in self._culling]
        if limit is not None:
            victims = victims[:limit]
        self._culling.update(victims)

        async def cull(kid: str) -> None:
            self.log.info("shutting down kernel %s: no page connected to it", kid)
            try:
                # at once (no polite shutdown request to wait on): nobody uses it, and under load the
                # polite wait of each of many kernels in turn kept them for minutes
                await self.shutdown_kernel(kid, now=True)
            except Exception as exc:  # noqa: BLE001 - a kernel that is already gone is fine
                self.log.debug("kernel %s was already gone: %s", kid, exc)
            finally:
                self._culling.discard(kid)

        await asyncio.gather(*(cull(k) for k in victims))
        return victims

    async def _watch_unconnected(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.unconnected_check_s)
            try:
                await self.cull_unconnected()
                self.refill_pools()
            except Exception as exc:  # noqa: BLE001 - the watcher must keep running
                self.log.warning("checking unconnected kernels failed: %s", exc)

    def _ensure_watcher(self) -> None:
        if self._unconnected_task is None and self.unconnected_timeout > 0:
            try:
                self._unconnected_task = asyncio.get_event_loop().create_task(self._watch_unconnected())
            except RuntimeError:
                pass

    # -- the cap
    async def wait_for_slot(self) -> None:
        """Return once a kernel may start; raise HTTP 503 after ``slot_wait_s`` seconds without one."""
        self._ensure_watcher()
        deadline = time.monotonic() + self.slot_wait_s
        while self.slots_in_use >= self.max_kernels:
            if await self.cull_unconnected(self.unconnected_grace, limit=1):
                continue
            if time.monotonic() >= deadline:
                self.log.warning("kernel cap reached (%s kernels); refusing a new one", self.max_kernels)
                raise web.HTTPError(503, reason=BUSY_MESSAGE.format(n=self.max_kernels))
            await asyncio.sleep(0.25)

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs) -> str:  # type: ignore[override]
        if kernel_id is not None and kernel_id in self:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        await self.wait_for_slot()
        from mentorkit.manage.signin import kernel_env
        env = kernel_env(kwargs.get("env"))  # who is signed in, from the server's request, never the page
        if env is None:
            kwargs.pop("env", None)  # no environment given: jupyter_client's default, not env=None
        else:
            kwargs["env"] = env
        self._starting += 1  # no await between the check and this line: no other start can slip in
        try:
            kid = await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting -= 1
        render = _RENDER_KERNELS.get()
        if render is not None:  # started for the page being rendered in this task
            render.append(kid)
            self._rendering[kid] = time.time()
        return kid

    def render_ended(self, kernel_ids: list[str]) -> None:
        """The pages of *kernel_ids* are rendered: from now on their idle time counts toward a cull."""
        now = time.time()
        for kid in kernel_ids:
            if self._rendering.pop(kid, None) is not None and kid in self._kernels:
                self._first_seen[kid] = now

    # -- pools refill after a cull
    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self._ever_connected.discard(kernel_id)
        self._first_seen.pop(kernel_id, None)
        self._rendering.pop(kernel_id, None)
        out = await super().shutdown_kernel(kernel_id, *args, **kwargs)
        self.refill_pools()
        return out

    async def shutdown_all(self, *args, **kwargs):
        self._stopping = True
        return await super().shutdown_all(*args, **kwargs)

    def refill_pools(self) -> None:
        """Top up every configured pre-heat pool that is short.

        A pool entry whose kernel failed to start (for example it found no free slot while
        the cap was reached) stays in Voila's pool for good and counts as a member, so the
        pool would never be refilled: such entries are dropped first.
        """
        if self._stopping or not hasattr(self, "fill_if_needed"):
            return
        for pool in getattr(self, "_pools", {}).values():
            pool[:] = [t for t in pool if not (t.done() and (t.cancelled() or t.exception() is not None))]
        config = getattr(self, "kernel_pools_config", {}) or {}
        for name, conf in config.items():
            if name == "default" or int(conf.get("pool_size", 0)) <= 0:
                continue
            if len(self._pools.get(name, [])) < int(conf["pool_size"]) and self.slots_in_use < self.max_kernels:
                self.fill_if_needed(notebook_name=name)


# --------------------------------------------------------------------- handlers

def _handlers():
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from jupyter_server.auth.login import LoginFormHandler
    from jupyter_server.base.handlers import JupyterHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    class RenderHandler(TornadoVoilaHandler):
        """Voila's render handler for allowlisted notebooks only; everything else is 404."""

        async def get(self, path=None):
            if not allowed_to_render(path):
                raise web.HTTPError(404)
            started: list[str] = []
            token = _RENDER_KERNELS.set(started)  # the kernel manager notes the kernel this render starts
            try:
                return await super().get(path)
            finally:
                _RENDER_KERNELS.reset(token)
                ended = getattr(self.kernel_manager, "render_ended", None)
                if ended is not None:
                    ended(started)

        def should_use_rendered_notebook(self, *args, **kwargs):
            # pre-heated kernels know no user: they serve only the roles that see pseudonyms
            from mentorkit.manage.signin import needs_own_kernel
            if needs_own_kernel(self.current_user):
                return False
            return super().should_use_rendered_notebook(*args, **kwargs)

    class TreeHandler(TornadoVoilaTreeHandler):
        """The landing page and the file lists of the allowlisted folders; everything else is 404."""

        async def get(self, path=""):
            if not allowed_tree(path):
                raise web.HTTPError(404)
            return await super().get(path)

    class NotFound(JupyterHandler):
        """The contents API (file names, sizes, hidden folders) is not served."""

        def get(self, *args, **kwargs):
            raise web.HTTPError(404)

        post = put = patch = delete = get

    class LoginHandler(LoginFormHandler):
        """The login form from the ``mentorkit`` template (inline styles, no CDN)."""

        def render_template(self, name, **ns):
            from mentorkit.manage.signin import users_configured
            ns.update(self.template_namespace)
            ns.setdefault("xsrf_form_html", self.xsrf_form_html)
            ns.setdefault("mk_users", users_configured())
            return self.settings["voila_jinja2_env"].get_template("login.html").render(**ns)

    from mentorkit.manage.signin import UserSignIn

    class IdentityProvider(UserSignIn, PasswordIdentityProvider):
        """Token or password login, and per-user sign-in with roles (:mod:`mentorkit.manage.signin`),
        with mentorkit's login page."""

        def __init__(self, **kwargs):
            kwargs["login_handler_class"] = LoginHandler
            super().__init__(**kwargs)

    return RenderHandler, TreeHandler, NotFound, IdentityProvider


def _voila_class():
    from voila.app import Voila
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    RenderHandler, TreeHandler, NotFound, IdentityProvider = _handlers()

    class MentorkitVoila(Voila):
        """Voila with mentorkit's serving policy (module docstring)."""

        name = "mentorkit-serve"
        description = "Serve mentorkit's dashboards and exercises (login off loopback, render allowlist)."
        image_allowlist = List(Unicode(), [r"(dashboards|exercises)/.*\.(png|jpe?g|gif|webp)"], config=True,
                               help="The files /voila/files/ may serve (never .svg or HTML).")

        def initialize(self, argv=None):
            super().initialize(argv)
            self.identity_provider_class = IdentityProvider
            token = os.environ.get("MENTORKIT_SERVE_TOKEN", "").strip()
            if token:
                self.token = token
            password = os.environ.get("MENTORKIT_SERVE_PASSWORD", "")
            if password:
                from jupyter_server.auth.security import passwd

                self.config.IdentityProvider.hashed_password = passwd(password, "sha256")
                self.config.PasswordIdentityProvider.hashed_password = passwd(password, "sha256")
                if not token and self.token is None:
                    self.token = ""
            self.voila_configuration.file_allowlist = list(self.image_allowlist)
            os.environ["MENTORKIT_ROOT"] = os.path.abspath(self.root_dir)
            from mentorkit.manage.signin import clear_role_environment, users_configured
            clear_role_environment()
            if not is_loopback(self.ip) and not (self.token or password or users_configured()):
                self.log.critical(NO_LOGIN_MESSAGE.format(ip=self.ip or "all addresses"))
                sys.exit(2)

        def init_handlers(self):
            out = []
            for h in super().init_handlers():
                pattern, cls, *rest = h
                if cls is TornadoVoilaHandler:
                    cls = RenderHandler
                elif cls is TornadoVoilaTreeHandler:
                    cls = TreeHandler
                elif cls is VoilaContentsHandler:
                    cls, rest = NotFound, []
                out.append((pattern, cls, *rest))
            return out

    return MentorkitVoila


def __getattr__(name):
    if name == "MentorkitVoila":
        cls = _voila_class()
        globals()["MentorkitVoila"] = cls
        return cls
    raise AttributeError(name)


def main(argv=None) -> None:
    """``python -m mentorkit.serving [voila options] [folder]``: serve with mentorkit's policy."""
    app = __getattr__("MentorkitVoila")
    app.launch_instance(argv=argv)


if __name__ == "__main__":
    main()
