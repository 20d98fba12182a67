"""The equity lens: rates and gaps checked by hand and against statsmodels / scipy; suppression; planted gaps."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mentorkit.analysis import equity as E
from mentorkit.errors import MentorkitError
from mentorkit.program import simulate


@pytest.fixture(scope="module")
def program():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return simulate(mentees=500, seed=11)


def test_newcombe_interval_matches_statsmodels():
    from statsmodels.stats.proportion import confint_proportions_2indep

    for x1, n1, x0, n0 in [(56, 70, 48, 80), (3, 40, 12, 41), (0, 25, 5, 30), (90, 100, 60, 100)]:
        # reference: statsmodels confint_proportions_2indep(..., method="newcomb") (Newcombe's method 10)
        ref = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
        assert E.newcombe_interval(x1, n1, x0, n0) == pytest.approx(ref, abs=1e-10)


def test_welch_interval_matches_scipy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 1, 23), rng.normal(4.2, 2, 41)
    lo, hi, p = E.welch_interval(a.mean(), a.std(ddof=1), len(a), b.mean(), b.std(ddof=1), len(b))
    # reference: scipy.stats.ttest_ind(equal_var=False) and its confidence_interval()
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert (lo, hi) == pytest.approx(tuple(ref.confidence_interval(0.95)), rel=1e-10)
    assert p == pytest.approx(ref.pvalue, rel=1e-10)


def test_equity_rates_by_hand_and_small_cells_hidden(program):
    table = E.equity_table(program, min_size=5)
    parts = program.participants
    mentees = parts[parts.role == "mentee"]
    sp = program.sponsorship
    nominated = set(sp.loc[sp.kind == "promotion nomination", "participant_id"])
    women = mentees[mentees.gender == "woman"]
    row = table[(table.measure == "promotion_nomination") & (table.breakdown == "gender")
                & (table.group == "woman")].iloc[0]
    # hand: share of women mentees with a promotion nomination in the sponsorship table
    assert row["n"] == len(women)
    assert row["value"] == pytest.approx(women.participant_id.isin(nominated).mean())
    two = table[table.breakdown == "gender × ethnicity"]
    counts = mentees.groupby(["gender", "ethnicity"]).size()
    small = {f"{g} × {e}" for (g, e), n in counts.items() if n < 5}
    assert small, "the fixture should have small intersections"
    hidden = two[two.group.isin(small)]
    assert hidden["suppressed"].all() and hidden["value"].isna().all() and hidden["n"].isna().all()
    # complementary suppression: no line of the two-way table has exactly one hidden cell
    for m, part in two.groupby("measure"):
        cells = part.assign(g=part.group.str.split(" × ").str[0], e=part.group.str.split(" × ").str[1])
        for col in ("g", "e"):
            per_line = cells.groupby(col)["suppressed"].sum()
            assert not (per_line == 1).any(), (m, col, per_line.to_dict())


def test_gaps_and_caveat(program):
    gaps = E.equity_gaps(program, by=["gender"], reference={"gender": "man"}, min_size=5)
    row = gaps[(gaps.measure == "promotion_nomination") & (gaps.group == "woman")].iloc[0]
    from statsmodels.stats.proportion import confint_proportions_2indep

    x1, n1 = row["value_group"] * row["n_group"], row["n_group"]
    x0, n0 = row["value_reference"] * row["n_reference"], row["n_reference"]
    assert row["gap"] == pytest.approx(x1 / n1 - x0 / n0)
    # reference: statsmodels Newcombe interval on the same counts
    ref = confint_proportions_2indep(round(x1), n1, round(x0), n0, method="newcomb", compare="diff")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(ref, abs=1e-9)
    assert row["interval"] == "Newcombe hybrid score" and "descriptive" in row["caveat"]
    conf = gaps[(gaps.measure == "confidence_change") & (gaps.group == "woman")].iloc[0]
    assert conf["interval"] == "Welch"
    with pytest.raises(MentorkitError, match="reference 'nobody' is not a group of 'gender'"):
        E.equity_gaps(program, by=["gender"], reference={"gender": "nobody"})


def test_gap_with_a_suppressed_group_is_suppressed(program):
    data = program
    parts = data.participants.copy()
    mentees = parts.index[parts.role == "mentee"]
    parts.loc[mentees[:3], "gender"] = "agender"  # a group of three
    data = type(program)(**{t: getattr(program, t) for t in program.tables()}, truth=program.truth)
    data.participants = parts
    gaps = E.equity_gaps(data, by=["gender"], min_size=5)
    tiny = gaps[gaps.group == "agender"]
    assert len(tiny) and tiny["suppressed"].all() and tiny["gap"].isna().all() and tiny["value_group"].isna().all()


def test_missing_tables_are_listed_not_invented(program):
    data = type(program)(**{t: getattr(program, t) for t in program.tables()}, truth=program.truth)
    data.sponsorship = data.sponsorship.iloc[0:0]
    frame, measures, skipped = E.equity_frame(data)
    assert "promotion_nomination" not in measures and skipped["promotion_nomination"] == "no sponsorship table"
    data.participants = data.participants.drop(columns=["gender", "ethnicity"])
    with pytest.raises(MentorkitError, match="no demographic column"):
        E.equity_frame(data)


def test_planted_sponsorship_gaps_are_recovered():
    # the estimator is checked with suppression off (min_size=1): with the simulator's 3% non-binary share, a
    # small non-binary x Black cell is often hidden and takes the Black women's cell with it as its complement
    # (test_equity_rates_by_hand_and_small_cells_hidden checks that rule)
    covered = {"gender": 0, "intersection": 0}
    seeds = range(6)
    for seed in seeds:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = simulate(mentees=1200, comparison=0, seed=100 + seed)
        truth = {(g["breakdown"], g["group"]): g for g in data.truth["sponsorship"]["planted_gaps"]}
        gaps = E.equity_gaps(data, reference={"gender": "man", "gender × ethnicity": "man × White"}, min_size=1)
        for key, label in ((("gender", "woman"), "gender"), (("gender × ethnicity", "woman × Black"), "intersection")):
            t = truth[key]
            row = gaps[(gaps.measure == t["kind"].replace(" ", "_")) & (gaps.breakdown == key[0])
                       & (gaps.group == key[1])].iloc[0]
            covered[label] += bool(row["ci_low"] <= t["difference"] <= row["ci_high"])
    assert covered["gender"] >= 5 and covered["intersection"] >= 5, covered
