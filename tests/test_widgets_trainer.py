"""The trainer (L&D) dashboard, the demo practice log, the kernel cap and the landing page.

Expected values are worked out by hand from the shipped CSV files with the csv module.
"""
from __future__ import annotations

import asyncio
import csv
import filecmp
import os
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from mentorkit.analysis.practice import ReadinessRule, criteria_missed, skill_scores, trainee_progress
from mentorkit.scenarios import rubric_table
from mentorkit.sources import load_practice
from mentorkit.widgets.trainer import TrainerDashboard

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "datasets" / "practice_sample"


def rows(name: str) -> list[dict]:
    with open(PRACTICE / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo():
    return TrainerDashboard(url="")


def test_empty_or_missing_log_falls_back_to_the_demo_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", "unit-test-salt")
    missing = tmp_path / "none.sqlite"
    p = load_practice(str(missing))
    assert p.demo and "does not exist yet" in p.notice and not missing.exists()
    from mentorkit.store import PracticeLog
    empty = tmp_path / "empty.sqlite"
    PracticeLog(empty).close()
    p = load_practice(str(empty))
    assert p.demo and "has no attempts yet" in p.notice
    assert len(p.attempts) == len(rows("attempts.csv"))


def test_a_real_log_is_read_not_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", "unit-test-salt")
    from mentorkit.store import Attempt, PracticeLog
    path = tmp_path / "log.sqlite"
    log = PracticeLog(path)
    for who, score in (("ana", 40.0), ("ana", 80.0), ("ben", 90.0)):
        log.record(Attempt(who, "written_recap", "2026.1", 0, "resolved", score, "Proficient",
                           criteria=[{"criterion": "takeaways", "rating": "Good", "points": 1.0, "weight": 3.0}]))
    log.close()
    p = load_practice(f"sqlite:///{path}")
    assert not p.demo and len(p.attempts) == 3 and "ana" not in set(p.attempts["trainee"])
    dash = TrainerDashboard(url=f"sqlite:///{path}")
    assert "Fewer than 5 trainees" in dash.status.value and dash.tables() == {}


def test_mentorkit_data_database_url_names_the_log(monkeypatch):
    from mentorkit.sources import practice_source

    monkeypatch.setenv("MENTORKIT_DATA", "sqlite:////srv/mentorkit/practice.sqlite")
    assert practice_source() == "sqlite:////srv/mentorkit/practice.sqlite"
    monkeypatch.setenv("MENTORKIT_DATA", "/srv/program-folder")
    monkeypatch.setenv("MENTORKIT_PRACTICE_DB", "/srv/log.sqlite")
    assert practice_source() == "/srv/log.sqlite"


def test_skill_score_of_one_attempt_by_hand(demo):
    crit = rubric_table().set_index(["scenario", "criterion"])["skill"]
    by_attempt = defaultdict(list)
    for r in rows("scores.csv"):
        by_attempt[r["attempt_id"]].append(r)
    attempt_id, items = next((k, v) for k, v in by_attempt.items()
                             if len({crit[(x["scenario"], x["criterion"])] for x in v}) >= 2)
    expected = defaultdict(lambda: [0.0, 0.0])
    for x in items:
        s = expected[crit[(x["scenario"], x["criterion"])]]
        s[0] += float(x["weight"]) * float(x["points"])
        s[1] += float(x["weight"])
    got = skill_scores(demo.practice.attempts, demo.practice.scores, rubric_table())
    got = got[got["attempt_id"] == int(attempt_id)].set_index("skill")["score"]
    assert set(got.index) == set(expected)
    for skill, (wp, w) in expected.items():
        assert got[skill] == pytest.approx(100 * wp / w)


def test_first_best_latest_per_trainee_by_hand(demo):
    by = defaultdict(list)
    for r in sorted(rows("attempts.csv"), key=lambda r: (r["finished_at"], int(r["attempt_id"]))):
        by[(r["trainee"], r["scenario"])].append(float(r["score"]))
    t = demo.tables()["trainees"].set_index("trainee")
    for trainee in t.index[:5]:
        mine = {sc: s for (tr, sc), s in by.items() if tr == trainee}
        assert t.loc[trainee, "first"] == pytest.approx(sum(s[0] for s in mine.values()) / len(mine))
        assert t.loc[trainee, "best"] == pytest.approx(sum(max(s) for s in mine.values()) / len(mine))
        assert t.loc[trainee, "latest"] == pytest.approx(sum(s[-1] for s in mine.values()) / len(mine))
        assert t.loc[trainee, "attempts"] == sum(len(s) for s in mine.values())


def test_readiness_rule():
    p = pd.DataFrame({"trainee": ["a"] * 3 + ["b"] * 3,
                      "scenario": ["written_recap", "async_weekly_update", "tense_disagreement"] * 2,
                      "attempts": 1, "first": 50.0, "best": 90.0,
                      "latest": [80.0, 76.0, 75.0, 80.0, 90.0, 74.9]})
    t = trainee_progress(p, rubric_table(), rule=ReadinessRule(min_score=75, min_scenarios=3, min_families=2)
                         ).set_index("trainee")
    assert t.loc["a", "ready"] and t.loc["a", "families"] == 2  # two of the scenarios share a family
    # b: 80 and 90 are both async_and_written scenarios, 74.9 misses: two short, in one family
    assert not t.loc["b", "ready"] and t.loc["b", "why"] == "needs 1 more scenario(s) at 75+ and 1 more family(ies)"
    t = trainee_progress(p, rubric_table(), rule=ReadinessRule(min_families=3)).set_index("trainee")
    assert not t.loc["a", "ready"] and "1 more family" in t.loc["a", "why"]


def test_criteria_missed_by_hand(demo):
    latest = {}
    for r in sorted(rows("attempts.csv"), key=lambda r: (r["finished_at"], int(r["attempt_id"]))):
        latest[(r["trainee"], r["scenario"])] = r["attempt_id"]
    keep = set(latest.values())
    tally = defaultdict(lambda: [0, set()])
    for r in rows("scores.csv"):
        if r["attempt_id"] in keep:
            t = tally[(r["scenario"], r["criterion"])]
            t[0] += r["rating"] == "Poor"
            t[1].add(r["trainee"])
    m = criteria_missed(demo.practice.attempts, demo.practice.scores, rubric_table(), min_size=5
                        ).set_index(["scenario", "criterion"])
    for key, (poor, people) in tally.items():
        if len(people) >= 5 and not m.loc[key, "suppressed"]:
            assert m.loc[key, "missed"] == pytest.approx(poor / len(people))
        if len(people) < 5:
            assert m.loc[key, "suppressed"] and pd.isna(m.loc[key, "missed"])


def test_trainer_views_hide_small_weeks(demo):
    trend = demo.tables()["skill trend"]
    shown = trend[~trend["suppressed"]]
    assert (shown["trainees"] >= 5).all() and trend["suppressed"].any()
    assert trend.loc[trend["suppressed"], "mean_score"].isna().all()


def test_trainer_family_filter_changes_the_view(demo):
    before = demo.tables()["trainees"]["attempts"].sum()
    demo.family.value = "hard_conversations"
    after = demo.tables()
    names = set(rubric_table().query("family == 'hard_conversations'")["scenario"])
    n = sum(1 for r in rows("attempts.csv") if r["scenario"] in names)
    assert after, "the demo cohort has enough trainees in this family to show"
    assert after["trainees"]["attempts"].sum() == n < before
    demo.family.value = "All"


@pytest.mark.slow
def test_demo_practice_log_is_reproducible(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_practice_sample", PRACTICE / "make_practice_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    salt = os.environ.get("MENTORKIT_SALT")
    try:
        mod.make(tmp_path)
    finally:
        if salt is None:
            os.environ.pop("MENTORKIT_SALT", None)
        else:
            os.environ["MENTORKIT_SALT"] = salt
    for name in ("attempts.csv", "scores.csv"):
        assert filecmp.cmp(tmp_path / name, PRACTICE / name, shallow=False), f"{name} differs from a fresh run"


# ---------------------------------------------------------------- serving

def test_kernel_cap_refuses_a_kernel_beyond_the_cap_and_frees_the_slot():
    from tornado import web

    from mentorkit.serving import CappedKernelManager

    async def scenario():
        km = CappedKernelManager(max_kernels=1, slot_wait_s=0.3)
        try:
            first = await km.start_kernel(kernel_name="python3")
            with pytest.raises(web.HTTPError) as err:
                await km.start_kernel(kernel_name="python3")
            assert err.value.status_code == 503 and "busy" in err.value.reason
            await km.shutdown_kernel(first, now=True)
            second = await km.start_kernel(kernel_name="python3")
            assert km.list_kernel_ids() == [second]
        finally:
            await km.shutdown_all(now=True)

    # a thread of its own: an earlier test in the session (Playwright's sync API) may hold this thread's loop
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()


def test_voila_config_strips_sources_caps_kernels_and_culls_idle_ones():
    import json

    cfg = json.loads((ROOT / "voila.json").read_text())
    vc = cfg["VoilaConfiguration"]
    assert vc["strip_sources"] is True and vc["show_tracebacks"] is False
    assert vc["multi_kernel_manager_class"] == "mentorkit.serving.CappedKernelManager"
    assert 10 <= cfg["CappedKernelManager"]["max_kernels"]  # ten viewers at once fit under the cap
    # nbclient's default (4 s) drops a cell's output when its IOPub messages lag under load:
    # the page then shows the notebook's text and no dashboard
    assert cfg["VoilaExecutor"]["iopub_timeout"] >= 60
    # cross-site request checks stay on (the template gives pages the token for their shutdown)
    assert "disable_check_xsrf" not in json.dumps(cfg)
    cull = cfg["MappingKernelManager"]
    assert cull["cull_idle_timeout"] > 0 and cull["cull_interval"] > 0
    for nb in ("program_health", "outcomes_roi", "trainer"):
        assert (ROOT / "dashboards" / f"{nb}.ipynb").exists()


def test_landing_template_links_every_notebook_and_loads_nothing_from_outside():
    tpl = ROOT / "dashboards" / "share" / "jupyter" / "voila" / "templates" / "mentorkit"
    page = (tpl / "landing.html").read_text()
    linked = set(re.findall(r"voila/render/([\w/]+\.ipynb)", page))
    on_disk = {f"{p.parent.name}/{p.name}" for d in ("dashboards", "exercises") for p in (ROOT / d).glob("*.ipynb")}
    assert linked == on_disk
    assert not re.search(r"(src|href)=\"https?://", page)


def test_dashboard_notebooks_hold_only_layout():
    import json

    for nb in (ROOT / "dashboards").glob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert len(code) <= 2, f"{nb.name}: keep logic in mentorkit.widgets"
        for c in code:
            assert sum(1 for ln in "".join(c["source"]).splitlines() if ln.strip()) <= 4, nb.name
            assert not c.get("outputs"), f"{nb.name}: clear the outputs before committing"
