"""The equity lens: outcomes, access and sponsorship by demographic group and their intersections.

Programmes are asked to show that mentoring serves every group alike: that women and men,
or people of every ethnicity, gain as much confidence, stay and get promoted as often, get as
many sessions with as senior a mentor, and are offered stretch assignments, introductions
and promotion nominations (sponsorship) as often. This module answers with tidy tables:

* :func:`equity_frame` - one row per mentee with every measure the data supports;
* :func:`equity_table` - each measure by group, one-way and for every two-way intersection,
  with small-cell and complementary suppression (through :mod:`mentorkit.privacy`);
* :func:`equity_gaps` - each group against the reference group: the gap with its 95%
  interval (Newcombe's hybrid score interval for rates, Welch's for means) and a p-value.

Gaps are descriptive. A gap says *where* outcomes differ, not *why*: groups differ in role,
department, tenure and who chose to join, and with many groups and measures some gaps
are large by chance (no multiplicity adjustment is applied to the intervals).
"""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mentorkit.analysis._common import require_columns, unique_values, wide_values
from mentorkit.privacy import min_group_size, suppress
from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["MEASURES", "EQUITY_GROUPS", "CAVEAT", "equity_frame", "equity_table", "equity_gaps",
           "newcombe_interval", "welch_interval", "SPONSORSHIP_KINDS"]

#: participant columns the lens breaks results down by, when the data has them
EQUITY_GROUPS = ("gender", "ethnicity")
#: kinds of sponsorship in the ``sponsorship`` table
SPONSORSHIP_KINDS = ("stretch assignment", "introduction", "promotion nomination")

#: measure -> (family, kind, what it is); ``rate`` measures are 0/1 per person, ``mean`` ones numbers
MEASURES: dict[str, tuple[str, str, str]] = {
    "confidence_change": ("outcomes", "mean", "change in mean confidence, post minus pre (points on the 1-10 scale)"),
    "retained": ("outcomes", "rate", "still employed at the end of follow-up"),
    "promoted": ("outcomes", "rate", "promoted within the follow-up"),
    "sessions_attended": ("access", "mean", "mentoring sessions attended"),
    "mentor_level": ("access", "mean", "job level of the mentor (seniority; higher is more senior)"),
    "stretch_assignment": ("sponsorship", "rate", "offered at least one stretch assignment"),
    "introduction": ("sponsorship", "rate", "introduced by a sponsor at least once"),
    "promotion_nomination": ("sponsorship", "rate", "nominated for promotion"),
}

CAVEAT = ("Gaps are descriptive: they show where results differ between groups, not why. Groups differ in "
          "department, tenure, role and who chose to join, so a gap is not the program's doing (nor proof of "
          "bias) without further analysis; with many groups and measures, some gaps are large by chance. Groups "
          "smaller than the minimum group size, and cells that would reveal them, are hidden.")


def _by(data: ProgramData, by: Sequence[str] | None) -> list[str]:
    parts = data.participants
    if by is None:
        by = [c for c in EQUITY_GROUPS if c in parts.columns and parts[c].notna().any()]
        if not by:
            raise MentorkitError("equity: participants has no demographic column (looked for "
                                 f"{', '.join(EQUITY_GROUPS)}); pass by= with the columns to break down by")
    require_columns(parts, by, "participants")
    return list(by)


