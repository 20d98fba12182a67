"""The outcomes-and-ROI dashboard: change per skill, retention, an ROI calculator, participants' words.

The statistics come from :mod:`mentorkit.analysis` (``program_prepost``,
``program_retention``, ``retention_frame``, ``km_curves``, ``propensity_weights``,
``retention_improvement``, ``program_hours``, ``roi_table``) and the comments from
:mod:`mentorkit.privacy` (names redacted, then escaped). This module filters by cohort,
lays results out and hides small groups.

* **Pre/post**: mean change per skill, post minus pre, with 95% CIs, for mentees and the
  comparison group side by side (skills answered by fewer people than the minimum group
  size are hidden).
* **Retention**: Kaplan-Meier curves, naive and propensity-weighted, mentored against
  comparison; curves stop where fewer people than the minimum group size are still at risk.
* **ROI calculator**: sliders for hours, hourly rates, replacement cost and retention
  improvement; ROI % and the benefit-cost ratio follow at once, in a low, expected and high
  scenario (Phillips: low takes benefits low and costs high).
* **Comments**: survey comments with person names replaced by ``[name]`` and every
  character escaped, searchable, shown only when enough people commented.

Example
-------
>>> from mentorkit.widgets.outcomes import OutcomesROI
>>> dash = OutcomesROI()
>>> sorted(dash.tables())
['ROI scenarios', 'equity gaps', 'pre-post change', 'retention', 'survival curves']
"""
from __future__ import annotations

import dataclasses
import html

import ipywidgets as w
import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.widgets.common import (ALL, STYLE, ExportBar, FigureView, Sections, cached_series, fingerprint,
                                      kpi_html, message_html, min_group_size, notice_html, program_or_problem,
                                      program_problem_html, resolve_source, snapshot_html, table_html)

__all__ = ["OutcomesROI", "RoiCalculator", "filter_cohort", "survival_curves", "comment_view",
           "RETENTION_CAVEAT", "COMMENTS_SHOWN"]

#: always shown beside the retention curves
RETENTION_CAVEAT = (
    "Mentees chose to join, and the people who opt in tend to be more engaged and newer, which also "
    "keeps them longer. The naive curves mix that with the program's effect. The weighted curves "
    "re-balance the groups on the measured covariates (propensity weighting); they are fairer, but "
    "only as good as those covariates: anything unmeasured that drives both joining and staying "
    "still biases them. Neither is proof that mentoring caused the difference.")
#: how many comments are listed at once
COMMENTS_SHOWN = 10


# ----------------------------------------------------------------- data wiring

def filter_cohort(data, cohort: str | None):
    """Mentees, comparison members and mentors of *cohort* (``None``/``All``: everyone; a set: any
    of those cohorts, as the merged "other (combined)" option), with their rows.

    Example
    -------
    >>> import mentorkit.datasets as ds
    >>> d = ds.load("program_sample")
    >>> c = sorted(d.participants["cohort"].dropna().unique())[0]
    >>> set(filter_cohort(d, c).participants["cohort"]) == {c}
    True
    """
    if cohort is None or (isinstance(cohort, str) and cohort in ("", ALL)):
        return data
    if isinstance(cohort, (set, frozenset, list, tuple)):
        from mentorkit.privacy import NOT_RECORDED
        col = data.participants["cohort"].astype(object)
        parts = data.participants[col.where(col.notna(), NOT_RECORDED).astype(str).isin({str(c) for c in cohort})]
    else:
        parts = data.participants[data.participants["cohort"] == cohort]
    ids = parts["participant_id"]
    pairs = data.pairs[data.pairs["mentee_id"].isin(ids)]
    pids = pairs["pair_id"]
    return dataclasses.replace(
        data, participants=parts, pairs=pairs, sessions=data.sessions[data.sessions["pair_id"].isin(pids)],
        goals=data.goals[data.goals["pair_id"].isin(pids)], messages=data.messages[data.messages["pair_id"].isin(pids)],
        surveys=data.surveys[data.surveys["participant_id"].isin(ids)],
        outcomes=data.outcomes[data.outcomes["participant_id"].isin(ids)],
        comments=data.comments[data.comments["participant_id"].isin(ids)])


