"""The program-health dashboard: who is meeting, moving and answering, and who needs a nudge today.

Every number comes from :mod:`mentorkit.analysis.engagement` (``pair_engagement``,
``engagement_summary``, ``nudges``, ``monthly_attendance``, ``reply_time_bands``,
``overlap_bands``), the selection from :mod:`mentorkit.program.select` and every chart from
:mod:`mentorkit.analysis.figures`; this module only wires the filters and lays the results out. "Today" is the as-of date: the end of the chosen date
range, by default the latest date on which the data shows active pairs.

Privacy: every breakdown (by group, by month, by reply-time band, by working-hours overlap)
hides groups with fewer pairs than the minimum group size, with complementary suppression;
a selection with fewer pairs than that shows no figures at all. Pairs and people appear
only as the pseudonyms the loader gave them.

Example
-------
>>> from mentorkit.widgets.health import ProgramHealth
>>> dash = ProgramHealth()
>>> sorted(dash.tables())
['breakdown', 'monthly attendance', 'nudges', 'reply times', 'working-hours overlap']
"""
from __future__ import annotations

import html

import ipywidgets as w
import pandas as pd

from mentorkit.widgets.common import (ALL, Dashboard, ExportBar, FigureView, Sections, html_view, kpi_html,
                                      message_html, snapshot_html, table_html)
from mentorkit.widgets.managers import ManagerPanel

__all__ = ["ProgramHealth", "RULE_LABELS", "BREAKDOWN_CHOICES"]

#: plain words for the nudge rules of :func:`mentorkit.analysis.engagement.nudges`
RULE_LABELS = {"no_session": "no recent session", "goal_blocked": "goal blocked",
               "unanswered_message": "message unanswered"}
BREAKDOWN_CHOICES = (("mentoring model", "model"), ("cohort", "cohort"), ("region", "region"),
                     ("check-in cadence", "cadence"), ("department", "department"))


def _options(values) -> list[str]:
    from mentorkit.program.select import options

    return [ALL] + options(values)


