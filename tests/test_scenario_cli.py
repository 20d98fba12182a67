"""`mentorkit scenario new / check / preview` end to end, and the template for every skill."""
from __future__ import annotations

import json

import pytest

from mentorkit.cli import main
from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR, load_samples, load_scenario_file
from mentorkit.scenarios.check import check_source
from mentorkit.scenarios.schema import COMPONENTS
from mentorkit.scenarios.template import template_text


@pytest.mark.parametrize("skills", [[s] for s in COMPONENTS] + [list(COMPONENTS)], ids=lambda s: "+".join(s))
def test_the_template_loads_passes_the_check_and_its_samples_score_as_wanted(skills):
    report = check_source(template_text("from_template", "my_family", skills), "from_template.yaml")
    # clean; the one warning says no one else has written sample sets for it yet
    assert report.exit_code == 0 and [p.field for p in report.warnings] == ["(samples)"], report.lines()
    scores = {p.name: (p.score, p.outcome) for p in report.plays}
    assert scores["strong"][0] >= 80 and scores["strong"][1] == "resolved"
    assert scores["weak"][0] <= 55 and scores["weak"][1] != "resolved"


@pytest.mark.parametrize("name,family,skills,words", [
    ("Bad Name", "f", None, "scenario name 'Bad Name'"),
    ("ok", "F-1", None, "scenario family 'F-1'"),
    ("ok", "f", ["empathy"], "unknown skill 'empathy'"),
])
def test_the_template_refuses_bad_names_and_skills(name, family, skills, words):
    with pytest.raises(MentorkitError, match=words):
        template_text(name, family, skills)


def test_new_writes_the_file_that_then_checks_clean_and_plays(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["scenario", "new", "team_feedback", "--family", "hard_conversations",
                 "--skills", "sbi", "active_listening"]) == 0
    path = tmp_path / "team_feedback.yaml"
    assert path.is_file() and f"wrote {path}" in capsys.readouterr().out
    s = load_scenario_file(path)
    assert s.name == "team_feedback" and s.skills == ("sbi", "active_listening")
    assert main(["scenario", "check", str(path)]) == 0
    assert main(["scenario", "new", "team_feedback", "--family", "x"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["scenario", "new", "elsewhere", "--family", "x", "--out", str(tmp_path / "sub")]) == 0
    assert (tmp_path / "sub" / "elsewhere.yaml").is_file()
    script = tmp_path / "replies.txt"
    script.write_text("\n".join(s.examples["strong"]) + "\n")
    capsys.readouterr()
    assert main(["practice", str(path), "--script", str(script)]) == 0
    assert "Outcome: resolved" in capsys.readouterr().out


def test_check_exit_codes_and_every_problem_as_file_line_field(tmp_path, capsys):
    good = DATA_DIR / "written_recap.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\npersona: {name: 3}\ncolour: red\n")
    unreadable = tmp_path / "unreadable.yaml"
    unreadable.write_text("name: [unclosed\n")
    assert main(["scenario", "check", str(good)]) == 0
    capsys.readouterr()
    assert main(["scenario", "check", str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:4: colour: unknown field" in out and f"{bad}:3: persona.name: " in out
    assert f"{bad}:1: family: is missing" in out and f"{bad}:3: persona.role: is missing" in out
    assert main(["scenario", "check", str(bad), str(unreadable)]) == 2
    assert f"{unreadable}:" in capsys.readouterr().out
    assert main(["scenario", "check", str(tmp_path), "--format", "json", "--no-play"]) == 2
    rows = json.loads(capsys.readouterr().out)
    assert [r["exit_code"] for r in rows] == [1, 2]


def test_check_of_a_folder_of_the_shipped_scenarios_is_clean(capsys):
    assert main(["scenario", "check", str(DATA_DIR), "--format", "json", "--no-play"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(list(DATA_DIR.glob("*.yaml")))
    assert all(r["errors"] == [] and r["warnings"] == [] for r in rows)


def test_preview_prints_transcript_findings_and_debrief(tmp_path, capsys):
    path = DATA_DIR / "written_recap.yaml"
    assert main(["scenario", "preview", str(path)]) == 0
    out = capsys.readouterr().out
    assert "[1] " in out and "found: " in out and "state: " in out and "Debrief:" in out and "Score:" in out
    replies = tmp_path / "r.txt"
    replies.write_text("\n\n\n")
    assert main(["scenario", "preview", str(path), "--replies", str(replies)]) == 0
    assert "Outcome: stalled" in capsys.readouterr().out
    # a kind that is not in the file's examples is played from its sample file (--set KIND[:N])
    sets = load_samples("written_recap")["sets"]
    assert main(["scenario", "preview", str(path), "--set", "stuffed:2", "--format", "json"]) == 0
    played = [ln["text"] for ln in json.loads(capsys.readouterr().out)["transcript"] if ln["speaker"] == "mentor"]
    assert played == [r.strip() for r in sets["stuffed"][2]][:len(played)] and played
    assert main(["scenario", "preview", str(path), "--set", "chatty"]) == 2
    assert "no sample set 'chatty'" in capsys.readouterr().err
    assert main(["scenario", "preview", str(path), "--set", "weak:9"]) == 2
    assert "field 'sets.weak': --set weak:9: N must be a number from 0 to 3" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n")
    assert main(["scenario", "preview", str(bad)]) == 1
    assert "cannot be previewed until these are fixed" in capsys.readouterr().err


def test_practice_help_says_a_path_can_be_played(capsys):
    with pytest.raises(SystemExit):
        main(["practice", "--help"])
    assert "path of a scenario file" in " ".join(capsys.readouterr().out.split())