def survival_curves(data, *, min_size: int | None = None) -> pd.DataFrame:
    """Kaplan-Meier curves of mentored and comparison people, naive and propensity-weighted.

    Each curve stops before the first time at which fewer than *min_size* people of its
    group are still at risk (so no step shows one person's exit).

    Returns
    -------
    DataFrame
        ``method`` (naive / weighted), ``group`` (mentored / comparison), ``time`` (months),
        ``at_risk`` (people, unweighted), ``survival``.
    """
    from mentorkit.analysis.retention import km_curves, propensity_weights, retention_frame

    size = min_group_size(min_size)
    frame, cov = retention_frame(data)
    cols = ["method", "group", "time", "at_risk", "survival"]
    if frame["mentored"].nunique() < 2:
        return pd.DataFrame(columns=cols)
    variants = [("naive", None)]
    if cov:
        frame["ipw"] = propensity_weights(frame, "mentored", cov, treated=True)
        variants.append(("weighted", "ipw"))
    from mentorkit.privacy import cut_curve

    naive = km_curves(frame, "duration_months", "event", "mentored", min_size=size)
    out = []
    for label, weights in variants:
        curves = naive if weights is None else km_curves(frame, "duration_months", "event", "mentored",
                                                          weights=weights, min_size=size)
        for grp, part in curves.groupby("group"):
            risk = naive[naive["group"] == grp].set_index("time")["at_risk"]
            people = risk.reindex(part["time"].to_numpy(), method="ffill").to_numpy()
            out.append(pd.DataFrame({"method": label, "group": "mentored" if grp else "comparison",
                                     "time": part["time"].to_numpy(), "at_risk": people,
                                     "survival": part["survival"].to_numpy()}))
    # chart and CSV are both cut by the one rule: each curve stops before its first small risk set
    out = [cut_curve(o, group_cols=["method", "group"], min_size=size) for o in out]
    out = [o for o in out if len(o)]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def comment_view(comments: pd.DataFrame, redacted: pd.Series, *, wave: str | None = None, search: str = "",
                 min_size: int | None = None) -> tuple[pd.DataFrame, str | None]:
    """The comments to list: by *wave*, containing *search* (in the redacted text), or why none.

    Searching looks at the text after names are redacted, so a search for a person's name
    finds nothing. When fewer than *min_size* people commented in the selection nothing is
    listed (a handful of comments can be traced back to their authors).

    Returns
    -------
    (DataFrame, str or None)
        ``wave, text`` (redacted, not yet escaped) and a reason when the list is withheld.
    """
    from mentorkit.privacy import suppress_against

    size = min_group_size(min_size)
    c = comments.assign(text=redacted.reindex(comments.index))
    everyone = set(c["participant_id"])
    if wave not in (None, "", ALL):
        c = c[c["wave"] == wave]
    if c["participant_id"].nunique() < size:
        return c.iloc[0:0][["wave", "text"]], (f"Fewer than {size} people commented in this selection, so their "
                                                "comments are not shown.")
    if suppress_against(set(c["participant_id"]), everyone, min_size=size):
        return c.iloc[0:0][["wave", "text"]], ("Only a few of this selection's commenters are outside this wave, "
                                                "so its comments are not listed separately; choose All.")
    if search.strip():
        c = c[c["text"].str.contains(search.strip(), case=False, regex=False, na=False)]
    return c[["wave", "text"]], None


def _against_whole(view: dict, whole: dict, min_size: int) -> None:
    """Hide the rows of a cohort's tables that differ from the whole program's by a few people.

    Every option has enough people, but one row (a skill few answered, a small equity group,
    a late step of a curve) could still differ from the same row for "All" by fewer than the
    minimum; :func:`mentorkit.privacy.suppress_rows_against` hides such rows, and a curve
    stops at its first such step.
    """
    from mentorkit.privacy import suppress_rows_against

    if "pre-post change" in view:
        view["pre-post change"] = suppress_rows_against(
            view["pre-post change"], whole.get("pre-post change"), ["group", "skill"], "n", min_size=min_size,
            value_cols=["mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high", "dz", "p_t_adj"])
    if "retention" in view:
        t = view["retention"]
        for count, values in (("n_group", ["events_group"]), ("n_reference", ["events_reference"])):
            t = suppress_rows_against(t, whole.get("retention"), ["method"], count, min_size=min_size, flag=None,
                                      value_cols=values + ["hr", "ci_low", "ci_high", "p_cox", "max_smd_after"])
        view["retention"] = t
    if "equity gaps" in view:
        view["equity gaps"] = suppress_rows_against(
            view["equity gaps"], whole.get("equity gaps"), ["family", "measure", "breakdown", "group"], "n_group",
            min_size=min_size, value_cols=["value_group", "gap", "ci_low", "ci_high"])
    if "survival curves" in view and len(view["survival curves"]):
        c = suppress_rows_against(view["survival curves"], whole.get("survival curves"), ["method", "group", "time"],
                                  "at_risk", min_size=min_size, flag="_cut")
        keep = (~c["_cut"]).groupby([c["method"], c["group"]]).cumprod().astype(bool)
        view["survival curves"] = view["survival curves"][keep.to_numpy()].reset_index(drop=True)


