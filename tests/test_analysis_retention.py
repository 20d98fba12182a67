"""Retention statistics pinned to statsmodels' independent survival code and hand calculations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from mentorkit.analysis import retention as R
from mentorkit.errors import MentorkitError


@pytest.fixture(scope="module")
def confounded():
    """Opting in depends on x; leaving depends on x and (protectively) on the group."""
    rng = np.random.default_rng(1)
    n = 600
    x = rng.normal(size=n)
    z = rng.integers(0, 2, size=n)
    g = (rng.random(n) < 1 / (1 + np.exp(-(1.2 * x - 0.3 * z)))).astype(int)
    t = rng.exponential(1 / np.exp(0.5 * x - 0.4 * g))
    c = rng.uniform(0, 3, n)
    return pd.DataFrame({"t": np.minimum(t, c), "e": t < c, "g": g, "x": x, "z": z,
                         "dept": rng.choice(["ops", "sales", "tech"], size=n)})


def test_km_median_by_hand():
    # hand: six exits at 1..6 -> S(t) = 5/6, 4/6, 3/6, ... ; the median is the first t with S <= 0.5, i.e. 3
    t = pd.DataFrame({"m": [1, 2, 3, 4, 5, 6], "e": [True] * 6, "g": ["a"] * 6})
    out = R.km_medians(t, "m", "e", "g", min_size=4)
    assert out["median"].tolist() == [3.0]
    assert out[["n", "events", "at_risk_median"]].iloc[0].tolist() == [6, 6, 4]  # hand: 3, 4, 5, 6 still at risk at 3
    # with a minimum of 5 the median rests on 4 people: hidden, and said so
    hidden = R.km_medians(t, "m", "e", "g", min_size=5).iloc[0]
    assert pd.isna(hidden["median"]) and hidden["median_status"].startswith("hidden: fewer than 5")


def test_km_curve_matches_statsmodels_weighted(confounded):
    df = confounded.assign(w=np.random.default_rng(2).integers(1, 4, len(confounded)))
    curve = R.km_curves(df, "t", "e", "g", weights="w", min_size=5)
    part = df[df.g == 1]
    # reference: statsmodels SurvfuncRight with freq_weights (an independent Kaplan-Meier)
    sf = SurvfuncRight(part.t.to_numpy(), part.e.astype(int).to_numpy(), freq_weights=part.w.to_numpy())
    mine = curve[curve.group == 1].set_index("time")["survival"]
    ref = pd.Series(sf.surv_prob, index=sf.surv_times)
    shown = ref.reindex(mine.index).dropna()  # statsmodels lists exit times only
    assert len(shown) > 100
    np.testing.assert_allclose(mine.loc[shown.index].to_numpy(), shown.to_numpy(), rtol=1e-10)
    # the curve stops where fewer than 5 people are still at risk (hand count from the data)
    last = mine.index.max()
    assert (part.t >= last).sum() >= 5 and (part.t >= ref.index[ref.index > last].min()).sum() < 5


def test_km_hides_small_groups(confounded):
    df = confounded.copy()
    df.loc[df.index[:3], "g"] = 7  # a group of three people
    assert 7 not in set(R.km_curves(df, "t", "e", "g", min_size=5)["group"])
    med = R.km_medians(df, "t", "e", "g", min_size=5).set_index("group")
    assert bool(med.loc[7, "suppressed"]) and pd.isna(med.loc[7, "median"])


def test_logrank_matches_statsmodels(confounded):
    df = confounded
    stat, p = survdiff(df.t.to_numpy(), df.e.astype(int).to_numpy(), df.g.to_numpy())  # reference: statsmodels survdiff
    r = R.logrank(df, "t", "e", "g")
    assert r["statistic"] == pytest.approx(stat, rel=1e-8)
    assert r["p"] == pytest.approx(p, rel=1e-8)
    stat3, p3 = survdiff(df.t.to_numpy(), df.e.astype(int).to_numpy(), df.dept.to_numpy())
    assert R.logrank(df, "t", "e", "dept")["p"] == pytest.approx(p3, rel=1e-8)


def test_cox_hr_matches_statsmodels_phreg(confounded):
    df = confounded
    out = R.cox_hr(df, "t", "e", "g")
    # reference: statsmodels PHReg (Efron ties), exp(coef) and its Wald interval
    ref = PHReg(df.t, df[["g"]].astype(float), status=df.e.astype(int), ties="efron").fit()
    assert out["hr"].iloc[0] == pytest.approx(float(np.exp(ref.params[0])), rel=1e-6)
    lo, hi = np.exp(ref.conf_int()[0])
    assert (out["ci_low"].iloc[0], out["ci_high"].iloc[0]) == pytest.approx((lo, hi), rel=1e-5)
    assert out["reference"].iloc[0] == 0 and not out["robust"].iloc[0]


def test_cox_three_groups_against_reference(confounded):
    out = R.cox_hr(confounded, "t", "e", "dept", reference="sales")
    assert set(out["group"]) == {"ops", "tech"} and set(out["reference"]) == {"sales"}
    d = pd.get_dummies(confounded.dept, dtype=float)[["ops", "tech"]]
    ref = PHReg(confounded.t, d, status=confounded.e.astype(int), ties="efron").fit()  # reference: statsmodels
    np.testing.assert_allclose(out.set_index("group").loc[["ops", "tech"], "hr"], np.exp(ref.params), rtol=1e-6)


def test_weighted_cox_equals_replicated_rows_and_robust_se(confounded):
    df = confounded.assign(w=np.random.default_rng(4).integers(1, 4, len(confounded)))
    out = R.cox_hr(df, "t", "e", "g", weights="w")
    rep = df.loc[df.index.repeat(df.w)]
    # reference: statsmodels PHReg on the rows replicated w times (integer weights = frequency weights);
    # replication creates ties, which Breslow handling treats exactly as weights
    ref = PHReg(rep.t, rep[["g"]].astype(float), status=rep.e.astype(int), ties="breslow").fit()
    assert out["hr"].iloc[0] == pytest.approx(float(np.exp(ref.params[0])), rel=1e-6)
    assert bool(out["robust"].iloc[0])
    # unit weights: robust (sandwich) SE against statsmodels' cluster-robust PHReg with one cluster per person
    unit = R.cox_hr(confounded.assign(w=1.0), "t", "e", "g", weights="w")
    rob = PHReg(confounded.t, confounded[["g"]].astype(float), status=confounded.e.astype(int),
                ties="efron").fit(groups=np.arange(len(confounded)))
    se_mine = (np.log(unit["ci_high"].iloc[0]) - np.log(unit["ci_low"].iloc[0])) / (2 * 1.959963984540054)
    assert se_mine == pytest.approx(float(rob.bse[0]), rel=0.01)


def test_propensity_matches_sklearn_unpenalised(confounded):
    ps = R.propensity_scores(confounded, "g", ["x", "z"])
    # reference: scikit-learn's logistic regression with no penalty (a different optimiser)
    ref = LogisticRegression(C=np.inf, max_iter=2000, tol=1e-10).fit(confounded[["x", "z"]], confounded.g)
    np.testing.assert_allclose(ps, ref.predict_proba(confounded[["x", "z"]])[:, 1], atol=1e-5)


def test_stabilised_weights_by_hand(confounded):
    w = R.propensity_weights(confounded, "g", ["x"], clip=None)
    e = R.propensity_scores(confounded, "g", ["x"])
    p = confounded.g.mean()
    treated = confounded.g == 1
    # hand: treated p / e, controls (1 - p) / (1 - e)
    np.testing.assert_allclose(w[treated], p / e[treated])
    np.testing.assert_allclose(w[~treated], (1 - p) / (1 - e[~treated]))


def test_balance_table_by_hand():
    t = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "m": [0, 0, 0, 1, 1, 1]})
    out = R.balance_table(t, "m", ["x"], weights=np.array([1, 1, 2, 2, 1, 1.0]))
    # hand: means 5 and 2, variances 1 and 1 -> SMD 3 / 1 = 3
    assert out["smd_before"].iloc[0] == pytest.approx(3.0)
    # hand: weighted means (8+5+6)/4 = 4.75 and (1+2+6)/4 = 2.25
    assert out["mean_treated_w"].iloc[0] == pytest.approx(4.75)
    assert out["mean_control_w"].iloc[0] == pytest.approx(2.25)
    assert bool(out["imbalanced_before"].iloc[0])


def test_ipw_removes_imbalance_and_moves_hr(confounded):
    out = R.compare_retention(confounded, "t", "e", "g", covariates=["x", "z"], min_size=5).set_index("method")
    assert list(out.index) == ["naive", "ipw"]
    assert out.loc["ipw", "max_smd_after"] < R.SMD_THRESHOLD
    bal = R.balance_table(confounded, "g", ["x", "z"], R.propensity_weights(confounded, "g", ["x", "z"]))
    assert bal["imbalanced_before"].any() and not bal["imbalanced_after"].any()
    # the planted conditional HR is exp(-0.4) = 0.67; the naive one is pulled up by x (opt-in and exit both rise with x)
    assert out.loc["naive", "hr"] > out.loc["ipw", "hr"]
    assert "naive" in out.loc["naive", "note"] and "robust" in out.loc["ipw", "note"]


def test_naive_only_is_said_on_the_result(confounded):
    out = R.compare_retention(confounded, "t", "e", "g", min_size=5)
    assert list(out["method"]) == ["naive"]
    assert "only the naive comparison is possible" in out["note"].iloc[0]


def test_clean_survival_table_reports_rejected_rows():
    t = pd.DataFrame({"months": [3, -1, "x", 5, 7], "left": [1, 0, 1, "maybe", "yes"], "g": ["a", "b", "b", "a", None]})
    ok, bad = R.clean_survival_table(t, "months", "left", "g", where="hr.csv")
    assert len(ok) == 1 and ok["left"].dtype == bool
    assert bad["row"].tolist() == [2, 3, 4, 5]
    assert bad["reason"].tolist() == ["'months' is negative", "'months' is not a number",
                                      "'left' is not yes/no or 1/0", "'g' is missing"]
    with pytest.raises(MentorkitError, match=r"hr.csv: missing column\(s\) 'tenure'"):
        R.clean_survival_table(t, "tenure", "left", "g", where="hr.csv")


def test_ipw_needs_two_groups(confounded):
    with pytest.raises(MentorkitError, match="exactly two groups"):
        R.propensity_weights(confounded, "dept", ["x"])


def test_cox_fit_with_ties_and_covariates_matches_statsmodels_breslow(confounded):
    df = confounded.assign(t=np.ceil(confounded.t * 10) / 10)  # heavy ties: 0.1-unit grid
    X = np.column_stack([df.g, df.x, df.z]).astype(float)
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), X, ties="breslow")
    # reference: statsmodels PHReg with Breslow ties
    ref = PHReg(df.t, X, status=df.e.astype(int), ties="breslow").fit()
    np.testing.assert_allclose(fit["beta"], ref.params, rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(fit["cov"])), ref.bse, rtol=1e-6)
    assert fit["converged"]


def test_weighted_robust_se_matches_lifelines(confounded):
    from lifelines import CoxPHFitter

    w = R.propensity_weights(confounded, "g", ["x", "z"])
    df = confounded.assign(w=w)
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), df[["g", "x"]].to_numpy(float), df.w.to_numpy())
    # reference: lifelines CoxPHFitter(weights_col, robust=True); the times have no ties, so Efron = Breslow
    cph = CoxPHFitter().fit(df[["t", "e", "g", "x", "w"]], "t", "e", weights_col="w", robust=True)
    np.testing.assert_allclose(fit["beta"], cph.params_[["g", "x"]], rtol=1e-5)
    np.testing.assert_allclose(np.sqrt(np.diag(fit["cov_robust"])), cph.standard_errors_[["g", "x"]], rtol=1e-4)


@pytest.fixture(scope="module")
def tied(confounded):
    """The confounded table with tenure recorded in whole quarters: many exits share a time."""
    return confounded.assign(t=np.ceil(confounded.t * 4) / 4)


def test_efron_is_the_default_and_matches_lifelines_and_statsmodels(tied):
    from lifelines import CoxPHFitter

    assert tied.t[tied.e].value_counts().max() >= 20  # heavy ties, where the two methods part
    X = tied[["g", "x", "z"]].to_numpy(float)
    efron = R.cox_fit(tied.t.to_numpy(), tied.e.to_numpy(), X)
    assert efron["ties"] == "efron"
    # reference: lifelines CoxPHFitter (Efron ties)
    cph = CoxPHFitter().fit(tied[["t", "e", "g", "x", "z"]], "t", "e")
    np.testing.assert_allclose(efron["beta"], cph.params_[["g", "x", "z"]], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(efron["cov"])), cph.standard_errors_[["g", "x", "z"]], rtol=1e-5)
    for ties in ("efron", "breslow"):
        fit = R.cox_fit(tied.t.to_numpy(), tied.e.to_numpy(), X, ties=ties)
        # reference: statsmodels PHReg(ties=...)
        ref = PHReg(tied.t, X, status=tied.e.astype(int), ties=ties).fit()
        np.testing.assert_allclose(fit["beta"], ref.params, rtol=1e-8)
        np.testing.assert_allclose(np.sqrt(np.diag(fit["cov"])), ref.bse, rtol=1e-7)
        assert fit["loglik"] == pytest.approx(ref.llf, rel=1e-10)
    breslow = R.cox_fit(tied.t.to_numpy(), tied.e.to_numpy(), X, ties="breslow")
    assert abs(efron["beta"][1]) > abs(breslow["beta"][1]) + 0.01  # Breslow pulls towards 0 under ties
    out = R.cox_hr(tied, "t", "e", "g")
    assert out["ties"].iloc[0] == "efron"
    assert R.cox_hr(tied, "t", "e", "g", ties="breslow")["ties"].iloc[0] == "breslow"
    table = R.compare_retention(tied, "t", "e", "g", covariates=["x", "z"], min_size=5)
    assert set(table["ties"]) == {"efron"}
    with pytest.raises(MentorkitError, match="ties must be one of efron, breslow"):
        R.cox_hr(tied, "t", "e", "g", ties="exact")


def test_weighted_efron_matches_lifelines(tied):
    from lifelines import CoxPHFitter

    df = tied.assign(w=np.random.default_rng(5).uniform(0.3, 3, len(tied)))
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), df[["g", "x"]].to_numpy(float), df.w.to_numpy())
    # reference: lifelines CoxPHFitter(weights_col=...) with Efron ties
    cph = CoxPHFitter().fit(df[["t", "e", "g", "x", "w"]], "t", "e", weights_col="w", robust=True)
    np.testing.assert_allclose(fit["beta"], cph.params_[["g", "x"]], rtol=1e-5)


def test_efron_robust_residuals_predict_leaving_one_out(tied):
    # the robust variance is built from the score residuals; under Efron ties each residual times the
    # inverse information (dfbeta) should approximate the exact change in beta when that person is
    # left out (reference: refitting without the row, an exact hand check of the residual formula)
    X = tied[["g", "x"]].to_numpy(float)
    t, e = tied.t.to_numpy(), tied.e.to_numpy()
    fit = R.cox_fit(t, e, X)
    dfbeta = fit["score_residuals"] @ fit["cov"]
    assert np.abs(fit["score_residuals"].sum(axis=0)).max() < 1e-8  # they sum to the score, 0 at the MLE
    for i in [0, 3, 11, 40, 77]:
        keep = np.arange(len(t)) != i
        exact = fit["beta"] - R.cox_fit(t[keep], e[keep], X[keep])["beta"]
        np.testing.assert_allclose(dfbeta[i], exact, rtol=0.05, atol=2e-5)


def test_delayed_entry_matches_lifelines_and_statsmodels(tied):
    from lifelines import CoxPHFitter, KaplanMeierFitter

    rng = np.random.default_rng(6)
    # some entries fall on an exit time: at risk only after entry, (entry, exit], as R and lifelines count
    df = tied.assign(entry=np.round(rng.uniform(0, 0.6, len(tied)) * tied.t * 4) / 4)
    df = df[df.entry < df.t]
    X = df[["g", "x"]].to_numpy(float)
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), X, entry=df.entry.to_numpy())
    # reference: lifelines CoxPHFitter(entry_col=...)
    cph = CoxPHFitter().fit(df[["t", "e", "g", "x", "entry"]], "t", "e", entry_col="entry")
    np.testing.assert_allclose(fit["beta"], cph.params_[["g", "x"]], rtol=1e-5, atol=1e-6)
    # reference: statsmodels PHReg(entry=...), on entries off the exit grid (it counts entry == exit as at risk)
    df = tied.assign(entry=np.round(rng.uniform(0, 0.6, len(tied)) * tied.t, 3) + 0.0005)
    X = df[["g", "x"]].to_numpy(float)
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), X, entry=df.entry.to_numpy())
    ref = PHReg(df.t, X, status=df.e.astype(int), entry=df.entry, ties="efron").fit()
    np.testing.assert_allclose(fit["beta"], ref.params, rtol=1e-8)
    np.testing.assert_allclose(np.sqrt(np.diag(fit["cov"])), ref.bse, rtol=1e-7)
    out = R.cox_hr(df, "t", "e", "g", entry="entry", adjust_for=["x"])
    assert out["hr"].iloc[0] == pytest.approx(float(np.exp(ref.params[0])), rel=1e-8)
    med = R.km_medians(df, "t", "e", "g", entry="entry", min_size=5).set_index("group")
    part = df[df.g == 0]
    # reference: lifelines KaplanMeierFitter(entry=...) median
    kmf = KaplanMeierFitter().fit(part.t, part.e, entry=part.entry)
    assert med.loc[0, "median"] == pytest.approx(kmf.median_survival_time_)
    with pytest.raises(MentorkitError, match="entry time must be before"):
        R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), X, entry=df.t.to_numpy())


def test_ph_test_matches_lifelines(tied):
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    cols = ["g", "x", "z"]
    fit = R.cox_fit(tied.t.to_numpy(), tied.e.to_numpy(), tied[cols].to_numpy(float))
    cph = CoxPHFitter().fit(tied[["t", "e", *cols]], "t", "e")
    for transform in ("km", "identity", "log"):
        mine = R.ph_test(fit, tied.t.to_numpy(), tied.e.to_numpy(), names=cols, transform=transform)
        # reference: lifelines.statistics.proportional_hazard_test(cph, df, time_transform=...)
        ref = proportional_hazard_test(cph, tied[["t", "e", *cols]], time_transform=transform).summary
        np.testing.assert_allclose(mine["statistic"], ref.loc[cols, "test_statistic"], rtol=1e-5)
        np.testing.assert_allclose(mine["p"], ref.loc[cols, "p"], rtol=1e-5)


def test_crossing_hazards_are_flagged_in_plain_words():
    rng = np.random.default_rng(7)
    n = 800
    g = np.repeat([0, 1], n // 2)
    # group 1 leaves early (Weibull shape 0.5), group 0 late (shape 2.5): the hazard ratio flips over time
    t = np.where(g == 1, rng.weibull(0.5, n), rng.weibull(2.5, n))
    df = pd.DataFrame({"t": np.minimum(t, 2.0), "e": t < 2.0, "g": g})
    out = R.retention_analysis(df, "t", "e", "g", min_size=5)
    row = out.table.iloc[0]
    assert row["ph_p"] < 1e-6
    assert "changes over follow-up" in row["note"]
    ph = out.diagnostics[out.diagnostics["check"].str.startswith("proportional hazards")]
    assert not ph["ok"].iloc[0] and "changes over follow-up" in ph["message"].iloc[0]


def test_separated_covariate_is_not_balanced_and_weighting_not_credible(confounded):
    df = confounded.copy()
    df["site"] = np.where(df.g == 1, "hq", df.dept)  # every treated person is at hq, nobody else is
    df["copy_of_group"] = df.g.astype(float)
    bal = R.balance_table(df, "g", ["x", "copy_of_group"])
    row = bal.set_index("covariate").loc["copy_of_group"]
    assert np.isnan(row["smd_before"]) and row["status"] == "separated: one value in each group"
    assert bool(row["imbalanced_before"])  # never reported balanced
    ok, why = R.balance_credible(bal)
    assert not ok and "copy_of_group" in why
    res = R.retention_analysis(df, "t", "e", "g", covariates=["x", "site"], min_size=5)
    ipw = res.table.set_index("method").loc["ipw"]
    assert not ipw["credible"] and "NOT CREDIBLE" in ipw["note"]
    assert any("site=" in s and "treated group" in s for s in res.propensity.separated)
    sep = res.diagnostics.set_index("check").loc["propensity separation"]
    assert not sep["ok"]
    # a covariate with a missing value is not computable, not balanced
    miss = confounded.assign(x=confounded.x.where(confounded.index != 3))
    b2 = R.balance_table(miss, "g", ["x"])
    assert b2["status"].iloc[0].startswith("not computable: 1 missing")


def test_propensity_diagnostics_by_hand(confounded):
    df = confounded.assign(x3=confounded.x * 3)  # strong selection: extreme scores
    pm = R.propensity_model(df, "g", ["x3", "z"], clip=0.05)
    raw = pm.scores
    t = df.g == 1
    # hand: share of scores outside [0.05, 0.95]
    assert pm.share_clipped == pytest.approx(float(((raw < 0.05) | (raw > 0.95)).mean()))
    assert pm.share_clipped > 0
    ov = pm.overlap.set_index("group")
    assert ov.loc[1, "n"] == t.sum() and ov.loc[1, "below_clip"] == int((raw[t] < 0.05).sum())
    assert ov.loc[0, "score_max"] == pytest.approx(raw[~t].max())
    # hand: Kish effective sample size (sum w)^2 / sum w^2 per group
    w = pm.weights
    assert pm.ess[1] == pytest.approx(w[t].sum() ** 2 / (w[t] ** 2).sum())
    assert pm.ess[0] < (~t).sum()
    assert pm.converged and not pm.separated
    # trimming leaves out people outside [0.1, 0.9] (hand count) and the weighted row says so
    res = R.retention_analysis(df, "t", "e", "g", covariates=["x3", "z"], trim=0.1, min_size=5)
    n_out = int(((raw < 0.1) | (raw > 0.9)).sum())
    assert res.propensity.n_trimmed == n_out > 0
    ipw = res.table.set_index("method").loc["ipw"]
    assert ipw["n_group"] + ipw["n_reference"] == len(df) - n_out
    assert f"{n_out} trimmed" in ipw["note"]
    unstab = R.propensity_weights(df, "g", ["x3", "z"], stabilized=False, clip=None)
    assert unstab[t].to_numpy() == pytest.approx(1 / raw[t].to_numpy())  # hand: 1 / e


def test_non_converging_propensity_model_is_reported(confounded):
    df = confounded.copy()
    df["perfect"] = df.g * 10.0 + np.random.default_rng(3).normal(0, 0.1, len(df))  # predicts the group exactly
    res = R.retention_analysis(df, "t", "e", "g", covariates=["x", "perfect"], min_size=5)
    pm = res.propensity
    assert (not pm.converged) or pm.separated
    ipw = res.table.set_index("method").loc["ipw"]
    assert not ipw["credible"] and "WARNING" in ipw["note"]


def test_missing_confounder_is_refused_with_column_and_row(confounded):
    df = confounded.assign(x=confounded.x.where(confounded.index != 7))
    with pytest.raises(MentorkitError, match=r"covariate 'x' is missing for 1 of 600 row\(s\) \(data rows 8\)"):
        R.compare_retention(df, "t", "e", "g", covariates=["x", "z"], min_size=5)


def test_program_retention_is_complete_case_and_keeps_the_confounder():
    import mentorkit.datasets as ds

    data = ds.load("program_sample")
    full = R.program_retention_analysis(data)
    parts = data.participants.copy()
    followed = data.outcomes["participant_id"].iloc[0]
    parts.loc[parts.participant_id == followed, "tenure_years"] = np.nan
    data.participants = parts
    res = R.program_retention_analysis(data)
    frame, cov = R.retention_frame(data)
    assert cov == ["prior_engagement", "log_tenure_years"]  # the confounder stays in the model
    left = res.diagnostics[res.diagnostics["check"] == "rows left out"]
    assert left["value"].tolist() == [1] and "tenure_years" in left["message"].iloc[0]
    naive = res.table.set_index("method").loc["naive"]

    assert naive["n_group"] + naive["n_reference"] == full.table.iloc[0][["n_group", "n_reference"]].sum() - 1
    assert "complete-case: 1 of" in naive["note"]


def test_median_not_reached_is_said():
    t = pd.DataFrame({"m": np.arange(1, 21, dtype=float), "e": [True] * 3 + [False] * 17, "g": ["a"] * 20})
    med = R.km_medians(t, "m", "e", "g", min_size=5).iloc[0]
    assert np.isinf(med["median"]) and med["median_status"] == "not reached"
