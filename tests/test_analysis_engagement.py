"""Engagement measures and nudge rules on a small program whose answers are worked out by hand."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis.engagement import NudgeRules, engagement_summary, nudges, pair_engagement
from mentorkit.errors import MentorkitError

D = pd.Timestamp


@pytest.fixture()
def program():
    """Three pairs, measured as of 2025-03-31.

    * A (weekly, one-to-one) started 2025-03-03: 4 planned sessions, 3 attended, last on 03-24.
    * B (biweekly, group) started 2025-01-06: 6 planned, 2 attended, last on 02-03; a goal
      blocked since the 03-03 snapshot; a message from 03-20 never answered.
    * C (monthly, group) ended 2025-02-28: inactive, so never nudged.
    """
    participants = pd.DataFrame({
        "participant_id": ["m1", "m2", "e1", "e2", "e3"],
        "role": ["mentor", "mentor", "mentee", "mentee", "mentee"],
        "region": ["EU", "EU", "EU", "NA", "NA"], "cohort": ["c1"] * 5, "department": ["ops"] * 5,
        "mentored": [False, False, True, True, True],
    })
    pairs = pd.DataFrame({
        "pair_id": ["A", "B", "C"], "mentor_id": ["m1", "m2", "m2"], "mentee_id": ["e1", "e2", "e3"],
        "model": ["one-to-one", "group", "group"], "cadence": ["weekly", "biweekly", "monthly"],
        "start_date": [D("2025-03-03"), D("2025-01-06"), D("2024-12-02")],
        "end_date": [pd.NaT, pd.NaT, D("2025-02-28")],
    })
    sessions = pd.DataFrame({
        "pair_id": ["A"] * 4 + ["B"] * 6 + ["C"] * 3,
        "date": [D("2025-03-03"), D("2025-03-10"), D("2025-03-17"), D("2025-03-24"),
                 D("2025-01-06"), D("2025-01-20"), D("2025-02-03"), D("2025-02-17"), D("2025-03-03"), D("2025-03-17"),
                 D("2024-12-02"), D("2024-12-30"), D("2025-01-27")],
        "attended": [True, False, True, True, True, False, True, False, False, False, True, True, True],
    })
    goals = pd.DataFrame({
        "pair_id": ["A", "A", "B", "B", "B", "B", "C"],
        "goal": ["g1", "g2", "g3", "g3", "g3", "g4", "g5"],
        "status": ["on track", "behind", "on track", "blocked", "blocked", "on track", "on track"],
        "done_date": [D("2025-03-20"), pd.NaT, pd.NaT, pd.NaT, pd.NaT, pd.NaT, D("2025-02-20")],
        "as_of": [D("2025-03-24"), D("2025-03-24"), D("2025-02-17"), D("2025-03-03"), D("2025-03-17"),
                  D("2025-03-17"), D("2025-02-20")],
    })
    messages = pd.DataFrame({
        "pair_id": ["A", "A", "B", "B"],
        "sent_at": [D("2025-03-04 09:00"), D("2025-03-11 10:00"), D("2025-02-01 08:00"), D("2025-03-20 12:00")],
        "replied_at": [D("2025-03-04 21:00"), D("2025-03-14 10:00"), D("2025-02-02 08:00"), pd.NaT],
    })
    return SimpleNamespace(participants=participants, pairs=pairs, sessions=sessions, goals=goals,
                           messages=messages)


def test_pair_measures_by_hand(program):
    pe = pair_engagement(program, as_of="2025-03-31").set_index("pair_id")
    # hand: A attended 3 of 4; B attended 2 of 6
    assert pe.loc["A", "attendance_rate"] == pytest.approx(3 / 4)
    assert pe.loc["B", "attendance_rate"] == pytest.approx(2 / 6)
    # hand: A weekly over 28 days (03-03 to 03-31) -> 4 expected check-ins, 3 held
    assert pe.loc["A", "checkins_expected"] == pytest.approx(4.0)
    assert pe.loc["A", "checkins_vs_plan"] == pytest.approx(0.75)
    # hand: C monthly from 2024-12-02 to its end 2025-02-28 = 88 days -> 88 / 28 expected
    assert pe.loc["C", "checkins_expected"] == pytest.approx(88 / 28)
    assert not pe.loc["C", "active"]
    # hand: A has g1 done and g2 behind; B has g3 blocked (latest snapshot) and g4 on track
    assert pe.loc["A", ["goals", "goals_done", "goals_behind"]].tolist() == [2, 1, 1]
    assert pe.loc["B", ["goals", "goals_done", "goals_blocked", "goals_on_track"]].tolist() == [2, 0, 1, 1]
    assert pe.loc["B", "blocked_since"] == D("2025-03-03")  # the blocked run started at the 03-03 snapshot
    # hand: A replies after 12 h and 72 h -> median 42 h, one within 48 h
    assert pe.loc["A", "median_reply_hours"] == pytest.approx(42.0)
    assert pe.loc["A", "replied_within_norm"] == 1
    assert pe.loc["B", "unanswered_overdue"] == 1


def test_nudges_each_with_the_rule_that_fired(program):
    n = nudges(program, as_of="2025-03-31")
    fired = set(zip(n["pair_id"], n["rule"]))
    # hand: B's last session 02-03 is 56 days before 03-31 (> 21); g3 blocked since 03-03, 28 days (> 14);
    # its 03-20 message has waited more than 48 h. A met on 03-24 (7 days) and answered everything. C ended.
    assert fired == {("B", "no_session"), ("B", "goal_blocked"), ("B", "unanswered_message")}
    row = n.set_index("rule").loc["no_session"]
    assert row["days"] == 56
    assert n.set_index("rule").loc["goal_blocked", "days"] == 28
    # the reasons read in whole days, as a manager would say them
    assert row["detail"] == "last attended session 56 days ago"
    assert n.set_index("rule").loc["goal_blocked", "detail"].endswith("the oldest for 28 days")


def test_nudge_rules_are_configurable(program):
    strict = nudges(program, as_of="2025-03-31", rules=NudgeRules(no_session_days=5, goal_blocked_days=None,
                                                                  unanswered_hours=None))
    # hand: with a 5-day rule A (7 days since 03-24) fires too; the other rules are off
    assert set(zip(strict["pair_id"], strict["rule"])) == {("A", "no_session"), ("B", "no_session")}
    lax = nudges(program, as_of="2025-03-31", rules=NudgeRules(no_session_days=60, goal_blocked_days=30,
                                                               unanswered_hours=24 * 20))
    assert lax.empty


def test_summary_overall_and_by_model_with_suppression(program):
    t = engagement_summary(program, by="model", as_of="2025-03-31", min_size=1).set_index("group")
    # hand: all pairs 3 + 2 + 3 = 8 attended of 4 + 6 + 3 = 13 planned
    assert t.loc["all", "attendance_rate"] == pytest.approx(8 / 13)
    # hand: goals g1..g5, done g1 and g5 -> 2 / 5
    assert t.loc["all", "goal_completion"] == pytest.approx(2 / 5)
    # hand: reply hours 12, 72, 24 -> median 24; 2 of 4 messages within 48 h
    assert t.loc["all", "median_reply_hours"] == pytest.approx(24.0)
    assert t.loc["all", "share_replied_within_48h"] == pytest.approx(0.5)
    assert t.loc["group", "n_pairs"] == 2 and t.loc["group", "pairs_needing_nudge"] == 1
    hidden = engagement_summary(program, by="model", as_of="2025-03-31", min_size=5)
    assert hidden.loc[hidden.group_by == "model", "suppressed"].all()
    assert hidden.loc[hidden.group_by == "model", "attendance_rate"].isna().all()
    assert not hidden.loc[hidden.group_by == "all", "suppressed"].any()


def test_breakdown_by_mentee_region(program):
    t = engagement_summary(program, by="region", as_of="2025-03-31", min_size=1).set_index("group")
    assert t.loc["EU", "n_pairs"] == 1 and t.loc["NA", "n_pairs"] == 2  # hand: e1 in EU; e2, e3 in NA
    with pytest.raises(MentorkitError, match="cannot break down by 'salary'"):
        engagement_summary(program, by="salary")


def test_missing_column_is_named(program):
    program.sessions = program.sessions.drop(columns="attended")
    with pytest.raises(MentorkitError, match="sessions: missing column.*'attended'"):
        pair_engagement(program)
