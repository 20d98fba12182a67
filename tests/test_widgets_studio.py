"""The scenario studio widget and saving scenarios: the library does the checks, the widget lays out."""
from __future__ import annotations

import pytest

from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR
from mentorkit.scenarios.library import library, save_scenario
from mentorkit.scenarios.template import template_text
from mentorkit.widgets.studio import NEW, ScenarioStudio, your_scenarios


def test_save_refuses_a_broken_text_a_shipped_name_and_another_files_name(tmp_path):
    good = template_text("ours_one", "our_programme")
    with pytest.raises(MentorkitError, match=r"(?s)not saved: the scenario has 1 problem.*line 18: persona\.utc_offset"):
        save_scenario(good.replace("utc_offset: -5", "utc_offset: 99", 1), tmp_path)
    with pytest.raises(MentorkitError, match="name of the shipped scenario"):
        save_scenario((DATA_DIR / "written_recap.yaml").read_text(encoding="utf-8"), tmp_path)
    path = save_scenario(good, tmp_path)
    assert path == tmp_path / "ours_one.yaml" and path.read_text(encoding="utf-8") == good
    with pytest.raises(MentorkitError, match="already exists"):
        save_scenario(good, tmp_path)
    assert save_scenario(good.replace("Dana", "Dara"), tmp_path, replaces=path) == path
    assert "Dara" in path.read_text(encoding="utf-8")
    assert [e.name for e in library(folders=[tmp_path]).entries if e.source == "organisation"] == ["ours_one"]
    assert not list(tmp_path.glob(".*saving"))


def test_the_studio_checks_as_you_type_refuses_to_save_while_broken_and_saves_when_fixed(tmp_path):
    studio = ScenarioStudio(folder=tmp_path, delay=0)
    assert studio.picker.value == NEW and studio.report.errors == []
    text = studio.editor.value
    studio.editor.value = text.replace("utc_offset: -5", "utc_offset: 99", 1)
    assert [p.field for p in studio.report.errors] == ["persona.utc_offset"]
    assert "data-field='persona.utc_offset'" in studio.problems.value
    assert studio.save() is None and "not saved" in studio.status.value
    assert list(tmp_path.iterdir()) == []
    studio.editor.value = text
    path = studio.save()
    assert path == tmp_path / "our_scenario.yaml" and studio.picker.value == str(path)
    assert "Saved as" in studio.status.value


def test_play_opens_the_exercises_chat_as_a_preview_that_is_never_recorded(tmp_path):
    from mentorkit.widgets.practice import PracticeChat
    studio = ScenarioStudio(folder=tmp_path, delay=0)
    studio.play()
    chat = studio.chat
    assert isinstance(chat, PracticeChat) and chat.record is False
    chat.trainee.value = "Someone"
    for reply in studio.report.scenario.examples["strong"]:
        chat.send(reply)
    assert chat.session.done and "preview" in chat.status.value.lower()
    studio.editor.value = "name: [unclosed\n"
    studio.play()
    assert studio.chat is None and "Fix the problems first" in studio.status.value


def test_check_the_samples_plays_the_sample_file_beside_the_saved_scenario(tmp_path):
    import yaml
    studio = ScenarioStudio(folder=tmp_path, delay=0)
    ex = studio.report.scenario.examples
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "our_scenario.yaml").write_text(yaml.safe_dump(
        {"scenario": "our_scenario", "writer": "w", "sets": {"strong": [list(ex["weak"])], "weak": [list(ex["weak"])]}}))
    studio.check_samples()
    assert [p.field for p in studio.report.errors] == ["sets.strong"]
    assert "should score at least 80" in studio.problems.value


def test_opening_a_shipped_scenario_says_to_rename_it(tmp_path):
    studio = ScenarioStudio(folder=tmp_path, delay=0)
    studio.picker.value = str(DATA_DIR / "written_recap.yaml")
    assert "name: written_recap" in studio.editor.value and "change its" in studio.status.value
    assert studio.save() is None and "shipped scenario" in studio.status.value


def test_your_scenarios_says_how_to_add_some_and_names_broken_files(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SCENARIOS", str(tmp_path))
    (tmp_path / "bad.yaml").write_text("name: bad\n")
    view = your_scenarios()
    text = " ".join(getattr(c, "value", "") for c in view.children)
    assert "no playable scenarios yet" in text and "bad" in text and "broken" in text
    save_scenario(template_text("ours_two", "our_programme"), tmp_path)
    view = your_scenarios()
    assert view.children[1].session.scenario.name == "ours_two"
