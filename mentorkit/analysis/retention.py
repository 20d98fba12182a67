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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mentorkit.analysis._common import require_columns
from mentorkit.privacy import min_group_size, suppress
from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = [
    "clean_survival_table", "km_curves", "km_medians", "logrank", "cox_fit", "cox_hr", "propensity_scores",
    "propensity_weights", "propensity_model", "PropensityModel", "balance_table", "balance_credible",
    "compare_retention", "retention_analysis", "RetentionAnalysis", "retention_frame", "program_retention",
    "program_retention_analysis", "ph_test", "ph_flag", "SMD_THRESHOLD", "DEFAULT_CONFOUNDERS", "LOG_SCALE",
    "DEFAULT_TIES", "TIES_METHODS", "NOT_REACHED", "survival_curves", "CURVE_COLUMNS",
]

#: Standardised mean differences above this are flagged as imbalanced (Austin 2009).
SMD_THRESHOLD = 0.1


def clean_survival_table(df: pd.DataFrame, duration: str, event: str, group: str,
                         covariates: Sequence[str] = (), *, where: str = "table", entry: str | None = None
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
    entry : str, optional
        Delayed-entry column: a non-negative number before the duration.
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
    require_columns(df, [duration, event, group, *covariates] + ([entry] if entry else []), where)
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
    if entry:
        ent = pd.to_numeric(df[entry], errors="coerce")
        flag(ent.isna(), f"{entry!r} (entry time) is missing or not a number")
        flag(ent < 0, f"{entry!r} (entry time) is negative")
        flag(ent >= dur, f"{entry!r} (entry time) is not before {duration!r}")
    bad = reasons != ""
    rejected = df[bad].copy()
    rejected.insert(0, "reason", reasons[bad])
    rejected.insert(0, "row", np.flatnonzero(bad.to_numpy()) + 1)
    clean = df[~bad].copy()
    clean[duration] = dur[~bad].astype(float)
    clean[event] = pd.Series(ev, index=df.index)[~bad].astype(bool)
    if entry:
        clean[entry] = ent[~bad].astype(float)
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


def _headcount_at_risk(part: pd.DataFrame, duration: str, times: np.ndarray, entry: str | None) -> np.ndarray:
    """People (not weights) at risk just before each time: exit or censoring at or after it, entered before it."""
    exits = np.sort(part[duration].to_numpy(dtype=float))
    n = len(exits) - np.searchsorted(exits, times, side="left")
    if entry is not None:
        ent = np.sort(part[entry].to_numpy(dtype=float))
        n = n - (len(ent) - np.searchsorted(ent, times, side="left"))
    return n.astype(float)


def _km_fit(part: pd.DataFrame, duration: str, event: str, weights: str | None, entry: str | None):
    from lifelines import KaplanMeierFitter

    from lifelines.exceptions import StatError

    kmf = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            kmf.fit(part[duration], part[event].astype(bool), weights=None if weights is None else part[weights],
                    entry=None if entry is None else part[entry], label="s")
        except StatError as exc:
            raise MentorkitError(f"Kaplan-Meier with delayed entry ({entry!r}): early on too few people are at "
                                 f"risk for a curve ({str(exc).split('.')[0]}); check the entry times") from None
    return kmf


def km_curves(df: pd.DataFrame, duration: str, event: str, group: str, *,
              weights: str | None = None, min_size: int | None = None, entry: str | None = None) -> pd.DataFrame:
    """Kaplan-Meier survival curves, one block of rows per group.

    Groups the privacy layer suppresses (smaller than the minimum group size, plus any
    complementary cells) are left out, so no curve can reveal an individual's exit; each
    curve also stops where fewer than the minimum group size are still at risk (a step
    there would be one or two people's exits).

    Returns
    -------
    DataFrame
        ``group, time, at_risk, survival, ci_low, ci_high`` (95% pointwise band, lifelines'
        exponential Greenwood interval; ``at_risk`` counts people, also for weighted curves).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "e": [1, 0] * 5, "g": ["x"] * 10})
    >>> c = km_curves(t, "m", "e", "g")
    >>> bool(c["survival"].iloc[-1] < 1), int(c["at_risk"].min())
    (True, 5)
    """
    size = min_group_size(min_size)
    counts = df.groupby(group, sort=True).size().rename("n").reset_index()
    shown = suppress(counts, "n", by=[group], min_size=size)
    hidden = set(shown.loc[shown["suppressed"], group])
    frames = []
    for level, part in df.groupby(group, sort=True):
        if level in hidden:
            continue
        kmf = _km_fit(part, duration, event, weights, entry)
        sf = kmf.survival_function_["s"]
        ci = kmf.confidence_interval_
        times = sf.index.to_numpy(dtype=float)
        at_risk = _headcount_at_risk(part, duration, times, entry)
        keep = at_risk >= size
        if len(keep):
            keep[0] = True  # time 0 (the start of the curve) shows nothing about anyone
        frames.append(pd.DataFrame({
            "group": level, "time": times[keep], "at_risk": at_risk[keep],
            "survival": sf.to_numpy()[keep], "ci_low": ci.iloc[:, 0].to_numpy()[keep],
            "ci_high": ci.iloc[:, 1].to_numpy()[keep],
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


#: text of a median (or limit) the curve never reaches during follow-up
NOT_REACHED = "not reached"

MEDIAN_COLUMNS = ["group", "n", "events", "median", "ci_low", "ci_high", "at_risk_median", "median_status"]


def km_medians(df: pd.DataFrame, duration: str, event: str, group: str, *,
               weights: str | None = None, min_size: int | None = None, entry: str | None = None) -> pd.DataFrame:
    """Median time to exit per group from Kaplan-Meier, with its 95% interval and who it rests on.

    The median is the smallest time at which the Kaplan-Meier curve is at or below one half,
    ``inf`` ("not reached") when fewer than half the group left during follow-up; its interval
    takes the same crossing of the pointwise 95% band (Brookmeyer-Crowley style).
    ``at_risk_median`` is the number of people still at risk at the median. Groups smaller
    than the minimum group size are suppressed, and a median (or interval limit) resting on
    fewer than the minimum group size at risk is hidden (NaN), like any small cell;
    ``median_status`` says which (``estimated``, ``not reached``, ``hidden: ...``).

    Returns
    -------
    DataFrame
        ``group, n, events, median, ci_low, ci_high, at_risk_median, median_status,
        suppressed, suppression``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 4, 5, 6], "e": [1] * 6, "g": ["x"] * 6})
    >>> km_medians(t, "m", "e", "g", min_size=4)[["median", "at_risk_median"]].values.tolist()
    [[3.0, 4.0]]
    >>> km_medians(t, "m", "e", "g", min_size=5)["median_status"].tolist()
    ['hidden: fewer than 5 people at risk at the median']
    """
    size = min_group_size(min_size)
    rows = []
    for level, part in df.groupby(group, sort=True):
        kmf = _km_fit(part, duration, event, weights, entry)
        times = kmf.survival_function_.index.to_numpy(dtype=float)
        ci = kmf.confidence_interval_
        med = _first_time_at_or_below(times, kmf.survival_function_["s"].to_numpy())
        lo = _first_time_at_or_below(times, ci.iloc[:, 0].to_numpy())
        hi = _first_time_at_or_below(times, ci.iloc[:, 1].to_numpy())
        at = {k: (float(_headcount_at_risk(part, duration, np.array([v]), entry)[0]) if np.isfinite(v) else np.nan)
              for k, v in (("median", med), ("ci_low", lo), ("ci_high", hi))}
        status = NOT_REACHED if np.isinf(med) else "estimated"
        vals = {"median": med, "ci_low": lo, "ci_high": hi}
        for k in vals:
            if np.isfinite(at[k]) and at[k] < size:
                vals[k] = np.nan
        if np.isfinite(at["median"]) and at["median"] < size:
            status = f"hidden: fewer than {size} people at risk at the median"
        rows.append({"group": level, "n": int(len(part)), "events": int(part[event].astype(bool).sum()),
                     **vals, "at_risk_median": at["median"], "median_status": status})
    out = pd.DataFrame(rows, columns=MEDIAN_COLUMNS)
    return suppress(out, "n", by=["group"], min_size=size)


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


#: how tied exit times are handled by default (R's ``coxph`` and lifelines use Efron too)
DEFAULT_TIES = "efron"
TIES_METHODS = ("efron", "breslow")


def _check_ties(ties: str) -> str:
    t = str(ties).strip().lower()
    if t not in TIES_METHODS:
        raise MentorkitError(f"ties must be one of {', '.join(TIES_METHODS)}, got {ties!r}")
    return t


def cox_fit(time: np.ndarray, event: np.ndarray, X: np.ndarray, weights: np.ndarray | None = None, *,
            entry: np.ndarray | None = None, ties: str = DEFAULT_TIES, max_iter: int = 50,
            tol: float = 1e-10) -> dict:
    """Fit a Cox proportional hazards model by Newton-Raphson (Efron or Breslow ties, delayed entry).

    Written for speed on large programs: every sum over a risk set is a cumulative sum over
    the rows sorted by time, so a fit costs O(n log n) and the robust variance O(n p²).

    Parameters
    ----------
    time, event : array
        Follow-up time (exit or censoring) and exit indicator per person.
    X : array (n × p)
        Covariates.
    weights : array, optional
        Case weights (e.g. inverse probability weights). With Breslow ties, integer weights
        give the same coefficients as repeating each row that many times.
    entry : array, optional
        Delayed entry (left truncation): the time each person came under observation (for
        example people hired before the observation window opened). A person is in the risk
        set at time *t* when ``entry < t <= time``. Default: everyone from time 0.
    ties : {"efron", "breslow"}
        Handling of tied exit times. Efron's approximation (the default, as in R's
        ``survival::coxph`` and lifelines) lowers the risk set step by step through a block
        of tied exits; Breslow's keeps the full risk set for all of them, which biases
        hazard ratios towards 1 when many people leave at the same recorded time (whole
        months or years of tenure). With weights, each tied exit counts with the block's
        mean weight (as ``coxph`` does).

    Returns
    -------
    dict
        ``beta`` (p), ``cov`` (the inverse information, model-based), ``cov_robust`` (the
        Lin-Wei sandwich ``I⁻¹ (Σ wᵢ² Lᵢ Lᵢᵀ) I⁻¹`` from the score residuals ``Lᵢ``, with
        Efron's fractional risk weights inside tied blocks), ``schoenfeld`` (n_events × p,
        the Schoenfeld residuals of the exits in the input order), ``event_index`` (their
        rows), ``loglik``, ``converged``, ``iterations`` and ``ties``.

    Examples
    --------
    >>> import numpy as np
    >>> r = cox_fit(np.array([1., 2, 2, 4, 5, 6]), np.ones(6, bool), np.array([[1.], [0], [1], [0], [0], [1]]))
    >>> r["beta"].shape, bool(r["converged"]), r["ties"]
    ((1,), True, 'efron')
    """
    ties = _check_ties(ties)
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    X = np.asarray(X, dtype=float).reshape(len(t), -1)
    w = np.ones(len(t)) if weights is None else np.asarray(weights, dtype=float)
    n, p = X.shape
    if entry is not None:
        en = np.asarray(entry, dtype=float)
        if en.shape != t.shape or not np.all(np.isfinite(en)):
            raise MentorkitError("cox_fit: entry times must be finite numbers, one per person")
        if np.any(en >= t):
            bad = np.flatnonzero(en >= t)[:5] + 1
            raise MentorkitError(f"cox_fit: entry time must be before the exit or censoring time (rows {bad.tolist()})")
    order = np.argsort(-t, kind="stable")          # descending time: cumsum = sum over the risk set
    t_s, e_s, X_s, w_s = t[order], e[order], X[order], w[order]
    # last row of each block of equal times (descending), so ties share one risk set
    last = np.r_[t_s[1:] != t_s[:-1], True]
    block_end = np.flatnonzero(last)
    starts = np.r_[0, block_end[:-1] + 1]
    nb = len(block_end)
    block_of = np.repeat(np.arange(nb), np.diff(np.r_[-1, block_end]))
    block_t = t_s[block_end]
    ev_w = np.where(e_s, w_s, 0.0)
    d = np.add.reduceat(ev_w, starts)                                   # weighted exits per time
    m = np.add.reduceat(e_s.astype(float), starts)                      # exits per time
    xd = np.add.reduceat(ev_w[:, None] * X_s, starts, axis=0)
    jb = np.flatnonzero(m > 0)
    # one "term" per exit (Efron) or per block with exits (Breslow): the risk set of the term is
    # S0 - frac * (risk of the block's exits), counted with weight term_w
    if ties == "efron":
        cnt = m[jb].astype(int)
        term_block = np.repeat(jb, cnt)
        frac = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        frac = frac / np.repeat(cnt, cnt)
        term_w = np.repeat(d[jb] / m[jb], cnt)
    else:
        term_block, frac, term_w = jb, np.zeros(len(jb)), d[jb]
    if entry is not None:
        en_s = en[order]
        eorder = np.argsort(-en_s, kind="stable")
        en_desc = en_s[eorder]
        # rows with entry >= the block's time are not yet at risk there
        n_late = np.searchsorted(-en_desc, -block_t, side="right")

    def late(values: np.ndarray) -> np.ndarray:
        c = np.cumsum(values[eorder], axis=0)
        c = np.concatenate([np.zeros((1,) + c.shape[1:]), c], axis=0)
        return c[n_late]

    def parts(beta):
        eta = X_s @ beta
        shift = eta.max()
        r = w_s * np.exp(eta - shift)
        rx = r[:, None] * X_s
        rxx = rx[:, :, None] * X_s[:, None, :]
        s0, s1, s2 = np.cumsum(r)[block_end], np.cumsum(rx, axis=0)[block_end], np.cumsum(rxx, axis=0)[block_end]
        if entry is not None:
            s0, s1, s2 = s0 - late(r), s1 - late(rx), s2 - late(rxx)
        if ties == "efron":
            rd = np.where(e_s, r, 0.0)
            e0 = np.add.reduceat(rd, starts)
            e1 = np.add.reduceat(rd[:, None] * X_s, starts, axis=0)
            e2 = np.add.reduceat(rd[:, None, None] * X_s[:, :, None] * X_s[:, None, :], starts, axis=0)
        else:
            e0, e1, e2 = np.zeros(nb), np.zeros((nb, p)), np.zeros((nb, p, p))
        b, f = term_block, frac
        den = s0[b] - f * e0[b]
        a = (s1[b] - f[:, None] * e1[b]) / den[:, None]
        ll = float(np.sum(ev_w * eta) - np.sum(term_w * (np.log(den) + shift)))
        score = xd.sum(axis=0) - (term_w[:, None] * a).sum(axis=0)
        info = np.einsum("j,jab->ab", term_w, (s2[b] - f[:, None, None] * e2[b]) / den[:, None, None]) \
            - np.einsum("j,ja,jb->ab", term_w, a, a)
        return eta, shift, r, den, a, ll, score, info

    beta = np.zeros(p)
    converged = False
    loglik = -np.inf
    step_prev = np.zeros(p)
    it = 0
    for it in range(1, max_iter + 1):
        eta, shift, r, den, a, ll, score, info = parts(beta)
        if ll < loglik - 1e-12:        # overshoot: halve the last step
            beta = beta - step_prev / 2
            step_prev = step_prev / 2
            continue
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            step = np.linalg.pinv(info) @ score
        loglik = ll
        beta = beta + step
        step_prev = step
        if np.max(np.abs(step), initial=0.0) < tol:
            converged = True
            break
    eta, shift, r, den, a, loglik, score, info = parts(beta)
    cov = np.linalg.pinv(info)
    # score residuals L_i = e_i (x_i - abar(t_i)) - r_i * sum over exit terms while i is at risk of
    # h_k (x_i - a_k), h_k = term_w / den; an exit in its own tied block is at risk with weight (1 - frac)
    h = term_w / den
    H0 = np.bincount(term_block, weights=h, minlength=nb)
    H1 = np.stack([np.bincount(term_block, weights=h * a[:, k], minlength=nb) for k in range(p)], axis=1) \
        if p else np.zeros((nb, 0))
    own = 1.0 - frac
    H0d = np.bincount(term_block, weights=h * own, minlength=nb)
    H1d = np.stack([np.bincount(term_block, weights=h * own * a[:, k], minlength=nb) for k in range(p)], axis=1) \
        if p else np.zeros((nb, 0))
    abar = np.stack([np.bincount(term_block, weights=a[:, k], minlength=nb) for k in range(p)], axis=1) \
        / np.maximum(np.bincount(term_block, minlength=nb), 1)[:, None] if p else np.zeros((nb, 0))
    # blocks are in descending time: "earlier than block j" = blocks after j
    before0 = np.cumsum(H0[::-1])[::-1] - H0
    before1 = np.cumsum(H1[::-1], axis=0)[::-1] - H1
    bo = block_of
    c0 = before0[bo] + np.where(e_s, H0d[bo], H0[bo])
    c1 = before1[bo] + np.where(e_s[:, None], H1d[bo], H1[bo])
    if entry is not None:
        asc_t = block_t[::-1]
        cum0, cum1 = np.cumsum(H0[::-1]), np.cumsum(H1[::-1], axis=0)
        k = np.searchsorted(asc_t, en_s, side="right") - 1      # blocks with time <= entry
        c0 = c0 - np.where(k >= 0, cum0[np.maximum(k, 0)], 0.0)
        c1 = c1 - np.where(k[:, None] >= 0, cum1[np.maximum(k, 0)], 0.0)
    schoen_s = np.where(e_s[:, None], X_s - abar[bo], 0.0)
    resid = schoen_s - np.exp(eta - shift)[:, None] * (X_s * c0[:, None] - c1)   # per person, unweighted
    wl = w_s[:, None] * resid
    cov_robust = cov @ (wl.T @ wl) @ cov
    inv = np.empty(n, dtype=int)
    inv[order] = np.arange(n)
    event_index = np.flatnonzero(e)
    return {"beta": beta, "cov": cov, "cov_robust": cov_robust, "loglik": loglik, "converged": converged,
            "iterations": it, "ties": ties, "schoenfeld": schoen_s[inv][event_index], "event_index": event_index,
            "score_residuals": resid[inv]}


#: transforms of time for the proportional-hazards test (lifelines' names)
PH_TRANSFORMS = ("km", "rank", "identity", "log")


def ph_test(fit: dict, time: np.ndarray, event: np.ndarray, weights: np.ndarray | None = None, *,
            names: Sequence[str] | None = None, transform: str = "km", robust: bool | None = None) -> pd.DataFrame:
    """Proportional-hazards test on the scaled Schoenfeld residuals of a :func:`cox_fit` (Grambsch-Therneau).

    For each covariate, a one-degree-of-freedom score test of a linear trend of the scaled
    residuals over transformed time: a small p says the hazard ratio changes over follow-up,
    so one hazard ratio misdescribes it. Computed as lifelines' ``proportional_hazard_test``
    does (the approximation R's ``cox.zph`` used until 2019): scaled residuals
    ``D · r_k · V`` with ``D`` exits and ``V`` the model's variance.

    Parameters
    ----------
    transform : {"km", "rank", "identity", "log"}
        ``km`` (one minus the Kaplan-Meier curve, R's default, the default here), ``rank``
        (order of the exits), ``identity`` or ``log`` of time.
    robust : bool, optional
        Use the robust variance (default: when weights are given, as the fit's inference does).

    Returns
    -------
    DataFrame
        ``covariate, statistic, p, transform``.
    """
    from scipy import stats

    if transform not in PH_TRANSFORMS:
        raise MentorkitError(f"ph_test: transform must be one of {', '.join(PH_TRANSFORMS)}, got {transform!r}")
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=bool)
    robust = weights is not None if robust is None else robust
    V = fit["cov_robust"] if robust else fit["cov"]
    p = len(fit["beta"])
    names = [f"x{i}" for i in range(p)] if names is None else list(names)
    n_events = int(e.sum())
    if n_events < 3:
        return pd.DataFrame({"covariate": names, "statistic": np.nan, "p": np.nan, "transform": transform})
    te = t[fit["event_index"]]
    if transform == "km":
        from lifelines import KaplanMeierFitter

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kmf = KaplanMeierFitter().fit(t, e, weights=weights)
        g = 1.0 - kmf.survival_function_.iloc[:, 0].reindex(te).to_numpy()
    elif transform == "rank":
        g = pd.Series(te).rank(method="average").to_numpy()
    elif transform == "identity":
        g = te
    else:
        g = np.log(te)
    scaled = n_events * fit["schoenfeld"] @ V
    gd = g - g.mean()
    se2 = np.diag(V)
    with np.errstate(invalid="ignore", divide="ignore"):
        stat = (gd @ scaled) ** 2 / (n_events * se2 * np.sum(gd ** 2))
    return pd.DataFrame({"covariate": names, "statistic": stat, "p": stats.chi2.sf(stat, 1), "transform": transform})


#: p below this in the proportional-hazards test raises a plain-words flag
PH_ALPHA = 0.05

COX_COLUMNS = ["group", "reference", "hr", "ci_low", "ci_high", "p", "robust", "ties", "ph_p", "converged"]


def cox_hr(df: pd.DataFrame, duration: str, event: str, group: str, *, reference=None,
           weights: str | None = None, adjust_for: Sequence[str] = (), confidence: float = 0.95,
           ties: str = DEFAULT_TIES, entry: str | None = None) -> pd.DataFrame:
    """Hazard ratio of each group against the reference group from a Cox model.

    Fitted by :func:`cox_fit`, Efron handling of tied times by default (``ties="breslow"``
    for Breslow's); the ``ties`` column says which was used. Every fit comes with the
    proportional-hazards test of its group term (:func:`ph_test`, Kaplan-Meier transform).

    Parameters
    ----------
    weights : str, optional
        A column of case weights (for example inverse probability weights). With weights the
        model uses robust (sandwich) standard errors, as weighted Cox models need.
    adjust_for : list of str
        Covariates added to the model (a conditional hazard ratio).
    ties : {"efron", "breslow"}
        Handling of tied exit times.
    entry : str, optional
        Column of delayed-entry times (on the scale of *duration*), for people who came under
        observation after time 0.

    Returns
    -------
    DataFrame
        ``group, reference, hr, ci_low, ci_high, p, robust, ties, ph_p, converged``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 8, 9, 10, 4, 7], "e": [1] * 8, "g": list("abaabbaa")})
    >>> r = cox_hr(t, "m", "e", "g")
    >>> bool(r["hr"].iloc[0] < 1), r["ties"].iloc[0]
    (True, 'efron')
    """
    from scipy import stats

    levels = _levels(df, group, reference)
    ref, others = levels[0], levels[1:]
    X = pd.DataFrame({f"_g_{i}": (df[group] == lv).astype(float) for i, lv in enumerate(others)}, index=df.index)
    X = pd.concat([X, _design(df, adjust_for)], axis=1)
    robust = weights is not None
    t, e = df[duration].to_numpy(float), df[event].to_numpy(bool)
    w = None if weights is None else df[weights].to_numpy(float)
    fit = cox_fit(t, e, X.to_numpy(float), w, ties=ties,
                  entry=None if entry is None else df[entry].to_numpy(float))
    ph = ph_test(fit, t, e, w)
    cov = fit["cov_robust"] if robust else fit["cov"]
    z = stats.norm.ppf(0.5 + confidence / 2)
    rows = []
    for i, lv in enumerate(others):
        b, se = float(fit["beta"][i]), float(np.sqrt(max(cov[i, i], 0.0)))
        with np.errstate(over="ignore"):
            rows.append({"group": lv, "reference": ref, "hr": float(np.exp(b)),
                         "ci_low": float(np.exp(b - z * se)), "ci_high": float(np.exp(b + z * se)),
                         "p": float(2 * stats.norm.sf(abs(b / se))) if se > 0 else np.nan, "robust": robust,
                         "ties": fit["ties"], "ph_p": float(ph["p"].iloc[i]), "converged": bool(fit["converged"])})
    return pd.DataFrame(rows, columns=COX_COLUMNS)


def ph_flag(p: float, what: str = "the hazard ratio") -> str:
    """A plain-words sentence for a proportional-hazards test p-value ('' when it passes).

    Examples
    --------
    >>> ph_flag(0.2)
    ''
    >>> ph_flag(0.001)[:40]
    'WARNING: the hazard ratio changes over f'
    """
    if not np.isfinite(p) or p >= PH_ALPHA:
        return ""
    return (f"WARNING: {what} changes over follow-up (proportional-hazards test p = {p:.3g}); one hazard ratio "
            "averages an effect that is not constant; look at the survival curves and medians instead")


def _binary_treatment(df: pd.DataFrame, group: str, treated) -> pd.Series:
    levels = sorted(df[group].dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
    if len(levels) != 2:
        raise MentorkitError(f"propensity weighting needs exactly two groups in column {group!r}, found {len(levels)}: {levels[:6]}")
    if treated is None:
        treated = True if True in levels else levels[1]
    if treated not in levels:
        raise MentorkitError(f"treated group {treated!r} is not a value of column {group!r} (values: {levels})")
    return (df[group] == treated).astype(int)


def _refuse_missing(df: pd.DataFrame, columns: Sequence[str], where: str = "retention") -> None:
    """Raise, naming the column and the (1-based) rows, when a model column has missing values."""
    for c in columns:
        miss = np.flatnonzero(df[c].isna().to_numpy())
        if len(miss):
            rows = ", ".join(str(i + 1) for i in miss[:10]) + (" ..." if len(miss) > 10 else "")
            raise MentorkitError(f"{where}: covariate {c!r} is missing for {len(miss)} of {len(df)} row(s) "
                                 f"(data rows {rows}); fill them in, or leave those rows out and report it "
                                 "(mentorkit never drops a confounder on its own)")


@dataclass
class PropensityModel:
    """A fitted propensity model and what a reviewer needs to judge it.

    Attributes
    ----------
    scores : Series
        Fitted probability of being treated, before any clipping.
    weights : Series
        Inverse probability weights (NaN for people trimmed away).
    kept : Series of bool
        False for people outside the trimming range (when ``trim`` is set).
    converged : bool
        Whether the logistic fit converged.
    separated : list of str
        Design columns that predict the group perfectly (a category with nobody, or
        everybody, treated) and statsmodels' separation warnings.
    warnings : list of str
        Every warning the fit raised, as text.
    overlap : DataFrame
        Positivity table, one row per group: ``group, n, score_min, score_p01, score_p05,
        score_median, score_p95, score_p99, score_max, below_clip, above_clip,
        outside_common_support``.
    share_clipped : float
        Share of everyone whose score was clipped into ``[clip, 1 - clip]``.
    ess : dict
        Kish effective sample size ``(Σw)² / Σw²`` of each group after weighting.
    clip, trim : float or None
    stabilized : bool
    """

    scores: pd.Series
    weights: pd.Series
    kept: pd.Series
    converged: bool
    separated: list
    warnings: list
    overlap: pd.DataFrame
    share_clipped: float
    ess: dict
    clip: float | None
    trim: float | None
    stabilized: bool
    treated: object = None

    @property
    def n_trimmed(self) -> int:
        return int((~self.kept).sum())

    def problems(self) -> list[str]:
        """Plain sentences for everything that should make a reader doubt the weighted comparison."""
        out = []
        if not self.converged:
            out.append("the propensity model did not converge")
        if self.separated:
            out.append("perfect separation in the propensity model (" + "; ".join(self.separated[:6]) + ")")
        if self.share_clipped > 0.05:
            out.append(f"{self.share_clipped:.0%} of propensity scores were clipped to [{self.clip}, {1 - self.clip}]")
        small = {g: v for g, v in self.ess.items() if v < 0.5 * self.overlap.set_index("group").loc[g, "n"]}
        for g, v in small.items():
            n = int(self.overlap.set_index("group").loc[g, "n"])
            out.append(f"the weights leave an effective sample of {v:.1f} of the {n} in group {g!r}")
        return out


def _kish(w: np.ndarray) -> float:
    s2 = float(np.sum(w ** 2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def propensity_model(df: pd.DataFrame, group: str, covariates: Sequence[str], *, treated=None,
                     stabilized: bool = True, clip: float | None = 0.01, trim: float | None = None
                     ) -> PropensityModel:
    """Fit the propensity model, build inverse probability weights and diagnose both.

    Fitted with ``statsmodels.api.Logit`` on the covariates (categorical ones one-hot
    encoded) plus an intercept. Nothing the fit reports is discarded: non-convergence,
    separation (a category where nobody, or everybody, is treated), the overlap of the
    scores between groups, the share of scores clipped and the effective sample size left
    in each group are all returned.

    Parameters
    ----------
    stabilized : bool
        Multiply the weights by the share treated (untreated), so the weighted sample keeps
        the size of the real one (Robins et al. 2000). Default on.
    clip : float or None
        Clip (truncate) scores into ``[clip, 1 - clip]`` before weighting, so a few people
        cannot dominate. Default 0.01; None for no clipping.
    trim : float or None
        Leave out people whose score is outside ``[trim, 1 - trim]`` (Crump et al. 2009
        suggest 0.1). This changes the population the estimate is about (people who could
        plausibly be in either group); their weight is NaN and ``kept`` is False. Default:
        no trimming.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0, 1, 2, 3, 4, 5, 6, 7], "m": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> pm = propensity_model(t, "m", ["x"])
    >>> pm.converged, pm.separated, round(float(pm.weights.sum()), 0)
    (True, [], 8.0)
    """
    import statsmodels.api as sm

    if not covariates:
        raise MentorkitError("propensity weighting needs at least one covariate")
    for name, v in (("clip", clip), ("trim", trim)):
        if v is not None and not 0 <= float(v) < 0.5:
            raise MentorkitError(f"propensity: {name} must be between 0 and 0.5, got {v!r}")
    _refuse_missing(df, covariates, "propensity model")
    y = _binary_treatment(df, group, treated)
    t = y.to_numpy() == 1
    X = sm.add_constant(_design(df, covariates), has_constant="add")
    const = [c for c in X.columns if c != "const" and X[c].std() == 0]
    if const:
        raise MentorkitError(f"covariate column(s) {const} have the same value for everyone; leave them out")
    separated = []
    for c in X.columns:
        if c == "const":
            continue
        x = X[c].to_numpy(dtype=float)
        vals = np.unique(x)
        if len(vals) == 2 and set(vals) <= {0.0, 1.0}:
            on = x == 1
            if not t[on].any():
                separated.append(f"{c}: nobody in it is in the treated group")
            elif t[on].all():
                separated.append(f"{c}: everybody in it is in the treated group")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(y.to_numpy(), X.to_numpy()).fit(disp=0, maxiter=200)
        except Exception as exc:  # a singular design or an outright failure
            raise MentorkitError(f"the propensity model could not be fitted ({type(exc).__name__}: {exc}); "
                                 "check the covariates for columns that predict the group perfectly") from None
    texts = [str(w.message).splitlines()[0] for w in caught]
    converged = bool(fit.mle_retvals.get("converged", True)) and bool(np.all(np.isfinite(fit.params)))
    separated += [s for s in texts if "separation" in s.lower()]
    e_raw = pd.Series(fit.predict(X.to_numpy()), index=df.index, name="propensity")
    kept = pd.Series(True, index=df.index, name="kept")
    if trim:
        kept = (e_raw >= trim) & (e_raw <= 1 - trim)
    e = e_raw.clip(clip, 1 - clip) if clip else e_raw
    clipped = (e != e_raw).to_numpy()
    share_t = float(t[kept.to_numpy()].mean()) if kept.any() else float("nan")
    p = share_t if stabilized else 1.0
    w = np.where(t, p / e, ((1 - share_t) if stabilized else 1.0) / (1 - e))
    w = np.where(kept.to_numpy(), w, np.nan)
    weights = pd.Series(w, index=df.index, name="ipw")
    lo_common = max(e_raw[t].min(), e_raw[~t].min())
    hi_common = min(e_raw[t].max(), e_raw[~t].max())
    treated_level = df[group][t].iloc[0] if t.any() else treated
    rows, ess = [], {}
    for label, mask in ((treated_level, t), (df[group][~t].iloc[0] if (~t).any() else None, ~t)):
        s = e_raw[mask]
        q = s.quantile([0.01, 0.05, 0.5, 0.95, 0.99]).to_numpy()
        rows.append({"group": label, "n": int(mask.sum()), "score_min": float(s.min()), "score_p01": q[0],
                     "score_p05": q[1], "score_median": q[2], "score_p95": q[3], "score_p99": q[4],
                     "score_max": float(s.max()),
                     "below_clip": int((s < clip).sum()) if clip else 0,
                     "above_clip": int((s > 1 - clip).sum()) if clip else 0,
                     "outside_common_support": int(((s < lo_common) | (s > hi_common)).sum())})
        ess[label] = _kish(w[mask & kept.to_numpy()])
    return PropensityModel(scores=e_raw, weights=weights, kept=kept, converged=converged, separated=separated,
                           warnings=texts, overlap=pd.DataFrame(rows), share_clipped=float(clipped.mean()),
                           ess=ess, clip=clip, trim=trim, stabilized=stabilized, treated=treated_level)


def propensity_scores(df: pd.DataFrame, group: str, covariates: Sequence[str], *, treated=None) -> pd.Series:
    """Probability of being in the treated group given the covariates (logistic regression).

    The scores of :func:`propensity_model` (which also reports convergence, separation and
    overlap).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0, 1, 2, 3, 4, 5, 6, 7], "m": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> ps = propensity_scores(t, "m", ["x"])
    >>> bool(ps.iloc[-1] > ps.iloc[0])
    True
    """
    return propensity_model(df, group, covariates, treated=treated, clip=None).scores


def propensity_weights(df: pd.DataFrame, group: str, covariates: Sequence[str], *, treated=None,
                       stabilized: bool = True, clip: float | None = 0.01, trim: float | None = None) -> pd.Series:
    """Inverse probability of treatment weights (average treatment effect).

    ``w = T / e + (1 - T) / (1 - e)`` with ``e`` the propensity score; stabilised weights
    multiply by the share treated (or untreated), keeping the weighted sample the size of
    the real one. Scores are clipped to ``[clip, 1 - clip]`` first so a handful of people
    cannot dominate; with *trim* people outside ``[trim, 1 - trim]`` get no weight (NaN).
    See :func:`propensity_model` for the diagnostics.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [0, 1, 2, 3, 4, 5, 6, 7], "m": [0, 0, 1, 0, 1, 0, 1, 1]})
    >>> round(float(propensity_weights(t, "m", ["x"]).sum()), 0)
    8.0
    """
    return propensity_model(df, group, covariates, treated=treated, stabilized=stabilized, clip=clip,
                            trim=trim).weights


def _wstats(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    m = np.sum(w * x) / np.sum(w)
    v = np.sum(w * (x - m) ** 2) / np.sum(w)
    # reliability-weights correction so unit weights give the usual ddof=1 variance
    v *= np.sum(w) ** 2 / (np.sum(w) ** 2 - np.sum(w ** 2)) if np.sum(w) ** 2 > np.sum(w ** 2) else np.nan
    return m, v


BALANCE_COLUMNS = ["covariate", "mean_treated", "mean_control", "smd_before", "mean_treated_w", "mean_control_w",
                   "smd_after", "imbalanced_before", "imbalanced_after", "status"]


def balance_table(df: pd.DataFrame, group: str, covariates: Sequence[str], weights: pd.Series | str | None = None,
                  *, treated=None, threshold: float = SMD_THRESHOLD) -> pd.DataFrame:
    """Standardised mean differences of each covariate between the groups, before and after weighting.

    ``SMD = (mean_treated - mean_control) / sqrt((var_treated + var_control) / 2)``, with
    weighted means and variances after weighting (Austin & Stuart 2015). Categorical
    covariates are shown one row per level (except the first).

    A covariate that cannot be balanced is said to be so in ``status`` rather than passed
    as balanced: ``separated`` when it takes one value in a group (a category nobody, or
    everybody, treated is in; a column identical to the group), ``constant`` when it takes
    one value for everyone, ``not computable`` when it has missing values. Their SMD is NaN
    when the pooled SD is zero, and they count as imbalanced; :func:`balance_credible` says
    whether a weighted comparison on such a table can be believed.

    Returns
    -------
    DataFrame
        ``covariate, mean_treated, mean_control, smd_before, mean_treated_w, mean_control_w,
        smd_after, imbalanced_before, imbalanced_after`` (``|SMD| > threshold``), ``status``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "m": [0, 0, 0, 1, 1, 1]})
    >>> float(balance_table(t, "m", ["x"])["smd_before"].iloc[0])
    3.0
    >>> balance_table(t.assign(s=t.m), "m", ["s"])["status"].iloc[0]
    'separated: one value in each group'
    """
    t = _binary_treatment(df, group, treated).to_numpy() == 1
    missing = {c: int(df[c].isna().sum()) for c in covariates}
    complete = df[list(covariates)].notna().all(axis=1).to_numpy() if covariates else np.ones(len(df), bool)
    X = _design(df, covariates)
    source = {}
    for c in X.columns:
        source[c] = next((k for k in covariates if c == k or c.startswith(f"{k}=")), c)
    if isinstance(weights, str):
        w = df[weights].to_numpy(dtype=float)
    elif weights is None:
        w = np.ones(len(df))
    else:
        w = np.asarray(weights, dtype=float)
    wk = np.isfinite(w)  # trimmed people (NaN weight) are out of the weighted columns
    rows = []
    for c in X.columns:
        src = source[c]
        x_all = X[c].to_numpy(dtype=float)
        if missing.get(src, 0):
            x = np.where(complete, x_all, np.nan)
        else:
            x = x_all
        ok = np.isfinite(x)
        m1, m0 = np.nanmean(x[t]) if (t & ok).any() else np.nan, np.nanmean(x[~t]) if (~t & ok).any() else np.nan
        v1 = np.nanvar(x[t], ddof=1) if (t & ok).sum() > 1 else 0.0
        v0 = np.nanvar(x[~t], ddof=1) if (~t & ok).sum() > 1 else 0.0
        sd = np.sqrt((v1 + v0) / 2)
        sel1, sel0 = t & ok & wk, ~t & ok & wk
        wm1, wv1 = _wstats(x[sel1], w[sel1]) if sel1.any() else (np.nan, np.nan)
        wm0, wv0 = _wstats(x[sel0], w[sel0]) if sel0.any() else (np.nan, np.nan)
        wsd = np.sqrt((wv1 + wv0) / 2)
        before = (m1 - m0) / sd if sd > 0 else np.nan
        after = (wm1 - wm0) / wsd if wsd > 0 else np.nan
        if missing.get(src, 0):
            status = f"not computable: {missing[src]} missing value(s) of {src!r}"
            before = after = np.nan
        elif v1 == 0 and v0 == 0:
            status = "constant: the same value for everyone" if m1 == m0 else "separated: one value in each group"
        elif v1 == 0 or v0 == 0:
            which = "treated" if v1 == 0 else "comparison"
            status = f"separated: one value in the {which} group"
        else:
            status = "ok"
        rows.append({"covariate": c, "mean_treated": m1, "mean_control": m0, "smd_before": before,
                     "mean_treated_w": wm1, "mean_control_w": wm0, "smd_after": after,
                     "imbalanced_before": bool(not np.isfinite(before) or abs(before) > threshold),
                     "imbalanced_after": bool(not np.isfinite(after) or abs(after) > threshold),
                     "status": status})
    return pd.DataFrame(rows, columns=BALANCE_COLUMNS)


def balance_credible(balance: pd.DataFrame) -> tuple[bool, str]:
    """Whether a weighted comparison resting on this balance table can be believed, and why not.

    Examples
    --------
    >>> import pandas as pd
    >>> balance_credible(pd.DataFrame({"covariate": ["x"], "status": ["ok"], "smd_after": [0.02]}))
    (True, '')
    """
    bad = balance[balance["status"] != "ok"]
    if not len(bad):
        return True, ""
    listed = "; ".join(f"{c} ({s})" for c, s in zip(bad["covariate"].head(6), bad["status"].head(6)))
    more = f" and {len(bad) - 6} more" if len(bad) > 6 else ""
    return False, (f"NOT CREDIBLE: covariate balance cannot be checked or achieved for {listed}{more}; "
                   "weighting cannot make groups comparable on a covariate that separates them")


RETENTION_COLUMNS = ["method", "group", "reference", "n_group", "n_reference", "events_group",
                     "events_reference", "median_group", "median_reference", "hr", "ci_low", "ci_high",
                     "p_cox", "p_logrank", "ties", "ph_p", "max_smd_after", "ess_group", "ess_reference",
                     "credible", "note"]

DIAGNOSTIC_COLUMNS = ["analysis", "check", "value", "ok", "message"]


@dataclass
class RetentionAnalysis:
    """Everything :func:`retention_analysis` works out, for tables, JSON and notebooks.

    Attributes
    ----------
    table : DataFrame
        The comparison (``RETENTION_COLUMNS``), naive and (when possible) weighted rows.
    medians : DataFrame
        Kaplan-Meier medians per group with the number at risk (:func:`km_medians`).
    balance : DataFrame or None
        Covariate balance before and after weighting (:func:`balance_table`).
    overlap : DataFrame or None
        Propensity-score overlap per group (:class:`PropensityModel`).
    diagnostics : DataFrame
        One row per check (``analysis, check, value, ok, message``): ties method,
        proportional hazards, propensity convergence and separation, clipping, trimming,
        effective sample sizes, balance, rows left out.
    propensity : PropensityModel or None
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    balance: pd.DataFrame | None = None
    overlap: pd.DataFrame | None = None
    diagnostics: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIAGNOSTIC_COLUMNS))
    propensity: PropensityModel | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The named tables (for the CLI's JSON and text output)."""
        out = {"comparison": self.table, "medians": self.medians, "diagnostics": self.diagnostics}
        if self.balance is not None:
            out["balance"] = self.balance
        if self.overlap is not None:
            out["overlap"] = self.overlap
        return out


def _diag(rows: list, check: str, value, ok: bool, message: str, analysis: str = "retention") -> None:
    rows.append({"analysis": analysis, "check": check, "value": value, "ok": bool(ok), "message": message})


def retention_analysis(df: pd.DataFrame, duration: str, event: str, group: str, *,
                       covariates: Sequence[str] = (), reference=None, treated=None, ties: str = DEFAULT_TIES,
                       clip: float | None = 0.01, trim: float | None = None, stabilized: bool = True,
                       entry: str | None = None, min_size: int | None = None,
                       excluded: pd.DataFrame | None = None) -> RetentionAnalysis:
    """Retention of each group against the reference, naive and propensity-weighted, with its diagnostics.

    Parameters
    ----------
    df : DataFrame
        Already checked with :func:`clean_survival_table` (durations numeric, events bool).
        Missing covariate values are refused with a message naming the column and rows.
    covariates : list of str
        Things that drive both opting in and leaving (tenure, prior engagement, ...). With
        covariates and two groups, a second row gives the inverse-probability-weighted
        comparison (weighted Kaplan-Meier medians, weighted Cox model with robust errors).
        Without them only the naive comparison is possible and its note says so.
    ties : {"efron", "breslow"}
        Tied exit times in the Cox models (Efron by default).
    clip, trim, stabilized
        Propensity-weight options (see :func:`propensity_model`).
    entry : str, optional
        Delayed-entry column (see :func:`cox_hr`).
    excluded : DataFrame, optional
        ``reason, n, example`` of rows the caller left out (complete-case analysis), reported
        in the diagnostics and the notes.

    Returns
    -------
    RetentionAnalysis
    """
    ties = _check_ties(ties)
    size = min_group_size(min_size)
    cols = [duration, event, group] + ([entry] if entry else [])
    require_columns(df, cols + list(covariates), "retention")
    _refuse_missing(df, [duration, group, *covariates], "retention")
    levels = _levels(df, group, reference)
    ref = levels[0]
    d = df.copy()
    d[event] = d[event].astype(bool)
    counts = d.groupby(group)[event].agg(["size", "sum"])
    small = [lv for lv in levels if counts.loc[lv, "size"] < size]
    med = km_medians(d, duration, event, group, min_size=size, entry=entry)
    medi = med.set_index("group")
    lr = logrank(d, duration, event, group) if not small and entry is None else {"p": np.nan}
    hr = cox_hr(d, duration, event, group, reference=ref, ties=ties, entry=entry) if not small else None
    diag: list[dict] = []
    _diag(diag, "ties", ties, True, f"tied exit times handled with {ties.capitalize()}'s method")
    if entry is not None:
        _diag(diag, "delayed entry", entry, True, f"people enter the risk set at {entry!r} (left truncation); "
              "the log-rank test is not computed with delayed entry")
    n_out = 0 if excluded is None or not len(excluded) else int(excluded["n"].sum())
    if excluded is not None:
        for r in excluded.itertuples(index=False):
            _diag(diag, "rows left out", int(r.n), False,
                  f"complete-case analysis: {int(r.n)} row(s) left out because {r.reason}"
                  + (f" (e.g. {r.example})" if getattr(r, "example", "") else ""))
    rows = []
    naive_note = ("naive comparison: groups differ in who opted in, so this difference mixes the "
                  "program's effect with selection")
    if not covariates:
        naive_note += "; no covariates were given, so only the naive comparison is possible"
    elif len(levels) != 2:
        naive_note += "; propensity weighting needs exactly two groups, so only the naive comparison is possible"
    if n_out:
        naive_note += f"; complete-case: {n_out} of {n_out + len(d)} people left out (see diagnostics)"
    for i, lv in enumerate(levels[1:]):
        r = {"method": "naive", "group": lv, "reference": ref,
             "n_group": int(counts.loc[lv, "size"]), "n_reference": int(counts.loc[ref, "size"]),
             "events_group": int(counts.loc[lv, "sum"]), "events_reference": int(counts.loc[ref, "sum"]),
             "median_group": medi.loc[lv, "median"], "median_reference": medi.loc[ref, "median"],
             "hr": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_cox": np.nan, "p_logrank": lr["p"],
             "ties": ties, "ph_p": np.nan, "max_smd_after": np.nan, "ess_group": np.nan, "ess_reference": np.nan,
             "credible": True, "note": naive_note}
        if hr is not None:
            h = hr.iloc[i]
            r.update(hr=h["hr"], ci_low=h["ci_low"], ci_high=h["ci_high"], p_cox=h["p"], ph_p=h["ph_p"])
            flag = ph_flag(h["ph_p"])
            _diag(diag, f"proportional hazards (naive, {lv})", float(h["ph_p"]), not flag,
                  flag or f"no evidence against proportional hazards (p = {h['ph_p']:.3g})")
            if flag:
                r["note"] += "; " + flag
            if not h["converged"]:
                r["note"] += "; WARNING: the Cox model did not converge"
                _diag(diag, f"cox convergence (naive, {lv})", False, False, "the Cox model did not converge")
        else:
            r["note"] = f"suppressed: a group has fewer than {size} people"
        rows.append(r)
    bal = overlap = pm = None
    if covariates and len(levels) == 2 and not small:
        treated_level = levels[1] if treated is None else treated
        control_level = ref if treated_level != ref else levels[1]
        pm = propensity_model(d, group, covariates, treated=treated_level, clip=clip, trim=trim,
                              stabilized=stabilized)
        overlap = pm.overlap
        _diag(diag, "propensity converged", pm.converged, pm.converged,
              "the propensity model converged" if pm.converged else "the propensity model did not converge")
        _diag(diag, "propensity separation", len(pm.separated), not pm.separated,
              "; ".join(pm.separated) if pm.separated else "no category predicts the group perfectly")
        _diag(diag, "share of scores clipped", pm.share_clipped, pm.share_clipped <= 0.05,
              f"{pm.share_clipped:.1%} of propensity scores clipped to [{clip}, {1 - clip if clip else 1}]"
              if clip else "no clipping")
        if trim:
            _diag(diag, "trimmed", pm.n_trimmed, True,
                  f"{pm.n_trimmed} people with scores outside [{trim}, {1 - trim}] left out of the weighted "
                  "comparison (it is about the people who could be in either group)")
        for lv, v in pm.ess.items():
            n_lv = int(overlap.set_index("group").loc[lv, "n"])
            _diag(diag, f"effective sample size ({lv})", v, v >= 0.5 * n_lv,
                  f"the weights leave an effective sample of {v:.1f} of {n_lv}")
        wd = d[pm.kept.to_numpy()].copy()
        wd["__ipw"] = pm.weights[pm.kept].to_numpy()
        bal = balance_table(d, group, covariates, pm.weights, treated=treated_level)
        credible, why = balance_credible(bal)
        _diag(diag, "balance computable", credible, credible, why or "every covariate's balance could be checked")
        wcounts = wd.groupby(group)[event].agg(["size", "sum"])
        wmed = km_medians(wd, duration, event, group, weights="__ipw", min_size=size, entry=entry).set_index("group")
        whr = cox_hr(wd, duration, event, group, reference=control_level, weights="__ipw", ties=ties,
                     entry=entry).iloc[0]
        finite = bal["smd_after"].abs().dropna()
        max_after = float(finite.max()) if len(finite) else np.nan
        note = ("inverse probability weighted (logistic propensity model on "
                + ", ".join(covariates) + f"; {'stabilised' if stabilized else 'unstabilised'} weights"
                + (f", scores clipped to [{clip}, {1 - clip}]" if clip else "")
                + (f", {pm.n_trimmed} trimmed outside [{trim}, {1 - trim}]" if trim else "")
                + "); weighted Cox model with robust standard errors; "
                "valid only if these covariates capture why people opted in")
        if max_after > SMD_THRESHOLD:
            note += f"; WARNING: covariate imbalance remains after weighting (max |SMD| = {max_after:.2f} > {SMD_THRESHOLD})"
        problems = pm.problems()
        if problems:
            note += "; WARNING: " + "; ".join(problems)
        if not credible:
            note += "; " + why
        flag = ph_flag(whr["ph_p"], "the weighted hazard ratio")
        _diag(diag, "proportional hazards (weighted)", float(whr["ph_p"]), not flag,
              flag or f"no evidence against proportional hazards (p = {whr['ph_p']:.3g})")
        if flag:
            note += "; " + flag
        rows.append({"method": "ipw", "group": treated_level, "reference": control_level,
                     "n_group": int(wcounts.loc[treated_level, "size"]),
                     "n_reference": int(wcounts.loc[control_level, "size"]),
                     "events_group": int(wcounts.loc[treated_level, "sum"]),
                     "events_reference": int(wcounts.loc[control_level, "sum"]),
                     "median_group": wmed.loc[treated_level, "median"],
                     "median_reference": wmed.loc[control_level, "median"],
                     "hr": float(whr["hr"]), "ci_low": float(whr["ci_low"]), "ci_high": float(whr["ci_high"]),
                     "p_cox": float(whr["p"]), "p_logrank": np.nan, "ties": ties, "ph_p": float(whr["ph_p"]),
                     "max_smd_after": max_after, "ess_group": pm.ess[treated_level],
                     "ess_reference": pm.ess[control_level], "credible": bool(credible and pm.converged and not pm.separated),
                     "note": note})
    return RetentionAnalysis(table=pd.DataFrame(rows, columns=RETENTION_COLUMNS), medians=med, balance=bal,
                             overlap=overlap, diagnostics=pd.DataFrame(diag, columns=DIAGNOSTIC_COLUMNS),
                             propensity=pm)


def compare_retention(df: pd.DataFrame, duration: str, event: str, group: str, *,
                      covariates: Sequence[str] = (), reference=None, treated=None, ties: str = DEFAULT_TIES,
                      clip: float | None = 0.01, trim: float | None = None, stabilized: bool = True,
                      entry: str | None = None, min_size: int | None = None) -> pd.DataFrame:
    """Retention of each group against the reference: naive, and propensity-weighted when possible.

    The ``table`` of :func:`retention_analysis` (which also returns the medians, balance,
    overlap and diagnostics).

    Returns
    -------
    DataFrame
        One row per method and compared group with the columns ``RETENTION_COLUMNS``:
        medians (KM), hazard ratio with CI, Cox p (robust for the weighted row), log-rank p
        (naive row only: the log-rank test has no case-weighted form here), the ties method,
        the proportional-hazards p, the largest absolute SMD left after weighting, the
        effective sample sizes, whether the weighted row is ``credible`` and a
        plain-language ``note``. Groups below the minimum group size are suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"m": [1, 2, 3, 8, 9, 10, 4, 7, 5, 6, 11, 12],
    ...                   "e": [1] * 12, "g": list("abaabbaabbab")})
    >>> compare_retention(t, "m", "e", "g", min_size=1)[["method", "ties"]].values.tolist()
    [['naive', 'efron']]
    """
    return retention_analysis(df, duration, event, group, covariates=covariates, reference=reference,
                              treated=treated, ties=ties, clip=clip, trim=trim, stabilized=stabilized,
                              entry=entry, min_size=min_size).table


#: participant columns used as confounders of opting in when the data has them
DEFAULT_CONFOUNDERS = ("prior_engagement", "tenure_years")
#: right-skewed covariates that enter the models on the log scale, under a new name
LOG_SCALE = {"tenure_years": "log_tenure_years"}


def _retention_frame(data: ProgramData, covariates: Sequence[str] | None = None
                     ) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    """:func:`retention_frame` plus the rows left out: ``reason, n, example``."""
    tte = data.time_to_exit()
    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    if covariates is None:
        covariates = [c for c in DEFAULT_CONFOUNDERS
                      if c in parts.columns and parts[c].reindex(tte["participant_id"]).notna().any()]
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
    checks = [("mentored", "the person is not in the participants table (mentored unknown)"),
              ("duration_months", "the follow-up time is missing (no index date, exit date or end of follow-up)")]
    checks += [(u, f"participants column {c!r} is missing") for u, c in zip(used, covariates)]
    out = np.zeros(len(frame), dtype=bool)
    excluded = []
    for col, reason in checks:
        miss = frame[col].isna().to_numpy() & ~out
        if miss.any():
            ids = frame.loc[miss, "participant_id"].astype(str).head(5).tolist()
            excluded.append({"reason": reason, "n": int(miss.sum()),
                             "example": ", ".join(ids) + (" ..." if miss.sum() > 5 else "")})
            out |= miss
    frame = frame[~out].copy()
    frame["mentored"] = frame["mentored"].astype(bool)
    return frame.reset_index(drop=True), used, pd.DataFrame(excluded, columns=["reason", "n", "example"])


def retention_frame(data: ProgramData, *, covariates: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One row per person followed up (mentees and comparison group) with duration, exit and covariates.

    Complete cases only: people with a missing follow-up time or a missing confounder are
    left out (never a confounder); :func:`program_retention` reports how many and why.

    Parameters
    ----------
    data : ProgramData
    covariates : list of str, optional
        Participant columns to carry for propensity weighting; by default those of
        :data:`DEFAULT_CONFOUNDERS` the data has. Tenure is right-skewed (a few people
        have decades), so it enters as ``log_tenure_years`` (see :data:`LOG_SCALE`).

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
    frame, used, _ = _retention_frame(data, covariates)
    return frame, used


def program_retention_analysis(data: ProgramData, *, covariates: Sequence[str] | None = None, min_size: int | None = None,
                               ties: str = DEFAULT_TIES, clip: float | None = 0.01, trim: float | None = None,
                               stabilized: bool = True) -> RetentionAnalysis:
    """:func:`retention_analysis` of mentored people against the comparison group, complete cases counted."""
    frame, cov, excluded = _retention_frame(data, covariates)
    if frame.empty:
        raise MentorkitError("retention: no one has a usable follow-up time and group "
                             + "; ".join(f"{r.n} left out because {r.reason}" for r in excluded.itertuples()))
    return retention_analysis(frame, "duration_months", "event", "mentored", covariates=cov, reference=False,
                              treated=True, min_size=min_size, ties=ties, clip=clip, trim=trim,
                              stabilized=stabilized, excluded=excluded)


def program_retention(data: ProgramData, *, covariates: Sequence[str] | None = None, min_size: int | None = None,
                      ties: str = DEFAULT_TIES, clip: float | None = 0.01, trim: float | None = None,
                      stabilized: bool = True) -> pd.DataFrame:
    """Retention of mentored people against the comparison group: naive and propensity-weighted.

    See :func:`retention_analysis`; durations are in months from each person's index date.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> program_retention(ds.load("program_sample"))["method"].tolist()
    ['naive', 'ipw']
    """
    return program_retention_analysis(data, covariates=covariates, min_size=min_size, ties=ties, clip=clip,
                                      trim=trim, stabilized=stabilized).table


#: the columns of :func:`survival_curves`
CURVE_COLUMNS = ["method", "group", "time", "at_risk", "survival"]


def survival_curves(data: ProgramData, *, min_size: int | None = None, covariates: Sequence[str] | None = None) -> pd.DataFrame:
    """Kaplan-Meier curves of mentored and comparison people, naive and propensity-weighted.

    The curves the report and the outcomes dashboard both draw. Each curve stops before
    the first time at which fewer than *min_size* people of its group are still at risk
    (the weighted curve too, counted in people, not weights), so no step shows one
    person's exit.

    Returns
    -------
    DataFrame
        ``method`` (naive / weighted), ``group`` (mentored / comparison), ``time`` (months),
        ``at_risk`` (people, unweighted), ``survival``; empty when there is nobody to compare.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> c = survival_curves(ds.load("program_sample"))
    >>> sorted(c["method"].unique()), bool(c["at_risk"].min() >= 5)
    (['naive', 'weighted'], True)
    """
    size = min_group_size(min_size)
    frame, cov = retention_frame(data, covariates=covariates)
    if frame["mentored"].nunique() < 2:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    variants = [("naive", None)]
    if cov:
        frame["ipw"] = propensity_weights(frame, "mentored", cov, treated=True)
        variants.append(("weighted", "ipw"))
    naive = km_curves(frame, "duration_months", "event", "mentored", min_size=size)
    out = []
    for label, weights in variants:
        curves = naive if weights is None else km_curves(frame, "duration_months", "event", "mentored",
                                                          weights=weights, min_size=size)
        for grp, part in curves.groupby("group"):
            risk = naive[naive["group"] == grp].set_index("time")["at_risk"]
            people = risk.reindex(part["time"].to_numpy(), method="ffill").to_numpy()
            keep = np.cumprod(np.nan_to_num(people, nan=np.inf) >= size).astype(bool)
            out.append(pd.DataFrame({"method": label, "group": "mentored" if grp else "comparison",
                                     "time": part["time"].to_numpy()[keep], "at_risk": people[keep],
                                     "survival": part["survival"].to_numpy()[keep]}))
    return pd.concat(out, ignore_index=True)[CURVE_COLUMNS] if out else pd.DataFrame(columns=CURVE_COLUMNS)
