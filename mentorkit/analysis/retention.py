"""Retention: Kaplan-Meier curves, log-rank test, Cox hazard ratios, propensity weighting.

Works on any table with one row per person, a time-to-exit (or time-to-censoring) column, an
exit indicator and a group column, so HR extracts can be analysed without the program data
model. :func:`compare_retention` gives the naive comparison and, when covariates are given,
the propensity-weighted one side by side, with a note on each row saying what it can and
cannot support.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mentorkit.analysis._common import min_group_size, require_columns, suppress
from mentorkit.errors import MentorkitError

__all__ = [
    "clean_survival_table", "km_curves", "km_medians", "logrank", "cox_fit", "cox_hr", "propensity_scores",
    "propensity_weights", "balance_table", "compare_retention", "retention_frame", "program_retention",
    "SMD_THRESHOLD", "DEFAULT_CONFOUNDERS", "LOG_SCALE",
]

#: Standardised mean differences above this are flagged as imbalanced (Austin 2009).
SMD_THRESHOLD = 0.1


def clean_survival_table(df: pd.DataFrame, duration: str, event: str, group: str,
                         covariates: Sequence[str] = (), *, where: str = "table"
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check a survival table and split it into usable rows and rejected rows.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    duration, event, group : str
        Column names: time under observation (non-negative number), exit indicator
        (yes/no, 1/0, true/false) and the group compared.
    covariates : list of str
        Columns needed for propensity weighting; rows missing one are rejected.
    where : str
        Name of the input used in error messages (a file name for the CLI).

    Returns
    -------
    (clean, rejected) : tuple of DataFrame
        *clean* has the duration as float and the event as bool; *rejected* keeps the
        original rows that could not be used with a ``row`` (1-based data row) and a
        ``reason`` column. Nothing is dropped silently.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"months": [3, -1, 12], "left": [1, 0, 0], "g": ["a", "b", "b"]})
    >>> ok, bad = clean_survival_table(t, "months", "left", "g")
    >>> len(ok), bad["reason"].tolist()
    (2, ["'months' is negative"])
    """
    require_columns(df, [duration, event, group, *covariates], where)
    reasons = pd.Series("", index=df.index, dtype=object)

    def flag(mask: pd.Series, text: str) -> None:
        hit = mask & (reasons == "")
        reasons[hit] = text

    dur = pd.to_numeric(df[duration], errors="coerce")
    flag(df[duration].isna(), f"{duration!r} is missing")
    flag(dur.isna(), f"{duration!r} is not a number")
    flag(dur < 0, f"{duration!r} is negative")
    ev_text = df[event].astype("string").str.strip().str.lower()
    mapping = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False,
               "1.0": True, "0.0": False, "y": True, "n": False}
    ev = df[event] if df[event].dtype == bool else ev_text.map(mapping)
    flag(df[event].isna(), f"{event!r} is missing")
    flag(pd.Series(ev, index=df.index).isna(), f"{event!r} is not yes/no or 1/0")
    flag(df[group].isna(), f"{group!r} is missing")
    for c in covariates:
        flag(df[c].isna(), f"covariate {c!r} is missing")
    bad = reasons != ""
    rejected = df[bad].copy()
    rejected.insert(0, "reason", reasons[bad])
    rejected.insert(0, "row", np.flatnonzero(bad.to_numpy()) + 1)
    clean = df[~bad].copy()
    clean[duration] = dur[~bad].astype(float)
    clean[event] = pd.Series(ev, index=df.index)[~bad].astype(bool)
    return clean, rejected


