"""Every chart mentorkit draws, written once for the HTML report, the dashboards and the notebooks.

Each function takes the tidy table an analysis returns and gives back a
``plotly.graph_objects.Figure``; none computes a statistic. Suppressed cells are NaN in
those tables and draw nothing, so a chart can never show what its table hides. plotly is
imported only when a chart is made.

Example
-------
>>> import mentorkit.datasets as ds
>>> from mentorkit.analysis.retention import survival_curves
>>> fig = survival_figure(survival_curves(ds.load("program_sample")))
>>> sorted(t.name for t in fig.data)[:2]
['comparison (naive)', 'comparison (weighted)']
"""
from __future__ import annotations

import pandas as pd

__all__ = ["prepost_figure", "effect_figure", "survival_figure", "balance_figure", "roi_figure",
           "engagement_figure", "attendance_figure", "goals_figure", "replies_figure", "overlap_figure",
           "skill_trend_figure", "criteria_missed_figure", "themes_figure", "GROUP_COLOURS"]

#: the colour of each compared group, in every chart
GROUP_COLOURS = {"mentored": "#0969da", "comparison": "#8c959f"}


def _go():
    import plotly.graph_objects as go

    return go


def prepost_figure(pp: pd.DataFrame):
    """Mean change per skill (post minus pre) with its 95% CI, mentored and comparison side by side.

    *pp* is :func:`mentorkit.analysis.outcomes.program_prepost`'s table (``group, skill,
    mean_diff, ci_low, ci_high``; a table without ``group`` is all mentored).
    """
    go = _go()
    fig = go.Figure()
    if "group" not in pp.columns:
        pp = pp.assign(group="mentored")
    for grp in ["mentored", "comparison"] + [g for g in pp["group"].unique() if g not in GROUP_COLOURS]:
        part = pp[(pp["group"] == grp) & pp["mean_diff"].notna()]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["mean_diff"], y=part["skill"].astype(str).str.replace("_", " "), mode="markers", name=str(grp),
            marker=dict(color=GROUP_COLOURS.get(grp), size=9),
            error_x=dict(type="data", symmetric=False, array=part["ci_high"] - part["mean_diff"],
                         arrayminus=part["mean_diff"] - part["ci_low"])))
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title="Change in confidence, post minus pre (95% CI)", xaxis_title="points on the 1-10 scale",
                      height=360, margin=dict(l=140, t=40), legend=dict(orientation="h", y=-0.25))
    return fig


def effect_figure(eff: pd.DataFrame):
    """The program's effect on confidence in SD units, naive and adjusted
    (:func:`mentorkit.analysis.outcomes.confidence_effect`)."""
    go = _go()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=eff["d_naive"], y=eff["skill"], mode="markers", name="naive (unadjusted)",
                             marker_symbol="circle-open"))
    fig.add_trace(go.Scatter(x=eff["d"], y=eff["skill"], mode="markers", name="adjusted (95% CI)",
                             error_x=dict(type="data", symmetric=False, array=eff["d_ci_high"] - eff["d"],
                                          arrayminus=eff["d"] - eff["d_ci_low"])))
    fig.add_vline(x=0, line_dash="dot")
    fig.update_layout(title="Effect on confidence in SD units (mentees vs comparison)", height=360,
                      margin=dict(l=140))
    return fig


def survival_figure(curves: pd.DataFrame):
    """Kaplan-Meier curves, mentored against comparison: dotted naive, solid weighted.

    *curves* is :func:`mentorkit.analysis.retention.survival_curves`' table, already cut where
    fewer than the minimum group size are still at risk.
    """
    go = _go()
    fig = go.Figure()
    for (method, grp), part in curves.groupby(["method", "group"], sort=False):
        fig.add_trace(go.Scatter(x=part["time"], y=part["survival"], mode="lines", line_shape="hv",
                                 name=f"{grp} ({method})",
                                 line=dict(color=GROUP_COLOURS.get(grp), dash="dot" if method == "naive" else "solid")))
    fig.update_layout(title="Still employed (Kaplan-Meier): dotted naive, solid weighted", height=400,
                      xaxis_title="months since the cohort started", yaxis_title="share still employed",
                      yaxis_tickformat=".0%", margin=dict(t=40), legend=dict(orientation="h", y=-0.25))
    return fig


def balance_figure(bal: pd.DataFrame):
    """|standardised mean difference| of each covariate before and after weighting
    (:func:`mentorkit.analysis.retention.balance_table`)."""
    go = _go()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=bal["smd_before"].abs(), y=bal["covariate"], mode="markers", name="before weighting"))
    fig.add_trace(go.Scatter(x=bal["smd_after"].abs(), y=bal["covariate"], mode="markers", name="after weighting"))
    fig.add_vline(x=0.1, line_dash="dash", annotation_text="0.1")
    fig.update_layout(title="Covariate balance (|standardised mean difference|)", height=300, margin=dict(l=140))
    return fig


def roi_figure(roi: pd.DataFrame):
    """ROI % per scenario (:func:`mentorkit.analysis.roi.roi_table`)."""
    go = _go()
    fig = go.Figure(go.Bar(x=roi["scenario"], y=roi["roi_pct"], text=[f"{v:,.0f}%" for v in roi["roi_pct"]],
                           textposition="outside"))
    fig.update_layout(title="ROI by scenario (Phillips)", yaxis_title="ROI %", height=340)
    return fig


