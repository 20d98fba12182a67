"""`mentorkit grade` and `mentorkit train-grader` run as a user runs them: a real subprocess."""
import csv
import io
import json
import subprocess
import sys

import pytest


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "mentorkit.cli", *args], capture_output=True, text=True,
                          input=stdin, timeout=300)


def test_grade_one_statement_prints_a_readable_grade():
    r = run("grade", "In yesterday's client call you interrupted Priya three times, so we never agreed the budget.")
    assert r.returncode == 0, r.stderr
    assert "Score: " in r.stdout and "complete SBI" in r.stdout
    assert 'Situation  yes' in r.stdout and "Tips:" in r.stdout


def test_grade_txt_file_to_jsonl(tmp_path):
    f = tmp_path / "in.txt"
    f.write_text("You were rude.\n\nIn Monday's demo you skipped the pricing slide, so the client asked twice.\n",
                 encoding="utf-8")
    r = run("grade", "--input", str(f), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(rows) == 2  # the blank line is not a statement
    for row in rows:
        assert {"text", "situation", "behavior", "impact", "judgement", "complete", "score", "evidence", "tips"} <= set(row)
        assert all(isinstance(row[k], bool) for k in ("situation", "behavior", "impact", "judgement", "complete"))
        assert isinstance(row["score"], (int, float))
    assert rows[0]["judgement"] is True and rows[1]["complete"] is True


def test_grade_csv_column_to_csv(tmp_path):
    f = tmp_path / "in.csv"
    f.write_text('id,comment\n1,"=HYPERLINK(""x"") you were late"\n2,"I felt heard when you paused on Friday."\n',
                 encoding="utf-8")
    r = run("grade", "--input", str(f), "--column", "comment", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 2
    assert rows[0]["text"].startswith("'=")  # neutralised for spreadsheets
    assert rows[1]["impact"] == "True"


@pytest.mark.parametrize("content, args, message", [
    (b"fine line\n\xff\xfe broken\n", [], r"in\.txt:2: not valid UTF-8"),
    (b"", [], r"in\.txt: the file is empty"),
    (b"   \n\n", [], r"in\.txt: the file is empty"),
    (b"id,text\n1,hello\n", ["--column", "comment"], r"in\.txt:1: no column 'comment'"),
])
def test_bad_files_get_one_clear_line_and_exit_2(tmp_path, content, args, message):
    import re
    f = tmp_path / "in.txt"
    f.write_bytes(content)
    r = run("grade", "--input", str(f), *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert re.search(message, r.stderr), r.stderr


def test_missing_file_and_too_long_line(tmp_path):
    r = run("grade", "--input", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and "nope.txt: file not found" in r.stderr
    f = tmp_path / "long.txt"
    f.write_text("ok\n" + "word " * 5000 + "\n", encoding="utf-8")
    r = run("grade", "--input", str(f))
    assert r.returncode == 2 and "long.txt:2: statement is 24,999 characters" in r.stderr
    assert "Traceback" not in r.stderr


def test_no_text_and_both_inputs_are_errors(tmp_path):
    r = run("grade", stdin="")  # empty input on a pipe: an empty grade with a tip, not a crash
    assert r.returncode == 0 and "There is no feedback to grade yet" in r.stdout
    f = tmp_path / "a.txt"
    f.write_text("x\n")
    r = run("grade", "text", "--input", str(f))
    assert r.returncode == 2 and "not both" in r.stderr


def test_bare_command_prints_help():
    r = run()
    assert r.returncode == 2 and "grade" in r.stdout


def test_python_dash_m_mentorkit_is_the_same_command():
    """``python -m mentorkit`` (what a user tries first) runs the command, not an error about ``__main__``."""
    via_package = subprocess.run([sys.executable, "-m", "mentorkit", "grade", "You were rude."],
                                 capture_output=True, text=True, timeout=300)
    via_cli = run("grade", "You were rude.")
    assert via_package.returncode == 0, via_package.stderr
    assert via_package.stdout == via_cli.stdout and "Score: " in via_package.stdout
