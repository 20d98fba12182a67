"""Configuration from environment variables or a ``mentorkit.toml`` file.

Looked up in this order: the environment variable, then the file named by
``MENTORKIT_CONFIG``, else ``mentorkit.toml`` at the served root (``MENTORKIT_ROOT``, which
:mod:`mentorkit.serving` sets for every dashboard kernel, whose working directory is the
notebook's folder), else ``./mentorkit.toml``, then the default.
Secrets such as the pseudonym salt have no default: code never supplies them.

=====================  ===========================  ====================================
setting                environment variable         default
=====================  ===========================  ====================================
salt                   ``MENTORKIT_SALT``           none (exports are refused without it)
min_group_size         ``MENTORKIT_MIN_GROUP``      5
practice_db            ``MENTORKIT_PRACTICE_DB``    ``~/.mentorkit/practice.sqlite``
data                   ``MENTORKIT_DATA``           the bundled ``program_sample``
cache_dir              ``MENTORKIT_CACHE``          ``~/.cache/mentorkit``
scenarios              ``MENTORKIT_SCENARIOS``      none (only the shipped scenarios); one or
                                                    more folders of the organisation's own
                                                    scenario files, ``os.pathsep``-separated
                                                    (a list in ``mentorkit.toml``)
roster_db              ``MENTORKIT_ROSTER_DB``      ``~/.mentorkit/roster.sqlite``
smtp_url               ``MENTORKIT_SMTP_URL``       none (nudges are exported, not sent)
nudge_from             ``MENTORKIT_NUDGE_FROM``     none (needed to send nudges)
nudge_quiet_days       ``MENTORKIT_NUDGE_QUIET``    7 (days before a pair is nudged again)
mentor_capacity        ``MENTORKIT_MENTOR_CAPACITY`` 10 (mentees per mentor)
=====================  ===========================  ====================================
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from mentorkit.errors import MentorkitError

_ENV = {
    "salt": "MENTORKIT_SALT",
    "min_group_size": "MENTORKIT_MIN_GROUP",
    "practice_db": "MENTORKIT_PRACTICE_DB",
    "data": "MENTORKIT_DATA",
    "cache_dir": "MENTORKIT_CACHE",
    "scenarios": "MENTORKIT_SCENARIOS",
    "roster_db": "MENTORKIT_ROSTER_DB",
    "smtp_url": "MENTORKIT_SMTP_URL",
    "nudge_from": "MENTORKIT_NUDGE_FROM",
    "nudge_quiet_days": "MENTORKIT_NUDGE_QUIET",
    "mentor_capacity": "MENTORKIT_MENTOR_CAPACITY",
}
_DEFAULTS = {
    "salt": None,
    "min_group_size": 5,
    "practice_db": str(Path.home() / ".mentorkit" / "practice.sqlite"),
    "data": None,
    "cache_dir": str(Path.home() / ".cache" / "mentorkit"),
    "scenarios": None,
    "roster_db": str(Path.home() / ".mentorkit" / "roster.sqlite"),
    "smtp_url": None,
    "nudge_from": None,
    "nudge_quiet_days": 7,
    "mentor_capacity": 10,
}


def config_file() -> Path | None:
    """The configuration file in force (see the module docstring), or None when there is none."""
    path = os.environ.get("MENTORKIT_CONFIG")
    if path:
        return Path(path)
    root = os.environ.get("MENTORKIT_ROOT")
    for candidate in ([Path(root) / "mentorkit.toml"] if root else []) + [Path("mentorkit.toml")]:
        if candidate.exists():
            return candidate
    return None


def _file_settings() -> dict:
    path = os.environ.get("MENTORKIT_CONFIG")
    candidate = config_file()
    if candidate is None:
        return {}
    if not candidate.exists():
        if path:
            raise MentorkitError(f"{candidate}: configuration file named by MENTORKIT_CONFIG does not exist")
        return {}
    try:
        with open(candidate, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise MentorkitError(f"{candidate}: not valid TOML: {exc}") from None
    return data.get("mentorkit", data)


def get(name: str):
    """Return setting *name* (see the module table)."""
    if name not in _ENV:
        raise MentorkitError(f"unknown setting {name!r}; known: {sorted(_ENV)}")
    value = os.environ.get(_ENV[name])
    if value is None:
        value = _file_settings().get(name, _DEFAULTS[name])
    lowest = {"min_group_size": 1, "mentor_capacity": 1, "nudge_quiet_days": 0}
    if name in lowest and value is not None:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise MentorkitError(f"{name} must be a whole number, got {value!r}") from None
        if value < lowest[name]:
            raise MentorkitError(f"{name} must be at least {lowest[name]}, got {value}")
    return value


def cache_dir() -> Path:
    path = Path(get("cache_dir"))
    path.mkdir(parents=True, exist_ok=True)
    return path