class ProgramHealth(Dashboard):
    """Program health at a glance, with filters for cohort, model, region and date range.

    *data*, *source* and *min_size* as for every :class:`~mentorkit.widgets.common.Dashboard`
    (the program given, else loaded from *source* or ``MENTORKIT_DATA``, else the bundled
    sample); *rules* (:class:`~mentorkit.analysis.engagement.NudgeRules`) are the thresholds of
    the nudge list.
    """

    title = "Program health"
    css_class = "mk-health"
    table_names = ("breakdown", "nudges", "monthly attendance", "reply times", "working-hours overlap")

    def __init__(self, data=None, *, source: str | None = None, min_size: int | None = None, rules=None, **kwargs):
        from mentorkit.analysis.engagement import NudgeRules

        super().__init__(min_size=min_size, **kwargs)
        self.rules = rules or NudgeRules()
        if self.open_program(source, data):
            self._build()
            self.update()

    def _build(self) -> None:
        d = self.data
        mentees = d.participants[d.participants["role"] == "mentee"]
        starts = d.pairs["start_date"]
        from mentorkit.analysis.engagement import default_as_of

        self.as_of_default = default_as_of(d)
        lay = w.Layout(width="250px")
        self.cohort = w.Dropdown(options=_options(mentees["cohort"]), value=ALL, description="Cohort", layout=lay)
        self.model = w.Dropdown(options=_options(d.pairs["model"]), value=ALL, description="Model", layout=lay)
        self.region = w.Dropdown(options=_options(mentees["region"]), value=ALL, description="Region", layout=lay)
        self.start = w.DatePicker(value=starts.min().date(), description="From", layout=lay)
        self.end = w.DatePicker(value=self.as_of_default.date(), description="To (as of)", layout=lay)
        self.breakdown = w.Dropdown(options=BREAKDOWN_CHOICES, value="model", description="Break down by",
                                    style={"description_width": "initial"}, layout=w.Layout(width="290px"))
        for name in ("cohort", "model", "region", "start", "end", "breakdown"):
            widget = getattr(self, name)
            widget.add_class(f"mk-filter-{name}")
            widget.observe(lambda _change: self.update(), names="value")
        self.kpis = html_view("mk-kpi-row")
        self.trend = FigureView("mk-health-trend")
        self.plan = FigureView("mk-health-plan")
        self.goals = FigureView("mk-health-goals")
        self.replies = FigureView("mk-health-replies")
        self.overlap = FigureView("mk-health-overlap")
        self.breakdown_table = html_view("mk-health-breakdown")
        self.nudge_table = html_view("mk-health-nudges")
        self.export = ExportBar("program-health", self.tables, self.snapshot)
        self.manage = ManagerPanel()    # the outbox, mentor load, overlap and templates: built when opened
        filters = w.VBox([w.HBox([self.cohort, self.model, self.region]),
                          w.HBox([self.start, self.end, self.breakdown])])
        filters.add_class("mk-filters")
        # the overview (what a manager acts on today) opens first and draws no chart; each chart
        # tab is drawn when first opened, so opening the page costs a viewer little
        self.sections = Sections([
            ("Overview", w.VBox([self.kpis, w.HTML("<h3>Who needs a nudge today</h3>"), self.nudge_table,
                                 w.HTML("<h3>Breakdown</h3>"), self.breakdown_table])),
            ("Meetings", w.VBox([self.trend, self.plan])),
            ("Goals", w.VBox([self.goals])),
            ("Replies", w.VBox([w.HTML("<h3>Replies against the 48-hour norm</h3>"), self.replies])),
            ("Time zones", w.VBox([w.HTML("<h3>Time-zone overlap of pairs</h3>"), self.overlap])),
            ("Act", self.manage),
        ], "mk-health-sections")
        act = len(self.sections.children) - 1
        self.sections.observe(lambda _c: self.manage.reveal() if self.sections.selected_index == act else None,
                              names="selected_index")
        self.lay_out(filters, self.sections)

    # ------------------------------------------------------------ state
    @property
    def filters(self) -> dict:
        """The current filter values (``None`` for "all")."""
        pick = lambda v: None if v == ALL else v  # noqa: E731
        return {"cohort": pick(self.cohort.value), "model": pick(self.model.value), "region": pick(self.region.value),
                "start": pd.Timestamp(self.start.value), "end": pd.Timestamp(self.end.value)}

    def _describe(self) -> str:
        f = self.filters
        chosen = [f"{k} {v}" for k, v in f.items() if k in ("cohort", "model", "region") and v]
        what = ", ".join(chosen) if chosen else "all pairs"
        return (f"{what}; {f['start']:%d %b %Y} to {f['end']:%d %b %Y} (as of {f['end']:%d %b %Y}); "
                f"data: {self.source.label}; groups under {self.min_size} hidden")

    def update(self) -> None:
        """Recompute everything for the current filters and redraw."""
        from mentorkit.analysis.engagement import (engagement_summary, monthly_attendance, nudges, overlap_bands,
                                                   pair_engagement, reply_time_bands)
        from mentorkit.privacy import too_few
        from mentorkit.program.select import date_window, select_pairs

        f = self.filters
        if f["start"] > f["end"]:
            self.blank(message_html("The start of the date range is after its end; pick a start before "
                                     f"{f['end']:%d %b %Y}.", "warn"))
            return
        sel = select_pairs(self.data, cohort=f["cohort"], model=f["model"], region=f["region"])
        win = date_window(sel, f["start"], f["end"])
        n_pairs = len(win.pairs)
        if too_few(n_pairs, self.min_size):
            self.blank(message_html(
                f"{'No' if n_pairs == 0 else 'Fewer than ' + str(self.min_size)} pairs match these filters, so "
                "nothing is shown: figures about so few people could identify them. Widen the filters.", "info"))
            return
        if len(win.sessions) + len(win.messages) + len(win.goals) == 0:
            self.blank(message_html("These pairs have no sessions, goals or messages in the date range.", "info"))
            return
        pe = pair_engagement(win, as_of=f["end"])
        by = self.breakdown.value
        summary = engagement_summary(win, by=by, as_of=f["end"], rules=self.rules, min_size=self.min_size)
        overall = summary.iloc[0]  # the first row is the whole selection
        groups = summary[summary["group_by"] != "all"].drop(columns=["group_by", "suppression"])
        groups = groups.rename(columns={"group": by}).reset_index(drop=True)
        nud = nudges(sel, rules=self.rules, as_of=f["end"])
        nud = nud.assign(rule=nud["rule"].map(RULE_LABELS).fillna(nud["rule"]))
        self._view = {
            "overall": overall, "engagement": pe,
            "breakdown": groups,
            "nudges": nud[["pair_id", "mentor_id", "mentee_id", "rule", "since", "days", "detail"]].reset_index(drop=True),
            "monthly attendance": monthly_attendance(win, f["end"], min_size=self.min_size),
            "reply times": reply_time_bands(win, f["end"], min_size=self.min_size),
            "working-hours overlap": overlap_bands(pe, win.pairs, min_size=self.min_size),
        }
        self._render(pe, overall)
        self.manage.set_view(self.data, f["end"], sel)

    # ------------------------------------------------------------ drawing
    def _render(self, pe: pd.DataFrame, o: pd.Series) -> None:
        v = self._view
        self.status.value = f"<p class='mk-sub'>{html.escape(self._describe())}</p>"
        self.body.layout.display = None
        active = int(pe["active"].sum())
        n_nudge = v["nudges"]["pair_id"].nunique()
        pct = lambda x: "-" if pd.isna(x) else f"{x:.0%}"  # noqa: E731
        self.kpis.value = kpi_html([
            (f"{active}", "active pairs", f"of {len(pe)} in the range"),
            (pct(o["attendance_rate"]), "attendance", f"{int(o['sessions_attended'])} of {int(o['sessions_planned'])} sessions"),
            (pct(o["checkins_vs_plan"]), "check-ins against plan", "attended / planned by cadence"),
            (pct(o["share_on_track"]), "open goals on track",
             f"{pct(o['share_behind'])} behind, {pct(o['share_blocked'])} blocked"),
            ("-" if pd.isna(o["median_reply_hours"]) else f"{o['median_reply_hours']:.0f} h", "median reply time",
             f"{pct(o['share_replied_within_48h'])} within 48 h"),
            (f"{n_nudge}", "pairs need a nudge", f"as of {self.filters['end']:%d %b %Y}"),
        ])
        nud = v["nudges"]
        if nud.empty:
            self.nudge_table.value = message_html(f"No active pair needs a nudge as of {self.filters['end']:%d %b %Y}.",
                                                  "info")
        else:
            self.nudge_table.value = (
                f"<p class='mk-sub'>{n_nudge} pair(s), one row per reason ({len(nud)} rows). Rules: no attended session for more than "
                f"{self.rules.no_session_days:g} days, a goal blocked for more than {self.rules.goal_blocked_days:g} "
                f"days, a message unanswered for more than {self.rules.unanswered_hours:g} hours. "
                "People appear as pseudonyms only.</p>"
                + table_html(nud, {"days": "int"}, labels={"pair_id": "pair", "mentor_id": "mentor",
                                                          "mentee_id": "mentee"}, text_cols=["detail"]))
        g = v["breakdown"]
        by = self.breakdown.value
        # each chart is made only when its tab is opened (or a snapshot asks for it): a kernel
        # serving a viewer who stays on the overview never imports plotly
        from mentorkit.analysis import figures

        label = dict((b, a) for a, b in BREAKDOWN_CHOICES)[by]
        self.trend.show(lambda: figures.attendance_figure(v["monthly attendance"]))
        self.plan.show(lambda: figures.engagement_figure(g, by, label))
        self.goals.show(lambda: figures.goals_figure(g, by, label))
        self.replies.show(lambda: figures.replies_figure(v["reply times"]))
        self.overlap.show(lambda: figures.overlap_figure(v["working-hours overlap"]))
        show_cols = [by, "n_pairs", "attendance_rate", "checkins_vs_plan", "goal_completion", "share_on_track",
                     "share_behind", "share_blocked", "median_reply_hours", "share_replied_within_48h",
                     "pairs_needing_nudge", "suppressed"]
        self.breakdown_table.value = table_html(
            g[show_cols], {"n_pairs": "int", "pairs_needing_nudge": "int", "attendance_rate": "pct",
                           "checkins_vs_plan": "pct", "goal_completion": "pct", "share_on_track": "pct",
                           "share_behind": "pct", "share_blocked": "pct", "share_replied_within_48h": "pct"},
            labels={"n_pairs": "pairs", "attendance_rate": "attendance", "checkins_vs_plan": "check-ins vs plan",
                    "goal_completion": "goals done", "share_on_track": "on track", "share_behind": "behind",
                    "share_blocked": "blocked", "median_reply_hours": "median reply (h)",
                    "share_replied_within_48h": "replied in 48 h", "pairs_needing_nudge": "need a nudge"})
        self.export.refresh()

    def snapshot(self) -> str:
        """A standalone HTML page of the current view (see :func:`mentorkit.widgets.common.snapshot_html`)."""
        if not self._view:
            return snapshot_html("Program health", [("Nothing to show", html.escape(
                "No figures for this selection."))], subtitle=self._describe() if self.data is not None else "")
        blocks = [("Key figures", self.kpis.value), ("Who needs a nudge", self._view["nudges"])]
        for view in (self.trend, self.plan, self.goals, self.replies, self.overlap):
            if view.figure is not None:
                blocks.append((view.figure.layout.title.text or "", view.figure))
        blocks.append(("Breakdown", self._view["breakdown"]))
        return snapshot_html("Program health", blocks, subtitle=self._describe())
