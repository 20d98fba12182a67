"""Working hours, overlap across daylight-saving changes, cadence, slots and the .ics series.

Hand calculations use the 2026 clock changes: the United States moves on Sunday 8 March and
1 November, the European Union and the United Kingdom on Sunday 29 March and 25 October;
India and Japan do not change.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import WorkingHours
from mentorkit.manage.planner import (Person, daily_overlap, plan_meetings, recommend_cadence, suggest_slots,
                                      weekly_overlap, write_ics)

UTC = timezone.utc
OFFICE = WorkingHours.parse("Mon-Fri 09:00-17:00")
NY = Person("m1", "America/New_York", OFFICE, "Dana Reyes", "dana@example.org")
LONDON = Person("e1", "Europe/London", OFFICE, "Sam Okoro", "sam@example.org")
KOLKATA = Person("e2", "Asia/Kolkata", OFFICE)
TOKYO = Person("m2", "Asia/Tokyo", OFFICE)


@pytest.mark.parametrize("text, canonical, minutes", [
    ("Mon-Fri 09:00-17:00", "Mon-Fri 09:00-17:00", 5 * 480),
    ("tuesday 14:00-16:00", "Tue 14:00-16:00", 120),
    ("Mon,Wed 8:30-12:00; Thu 13:00-15:30", "Mon,Wed 08:30-12:00; Thu 13:00-15:30", 2 * 210 + 150),
    ("Mon 09:00-12:00; Mon 11:00-13:00", "Mon 09:00-13:00", 240),          # overlapping windows merge
])
def test_working_hours_parse(text, canonical, minutes):
    h = WorkingHours.parse(text)
    assert str(h) == canonical
    assert h.minutes_per_week() == minutes
    assert WorkingHours.parse(str(h)) == h


@pytest.mark.parametrize("text, words", [
    ("", "empty"), ("Mon-Fri", "not a working-hours window"), ("Fun 09:00-10:00", "'Fun' is not a day"),
    ("Mon 17:00-09:00", "ends before it starts"), ("Fri-Mon 09:00-10:00", "runs backwards"),
    ("Mon 09:75-10:00", "not a time of day"),
])
def test_working_hours_errors_name_the_part(text, words):
    with pytest.raises(MentorkitError, match=words):
        WorkingHours.parse(text)


def test_overlap_when_only_one_side_has_changed_clocks():
    # New York 09-17 is 14-22 UTC in EST (to 7 March) and 13-21 UTC in EDT; London 09-17 is
    # 09-17 UTC in GMT (to 28 March) and 08-16 UTC in BST. So: 14-17 = 180 min, then 13-17 =
    # 240 min while only New York has moved, then 13-16 = 180 min once London has too.
    d = daily_overlap([NY, LONDON], date(2026, 3, 5), date(2026, 3, 31)).set_index("date")
    assert d.loc[date(2026, 3, 6), "overlap_minutes"] == 180
    assert d.loc[date(2026, 3, 6), "windows_utc"] == "14:00-17:00"
    assert d.loc[date(2026, 3, 9), "overlap_minutes"] == 240
    assert d.loc[date(2026, 3, 9), "windows_utc"] == "13:00-17:00"
    assert d.loc[date(2026, 3, 27), "overlap_minutes"] == 240
    assert d.loc[date(2026, 3, 30), "overlap_minutes"] == 180
    assert d.loc[date(2026, 3, 30), "windows_utc"] == "13:00-16:00"
    assert d.loc[date(2026, 3, 7), "overlap_minutes"] == 0            # Saturday
    # the autumn gap runs the other way: Europe back on 25 October, the US on 1 November
    a = daily_overlap([NY, LONDON], date(2026, 10, 23), date(2026, 11, 3)).set_index("date")
    assert a.loc[date(2026, 10, 23), "overlap_minutes"] == 180      # EDT 13-21, BST 08-16 -> 13-16
    assert a.loc[date(2026, 10, 26), "overlap_minutes"] == 240      # EDT 13-21, GMT 09-17 -> 13-17
    assert a.loc[date(2026, 11, 2), "overlap_minutes"] == 180       # EST 14-22, GMT 09-17 -> 14-17


def test_overlap_against_an_independent_minute_count():
    # count the minutes by brute force with zoneinfo, one minute at a time, for a week
    start = datetime(2026, 3, 23, tzinfo=ZoneInfo("America/New_York"))
    minutes = 0
    t = start
    while t < start + timedelta(days=7):
        ny, ldn = t.astimezone(ZoneInfo("America/New_York")), t.astimezone(ZoneInfo("Europe/London"))
        inside = all(x.weekday() < 5 and 9 * 60 <= x.hour * 60 + x.minute < 17 * 60 for x in (ny, ldn))
        minutes += inside
        t = (t.astimezone(UTC) + timedelta(minutes=1)).astimezone(ZoneInfo("America/New_York"))
    w = weekly_overlap([NY, LONDON], date(2026, 3, 23), 1)
    assert int(w["overlap_minutes"].iloc[0]) == minutes == 4 * 240 + 240    # London still GMT all week


def test_cadence_rules():
    assert recommend_cadence(weekly_overlap([NY, LONDON], date(2026, 3, 2), 6))[0] == "weekly"
    # Kolkata 09-17 is 03:30-11:30 UTC; London BST 08-16: 08:00-11:30 overlap = 210 min a day
    assert recommend_cadence(weekly_overlap([KOLKATA, LONDON], date(2026, 4, 6), 4))[0] == "weekly"
    # New York and Tokyo office hours never meet (Tokyo 00-08 UTC, New York 13-21 UTC)
    rec, why = recommend_cadence(weekly_overlap([NY, TOKYO], date(2026, 4, 6), 4))
    assert rec == "async" and "no 30 minutes" in why
    # Tokyo 09-17 (00-08 UTC) against Kolkata 03:30-11:30 UTC: 4.5 h a day
    assert recommend_cadence(weekly_overlap([TOKYO, KOLKATA], date(2026, 4, 6), 2))[0] == "weekly"
    # 40 minutes a day, five days a week: monthly 30 minutes plus async
    late = Person("x", "Europe/London", WorkingHours.parse("Mon-Fri 08:20-09:00"))
    assert recommend_cadence(weekly_overlap([KOLKATA, late], date(2026, 4, 6), 2))[0] == "monthly"
    # an hour on two days: biweekly
    two = Person("y", "Europe/London", WorkingHours.parse("Tue,Thu 09:00-10:00"))
    assert recommend_cadence(weekly_overlap([LONDON, two], date(2026, 4, 6), 2))[0] == "biweekly"


def test_slots_fall_inside_both_peoples_hours_and_on_different_days():
    slots = suggest_slots([NY, LONDON], datetime(2026, 3, 6, 16, 10, tzinfo=UTC), n=2, minutes=45)
    # Friday 6 March: 16:30 UTC leaves only 30 minutes before London closes at 17:00 -> Monday
    assert slots == [datetime(2026, 3, 9, 13, 0, tzinfo=UTC), datetime(2026, 3, 10, 13, 0, tzinfo=UTC)]
    for s in slots:
        for p in (NY, LONDON):
            for t in (s, s + timedelta(minutes=44)):
                local = t.astimezone(ZoneInfo(p.timezone))
                assert local.weekday() < 5 and 9 <= local.hour < 17


def test_meetings_stay_inside_hours_across_the_change():
    plan = plan_meetings("R1", [NY, LONDON], date(2026, 3, 2), date(2026, 4, 10), agenda="agenda")
    assert plan.cadence == "weekly"
    assert len(plan.meetings) == 6
    for a, b in plan.meetings:
        for p in (NY, LONDON):
            for t in (a, b - timedelta(minutes=1)):
                local = t.astimezone(ZoneInfo(p.timezone))
                assert local.weekday() < 5 and 9 <= local.hour < 17, (p.timezone, local)
    # the first call of the week of 9 March is at 13:00 UTC (09:00 EDT), a week earlier 14:00 UTC
    assert plan.meetings[0][0] == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert plan.meetings[1][0] == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    with pytest.raises(MentorkitError, match="before the start"):
        plan_meetings("R1", [NY, LONDON], date(2026, 3, 2), date(2026, 2, 1))


def test_ics_series_round_trips_with_timezones(tmp_path):
    plans = [plan_meetings("R1", [NY, LONDON], date(2026, 3, 2), date(2026, 4, 10), agenda="What I accomplished"),
             plan_meetings("R2", [TOKYO, KOLKATA], date(2026, 3, 2), date(2026, 3, 20), agenda="x"),
             plan_meetings("R3", [NY, TOKYO], date(2026, 3, 2), date(2026, 3, 20))]
    path = write_ics(plans, tmp_path / "schedule.ics")
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == sum(len(p.meetings) for p in plans) == 6 + 3 + 0
    zones = {str(c["TZID"]) for c in cal.walk("VTIMEZONE")}
    assert zones == {"America/New_York", "Asia/Tokyo"}
    ny_zone = next(c for c in cal.walk("VTIMEZONE") if str(c["TZID"]) == "America/New_York")
    assert {c.name for c in ny_zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    got = sorted((e["SUMMARY"], e.decoded("DTSTART").astimezone(UTC)) for e in events)
    want = sorted((f"Mentoring check-in ({p.key})", a) for p in plans for a, _ in p.meetings)
    assert got == want
    first = min((e for e in events if "R1" in str(e["SUMMARY"])), key=lambda e: e.decoded("DTSTART"))
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first.decoded("DTSTART").hour == 9                      # 09:00 in New York, EST and EDT alike
    assert "What I accomplished" in str(first["DESCRIPTION"])
    assert {str(a) for a in first.get("ATTENDEE")} == {"mailto:dana@example.org", "mailto:sam@example.org"}
