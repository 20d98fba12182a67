"""The organisation's scenarios in the practice log and on the trainer dashboard, with their rubric version."""
from __future__ import annotations

import pytest

from mentorkit.scenarios import load_scenario_file
from mentorkit.scenarios.library import save_scenario
from mentorkit.scenarios.play import play_replies
from mentorkit.scenarios.template import template_text
from mentorkit.store import PracticeLog
from mentorkit.analysis.practice import scenarios_practised
from mentorkit.widgets.trainer import TrainerDashboard

NAME = "our_checkin"


@pytest.fixture
def org_log(tmp_path, monkeypatch):
    """Six trainees play the organisation's scenario on rubric 1, two more after the rubric became 2."""
    folder = tmp_path / "ours"
    monkeypatch.setenv("MENTORKIT_SCENARIOS", str(folder))
    monkeypatch.setenv("MENTORKIT_SALT", "trainer-org-test")
    text = template_text(NAME, "our_programme")
    path = save_scenario(text, folder)
    log = PracticeLog(tmp_path / "log.sqlite")
    strong = list(load_scenario_file(path).examples["strong"])
    for i in range(6):
        log.record(play_replies(NAME, strong, seed=i).to_attempt(f"trainee {i}"))
    assert '  version: "1"' in text
    save_scenario(text.replace('  version: "1"', '  version: "2"', 1), folder, replaces=path)
    for i in range(2):
        log.record(play_replies(NAME, strong, seed=i).to_attempt(f"trainee {i}"))
    yield log, tmp_path / "log.sqlite"
    log.close()


def test_the_log_records_each_attempt_with_the_rubric_version_it_was_scored_on(org_log):
    log, _ = org_log
    a = log.attempts()
    assert sorted(a["rubric_version"].astype(str).tolist()) == ["1"] * 6 + ["2"] * 2
    assert set(a["scenario"]) == {NAME}


def test_the_trainer_dashboard_shows_the_scenario_its_source_and_both_rubric_versions(org_log):
    log, db = org_log
    dash = TrainerDashboard(url=str(db))
    assert dash.error is None and "our_programme" in dash.family.options
    table = dash.tables()["scenarios"]
    row = table.set_index("scenario").loc[NAME]
    # by hand: 8 attempts by 6 trainees; versions 1 and 2 scored; the file now says 2
    assert (row["source"], row["rubric_versions"], row["rubric_now"]) == ("organisation", "1, 2", "2")
    assert (row["attempts"], row["trainees"], bool(row["suppressed"])) == (8, 6, False)
    assert row["title"] == "After the planning meeting"
    assert NAME in dash.scenario_table.value and "1, 2" in dash.scenario_table.value
    dash.family.value = "our_programme"
    assert len(dash.tables()["trainees"]) == 6
    # a scenario the library no longer has is still listed, as such; few trainees hide the counts
    gone = log.attempts().assign(scenario="deleted_one").head(2)
    out = scenarios_practised(gone, dash.practice.rubric, min_size=5).set_index("scenario").loc["deleted_one"]
    assert out["source"] == "not in the library" and bool(out["suppressed"])
