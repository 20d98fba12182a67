"""On simulated programs the analyses recover the effects planted in truth.json (several seeds)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis import analyze
from mentorkit.analysis.outcomes import confidence_effect
from mentorkit.analysis.power import analytic_power, power_curve, power_from_pool, required_n
from mentorkit.analysis.retention import balance_table, program_retention, propensity_weights, retention_frame
from mentorkit.program import simulate

SEEDS = range(6)


@pytest.fixture(scope="module")
def programs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {seed: simulate(mentees=1000, seed=seed) for seed in SEEDS}


def test_weighted_hazard_ratio_covers_the_truth_while_naive_is_biased(programs):
    covered, naive_excludes = 0, 0
    for seed, data in programs.items():
        truth = data.truth["retention_hazard_ratio"]
        r = program_retention(data).set_index("method")
        ipw, naive = r.loc["ipw"], r.loc["naive"]
        covered += ipw["ci_low"] <= truth <= ipw["ci_high"]
        naive_excludes += not (naive["ci_low"] <= truth <= naive["ci_high"])
        # truth.json: mentees were more engaged, so even unmentored they would leave less; the naive
        # comparison credits that to mentoring and lands below the true hazard ratio
        assert naive["hr"] < ipw["hr"], seed
        assert ipw["max_smd_after"] < 0.1, seed
    assert covered >= len(SEEDS) - 1, f"weighted HR CI covered the truth in {covered} of {len(SEEDS)} seeds"
    assert naive_excludes >= len(SEEDS) - 1, f"naive CI excluded the truth in only {naive_excludes} seeds"


def test_balance_improves_on_the_planted_confounders(programs):
    data = programs[0]
    frame, cov = retention_frame(data)
    assert cov == ["prior_engagement", "log_tenure_years"]
    bal = balance_table(frame, "mentored", cov, propensity_weights(frame, "mentored", cov, treated=True), treated=True)
    # truth.json: opting in rises with prior engagement, so the unweighted groups differ on it
    gap = data.truth["selection"]["mean_prior_engagement"]
    assert gap["mentee"] > gap["comparison"]
    row = bal.set_index("covariate").loc["prior_engagement"]
    assert row["imbalanced_before"] and not row["imbalanced_after"]


def test_confidence_effect_recovered_and_naive_overstates(programs):
    covered = 0
    for seed, data in programs.items():
        truth = data.truth["confidence_effect_d"]
        eff = confidence_effect(data).set_index("skill").loc["all"]
        covered += eff["d_ci_low"] <= truth <= eff["d_ci_high"]
        # truth.json names the naive bias: engagement raises growth and mentees are more engaged
        bias = data.truth["naive_bias"]["confidence_change_bias_sd"]
        assert bias > 0
        assert eff["d_naive"] > eff["d_ci_high"], seed
    assert covered >= len(SEEDS) - 2, f"confidence d CI covered the truth in {covered} of {len(SEEDS)} seeds"


def test_analyze_runs_on_a_simulated_program(programs):
    out = analyze(programs[1])
    assert list(out) == ["engagement", "prepost", "reliability", "retention", "retention_medians",
                         "retention_diagnostics", "balance", "overlap", "roi", "equity", "equity_table", "skipped"]
    assert out.pop("skipped").empty
    diag = out["retention_diagnostics"].set_index("check")
    assert diag.loc["ties", "value"] == "efron" and bool(diag.loc["propensity converged", "ok"])
    assert (out["retention_medians"]["at_risk_median"].dropna() >= 5).all()
    assert all(isinstance(v, pd.DataFrame) and len(v) for v in out.values())
    # truth.json: attendance_rate is the share of planned sessions attended in the simulated data
    eng = out["engagement"].set_index("group_by").loc["all"]
    assert eng["attendance_rate"] == pytest.approx(programs[1].truth["attendance_rate"])
    rel = out["reliability"]
    assert set(rel["scale"]) == {"career", "psychosocial", "rolemodel"}
    assert (rel["alpha"] > 0.6).all()  # three items built from one factor each must hang together
    roi = out["roi"].set_index("scenario")
    assert roi.loc["low", "roi_pct"] <= roi.loc["expected", "roi_pct"] <= roi.loc["high", "roi_pct"]


def test_analytic_power_matches_statsmodels():
    from statsmodels.stats.power import TTestIndPower

    for es, n, m in [(0.5, 64, 64), (0.3, 40, 80), (1.2, 10, 10)]:
        # reference: statsmodels TTestIndPower (two-sided, two-sample t-test)
        ref = TTestIndPower().power(effect_size=es, nobs1=n, ratio=m / n, alpha=0.05)
        assert analytic_power(es, n, m) == pytest.approx(ref, abs=1e-6)


def test_paired_power_matches_statsmodels():
    from statsmodels.stats.power import TTestPower

    from mentorkit.analysis.power import paired_power, paired_required_n

    for es, n in [(0.5, 34), (0.2, 200), (1.1, 8), (-0.4, 50)]:
        # reference: statsmodels TTestPower (paired / one-sample t-test, two-sided)
        ref = TTestPower().power(effect_size=es, nobs=n, alpha=0.05)
        assert paired_power(es, n) == pytest.approx(ref, abs=1e-8)
    ref = TTestPower().power(effect_size=0.3, nobs=40, alpha=0.05, alternative="larger")
    assert paired_power(0.3, 40, alternative="larger") == pytest.approx(ref, abs=1e-8)
    # reference: statsmodels TTestPower.solve_power, rounded up to whole people
    for es in (0.5, 0.25):
        ref_n = TTestPower().solve_power(effect_size=es, power=0.8, alpha=0.05)
        assert paired_required_n(es) == int(np.ceil(ref_n))


def test_power_curve_states_effect_sizes_in_conventional_units():
    from mentorkit.analysis.power import effect_pool

    data = simulate(mentees=2000, comparison=2000, seed=3, confidence_effect_d=0.5)
    pool, cov = effect_pool(data)
    curve = power_from_pool(pool, [20], covariates=cov, n_sims=20)
    # hand: the adjusted effect (OLS of change on mentored + confounders) over the pooled pre-wave SD
    X = np.column_stack([np.ones(len(pool)), pool.mentored.astype(float)] + [pool[c] for c in cov])
    beta = np.linalg.lstsq(X, pool.change.to_numpy(), rcond=None)[0]
    pre = pool.pre.to_numpy()
    t = pool.mentored.to_numpy()
    sd_pre = np.sqrt((pre[t].var(ddof=1) + pre[~t].var(ddof=1)) / 2)
    assert curve["d_pre"].iloc[0] == pytest.approx(beta[1] / sd_pre, rel=1e-9)
    # change scores vary far less than levels: the test-scale effect dwarfs the conventional one
    assert curve["effect_size"].iloc[0] > 2 * curve["d_pre"].iloc[0]


def test_simulated_power_agrees_with_statsmodels_on_a_textbook_pool():
    from statsmodels.stats.power import TTestIndPower

    rng = np.random.default_rng(11)
    mentored = np.repeat([True, False], 5000)
    pool = pd.DataFrame({"mentored": mentored, "change": rng.normal(0, 1, 10_000) + 0.4 * mentored})
    curve = power_from_pool(pool, [20, 50, 100], n_sims=500, seed=2)
    # reference: statsmodels TTestIndPower at the pool's effect size; Monte Carlo SE <= 0.023 at 500 draws
    ref = [TTestIndPower().power(effect_size=curve["effect_size"].iloc[0], nobs1=n, ratio=1, alpha=0.05)
           for n in (20, 50, 100)]
    np.testing.assert_allclose(curve["power"], ref, atol=0.07)


def test_power_curve_with_the_simulator():
    calls = []

    def sim(**kwargs):
        calls.append((kwargs["mentees"], kwargs["confidence_effect_d"]))
        return simulate(**kwargs)

    curve = power_curve([0.1, 0.3], [10, 30, 60], n_sims=150, simulate=sim)
    assert calls == [(2000, 0.1), (2000, 0.3)]
    by_effect = curve.pivot(index="n", columns="effect_d", values="power")
    assert (by_effect[0.3] >= by_effect[0.1] - 0.05).all()  # a bigger planted effect is easier to detect
    assert by_effect[0.3].is_monotonic_increasing
    need = required_n(curve).set_index("effect_d")["n_required"]
    assert np.isnan(need.loc[0.1]) or need.loc[0.1] >= need.loc[0.3]
    # required n is where the reported curve crosses 0.8
    n03 = need.loc[0.3]
    if np.isfinite(n03) and n03 > 10:
        below = curve[(curve.effect_d == 0.3) & (curve.n < n03)]["power"]
        assert (below < 0.8).all()
