"""The trainer (L&D) dashboard: a cohort of trainee mentors, from the practice log.

Reads the practice log (:class:`mentorkit.store.PracticeLog`) named by ``MENTORKIT_DATA``
when that is a database URL, else by the ``practice_db`` setting
(``MENTORKIT_PRACTICE_DB``). When that log has no attempts yet, the bundled demo cohort
(``datasets/practice_sample``, made by playing the scenarios through the real engine) is
shown instead, and the page says so.

What it shows, all from the log's attempts and per-criterion ratings:

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
(True, ['criteria missed', 'scenarios', 'skill trend', 'trainees'])
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd

from mentorkit import config
from mentorkit.errors import MentorkitError
from mentorkit.sources import PRACTICE_SAMPLE_DIR, PracticeData, demo_log, load_practice, practice_source
from mentorkit.widgets.common import (ALL, STYLE, ExportBar, FigureView, Sections, error_line, hide_small,
                                      is_database_url, kpi_html, message_html, min_group_size, safe_url, snapshot_html,
                                      table_html)

__all__ = ["TrainerDashboard", "ReadinessRule", "PracticeData", "practice_source", "load_practice", "demo_log",
           "criterion_skills", "skill_scores", "skill_trend", "criteria_missed", "trainee_progress", "scenarios_practised",
           "SAMPLE_DIR"]

SAMPLE_DIR = PRACTICE_SAMPLE_DIR


@dataclass(frozen=True)
class ReadinessRule:
    """When a trainee is ready to mentor: a score of at least ``min_score`` on their latest attempt
    at ``min_scenarios`` or more scenarios, spread over ``min_families`` or more scenario families.

    >>> ReadinessRule().describe()
    'latest score of 75 or more in at least 3 scenarios from at least 2 families'
    """

    min_score: float = 75.0
    min_scenarios: int = 3
    min_families: int = 2

    def describe(self) -> str:
        return (f"latest score of {self.min_score:g} or more in at least {self.min_scenarios} scenarios "
                f"from at least {self.min_families} families")


# --------------------------------------------------------------- summaries

def _library_key() -> tuple:
    from mentorkit.scenarios.library import library
    return tuple((e.name, str(e.path), e.source, e.scenario.rubric.version) for e in library().playable())


@lru_cache(maxsize=4)
def _criterion_table_for(key: tuple) -> pd.DataFrame:
    from mentorkit.scenarios import load_scenario

    rows = []
    for name, _path, source, version in key:
        sc = load_scenario(name)
        for c in sc.rubric.criteria:
            skill = (c.look_for or c.avoid or ("other",))[0]
            rows.append({"scenario": name, "family": sc.family, "criterion": c.id, "title": c.title,
                         "skill": skill.split(".")[0], "source": source, "rubric_version": version,
                         "scenario_title": sc.title})
    return pd.DataFrame(rows, columns=["scenario", "family", "criterion", "title", "skill", "source",
                                       "rubric_version", "scenario_title"])


def _criterion_table() -> pd.DataFrame:
    """Every criterion of the playable scenarios (shipped and the organisation's), re-read when the library changes."""
    return _criterion_table_for(_library_key())


def criterion_skills() -> pd.DataFrame:
    """Every rubric criterion of the scenarios (shipped and the organisation's) with the skill it checks.

    Returns ``scenario, family, criterion, title, skill, source, rubric_version, scenario_title``
    (the rubric as the scenario file has it now); the skill is the part before the
    dot of the first finding the criterion looks for (or says to avoid).

    >>> t = criterion_skills()
    >>> t.loc[(t.scenario == "written_recap") & (t.criterion == "takeaways"), "skill"].item()
    'recap'
    """
    return _criterion_table().copy()


def skill_scores(attempts: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """One score per attempt and skill: ``100 × Σ(weight × points) / Σ weight`` over that skill's criteria.

    Returns ``attempt_id, trainee, scenario, finished_at, skill, score``.
    """
    crit = _criterion_table()[["scenario", "criterion", "skill"]]
    s = scores.merge(crit, on=["scenario", "criterion"], how="left")
    s["skill"] = s["skill"].fillna("other")
    s["wp"] = s["weight"] * s["points"]
    g = s.groupby(["attempt_id", "skill"], sort=True)[["wp", "weight"]].sum().reset_index()
    g["score"] = 100 * g["wp"] / g["weight"]
    out = g.merge(attempts[["attempt_id", "trainee", "scenario", "finished_at"]], on="attempt_id", how="inner")
    return out[["attempt_id", "trainee", "scenario", "finished_at", "skill", "score"]]


def skill_trend(per_skill: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """Mean skill score per week (weeks start on Monday), cells with few trainees hidden.

    Returns ``week, skill, trainees, attempts, mean_score, hidden``.
    """
    cols = ["week", "skill", "trainees", "attempts", "mean_score", "hidden"]
    if per_skill.empty:
        return pd.DataFrame(columns=cols)
    t = per_skill.assign(week=pd.to_datetime(per_skill["finished_at"], utc=True).dt.tz_localize(None)
                         .dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d"))
    g = t.groupby(["week", "skill"]).agg(trainees=("trainee", "nunique"), attempts=("attempt_id", "nunique"),
                                         mean_score=("score", "mean")).reset_index()
    g = g.astype({"trainees": float, "attempts": float})
    return hide_small(g, "trainees", by=["week", "skill"], min_size=min_size,
                      value_cols=["attempts", "mean_score"])[cols]


def _latest_attempts(attempts: pd.DataFrame) -> pd.DataFrame:
    a = attempts.sort_values(["finished_at", "attempt_id"])
    return a.groupby(["trainee", "scenario"], sort=False).tail(1)


def criteria_missed(attempts: pd.DataFrame, scores: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """How often each criterion was missed (rated Poor) in the trainees' latest attempt at its scenario.

    Returns ``scenario, criterion, title, skill, trainees, missed, partly, hidden`` (``missed``
    and ``partly`` are shares of the trainees rated: Poor, and Fair), most missed first;
    criteria rated for fewer trainees than the minimum group size are hidden.
    """
    cols = ["scenario", "criterion", "title", "skill", "trainees", "missed", "partly", "hidden"]
    latest = _latest_attempts(attempts)[["attempt_id"]]
    s = scores.merge(latest, on="attempt_id", how="inner")
    if s.empty:
        return pd.DataFrame(columns=cols)
    rating = s["rating"].str.lower()
    s = s.assign(missed=(rating == "poor").astype(float), partly=(rating == "fair").astype(float))
    g = s.groupby(["scenario", "criterion"]).agg(trainees=("trainee", "nunique"), missed=("missed", "mean"),
                                                 partly=("partly", "mean")).reset_index()
    g = g.merge(_criterion_table()[["scenario", "criterion", "title", "skill"]], on=["scenario", "criterion"],
                how="left")
    g["title"] = g["title"].fillna(g["criterion"])
    g["skill"] = g["skill"].fillna("other")
    g["key"] = g["scenario"] + " / " + g["criterion"]
    g = g.astype({"trainees": float})
    g = hide_small(g, "trainees", by=["key"], min_size=min_size, value_cols=["missed", "partly"])
    g = g.sort_values(["hidden", "missed", "trainees"], ascending=[True, False, False], kind="stable")
    return g[cols].reset_index(drop=True)


def trainee_progress(progress: pd.DataFrame, *, rule: ReadinessRule | None = None) -> pd.DataFrame:
    """One row per trainee: first / best / latest (means over the scenarios practised) and readiness.

    Returns ``trainee, scenarios, attempts, first, best, latest, ready_in, families, ready, why``;
    ``ready_in`` counts scenarios whose latest score reaches ``rule.min_score``.

    Example
    -------
    >>> p = pd.DataFrame({"trainee": ["P1"] * 3, "scenario": ["written_recap", "tense_disagreement", "rematch_kindly"],
    ...                   "attempts": [2, 1, 1], "first": [50.0, 80.0, 90.0], "best": [90.0, 80.0, 90.0],
    ...                   "latest": [90.0, 80.0, 90.0]})
    >>> trainee_progress(p)[["ready_in", "families", "ready"]].values.tolist()
    [[3, 3, True]]
    """
    rule = rule or ReadinessRule()
    cols = ["trainee", "scenarios", "attempts", "first", "best", "latest", "ready_in", "families", "ready", "why"]
    if progress.empty:
        return pd.DataFrame(columns=cols)
    fam = _criterion_table().drop_duplicates("scenario").set_index("scenario")["family"]
    p = progress.assign(family=progress["scenario"].map(fam).fillna(progress["scenario"]),
                        good=progress["latest"] >= rule.min_score)
    rows = []
    for trainee, part in p.groupby("trainee", sort=True):
        good = part[part["good"]]
        n_good, n_fam = int(len(good)), int(good["family"].nunique())
        ready = n_good >= rule.min_scenarios and n_fam >= rule.min_families
        if ready:
            why = f"{n_good} scenarios at {rule.min_score:g}+ across {n_fam} families"
        else:
            need = []
            if n_good < rule.min_scenarios:
                need.append(f"{rule.min_scenarios - n_good} more scenario(s) at {rule.min_score:g}+")
            if n_fam < rule.min_families:
                need.append(f"{rule.min_families - n_fam} more family(ies)")
            why = "needs " + " and ".join(need)
        rows.append({"trainee": trainee, "scenarios": int(len(part)), "attempts": int(part["attempts"].sum()),
                     "first": float(part["first"].mean()), "best": float(part["best"].mean()),
                     "latest": float(part["latest"].mean()), "ready_in": n_good, "families": n_fam,
                     "ready": ready, "why": why})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["ready", "latest"], ascending=[False, False], kind="stable").reset_index(drop=True)


def scenarios_practised(attempts: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """One row per scenario in the log: who wrote it, the rubric versions scored, attempts and trainees.

    Returns ``scenario, title, family, source, rubric_now, rubric_versions, attempts, trainees,
    hidden``. ``source`` is ``shipped`` or ``organisation`` (or ``not in the library`` for a
    scenario whose file is gone or broken); ``rubric_versions`` lists every version the log's
    attempts were scored on, so a rubric the authors changed shows. Rows with fewer than
    *min_size* trainees have their counts hidden.
    """
    cols = ["scenario", "title", "family", "source", "rubric_now", "rubric_versions", "attempts", "trainees",
            "hidden"]
    if attempts.empty:
        return pd.DataFrame(columns=cols)
    info = _criterion_table().drop_duplicates("scenario").set_index("scenario")
    g = attempts.groupby("scenario").agg(
        attempts=("attempt_id", "nunique"), trainees=("trainee", "nunique"),
        rubric_versions=("rubric_version", lambda v: ", ".join(sorted({str(x) for x in v})))).reset_index()
    g["title"] = g["scenario"].map(info["scenario_title"]).fillna(g["scenario"])
    g["family"] = g["scenario"].map(info["family"]).fillna("")
    g["source"] = g["scenario"].map(info["source"]).fillna("not in the library")
    g["rubric_now"] = g["scenario"].map(info["rubric_version"]).fillna("")
    g = g.astype({"attempts": float, "trainees": float})
    out = hide_small(g, "trainees", by=["scenario"], min_size=min_size, value_cols=["attempts"])
    return out.sort_values(["source", "scenario"], kind="stable").reset_index(drop=True)[cols]


# ----------------------------------------------------------------------- widget

SKILL_NAMES = {"sbi": "SBI feedback", "active_listening": "active listening", "intent_tone": "intent and tone",
               "four_step": "four-step frame", "agreement": "mentoring agreement", "recap": "written recap",
               "boundaries": "boundaries", "other": "other"}


class TrainerDashboard(w.VBox):
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

    def __init__(self, url: str | None = None, *, min_size: int | None = None, rule: ReadinessRule | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.add_class("mk-dash")
        self.add_class("mk-trainer")
        self.min_size = min_group_size(min_size)
        self.rule = rule or ReadinessRule()
        self.error: str | None = None
        self.demo = False
        self.header = w.HTML(STYLE + "<h2>Trainee mentors: practice progress</h2>")
        self.status = w.HTML()
        self.status.add_class("mk-status")
        self._view: dict = {}
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
        self.error = text
        self.status.value = message_html(text + ". Set MENTORKIT_PRACTICE_DB (or MENTORKIT_DATA) to the practice "
                                         "log's file or database URL.", "error", "The practice log could not be read")
        self.children = [self.header, self.status]

    def _build(self) -> None:
        fams = sorted(_criterion_table()["family"].unique())
        self.family = w.Dropdown(options=[ALL] + fams, value=ALL, description="Family",
                                 layout=w.Layout(width="330px"))
        self.family.add_class("mk-filter-family")
        self.family.observe(lambda _c: self.update(), names="value")
        self.kpis = w.HTML()
        self.kpis.add_class("mk-kpi-row")
        self.trend = FigureView("mk-trainer-trend")
        self.missed_chart = FigureView("mk-trainer-missed")
        self.trainee_table = w.HTML()
        self.trainee_table.add_class("mk-trainer-trainees")
        self.missed_table = w.HTML()
        self.missed_table.add_class("mk-trainer-missed-table")
        self.scenario_table = w.HTML()
        self.scenario_table.add_class("mk-trainer-scenarios")
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
            ("Scenarios", w.VBox([
                w.HTML("<h3>Scenarios practised</h3><p class='mk-sub'>Shipped scenarios and your organisation's "
                       "own, with every rubric version the attempts were scored on (a rubric its authors changed "
                       "shows more than one). Scenarios practised by few trainees have their counts hidden.</p>"),
                self.scenario_table])),
        ], "mk-trainer-sections")
        self.body = w.VBox([self.sections])
        self.children = [self.header, self.status, self.family, self.body, self.export]

    def _describe(self) -> str:
        fam = "all scenario families" if self.family.value == ALL else f"family {self.family.value}"
        return f"{fam}; data: {self.practice.label}; groups under {self.min_size} hidden"

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables on screen, exactly as shown: what the CSV links export."""
        return {k: self._view[k] for k in ("trainees", "skill trend", "criteria missed", "scenarios")
                if k in self._view}

    def update(self) -> None:
        """Recompute for the chosen scenario family and redraw."""
        p = self.practice
        a, s, prog = p.attempts, p.scores, p.progress
        if self.family.value != ALL:
            names = _criterion_table().loc[_criterion_table()["family"] == self.family.value, "scenario"].unique()
            a = a[a["scenario"].isin(names)]
            s = s[s["scenario"].isin(names)]
            prog = prog[prog["scenario"].isin(names)]
        notice = message_html(p.notice, "info") if p.notice else ""
        if a["trainee"].nunique() < self.min_size:
            self._view = {}
            self.status.value = notice + message_html(
                f"Fewer than {self.min_size} trainees practised {'these scenarios' if len(a) else 'yet'}; "
                "nothing is shown.", "info")
            self.body.layout.display = "none"
            self.export.refresh()
            return
        per_skill = skill_scores(a, s)
        self._view = {
            "trainees": trainee_progress(prog, rule=self.rule),
            "skill trend": skill_trend(per_skill, min_size=self.min_size),
            "criteria missed": criteria_missed(a, s, min_size=self.min_size),
            "scenarios": scenarios_practised(a, min_size=self.min_size),
        }
        self.status.value = notice + f"<p class='mk-sub'>{html.escape(self._describe())}</p>"
        self.body.layout.display = None
        self._render(a)

    def _render(self, a: pd.DataFrame) -> None:
        import plotly.graph_objects as go

        v = self._view
        t = v["trainees"]
        self.kpis.value = kpi_html([
            (f"{len(t)}", "trainees", f"{len(a)} attempts"),
            (f"{t['first'].mean():.0f}", "mean first score", "over scenarios practised"),
            (f"{t['latest'].mean():.0f}", "mean latest score", f"best {t['best'].mean():.0f}"),
            (f"{int(t['ready'].sum())}", "ready to mentor", f"of {len(t)}"),
        ])
        trend = v["skill trend"]
        fig = go.Figure()
        for skill, part in trend.groupby("skill", sort=True):
            fig.add_trace(go.Scatter(x=part["week"], y=part["mean_score"], mode="lines+markers",
                                     name=SKILL_NAMES.get(skill, skill), connectgaps=False))
        fig.update_layout(title="Mean score per skill, by week", height=360, yaxis=dict(range=[0, 105], title="score"),
                          xaxis_title="week starting", margin=dict(t=40), legend=dict(orientation="h", y=-0.25))
        self.trend.show(fig)
        self.trainee_table.value = table_html(
            t.assign(ready=np.where(t["ready"], "yes", "not yet")),
            {"first": "int", "best": "int", "latest": "int"},
            labels={"ready_in": f"scenarios at {self.rule.min_score:g}+", "ready": "ready to mentor"},
            text_cols=["why"], css_class="mk-trainee-table")
        m = v["criteria missed"]
        top = m[~m["hidden"]].head(10).iloc[::-1]
        fig = go.Figure(go.Bar(x=top["missed"], y=top["title"] + " (" + top["scenario"].str.replace("_", " ") + ")",
                               orientation="h", marker_color="#cf222e"))
        fig.update_layout(title="Most often missed in the latest attempt", height=40 * max(len(top), 3) + 80,
                          xaxis=dict(tickformat=".0%", range=[0, 1]), margin=dict(l=320, t=40))
        self.missed_chart.show(fig)
        self.missed_table.value = table_html(m, {"trainees": "int", "missed": "pct", "partly": "pct"},
                                             labels={"missed": "rated Poor", "partly": "rated Fair"})
        self.scenario_table.value = table_html(
            v["scenarios"], {"attempts": "int", "trainees": "int"},
            labels={"rubric_now": "rubric now", "rubric_versions": "rubric versions scored"},
            text_cols=["title"], css_class="mk-scenario-table")
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
        blocks.append(("Scenarios practised", self._view["scenarios"]))
        return snapshot_html("Trainee mentors: practice progress", blocks, subtitle=self._describe())
