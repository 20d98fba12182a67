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
    out = R.km_medians(t, "m", "e", "g", min_size=5)
    assert out["median"].tolist() == [3.0]
    assert out[["n", "events"]].iloc[0].tolist() == [6, 6]


def test_km_curve_matches_statsmodels_weighted(confounded):
    df = confounded.assign(w=np.random.default_rng(2).integers(1, 4, len(confounded)))
    curve = R.km_curves(df, "t", "e", "g", weights="w", min_size=5)
    part = df[df.g == 1]
    # reference: statsmodels SurvfuncRight with freq_weights (an independent Kaplan-Meier)
    sf = SurvfuncRight(part.t.to_numpy(), part.e.astype(int).to_numpy(), freq_weights=part.w.to_numpy())
    mine = curve[curve.group == 1].set_index("time")["survival"]
    np.testing.assert_allclose(mine.reindex(sf.surv_times).to_numpy(), sf.surv_prob, rtol=1e-10)


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
    w = R.propensity_weights(confounded, "g", ["x"], trim=None)
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
    fit = R.cox_fit(df.t.to_numpy(), df.e.to_numpy(), X)
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
