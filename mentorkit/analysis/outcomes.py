"""Pre/post change per skill: paired effect sizes, tests and multiplicity-adjusted p-values.

Every row is one skill (a survey item such as ``conf_feedback``) measured on the same
people before and after the program. Only people who answered both waves count.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mentorkit.analysis._common import require_columns, survey_people, survey_waves, unique_values, wide_values
from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["paired_change", "wilcoxon_signed_rank", "WILCOXON_METHODS", "prepost", "program_prepost", "confidence_effect", "dose_response", "PREPOST_COLUMNS",
           "EFFECT_COLUMNS"]

PREPOST_COLUMNS = [
    "skill", "n", "mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high", "dz", "hedges_g",
    "t", "dof", "p_t", "w", "p_wilcoxon", "wilcoxon_method", "p_adjust", "p_t_adj", "p_wilcoxon_adj",
]

#: how the Wilcoxon signed-rank p-value may be computed (see :func:`wilcoxon_signed_rank`)
WILCOXON_METHODS = ("auto", "exact", "approx")
#: largest number of non-zero differences the exact test with ties enumerates (2**n sign patterns)
EXACT_TIES_MAX_N = 20


def wilcoxon_signed_rank(d: np.ndarray, *, method: str = "auto") -> tuple[float, float, str]:
    """Wilcoxon signed-rank test of paired differences *d* (zeros dropped, Wilcoxon's convention).

    Parameters
    ----------
    method : {"auto", "exact", "approx"}
        ``exact``: the exact null distribution of the statistic. Without ties it is the
        classic table; with tied absolute differences (whole-point survey scales always
        have them) it is the exact permutation distribution of the signed mid-ranks, by
        enumerating all ``2**n`` sign patterns (``n <= 20``). ``approx``: the normal
        approximation with the tie-corrected variance and a continuity correction.
        ``auto`` (the default) follows R's ``wilcox.test``: exact when there are fewer than
        50 differences and no ties, otherwise the normal approximation.

    Returns
    -------
    (w, p, method)
        The statistic (the smaller of the rank sums of the positive and of the negative
        differences, as scipy and pingouin report it), the two-sided p and
        the method actually used (``exact`` or ``approx``).

    Examples
    --------
    >>> w, p, m = wilcoxon_signed_rank(np.array([1.5, 2.5, -0.5, 3.5, 4.5, 0.25]))
    >>> w, round(p, 4), m
    (2.0, 0.0938, 'exact')
    """
    if method not in WILCOXON_METHODS:
        raise MentorkitError(f"Wilcoxon method must be one of {', '.join(WILCOXON_METHODS)}, got {method!r}")
    d = np.asarray(d, dtype=float)
    d = d[np.isfinite(d) & (d != 0)]
    n = d.size
    if n == 0:
        return np.nan, np.nan, method
    ranks = stats.rankdata(np.abs(d))
    w = float(min(ranks[d > 0].sum(), ranks[d < 0].sum()))
    ties = len(np.unique(np.abs(d))) < n
    if method == "auto":
        method = "exact" if n < 50 and not ties else "approx"
    if method == "exact" and not ties:
        res = stats.wilcoxon(d, zero_method="wilcox", alternative="two-sided", method="exact")
        return w, float(res.pvalue), "exact"
    if method == "exact":
        if n > EXACT_TIES_MAX_N:
            raise MentorkitError(f"Wilcoxon: the exact test with tied differences enumerates 2**n sign patterns; "
                                 f"n = {n} is more than {EXACT_TIES_MAX_N} (use method='approx')")
        signs = ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(float)
        null = signs @ ranks
        mean = n * (n + 1) / 4
        p = float(np.mean(np.abs(null - mean) >= abs(w - mean) - 1e-9))
        return w, min(p, 1.0), "exact"
    _, counts = np.unique(ranks, return_counts=True)
    var = (n * (n + 1) * (2 * n + 1) - np.sum(counts ** 3 - counts) / 2) / 24
    if var <= 0:
        return w, np.nan, "approx"
    diff = w - n * (n + 1) / 4
    z = (diff - np.sign(diff) * 0.5) / np.sqrt(var)
    return w, float(min(1.0, 2 * stats.norm.sf(abs(z)))), "approx"


def paired_change(pre: Sequence[float], post: Sequence[float], *, confidence: float = 0.95,
                  wilcoxon: str = "auto") -> dict:
    """Effect sizes and tests for one set of paired scores.

    Parameters
    ----------
    pre, post : array-like of float
        Scores of the same people before and after, in the same order. Pairs with a
        missing value on either side are left out.
    confidence : float
        Coverage of the interval around the mean difference.

    Returns
    -------
    dict
        ``n, mean_pre, mean_post, mean_diff, ci_low, ci_high`` (Student-t interval of
        ``post - pre``), ``dz`` (mean difference over the SD of the differences),
        ``hedges_g`` (the difference over the average SD, ``sqrt((sd_pre² + sd_post²)/2)``,
        times Hedges' correction ``1 - 3 / (4·2n - 9)``, the convention pingouin uses),
        ``t, dof, p_t`` (paired t-test), ``w, p_wilcoxon, wilcoxon_method`` (Wilcoxon
        signed-rank, zero differences dropped, computed by :func:`wilcoxon_signed_rank`
        with *wilcoxon* as its method: by default exact p for fewer than 50 differences
        without ties, otherwise the normal approximation with tie correction and continuity
        correction, as R's ``wilcox.test`` does by default; ``wilcoxon_method`` says which).

    Examples
    --------
    >>> r = paired_change([3, 4, 5, 4, 6], [5, 5, 6, 6, 7])
    >>> r["n"], round(float(r["mean_diff"]), 2)
    (5, 1.4)
    """
    a = np.asarray(pre, dtype=float)
    b = np.asarray(post, dtype=float)
    if a.shape != b.shape:
        raise MentorkitError(f"paired_change: pre and post must have the same length ({a.size} vs {b.size})")
    keep = np.isfinite(a) & np.isfinite(b)
    a, b = a[keep], b[keep]
    n = int(a.size)
    out = dict(n=n, mean_pre=np.nan, mean_post=np.nan, mean_diff=np.nan, ci_low=np.nan, ci_high=np.nan,
               dz=np.nan, hedges_g=np.nan, t=np.nan, dof=np.nan, p_t=np.nan, w=np.nan, p_wilcoxon=np.nan,
               wilcoxon_method="")
    if n == 0:
        return out
    d = b - a
    out.update(mean_pre=a.mean(), mean_post=b.mean(), mean_diff=d.mean())
    if n < 2:
        return out
    sd_d = d.std(ddof=1)
    se = sd_d / np.sqrt(n)
    half = stats.t.ppf(0.5 + confidence / 2, n - 1) * se
    out.update(ci_low=d.mean() - half, ci_high=d.mean() + half, dof=n - 1)
    if sd_d > 0:
        out["dz"] = d.mean() / sd_d
        t = d.mean() / se
        out.update(t=t, p_t=2 * stats.t.sf(abs(t), n - 1))
    sd_av = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    if sd_av > 0:
        out["hedges_g"] = d.mean() / sd_av * (1 - 3 / (4 * (2 * n) - 9))
    if np.any(d != 0):
        w, p, used = wilcoxon_signed_rank(d, method=wilcoxon)
        out.update(w=w, p_wilcoxon=p, wilcoxon_method=used)
    return out


def _adjust(p: pd.Series, method: str) -> pd.Series:
    from statsmodels.stats.multitest import multipletests

    mask = p.notna().to_numpy()
    adj = np.full(len(p), np.nan)
    if mask.any():
        adj[mask] = multipletests(p.to_numpy()[mask], method=method)[1]
    return pd.Series(adj, index=p.index)


def prepost(surveys: pd.DataFrame, *, p_adjust: str, items: Sequence[str] | None = None,
            prefix: str = "conf_", pre: str = "pre", post: str = "post",
            participants: Sequence | None = None, confidence: float = 0.95,
            id_col: str = "participant_id", wave_col: str = "wave", item_col: str = "item",
            value_col: str = "value", wilcoxon: str = "auto") -> pd.DataFrame:
    """Change from one survey wave to another, one row per skill.

    Parameters
    ----------
    surveys : DataFrame
        Long survey answers: one row per participant, wave and item.
    p_adjust : str
        Multiplicity correction across skills, passed to
        ``statsmodels.stats.multitest.multipletests`` (``"holm"`` is the usual choice).
        Required, so every report says which correction it used.
    items : list of str, optional
        Items to analyse; by default every item whose name starts with *prefix*.
    prefix : str
        Prefix of the skill items; removed to name the skill.
    pre, post : str
        The two waves compared (``post - pre``).
    participants : list, optional
        Restrict to these participant ids (for example the mentees only).
    confidence : float
        Coverage of the interval around the mean difference.
    wilcoxon : {"auto", "exact", "approx"}
        How the Wilcoxon p is computed (:func:`wilcoxon_signed_rank`).

    Returns
    -------
    DataFrame
        One row per skill with the columns in :data:`PREPOST_COLUMNS`; see
        :func:`paired_change` for their meaning. ``p_t_adj`` and ``p_wilcoxon_adj`` are
        adjusted across the skills with *p_adjust*.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"participant_id": [1, 1, 2, 2, 3, 3],
    ...                   "wave": ["pre", "post"] * 3, "item": "conf_feedback",
    ...                   "value": [4, 6, 5, 6, 3, 6]})
    >>> prepost(s, p_adjust="holm")[["skill", "n", "mean_diff"]]
          skill  n  mean_diff
    0  feedback  3        2.0
    """
    require_columns(surveys, [id_col, wave_col, item_col, value_col], "surveys")
    waves = set(unique_values(surveys[wave_col]))
    for w in (pre, post):
        if w not in waves:
            raise MentorkitError(f"surveys: column {wave_col!r} has no wave {w!r} (waves present: {sorted(map(str, waves))})")
    if items is None:
        names = pd.Series(unique_values(surveys[item_col]), dtype=object).astype(str)
        items = sorted(names[names.str.startswith(prefix)])
        if not items:
            raise MentorkitError(f"surveys: no item in column {item_col!r} starts with {prefix!r}")
    items = list(items)
    _, values = wide_values(surveys, id_col=id_col, item_col=item_col, wave_col=wave_col, value_col=value_col,
                            items=items, waves=[pre, post], ids=participants)
    return _prepost_table(values, items, prefix=prefix, p_adjust=p_adjust, confidence=confidence,
                          wilcoxon=wilcoxon)


def _prepost_table(values: np.ndarray, items: list[str], *, prefix: str, p_adjust: str,
                   confidence: float, wilcoxon: str = "auto") -> pd.DataFrame:
    """The per-skill table from an array ``[person, item, (pre, post)]``."""
    rows = []
    for k, item in enumerate(items):
        r = paired_change(values[:, k, 0], values[:, k, 1], confidence=confidence, wilcoxon=wilcoxon)
        skill = item[len(prefix):] if item.startswith(prefix) else item
        rows.append({"skill": skill, **r})
    out = pd.DataFrame(rows)
    out["p_adjust"] = p_adjust
    out["p_t_adj"] = _adjust(out["p_t"], p_adjust)
    out["p_wilcoxon_adj"] = _adjust(out["p_wilcoxon"], p_adjust)
    out["n"] = out["n"].astype(int)
    return out[PREPOST_COLUMNS]


def program_prepost(data: ProgramData, *, p_adjust: str = "holm", pre: str = "pre", post: str = "post",
                    prefix: str = "conf_", min_size: int | None = None, wilcoxon: str = "auto") -> pd.DataFrame:
    """Pre/post change per skill for the mentees and, when surveyed, the comparison group.

    The comparison group's change is the yardstick a reviewer asks for first: confidence
    can rise with time alone. Holm (or *p_adjust*) runs across skills within each group.
    A group smaller than the minimum group size is suppressed.

    Returns
    -------
    DataFrame
        ``group`` (``mentored`` / ``comparison``) followed by :data:`PREPOST_COLUMNS`.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> t = program_prepost(ds.load("program_sample"))
    >>> sorted(t["group"].unique())
    ['comparison', 'mentored']
    """
    from mentorkit.privacy import suppress

    parts = data.participants
    require_columns(parts, ["participant_id", "role"], "participants")
    s = data.surveys
    require_columns(s, ["participant_id", "wave", "item", "value"], "surveys")
    waves = set(unique_values(s["wave"]))
    for w in (pre, post):
        if w not in waves:
            raise MentorkitError(f"surveys: column 'wave' has no wave {w!r} (waves present: {sorted(map(str, waves))})")
    names = pd.Series(unique_values(s["item"]), dtype=object).astype(str)
    items = sorted(names[names.str.startswith(prefix)])
    if not items:
        raise MentorkitError(f"surveys: no item in column 'item' starts with {prefix!r}")
    role = parts.drop_duplicates("participant_id").set_index("participant_id")["role"]
    ids, values = wide_values(s, id_col="participant_id", item_col="item", wave_col="wave", value_col="value",
                              items=items, waves=[pre, post], ids=role.index[role.isin(["mentee", "comparison"])])
    person_role = role.reindex(ids).to_numpy()
    frames = []
    for label, r in (("mentored", "mentee"), ("comparison", "comparison")):
        rows = person_role == r
        if not rows.any():
            continue
        t = _prepost_table(values[rows], items, prefix=prefix, p_adjust=p_adjust, confidence=0.95,
                           wilcoxon=wilcoxon)
        t.insert(0, "group", label)
        frames.append(t)
    if not frames:
        raise MentorkitError("surveys: no mentee answered both the pre and the post survey")
    out = pd.concat(frames, ignore_index=True)
    stat_cols = [c for c in PREPOST_COLUMNS if c not in ("skill", "n", "p_adjust", "wilcoxon_method")]
    return suppress(out, "n", by=["group", "skill"], min_size=min_size, value_cols=stat_cols)


EFFECT_COLUMNS = ["skill", "n_mentored", "n_comparison", "change_mentored", "change_comparison", "diff_naive",
                  "effect", "ci_low", "ci_high", "p", "sd_pre", "d", "d_ci_low", "d_ci_high", "d_naive", "adjusted_for"]


def confidence_effect(data: ProgramData, *, covariates: Sequence[str] | None = None, pre: str = "pre", post: str = "post",
                      prefix: str = "conf_", confidence: float = 0.95) -> pd.DataFrame:
    """The program's effect on confidence: mentees' change beyond the comparison group's, adjusted.

    For each skill, and for ``all`` (each person's mean over the skills), the change
    ``post - pre`` is regressed on being mentored plus the confounders of opting in
    (ordinary least squares, HC1 robust errors). The coefficient is the adjusted difference
    in change; dividing it (and its interval) by the skill's pre-wave SD, pooled over both
    groups, puts it in SD units, the ``d`` a planted ``confidence_effect_d`` is stated in.
    ``diff_naive``/``d_naive`` is the unadjusted difference in change, biased when the
    people who opt in also grow faster anyway.

    Parameters
    ----------
    data : ProgramData
        Needs mentees and comparison-group members with pre and post answers.
    covariates : list of str, optional
        Participant columns to adjust for; default as in
        :func:`mentorkit.analysis.retention.retention_frame` (engagement, log tenure).

    Returns
    -------
    DataFrame
        One row per skill plus ``all``, columns ``EFFECT_COLUMNS``.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> t = confidence_effect(ds.load("program_sample"))
    >>> t["skill"].iloc[-1]
    'all'
    """
    import statsmodels.api as sm

    from mentorkit.analysis.retention import DEFAULT_CONFOUNDERS, LOG_SCALE, _design

    people = survey_people(data)
    if not (people["role"] == "comparison").any():
        raise MentorkitError("confidence effect: the data has no comparison group to compare the mentees' change with")
    wide = survey_waves(data, people, prefix=prefix, pre=pre, post=post)
    change = (wide[post] - wide[pre]).unstack("item")
    pre_wide = wide[pre].unstack("item")
    items = sorted(change.columns)
    change["all"] = change[items].mean(axis=1, skipna=False)
    if covariates is None:
        covariates = [c for c in DEFAULT_CONFOUNDERS if c in people.columns and people[c].notna().all()]
    else:
        require_columns(data.participants, covariates, "participants")
    cov = pd.DataFrame(index=people.index)
    used = []
    for c in covariates:
        if c in LOG_SCALE and pd.api.types.is_numeric_dtype(people[c]):
            cov[LOG_SCALE[c]] = np.log(np.clip(people[c].astype(float), 0.05, None))
            used.append(LOG_SCALE[c])
        else:
            cov[c] = people[c]
            used.append(c)
    mentored = (people["role"] == "mentee").astype(float)
    sd_items = pre_wide[items].std(ddof=1)
    rows = []
    for skill in items + ["all"]:
        y = change[skill].dropna()
        ids = y.index
        m = mentored.reindex(ids)
        X = pd.concat([m.rename("mentored"), _design(cov.reindex(ids), used)], axis=1)
        ok = X.notna().all(axis=1)
        y, X = y[ok], X[ok]
        sd = float(sd_items.mean()) if skill == "all" else float(sd_items[skill])
        fit = sm.OLS(y.to_numpy(float), sm.add_constant(X.to_numpy(float), has_constant="add")).fit(cov_type="HC1")
        est = float(fit.params[1])
        lo, hi = (float(v) for v in fit.conf_int(alpha=1 - confidence)[1])
        cm, cc = float(y[X["mentored"] == 1].mean()), float(y[X["mentored"] == 0].mean())
        rows.append({"skill": skill[len(prefix):] if skill.startswith(prefix) else skill,
                     "n_mentored": int((X["mentored"] == 1).sum()), "n_comparison": int((X["mentored"] == 0).sum()),
                     "change_mentored": cm, "change_comparison": cc, "diff_naive": cm - cc,
                     "effect": est, "ci_low": lo, "ci_high": hi, "p": float(fit.pvalues[1]), "sd_pre": sd,
                     "d": est / sd, "d_ci_low": lo / sd, "d_ci_high": hi / sd, "d_naive": (cm - cc) / sd,
                     "adjusted_for": ", ".join(used) if used else "(nothing: naive)"})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def dose_response(data: ProgramData, *, covariates: Sequence[str] | None = None, pre: str = "pre", post: str = "post",
                  prefix: str = "conf_", confidence: float = 0.95) -> pd.DataFrame:
    """Extra confidence gain per attended session, among mentees (in SD units).

    Each mentee's change in mean confidence (post minus pre) is regressed on the number of
    sessions their pair attended plus the confounders (OLS, HC1 errors); the slope is divided
    by the pooled pre-wave item SD. Attendance is not randomised: people who attend more may
    differ in ways the covariates miss, so read the slope as an association.

    Returns
    -------
    DataFrame
        One row: ``n, mean_sessions, slope, ci_low, ci_high, p, sd_pre, slope_sd, slope_sd_ci_low,
        slope_sd_ci_high, adjusted_for``.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> float(dose_response(ds.load("program_sample"))["mean_sessions"].iloc[0]) > 0
    True
    """
    import statsmodels.api as sm

    from mentorkit.analysis.retention import DEFAULT_CONFOUNDERS, LOG_SCALE

    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    mentees = parts.index[parts["role"] == "mentee"]
    s = data.surveys
    items = sorted(i for i in unique_values(s["item"]) if str(i).startswith(prefix))
    if not items:
        raise MentorkitError(f"surveys: no item in column 'item' starts with {prefix!r}")
    ids, values = wide_values(s, id_col="participant_id", item_col="item", wave_col="wave", value_col="value",
                              items=items, waves=[pre, post], ids=mentees)
    sd = float(np.nanmean(np.nanstd(values[:, :, 0], axis=0, ddof=1)))
    diff = values[:, :, 1] - values[:, :, 0]
    answered = np.isfinite(diff).any(axis=1)
    change = pd.Series(np.nanmean(diff[answered], axis=1), index=ids[answered])
    change = change[np.isfinite(change)]
    sess = data.sessions
    attended = sess.loc[sess["attended"].astype(bool), "pair_id"].value_counts()
    pair_of = data.pairs.drop_duplicates("mentee_id").set_index("mentee_id")["pair_id"]
    n_sessions = pair_of.reindex(change.index).map(attended).fillna(0).astype(float)
    if covariates is None:
        covariates = [c for c in DEFAULT_CONFOUNDERS if c in parts.columns and parts[c].reindex(change.index).notna().all()]
    cols, used = [n_sessions.to_numpy()], []
    for c in covariates:
        v = parts[c].reindex(change.index).to_numpy(dtype=float)
        if c in LOG_SCALE:
            v, c = np.log(np.clip(v, 0.05, None)), LOG_SCALE[c]
        cols.append(v)
        used.append(c)
    X = sm.add_constant(np.column_stack(cols), has_constant="add")
    ok = np.isfinite(X).all(axis=1)
    fit = sm.OLS(change.to_numpy()[ok], X[ok]).fit(cov_type="HC1")
    lo, hi = (float(v) for v in fit.conf_int(alpha=1 - confidence)[1])
    slope = float(fit.params[1])
    return pd.DataFrame([{"n": int(ok.sum()), "mean_sessions": float(n_sessions[ok].mean()), "slope": slope,
                          "ci_low": lo, "ci_high": hi, "p": float(fit.pvalues[1]), "sd_pre": sd,
                          "slope_sd": slope / sd, "slope_sd_ci_low": lo / sd, "slope_sd_ci_high": hi / sd,
                          "adjusted_for": ", ".join(used) if used else "(nothing)"}])
