"""The program-health dashboard: who is meeting, moving and answering, and who needs a nudge today.

Every number comes from :mod:`mentorkit.analysis.engagement` (``pair_engagement``,
``engagement_summary``, ``nudges``); this module only filters the program data, lays the
results out and hides small groups. "Today" is the as-of date: the end of the chosen date
range, by default the latest date on which the data shows active pairs.

Privacy: every breakdown (by group, by month, by reply-time band, by working-hours overlap)
hides groups with fewer pairs than the minimum group size, with complementary suppression.
Each view is one more query over the same pairs (:mod:`mentorkit.privacy`): a filter offers
only values with enough pairs (small ones merged into "other (combined)"), a selection is
shown only when it and its complement within every wider selection (the same view without
one of its filters) have enough pairs, and a date range is widened to whole months that
each hold enough pairs. Pairs and people appear only as salted pseudonyms.

Example
-------
>>> from mentorkit.widgets.health import ProgramHealth
>>> dash = ProgramHealth()
>>> sorted(dash.tables())
['breakdown', 'monthly attendance', 'nudges', 'reply times', 'working-hours overlap']
"""
from __future__ import annotations

import dataclasses
import html
import ipywidgets as w
import numpy as np
import pandas as pd

from mentorkit.widgets.common import (ALL, STYLE, ExportBar, FigureView, Sections, hide_small, kpi_html, message_html,
                                      min_group_size, program_or_problem, program_problem_html, resolve_source,
                                      shown_ids, snapshot_html, table_html)
from mentorkit.widgets.managers import ManagerPanel

__all__ = ["ProgramHealth", "filter_program", "date_window", "default_as_of", "monthly_attendance",
           "reply_time_bands", "overlap_bands", "RULE_LABELS", "REPLY_BANDS", "OVERLAP_BANDS"]

#: plain words for the nudge rules of :func:`mentorkit.analysis.engagement.nudges`
RULE_LABELS = {"no_session": "no recent session", "goal_blocked": "goal blocked",
               "unanswered_message": "message unanswered"}
#: reply-time bands in hours: (label, low inclusive, high exclusive)
REPLY_BANDS = (("under 12 h", 0, 12), ("12-24 h", 12, 24), ("24-48 h", 24, 48), ("48-72 h", 48, 72),
               ("72 h-1 week", 72, 168), ("over 1 week", 168, np.inf))
#: working-hours overlap bands in hours: (label, low inclusive, high exclusive)
OVERLAP_BANDS = (("none", 0, 0.5), ("under 2 h", 0.5, 2), ("2-4 h", 2, 4), ("4-6 h", 4, 6),
                 ("6-8 h", 6, 8), ("full day", 8, 25))
BREAKDOWN_CHOICES = (("mentoring model", "model"), ("cohort", "cohort"), ("region", "region"),
                     ("check-in cadence", "cadence"), ("department", "department"))


# ----------------------------------------------------------------- data wiring

