"""`mentorkit listen` end to end, and its handling of bad input."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from mentorkit.cli import main

UTTERANCES = [
    "It sounds like you're worn out by the late calls.",
    "What would you like to be different by the summer?",
    "Did you send the report to finance?",
    "Have you thought about asking Ravi?",
    "Thanks for making the time today!",
]
EXPECTED = ["reflection", "open_question", "closed_question", "advice", "other"]


@pytest.fixture
def utterances(tmp_path):
    path = tmp_path / "replies.txt"
    path.write_text("\n".join(UTTERANCES) + "\n", encoding="utf-8")
    return path


def test_listen_jsonl_one_object_per_line(utterances, capsys):
    assert main(["listen", "--input", str(utterances), "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(UTTERANCES)
    objs = [json.loads(x) for x in lines]
    assert [o["label"] for o in objs] == EXPECTED
    assert all(0 < o["confidence"] <= 1 for o in objs)
    assert [o["line"] for o in objs] == [1, 2, 3, 4, 5]


def test_listen_csv(utterances, capsys):
    assert main(["listen", "--input", str(utterances), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["label"] for r in rows] == EXPECTED
    assert rows[0]["text"] == UTTERANCES[0]


def test_listen_as_a_real_command(utterances):
    proc = subprocess.run([sys.executable, "-m", "mentorkit.cli", "listen", "--input", str(utterances)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["label"] for x in proc.stdout.splitlines()] == EXPECTED


def test_blank_lines_are_kept_and_reported(tmp_path, capsys):
    path = tmp_path / "gaps.txt"
    path.write_text("Did you sleep?\n\nTell me more.\n", encoding="utf-8")
    assert main(["listen", "--input", str(path)]) == 0
    out = capsys.readouterr()
    objs = [json.loads(x) for x in out.out.splitlines()]
    assert [o["line"] for o in objs] == [1, 2, 3]
    assert objs[1]["label"] is None and objs[1]["error"] == "blank line"
    assert "1 blank line(s)" in out.err and "line 2" in out.err


def test_csv_output_neutralises_formulas(tmp_path, capsys):
    path = tmp_path / "formula.txt"
    path.write_text("=HYPERLINK(\"http://x\")\n", encoding="utf-8")
    assert main(["listen", "--input", str(path), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["text"].startswith("'=")


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"\n  \n\n", "the file is empty"),
    (b"Hello there\nthis is \xff broken\n", r":2: not valid UTF-8 \(byte 9 of the line is 0xff\)"),
])
def test_bad_files_give_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["listen", "--input", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(path) in err
    assert __import__("re").search(message, err)
    assert "Traceback" not in err


def test_missing_file_exit_2(tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    assert main(["listen", "--input", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}: file not found" in err and "Traceback" not in err


def test_folder_instead_of_file(tmp_path, capsys):
    assert main(["listen", "--input", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_train_skills_rejects_an_unknown_skill(capsys):
    assert main(["train-skills", "--skill", "empathy", "--out", "/nonexistent"]) == 2
    assert "unknown skill(s) empathy" in capsys.readouterr().err


def test_evaluate_scores_the_packaged_models_as_training_recorded(capsys):
    """`mentorkit evaluate` (what `make evaluate` runs) reproduces, without training, the test-split
    figures that `mentorkit train-grader` wrote to datasets/sbi/metrics.json when it saved the model,
    and lists every skill detector."""
    from pathlib import Path

    from mentorkit.skills.evaluate import SENTENCE_SKILLS

    assert main(["evaluate"]) == 0
    out = capsys.readouterr().out
    recorded = json.loads((Path(__file__).resolve().parents[1] / "datasets" / "sbi" / "metrics.json").read_text())
    for m in recorded["metrics"]:
        row = next(line for line in out.splitlines() if "sbi grader" in line and m["part"] in line)
        assert f"{m['f1']:.3f}" in row and str(m["support"]) in row
    for skill in ("active_listening", *SENTENCE_SKILLS):
        assert skill in out
