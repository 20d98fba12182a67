"""Matching: score parts by hand, assignment against brute force, stability and rematches."""
from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis import matching as M
from mentorkit.errors import MentorkitError


def person(pid, role, text, tz="Europe/London", start=9, end=17, style="flexible", capacity=None):
    return {"person_id": pid, "role": role, "goals": text if role == "mentee" else "",
            "expertise": text if role == "mentor" else "", "timezone": tz, "work_start": start,
            "work_end": end, "feedback_style": style, "capacity": capacity}


@pytest.mark.parametrize("tz_a, tz_b, day, hours", [
    # hand: London GMT 9-17 = 09-17 UTC; New York EDT (from 9 March 2025) 9-17 = 13-21 UTC -> 4 h
    ("Europe/London", "America/New_York", dt.date(2025, 3, 17), 4.0),
    # hand: in January New York is on EST (UTC-5): 14-22 UTC -> 3 h
    ("Europe/London", "America/New_York", dt.date(2025, 1, 15), 3.0),
    # hand: Sydney AEDT (UTC+11) 9-17 = 22-06 UTC; Los Angeles PDT (UTC-7) 9-17 = 16-24 UTC -> 22-24 = 2 h
    ("Australia/Sydney", "America/Los_Angeles", dt.date(2025, 3, 17), 2.0),
    # hand: Sydney 22-06 UTC against London 09-17 UTC -> no shared hour
    ("Australia/Sydney", "Europe/London", dt.date(2025, 3, 17), 0.0),
])
def test_working_hour_overlap_across_time_zones(tz_a, tz_b, day, hours):
    a = pd.DataFrame([person("e", "mentee", "sql", tz=tz_a)])
    b = pd.DataFrame([person("r", "mentor", "sql", tz=tz_b, capacity=5)])
    s = M.score_matrix(a, b, reference_date=day).iloc[0]
    assert s["hours_overlap"] == pytest.approx(hours)
    assert s["overlap_score"] == pytest.approx(min(hours, 4.0) / 4.0)  # hand: capped at min_overlap_hours = 4


@pytest.mark.parametrize("a, b, expected", [("direct", "direct", 1.0), ("direct", "gentle", 0.0),
                                            ("gentle", "flexible", 1.0), ("flexible", "direct", 1.0)])
def test_style_match(a, b, expected):
    s = M.score_matrix(pd.DataFrame([person("e", "mentee", "x y", style=a)]),
                       pd.DataFrame([person("r", "mentor", "x y", style=b, capacity=5)]))
    assert s["style_match"].iloc[0] == expected


def test_score_breakdown_adds_up_and_text_similarity_limits():
    mentees = pd.DataFrame([person("e1", "mentee", "negotiate salary offers", style="direct"),
                            person("e2", "mentee", "kubernetes clusters", style="gentle")])
    mentors = pd.DataFrame([person("r1", "mentor", "negotiate salary offers", style="direct", capacity=5),
                            person("r2", "mentor", "watercolour painting", style="direct", capacity=5)])
    s = M.score_matrix(mentees, mentors).set_index(["mentee_id", "mentor_id"])
    # hand: identical texts have cosine similarity 1; texts sharing no word have 0
    assert s.loc[("e1", "r1"), "goal_similarity"] == pytest.approx(1.0)
    assert s.loc[("e2", "r2"), "goal_similarity"] == pytest.approx(0.0)
    # hand: 0.6 * 1 + 0.25 * 1 + 0.15 * 1 = 1 for the perfect pair; 0.6 * 0 + 0.25 * 1 + 0.15 * 0 for e2-r2
    assert s.loc[("e1", "r1"), "score"] == pytest.approx(1.0)
    assert s.loc[("e2", "r2"), "score"] == pytest.approx(0.25)
    parts = s["goals_part"] + s["hours_part"] + s["style_part"]
    np.testing.assert_allclose(parts, s["score"])
    assert "salary" in s.loc[("e1", "r1"), "shared_terms"]


def test_goal_fit_is_scaled_by_the_best_similarity():
    mentees = pd.DataFrame([person("e1", "mentee", "negotiating salary", style="direct"),
                            person("e2", "mentee", "sql dashboards", style="direct")])
    mentors = pd.DataFrame([person("r1", "mentor", "salary negotiation coaching and public speaking and sql",
                                   style="direct", capacity=5)])
    s = M.score_matrix(mentees, mentors).set_index("mentee_id")
    # hand: goal_fit = goal_similarity / the largest goal_similarity in the table
    best = s["goal_similarity"].max()
    np.testing.assert_allclose(s["goal_fit"], s["goal_similarity"] / best)
    assert s["goal_fit"].max() == pytest.approx(1.0)
    assert 0 < s["goal_similarity"].max() < 1


def _small_people():
    texts = ["python data analysis", "public speaking confidence", "salary negotiation", "python machine learning",
             "team leadership", "data dashboards sql", "speaking at conferences"]
    styles = ["direct", "gentle", "flexible", "direct", "gentle", "direct", "gentle"]
    zones = ["Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin", "America/Chicago",
             "Europe/London", "Asia/Singapore"]
    rows = [person(f"e{i}", "mentee", t, tz=z, style=s) for i, (t, s, z) in enumerate(zip(texts, styles, zones))]
    rows += [person("r0", "mentor", "python, sql, data analysis and machine learning", tz="Europe/London",
                    style="direct", capacity=3),
             person("r1", "mentor", "public speaking, leadership, negotiation", tz="America/New_York",
                    style="gentle", capacity=2),
             person("r2", "mentor", "career change and salary negotiation", tz="Asia/Kolkata",
                    style="flexible", capacity=1)]
    return pd.DataFrame(rows)