def filter_program(data, *, cohort=None, model=None, region=None):
    """The part of *data* about the pairs whose mentee is in *cohort* and *region*, in *model*.

    ``None`` or :data:`~mentorkit.widgets.common.ALL` means no filter; a list or set means
    any of those values (a merged "other (combined)" option). Returns a new
    :class:`~mentorkit.program.ProgramData` with every table cut to those pairs and people.

    Example
    -------
    >>> import mentorkit.datasets as ds
    >>> d = ds.load("program_sample")
    >>> set(filter_program(d, model="group").pairs["model"])
    {'group'}
    """
    def chosen(v):
        return not (v is None or (isinstance(v, str) and v in ("", ALL)))

    def keep(col: pd.Series, v) -> pd.Series:
        if isinstance(v, (list, set, tuple, frozenset)):
            from mentorkit.privacy import NOT_RECORDED
            return col.astype(object).where(col.notna(), NOT_RECORDED).astype(str).isin({str(x) for x in v})
        return col == v

    parts = data.participants
    mentees = parts[parts["role"] == "mentee"]
    if chosen(cohort):
        mentees = mentees[keep(mentees["cohort"], cohort)]
    if chosen(region):
        mentees = mentees[keep(mentees["region"], region)]
    pairs = data.pairs[data.pairs["mentee_id"].isin(mentees["participant_id"])]
    if chosen(model):
        pairs = pairs[keep(pairs["model"], model)]
    ids = pairs["pair_id"]
    people = pd.concat([pairs["mentor_id"], pairs["mentee_id"]])
    return dataclasses.replace(
        data, participants=parts[parts["participant_id"].isin(people)], pairs=pairs,
        sessions=data.sessions[data.sessions["pair_id"].isin(ids)], goals=data.goals[data.goals["pair_id"].isin(ids)],
        messages=data.messages[data.messages["pair_id"].isin(ids)],
        surveys=data.surveys[data.surveys["participant_id"].isin(pairs["mentee_id"])],
        outcomes=data.outcomes[data.outcomes["participant_id"].isin(pairs["mentee_id"])],
        comments=data.comments[data.comments["participant_id"].isin(pairs["mentee_id"])])