def _levels(df: pd.DataFrame, group: str, reference=None) -> list:
    levels = sorted(df[group].dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise MentorkitError(f"column {group!r} needs at least two groups to compare, found {levels}")
    if reference is not None:
        if reference not in levels:
            raise MentorkitError(f"reference group {reference!r} is not a value of column {group!r} (values: {levels})")
        levels.remove(reference)
        levels.insert(0, reference)
    return levels


def km_curves(df: pd.DataFrame, duration: str, event: str, group: str, *,
              weights: str | None = None, min_size: int | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival curves, one block of rows per group.

    Groups the privacy layer suppresses (smaller than the minimum group size, plus any
    complementary cells) are left out, so no curve can reveal an individual's exit.

    Returns
    -------
    DataFrame
        ``group, time, at_risk, survival, ci_low, ci_high`` (95% pointwise band, lifelines'
        exponential Greenwood interval).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "e": [1, 0] * 5, "g": ["x"] * 10})
    >>> bool(km_curves(t, "m", "e", "g")["survival"].iloc[-1] < 1)
    True
    """
    from lifelines import KaplanMeierFitter

    counts = df.groupby(group, sort=True).size().rename("n").reset_index()
    shown = suppress(counts, "n", by=[group], min_size=min_size)
    hidden = set(shown.loc[shown["suppressed"], group])
    frames = []
    for level, part in df.groupby(group, sort=True):
        if level in hidden:
            continue
        kmf = KaplanMeierFitter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf.fit(part[duration], part[event].astype(bool),
                    weights=None if weights is None else part[weights], label="s")
        sf = kmf.survival_function_["s"]
        ci = kmf.confidence_interval_
        frames.append(pd.DataFrame({
            "group": level, "time": sf.index.to_numpy(dtype=float),
            "at_risk": kmf.event_table["at_risk"].reindex(sf.index).to_numpy(dtype=float),
            "survival": sf.to_numpy(), "ci_low": ci.iloc[:, 0].to_numpy(), "ci_high": ci.iloc[:, 1].to_numpy(),
        }))
    if not frames:
        return pd.DataFrame(columns=["group", "time", "at_risk", "survival", "ci_low", "ci_high"])
    return pd.concat(frames, ignore_index=True)


def _first_time_at_or_below(times: np.ndarray, curve: np.ndarray, q: float = 0.5) -> float:
    """Smallest time at which a step curve is at or below *q* (``inf`` if it never is).

    A tolerance of 1e-9 keeps a curve that is exactly one half by hand (e.g. 5/6 · 4/5 · 3/4)
    from missing the mark through floating-point rounding.
    """
    hit = np.flatnonzero(curve <= q + 1e-9)
    return float(times[hit[0]]) if len(hit) else float("inf")


def km_medians(df: pd.DataFrame, duration: str, event: str, group: str, *,
               weights: str | None = None, min_size: int | None = None) -> pd.DataFrame:
    """Median time to exit per group from Kaplan-Meier, with its 95% interval.

    The median is the smallest time at which the Kaplan-Meier curve is at or below one half,
    ``inf`` when fewer than half the group left during follow-up; its interval takes the
    same crossing of the pointwise 95% band (Brookmeyer-Crowley style). Groups smaller than
    the minimum group size are suppressed.

    Returns
    -------
    DataFrame
        ``group, n, events, median, ci_low, ci_high, suppressed``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 4, 5, 6], "e": [1] * 6, "g": ["x"] * 6})
    >>> km_medians(t, "m", "e", "g", min_size=5)["median"].tolist()
    [3.0]
    """
    from lifelines import KaplanMeierFitter

    rows = []
    for level, part in df.groupby(group, sort=True):
        kmf = KaplanMeierFitter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf.fit(part[duration], part[event].astype(bool),
                    weights=None if weights is None else part[weights], label="s")
        times = kmf.survival_function_.index.to_numpy(dtype=float)
        ci = kmf.confidence_interval_
        rows.append({"group": level, "n": int(len(part)), "events": int(part[event].astype(bool).sum()),
                     "median": _first_time_at_or_below(times, kmf.survival_function_["s"].to_numpy()),
                     "ci_low": _first_time_at_or_below(times, ci.iloc[:, 0].to_numpy()),
                     "ci_high": _first_time_at_or_below(times, ci.iloc[:, 1].to_numpy())})
    out = pd.DataFrame(rows, columns=["group", "n", "events", "median", "ci_low", "ci_high"])
    return suppress(out, "n", by=["group"], min_size=min_size)


def logrank(df: pd.DataFrame, duration: str, event: str, group: str) -> dict:
    """Log-rank test of equal survival across the groups (two or more).

    Returns
    -------
    dict
        ``statistic`` (chi-square), ``dof`` and ``p``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 8, 9, 10], "e": [1] * 6, "g": list("aaabbb")})
    >>> round(logrank(t, "m", "e", "g")["p"], 3)
    0.025
    """
    from lifelines.statistics import multivariate_logrank_test

    res = multivariate_logrank_test(df[duration], df[group], df[event].astype(bool))
    return {"statistic": float(res.test_statistic), "dof": int(res.degrees_of_freedom), "p": float(res.p_value)}


def _design(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Numeric design matrix: numbers and booleans as they are, other columns one-hot (first level dropped)."""
    parts = []
    for c in columns:
        s = df[c]
        if s.dtype == bool or str(s.dtype) == "boolean":
            parts.append(s.astype(float).rename(c))
        elif pd.api.types.is_numeric_dtype(s):
            parts.append(s.astype(float).rename(c))
        else:
            dummies = pd.get_dummies(s.astype(str), prefix=c, prefix_sep="=", drop_first=True, dtype=float)
            parts.append(dummies)
    if not parts:
        return pd.DataFrame(index=df.index)
    return pd.concat(parts, axis=1)


