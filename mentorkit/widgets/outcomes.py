"""The outcomes-and-ROI dashboard: change per skill, retention, an ROI calculator, participants' words.

The statistics come from :mod:`mentorkit.analysis` (``program_prepost``,
``program_retention``, ``survival_curves``, ``retention_improvement``, ``costed_hours``,
``roi_table``, ``equity_gaps``, ``comment_view``), the cohort selection from
:mod:`mentorkit.program.select`, the charts from :mod:`mentorkit.analysis.figures` (the same
ones the HTML report draws) and the comments from :mod:`mentorkit.cache` (names redacted,
then escaped here). This module wires the filter and lays results out.

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

import html

import ipywidgets as w
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.widgets.common import (ALL, Dashboard, ExportBar, FigureView, Sections, html_view, kpi_html,
                                      message_html, notice_html, snapshot_html, table_html)

__all__ = ["OutcomesROI", "RoiCalculator", "RETENTION_CAVEAT", "COMMENTS_SHOWN"]

#: always shown beside the retention curves
RETENTION_CAVEAT = (
    "Mentees chose to join, and the people who opt in tend to be more engaged and newer, which also "
    "keeps them longer. The naive curves mix that with the program's effect. The weighted curves "
    "re-balance the groups on the measured covariates (propensity weighting); they are fairer, but "
    "only as good as those covariates: anything unmeasured that drives both joining and staying "
    "still biases them. Neither is proof that mentoring caused the difference.")
#: how many comments are listed at once
COMMENTS_SHOWN = 10


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
        self.reading_note = html_view("mk-roi-reading-note")
        self._readings = RETENTION_READINGS

        def relabel(_c=None):
            self.replacement.description = ("Average mentee salary ($)" if self.reading.value == "salary"
                                            else "Replacement cost per leaver ($)")
            self.reading_note.value = f"<p class='mk-sub'>{html.escape(self._readings[self.reading.value])}</p>"
            self.update()
        self.reading.observe(relabel, names="value")
        self.result = html_view("mk-roi-result")
        self.scenarios = html_view("mk-roi-scenarios")
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

class OutcomesROI(Dashboard):
    """Outcomes and ROI of the program, with a cohort filter.

    *data*, *source* and *min_size* as for every :class:`~mentorkit.widgets.common.Dashboard`
    (the program given, else loaded from *source* or ``MENTORKIT_DATA``, else the bundled sample).
    """

    title = "Outcomes and ROI"
    css_class = "mk-outcomes"

    def __init__(self, data=None, *, source: str | None = None, min_size: int | None = None, **kwargs):
        super().__init__(min_size=min_size, **kwargs)
        self._cache: dict = {}
        if self.open_program(source, data):
            self._build()
            self.update()

    @property
    def redacted(self) -> pd.Series:
        """Every comment with person names replaced (:func:`mentorkit.cache.redacted_comments`)."""
        if getattr(self, "_redacted", None) is None:
            from mentorkit.cache import redacted_comments

            self._redacted = redacted_comments(self.data)
        return self._redacted

    def _build(self) -> None:
        d = self.data
        from mentorkit.privacy import filter_options

        # the people outcomes are about (mentees and the comparison group); every cohort offered has
        # enough of them, small ones are merged into "other (combined)" (privacy.filter_options)
        people = d.participants[d.participants["role"].isin(["mentee", "comparison"])]
        self._cohort_opts = filter_options(people["cohort"].reset_index(drop=True), self.min_size,
                                           people=people["participant_id"].tolist())
        self.cohort = self.choice("cohort", [ALL] + list(self._cohort_opts.options), "Cohort")
        self.prepost_chart = FigureView("mk-outcomes-prepost")
        self.prepost_table = html_view("mk-outcomes-prepost-table")
        self.retention_chart = FigureView("mk-outcomes-retention")
        self.retention_table = html_view("mk-outcomes-retention-table")
        self.caveat = html_view("mk-outcomes-caveat")
        self.equity_table = html_view("mk-outcomes-equity")
        self.roi_box = w.VBox()
        self.roi_box.add_class("mk-roi-box")
        self.roi: RoiCalculator | None = None
        self.comment_wave = w.Dropdown(options=[ALL], value=ALL, description="Wave", layout=w.Layout(width="200px"))
        self.comment_wave.add_class("mk-comment-wave")
        self.comment_search = w.Text(placeholder="words to look for", description="Search",
                                     continuous_update=False, layout=w.Layout(width="320px"))
        self.comment_search.add_class("mk-comment-search")
        self.comment_list = html_view("mk-comments")
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
        self.lay_out(self.cohort, self.sections)

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
        from mentorkit.analysis.retention import program_retention, survival_curves
        from mentorkit.analysis.roi import costed_hours, retention_improvement
        from mentorkit.privacy import too_few
        from mentorkit.program.select import select_cohort

        from mentorkit.privacy import suppress_against

        members = None if cohort in (None, "", ALL) else {v for v, o in self._cohort_opts.mapping.items() if o == cohort}
        sub = select_cohort(self.data, members)
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
            view["pre-post change"] = pp[["group", "skill", "n", "mean_pre", "mean_post", "mean_diff", "ci_low",
                                          "ci_high", "dz", "p_t_adj", "suppressed"]].reset_index(drop=True)
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
            view["equity gaps"] = gaps[["family", "measure", "breakdown", "group", "reference", "n_group",
                                        "value_group", "value_reference", "gap", "ci_low", "ci_high", "suppressed"]
                                       ].reset_index(drop=True)
        except MentorkitError as exc:
            view["equity_problem"] = str(exc)
        view["retention_raw"] = ret
        view["improvement"] = imp
        view["hours"] = costed_hours(sub)
        view["problems"] = problems
        view["redacted"] = self.redacted.reindex(sub.comments.index)
        if cohort not in (None, "", ALL):
            from mentorkit.privacy import against_whole

            against_whole(view, self._compute(ALL), self.min_size)
        self._cache[cohort] = view
        return view

    def update(self) -> None:
        """Recompute (or take from the cache) everything for the chosen cohort and redraw."""
        self.status.value = "<p class='mk-sub'>Updating…</p>"
        view = self._compute(self.cohort.value)
        if "error" in view:
            self.blank(message_html(view["error"], "info"))
            return
        self._view = view
        self.body.layout.display = None
        msgs = "".join(message_html(p, "warn") for p in view["problems"])
        self.status.value = f"<p class='mk-sub'>{html.escape(self._describe())}</p>{msgs}"
        self._render()

    # ------------------------------------------------------------ drawing
    def _render(self) -> None:
        from mentorkit.analysis import figures
        from mentorkit.analysis.report import caveats

        v = self._view
        pp = v.get("pre-post change")
        if pp is not None:
            self.prepost_table.value = table_html(
                pp, {"n": "int", "p_t_adj": "p"},
                labels={"mean_pre": "mean pre", "mean_post": "mean post", "mean_diff": "change", "ci_low": "95% CI low",
                        "ci_high": "95% CI high", "p_t_adj": "p (Holm)"})
        else:
            self.prepost_table.value = ""
        self.prepost_chart.show(figures.prepost_figure(pp if pp is not None else pd.DataFrame(
            columns=["group", "skill", "mean_diff", "ci_low", "ci_high"])))
        curves = v.get("survival curves")
        self.retention_chart.show(figures.survival_figure(curves if curves is not None else pd.DataFrame(
            columns=["method", "group", "time", "survival"])))
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

        h = v["hours"]
        sub = v["data"]
        self.roi = RoiCalculator(
            n_mentees=int((sub.participants["role"] == "mentee").sum()), n_pairs=len(sub.pairs),
            mentor_hours=h["mentor_hours"], mentee_hours=h["mentee_hours"],
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
        from mentorkit.analysis.themes import comment_view

        wave = None if self.comment_wave.value == ALL else self.comment_wave.value
        shown, reason = comment_view(sub.comments, v["redacted"], wave=wave,
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