def date_window(data, start, end):
    """*data* cut to the pairs running at some point in ``[start, end]`` and the activity in it.

    Pairs that started before *start* are counted from *start* (so check-ins are planned
    only for the days inside the window); sessions and messages before *start* are left
    out. Goal snapshots are kept up to *end* (a goal's status history starts before the
    window). Activity after *end* is ignored by the engagement measures themselves.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    p = data.pairs
    p = p[(p["start_date"] <= end) & (p["end_date"].isna() | (p["end_date"] >= start))].copy()
    p["start_date"] = p["start_date"].where(p["start_date"] >= start, start)
    ids = p["pair_id"]
    s = data.sessions
    s = s[s["pair_id"].isin(ids) & (s["date"] >= start)]
    m = data.messages
    m = m[m["pair_id"].isin(ids) & (m["sent_at"] >= start)]
    g = data.goals[data.goals["pair_id"].isin(ids)]
    return dataclasses.replace(data, pairs=p, sessions=s, messages=m, goals=g)


def default_as_of(data) -> pd.Timestamp:
    """The latest activity date, moved back to the last day a pair was running if all had ended.

    A program export usually runs up to today; the bundled sample ends after its last
    cohort, when no pair is active any more, so "today" there is the last day of a pair.
    """
    from mentorkit.analysis.engagement import as_of_date

    latest = as_of_date(data)
    ends = data.pairs["end_date"]
    if len(ends) and ends.notna().all() and ends.max() < latest:
        return pd.Timestamp(ends.max()).normalize()
    return latest


def monthly_attendance(data, end, *, min_size: int | None = None) -> pd.DataFrame:
    """Sessions planned and attended per calendar month up to *end*, months with few pairs hidden.

    Returns ``month, pairs, planned, attended, attendance_rate, hidden``.
    """
    s = data.sessions[data.sessions["date"] <= pd.Timestamp(end)]
    if s.empty:
        return pd.DataFrame(columns=["month", "pairs", "planned", "attended", "attendance_rate", "hidden"])
    month = s["date"].dt.to_period("M").astype(str)
    t = s.groupby(month).agg(pairs=("pair_id", "nunique"), planned=("attended", "size"),
                             attended=("attended", "sum")).reset_index(names="month")
    t["attendance_rate"] = t["attended"] / t["planned"]
    t = t.astype({"planned": float, "attended": float, "pairs": float})
    return hide_small(t, "pairs", by=["month"], min_size=min_size,
                      value_cols=["planned", "attended", "attendance_rate"])


def reply_time_bands(data, end, *, min_size: int | None = None) -> pd.DataFrame:
    """Messages per reply-time band (plus ``unanswered``), bands with few pairs hidden.

    Returns ``band, pairs, messages, share, hidden`` (share of all messages sent by *end*).
    """
    end = pd.Timestamp(end) + pd.Timedelta(days=1)
    m = data.messages[data.messages["sent_at"] <= end]
    hours = (m["replied_at"] - m["sent_at"]).dt.total_seconds() / 3600
    hours = hours.where(m["replied_at"] <= end)
    labels = np.full(len(m), "unanswered", dtype=object)
    for label, lo, hi in REPLY_BANDS:
        labels[((hours >= lo) & (hours < hi)).to_numpy()] = label
    order = [b[0] for b in REPLY_BANDS] + ["unanswered"]
    g = pd.DataFrame({"band": labels, "pair_id": m["pair_id"].to_numpy()})
    t = g.groupby("band").agg(pairs=("pair_id", "nunique"), messages=("pair_id", "size"))
    t = t.reindex(order, fill_value=0).reset_index()
    t["share"] = t["messages"] / max(len(m), 1)
    t = t.astype({"pairs": float, "messages": float})
    return hide_small(t, "pairs", by=["band"], min_size=min_size, value_cols=["messages", "share"])


def overlap_bands(engagement: pd.DataFrame, pairs: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """Pairs and their attendance per band of working-hours overlap, bands with few pairs hidden.

    Returns ``overlap, pairs, attendance_rate, checkins_vs_plan, hidden``; empty when the
    data has no ``overlap_hours``.
    """
    cols = ["overlap", "pairs", "attendance_rate", "checkins_vs_plan", "hidden"]
    if "overlap_hours" not in pairs.columns or pairs["overlap_hours"].isna().all():
        return pd.DataFrame(columns=cols)
    e = engagement.merge(pairs[["pair_id", "overlap_hours"]], on="pair_id", how="left")
    e = e[e["overlap_hours"].notna()]
    rows = []
    for label, lo, hi in OVERLAP_BANDS:
        part = e[(e["overlap_hours"] >= lo) & (e["overlap_hours"] < hi)]
        planned, attended = part["sessions_planned"].sum(), part["sessions_attended"].sum()
        expected = part["checkins_expected"].sum()
        rows.append({"overlap": label, "pairs": float(len(part)),
                     "attendance_rate": attended / planned if planned else np.nan,
                     "checkins_vs_plan": attended / expected if expected else np.nan})
    t = pd.DataFrame(rows)
    t = t[t["pairs"] > 0].reset_index(drop=True)
    return hide_small(t, "pairs", by=["overlap"], min_size=min_size,
                      value_cols=["attendance_rate", "checkins_vs_plan"])


# ----------------------------------------------------------------------- widget

def _options(values, people, min_size: int):
    """A filter's choices (:func:`mentorkit.privacy.filter_options`): ``All`` then the values with
    enough pairs, small ones merged into "other (combined)"; and the option object."""
    from mentorkit.privacy import filter_options

    opts = filter_options(pd.Series(values).reset_index(drop=True), min_size, people=list(people))
    return [ALL] + list(opts.options), opts


def _members(opts, option):
    """The raw values behind a filter *option* (``None`` for All)."""
    if option in (None, ALL):
        return None
    return {v for v, o in opts.mapping.items() if o == option}


class ProgramHealth(w.VBox):
    """Program health at a glance, with filters for cohort, model, region and date range.

    Parameters
    ----------
    data : ProgramData, optional
        The program; default loaded from ``MENTORKIT_DATA`` or the bundled sample.
    source : str, optional
        A folder or database URL to load instead of ``MENTORKIT_DATA``.
    min_size : int, optional
        Smallest group shown (default ``MENTORKIT_MIN_GROUP``, 5).
    rules : NudgeRules, optional
        Thresholds for the nudge list.

    Attributes
    ----------
    error : str or None
        Why the data could not be shown (also on the page), else None.
    """

    def __init__(self, data=None, *, source: str | None = None, min_size: int | None = None, rules=None, **kwargs):
        from mentorkit.analysis.engagement import NudgeRules

        super().__init__(**kwargs)
        self.add_class("mk-dash")
        self.add_class("mk-health")
        self.min_size = min_group_size(min_size)
        self.rules = rules or NudgeRules()
        self.error: str | None = None
        self.header = w.HTML(STYLE + "<h2>Program health</h2>")
        self.status = w.HTML()
        self.status.add_class("mk-status")
        self._view: dict = {}
        self.source = resolve_source(source)
        self.data, problem = program_or_problem(self.source, data)
        if problem:
            self._fail(problem)
            return
        self._build()
        self.update()

    # ------------------------------------------------------------ layout
    def _fail(self, text: str) -> None:
        self.error = text
        self.status.value = program_problem_html(text)
        self.children = [self.header, self.status]

    def _build(self) -> None:
        d = self.data
        mentees = d.participants[d.participants["role"] == "mentee"]
        starts = d.pairs["start_date"]
        self.as_of_default = default_as_of(d)
        lay = w.Layout(width="250px")
        # each filter offers only values with enough pairs (people counted as pairs: mentees of pairs)
        m_pairs = d.pairs.merge(mentees[["participant_id", "cohort", "region"]], left_on="mentee_id",
                                right_on="participant_id", how="left")
        cohorts, self._cohort_opts = _options(m_pairs["cohort"], m_pairs["pair_id"], self.min_size)
        models, self._model_opts = _options(d.pairs["model"], d.pairs["pair_id"], self.min_size)
        regions, self._region_opts = _options(m_pairs["region"], m_pairs["pair_id"], self.min_size)
        self.cohort = w.Dropdown(options=cohorts, value=ALL, description="Cohort", layout=lay)
        self.model = w.Dropdown(options=models, value=ALL, description="Model", layout=lay)
        self.region = w.Dropdown(options=regions, value=ALL, description="Region", layout=lay)
        self.start = w.DatePicker(value=starts.min().date(), description="From", layout=lay)
        self.end = w.DatePicker(value=self.as_of_default.date(), description="To (as of)", layout=lay)
        self.breakdown = w.Dropdown(options=BREAKDOWN_CHOICES, value="model", description="Break down by",
                                    style={"description_width": "initial"}, layout=w.Layout(width="290px"))
        for name in ("cohort", "model", "region", "start", "end", "breakdown"):
            widget = getattr(self, name)
            widget.add_class(f"mk-filter-{name}")
            widget.observe(lambda _change: self.update(), names="value")
        self.kpis = w.HTML()
        self.kpis.add_class("mk-kpi-row")
        self.trend = FigureView("mk-health-trend")
        self.plan = FigureView("mk-health-plan")
        self.goals = FigureView("mk-health-goals")
        self.replies = FigureView("mk-health-replies")
        self.overlap = FigureView("mk-health-overlap")
        self.breakdown_table = w.HTML()
        self.breakdown_table.add_class("mk-health-breakdown")
        self.nudge_table = w.HTML()
        self.nudge_table.add_class("mk-health-nudges")
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
        self.body = w.VBox([self.sections])
        self.children = [self.header, self.status, filters, self.body, self.export]

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
        lo, hi = getattr(self, "_window", (f["start"], f["end"]))
        snapped = "" if (lo, hi) == (f["start"], f["end"]) else " (widened to whole months with enough pairs)"
        return (f"{what}; {lo:%d %b %Y} to {hi:%d %b %Y}{snapped} (as of {hi:%d %b %Y}); "
                f"data: {self.source.label}; minimum group size {self.min_size}: smaller groups hidden")

    def _selection(self, f: dict, drop: str | None = None):
        """The program cut by the filters in *f* (without the filter *drop*)."""
        pick = {"cohort": _members(self._cohort_opts, f["cohort"]), "model": _members(self._model_opts, f["model"]),
                "region": _members(self._region_opts, f["region"])}
        if drop:
            pick[drop] = None
        return filter_program(self.data, **pick)

    def snap(self, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The date range widened to whole months that each hold enough pairs
        (:func:`mentorkit.privacy.snap_window`); an end on or after the data's own as-of
        date, and a start before the first session, are kept (nothing lies beyond them)."""
        from mentorkit.privacy import snap_window

        start, end = pd.Timestamp(start), pd.Timestamp(end)
        s = self.data.sessions
        if s.empty:
            return start, end
        lo, hi = snap_window(s["date"], start, end, self.min_size, people=s["pair_id"])
        lo = start if start <= s["date"].min() else min(lo, start)
        hi = end if end >= self.as_of_default else min(max(hi, end), self.as_of_default)
        return lo, hi

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables on screen, exactly as shown (hidden cells empty): what the CSV links export."""
        v = self._view
        if not v:
            return {}
        return {name: v[name] for name in ("breakdown", "nudges", "monthly attendance", "reply times",
                                           "working-hours overlap") if name in v}

    def update(self) -> None:
        """Recompute everything for the current filters and redraw."""
        from mentorkit.analysis.engagement import engagement_summary, nudges, pair_engagement

        f = self.filters
        if f["start"] > f["end"]:
            self._blank(message_html("The start of the date range is after its end; pick a start before "
                                     f"{f['end']:%d %b %Y}.", "warn"))
            return
        from mentorkit.privacy import suppress_against, too_few

        lo, hi = self._window = self.snap(f["start"], f["end"])
        f = {**f, "start": lo, "end": hi}
        sel = self._selection(f)
        win = date_window(sel, f["start"], f["end"])
        n_pairs = len(win.pairs)
        if too_few(n_pairs, self.min_size):
            self._blank(message_html(
                f"{'No' if n_pairs == 0 else 'Fewer than ' + str(self.min_size)} pairs match these filters, so "
                "nothing is shown: figures about so few people could identify them. Widen the filters.", "info"))
            return
        # one more query over the same pairs: its complement within each wider view must not be small
        wider = [set(date_window(self._selection(f, drop=k), f["start"], f["end"]).pairs["pair_id"])
                 for k in ("cohort", "model", "region") if f[k] is not None]
        if suppress_against(set(win.pairs["pair_id"]), *wider, min_size=self.min_size):
            self._blank(message_html(
                "These filters leave out only a few pairs of a wider view, so nothing is shown: comparing the two "
                "would give the figures of those few pairs. Choose other filters.", "info"))
            return
        if len(win.sessions) + len(win.messages) + len(win.goals) == 0:
            self._blank(message_html("These pairs have no sessions, goals or messages in the date range.", "info"))
            return
        pe = pair_engagement(win, as_of=f["end"])
        by = self.breakdown.value
        summary = engagement_summary(win, by=by, as_of=f["end"], rules=self.rules, min_size=self.min_size)
        overall = summary.iloc[0]  # the first row is the whole selection
        groups = summary[summary["group_by"] != "all"].drop(columns=["group_by", "suppression"])
        groups = groups.rename(columns={"group": by, "suppressed": "hidden"}).reset_index(drop=True)
        nud = nudges(sel, rules=self.rules, as_of=f["end"])
        nud = nud.assign(rule=nud["rule"].map(RULE_LABELS).fillna(nud["rule"]))
        self._view = {
            "overall": overall, "engagement": pe,
            "breakdown": groups,
            "nudges": shown_ids(nud[["pair_id", "mentor_id", "mentee_id", "rule", "since", "days", "detail"]]
                                ).reset_index(drop=True),
            "monthly attendance": monthly_attendance(win, f["end"], min_size=self.min_size),
            "reply times": reply_time_bands(win, f["end"], min_size=self.min_size),
            "working-hours overlap": overlap_bands(pe, win.pairs, min_size=self.min_size),
        }
        self._render(pe, overall)
        self.manage.set_view(self.data, f["end"], sel)

    def _blank(self, message: str) -> None:
        self._view = {}
        self.status.value = message
        self.body.layout.display = "none"
        self.export.refresh()

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
        self.trend.show(lambda: _attendance_figure(v["monthly attendance"]))
        self.plan.show(lambda: _plan_figure(g, by))
        self.goals.show(lambda: _goals_figure(g, by))
        self.replies.show(lambda: _replies_figure(v["reply times"]))
        self.overlap.show(lambda: _overlap_figure(v["working-hours overlap"]))
        show_cols = [by, "n_pairs", "attendance_rate", "checkins_vs_plan", "goal_completion", "share_on_track",
                     "share_behind", "share_blocked", "median_reply_hours", "share_replied_within_48h",
                     "pairs_needing_nudge", "hidden"]
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


# ------------------------------------------------------------------ charts

def _breakdown_label(by: str) -> str:
    return dict((b, a) for a, b in BREAKDOWN_CHOICES)[by]


def _attendance_figure(m: pd.DataFrame):
    """Sessions attended (bars) and the attendance rate (line) per month."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Bar(x=m["month"], y=m["attended"], name="sessions attended", marker_color="#9ecae1",
                         yaxis="y2"))
    fig.add_trace(go.Scatter(x=m["month"], y=m["attendance_rate"], name="attendance rate", mode="lines+markers",
                             line_color="#08519c"))
    fig.update_layout(title="Attendance by month", height=330, yaxis=dict(tickformat=".0%", range=[0, 1.05]),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, title="sessions"),
                      legend=dict(orientation="h", y=-0.2), margin=dict(t=40, r=60))
    return fig


