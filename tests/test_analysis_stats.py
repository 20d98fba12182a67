"""Pre/post change, scale reliability and ROI, each pinned to an outside reference."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from mentorkit.analysis.outcomes import paired_change, prepost
from mentorkit.analysis.reliability import cronbach_alpha, find_scales, scale_reliability
from mentorkit.analysis.roi import Range, fully_loaded_costs, retention_benefit, roi, roi_table
from mentorkit.errors import MentorkitError


# ------------------------------------------------------------------ pre/post


@pytest.fixture(scope="module")
def paired_scores():
    rng = np.random.default_rng(7)
    pre = rng.integers(2, 8, size=40).astype(float)
    post = np.clip(pre + rng.normal(0.8, 1.4, size=40).round(), 1, 10)
    return pre, post


def test_paired_change_matches_scipy_and_pingouin(paired_scores):
    pre, post = paired_scores
    r = paired_change(pre, post)
    ref_t = stats.ttest_rel(post, pre)  # reference: scipy.stats.ttest_rel
    assert r["t"] == pytest.approx(ref_t.statistic, rel=1e-10)
    assert r["p_t"] == pytest.approx(ref_t.pvalue, rel=1e-10)
    lo, hi = ref_t.confidence_interval(0.95)  # reference: scipy TtestResult.confidence_interval
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo, hi), rel=1e-10)
    # reference: pingouin.compute_effsize(..., eftype="cohen_dz") and eftype="hedges"
    assert r["dz"] == pytest.approx(pg.compute_effsize(post, pre, paired=True, eftype="cohen_dz"), rel=1e-10)
    assert r["hedges_g"] == pytest.approx(pg.compute_effsize(post, pre, paired=True, eftype="hedges"), rel=1e-10)
    # reference: pingouin.wilcoxon(post, pre) (W statistic and two-sided p)
    ref_w = pg.wilcoxon(post, pre)
    assert r["w"] == pytest.approx(float(ref_w["W_val"].iloc[0]))
    assert r["p_wilcoxon"] == pytest.approx(float(ref_w["p_val"].iloc[0]), rel=1e-6)


def test_wilcoxon_methods_by_hand():
    import itertools

    from mentorkit.analysis.outcomes import wilcoxon_signed_rank

    # no ties: |d| ranks 1..6, W- = 2 (W+ = 19); exact two-sided p = 2 * P(W- <= 2) = 2 * 3 / 64
    w, p, m = wilcoxon_signed_rank(np.array([1.5, 2.5, -0.5, 3.5, 4.5, 0.25]))
    assert (w, m) == (2.0, "exact") and p == pytest.approx(6 / 64)
    # ties: every 2**n sign pattern of the mid-ranks, counted by hand (itertools), for the exact test
    d = np.array([1, 2, 2, -1, 3, 1, 2, -2, 1, 1.0])
    ranks = stats.rankdata(np.abs(d))
    w_obs = min(ranks[d > 0].sum(), ranks[d < 0].sum())
    mean = len(d) * (len(d) + 1) / 4
    null = [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product([0, 1], repeat=len(d))]
    p_exact = np.mean([abs(x - mean) >= abs(w_obs - mean) - 1e-9 for x in null])
    w, p, m = wilcoxon_signed_rank(d, method="exact")
    assert m == "exact" and w == w_obs and p == pytest.approx(p_exact)
    # normal approximation with tie-corrected variance and continuity correction (R's wilcox.test default), by hand
    _, counts = np.unique(ranks, return_counts=True)
    n = len(d)
    var = (n * (n + 1) * (2 * n + 1) - np.sum(counts ** 3 - counts) / 2) / 24
    z = (abs(w_obs - mean) - 0.5) / np.sqrt(var)
    w, p, m = wilcoxon_signed_rank(d)  # auto: ties -> approximation
    assert m == "approx" and p == pytest.approx(2 * stats.norm.sf(z), rel=1e-12)
    assert wilcoxon_signed_rank(d, method="approx")[1] == p
    # the method is carried into the tables
    r = paired_change([3, 4, 5, 4, 6], [5, 5, 6, 6, 7], wilcoxon="exact")
    assert r["wilcoxon_method"] == "exact"
    with pytest.raises(MentorkitError, match="Wilcoxon method must be one of auto, exact, approx"):
        wilcoxon_signed_rank(d, method="permutation")
    with pytest.raises(MentorkitError, match="n = 30 is more than 20"):
        wilcoxon_signed_rank(np.tile(d, 3), method="exact")


def test_paired_change_hand_example():
    # hand calculation: differences 2, 1, 1, 2, 1 -> mean 1.4, sd sqrt(0.3), dz = 1.4 / sqrt(0.3)
    r = paired_change([3, 4, 5, 4, 6], [5, 5, 6, 6, 7])
    assert r["n"] == 5
    assert r["mean_diff"] == pytest.approx(1.4)
    assert r["dz"] == pytest.approx(1.4 / np.sqrt(0.3))
    assert r["t"] == pytest.approx(1.4 / (np.sqrt(0.3) / np.sqrt(5)))
    assert r["w"] == 0  # hand: every difference is positive, so the smaller rank sum is 0


def test_paired_change_drops_incomplete_pairs():
    r = paired_change([1, 2, np.nan, 4], [2, np.nan, 5, 6])
    assert r["n"] == 2  # hand count: only rows 1 and 4 have both scores
    assert r["mean_diff"] == pytest.approx(1.5)  # hand: (1 + 2) / 2


def _long(pre: dict, post: dict) -> pd.DataFrame:
    rows = []
    for wave, block in (("pre", pre), ("post", post)):
        for item, values in block.items():
            rows += [(pid, wave, item, v) for pid, v in enumerate(values)]
    return pd.DataFrame(rows, columns=["participant_id", "wave", "item", "value"])


def test_prepost_per_skill_with_holm(paired_scores):
    pre, post = paired_scores
    rng = np.random.default_rng(3)
    other_pre = rng.integers(3, 8, size=40).astype(float)
    other_post = other_pre + rng.normal(0.1, 1.0, size=40).round()
    third_post = other_pre + rng.normal(0.4, 1.0, size=40).round()
    surveys = _long({"conf_feedback": pre, "conf_listening": other_pre, "conf_goals": other_pre},
                    {"conf_feedback": post, "conf_listening": other_post, "conf_goals": third_post})
    surveys = pd.concat([surveys, pd.DataFrame([(0, "pre", "career_1", 3)], columns=surveys.columns)])
    out = prepost(surveys, p_adjust="holm")
    assert list(out["skill"]) == ["feedback", "goals", "listening"]
    row = out.set_index("skill").loc["listening"]
    assert row["n"] == 40
    assert row["p_t"] == pytest.approx(stats.ttest_rel(other_post, other_pre).pvalue)  # reference: scipy
    # reference: pingouin.multicomp(method="holm"), an independent Holm implementation
    _, ref_adj = pg.multicomp(out["p_t"].to_numpy(), method="holm")
    np.testing.assert_allclose(out["p_t_adj"], ref_adj, rtol=1e-12)
    assert (out["p_adjust"] == "holm").all()


def test_holm_by_hand():
    # three skills with p = .01, .04, .03 -> Holm: .01*3 = .03, .03*2 = .06, max(.06, .04*1) = .06
    pre = {"conf_a": [1] * 4, "conf_b": [1] * 4, "conf_c": [1] * 4}
    post = {"conf_a": [2] * 4, "conf_b": [2] * 4, "conf_c": [2] * 4}
    out = prepost(_long(pre, post), p_adjust="holm")
    from mentorkit.analysis.outcomes import _adjust

    adj = _adjust(pd.Series([0.01, 0.04, 0.03]), "holm")
    np.testing.assert_allclose(adj, [0.03, 0.06, 0.06])
    assert out["p_t"].isna().all()  # zero variance of the differences: no t-test, reported as missing


def test_prepost_requires_explicit_method_and_waves():
    surveys = _long({"conf_a": [1, 2, 3]}, {"conf_a": [2, 3, 5]})
    with pytest.raises(TypeError):
        prepost(surveys)  # the correction must be named
    with pytest.raises(MentorkitError, match="no wave 'post90'"):
        prepost(surveys, p_adjust="holm", post="post90")
    with pytest.raises(MentorkitError, match="missing column"):
        prepost(surveys.drop(columns="wave"), p_adjust="holm")


def test_prepost_restricts_to_participants():
    surveys = _long({"conf_a": [1, 2, 3, 4]}, {"conf_a": [2, 3, 9, 9]})
    out = prepost(surveys, p_adjust="holm", participants=[0, 1])
    assert out["n"].iloc[0] == 2 and out["mean_diff"].iloc[0] == pytest.approx(1.0)  # hand: (1 + 1) / 2


# ------------------------------------------------------------------ reliability


def test_alpha_matches_pingouin():
    rng = np.random.default_rng(11)
    trait = rng.normal(size=150)
    items = pd.DataFrame({f"i{k}": (trait + rng.normal(scale=0.8, size=150)).round(1) for k in range(4)})
    r = cronbach_alpha(items)
    ref_alpha, ref_ci = pg.cronbach_alpha(data=items)  # reference: pingouin.cronbach_alpha (Feldt CI, 3 d.p.)
    assert r["alpha"] == pytest.approx(ref_alpha, rel=1e-10)
    assert r["ci_low"] == pytest.approx(ref_ci[0], abs=6e-4)
    assert r["ci_high"] == pytest.approx(ref_ci[1], abs=6e-4)
    assert (r["n"], r["k"]) == (150, 4)


def test_alpha_hand_example():
    # hand calculation: item variances 2.5, 2.3, 1.5 (sum 6.3); total scores 4, 7, 9, 13, 14 -> variance 17.3
    x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    assert cronbach_alpha(x)["alpha"] == pytest.approx(1.5 * (1 - 6.3 / 17.3))


def test_scale_reliability_per_wave():
    rng = np.random.default_rng(5)
    rows = []
    for wave in ("pre", "post"):
        trait = rng.normal(size=60)
        for scale in ("career", "psychosocial"):
            for k in (1, 2, 3):
                vals = np.clip(np.round(4 + trait + rng.normal(scale=0.7, size=60)), 1, 7)
                rows += [(p, wave, f"{scale}_{k}", v) for p, v in enumerate(vals)]
    surveys = pd.DataFrame(rows, columns=["participant_id", "wave", "item", "value"])
    out = scale_reliability(surveys)
    assert set(zip(out["scale"], out["wave"])) == {(s, w) for s in ("career", "psychosocial") for w in ("pre", "post")}
    one = out[(out.scale == "career") & (out.wave == "post")].iloc[0]
    wide = surveys[surveys.item.str.startswith("career") & (surveys.wave == "post")].pivot(
        index="participant_id", columns="item", values="value")
    assert one["alpha"] == pytest.approx(pg.cronbach_alpha(data=wide)[0])  # reference: pingouin
    assert one["k"] == 3 and one["n"] == 60


def test_find_scales_and_errors():
    assert find_scales(["rolemodel_2", "rolemodel_1", "conf_x_1", "conf_x_2", "nps"]) == {
        "rolemodel": ["rolemodel_1", "rolemodel_2"]}
    bare = pd.DataFrame({"participant_id": [1], "wave": ["pre"], "item": ["nps"], "value": [9]})
    with pytest.raises(MentorkitError, match="no multi-item scale"):
        scale_reliability(bare)


# ------------------------------------------------------------------ ROI


def test_roi_worked_example_exact():
    # The worked example: 50 mentees x $60,000 x 18% = $540,000; cost $50,000; ROI = (540,000 - 50,000) / 50,000 = 980%
    assert retention_benefit(50, 60_000, 0.18) == 540_000
    r = roi(540_000, 50_000)
    assert r["roi_pct"] == 980.0
    assert r["bcr"] == pytest.approx(10.8)  # hand: 540,000 / 50,000
    t = roi_table(n_mentees=50, replacement_cost=60_000, retention_improvement=0.18,
                  mentor_hours=400, hourly_rate=75, platform_cost=10_000, admin_cost=10_000)
    exp = t.set_index("scenario").loc["expected"]
    assert exp["costs"] == 50_000  # hand: 400 h x $75 + $10,000 + $10,000
    assert exp["benefits"] == 540_000
    assert exp["roi_pct"] == 980.0


def test_roi_two_readings_of_the_worked_example_are_labelled():
    from mentorkit.analysis.roi import RETENTION_READINGS

    common = dict(n_mentees=50, retention_improvement=0.18, mentor_hours=400, hourly_rate=75,
                  platform_cost=10_000, admin_cost=10_000)
    # salary x retention improvement: hand 50 x 60,000 x 0.18 = 540,000; (540,000 - 50,000) / 50,000 = 980%
    sal = roi_table(salary_base=60_000, retention_reading="salary", **common).set_index("scenario").loc["expected"]
    assert (sal["benefit_retention"], sal["roi_pct"]) == (540_000, 980.0)
    assert sal["retention_reading"] == RETENTION_READINGS["salary"]
    # replacement cost per leaver avoided: hand 50 x 0.18 = 9 leavers avoided x $60,000 = 540,000
    rep = roi_table(replacement_cost=60_000, **common).set_index("scenario").loc["expected"]
    assert rep["leavers_avoided"] == pytest.approx(9.0) and rep["benefit_retention"] == 540_000
    assert rep["retention_reading"].startswith("replacement cost per leaver avoided")
    # different inputs give different answers, each under its own label
    both = roi_table(replacement_cost=40_000, salary_base=60_000, retention_reading="replacement", **common)
    assert both.set_index("scenario").loc["expected", "benefit_retention"] == 360_000  # hand: 9 x 40,000
    with pytest.raises(MentorkitError, match="retention_reading must be one of replacement, salary"):
        roi_table(replacement_cost=1, retention_reading="wages", **common)


def test_roi_time_costs_unknown_without_sessions():
    import mentorkit.datasets as ds
    from mentorkit.analysis.roi import program_roi

    data = ds.load("program_sample")
    data.sessions = data.sessions.iloc[0:0]
    t = program_roi(data).set_index("scenario")
    assert t["cost_mentor_time"].isna().all() and t["cost_mentee_time"].isna().all()
    assert t["time_costs"].str.startswith("unknown").all()
    # hand: known costs only = platform + administration + other
    e = t.loc["expected"]
    assert e["costs"] == pytest.approx(e["cost_platform"] + e["cost_admin"] + e["cost_other"])
    t2 = roi_table(n_mentees=10, replacement_cost=1000, retention_improvement=0.1, mentor_hours=5, hourly_rate=10,
                   platform_cost=100, time_costs_known=False).set_index("scenario")
    assert t2.loc["expected", "costs"] == 100 and np.isnan(t2.loc["expected", "cost_mentor_time"])


def test_roi_ranges_are_conservative_low_and_optimistic_high():
    t = roi_table(n_mentees=50, replacement_cost=(40_000, 60_000, 80_000), retention_improvement=(0.05, 0.18, 0.25),
                  mentor_hours=(300, 400, 500), hourly_rate=75, platform_cost=10_000, admin_cost=10_000,
                  salary_base=70_000, salary_growth_gain=(0.0, 0.01, 0.02)).set_index("scenario")
    # hand: low = 50 x 40,000 x 0.05 = 100,000 benefit; cost 500 x 75 + 20,000 = 57,500
    assert t.loc["low", "benefits"] == 100_000 and t.loc["low", "costs"] == 57_500
    assert t.loc["low", "roi_pct"] == pytest.approx((100_000 - 57_500) / 57_500 * 100)
    # hand: high = 50 x 80,000 x 0.25 + 50 x 70,000 x 0.02 = 1,000,000 + 70,000; cost 300 x 75 + 20,000 = 42,500
    assert t.loc["high", "benefits"] == 1_070_000 and t.loc["high", "costs"] == 42_500
    assert t.loc["low", "roi_pct"] < t.loc["expected", "roi_pct"] < t.loc["high", "roi_pct"]


def test_roi_input_errors():
    with pytest.raises(MentorkitError, match="low <= expected <= high"):
        Range.of((3, 2, 4), "x")
    with pytest.raises(MentorkitError, match="costs must be positive"):
        roi(100, 0)
    with pytest.raises(MentorkitError, match="hourly_rate"):
        fully_loaded_costs(10, -5)
