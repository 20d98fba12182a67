"""Who is signed in, and what their role may see: the one rule every view asks.

Users and their roles are configuration: a ``[users.NAME]`` table (``[mentorkit.users.NAME]``
when the file has a ``[mentorkit]`` table) in the configuration file in force
(:func:`mentorkit.config.config_file`), with a ``role`` and a ``password`` kept only as a
salted scrypt hash, which ``mentorkit user add NAME --role ROLE`` writes::

    [users.amara]
    role = "program_manager"
    password = "scrypt$16384$8$1$...$..."

The rule (:func:`sees_names`): only a signed-in ``program_manager`` sees people's names, and
only in the operational views (:data:`OPERATIONAL_VIEWS`: who needs a nudge, pairs, mentor
load), where names are joined from the roster store. Every other role, a visitor who signed in
with the shared token or password, every research view and every survey breakdown sees the
pseudonyms the program data carries.

A dashboard kernel learns who is signed in from the server, never from the page: the server
(:mod:`mentorkit.serving`) starts the kernel of a signed-in user with ``MENTORKIT_USER`` and
``MENTORKIT_ROLE`` in its environment (pre-heated kernels carry neither and serve only the
roles that see pseudonyms), and :func:`current_viewer` reads them back, checking the role
against :data:`ROLES`.

Example
-------
>>> stored = hash_password("correct horse 42", n=2**10)
>>> stored.startswith("scrypt$"), verify_password("correct horse 42", stored), verify_password("wrong", stored)
(True, True, False)
>>> sees_names(Viewer("amara", "program_manager"), "nudges"), sees_names(Viewer("amara", "program_manager"), "survey")
(True, False)
>>> sees_names(Viewer("ben", "researcher"), "nudges")
False
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = ["ROLES", "OPERATIONAL_VIEWS", "NAMES_ROLE", "Viewer", "User", "hash_password", "verify_password",
           "users", "find_user", "authenticate", "add_user", "current_viewer", "sees_names", "person_labels",
           "ENV_USER", "ENV_ROLE"]

#: the roles a user can have, and what each is for
ROLES = {
    "program_manager": "runs the programme: sees names in the operational views and sends nudges",
    "researcher": "studies outcomes: pseudonyms everywhere",
    "trainer": "trains mentors: pseudonyms everywhere",
    "viewer": "looks at the dashboards: pseudonyms everywhere",
}
#: the one role that sees names
NAMES_ROLE = "program_manager"
#: the views where that role sees names; every other view (research, survey breakdowns) shows pseudonyms
OPERATIONAL_VIEWS = frozenset({"nudges", "pairs", "mentor_load"})
#: the kernel environment variables the server sets for a signed-in user
ENV_USER, ENV_ROLE = "MENTORKIT_USER", "MENTORKIT_ROLE"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


# ------------------------------------------------------------------ passwords

def hash_password(password: str, *, n: int = _SCRYPT_N, r: int = _SCRYPT_R, p: int = _SCRYPT_P) -> str:
    """A salted scrypt hash of *password*: ``scrypt$N$r$p$salt$hash`` (salt and hash base64)."""
    if not password:
        raise MentorkitError("a password must not be empty")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${n}${r}${p}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether *password* matches the hash *stored* (:func:`hash_password`); a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest, validate=True)
        got = hashlib.scrypt((password or "").encode("utf-8"), salt=base64.b64decode(salt, validate=True),
                             n=int(n), r=int(r), p=int(p), dklen=len(want))
    except (ValueError, TypeError, AttributeError):
        return False
    return hmac.compare_digest(got, want)


# ------------------------------------------------------------------ users in configuration

@dataclass(frozen=True)
class User:
    """A user from configuration: name, role and the stored password hash."""

    name: str
    role: str
    password_hash: str


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise MentorkitError(f"{path}: not valid TOML: {exc}") from None


def users(path: str | os.PathLike | None = None) -> dict[str, User]:
    """The users configured in *path* (default the configuration file in force), by name.

    A user table without a known role or a scrypt password hash is an error naming the file and user.
    """
    path = Path(path) if path is not None else config.config_file()
    if path is None:
        return {}
    data = _read(path)
    table = data.get("mentorkit", data).get("users", {}) if isinstance(data.get("mentorkit", data), dict) else {}
    if not isinstance(table, dict):
        raise MentorkitError(f"{path}: 'users' must be a table of [users.NAME] tables")
    out = {}
    for name, entry in table.items():
        where = f"{path}: [users.{name}]"
        if not _NAME.match(name):
            raise MentorkitError(f"{where}: a user name is letters, digits, '.', '_' or '-' (at most 64)")
        if not isinstance(entry, dict):
            raise MentorkitError(f"{where}: must be a table with 'role' and 'password'")
        role = entry.get("role")
        if role not in ROLES:
            raise MentorkitError(f"{where}: role {role!r} is not one of {', '.join(ROLES)}")
        stored = entry.get("password", "")
        if not isinstance(stored, str) or not stored.startswith("scrypt$") or stored.count("$") != 5:
            raise MentorkitError(f"{where}: 'password' must be a scrypt hash written by `mentorkit user add` "
                                 "(a plain password is never kept)")
        out[name] = User(name, role, stored)
    return out


def find_user(name: str | None, path: str | os.PathLike | None = None) -> User | None:
    """The configured user *name*, or None."""
    return users(path).get(name) if name else None


def authenticate(name: str, password: str, path: str | os.PathLike | None = None) -> User | None:
    """The user *name* when *password* is theirs; None otherwise (unknown users cost the same time)."""
    user = find_user((name or "").strip(), path)
    if user is None:
        verify_password(password, _DUMMY)
        return None
    return user if verify_password(password, user.password_hash) else None


_DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def add_user(name: str, role: str, password: str, path: str | os.PathLike | None = None) -> Path:
    """Add user *name* with *role* (or replace their role and password) in the configuration file.

    Writes to *path*, else the configuration file in force, else ``./mentorkit.toml``; the rest
    of the file is kept as it is. Returns the file written.
    """
    if not _NAME.match(name or ""):
        raise MentorkitError(f"user name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    if role not in ROLES:
        raise MentorkitError(f"role {role!r} is not one of {', '.join(ROLES)}")
    path = Path(path) if path is not None else (config.config_file() or Path("mentorkit.toml"))
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = _read(path) if text else {}
    prefix = "mentorkit.users" if isinstance(data.get("mentorkit"), dict) else "users"
    header = re.compile(r"^\s*\[\s*(?:mentorkit\s*\.\s*)?users\s*\.\s*" + re.escape(name) + r"\s*\]\s*(#.*)?$")
    kept, skipping = [], False
    for line in text.splitlines():
        if header.match(line):
            skipping = True
            continue
        if skipping and re.match(r"^\s*\[", line):
            skipping = False
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    block = [f"[{prefix}.{name}]", f'role = "{role}"', f'password = "{hash_password(password)}"']
    new = "\n".join(kept + ([""] if kept else []) + block) + "\n"
    tomllib.loads(new)  # never leave a file that does not parse
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:
        pass
    return path


# ------------------------------------------------------------------ the rule

@dataclass(frozen=True)
class Viewer:
    """Who is looking: the signed-in user's name and role (both None for nobody in particular)."""

    user: str | None = None
    role: str | None = None

    @property
    def label(self) -> str:
        return f"{self.user} ({self.role.replace('_', ' ')})" if self.user and self.role else "not signed in"