def _plan_figure(g: pd.DataFrame, by: str):
    """Attendance and check-ins against plan per group (hidden groups have no bar)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Bar(x=g[by], y=g["attendance_rate"], name="attendance rate"))
    fig.add_trace(go.Bar(x=g[by], y=g["checkins_vs_plan"], name="check-ins against plan"))
    fig.update_layout(title=f"Check-ins against plan by {_breakdown_label(by)}", barmode="group", height=320,
                      yaxis_tickformat=".0%", margin=dict(t=40))
    return fig


def _goals_figure(g: pd.DataFrame, by: str):
    """The status mix of open goals per group."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for col, name, color in (("share_on_track", "on track", "#2da44e"), ("share_behind", "behind", "#d4a72c"),
                             ("share_blocked", "blocked", "#cf222e")):
        fig.add_trace(go.Bar(x=g[by], y=g[col], name=name, marker_color=color))
    fig.update_layout(title=f"Status of open goals by {_breakdown_label(by)}", barmode="stack", height=320,
                      yaxis_tickformat=".0%", margin=dict(t=40))
    return fig


def _replies_figure(r: pd.DataFrame):
    """Messages per reply-time band; green within the 48-hour norm."""
    import plotly.graph_objects as go

    colors = ["#2da44e"] * 3 + ["#cf222e"] * 4
    fig = go.Figure(go.Bar(x=r["band"], y=r["messages"], marker_color=colors[:len(r)],
                           text=[("" if pd.isna(s) else f"{s:.0%}") for s in r["share"]], textposition="outside"))
    fig.update_layout(title="Messages by reply time (green: within the 48-hour norm)", height=320,
                      yaxis_title="messages", margin=dict(t=40))
    return fig


def _overlap_figure(ov: pd.DataFrame):
    """Pairs (bars) and their attendance rate (line) per band of working-hours overlap."""
    import plotly.graph_objects as go

    fig = go.Figure()
    if len(ov):
        fig.add_trace(go.Bar(x=ov["overlap"], y=ov["pairs"], name="pairs", marker_color="#9ecae1", yaxis="y2"))
        fig.add_trace(go.Scatter(x=ov["overlap"], y=ov["attendance_rate"], name="attendance rate",
                                 mode="lines+markers", line_color="#08519c"))
    fig.update_layout(title="Pairs by overlap of working hours (09:00-17:00 local)", height=320,
                      yaxis=dict(tickformat=".0%", range=[0, 1.05]),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, title="pairs"),
                      legend=dict(orientation="h", y=-0.2), margin=dict(t=40, r=60))
    return fig
