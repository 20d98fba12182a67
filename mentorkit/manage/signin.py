"""Per-user sign-in with roles for the Voila server, on top of its token/password login.

:mod:`mentorkit.serving`'s identity provider (jupyter_server's ``IdentityProvider``, the
server's own mechanism for who is signed in) mixes in :class:`UserSignIn`: when users are
configured (:mod:`mentorkit.manage.access`), the login page asks for a user name and a
password, checks the password against the stored scrypt hash, and the signed cookie carries
the user name. The role is looked up in the configuration on every request, so a user removed
from the file is signed out and a changed role applies at once; the page never says who it is.

The kernel is told by the server: :func:`kernel_env` runs inside the kernel manager's
``start_kernel``, finds the request that started the kernel (jupyter_server's ``CallContext``),
and puts ``MENTORKIT_USER``/``MENTORKIT_ROLE`` of that request's signed-in user into the
kernel's environment. Pre-heated kernels (started for nobody) get neither, and a user whose
role sees more than pseudonyms never gets one (:func:`needs_own_kernel`).

Example
-------
>>> kernel_env({"MENTORKIT_ROLE": "program_manager", "PATH": "/bin"})  # no request: nobody signed in
{'PATH': '/bin'}
"""
from __future__ import annotations

import os

from mentorkit.errors import MentorkitError
from mentorkit.manage import access

__all__ = ["UserSignIn", "kernel_env", "needs_own_kernel", "users_configured", "signed_in",
           "clear_role_environment"]


def users_configured() -> bool:
    """Whether any user is configured (then the login page asks for a user name)."""
    try:
        return bool(access.users())
    except MentorkitError:
        return True  # a broken users table still means sign-in is wanted; get_user refuses everyone


def signed_in(user) -> access.Viewer:
    """The :class:`~mentorkit.manage.access.Viewer` for jupyter_server's *user* (None: nobody).

    Only a user name that is configured now gets a role; anyone else (the shared token or
    password, the anonymous user on loopback) has none.
    """
    name = getattr(user, "username", None)
    try:
        found = access.find_user(name)
    except MentorkitError:
        found = None
    return access.Viewer(found.name, found.role) if found else access.Viewer(None, None)


def needs_own_kernel(user) -> bool:
    """Whether *user*'s page must get a kernel started for them rather than a pre-heated one."""
    viewer = signed_in(user)
    return any(access.sees_names(viewer, view) for view in access.OPERATIONAL_VIEWS)


def clear_role_environment() -> None:
    """Remove the role variables from the server's own environment (kernels inherit it)."""
    os.environ.pop(access.ENV_USER, None)
    os.environ.pop(access.ENV_ROLE, None)


def _request_user():
    try:
        from jupyter_server.base.call_context import CallContext
    except ImportError:  # pragma: no cover - jupyter_server 1
        return None
    handler = CallContext.get(CallContext.JUPYTER_HANDLER)
    return getattr(handler, "current_user", None) if handler is not None else None


def kernel_env(env: dict | None) -> dict | None:
    """*env* for a kernel about to start, with the signed-in user of the request starting it.

    The role variables are always removed first; they are put back only for a kernel Voila
    starts for a page request (``VOILA_PREHEAT`` "False"), never for a pre-heated one (whose
    start may run inside a request's context when a pool is refilled).
    """
    if env is None:
        return None
    out = {k: v for k, v in env.items() if k not in (access.ENV_USER, access.ENV_ROLE)}
    if out.get("VOILA_PREHEAT") != "False":
        return out
    viewer = signed_in(_request_user())
    if viewer.user and viewer.role:
        out[access.ENV_USER], out[access.ENV_ROLE] = viewer.user, viewer.role
    return out


class UserSignIn:
    """Mixin for a jupyter_server ``PasswordIdentityProvider``: configured users sign in by name."""

    @property
    def auth_enabled(self) -> bool:
        return users_configured() or super().auth_enabled

    @property
    def login_available(self) -> bool:
        return self.auth_enabled

    def process_login_form(self, handler):
        name = handler.get_argument("username", default="").strip()
        if name and users_configured():
            from jupyter_server.auth.identity import User
            try:
                found = access.authenticate(name, handler.get_argument("password", default=""))
            except MentorkitError as exc:
                self.log.error("sign-in refused: %s", exc)
                return None
            if found is None:
                self.log.warning("sign-in refused for user %r: wrong user name or password", name)
                return None
            return User(username=found.name, name=found.name,
                        display_name=f"{found.name} ({found.role.replace('_', ' ')})")
        return super().process_login_form(handler)

    async def get_user(self, handler):
        user = super().get_user(handler)
        if hasattr(user, "__await__"):
            user = await user
        if user is None:
            return None
        try:
            configured = access.users()
        except MentorkitError as exc:
            self.log.error("%s: nobody can sign in until it is fixed", exc)
            return None
        name = getattr(user, "username", None)
        if configured and name not in configured and not self._shared_login(handler):
            return None  # signed in as a user no longer configured
        return user

    def _shared_login(self, handler) -> bool:
        """Whether the shared token or password (not a user name) may still open pages."""
        return bool(getattr(self, "token", "") or getattr(self, "hashed_password", ""))
