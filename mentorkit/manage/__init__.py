"""What a program manager acts on: the roster, the nudge outbox, the time-zone planner,
the templates pairs use and mentor load.

Contact details live only in the roster store (:mod:`mentorkit.manage.roster`), never in the
analysis frames of :mod:`mentorkit.program`; the operational views join them in at the last
step, and only for a signed-in program manager.
"""
from __future__ import annotations

__all__ = ["roster", "hours", "planner", "outbox", "templates", "load"]