def current_viewer() -> Viewer:
    """The viewer this process serves, from the environment the server gave the kernel.

    An unknown role counts as no role (pseudonyms).
    """
    user = os.environ.get(ENV_USER) or None
    role = os.environ.get(ENV_ROLE) or None
    if role not in ROLES or not user:
        return Viewer(user, None)
    return Viewer(user, role)


def sees_names(viewer: Viewer | None, view: str) -> bool:
    """Whether *viewer* sees names in *view*: only a program manager, only in an operational view."""
    return viewer is not None and viewer.role == NAMES_ROLE and bool(viewer.user) and view in OPERATIONAL_VIEWS


def person_labels(ids, viewer: Viewer | None, view: str, contacts: pd.DataFrame | None = None) -> pd.Series:
    """How the people *ids* are shown to *viewer* in *view*.

    ``"Name (pseudonym)"`` from the roster *contacts* where :func:`sees_names` allows it and
    the roster has the person; the pseudonym otherwise.

    >>> c = pd.DataFrame({"participant_id": ["P1"], "name": ["Ana Silva"]})
    >>> person_labels(["P1", "P2"], Viewer("amara", "program_manager"), "nudges", c).tolist()
    ['Ana Silva (P1)', 'P2']
    >>> person_labels(["P1"], Viewer("ben", "researcher"), "nudges", c).tolist()
    ['P1']
    """
    ids = ids.astype("object") if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype="object")
    if not sees_names(viewer, view) or contacts is None or not len(contacts):
        return ids
    names = contacts.drop_duplicates("participant_id").set_index("participant_id")["name"]
    found = ids.map(names)
    return (found + " (" + ids + ")").where(found.notna() & (found.astype(str) != ""), ids)
