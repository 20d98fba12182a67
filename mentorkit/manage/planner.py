"""Time-zone planner: when a pair (or a group) can meet, how often, and a calendar for it.

Each person brings an IANA time zone and :class:`~mentorkit.manage.hours.WorkingHours` in
local wall-clock time. Their working windows are turned into UTC intervals date by date with
:mod:`zoneinfo`, so the overlap is right in the weeks when one side has changed its clocks
and the other has not (North America moves in March and November, Europe on the last
Sundays of March and October, most of Asia never).

Cadence rule (:func:`recommend_cadence`), judged on the programme's *worst* week, since a
rhythm that fails one week in four breaks:

* ``weekly``: a common window of at least 60 minutes on three or more days;
* ``biweekly``: a common window of at least 60 minutes at least once a week;
* ``monthly``: less than an hour of common time in one piece, but at least 30 minutes:
  one monthly 30-minute call plus the async weekly update;
* ``async``: no 30 minutes in common at all: async weekly updates only, and a call only
  when one of them moves their hours.

Examples
--------
>>> from datetime import date
>>> ny = Person("A", "America/New_York", WorkingHours.parse("Mon-Fri 09:00-17:00"))
>>> ldn = Person("B", "Europe/London", WorkingHours.parse("Mon-Fri 09:00-17:00"))
>>> d = daily_overlap([ny, ldn], date(2026, 3, 6), date(2026, 3, 10))
>>> d[["date", "overlap_minutes"]].astype(str).values.tolist()   # New York moved on Sunday 8 March
[['2026-03-06', '180'], ['2026-03-07', '0'], ['2026-03-08', '0'], ['2026-03-09', '240'], ['2026-03-10', '240']]
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import CADENCE_RULES, DEFAULT_HOURS, WorkingHours, utc_windows, zone

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["Person", "common_windows", "daily_overlap", "weekly_overlap", "recommend_cadence", "suggest_slots",
           "Plan", "plan_meetings", "plans_for_pairs", "write_ics", "CADENCE_RULES"]

UTC = timezone.utc


@dataclass(frozen=True)
class Person:
    """Someone to plan for: an id, a time zone and working hours (default Mon-Fri 09:00-17:00)."""

    id: str
    timezone: str
    hours: WorkingHours = DEFAULT_HOURS
    name: str | None = None
    email: str | None = None


def _intersect(a: list[tuple[datetime, datetime]], b: list[tuple[datetime, datetime]]):
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


@lru_cache(maxsize=8192)
def _windows(tz: str, hours: WorkingHours, start: datetime, end: datetime) -> tuple:
    return tuple(utc_windows(tz, hours, start, end))


def common_windows(people: Sequence[Person], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """UTC intervals in ``[start, end)`` when everyone in *people* is working."""
    if not people:
        raise MentorkitError("planner: nobody to plan for")
    windows = list(_windows(people[0].timezone, people[0].hours, start, end))
    for p in people[1:]:
        windows = _intersect(windows, _windows(p.timezone, p.hours, start, end))
        if not windows:
            break
    return windows


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _per_day(people: Sequence[Person], first: date, last: date) -> list[list[tuple[datetime, datetime]]]:
    """Common windows cut at the first person's local midnights: one list per date."""
    tz = zone(people[0].timezone)
    bounds = [datetime.combine(first + timedelta(days=k), time(0), tzinfo=tz).astimezone(UTC)
              for k in range((last - first).days + 2)]
    windows = common_windows(people, bounds[0], bounds[-1])
    per_day: list[list[tuple[datetime, datetime]]] = [[] for _ in range(len(bounds) - 1)]
    k = 0
    for a, b in windows:
        while bounds[k + 1] <= a:
            k += 1
        j = k
        while a < b:                      # a window may run past the anchor's midnight
            cut = min(b, bounds[j + 1])
            per_day[j].append((a, cut))
            a, j = cut, j + 1
    return per_day


