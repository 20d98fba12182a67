"""Time the managers' tools on a simulated program: every nudge drafted, the .ics series written.

    .venv/bin/python benchmarks/bench_managers.py [--mentees 100000] [--pairs 1000]

Steps, all in this one run: simulate the program in memory and a fictional roster for it
(setup, not timed as a result); then

* the baseline: the nudge rules alone (mentorkit.analysis.engagement.nudges), which say who
  needs a nudge and why;
* the outbox: mentorkit.manage.outbox.draft_nudges on the same data and roster: the rules
  plus the silent-mentee rule, the stage, the recipient, the roster look-up, two slots in
  both people's hours for every meeting nudge and the message text (target <= 10 s);
* mentor load on the same data;
* the planner for --pairs pairs (overlap per date, cadence, check-ins) and writing their
  .ics series, against icalendar writing the same number of bare events (no time zones, no
  agenda) as its baseline.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

TARGET_DRAFT_SECONDS = 10.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentees", type=int, default=100_000)
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")

    import icalendar
    import pandas as pd

    from mentorkit.analysis.engagement import nudges, pair_engagement
    from mentorkit.manage.load import mentor_load
    from mentorkit.manage.outbox import draft_nudges
    from mentorkit.manage.planner import plans_for_pairs, write_ics
    from mentorkit.manage.roster import simulate_roster
    from mentorkit.program import simulate

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}")
    t0 = time.perf_counter()
    data = simulate(mentees=args.mentees, seed=args.seed)
    roster = simulate_roster(data, seed=args.seed)
    print(f"simulated {args.mentees:,} mentees, {len(data.pairs):,} pairs, roster of {len(roster):,} in "
          f"{time.perf_counter() - t0:.1f} s (setup)")
    # a day when the last cohort is still running, as the health dashboard chooses for ended samples
    ends = data.pairs["end_date"]
    as_of = (ends.max() - pd.Timedelta(days=30)).normalize()
    now = datetime(as_of.year, as_of.month, as_of.day, 12, tzinfo=timezone.utc)

    t0 = time.perf_counter()
    flagged = nudges(data, as_of=as_of)
    base_s = time.perf_counter() - t0
    print(f"baseline  nudge rules alone            {base_s:8.2f} s  ({len(flagged):,} flags, "
          f"{flagged['pair_id'].nunique():,} pairs)")

    t0 = time.perf_counter()
    ob = draft_nudges(data, roster, as_of=as_of, now=now, progress=True)
    draft_s = time.perf_counter() - t0
    meeting = int((ob.drafts["slot_1"] != "").sum())
    print(f"outbox    draft every nudge            {draft_s:8.2f} s  ({len(ob):,} drafts, {meeting:,} with slots; "
          f"{draft_s / base_s:.1f}x the rules alone; target <= {TARGET_DRAFT_SECONDS:g} s: "
          f"{'met' if draft_s <= TARGET_DRAFT_SECONDS else 'MISSED'})")

    t0 = time.perf_counter()
    load = mentor_load(data, roster, as_of=as_of)
    print(f"load      mentor load flags            {time.perf_counter() - t0:8.2f} s  ({len(load):,} flags)")

    pair_ids = data.pairs.loc[data.pairs["model"] != "group", "pair_id"].head(args.pairs).tolist()
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-") as folder:
        t0 = time.perf_counter()
        plans = plans_for_pairs(data, roster, pair_ids, progress=True)
        plan_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        path = write_ics(plans, Path(folder) / "schedule.ics")
        ics_s = time.perf_counter() - t0
        n_events = sum(len(p.meetings) for p in plans)
        size = path.stat().st_size
        t0 = time.perf_counter()
        cal = icalendar.Calendar()
        start = datetime(2026, 1, 5, 14, tzinfo=timezone.utc)
        for k in range(n_events):
            ev = icalendar.Event()
            ev.add("uid", f"bare-{k}")
            ev.add("dtstamp", start)
            ev.add("dtstart", start + timedelta(days=k % 300))
            ev.add("dtend", start + timedelta(days=k % 300, minutes=45))
            ev.add("summary", "check-in")
            cal.add_component(ev)
        (Path(folder) / "bare.ics").write_bytes(cal.to_ical())
        bare_s = time.perf_counter() - t0
    print(f"planner   plan {len(plans):,} pairs                {plan_s:8.2f} s")
    print(f"ics       write {n_events:,} events               {ics_s:8.2f} s  ({size / 1e6:.1f} MB; "
          f"baseline bare events {bare_s:.2f} s, {ics_s / bare_s:.1f}x)")
    print(f"ics       plan + write {len(plans):,} pairs        {plan_s + ics_s:8.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
