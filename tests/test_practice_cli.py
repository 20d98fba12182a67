"""`mentorkit practice`: list, play from a script, errors as one line, recording and export."""
from __future__ import annotations

import json

import pytest

from mentorkit.cli import main
from mentorkit.scenarios import load_scenario, scenario_names


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_SALT", "cli-test-salt")
    monkeypatch.setenv("MENTORKIT_PRACTICE_DB", str(tmp_path / "default.sqlite"))


def test_list_names_every_scenario(capsys):
    assert main(["practice", "--list"]) == 0
    out = capsys.readouterr().out
    for name in scenario_names():
        assert name in out
    assert main(["practice", "--list", "--format", "json", "--family", "boundaries_and_fit"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == {"availability_boundaries", "rematch_kindly"}


def test_unknown_scenario_is_one_line_listing_the_real_ones(capsys):
    assert main(["practice", "recapp"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unknown scenario 'recapp'" in err and "written_recap" in err


def test_script_json_prints_transcript_and_debrief(tmp_path, capsys):
    script = tmp_path / "replies.txt"
    script.write_text("\n".join(load_scenario("written_recap").examples["strong"]) + "\n")
    assert main(["practice", "written_recap", "--script", str(script), "--format", "json", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scenario"] == "written_recap" and out["seed"] == 3
    speakers = [ln["speaker"] for ln in out["transcript"]]
    assert speakers[:3] == ["mentee", "mentor", "mentee"]
    assert [ln["line"] for ln in out["transcript"]] == list(range(1, len(speakers) + 1))
    assert out["outcome"] in ("resolved", "partly_resolved", "stalled")
    d = out["debrief"]
    assert 0 <= d["score"] <= 100 and d["tier"] and d["criteria"] and "keep" in d
    assert out["recorded_attempt_id"] is None


def test_short_script_ends_unfinished_with_a_warning(tmp_path, capsys):
    script = tmp_path / "short.txt"
    script.write_text("Recap: you'll send the draft Monday.\n")
    assert main(["practice", "written_recap", "--script", str(script), "--format", "json"]) == 0
    cap = capsys.readouterr()
    assert json.loads(cap.out)["outcome"] == "unfinished"
    assert "ran out after 1 replies" in cap.err and str(script) in cap.err


def test_empty_lines_are_empty_replies_not_errors(tmp_path, capsys):
    script = tmp_path / "blank.txt"
    script.write_text("\n\n\n")
    assert main(["practice", "tense_disagreement", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert "(no reply)" in out and "Outcome: stalled" in out


def test_missing_script_and_malformed_scenario_file_are_named(tmp_path, capsys):
    assert main(["practice", "written_recap", "--script", str(tmp_path / "nope.txt")]) == 2
    assert "nope.txt: file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\n")
    assert main(["practice", str(bad), "--script", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml: field 'family': is missing" in err


def test_record_progress_and_export(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'team.sqlite'}"
    script = tmp_path / "r.txt"
    script.write_text("\n".join(load_scenario("written_recap").examples["weak"]))
    for _ in range(2):
        assert main(["practice", "written_recap", "--script", str(script), "--trainee", "Lee Chen",
                     "--db", db, "--format", "json"]) == 0
        assert isinstance(json.loads(capsys.readouterr().out)["recorded_attempt_id"], int)
    assert main(["practice", "--progress", "--db", db, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1 and rows[0]["attempts"] == 2 and rows[0]["scenario"] == "written_recap"
    assert "Lee Chen" not in json.dumps(rows)
    out_csv = tmp_path / "log.csv"
    assert main(["practice", "--export", str(out_csv), "--db", db]) == 0
    assert out_csv.read_text().count("written_recap") == 2


def test_interactive_play_reads_replies_from_the_terminal(monkeypatch, capsys):
    import io
    replies = load_scenario("availability_boundaries").examples["strong"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(replies) + "\n"))
    assert main(["practice", "availability_boundaries"]) == 0
    out = capsys.readouterr().out
    assert "Setting availability boundaries" in out and "(Hint: " in out
    assert out.count("You> ") == len(replies)
    assert "Debrief:" in out and "Score:" in out


def test_interactive_play_ended_by_end_of_input_is_unfinished(monkeypatch, capsys):
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["practice", "rematch_kindly"]) == 0
    assert "Outcome: unfinished" in capsys.readouterr().out


def test_trainee_without_a_salt_is_refused_before_play(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MENTORKIT_SALT", raising=False)
    script = tmp_path / "replies.txt"
    script.write_text("\n".join(load_scenario("written_recap").examples["strong"]) + "\n")
    assert main(["practice", "written_recap", "--script", str(script), "--trainee", "sam"]) == 2
    cap = capsys.readouterr()
    assert "MENTORKIT_SALT" in cap.err and "Traceback" not in cap.err
    assert "Debrief" not in cap.out                      # refused before the conversation, not after it


def test_too_long_reply_in_a_script_is_answered_for_its_line_and_play_goes_on(tmp_path, capsys):
    replies = list(load_scenario("written_recap").examples["strong"])
    script = tmp_path / "replies.txt"
    script.write_text("\n".join([replies[0], "word " * 4000] + replies[1:]) + "\n")
    assert main(["practice", "written_recap", "--script", str(script), "--format", "json"]) == 0
    cap = capsys.readouterr()
    assert f"{script}:2:" in cap.err and "20,000 characters" in cap.err
    out = json.loads(cap.out)
    assert out["outcome"] != "unfinished"               # the conversation went on after line 2
    assert out["transcript"][3]["refused"]["reply"].startswith("20,000 characters")


def test_interactive_json_keeps_prompts_off_stdout(monkeypatch, capsys):
    replies = iter(load_scenario("written_recap").examples["strong"])
    monkeypatch.setattr("builtins.input", lambda *a: next(replies))
    assert main(["practice", "written_recap", "--format", "json"]) == 0
    cap = capsys.readouterr()
    out = json.loads(cap.out)                            # stdout is one JSON document
    assert out["scenario"] == "written_recap"
    assert "You> " in cap.err and "Hint:" in cap.err


def test_a_reply_that_is_not_english_gets_a_note():
    from mentorkit.scenarios import Session
    s = Session("client_call_feedback", seed=0)
    s.reply("Hola Priya, en la reunión de esta mañana dijiste que los números estaban mal delante del director.")
    s.abandon()
    assert "English-only" in s.lines[1].note
    assert any("English-only" in n.text for n in s.debrief().notes)