def daily_overlap(people: Sequence[Person], first: date, last: date) -> pd.DataFrame:
    """Common working time per date, dates in the first person's time zone.

    Returns
    -------
    DataFrame
        ``date, overlap_minutes, longest_minutes, windows_utc`` (one row per date, *first* to
        *last* inclusive; ``windows_utc`` as ``HH:MM-HH:MM`` in UTC).
    """
    first, last = _as_date(first), _as_date(last)
    per_day = _per_day(people, first, last)
    mins = [[(b - a).seconds // 60 for a, b in w] for w in per_day]
    return pd.DataFrame({"date": [first + timedelta(days=k) for k in range(len(per_day))],
                         "overlap_minutes": [sum(m) for m in mins],
                         "longest_minutes": [max(m, default=0) for m in mins],
                         "windows_utc": [", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in w) for w in per_day]})


def weekly_overlap(people: Sequence[Person], first: date, weeks: int) -> pd.DataFrame:
    """Common working time per week starting at *first*.

    Returns
    -------
    DataFrame
        ``week_start, overlap_minutes, longest_minutes, days_with_hour`` (days with a common
        window of 60 minutes or more).
    """
    if weeks < 1:
        raise MentorkitError(f"planner: weeks must be at least 1, got {weeks}")
    first = _as_date(first)
    per_day = _per_day(people, first, first + timedelta(days=7 * weeks - 1))
    total = np.zeros(7 * weeks, dtype=np.int64)
    longest = np.zeros(7 * weeks, dtype=np.int64)
    for k, w in enumerate(per_day):
        for a, b in w:
            m = (b - a).seconds // 60
            total[k] += m
            longest[k] = max(longest[k], m)
    total, longest = total.reshape(weeks, 7), longest.reshape(weeks, 7)
    return pd.DataFrame({
        "week_start": [first + timedelta(days=7 * k) for k in range(weeks)],
        "overlap_minutes": total.sum(axis=1), "longest_minutes": longest.max(axis=1),
        "days_with_hour": (longest >= 60).sum(axis=1),
    })


def recommend_cadence(weekly: pd.DataFrame) -> tuple[str, str]:
    """The cadence the worst week allows (see the module notes) and why, in words.

    >>> w = pd.DataFrame({"week_start": [1, 2], "overlap_minutes": [300, 40], "longest_minutes": [120, 40],
    ...                   "days_with_hour": [3, 0]})
    >>> recommend_cadence(w)[0]
    'monthly'
    """
    worst_days = int(np.min(weekly["days_with_hour"]))
    worst_longest = int(np.min(weekly["longest_minutes"]))
    if worst_days >= 3:
        return "weekly", f"an hour or more in common on {worst_days} days even in the tightest week"
    if worst_days >= 1:
        return "biweekly", (f"an hour in common on only {worst_days} day(s) in the tightest week: "
                            "a call every two weeks, async updates between")
    if worst_longest >= 30:
        return "monthly", (f"at most {worst_longest} minutes in common in the tightest week: one monthly "
                           "30-minute call plus the async weekly update")
    return "async", ("no 30 minutes in common in the tightest week: async weekly updates, and a call only "
                     "when one of you moves their hours")


def suggest_slots(people: Sequence[Person], after: datetime, *, n: int = 2, minutes: int = 30,
                  horizon_days: int = 14) -> list[datetime]:
    """The first *n* meeting starts (UTC) after *after*, inside everyone's hours, on different days."""
    if after.tzinfo is None:
        after = after.replace(tzinfo=UTC)
    # start on the next half hour
    after = after.astimezone(UTC)
    step = timedelta(minutes=30)
    after = after + (datetime.min.replace(tzinfo=UTC) - after) % step
    out: list[datetime] = []
    days_used: set[date] = set()
    tz0 = zone(people[0].timezone)
    for a, b in common_windows(people, after, after + timedelta(days=horizon_days)):
        if (b - a) >= timedelta(minutes=minutes):
            day = a.astimezone(tz0).date()
            if day in days_used:
                continue
            out.append(a)
            days_used.add(day)
            if len(out) == n:
                break
    return out


@dataclass
class Plan:
    """A meeting plan for one pair or group."""

    key: str
    people: list[Person]
    cadence: str
    why: str
    weekly: pd.DataFrame
    meetings: list[tuple[datetime, datetime]] = field(default_factory=list)
    agenda: str = ""

    @property
    def min_weekly_overlap_minutes(self) -> int:
        return int(self.weekly["overlap_minutes"].min())


def plan_meetings(key: str, people: Sequence[Person], start, end, *, agenda: str = "",
                  cadence: str | None = None) -> Plan:
    """Overlap, cadence and the check-in times from *start* to *end* for one pair or group.

    Each check-in is put in the first common window long enough for the call in its
    cadence period (a week, two weeks or four weeks), so a call never falls outside
    anyone's hours, even in a week when the clocks have moved on one side only.
    """
    first, last = _as_date(start), _as_date(end)
    if last < first:
        raise MentorkitError(f"planner: {key}: the end {last} is before the start {first}")
    weekly, rec, why, meetings = _plan(tuple((p.timezone, p.hours) for p in people), first, last, cadence)
    chosen = cadence or rec
    if chosen != rec and cadence:
        why = f"{chosen} as agreed (the overlap suggests {rec}: {why})"
    return Plan(key, list(people), chosen, why, weekly, list(meetings), agenda=agenda)


@lru_cache(maxsize=4096)
def _plan(zones: tuple, first: date, last: date, cadence: str | None):
    """Overlap, cadence and meetings for people given as (time zone, hours): shared by pairs alike."""
    people = [Person(str(i), tz, h) for i, (tz, h) in enumerate(zones)]
    weeks = max(1, ((last - first).days + 7) // 7)
    weekly = weekly_overlap(people, first, weeks)
    rec, why = recommend_cadence(weekly)
    chosen = cadence or rec
    if chosen not in CADENCE_RULES:
        raise MentorkitError(f"planner: unknown cadence {chosen!r}; use one of {', '.join(CADENCE_RULES)}")
    every, minutes = CADENCE_RULES[chosen]
    meetings: list[tuple[datetime, datetime]] = []
    if every is None:
        return weekly, rec, why, tuple(meetings)
    tz0 = zone(people[0].timezone)
    windows = common_windows(people, datetime.combine(first, time(0), tzinfo=tz0).astimezone(UTC),
                             datetime.combine(first + timedelta(days=7 * weeks), time(0), tzinfo=tz0).astimezone(UTC))
    long_enough = [(a, b) for a, b in windows if b - a >= timedelta(minutes=minutes)]
    i = 0
    d = first
    while d <= last:
        lo = datetime.combine(d, time(0), tzinfo=tz0).astimezone(UTC)
        hi = datetime.combine(min(d + timedelta(days=every), last + timedelta(days=1)), time(0),
                              tzinfo=tz0).astimezone(UTC)
        while i < len(long_enough) and long_enough[i][0] < lo:
            i += 1
        if i < len(long_enough) and long_enough[i][0] < hi and long_enough[i][0] + timedelta(minutes=minutes) <= hi:
            a = long_enough[i][0]
            meetings.append((a, a + timedelta(minutes=minutes)))
        d += timedelta(days=every)
    return weekly, rec, why, tuple(meetings)


def plans_for_pairs(data: ProgramData, contacts: pd.DataFrame | None = None, pair_ids: Iterable[str] | None = None, *,
                    agenda: str | None = None, progress: bool = False) -> list[Plan]:
    """A plan per pair (a group's pairs share one plan, keyed by ``group_id``).

    Time zones come from the program's participants; working hours from *contacts* (a roster
    frame) where given, else Mon-Fri 09:00-17:00. The cadence is the recommended one.
    """
    from mentorkit.manage.roster import hours_of
    from mentorkit.manage.templates import render
    pairs = data.pairs
    if pair_ids is not None:
        wanted = list(dict.fromkeys(map(str, pair_ids)))
        known = set(pairs["pair_id"])
        unknown = [p for p in wanted if p not in known]
        if unknown:
            raise MentorkitError(f"planner: pair id(s) not in the program: {', '.join(unknown[:10])}")
        pairs = pairs[pairs["pair_id"].isin(wanted)]
    # time zones, hours and names only for the people of these pairs, not the whole program
    ids = pd.unique(np.concatenate([pairs["mentor_id"].to_numpy(), pairs["mentee_id"].to_numpy()]))
    part = data.participants[data.participants["participant_id"].isin(ids)]
    tz = dict(zip(part["participant_id"], part["timezone"]))
    hours = {}
    names: dict[str, tuple[str | None, str | None]] = {}
    if contacts is not None and len(contacts):
        contacts = contacts[contacts["participant_id"].isin(ids)]
        hours = dict(zip(contacts["participant_id"], hours_of(contacts)))
        names = dict(zip(contacts["participant_id"], zip(contacts["name"], contacts["email"])))

    def person(pid: str) -> Person:
        nm, em = names.get(pid, (None, None))
        return Person(pid, tz.get(pid, "UTC"), hours.get(pid, DEFAULT_HOURS), nm, em)

    groups: dict[str, dict] = {}
    has_group = "group_id" in pairs.columns
    for row in pairs.itertuples(index=False):
        gid = getattr(row, "group_id", None) if has_group else None
        key = str(gid) if gid is not None and not pd.isna(gid) and str(gid) else row.pair_id
        g = groups.setdefault(key, {"ids": [row.mentor_id], "start": row.start_date, "end": row.end_date})
        g["ids"].append(row.mentee_id)
        g["start"] = min(g["start"], row.start_date)
        if pd.notna(row.end_date):
            g["end"] = max(g["end"], row.end_date) if pd.notna(g["end"]) else row.end_date
    items = list(groups.items())
    if progress:
        from tqdm.auto import tqdm
        items = tqdm(items, desc="planning", unit="pair")
    out = []
    for key, g in items:
        people = [person(p) for p in dict.fromkeys(g["ids"])]
        end = g["end"] if pd.notna(g["end"]) else pd.Timestamp(g["start"]) + pd.Timedelta(weeks=12)
        text = agenda if agenda is not None else render("pre_call_note", {"pair": key}, fmt="markdown")
        out.append(plan_meetings(key, people, g["start"], end, agenda=text))
    return out


def write_ics(plans: Iterable[Plan], path: str | os.PathLike, *, title: str = "Mentoring check-in") -> Path:
    """One calendar of every planned check-in, each event in its organiser's time zone.

    Events carry ``DTSTART``/``DTEND`` with the first person's (the mentor's) ``TZID``; the
    calendar holds a ``VTIMEZONE`` block for every zone used (icalendar builds them from
    zoneinfo, with their daylight-saving rules), so a calendar application shows each call
    at the right local time for every attendee. The agenda template is the description.
    """
    import icalendar
    cal = icalendar.Calendar()
    cal.add("prodid", "-//mentorkit//time-zone planner//EN")
    cal.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for plan in plans:
        tz = zone(plan.people[0].timezone)
        for k, (a, b) in enumerate(plan.meetings):
            ev = icalendar.Event()
            ev.add("uid", f"{plan.key}-{a:%Y%m%dT%H%M}-{k}@mentorkit")
            ev.add("dtstamp", stamp)
            ev.add("summary", f"{title} ({plan.key})")
            ev.add("dtstart", a.astimezone(tz))
            ev.add("dtend", b.astimezone(tz))
            ev.add("description", plan.agenda)
            for p in plan.people:
                if p.email:
                    att = icalendar.vCalAddress(f"mailto:{p.email}")
                    if p.name:
                        att.params["cn"] = icalendar.vText(p.name)
                    ev.add("attendee", att, encode=0)
            cal.add_component(ev)
    cal.add_missing_timezones()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cal.to_ical())
    return path
