"""Outcomes research on mentoring program data: one topic module per question.

Every function returns a tidy :class:`pandas.DataFrame` (named columns, one row per thing),
so notebooks, the CLI and the dashboards share the same numbers.

=================  =========================================================
module             question
=================  =========================================================
``engagement``     are pairs meeting, progressing and answering? who needs a nudge?
``outcomes``       did confidence in each skill change from pre to post?
``reliability``    do the multi-item scales hang together (Cronbach's alpha)?
``retention``      do mentored people stay longer, once selection is accounted for?
``roi``            what does the program return per dollar (Phillips)?
``power``          how many mentees does a study need?
``matching``       who should mentor whom?
``themes``         what do free-text comments talk about, and in what mood?
``equity``         do outcomes, access and sponsorship differ by group and intersection?
``report``         everything above as one standalone HTML file
=================  =========================================================
"""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # for type checkers; at run time the names are imported on first use (below)
    from mentorkit.program.data import ProgramData
    from mentorkit.analysis.engagement import NudgeRules
    from mentorkit.analysis.roi import RoiAssumptions

#: public name -> the topic module that defines it. Importing ``mentorkit.analysis`` (or one
#: topic module) loads nothing else: a dashboard kernel that only needs ``engagement`` does
#: not pay for scipy.stats, statsmodels or scikit-learn at start-up.
_EXPORTS = {
    "engagement": ("NudgeRules", "engagement_summary", "nudges", "pair_engagement"),
    "matching": ("MatchResult", "match", "rematch_suggestions"),
    "outcomes": ("paired_change", "prepost", "program_prepost"),
    "reliability": ("cronbach_alpha", "scale_reliability"),
    "equity": ("equity_frame", "equity_gaps", "equity_table"),
    "retention": ("balance_table", "compare_retention", "cox_hr", "km_curves", "km_medians", "logrank",
                  "program_retention", "program_retention_analysis", "propensity_model", "propensity_weights",
                  "retention_analysis"),
    "roi": ("RoiAssumptions", "program_roi", "roi_table"),
    "themes": ("comment_themes", "sentiment"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str):
    """Import a public name from its topic module on first use (PEP 562)."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'mentorkit.analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"mentorkit.analysis.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "analyze", "ANALYSES", "NudgeRules", "engagement_summary", "nudges", "pair_engagement", "program_prepost",
    "program_retention", "RoiAssumptions", "program_roi", "MatchResult", "match", "rematch_suggestions", "paired_change", "prepost", "cronbach_alpha",
    "scale_reliability", "balance_table", "compare_retention", "cox_hr", "km_curves", "km_medians",
    "logrank", "propensity_weights", "roi_table", "comment_themes", "sentiment", "program_retention_analysis",
    "propensity_model", "retention_analysis", "equity_frame", "equity_gaps", "equity_table", "SKIPPED_COLUMNS",
]

#: the analyses :func:`analyze` runs, in order (the keys of its result)
ANALYSES = ("engagement", "prepost", "reliability", "retention", "roi", "equity")

#: columns of the ``skipped`` table of :func:`analyze`
SKIPPED_COLUMNS = ["analysis", "reason"]


def analyze(data: ProgramData, *, p_adjust: str = "holm", rules: NudgeRules | None = None, breakdown: str = "model",
            covariates: list[str] | None = None, assumptions: RoiAssumptions | None = None,
            timings: dict | None = None, progress: Callable[[str], None] | None = None, ties: str = "efron",
            clip: float | None = 0.01, trim: float | None = None, stabilized: bool = True) -> dict[str, pd.DataFrame]:
    """Run the standard evaluation of a program.

    Parameters
    ----------
    data : ProgramData
        From :func:`mentorkit.program.load`, :func:`mentorkit.datasets.load` or the simulator.
    p_adjust : str
        Multiplicity correction across skills for the pre/post tests.
    rules : NudgeRules, optional
        Thresholds of the nudge rules counted in the engagement table.
    breakdown : str
        Group column of the engagement table (small groups suppressed).
    covariates : list of str, optional
        Confounders for the propensity-weighted retention comparison.
    assumptions : RoiAssumptions, optional
        Money figures for the ROI.
    ties : {"efron", "breslow"}
        Tied exit times in the Cox models (Efron by default, as R and lifelines).
    clip, trim, stabilized
        Propensity-weight options (:func:`mentorkit.analysis.retention.propensity_model`):
        clip scores into ``[clip, 1 - clip]``; leave out people outside ``[trim, 1 - trim]``;
        stabilised weights.
    timings : dict, optional
        Filled with the seconds each analysis took.
    progress : callable, optional
        Called with each analysis name as it starts.

    Returns
    -------
    dict of DataFrame
        ``engagement`` (:func:`engagement_summary`), ``prepost`` (:func:`program_prepost`),
        ``reliability`` (:func:`scale_reliability`), ``retention`` (:func:`program_retention`),
        ``roi`` (:func:`program_roi`), and with the retention analysis its ``retention_medians``
        (with the number at risk), ``retention_diagnostics`` (ties, proportional hazards,
        propensity convergence, separation, clipping, effective sample sizes, balance, rows
        left out), ``balance`` and ``overlap`` (when propensity weighting ran); ``equity``
        (:func:`equity_gaps`) and ``equity_table`` (:func:`equity_table`) when participants
        carry demographic columns; and ``skipped`` (``analysis, reason``): every analysis the
        data does not support (a table or column it needs is missing or empty), with why.
        Only when no analysis at all can run is an error raised.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> out = analyze(ds.load("program_sample"))
    >>> sorted(out)  # doctest: +NORMALIZE_WHITESPACE
    ['balance', 'engagement', 'equity', 'equity_table', 'overlap', 'prepost', 'reliability', 'retention',
     'retention_diagnostics', 'retention_medians', 'roi', 'skipped']
    >>> len(out["skipped"])
    0
    """
    from mentorkit.errors import MentorkitError
    from mentorkit.analysis.engagement import engagement_summary
    from mentorkit.analysis.outcomes import program_prepost
    from mentorkit.analysis.reliability import scale_reliability
    from mentorkit.analysis.retention import program_retention_analysis
    from mentorkit.analysis.roi import program_roi

    def equity():
        from mentorkit.analysis.equity import EQUITY_GROUPS, equity_frame, equity_gaps, equity_table

        if not any(c in data.participants.columns and data.participants[c].notna().any() for c in EQUITY_GROUPS):
            raise MentorkitError("participants has no demographic column (" + ", ".join(EQUITY_GROUPS) + ")")
        fr = equity_frame(data)
        extra["equity_table"] = equity_table(data, _frame=fr)
        return equity_gaps(data, _frame=fr)

    def retention():
        res = program_retention_analysis(data, covariates=covariates, ties=ties, clip=clip, trim=trim,
                                         stabilized=stabilized)
        extra["retention_medians"] = res.medians
        extra["retention_diagnostics"] = res.diagnostics
        if res.balance is not None:
            extra["balance"] = res.balance
            extra["overlap"] = res.overlap
        return res.table

    steps = {
        "engagement": lambda: engagement_summary(data, by=breakdown, rules=rules),
        "prepost": lambda: program_prepost(data, p_adjust=p_adjust),
        "reliability": lambda: scale_reliability(data.surveys),
        "retention": retention,
        "roi": lambda: program_roi(data, assumptions, retention=out.get("retention"), covariates=covariates),
        "equity": equity,
    }
    out: dict[str, pd.DataFrame] = {}
    extra: dict[str, pd.DataFrame] = {}
    skipped: list[dict] = []
    for name in ANALYSES:
        if progress is not None:
            progress(name)
        start = time.perf_counter()
        try:
            out[name] = steps[name]()
        except MentorkitError as exc:  # the data does not support this analysis: say so, run the others
            skipped.append({"analysis": name, "reason": str(exc)})
            extra.clear()
        if timings is not None:
            timings[name] = time.perf_counter() - start
        out.update(extra)
        extra.clear()
    if len(skipped) == len(ANALYSES):
        raise MentorkitError("no analysis could run on this data: "
                             + "; ".join(f"{s['analysis']}: {s['reason']}" for s in skipped))
    out["skipped"] = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    return out