def cox_fit(time: np.ndarray, event: np.ndarray, X: np.ndarray, weights: np.ndarray | None = None, *,
            max_iter: int = 50, tol: float = 1e-10) -> dict:
    """Fit a Cox proportional hazards model (Breslow ties) by Newton-Raphson.

    Written for speed on large programs: every sum over a risk set is a cumulative sum over
    the rows sorted by time, so a fit costs O(n log n) and the robust variance O(n p²).

    Parameters
    ----------
    time, event : array
        Follow-up time and exit indicator per person.
    X : array (n × p)
        Covariates.
    weights : array, optional
        Case weights (e.g. inverse probability weights); integer weights give the same
        coefficients as repeating each row that many times.

    Returns
    -------
    dict
        ``beta`` (p), ``cov`` (the inverse information, model-based), ``cov_robust`` (the
        Lin-Wei sandwich ``I⁻¹ (Σ wᵢ² Lᵢ Lᵢᵀ) I⁻¹`` from the score residuals ``Lᵢ``),
        ``loglik`` and ``converged``.

    Examples
    --------
    >>> import numpy as np
    >>> r = cox_fit(np.array([1., 2, 3, 4, 5, 6]), np.ones(6, bool), np.array([[1.], [0], [1], [0], [0], [1]]))
    >>> r["beta"].shape, bool(r["converged"])
    ((1,), True)
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    X = np.asarray(X, dtype=float).reshape(len(t), -1)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float)
    n, p = X.shape
    order = np.argsort(-t, kind="stable")          # descending time: cumsum = sum over the risk set
    t_s, e_s, X_s, w_s = t[order], e[order], X[order], w[order]
    # last row of each block of equal times (descending), so ties share one risk set
    last = np.r_[t_s[1:] != t_s[:-1], True]
    block_end = np.flatnonzero(last)
    block_of = np.repeat(np.arange(len(block_end)), np.diff(np.r_[-1, block_end]))
    ev_w = np.where(e_s, w_s, 0.0)
    d = np.add.reduceat(ev_w, np.r_[0, block_end[:-1] + 1])            # weighted events per time
    xd = np.add.reduceat(ev_w[:, None] * X_s, np.r_[0, block_end[:-1] + 1], axis=0)
    has_ev = d > 0

    def parts(beta):
        eta = X_s @ beta
        shift = eta.max()
        r = w_s * np.exp(eta - shift)
        s0 = np.cumsum(r)[block_end]
        s1 = np.cumsum(r[:, None] * X_s, axis=0)[block_end]
        s2 = np.cumsum(r[:, None, None] * X_s[:, :, None] * X_s[:, None, :], axis=0)[block_end]
        return eta, shift, s0, s1, s2

    beta = np.zeros(p)
    converged = False
    loglik = -np.inf
    for _ in range(max_iter):
        eta, shift, s0, s1, s2 = parts(beta)
        xbar = s1[has_ev] / s0[has_ev, None]
        ll = float(np.sum(ev_w * eta) - np.sum(d[has_ev] * (np.log(s0[has_ev]) + shift)))
        score = xd[has_ev].sum(axis=0) - (d[has_ev, None] * xbar).sum(axis=0)
        info = np.einsum("j,jab->ab", d[has_ev], s2[has_ev] / s0[has_ev, None, None]) \
            - np.einsum("j,ja,jb->ab", d[has_ev], xbar, xbar)
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            step = np.linalg.pinv(info) @ score
        if ll < loglik - 1e-12:        # overshoot: halve the last step
            beta = beta - step_prev / 2
            step_prev = step_prev / 2
            continue
        loglik = ll
        beta = beta + step
        step_prev = step
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    eta, shift, s0, s1, s2 = parts(beta)
    xbar_all = s1 / s0[:, None]
    info = np.einsum("j,jab->ab", d[has_ev], s2[has_ev] / s0[has_ev, None, None]) \
        - np.einsum("j,ja,jb->ab", d[has_ev], xbar_all[has_ev], xbar_all[has_ev])
    cov = np.linalg.pinv(info)
    # score residuals: L_i = e_i (x_i - xbar(t_i)) - exp(eta_i) * sum_{t_j <= t_i} d_j / S0_j (x_i - xbar_j)
    risk = np.exp(eta - shift)
    inc0 = np.where(has_ev, d / s0, 0.0)                               # per block (descending time)
    inc1 = inc0[:, None] * xbar_all
    cum0 = np.cumsum(inc0[::-1])[::-1]                                 # sum over times <= this block's time
    cum1 = np.cumsum(inc1[::-1], axis=0)[::-1]
    b = block_of
    resid = np.where(e_s[:, None], X_s - xbar_all[b], 0.0) - risk[:, None] * (X_s * cum0[b, None] - cum1[b])
    wl = w_s[:, None] * resid
    meat = wl.T @ wl
    cov_robust = cov @ meat @ cov
    return {"beta": beta, "cov": cov, "cov_robust": cov_robust, "loglik": loglik, "converged": converged}


def cox_hr(df: pd.DataFrame, duration: str, event: str, group: str, *, reference=None,
           weights: str | None = None, adjust_for: Sequence[str] = (), confidence: float = 0.95) -> pd.DataFrame:
    """Hazard ratio of each group against the reference group from a Cox model.

    Fitted by :func:`cox_fit` (Breslow handling of tied times; with few ties per time, as in
    program data, it agrees with Efron's to a few decimals).

    Parameters
    ----------
    weights : str, optional
        A column of case weights (for example inverse probability weights). With weights the
        model uses robust (sandwich) standard errors, as weighted Cox models need.
    adjust_for : list of str
        Covariates added to the model (a conditional hazard ratio).

    Returns
    -------
    DataFrame
        ``group, reference, hr, ci_low, ci_high, p, robust``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 8, 9, 10, 4, 7], "e": [1] * 8, "g": list("abaabbaa")})
    >>> bool(cox_hr(t, "m", "e", "g")["hr"].iloc[0] < 1)
    True
    """
    from scipy import stats

    levels = _levels(df, group, reference)
    ref, others = levels[0], levels[1:]
    X = pd.DataFrame({f"_g_{i}": (df[group] == lv).astype(float) for i, lv in enumerate(others)}, index=df.index)
    X = pd.concat([X, _design(df, adjust_for)], axis=1)
    robust = weights is not None
    fit = cox_fit(df[duration].to_numpy(float), df[event].to_numpy(bool), X.to_numpy(float),
                  None if weights is None else df[weights].to_numpy(float))
    cov = fit["cov_robust"] if robust else fit["cov"]
    z = stats.norm.ppf(0.5 + confidence / 2)
    rows = []
    for i, lv in enumerate(others):
        b, se = float(fit["beta"][i]), float(np.sqrt(max(cov[i, i], 0.0)))
        with np.errstate(over="ignore"):
            rows.append({"group": lv, "reference": ref, "hr": float(np.exp(b)),
                         "ci_low": float(np.exp(b - z * se)), "ci_high": float(np.exp(b + z * se)),
                         "p": float(2 * stats.norm.sf(abs(b / se))) if se > 0 else np.nan, "robust": robust})
    return pd.DataFrame(rows, columns=["group", "reference", "hr", "ci_low", "ci_high", "p", "robust"])


def _binary_treatment(df: pd.DataFrame, group: str, treated) -> pd.Series:
    levels = sorted(df[group].dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) != 2:
        raise MentorkitError(f"propensity weighting needs exactly two groups in column {group!r}, found {len(levels)}: {levels[:6]}")
    if treated is None:
        treated = True if True in levels else levels[1]
    if treated not in levels:
        raise MentorkitError(f"treated group {treated!r} is not a value of column {group!r} (values: {levels})")
    return (df[group] == treated).astype(int)


def propensity_scores(df: pd.DataFrame, group: str, covariates: Sequence[str], *, treated=None) -> pd.Series:
    """Probability of being in the treated group given the covariates (logistic regression).

    Fitted with ``statsmodels.api.Logit`` on the covariates (categorical ones one-hot
    encoded) plus an intercept.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0, 1, 2, 3, 4, 5, 6, 7], "m": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> ps = propensity_scores(t, "m", ["x"])
    >>> bool(ps.iloc[-1] > ps.iloc[0])
    True
    """
    import statsmodels.api as sm

    if not covariates:
        raise MentorkitError("propensity weighting needs at least one covariate")
    y = _binary_treatment(df, group, treated)
    X = sm.add_constant(_design(df, covariates), has_constant="add")
    const = [c for c in X.columns if c != "const" and X[c].std() == 0]
    if const:
        raise MentorkitError(f"covariate column(s) {const} have the same value for everyone; leave them out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.Logit(y.to_numpy(), X.to_numpy()).fit(disp=0, maxiter=200)
        except Exception as exc:  # perfect separation or a singular design
            raise MentorkitError(f"the propensity model could not be fitted ({type(exc).__name__}: {exc}); "
                                 "check the covariates for columns that predict the group perfectly") from None
    return pd.Series(fit.predict(X.to_numpy()), index=df.index, name="propensity")


def propensity_weights(df: pd.DataFrame, group: str, covariates: Sequence[str], *, treated=None,
                       stabilized: bool = True, trim: float | None = 0.01) -> pd.Series:
    """Inverse probability of treatment weights (average treatment effect).

    ``w = T / e + (1 - T) / (1 - e)`` with ``e`` the propensity score; stabilised weights
    multiply by the share treated (or untreated), keeping the weighted sample the size of
    the real one. Scores are clipped to ``[trim, 1 - trim]`` first so a handful of people
    cannot dominate.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0, 1, 2, 3, 4, 5, 6, 7], "m": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> round(float(propensity_weights(t, "m", ["x"]).sum()), 0)
    8.0
    """
    t = _binary_treatment(df, group, treated)
    e = propensity_scores(df, group, covariates, treated=treated)
    if trim:
        e = e.clip(trim, 1 - trim)
    p = t.mean() if stabilized else 1.0
    w = np.where(t == 1, p / e, (1 - p if stabilized else 1.0) / (1 - e))
    return pd.Series(w, index=df.index, name="ipw")


def _wstats(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    m = np.sum(w * x) / np.sum(w)
    v = np.sum(w * (x - m) ** 2) / np.sum(w)
    # reliability-weights correction so unit weights give the usual ddof=1 variance
    v *= np.sum(w) ** 2 / (np.sum(w) ** 2 - np.sum(w ** 2)) if np.sum(w) ** 2 > np.sum(w ** 2) else np.nan
    return m, v


def balance_table(df: pd.DataFrame, group: str, covariates: Sequence[str], weights: pd.Series | str | None = None,
                  *, treated=None, threshold: float = SMD_THRESHOLD) -> pd.DataFrame:
    """Standardised mean differences of each covariate between the groups, before and after weighting.

    ``SMD = (mean_treated - mean_control) / sqrt((var_treated + var_control) / 2)``, with
    weighted means and variances after weighting (Austin & Stuart 2015). Categorical
    covariates are shown one row per level (except the first).

    Returns
    -------
    DataFrame
        ``covariate, mean_treated, mean_control, smd_before, mean_treated_w, mean_control_w,
        smd_after, imbalanced_before, imbalanced_after`` (``|SMD| > threshold``).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "m": [0, 0, 0, 1, 1, 1]})
    >>> float(balance_table(t, "m", ["x"])["smd_before"].iloc[0])
    3.0
    """
    t = _binary_treatment(df, group, treated).to_numpy() == 1
    X = _design(df, covariates)
    if isinstance(weights, str):
        w = df[weights].to_numpy(dtype=float)
    elif weights is None:
        w = np.ones(len(df))
    else:
        w = np.asarray(weights, dtype=float)
    rows = []
    for c in X.columns:
        x = X[c].to_numpy(dtype=float)
        m1, v1 = x[t].mean(), x[t].var(ddof=1)
        m0, v0 = x[~t].mean(), x[~t].var(ddof=1)
        sd = np.sqrt((v1 + v0) / 2)
        wm1, wv1 = _wstats(x[t], w[t])
        wm0, wv0 = _wstats(x[~t], w[~t])
        wsd = np.sqrt((wv1 + wv0) / 2)
        before = (m1 - m0) / sd if sd > 0 else 0.0
        after = (wm1 - wm0) / wsd if wsd > 0 else 0.0
        rows.append({"covariate": c, "mean_treated": m1, "mean_control": m0, "smd_before": before,
                     "mean_treated_w": wm1, "mean_control_w": wm0, "smd_after": after,
                     "imbalanced_before": bool(abs(before) > threshold),
                     "imbalanced_after": bool(abs(after) > threshold)})
    return pd.DataFrame(rows)


RETENTION_COLUMNS = ["method", "group", "reference", "n_group", "n_reference", "events_group",
                     "events_reference", "median_group", "median_reference", "hr", "ci_low", "ci_high",
                     "p_cox", "p_logrank", "max_smd_after", "note"]


def compare_retention(df: pd.DataFrame, duration: str, event: str, group: str, *,
                      covariates: Sequence[str] = (), reference=None, treated=None,
                      trim: float | None = 0.01, min_size: int | None = None) -> pd.DataFrame:
    """Retention of each group against the reference: naive, and propensity-weighted when possible.

    Parameters
    ----------
    df : DataFrame
        Already checked with :func:`clean_survival_table` (durations numeric, events bool).
    covariates : list of str
        Things that drive both opting in and leaving (tenure, prior engagement, ...). With
        covariates and two groups, a second row gives the inverse-probability-weighted
        comparison (weighted Kaplan-Meier medians, weighted Cox model with robust errors).
        Without them only the naive comparison is possible and its note says so.

    Returns
    -------
    DataFrame
        One row per method and compared group with the columns ``RETENTION_COLUMNS``:
        medians (KM), hazard ratio with CI, Cox p (robust for the weighted row), log-rank p
        (naive row only: the log-rank test has no case-weighted form here), the largest
        absolute SMD left after weighting and a plain-language ``note``. Groups below the
        minimum group size are suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 8, 9, 10, 4, 7, 5, 6, 11, 12],
    ...                   "e": [1] * 12, "g": list("abaabbaabbab")})
    >>> compare_retention(t, "m", "e", "g", min_size=1)["method"].tolist()
    ['naive']
    """
    size = min_group_size() if min_size is None else int(min_size)
    levels = _levels(df, group, reference)
    ref = levels[0]
    d = df.copy()
    d[event] = d[event].astype(bool)
    counts = d.groupby(group)[event].agg(["size", "sum"])
    small = [lv for lv in levels if counts.loc[lv, "size"] < size]
    med = km_medians(d, duration, event, group, min_size=size).set_index("group")
    lr = logrank(d, duration, event, group) if not small else {"p": np.nan}
    hr = cox_hr(d, duration, event, group, reference=ref) if not small else None
    rows = []
    naive_note = ("naive comparison: groups differ in who opted in, so this difference mixes the "
                  "program's effect with selection")
    if not covariates:
        naive_note += "; no covariates were given, so only the naive comparison is possible"
    elif len(levels) != 2:
        naive_note += "; propensity weighting needs exactly two groups, so only the naive comparison is possible"
    for i, lv in enumerate(levels[1:]):
        r = {"method": "naive", "group": lv, "reference": ref,
             "n_group": int(counts.loc[lv, "size"]), "n_reference": int(counts.loc[ref, "size"]),
             "events_group": int(counts.loc[lv, "sum"]), "events_reference": int(counts.loc[ref, "sum"]),
             "median_group": med.loc[lv, "median"], "median_reference": med.loc[ref, "median"],
             "hr": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_cox": np.nan, "p_logrank": lr["p"],
             "max_smd_after": np.nan, "note": naive_note}
        if hr is not None:
            h = hr.iloc[i]
            r.update(hr=h["hr"], ci_low=h["ci_low"], ci_high=h["ci_high"], p_cox=h["p"])
        else:
            r["note"] = f"suppressed: a group has fewer than {size} people"
        rows.append(r)
    if covariates and len(levels) == 2 and not small:
        treated_level = levels[1] if treated is None else treated
        control_level = ref if treated_level != ref else levels[1]
        w = propensity_weights(d, group, covariates, treated=treated_level, trim=trim)
        bal = balance_table(d, group, covariates, w, treated=treated_level)
        d["__ipw"] = w
        wmed = km_medians(d, duration, event, group, weights="__ipw", min_size=size).set_index("group")
        whr = cox_hr(d, duration, event, group, reference=control_level, weights="__ipw").iloc[0]
        max_after = float(bal["smd_after"].abs().max())
        note = ("inverse probability weighted (logistic propensity model on "
                + ", ".join(covariates) + "); weighted Cox model with robust standard errors; "
                "valid only if these covariates capture why people opted in")
        if max_after > SMD_THRESHOLD:
            note += f"; WARNING: covariate imbalance remains after weighting (max |SMD| = {max_after:.2f} > {SMD_THRESHOLD})"
        rows.append({"method": "ipw", "group": treated_level, "reference": control_level,
                     "n_group": int(counts.loc[treated_level, "size"]),
                     "n_reference": int(counts.loc[control_level, "size"]),
                     "events_group": int(counts.loc[treated_level, "sum"]),
                     "events_reference": int(counts.loc[control_level, "sum"]),
                     "median_group": wmed.loc[treated_level, "median"],
                     "median_reference": wmed.loc[control_level, "median"],
                     "hr": float(whr["hr"]), "ci_low": float(whr["ci_low"]), "ci_high": float(whr["ci_high"]),
                     "p_cox": float(whr["p"]), "p_logrank": np.nan, "max_smd_after": max_after, "note": note})
    return pd.DataFrame(rows, columns=RETENTION_COLUMNS)


#: participant columns used as confounders of opting in when the data has them
DEFAULT_CONFOUNDERS = ("prior_engagement", "tenure_years")
#: right-skewed covariates that enter the models on the log scale, under a new name
LOG_SCALE = {"tenure_years": "log_tenure_years"}


def retention_frame(data, *, covariates: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per person followed up (mentees and comparison group) with duration, exit and covariates.

    Parameters
    ----------
    data : ProgramData
    covariates : list of str, optional
        Participant columns to carry for propensity weighting; by default those of
        :data:`DEFAULT_CONFOUNDERS` present with no missing values. Tenure is right-skewed
        (a few people have decades), so it enters as ``log_tenure_years`` (see
        :data:`LOG_SCALE`).

    Returns
    -------
    (frame, covariates)
        *frame* has ``participant_id, mentored, duration_months, event`` and the covariates;
        *covariates* is the list of model columns actually used.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> f, cov = retention_frame(ds.load("program_sample"))
    >>> {"duration_months", "event", "mentored"} <= set(f.columns), cov
    (True, ['prior_engagement', 'log_tenure_years'])
    """
    tte = data.time_to_exit()
    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    if covariates is None:
        covariates = [c for c in DEFAULT_CONFOUNDERS
                      if c in parts.columns and parts[c].reindex(tte["participant_id"]).notna().all()]
    else:
        require_columns(data.participants, covariates, "participants")
    frame = tte.copy()
    used = []
    for c in covariates:
        values = parts[c].reindex(frame["participant_id"]).to_numpy()
        if c in LOG_SCALE and pd.api.types.is_numeric_dtype(parts[c]):
            name = LOG_SCALE[c]
            frame[name] = np.log(np.clip(values.astype(float), 0.05, None))
            used.append(name)
        else:
            frame[c] = values
            used.append(c)
    frame = frame[frame["mentored"].notna() & frame["duration_months"].notna()].copy()
    frame["mentored"] = frame["mentored"].astype(bool)
    return frame.reset_index(drop=True), used


def program_retention(data, *, covariates: Sequence[str] | None = None, min_size: int | None = None) -> pd.DataFrame:
    """Retention of mentored people against the comparison group: naive and propensity-weighted.

    See :func:`compare_retention`; durations are in months from each person's index date.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> program_retention(ds.load("program_sample"))["method"].tolist()
    ['naive', 'ipw']
    """
    frame, cov = retention_frame(data, covariates=covariates)
    return compare_retention(frame, "duration_months", "event", "mentored", covariates=cov,
                             reference=False, treated=True, min_size=min_size)
