"""The trainer (L&D) dashboard: a cohort of trainee mentors, from the practice log.

Reads the practice log (:class:`mentorkit.store.PracticeLog`) named by ``MENTORKIT_DATA``
when that is a database URL, else by the ``practice_db`` setting
(``MENTORKIT_PRACTICE_DB``). When that log has no attempts yet, the bundled demo cohort
(``datasets/practice_sample``, made by playing the scenarios through the real engine) is
shown instead, and the page says so.

What it shows, all from the log's attempts and per-criterion ratings, computed by
:mod:`mentorkit.analysis.practice` and drawn by :mod:`mentorkit.analysis.figures`:

* scores per skill over time: each attempt's criteria are grouped by the skill they look
  for (``recap.takeaways`` belongs to *recap*), scored ``100 × Σ weight × points / Σ weight``
  and averaged per week; weeks with fewer trainees than the minimum group size are hidden;
* first / best / latest score per trainee (pseudonyms only), averaged over the scenarios
  they practised (per-scenario values from :meth:`PracticeLog.progress`);
* the criteria most often missed (rated Poor) in each trainee's latest attempt at a scenario;
* who is ready to mentor, by a stated rule (:class:`ReadinessRule`).

Example
-------
>>> from mentorkit.widgets.trainer import TrainerDashboard
>>> dash = TrainerDashboard(url="")
>>> dash.demo, sorted(dash.tables())
(True, ['criteria missed', 'skill trend', 'trainees'])
"""
from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
import pandas as pd

from mentorkit.analysis.practice import SKILL_NAMES, ReadinessRule
from mentorkit.errors import MentorkitError
from mentorkit.sources import PracticeData, error_line, load_practice
from mentorkit.widgets.common import (ALL, Dashboard, ExportBar, FigureView, Sections, html_view, kpi_html,
                                      message_html, snapshot_html, table_html)

__all__ = ["TrainerDashboard", "ReadinessRule", "PracticeData", "SKILL_NAMES"]