def equity_frame(data: ProgramData, by: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """One row per mentee: the demographic columns and every measure of :data:`MEASURES` the data supports.

    Returns
    -------
    (frame, measures, skipped)
        *frame* has ``participant_id``, the *by* columns and one column per measure;
        *measures* lists the measures computed; *skipped* maps each other measure to why
        it could not be (a missing table or column).

    Examples
    --------
    >>> from mentorkit.program import simulate
    >>> f, measures, skipped = equity_frame(simulate(mentees=60, seed=1))
    >>> "promotion_nomination" in measures, skipped
    (True, {})
    """
    by = _by(data, by)
    parts = data.participants.drop_duplicates("participant_id")
    mentees = parts[parts["role"] == "mentee"]
    frame = mentees[["participant_id", *by]].reset_index(drop=True)
    ids = frame["participant_id"]
    measures, skipped = [], {}
    surveys = data.surveys
    items = [i for i in map(str, unique_values(surveys["item"])) if i.startswith("conf_")]
    if items and {"pre", "post"} <= set(unique_values(surveys["wave"])):
        # one bincount pass over the answers (fast on millions of rows), then each wave's mean over the items
        idx, vals = wide_values(surveys, id_col="participant_id", item_col="item", wave_col="wave",
                                value_col="value", items=items, waves=["pre", "post"], ids=ids)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # people who skipped a wave: NaN, as intended
            change = np.nanmean(vals[:, :, 1], axis=1) - np.nanmean(vals[:, :, 0], axis=1)
        frame["confidence_change"] = pd.Series(change, index=idx).reindex(ids).to_numpy()
        measures.append("confidence_change")
    if "confidence_change" not in measures:
        skipped["confidence_change"] = "no pre and post confidence answers (surveys items conf_*)"
    out = data.outcomes.drop_duplicates("participant_id").set_index("participant_id")
    if len(out):
        frame["retained"] = (~out["exited"].astype(bool)).reindex(ids).astype(float).to_numpy()
        frame["promoted"] = out["promoted"].astype(float).reindex(ids).to_numpy()
        measures += ["retained", "promoted"]
    else:
        skipped["retained"] = skipped["promoted"] = "no outcomes table"
    pairs, sessions = data.pairs, data.sessions
    if len(pairs) and len(sessions):
        att = sessions[sessions["attended"].astype(bool)]
        per_pair = att.groupby("pair_id").size()
        per_mentee = pairs.assign(n=pairs["pair_id"].map(per_pair).fillna(0)).groupby("mentee_id")["n"].sum()
        frame["sessions_attended"] = per_mentee.reindex(ids).fillna(0).to_numpy()
        measures.append("sessions_attended")
    else:
        skipped["sessions_attended"] = "no pairs or sessions table"
    if len(pairs) and "level" in parts.columns and parts["level"].notna().any():
        level = parts.set_index("participant_id")["level"]
        first = pairs.sort_values("start_date").drop_duplicates("mentee_id").set_index("mentee_id")["mentor_id"]
        frame["mentor_level"] = first.reindex(ids).map(level).to_numpy(dtype=float)
        measures.append("mentor_level")
    else:
        skipped["mentor_level"] = "participants has no 'level' column (job level) for mentors"
    sp = getattr(data, "sponsorship", None)
    if sp is not None and len(sp):
        for kind in SPONSORSHIP_KINDS:
            name = kind.replace(" ", "_")
            got = sp.loc[sp["kind"] == kind, "participant_id"].unique()
            frame[name] = ids.isin(got).astype(float).to_numpy()
            measures.append(name)
    else:
        for kind in SPONSORSHIP_KINDS:
            skipped[kind.replace(" ", "_")] = "no sponsorship table"
    return frame, measures, skipped


def _breakdowns(by: list[str], intersections: bool) -> list[tuple[str, ...]]:
    out = [(c,) for c in by]
    if intersections:
        out += list(itertools.combinations(by, 2))
    return out


def _label(values) -> str:
    return " × ".join(str(v) for v in values)


TABLE_COLUMNS = ["family", "measure", "breakdown", "group", "n", "value", "sd", "suppressed", "suppression"]


def equity_table(data: ProgramData, by: Sequence[str] | None = None, *, intersections: bool = True,
                 min_size: int | None = None, _frame=None) -> pd.DataFrame:
    """Each measure by group (one-way and every two-way intersection), small cells suppressed.

    Suppression goes through :func:`mentorkit.privacy.suppress_small_cells` per measure and
    breakdown: a group below the minimum size is hidden, and so are the cells that would let
    it be worked out from the totals (complementary suppression, across both margins for an
    intersection).

    Returns
    -------
    DataFrame
        ``family, measure, breakdown, group, n, value, sd, suppressed, suppression``:
        ``value`` is the share (rate measures) or the mean, ``n`` the mentees with a value.

    Examples
    --------
    >>> from mentorkit.program import simulate
    >>> t = equity_table(simulate(mentees=200, seed=1))
    >>> sorted(t["breakdown"].unique())
    ['ethnicity', 'gender', 'gender × ethnicity']
    """
    frame, measures, _ = _frame if _frame is not None else equity_frame(data, by)
    by = [c for c in frame.columns if c not in ("participant_id", *MEASURES)]
    size = min_group_size(min_size)
    parts = []
    for cols in _breakdowns(by, intersections):
        f = frame.dropna(subset=list(cols))
        for m in measures:
            fam, kind, _ = MEASURES[m]
            g = f.dropna(subset=[m]).groupby(list(cols), sort=True)[m]
            t = pd.DataFrame({"n": g.size(), "value": g.mean(), "sd": g.std(ddof=1)}).reset_index()
            # every combination of the groups, empty ones too, so the totals of each line are right
            levels = [sorted(f[c].unique(), key=str) for c in cols]
            full = (pd.Index(levels[0], name=cols[0]) if len(cols) == 1
                    else pd.MultiIndex.from_product(levels, names=list(cols)))
            t = t.set_index(list(cols)).reindex(full).reset_index()
            t["n"] = t["n"].fillna(0)
            shown = suppress(t, "n", by=list(cols), min_size=size, value_cols=["value", "sd"])
            shown = shown[~((shown["n"].fillna(1) == 0) & ~shown["suppressed"])]  # drop empty, unhidden cells
            shown.insert(0, "group", [_label(v) for v in zip(*[shown[c] for c in cols])])
            shown = shown.drop(columns=list(cols))
            shown.insert(0, "breakdown", _label(cols))
            shown.insert(0, "measure", m)
            shown.insert(0, "family", fam)
            parts.append(shown)
    if not parts:
        return pd.DataFrame(columns=TABLE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[TABLE_COLUMNS]


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def newcombe_interval(x1: float, n1: float, x0: float, n0: float, confidence: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for the difference of two proportions ``x1/n1 - x0/n0``.

    Built from each group's Wilson interval (Newcombe 1998, method 10); it stays inside
    [-1, 1] and behaves near 0% and 100%, where the Wald interval does not.

    Examples
    --------
    >>> [round(v, 4) for v in newcombe_interval(56, 70, 48, 80)]
    [0.0524, 0.3339]
    """
    z = stats.norm.ppf(0.5 + confidence / 2)
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson(x1, n1, z)
    l0, u0 = _wilson(x0, n0, z)
    d = p1 - p0
    lo = d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    hi = d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return float(lo), float(hi)


def welch_interval(mean1: float, sd1: float, n1: float, mean0: float, sd0: float, n0: float,
                   confidence: float = 0.95) -> tuple[float, float, float]:
    """Welch's interval and two-sided p for the difference of two means ``mean1 - mean0``.

    Examples
    --------
    >>> [round(v, 3) for v in welch_interval(5.0, 1.0, 20, 4.0, 2.0, 30)]
    [0.138, 1.862, 0.024]

    (scipy: ``ttest_ind_from_stats(5, 1, 20, 4, 2, 30, equal_var=False)`` gives p = 0.0240.)
    """
    v1, v0 = sd1 ** 2 / n1, sd0 ** 2 / n0
    se = np.sqrt(v1 + v0)
    dof = (v1 + v0) ** 2 / (v1 ** 2 / (n1 - 1) + v0 ** 2 / (n0 - 1))
    d = mean1 - mean0
    half = stats.t.ppf(0.5 + confidence / 2, dof) * se
    p = 2 * stats.t.sf(abs(d / se), dof) if se > 0 else np.nan
    return float(d - half), float(d + half), float(p)


GAP_COLUMNS = ["family", "measure", "breakdown", "group", "reference", "n_group", "n_reference", "value_group",
               "value_reference", "gap", "ci_low", "ci_high", "p", "interval", "suppressed", "caveat"]


def equity_gaps(data: ProgramData, by: Sequence[str] | None = None, *, reference: dict | None = None, intersections: bool = True,
                min_size: int | None = None, confidence: float = 0.95, _frame=None) -> pd.DataFrame:
    """Each group against the reference group, per measure: the gap, its interval and a caveat.

    Parameters
    ----------
    reference : dict, optional
        ``{breakdown: group label}``, e.g. ``{"gender": "man"}``; default the largest shown group.

    Returns
    -------
    DataFrame
        ``family, measure, breakdown, group, reference, n_group, n_reference, value_group,
        value_reference, gap, ci_low, ci_high, p, interval, suppressed, caveat``. ``gap`` is
        group minus reference (a difference in shares for rates, in means otherwise);
        ``interval`` names the method (Newcombe hybrid score or Welch). A gap involving a
        suppressed cell is suppressed too (NaN, ``suppressed`` true).

    Examples
    --------
    >>> from mentorkit.program import simulate
    >>> g = equity_gaps(simulate(mentees=300, seed=2), by=["gender"])
    >>> set(g["reference"])
    {'man'}
    """
    fr = _frame if _frame is not None else equity_frame(data, by)
    table = equity_table(data, by, intersections=intersections, min_size=min_size, _frame=fr)
    frame = fr[0]
    reference = dict(reference or {})
    z = stats.norm.ppf(0.5 + confidence / 2)
    rows = []
    for (measure, breakdown), part in table.groupby(["measure", "breakdown"], sort=False):
        fam, kind, _ = MEASURES[measure]
        shown = part[~part["suppressed"]]
        if breakdown in reference:
            ref_label = reference[breakdown]
            if ref_label not in set(part["group"]):
                raise MentorkitError(f"equity: reference {ref_label!r} is not a group of {breakdown!r} "
                                     f"(groups: {sorted(part['group'])})")
        elif len(shown):
            ref_label = shown.sort_values(["n", "group"], ascending=[False, True])["group"].iloc[0]
        else:
            continue
        ref = part.set_index("group").loc[ref_label]
        for r in part.itertuples(index=False):
            if r.group == ref_label:
                continue
            hidden = bool(r.suppressed or ref["suppressed"])
            out = {"family": fam, "measure": measure, "breakdown": breakdown, "group": r.group,
                   "reference": ref_label, "n_group": r.n, "n_reference": ref["n"], "value_group": r.value,
                   "value_reference": ref["value"], "gap": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                   "p": np.nan, "interval": "", "suppressed": hidden, "caveat": CAVEAT}
            if not hidden and r.n >= 2 and ref["n"] >= 2:
                gap = r.value - ref["value"]
                if kind == "rate":
                    x1, x0 = r.value * r.n, ref["value"] * ref["n"]
                    lo, hi = newcombe_interval(x1, r.n, x0, ref["n"], confidence)
                    pooled = (x1 + x0) / (r.n + ref["n"])
                    se0 = np.sqrt(pooled * (1 - pooled) * (1 / r.n + 1 / ref["n"]))
                    p = float(2 * stats.norm.sf(abs(gap) / se0)) if se0 > 0 else np.nan
                    method = "Newcombe hybrid score"
                else:
                    lo, hi, p = welch_interval(r.value, r.sd, r.n, ref["value"], ref["sd"], ref["n"], confidence)
                    method = "Welch"
                out.update(gap=gap, ci_low=lo, ci_high=hi, p=p, interval=method)
            if hidden:
                out.update(n_group=np.nan if r.suppressed else r.n, value_group=np.nan)
            rows.append(out)
    _ = z, frame
    return pd.DataFrame(rows, columns=GAP_COLUMNS)