def test_optimal_assignment_equals_brute_force():
    people = _small_people()
    r = M.match(people, capacity_range=(1, 10))
    S = r.scores.pivot(index="mentee_id", columns="mentor_id", values="score")
    cap = {"r0": 3, "r1": 2, "r2": 1}
    best = -1.0
    # reference: enumerate every capacity-respecting assignment of the 7 mentees (one is left over: 6 places)
    for combo in itertools.product(list(S.columns) + [None], repeat=len(S)):
        if any(combo.count(m) > c for m, c in cap.items()):
            continue
        total = sum(S.iloc[i][m] for i, m in enumerate(combo) if m is not None)
        best = max(best, total)
    assert r.pairs["score"].sum() == pytest.approx(best)
    assert len(r.pairs) == 6 and len(r.unmatched) == 1
    assert r.pairs["mentor_id"].value_counts().to_dict() == cap


def test_blocking_pairs_by_hand():
    # hand: mentee 0 sits with mentor 1 (0.1) but prefers mentor 0 (0.9); mentor 0 is full with mentee 1 (0.8 < 0.9)
    S = np.array([[0.9, 0.1], [0.8, 0.2]])
    b = M.blocking_pairs(S, np.array([1, 0]), np.array([1, 1]))
    assert b[["mentee", "mentor"]].values.tolist() == [[0, 0]]
    assert len(M.blocking_pairs(S, np.array([0, 1]), np.array([1, 1]))) == 0
    # hand: an unmatched mentee and a mentor with a free place always block
    assert M.blocking_pairs(S, np.array([0, -1]), np.array([1, 2]))[["mentee", "mentor"]].values.tolist() == [[1, 1]]


def test_stable_method_leaves_no_blocking_pair_on_example():
    people = M.example_people()
    opt = M.match(people)
    stable = M.match(people, method="stable")
    assert len(stable.blocking) == 0
    assert opt.pairs["score"].sum() >= stable.pairs["score"].sum() - 1e-9
    caps = people[people.role == "mentor"].set_index("person_id")["capacity"]
    load = opt.pairs["mentor_id"].value_counts()
    assert (load <= caps.reindex(load.index)).all()
    assert opt.pairs["mentee_id"].is_unique


def test_rejected_rows_are_reported_not_dropped():
    people = _small_people()
    people.loc[0, "timezone"] = "Mars/Olympus"
    people.loc[8, "capacity"] = 40
    r = M.match(people, capacity_range=(1, 10))
    assert r.rejected["row"].tolist() == [1, 9]
    assert "Mars/Olympus" in r.rejected["reason"].iloc[0]
    assert "capacity must be a whole number from 1 to 10" in r.rejected["reason"].iloc[1]
    assert "e0" not in set(r.pairs["mentee_id"])
    with pytest.raises(MentorkitError, match="missing column"):
        M.match(people.drop(columns="timezone"))


def test_default_capacity_range_is_five_to_ten():
    people = _small_people()
    clean, rejected = M.check_people(people)
    assert set(rejected["person_id"]) == {"r0", "r1", "r2"}  # capacities 3, 2 and 1 are outside 5-10


def test_rematch_suggestions_moves_and_swaps():
    people = M.example_people()
    result = M.match(people)
    pairs = result.pairs
    poor = pairs.nsmallest(4, "score")["mentee_id"].tolist()
    s = M.rematch_suggestions(people, pairs, poor, k=5, max_other_loss=0.1)
    caps = people[people.role == "mentor"].set_index("person_id")["capacity"]
    load = pairs["mentor_id"].value_counts().reindex(caps.index, fill_value=0)
    free = set(caps.index[load < caps])
    scores = result.scores.set_index(["mentee_id", "mentor_id"])["score"]
    current = dict(zip(pairs.mentee_id, pairs.mentor_id))
    assert set(s["mentee_id"]) == set(poor)
    assert {"move", "swap"} <= set(s["kind"])
    for r in s.itertuples():
        assert r.suggested_mentor_id != r.current_mentor_id
        assert r.score == pytest.approx(scores[(r.mentee_id, r.suggested_mentor_id)])
        assert r.gain == pytest.approx(r.score - r.current_score)
        if r.kind == "move":
            assert r.suggested_mentor_id in free  # a move needs a free place
        else:
            assert r.suggested_mentor_id not in free and current[r.swap_with] == r.suggested_mentor_id
            assert r.swap_with not in poor
            # hand: the other mentee's change is their score with the freed mentor minus their current one
            change = scores[(r.swap_with, r.current_mentor_id)] - scores[(r.swap_with, r.suggested_mentor_id)]
            assert r.other_change == pytest.approx(change) and change >= -0.1
    for _, block in s.groupby("mentee_id"):
        assert block["score"].is_monotonic_decreasing and len(block) == 5
    with pytest.raises(MentorkitError, match="not in the pairs table"):
        M.rematch_suggestions(people, pairs, ["nobody"])
