"""Practice: how a cohort of trainee mentors is doing, from the practice log's attempts.

The trainer dashboard's numbers, as functions of plain tables, so the CLI, a notebook and
the screen agree. They take the attempts, the per-criterion ratings and the rubric table
(:func:`mentorkit.scenarios.rubric_table`: ``scenario, family, criterion, title, skill``) as
arguments; this module reads no store and no scenario file.

* :func:`skill_scores`: one score per attempt and skill, ``100 × Σ weight × points / Σ weight``
  over that skill's criteria (``recap.takeaways`` belongs to *recap*);
* :func:`skill_trend`: the weekly mean per skill, weeks with fewer trainees than the minimum
  group size suppressed;
* :func:`criteria_missed`: how often each criterion was rated Poor in the trainees' latest
  attempt at its scenario;
* :func:`trainee_progress`: first / best / latest per trainee and who is ready to mentor, by a
  stated rule (:class:`ReadinessRule`).

Example
-------
>>> from mentorkit.sources import load_practice
>>> p = load_practice("")
>>> t = skill_trend(skill_scores(p.attempts, p.scores, p.rubric), min_size=5)
>>> {"week", "skill", "mean_score", "suppressed"} <= set(t.columns)
True
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mentorkit.privacy import suppress
from mentorkit.skills.base import CATALOGUE

__all__ = ["ReadinessRule", "skill_scores", "skill_trend", "criteria_missed", "trainee_progress", "cohort_summary",
           "SKILL_NAMES"]

#: display names of the skills a rubric criterion can check (the skill catalogue's labels, and "other")
SKILL_NAMES = {**{name: info.label for name, info in CATALOGUE.items()}, "other": "other"}


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


def skill_scores(attempts: pd.DataFrame, scores: pd.DataFrame, rubric: pd.DataFrame) -> pd.DataFrame:
    """One score per attempt and skill: ``100 × Σ(weight × points) / Σ weight`` over that skill's criteria.

    Returns ``attempt_id, trainee, scenario, finished_at, skill, score``.

    >>> a = pd.DataFrame({"attempt_id": [1], "trainee": ["P1"], "scenario": ["s"], "finished_at": ["2026-01-05"]})
    >>> sc = pd.DataFrame({"attempt_id": [1, 1], "scenario": ["s", "s"], "criterion": ["a", "b"],
    ...                    "weight": [1.0, 3.0], "points": [1.0, 0.5]})
    >>> r = pd.DataFrame({"scenario": ["s", "s"], "criterion": ["a", "b"], "skill": ["recap", "recap"]})
    >>> skill_scores(a, sc, r)["score"].tolist()  # 100 * (1*1 + 3*0.5) / 4
    [62.5]
    """
    crit = rubric[["scenario", "criterion", "skill"]]
    s = scores.merge(crit, on=["scenario", "criterion"], how="left")
    s["skill"] = s["skill"].fillna("other")
    s["wp"] = s["weight"] * s["points"]
    g = s.groupby(["attempt_id", "skill"], sort=True)[["wp", "weight"]].sum().reset_index()
    g["score"] = 100 * g["wp"] / g["weight"]
    out = g.merge(attempts[["attempt_id", "trainee", "scenario", "finished_at"]], on="attempt_id", how="inner")
    return out[["attempt_id", "trainee", "scenario", "finished_at", "skill", "score"]]


def skill_trend(per_skill: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """Mean skill score per week (weeks start on Monday), cells with few trainees suppressed.

    *per_skill* is :func:`skill_scores`' table. Returns ``week, skill, trainees, attempts,
    mean_score, suppressed``.
    """
    cols = ["week", "skill", "trainees", "attempts", "mean_score", "suppressed"]
    if per_skill.empty:
        return pd.DataFrame(columns=cols)
    t = per_skill.assign(week=pd.to_datetime(per_skill["finished_at"], utc=True).dt.tz_localize(None)
                         .dt.to_period("W-SUN").dt.start_time.dt.strftime("%Y-%m-%d"))
    g = t.groupby(["week", "skill"]).agg(trainees=("trainee", "nunique"), attempts=("attempt_id", "nunique"),
                                         mean_score=("score", "mean")).reset_index()
    g = g.astype({"trainees": float, "attempts": float})
    return suppress(g, "trainees", by=["week", "skill"], min_size=min_size, reason=False,
                    value_cols=["attempts", "mean_score"])[cols]


def _latest_attempts(attempts: pd.DataFrame) -> pd.DataFrame:
    a = attempts.sort_values(["finished_at", "attempt_id"])
    return a.groupby(["trainee", "scenario"], sort=False).tail(1)


def criteria_missed(attempts: pd.DataFrame, scores: pd.DataFrame, rubric: pd.DataFrame, *,
                    min_size: int | None = None) -> pd.DataFrame:
    """How often each criterion was missed (rated Poor) in the trainees' latest attempt at its scenario.

    Returns ``scenario, criterion, title, skill, trainees, missed, partly, suppressed``
    (``missed`` and ``partly`` are shares of the trainees rated: Poor, and Fair), most missed
    first; criteria rated for fewer trainees than the minimum group size are suppressed.
    """
    cols = ["scenario", "criterion", "title", "skill", "trainees", "missed", "partly", "suppressed"]
    latest = _latest_attempts(attempts)[["attempt_id"]]
    s = scores.merge(latest, on="attempt_id", how="inner")
    if s.empty:
        return pd.DataFrame(columns=cols)
    rating = s["rating"].str.lower()
    s = s.assign(missed=(rating == "poor").astype(float), partly=(rating == "fair").astype(float))
    g = s.groupby(["scenario", "criterion"]).agg(trainees=("trainee", "nunique"), missed=("missed", "mean"),
                                                 partly=("partly", "mean")).reset_index()
    g = g.merge(rubric[["scenario", "criterion", "title", "skill"]], on=["scenario", "criterion"], how="left")
    g["title"] = g["title"].fillna(g["criterion"])
    g["skill"] = g["skill"].fillna("other")
    g["key"] = g["scenario"] + " / " + g["criterion"]
    g = g.astype({"trainees": float})
    g = suppress(g, "trainees", by=["key"], min_size=min_size, reason=False, value_cols=["missed", "partly"])
    g = g.sort_values(["suppressed", "missed", "trainees"], ascending=[True, False, False], kind="stable")
    return g[cols].reset_index(drop=True)


def trainee_progress(progress: pd.DataFrame, rubric: pd.DataFrame, *, rule: ReadinessRule | None = None
                     ) -> pd.DataFrame:
    """One row per trainee: first / best / latest (means over the scenarios practised) and readiness.

    *progress* is :meth:`mentorkit.store.PracticeLog.progress` (per trainee and scenario);
    *rubric* gives each scenario's family. Returns ``trainee, scenarios, attempts, first,
    best, latest, ready_in, families, ready, why``; ``ready_in`` counts scenarios whose
    latest score reaches ``rule.min_score``.

    Example
    -------
    >>> r = pd.DataFrame({"scenario": ["a", "b", "c"], "family": ["f1", "f2", "f3"]})
    >>> p = pd.DataFrame({"trainee": ["P1"] * 3, "scenario": ["a", "b", "c"],
    ...                   "attempts": [2, 1, 1], "first": [50.0, 80.0, 90.0], "best": [90.0, 80.0, 90.0],
    ...                   "latest": [90.0, 80.0, 90.0]})
    >>> trainee_progress(p, r)[["ready_in", "families", "ready"]].values.tolist()
    [[3, 3, True]]
    """
    rule = rule or ReadinessRule()
    cols = ["trainee", "scenarios", "attempts", "first", "best", "latest", "ready_in", "families", "ready", "why"]
    if progress.empty:
        return pd.DataFrame(columns=cols)
    fam = rubric.drop_duplicates("scenario").set_index("scenario")["family"]
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


def cohort_summary(trainees: pd.DataFrame) -> dict:
    """The cohort's key figures from :func:`trainee_progress`: trainees, mean first / latest / best, ready.

    >>> t = pd.DataFrame({"first": [40.0, 60.0], "latest": [70.0, 90.0], "best": [80.0, 90.0], "ready": [False, True]})
    >>> cohort_summary(t)
    {'trainees': 2, 'first': 50.0, 'latest': 80.0, 'best': 85.0, 'ready': 1}
    """
    return {"trainees": int(len(trainees)), "first": float(trainees["first"].mean()),
            "latest": float(trainees["latest"].mean()), "best": float(trainees["best"].mean()),
            "ready": int(trainees["ready"].sum())}
