"""The organisation's scenario folders beside the shipped scenarios: listing, playing, clashes, broken files."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from mentorkit.cli import main
from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR, Session, list_scenarios, load_scenario
from mentorkit.scenarios.library import library, organisation_folders


def _copy(src: str, folder: Path, name: str, title: str | None = None) -> Path:
    text = (DATA_DIR / f"{src}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"name: {src}\n", f"name: {name}\n", 1)
    if title:
        lines = [f"title: {title}" if ln.startswith("title:") else ln for ln in text.splitlines()]
        text = "\n".join(lines) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def org(tmp_path, monkeypatch):
    a, b = tmp_path / "team_a", tmp_path / "team_b"
    _copy("written_recap", a, "team_recap", "Our own recap scenario")
    _copy("tense_disagreement", b, "team_tense", "Our own tense call")
    monkeypatch.setenv("MENTORKIT_SCENARIOS", os.pathsep.join([str(a), str(b)]))
    return a, b


def test_setting_names_one_or_more_folders(org, monkeypatch, tmp_path):
    assert organisation_folders() == list(org)
    monkeypatch.delenv("MENTORKIT_SCENARIOS")
    cfg = tmp_path / "mentorkit.toml"
    cfg.write_text(f'[mentorkit]\nscenarios = ["{org[0]}", "{org[1]}"]\n')
    monkeypatch.setenv("MENTORKIT_CONFIG", str(cfg))
    assert organisation_folders() == list(org)


def test_organisation_scenarios_are_listed_and_played_by_name(org):
    table = list_scenarios()
    mine = table[table["source"] == "organisation"]
    assert sorted(mine["name"]) == ["team_recap", "team_tense"]
    assert set(mine["family"]) == {"async_and_written", "hard_conversations"}
    assert "team_recap" in list_scenarios(family="async_and_written")["name"].tolist()
    s = Session("team_recap", seed=3)
    for reply in load_scenario("team_recap").examples["strong"]:
        if not s.done:
            s.reply(reply)
    assert s.done
    attempt = s.to_attempt("someone")
    assert attempt.scenario == "team_recap" and attempt.rubric_version == load_scenario("written_recap").rubric.version


def test_practice_list_shows_them_and_the_broken_ones(org, capsys):
    (org[0] / "broken.yaml").write_text("name: broken\ntitle: x\npersona:\n\tname: A\n")
    assert main(["practice", "--list"]) == 0
    out = capsys.readouterr().out
    assert "team_recap" in out and "Our own recap scenario  [organisation]" in out
    assert "written_recap" in out
    assert f"broken: {org[0] / 'broken.yaml'}:4: (indentation): indented with a tab" in out


def test_practice_plays_an_organisation_scenario_and_records_it(org, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", "library-test-salt")
    script = tmp_path / "r.txt"
    script.write_text("\n".join(load_scenario("team_recap").examples["strong"]) + "\n")
    db = f"sqlite:///{tmp_path / 'log.sqlite'}"
    assert main(["practice", "team_recap", "--script", str(script), "--trainee", "ana", "--db", db]) == 0
    from mentorkit.store import PracticeLog
    log = PracticeLog(db)
    try:
        rows = log.attempts()
    finally:
        log.close()
    assert list(rows["scenario"]) == ["team_recap"]
    assert list(rows["rubric_version"]) == [load_scenario("team_recap").rubric.version]


def test_a_name_used_by_a_shipped_scenario_names_both_files(org):
    clash = _copy("written_recap", org[1], "written_recap")
    lib = library()
    bad = [e for e in lib.broken() if e.path == clash]
    assert len(bad) == 1
    assert str(clash) in bad[0].problem and str(DATA_DIR / "written_recap.yaml") in bad[0].problem
    assert load_scenario("written_recap").path == str((DATA_DIR / "written_recap.yaml").resolve())


def test_two_organisation_files_with_one_name_name_each_other_and_neither_plays(org):
    other = _copy("written_recap", org[1], "team_recap")
    first = org[0] / "team_recap.yaml"
    lib = library()
    broken = {e.path: e.problem for e in lib.broken()}
    assert str(other) in broken[first] and str(first) in broken[other]
    assert "team_recap" not in list_scenarios()["name"].tolist()
    with pytest.raises(MentorkitError, match="is broken"):
        load_scenario("team_recap")


def test_a_broken_file_never_takes_the_others_down(org):
    (org[1] / "zzz.yaml").write_text("name: zzz\ntitle: [unclosed\n")
    (org[1] / "wrong_name.yaml").write_text((org[1] / "team_tense.yaml").read_text())
    lib = library()
    assert {"team_recap", "team_tense"} <= set(lib.names())
    problems = {e.name: e.problem for e in lib.broken()}
    assert set(problems) == {"zzz", "wrong_name"}
    assert problems["zzz"].startswith(f"{org[1] / 'zzz.yaml'}:") and "not valid YAML" in problems["zzz"]
    assert "'team_tense' does not match the file name 'wrong_name'" in problems["wrong_name"]
    assert len(list_scenarios()) == len(list(DATA_DIR.glob("*.yaml"))) + 2


def test_a_missing_folder_is_reported_not_fatal(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SCENARIOS", str(tmp_path / "nope"))
    lib = library()
    assert lib.problems and "does not exist" in lib.problems[0]
    assert len(lib.playable()) == len(list(DATA_DIR.glob("*.yaml")))