class TrainerDashboard(Dashboard):
    """A cohort of trainee mentors: skills over time, first/best/latest, criteria missed, readiness.

    Parameters
    ----------
    url : str, optional
        A practice log (database URL or SQLite path); default :func:`practice_source`.
        ``""`` shows the bundled demo cohort.
    min_size : int, optional
        Smallest group shown in breakdowns (default ``MENTORKIT_MIN_GROUP``, 5).
    rule : ReadinessRule, optional
        When a trainee counts as ready to mentor.
    """

    title = "Trainee mentors: practice progress"
    css_class = "mk-trainer"
    table_names = ("trainees", "skill trend", "criteria missed")

    def __init__(self, url: str | None = None, *, min_size: int | None = None, rule: ReadinessRule | None = None,
                 **kwargs):
        super().__init__(min_size=min_size, **kwargs)
        self.rule = rule or ReadinessRule()
        self.demo = False
        try:
            self.practice = load_practice(url)
        except MentorkitError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - the page shows one line, never a traceback
            self._fail(f"could not read the practice log ({error_line(exc)})")
            return
        self.demo = self.practice.demo
        self._build()
        self.update()

    def _fail(self, text: str) -> None:
        self.fail(message_html(text + ". Set MENTORKIT_PRACTICE_DB (or MENTORKIT_DATA) to the practice "
                               "log's file or database URL.", "error", "The practice log could not be read"), text)

    def _build(self) -> None:
        fams = sorted(self.practice.rubric["family"].unique())
        self.family = w.Dropdown(options=[ALL] + fams, value=ALL, description="Family",
                                 layout=w.Layout(width="330px"))
        self.family.add_class("mk-filter-family")
        self.family.observe(lambda _c: self.update(), names="value")
        self.kpis = html_view("mk-kpi-row")
        self.trend = FigureView("mk-trainer-trend")
        self.missed_chart = FigureView("mk-trainer-missed")
        self.trainee_table = html_view("mk-trainer-trainees")
        self.missed_table = html_view("mk-trainer-missed-table")
        self.export = ExportBar("trainer", self.tables, self.snapshot)
        # who is ready (what L&D acts on) opens first and draws no chart; the chart tabs are drawn
        # when first opened, so opening the page costs a viewer little
        self.sections = Sections([
            ("Trainees", w.VBox([
                self.kpis,
                w.HTML(f"<h3>Trainees: first, best and latest score; ready to mentor?</h3><p class='mk-sub'>Ready "
                       f"means a {html.escape(self.rule.describe())}. Scores are means over the scenarios each "
                       "trainee practised; trainees appear as pseudonyms only.</p>"), self.trainee_table])),
            ("Skills over time", w.VBox([
                w.HTML("<h3>Scores per skill over time (weekly mean)</h3>"), self.trend])),
            ("Criteria missed", w.VBox([
                w.HTML("<h3>Criteria most often missed</h3><p class='mk-sub'>Share of trainees rated Poor on the "
                       "criterion in their latest attempt at the scenario.</p>"), self.missed_chart,
                self.missed_table])),
        ], "mk-trainer-sections")
        self.lay_out(self.family, self.sections)

    def _describe(self) -> str:
        fam = "all scenario families" if self.family.value == ALL else f"family {self.family.value}"
        return f"{fam}; data: {self.practice.label}; groups under {self.min_size} hidden"

    def update(self) -> None:
        """Recompute for the chosen scenario family and redraw."""
        from mentorkit.analysis.practice import criteria_missed, skill_scores, skill_trend, trainee_progress
        from mentorkit.privacy import too_few

        p = self.practice
        a, s, prog, rubric = p.attempts, p.scores, p.progress, p.rubric
        if self.family.value != ALL:
            names = rubric.loc[rubric["family"] == self.family.value, "scenario"].unique()
            a = a[a["scenario"].isin(names)]
            s = s[s["scenario"].isin(names)]
            prog = prog[prog["scenario"].isin(names)]
        notice = message_html(p.notice, "info") if p.notice else ""
        if too_few(a["trainee"].nunique(), self.min_size):
            self.blank(notice + message_html(
                f"Fewer than {self.min_size} trainees practised {'these scenarios' if len(a) else 'yet'}; "
                "nothing is shown.", "info"))
            return
        per_skill = skill_scores(a, s, rubric)
        self._view = {
            "trainees": trainee_progress(prog, rubric, rule=self.rule),
            "skill trend": skill_trend(per_skill, min_size=self.min_size),
            "criteria missed": criteria_missed(a, s, rubric, min_size=self.min_size),
        }
        self.status.value = notice + f"<p class='mk-sub'>{html.escape(self._describe())}</p>"
        self.body.layout.display = None
        self._render(a)

    def _render(self, a: pd.DataFrame) -> None:
        from mentorkit.analysis import figures
        from mentorkit.analysis.practice import cohort_summary

        v = self._view
        t = v["trainees"]
        k = cohort_summary(t)
        self.kpis.value = kpi_html([
            (f"{k['trainees']}", "trainees", f"{len(a)} attempts"),
            (f"{k['first']:.0f}", "mean first score", "over scenarios practised"),
            (f"{k['latest']:.0f}", "mean latest score", f"best {k['best']:.0f}"),
            (f"{k['ready']}", "ready to mentor", f"of {k['trainees']}"),
        ])
        self.trend.show(figures.skill_trend_figure(v["skill trend"], SKILL_NAMES))
        self.trainee_table.value = table_html(
            t.assign(ready=np.where(t["ready"], "yes", "not yet")),
            {"first": "int", "best": "int", "latest": "int"},
            labels={"ready_in": f"scenarios at {self.rule.min_score:g}+", "ready": "ready to mentor"},
            text_cols=["why"], css_class="mk-trainee-table")
        m = v["criteria missed"]
        self.missed_chart.show(figures.criteria_missed_figure(m))
        self.missed_table.value = table_html(m, {"trainees": "int", "missed": "pct", "partly": "pct"},
                                             labels={"missed": "rated Poor", "partly": "rated Fair"})
        self.export.refresh()

    def snapshot(self) -> str:
        """A standalone HTML page of the current view."""
        if not self._view:
            return snapshot_html("Trainee mentors", [("Nothing to show", "No figures for this selection.")],
                                 subtitle=self._describe())
        blocks = [("Key figures", self.kpis.value)]
        if self.trend.figure is not None:
            blocks.append(("Scores per skill over time", self.trend.figure))
        blocks.append(("Trainees", self._view["trainees"]))
        if self.missed_chart.figure is not None:
            blocks.append(("Criteria most often missed", self.missed_chart.figure))
        blocks.append(("Criteria (all)", self._view["criteria missed"]))
        return snapshot_html("Trainee mentors: practice progress", blocks, subtitle=self._describe())
