"""Working hours: the windows in a week when a person can meet, in their own time zone.

Written as text the way people say it: ``"Mon-Fri 09:00-17:00"``,
``"Tue 14:00-16:00"``, ``"Mon,Wed 08:30-12:00; Thu 13:00-15:30"``. Days are English
three-letter names (or full names), a range of days with ``-``, a list with ``,``; several
windows are separated by ``;``. A window ends after it starts on the same day (a night shift
is written as two windows). Times are local wall-clock times in the person's IANA time zone,
so a window stays at 09:00 local when the clocks change, and its UTC position moves.

Examples
--------
>>> h = WorkingHours.parse("Mon-Fri 09:00-17:00")
>>> str(h), h.minutes_per_week()
('Mon-Fri 09:00-17:00', 2400)
>>> str(WorkingHours.parse("thursday 13:00-15:30; mon,wed 8:30-12:00"))
'Mon,Wed 08:30-12:00; Thu 13:00-15:30'
"""
from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

from mentorkit.errors import MentorkitError

__all__ = ["WorkingHours", "DEFAULT_HOURS", "CADENCE_RULES", "zone", "utc_windows"]

#: how often a pair meets and for how long: cadence -> (days between calls, minutes per call);
#: the planner spaces the meetings by it and the templates state the call length from it
CADENCE_RULES = {"weekly": (7, 45), "biweekly": (14, 45), "monthly": (28, 30), "async": (None, 0)}

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME = r"(\d{1,2}):(\d{2})"
_WINDOW = re.compile(rf"^\s*(?P<days>[A-Za-z][A-Za-z,\-\s]*?)\s+{_TIME}\s*-\s*{_TIME}\s*$")


def _day(token: str) -> int:
    t = token.strip().lower()
    for i, (short, full) in enumerate(zip(DAYS, _FULL)):
        if t in (short.lower(), full):
            return i
    raise MentorkitError(f"{token.strip()!r} is not a day of the week (use Mon, Tue, ... Sun)")


def _days(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            i, j = _day(a), _day(b)
            if j < i:
                raise MentorkitError(f"day range {part.strip()!r} runs backwards (write it as two ranges)")
            out.extend(range(i, j + 1))
        else:
            out.append(_day(part))
    return out


def _minutes(h: str, m: str, raw: str) -> int:
    hh, mm = int(h), int(m)
    if mm > 59 or hh > 24 or (hh == 24 and mm):
        raise MentorkitError(f"{raw!r} is not a time of day (HH:MM, 00:00-24:00)")
    return hh * 60 + mm


@dataclass(frozen=True)
class WorkingHours:
    """Weekly windows ``(weekday, start_minute, end_minute)``, weekday 0 = Monday, minutes local."""

    windows: tuple[tuple[int, int, int], ...]

    @classmethod
    def parse(cls, text: str) -> "WorkingHours":
        """Read ``"Mon-Fri 09:00-17:00; Sat 10:00-12:00"``; a message names the bad part."""
        if not isinstance(text, str) or not text.strip():
            raise MentorkitError("working hours are empty (write them like 'Mon-Fri 09:00-17:00')")
        windows = set()
        for chunk in text.split(";"):
            if not chunk.strip():
                continue
            m = _WINDOW.match(chunk)
            if not m:
                raise MentorkitError(f"{chunk.strip()!r} is not a working-hours window "
                                     "(write it like 'Mon-Fri 09:00-17:00')")
            start = _minutes(m.group(2), m.group(3), chunk.strip())
            end = _minutes(m.group(4), m.group(5), chunk.strip())
            if end <= start:
                raise MentorkitError(f"{chunk.strip()!r} ends before it starts (a window past midnight is "
                                     "written as two windows)")
            for d in _days(m.group("days")):
                windows.add((d, start, end))
        return cls(_merge(sorted(windows)))

    def minutes_per_week(self) -> int:
        return sum(e - s for _, s, e in self.windows)

    def contains(self, weekday: int, minute: int) -> bool:
        """Whether local *weekday* (0 = Monday) and *minute* of the day fall in a window."""
        return any(d == weekday and s <= minute < e for d, s, e in self.windows)

    def __str__(self) -> str:
        by_span: dict[tuple[int, int], list[int]] = {}
        for d, s, e in self.windows:
            by_span.setdefault((s, e), []).append(d)
        parts = []
        for (s, e), days in sorted(by_span.items(), key=lambda kv: (min(kv[1]), kv[0])):
            parts.append((min(days), f"{_day_text(days)} {_hhmm(s)}-{_hhmm(e)}"))
        return "; ".join(p for _, p in sorted(parts))


def _merge(windows: list[tuple[int, int, int]]) -> tuple[tuple[int, int, int], ...]:
    out: list[list[int]] = []
    for d, s, e in windows:
        if out and out[-1][0] == d and s <= out[-1][2]:
            out[-1][2] = max(out[-1][2], e)
        else:
            out.append([d, s, e])
    return tuple(tuple(w) for w in out)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_text(days: list[int]) -> str:
    days = sorted(days)
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ",".join(DAYS[r[0]] if len(r) == 1 else
                    (f"{DAYS[r[0]]},{DAYS[r[-1]]}" if len(r) == 2 else f"{DAYS[r[0]]}-{DAYS[r[-1]]}") for r in runs)


#: what a person without stated hours is assumed to work
DEFAULT_HOURS = WorkingHours.parse("Mon-Fri 09:00-17:00")


@lru_cache(maxsize=None)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone *name*; an unknown name raises a message naming it."""
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MentorkitError(f"{name!r} is not an IANA time zone name (such as Europe/Berlin)") from None


def _local_to_utc(day: date, minute: int, tz: zoneinfo.ZoneInfo) -> datetime:
    # wall-clock arithmetic: the local time is built from the wall time, so a DST change earlier
    # in the same day does not shift it
    wall = datetime.combine(day, time(0)) + timedelta(minutes=minute)
    local = wall.replace(tzinfo=tz)
    return local.astimezone(timezone.utc)


@lru_cache(maxsize=200_000)
def _day_windows(tz_name: str, hours: WorkingHours, day: date) -> tuple[tuple[datetime, datetime], ...]:
    tz = zone(tz_name)
    wd = day.weekday()
    return tuple((_local_to_utc(day, s, tz), _local_to_utc(day, e, tz)) for d, s, e in hours.windows if d == wd)


def utc_windows(tz_name: str, hours: WorkingHours, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """A person's working windows as UTC intervals, clipped to ``[start, end)`` (aware datetimes).

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> w = utc_windows("America/New_York", WorkingHours.parse("Mon 09:00-10:00"),
    ...                 datetime(2026, 3, 2, tzinfo=timezone.utc), datetime(2026, 3, 10, tzinfo=timezone.utc))
    >>> [(a.hour, b.hour) for a, b in w]   # 14:00 UTC before the clocks change on 8 March, 13:00 after
    [(14, 15), (13, 14)]
    """
    tz = zone(tz_name)
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    out = []
    d = first
    while d <= last:
        for a, b in _day_windows(tz_name, hours, d):
            a, b = max(a, start), min(b, end)
            if a < b:
                out.append((a, b))
        d += timedelta(days=1)
    out.sort()
    return out