# --------------------------------------------------------------- ROI calculator

def _slider(description: str, value: float, lo: float, hi: float, step: float, fmt: str, css: str) -> w.FloatSlider:
    s = w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description, readout_format=fmt,
                      continuous_update=True, style={"description_width": "190px"}, layout=w.Layout(width="560px"))
    s.add_class(css)
    return s


class RoiCalculator(w.VBox):
    """Sliders for the money assumptions; ROI % and benefit-cost ratio update as they move.

    Benefits counted: the retention benefit in one of its two readings
    (:data:`mentorkit.analysis.roi.RETENTION_READINGS`, a drop-down): replacement cost per
    leaver avoided, or salary × retention improvement (the worked example's reading).
    Costs: mentor and mentee time at their hourly rates, the platform and administration
    (sliders, starting at the per-mentee and per-pair defaults of
    :class:`mentorkit.analysis.roi.RoiAssumptions`).
    Low and high scenarios spread each input (hours ±10%, rates ±20%, replacement cost
    ±25%, retention improvement by the width of its confidence interval from the data) and
    are combined the Phillips way by :func:`mentorkit.analysis.roi.roi_table`.

    Parameters
    ----------
    n_mentees, n_pairs : int
        People mentored and pairs, from the data.
    mentor_hours, mentee_hours : float
        Hours spent (mentor hours include preparation).
    retention : dict
        ``low, expected, high`` retention improvement (proportions) from the data.
    """

    HOURS_SPREAD, RATE_SPREAD, REPLACEMENT_SPREAD = 0.10, 0.20, 0.25

    def __init__(self, *, n_mentees: int, n_pairs: int, mentor_hours: float, mentee_hours: float,
                 retention: dict, basis: str = "", **kwargs):
        from mentorkit.analysis.roi import Range, RoiAssumptions

        a = RoiAssumptions()
        self.n_mentees, self.n_pairs = int(n_mentees), int(n_pairs)
        self.platform = Range.of(a.platform_cost_per_mentee).expected * self.n_mentees
        self.admin = Range.of(a.admin_cost_per_pair).expected * self.n_pairs
        exp = float(retention["expected"])
        self.retention_down = max(exp - float(retention["low"]), 0.0) * 100
        self.retention_up = max(float(retention["high"]) - exp, 0.0) * 100
        top_h = max(10.0, 3 * mentor_hours)
        self.mentor_hours = _slider("Mentor hours (incl. preparation)", round(mentor_hours), 0, round(top_h), 10,
                                    ",.0f", "mk-roi-mentor-hours")
        self.mentor_rate = _slider("Mentor hourly rate ($)", Range.of(a.mentor_rate).expected, 10, 250, 1, ",.0f",
                                   "mk-roi-mentor-rate")
        self.mentee_hours = _slider("Mentee hours", round(mentee_hours), 0, round(max(10.0, 3 * mentee_hours)), 10,
                                    ",.0f", "mk-roi-mentee-hours")
        self.mentee_rate = _slider("Mentee hourly rate ($)", Range.of(a.mentee_rate).expected, 10, 200, 1, ",.0f",
                                   "mk-roi-mentee-rate")
        self.replacement = _slider("Replacement cost per leaver ($)", Range.of(a.replacement_cost).expected,
                                   5_000, 250_000, 1_000, ",.0f", "mk-roi-replacement")
        self.improvement = _slider("Retention improvement (points)", round(exp * 100, 1), -10, 30, 0.1, ".1f",
                                   "mk-roi-retention")
        self.platform_cost = _slider("Platform cost ($)", self.platform, 0,
                                     max(100_000, 3 * round(self.platform)), 500, ",.0f", "mk-roi-platform")
        self.admin_cost = _slider("Administration cost ($)", self.admin, 0,
                                  max(100_000, 3 * round(self.admin)), 500, ",.0f", "mk-roi-admin")
        from mentorkit.analysis.roi import RETENTION_READINGS

        self.reading = w.Dropdown(options=[("replacement cost per leaver avoided", "replacement"),
                                           ("salary × retention improvement", "salary")],
                                  value="replacement", description="Benefit read as",
                                  style={"description_width": "initial"}, layout=w.Layout(width="32rem"))
        self.reading.add_class("mk-roi-reading")
        self.reading_note = w.HTML()
        self.reading_note.add_class("mk-roi-reading-note")
        self._readings = RETENTION_READINGS

        def relabel(_c=None):
            self.replacement.description = ("Average mentee salary ($)" if self.reading.value == "salary"
                                            else "Replacement cost per leaver ($)")
            self.reading_note.value = f"<p class='mk-sub'>{html.escape(self._readings[self.reading.value])}</p>"
            self.update()
        self.reading.observe(relabel, names="value")
        self.result = w.HTML()
        self.result.add_class("mk-roi-result")
        self.scenarios = w.HTML()
        self.scenarios.add_class("mk-roi-scenarios")
        self.table = pd.DataFrame()
        for s in self.sliders:
            s.observe(lambda _c: self.update(), names="value")
        note = (f"{self.n_mentees} mentees in {self.n_pairs} pairs. Platform and administration start at "
                f"${self.platform:,.0f} and ${self.admin:,.0f} (the default per-mentee and per-pair costs). The "
                f"retention figure starts at the data's estimate: {basis or 'see the retention section'}. Salary "
                "growth is not counted here.")
        super().__init__([w.HTML(f"<p class='mk-sub'>{html.escape(note)}</p>"), self.reading, self.reading_note,
                          *self.sliders, self.result, self.scenarios], **kwargs)
        self.add_class("mk-roi")
        relabel()

    @property
    def sliders(self) -> list[w.FloatSlider]:
        return [self.mentor_hours, self.mentor_rate, self.mentee_hours, self.mentee_rate, self.platform_cost,
                self.admin_cost, self.replacement, self.improvement]

    def compute(self) -> pd.DataFrame:
        """The low / expected / high table for the slider values (:func:`mentorkit.analysis.roi.roi_table`)."""
        from mentorkit.analysis.roi import roi_table

        def spread(v: float, f: float) -> tuple[float, float, float]:
            return (v * (1 - f), v, v * (1 + f))

        imp = self.improvement.value
        per_leaver = spread(self.replacement.value, self.REPLACEMENT_SPREAD)
        salary = self.reading.value == "salary"
        return roi_table(
            n_mentees=self.n_mentees, retention_reading=self.reading.value,
            replacement_cost=0.0 if salary else per_leaver, salary_base=per_leaver if salary else 0.0,
            retention_improvement=((imp - self.retention_down) / 100, imp / 100, (imp + self.retention_up) / 100),
            mentor_hours=spread(self.mentor_hours.value, self.HOURS_SPREAD),
            hourly_rate=spread(self.mentor_rate.value, self.RATE_SPREAD),
            mentee_hours=spread(self.mentee_hours.value, self.HOURS_SPREAD),
            mentee_rate=spread(self.mentee_rate.value, self.RATE_SPREAD),
            platform_cost=self.platform_cost.value, admin_cost=self.admin_cost.value)

    def update(self) -> None:
        """Recompute and show ROI % and the benefit-cost ratio for the current sliders."""
        try:
            t = self.compute()
        except MentorkitError as exc:
            self.table = pd.DataFrame()
            self.result.value = message_html(str(exc), "warn")
            self.scenarios.value = ""
            return
        self.table = t[["scenario", "costs", "benefits", "net_benefit", "roi_pct", "bcr"]].reset_index(drop=True)
        e = t.set_index("scenario")
        self.result.value = kpi_html([
            (f"{e.loc['expected', 'roi_pct']:,.0f}%", "ROI (expected)",
             f"low {e.loc['low', 'roi_pct']:,.0f}% · high {e.loc['high', 'roi_pct']:,.0f}%"),
            (f"{e.loc['expected', 'bcr']:,.2f}", "benefit-cost ratio (expected)",
             f"low {e.loc['low', 'bcr']:,.2f} · high {e.loc['high', 'bcr']:,.2f}"),
            (f"${e.loc['expected', 'net_benefit']:,.0f}", "net benefit (expected)", ""),
        ]).replace("class='mk-kpi'", "class='mk-kpi mk-roi-kpi'", 2)
        self.scenarios.value = table_html(self.table, {"costs": "money", "benefits": "money", "net_benefit": "money",
                                                       "roi_pct": "int"},
                                          labels={"net_benefit": "net benefit", "roi_pct": "ROI %",
                                                  "bcr": "benefit-cost ratio"})