def engagement_figure(groups: pd.DataFrame, group_col: str, label: str):
    """Attendance and check-ins against plan per group (suppressed groups have no bar).

    *groups* holds the rows of :func:`mentorkit.analysis.engagement.engagement_summary` for
    one breakdown, the group in *group_col*; *label* names the breakdown in the title.
    """
    go = _go()
    fig = go.Figure()
    fig.add_trace(go.Bar(x=groups[group_col], y=groups["attendance_rate"], name="attendance rate"))
    fig.add_trace(go.Bar(x=groups[group_col], y=groups["checkins_vs_plan"], name="check-ins against plan"))
    fig.update_layout(title=f"Check-ins against plan by {label}", barmode="group", height=320,
                      yaxis_tickformat=".0%", margin=dict(t=40))
    return fig


def _counts_and_rate(x, counts, count_name: str, axis: str, rate, title: str):
    """Counts as bars on a right-hand axis and an attendance rate as a line on the left (0-100%)."""
    go = _go()
    fig = go.Figure()
    if len(x):
        fig.add_trace(go.Bar(x=x, y=counts, name=count_name, marker_color="#9ecae1", yaxis="y2"))
        fig.add_trace(go.Scatter(x=x, y=rate, name="attendance rate", mode="lines+markers", line_color="#08519c"))
    fig.update_layout(title=title, height=330, yaxis=dict(tickformat=".0%", range=[0, 1.05]),
                      yaxis2=dict(overlaying="y", side="right", showgrid=False, title=axis),
                      legend=dict(orientation="h", y=-0.2), margin=dict(t=40, r=60))
    return fig


def attendance_figure(m: pd.DataFrame):
    """Sessions attended (bars) and the attendance rate (line) per month
    (:func:`mentorkit.analysis.engagement.monthly_attendance`)."""
    return _counts_and_rate(m["month"], m["attended"], "sessions attended", "sessions", m["attendance_rate"],
                            "Attendance by month")


def goals_figure(groups: pd.DataFrame, group_col: str, label: str):
    """The status mix of open goals per group (on track, behind, blocked)."""
    go = _go()
    fig = go.Figure()
    for col, name, color in (("share_on_track", "on track", "#2da44e"), ("share_behind", "behind", "#d4a72c"),
                             ("share_blocked", "blocked", "#cf222e")):
        fig.add_trace(go.Bar(x=groups[group_col], y=groups[col], name=name, marker_color=color))
    fig.update_layout(title=f"Status of open goals by {label}", barmode="stack", height=320,
                      yaxis_tickformat=".0%", margin=dict(t=40))
    return fig


def replies_figure(r: pd.DataFrame):
    """Messages per reply-time band; green within the 48-hour norm
    (:func:`mentorkit.analysis.engagement.reply_time_bands`)."""
    go = _go()
    colors = ["#2da44e"] * 3 + ["#cf222e"] * 4
    fig = go.Figure(go.Bar(x=r["band"], y=r["messages"], marker_color=colors[:len(r)],
                           text=[("" if pd.isna(s) else f"{s:.0%}") for s in r["share"]], textposition="outside"))
    fig.update_layout(title="Messages by reply time (green: within the 48-hour norm)", height=320,
                      yaxis_title="messages", margin=dict(t=40))
    return fig


def overlap_figure(ov: pd.DataFrame):
    """Pairs (bars) and their attendance rate (line) per band of working-hours overlap
    (:func:`mentorkit.analysis.engagement.overlap_bands`)."""
    return _counts_and_rate(ov["overlap"], ov["pairs"], "pairs", "pairs", ov["attendance_rate"],
                            "Pairs by overlap of working hours (09:00-17:00 local)")


def skill_trend_figure(trend: pd.DataFrame, names: dict[str, str] | None = None):
    """Mean score per skill by week (:func:`mentorkit.analysis.practice.skill_trend`); *names* label the skills."""
    go = _go()
    names = names or {}
    fig = go.Figure()
    for skill, part in trend.groupby("skill", sort=True):
        fig.add_trace(go.Scatter(x=part["week"], y=part["mean_score"], mode="lines+markers",
                                 name=names.get(skill, skill), connectgaps=False))
    fig.update_layout(title="Mean score per skill, by week", height=360, yaxis=dict(range=[0, 105], title="score"),
                      xaxis_title="week starting", margin=dict(t=40), legend=dict(orientation="h", y=-0.25))
    return fig


def criteria_missed_figure(missed: pd.DataFrame, top: int = 10):
    """The *top* criteria most often rated Poor (:func:`mentorkit.analysis.practice.criteria_missed`)."""
    go = _go()
    t = missed[~missed["suppressed"].astype(bool)].head(top).iloc[::-1]
    fig = go.Figure(go.Bar(x=t["missed"], y=t["title"] + " (" + t["scenario"].str.replace("_", " ") + ")",
                           orientation="h", marker_color="#cf222e"))
    fig.update_layout(title="Most often missed in the latest attempt", height=40 * max(len(t), 3) + 80,
                      xaxis=dict(tickformat=".0%", range=[0, 1]), margin=dict(l=320, t=40))
    return fig


def themes_figure(result):
    """Comments per theme, coloured by mean sentiment, suppressed themes left out
    (:func:`mentorkit.analysis.themes.comment_themes`)."""
    go = _go()
    t = result.themes[~result.themes["suppressed"]] if "suppressed" in result.themes.columns else result.themes
    fig = go.Figure(go.Bar(
        x=t["n_comments"], y=t["label"], orientation="h",
        marker=dict(color=t["sentiment_mean"], colorscale="RdYlGn", cmin=-1, cmax=1,
                    colorbar=dict(title="sentiment")),
        text=[f"{s:+.2f}" for s in t["sentiment_mean"]], textposition="outside"))
    fig.update_layout(title="Comment themes: size and mood", xaxis_title="comments", height=120 + 45 * len(t),
                      margin=dict(l=220), yaxis=dict(autorange="reversed"))
    return fig
