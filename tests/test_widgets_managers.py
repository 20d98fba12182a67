"""The health dashboard's "Act" tab: outbox with "nudged N days ago", mentor load, overlap, templates."""
from __future__ import annotations

import base64
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import mentorkit.datasets as ds
from mentorkit.manage.hours import WorkingHours
from mentorkit.manage.planner import Person, weekly_overlap
from mentorkit.manage.roster import RosterStore, simulate_roster
from mentorkit.widgets.common import shown_id


@pytest.fixture()
def health(tmp_path, monkeypatch):
    db = tmp_path / "roster.sqlite"
    monkeypatch.setenv("MENTORKIT_ROSTER_DB", str(db))
    data = ds.load("program_sample")
    roster = simulate_roster(data, seed=11)
    store = RosterStore(db)
    store.upsert(roster)
    from mentorkit.widgets.health import ProgramHealth
    dash = ProgramHealth(data)
    return dash, store, roster, data


def _links(html_text):
    return {m.group(1): base64.b64decode(m.group(2)).decode("utf-8")
            for m in re.finditer(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html_text)}


def test_act_tab_is_built_only_when_opened():
    code = ("import sys\nfrom mentorkit.widgets.health import ProgramHealth\ndash = ProgramHealth()\n"
            "print(sorted(m for m in ('sqlalchemy', 'icalendar', 'mentorkit.manage.outbox') if m in sys.modules))\n"
            "print(dash.manage.drawn)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[:2] == ["[]", "False"]


def test_outbox_shows_drafts_and_nudged_days_ago_with_pseudonyms_only(health):
    dash, store, roster, data = health
    from mentorkit.analysis.engagement import nudges
    as_of = pd.Timestamp(dash.end.value)
    flagged = nudges(data, as_of=as_of)
    one = flagged["pair_id"].iloc[0]
    store.log_sent([{"pair_id": one, "rule": flagged["rule"].iloc[0], "recipient_id": flagged["mentor_id"].iloc[0],
                     "recipient_email": "x@example.org", "subject": "s", "channel": "smtp", "message_id": "<1@x>",
                     "sent_at": datetime.now(timezone.utc) - timedelta(days=3, hours=1)}])
    dash.sections.open_tab("Act")
    out = dash.manage.tables["outbox"]
    held = out[out["pair"] == shown_id(one)]
    assert len(held) == (flagged["pair_id"] == one).sum() and set(held["status"]) == {"nudged 3 days ago"}
    # every other flagged pair has a draft; the drafts cover each flagged pair and rule
    assert set(out.loc[out["status"] == "draft ready", "pair"]) >= {shown_id(p) for p in flagged["pair_id"]} - \
        {shown_id(one)}
    assert one not in set(out["pair"]) and not out["to"].str.contains(flagged["mentor_id"].iloc[0]).any()
    assert "nudged 3 days ago" in dash.manage.outbox_html.value
    page = "".join(c.value for c in dash.manage.children if hasattr(c, "value"))
    names = set(roster["name"])
    assert not [n for n in names if n in page], "a name reached the page"
    assert not [e for e in roster["email"] if e in page], "an address reached the page"
    # a filter change redraws the open panel for the new selection
    cohort = dash.cohort.options[1]
    dash.cohort.value = cohort
    mentees = set(data.participants.loc[data.participants["cohort"] == cohort, "participant_id"])
    cohort_pairs = {shown_id(p) for p in data.pairs.loc[data.pairs["mentee_id"].isin(mentees), "pair_id"]}
    assert set(dash.manage.tables["outbox"]["pair"]) <= cohort_pairs


def test_low_overlap_pairs_match_an_independent_overlap(health):
    dash, store, roster, data = health
    dash.sections.open_tab("Act")
    low = dash.manage.tables["little overlap"]
    assert len(low) > 0
    c = roster.set_index("participant_id")
    as_of = pd.Timestamp(dash.end.value)
    pairs = data.pairs
    active = pairs[(pairs["start_date"] <= as_of) & (pairs["end_date"].isna() | (pairs["end_date"] >= as_of))]
    raw = {shown_id(k): k for k in set(pairs["pair_id"]) | set(pairs["group_id"].dropna())}
    for r in low.head(8).itertuples(index=False):
        key = raw[r.pair]
        rows = active[(active["pair_id"] == key) | (active["group_id"] == key)]   # a pair, or a group's pairs
        ids = list(dict.fromkeys([rows["mentor_id"].iloc[0], *rows["mentee_id"]]))
        people = [Person(p, c.at[p, "timezone"], WorkingHours.parse(c.at[p, "working_hours"])) for p in ids]
        w = weekly_overlap(people, as_of.date(), 4)
        assert int(w["overlap_minutes"].min()) == r[2] < 60
        assert r.cadence in ("monthly", "async")


def test_templates_one_click_from_the_pair(health):
    dash, store, roster, data = health
    dash.sections.open_tab("Act")
    pid = dash.manage.pair_pick.value
    links = _links(dash.manage.template_links.value)
    shown = shown_id(pid)
    assert set(links) == {f"{shown}-{n}.{ext}" for n in ("agreement", "async_weekly_update", "pre_call_note",
                                                         "call_recap", "monthly_reflection") for ext in ("html", "md")}
    agreement = links[f"{shown}-agreement.html"]
    goals = data.goals.loc[data.goals["pair_id"] == pid, "goal"].unique()
    assert shown in agreement and pid not in agreement and all(g in agreement for g in goals)
    assert not [n for n in set(roster["name"]) if n in agreement]
    label, other = dash.manage.pair_pick.options[1]
    assert label == shown_id(other)
    dash.manage.pair_pick.value = other
    assert f"{shown_id(other)}-call_recap.md" in _links(dash.manage.template_links.value)


def test_exercises_link_the_same_templates():
    import json
    from pathlib import Path

    from mentorkit.manage.templates import render
    from mentorkit.widgets.managers import template_links
    root = Path(__file__).resolve().parents[1]
    for nb in ("kickoff_and_agreements", "async_and_written"):
        cells = json.loads((root / "exercises" / f"{nb}.ipynb").read_text())["cells"]
        assert any("template_links(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")
    links = _links(template_links(["agreement", "call_recap"]).value)
    assert set(links) == {"agreement.html", "agreement.md", "call_recap.html", "call_recap.md"}
    assert links["agreement.md"] == render("agreement")