# ----------------------------------------------------------------------- widget

class OutcomesROI(w.VBox):
    """Outcomes and ROI of the program, with a cohort filter.

    Parameters
    ----------
    data : ProgramData, optional
        The program; default loaded from ``MENTORKIT_DATA`` or the bundled sample.
    source : str, optional
        A folder or database URL to load instead of ``MENTORKIT_DATA``.
    min_size : int, optional
        Smallest group shown (default ``MENTORKIT_MIN_GROUP``, 5).
    """

    def __init__(self, data=None, *, source: str | None = None, min_size: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.add_class("mk-dash")
        self.add_class("mk-outcomes")
        self.min_size = min_group_size(min_size)
        self.error: str | None = None
        self.header = w.HTML(STYLE + "<h2>Outcomes and ROI</h2>")
        self.status = w.HTML()
        self.status.add_class("mk-status")
        self._view: dict = {}
        self._cache: dict = {}
        self.source = resolve_source(source)
        self.data, problem = program_or_problem(self.source, data)
        if problem:
            self._fail(problem)
            return
        self._build()
        self.update()

    def _fail(self, text: str) -> None:
        self.error = text
        self.status.value = program_problem_html(text)
        self.children = [self.header, self.status]

    @property
    def redacted(self) -> pd.Series:
        """Every comment with person names replaced (cached on disk per data version)."""
        if getattr(self, "_redacted", None) is None:
            def redact() -> pd.Series:
                from mentorkit.privacy import redact_text

                texts = self.data.comments["text"]
                return pd.Series(list(redact_text(texts)) if len(texts) else [], index=texts.index, dtype=object)
            self._redacted = cached_series("redacted-comments-v2", fingerprint(self.data), redact)
        return self._redacted

    def _build(self) -> None:
        d = self.data
        from mentorkit.privacy import filter_options

        # the people outcomes are about (mentees and the comparison group); every cohort offered has
        # enough of them, small ones are merged into "other (combined)" (privacy.filter_options)
        people = d.participants[d.participants["role"].isin(["mentee", "comparison"])]
        self._cohort_opts = filter_options(people["cohort"].reset_index(drop=True), self.min_size,
                                           people=people["participant_id"].tolist())
        self.cohort = w.Dropdown(options=[ALL] + list(self._cohort_opts.options), value=ALL, description="Cohort",
                                 layout=w.Layout(width="260px"))
        self.cohort.add_class("mk-filter-cohort")
        self.cohort.observe(lambda _c: self.update(), names="value")
        self.prepost_chart = FigureView("mk-outcomes-prepost")
        self.prepost_table = w.HTML()
        self.prepost_table.add_class("mk-outcomes-prepost-table")
        self.retention_chart = FigureView("mk-outcomes-retention")
        self.retention_table = w.HTML()
        self.retention_table.add_class("mk-outcomes-retention-table")
        self.caveat = w.HTML()
        self.caveat.add_class("mk-outcomes-caveat")
        self.equity_table = w.HTML()
        self.equity_table.add_class("mk-outcomes-equity")
        self.roi_box = w.VBox()
        self.roi_box.add_class("mk-roi-box")
        self.roi: RoiCalculator | None = None
        self.comment_wave = w.Dropdown(options=[ALL], value=ALL, description="Wave", layout=w.Layout(width="200px"))
        self.comment_wave.add_class("mk-comment-wave")
        self.comment_search = w.Text(placeholder="words to look for", description="Search",
                                     continuous_update=False, layout=w.Layout(width="320px"))
        self.comment_search.add_class("mk-comment-search")
        self.comment_list = w.HTML()
        self.comment_list.add_class("mk-comments")
        self.comment_wave.observe(lambda _c: self.show_comments(), names="value")
        self.comment_search.observe(lambda _c: self.show_comments(), names="value")
        self.export = ExportBar("outcomes-roi", self.tables, self.snapshot)
        # the ROI calculator (what a sponsor asks first) opens first and draws no chart; the chart
        # tabs are drawn when first opened, so opening the page costs a viewer little
        self.sections = Sections([
            ("ROI calculator", self.roi_box),
            ("Skills (pre/post)", w.VBox([
                w.HTML("<h3>Change in confidence per skill (post minus pre, 95% CI)</h3>"),
                self.prepost_chart, self.prepost_table])),
            ("Retention", w.VBox([
                w.HTML("<h3>Retention: mentored against comparison</h3>"),
                self.caveat, self.retention_chart, self.retention_table])),
            ("Equity", w.VBox([
                w.HTML("<h3>Outcomes, access and sponsorship by group</h3>"), self.equity_table])),
            ("Comments", w.VBox([
                w.HTML("<h3>What participants said</h3><p class='mk-sub'>Survey comments; person names are "
                       "replaced by [name]. Comments are not part of the CSV export.</p>"),
                w.HBox([self.comment_wave, self.comment_search]), self.comment_list])),
        ], "mk-outcomes-sections")
        self.body = w.VBox([self.sections])
        self.children = [self.header, self.status, self.cohort, self.body, self.export]

    # ------------------------------------------------------------ state
    def _describe(self) -> str:
        who = "all cohorts" if self.cohort.value == ALL else f"cohort {self.cohort.value}"
        return f"{who}; data: {self.source.label}; minimum group size {self.min_size}: smaller groups hidden"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables on screen, exactly as shown (hidden cells empty): what the CSV links export."""
        v = self._view
        if not v:
            return {}
        out = {name: v[name] for name in ("pre-post change", "retention", "survival curves", "equity gaps")
               if name in v}
        if self.roi is not None and len(self.roi.table):
            out["ROI scenarios"] = self.roi.table
        return out

    def _compute(self, cohort: str) -> dict:
        if cohort in self._cache:
            return self._cache[cohort]
        from mentorkit.analysis.outcomes import program_prepost
        from mentorkit.analysis.retention import program_retention
        from mentorkit.analysis.roi import program_hours, retention_improvement

        from mentorkit.privacy import suppress_against

        members = None if cohort in (None, "", ALL) else {v for v, o in self._cohort_opts.mapping.items() if o == cohort}
        sub = filter_cohort(self.data, members)
        view: dict = {"data": sub}
        role = self.data.participants["role"].isin(["mentee", "comparison"])
        everyone = set(self.data.participants.loc[role, "participant_id"])
        chosen = set(sub.participants.loc[sub.participants["role"].isin(["mentee", "comparison"]), "participant_id"])
        if suppress_against(chosen, everyone, min_size=self.min_size):
            view["error"] = (f"Fewer than {self.min_size} mentees and comparison members in this selection, or "
                             "in the rest of the program beside it; nothing is shown.")
            self._cache[cohort] = view
            return view
        problems = []
        try:
            pp = program_prepost(sub, min_size=self.min_size)
            pp = pp.drop(columns=["suppression"]).rename(columns={"suppressed": "hidden"})
            view["pre-post change"] = pp[["group", "skill", "n", "mean_pre", "mean_post", "mean_diff", "ci_low",
                                          "ci_high", "dz", "p_t_adj", "hidden"]].reset_index(drop=True)
        except MentorkitError as exc:
            problems.append(f"Pre/post: {exc}")
        try:
            ret = program_retention(sub, min_size=self.min_size)
            view["retention"] = ret[["method", "n_group", "n_reference", "events_group", "events_reference", "hr",
                                     "ci_low", "ci_high", "p_cox", "max_smd_after", "note"]].reset_index(drop=True)
            view["survival curves"] = survival_curves(sub, min_size=self.min_size)
            imp = retention_improvement(sub, retention=ret)
        except MentorkitError as exc:
            problems.append(f"Retention: {exc}")
            ret, imp = None, {"low": 0.0, "expected": 0.0, "high": 0.0, "basis": "no retention estimate"}
        try:
            from mentorkit.analysis.equity import equity_gaps

            gaps = equity_gaps(sub, min_size=self.min_size)
            gaps = gaps.rename(columns={"suppressed": "hidden"})
            view["equity gaps"] = gaps[["family", "measure", "breakdown", "group", "reference", "n_group",
                                        "value_group", "value_reference", "gap", "ci_low", "ci_high", "hidden"]
                                       ].reset_index(drop=True)
        except MentorkitError as exc:
            view["equity_problem"] = str(exc)
        view["retention_raw"] = ret
        view["improvement"] = imp
        view["hours"] = program_hours(sub)
        view["problems"] = problems
        view["redacted"] = self.redacted.reindex(sub.comments.index)
        if cohort not in (None, "", ALL):
            _against_whole(view, self._compute(ALL), self.min_size)
        self._cache[cohort] = view
        return view

    def update(self) -> None:
        """Recompute (or take from the cache) everything for the chosen cohort and redraw."""
        self.status.value = "<p class='mk-sub'>Updating…</p>"
        view = self._compute(self.cohort.value)
        if "error" in view:
            self._view = {}
            self.status.value = message_html(view["error"], "info")
            self.body.layout.display = "none"
            self.export.refresh()
            return
        self._view = view
        self.body.layout.display = None
        msgs = "".join(message_html(p, "warn") for p in view["problems"])
        self.status.value = f"<p class='mk-sub'>{html.escape(self._describe())}</p>{msgs}"
        self._render()

    # ------------------------------------------------------------ drawing
    def _render(self) -> None:
        import plotly.graph_objects as go

        from mentorkit.analysis.report import caveats

        v = self._view
        pp = v.get("pre-post change")
        fig = go.Figure()
        if pp is not None:
            for grp, color, shift in (("mentored", "#0969da", 0.12), ("comparison", "#8c959f", -0.12)):
                part = pp[(pp["group"] == grp) & pp["mean_diff"].notna()]
                if part.empty:
                    continue
                fig.add_trace(go.Scatter(
                    x=part["mean_diff"], y=part["skill"].str.replace("_", " "), mode="markers", name=grp,
                    marker=dict(color=color, size=9),
                    error_x=dict(type="data", symmetric=False, array=part["ci_high"] - part["mean_diff"],
                                 arrayminus=part["mean_diff"] - part["ci_low"])))
            self.prepost_table.value = table_html(
                pp, {"n": "int", "p_t_adj": "p"},
                labels={"mean_pre": "mean pre", "mean_post": "mean post", "mean_diff": "change", "ci_low": "95% CI low",
                        "ci_high": "95% CI high", "p_t_adj": "p (Holm)"})
        else:
            self.prepost_table.value = ""
        fig.add_vline(x=0, line_dash="dot")
        fig.update_layout(title="Change in confidence (points on the 1-10 scale)", height=340,
                          margin=dict(l=130, t=40), legend=dict(orientation="h", y=-0.25))
        self.prepost_chart.show(fig)

        curves = v.get("survival curves")
        fig = go.Figure()
        if curves is not None:
            for (method, grp), part in curves.groupby(["method", "group"], sort=False):
                fig.add_trace(go.Scatter(x=part["time"], y=part["survival"], mode="lines", line_shape="hv",
                                         name=f"{grp} ({method})",
                                         line=dict(color="#0969da" if grp == "mentored" else "#8c959f",
                                                   dash="dot" if method == "naive" else "solid")))
        fig.update_layout(title="Still employed (Kaplan-Meier): dotted naive, solid weighted", height=380,
                          xaxis_title="months since the cohort started", yaxis_title="share still employed",
                          yaxis_tickformat=".0%", margin=dict(t=40), legend=dict(orientation="h", y=-0.25))
        self.retention_chart.show(fig)
        ret = v.get("retention_raw")
        notes = [RETENTION_CAVEAT]
        if ret is not None:
            notes += [c for c in caveats({"retention": ret}) if c.startswith("Retention")]
            self.retention_table.value = table_html(
                v["retention"], {"n_group": "int", "n_reference": "int", "events_group": "int",
                                 "events_reference": "int", "p_cox": "p"},
                labels={"n_group": "mentored", "n_reference": "comparison", "events_group": "mentored who left",
                        "events_reference": "comparison who left", "hr": "hazard ratio", "ci_low": "95% CI low",
                        "ci_high": "95% CI high", "p_cox": "p", "max_smd_after": "max |SMD| after"},
                text_cols=["note"])
        else:
            self.retention_table.value = ""
        self.caveat.value = "".join(notice_html(n) for n in notes)

        from mentorkit.analysis.equity import CAVEAT as EQUITY_CAVEAT

        gaps = v.get("equity gaps")
        if gaps is not None:
            self.equity_table.value = notice_html(EQUITY_CAVEAT) + table_html(
                gaps, {"n_group": "int"},
                labels={"n_group": "n", "value_group": "group", "value_reference": "reference", "ci_low": "95% CI low",
                        "ci_high": "95% CI high"})
        else:
            self.equity_table.value = message_html(v.get("equity_problem", "No equity breakdown."), "info")

        from mentorkit.analysis.roi import RoiAssumptions

        h = v["hours"]
        a_prep = RoiAssumptions().mentor_prep_ratio
        sub = v["data"]
        self.roi = RoiCalculator(
            n_mentees=int((sub.participants["role"] == "mentee").sum()), n_pairs=len(sub.pairs),
            mentor_hours=h["mentor_hours"] * (1 + a_prep), mentee_hours=h["mentee_hours"],
            retention=v["improvement"], basis=v["improvement"].get("basis", ""))
        for s in self.roi.sliders:
            s.observe(lambda _c: self.export.refresh(), names="value")
        self.roi_box.children = [self.roi]
        waves = [ALL] + sorted(sub.comments["wave"].dropna().unique().tolist()) if len(sub.comments) else [ALL]
        self.comment_wave.options = waves
        self.comment_wave.value = ALL
        self.show_comments()
        self.export.refresh()

    def show_comments(self) -> None:
        """List the comments for the chosen wave and search words (redacted, escaped)."""
        v = self._view
        if not v:
            self.comment_list.value = ""
            return
        sub = v["data"]
        shown, reason = comment_view(sub.comments, v["redacted"], wave=self.comment_wave.value,
                                     search=self.comment_search.value, min_size=self.min_size)
        if reason:
            self.comment_list.value = message_html(reason, "info")
            return
        if shown.empty:
            self.comment_list.value = "<p class='mk-sub'>No comment matches.</p>"
            return
        items = "".join(f"<div class='mk-comment'><span class='mk-sub'>{html.escape(str(r.wave))}:</span> "
                        f"{html.escape(str(r.text))}</div>" for r in shown.head(COMMENTS_SHOWN).itertuples())
        self.comment_list.value = (f"<p class='mk-sub'>{len(shown)} comment(s)"
                                   f"{'; the first ' + str(COMMENTS_SHOWN) + ' are shown' if len(shown) > COMMENTS_SHOWN else ''}."
                                   f"</p>{items}")

    def snapshot(self) -> str:
        """A standalone HTML page of the current view (see :func:`mentorkit.widgets.common.snapshot_html`)."""
        if not self._view:
            return snapshot_html("Outcomes and ROI", [("Nothing to show", "No figures for this selection.")],
                                 subtitle=self._describe() if self.data is not None else "")
        blocks: list = []
        for view, table in ((self.prepost_chart, "pre-post change"), (self.retention_chart, "retention")):
            if view.figure is not None:
                blocks.append((view.figure.layout.title.text or "", view.figure))
            if table in self._view:
                blocks.append((table.capitalize(), self._view[table]))
        blocks.append(("Caveats", self.caveat.value))
        if self.roi is not None:
            inputs = ", ".join(f"{s.description} {s.value:,.1f}" for s in self.roi.sliders)
            blocks.append(("ROI calculator", f"<p class='mk-sub'>{html.escape(inputs)}</p>{self.roi.result.value}"))
            blocks.append(("ROI scenarios", self.roi.table))
        return snapshot_html("Outcomes and ROI", blocks, subtitle=self._describe())
