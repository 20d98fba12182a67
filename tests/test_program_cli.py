"""`mentorkit validate` and `mentorkit simulate`: output, exit codes, never a traceback."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import mentorkit.datasets as ds
from mentorkit.cli import main


@pytest.fixture()
def faulty(tmp_path) -> Path:
    dst = tmp_path / "prog"
    shutil.copytree(ds.path("program_sample"), dst)
    s = pd.read_csv(dst / "surveys.csv", dtype=str)
    s.loc[0, "value"] = "11"
    s.loc[1, "value"] = "eleven"
    s.to_csv(dst / "surveys.csv", index=False)
    return dst


def test_validate_clean_folder_exits_0(capsys):
    assert main(["validate", str(ds.path("program_sample"))]) == 0
    out = capsys.readouterr().out
    assert "0 error(s), 0 warning(s)" in out and "participants" in out


def test_validate_problems_exits_1_and_prints_each(faulty, capsys, tmp_path):
    code = main(["validate", str(faulty), "--quarantine", str(tmp_path / "q"), "--problems", str(tmp_path / "p.csv")])
    out = capsys.readouterr().out
    assert code == 1
    assert "surveys.csv:2:value: value 11 is out of range 1-10 for item conf_giving_feedback" in out
    assert "surveys.csv:3:value: 'eleven' is not a number" in out
    assert "2 error(s), 0 warning(s)" in out
    assert (tmp_path / "q" / "surveys.csv").exists()
    problems = pd.read_csv(tmp_path / "p.csv")
    assert list(problems.columns) == ["table", "file", "row", "column", "severity", "message"]
    assert len(problems) == 2


def test_validate_limit(faulty, capsys, tmp_path):
    main(["validate", str(faulty), "--quarantine", str(tmp_path / "q"), "--limit", "1"])
    out = capsys.readouterr().out
    assert "... and 1 more problem(s)" in out


def test_validate_strict(faulty, capsys, tmp_path):
    assert main(["validate", str(faulty), "--strict", "--quarantine", str(tmp_path / "q")]) == 1
    out = capsys.readouterr().out
    assert "strict mode: nothing was loaded or written" in out
    assert not (tmp_path / "q").exists()


def test_validate_unreadable_path_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.strip().startswith(f"mentorkit validate: error: {tmp_path / 'missing'}: no such folder")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_validate_with_mapping(capsys, tmp_path):
    folder = ds.path("byo_export_example")
    code = main(["validate", str(folder), "--mapping", str(folder / "mapping.yaml"), "--limit", "0",
                 "--quarantine", str(tmp_path / "q")])
    assert code == 1
    assert "pairs.xlsx:6:mentee_id: unknown mentee_id '999999': not in hris_people.csv" in capsys.readouterr().out


def test_simulate_writes_a_program(tmp_path, capsys):
    out = tmp_path / "sim"
    assert main(["simulate", "--mentees", "30", "--seed", "9", "--out", str(out), "--no-progress"]) == 0
    assert {p.name for p in out.iterdir()} >= {"participants.csv", "pairs.csv", "truth.json", "comments.csv"}
    assert "written to" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0


def test_simulate_bad_option_is_one_line(tmp_path, capsys):
    assert main(["simulate", "--mentees", "3", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.strip() == "mentorkit simulate: error: simulate: --mentees must be at least 10, got 3"


def test_console_script_never_shows_a_traceback(tmp_path):
    bad = tmp_path / "prog"
    bad.mkdir()
    (bad / "participants.csv").write_bytes(b"\x00\x01garbage,\xff\n\x00")
    exe = Path(sys.executable).parent / "mentorkit"
    for args in (["validate", str(bad)], ["validate", str(tmp_path / "nope")],
                 ["validate", str(bad), "--mapping", str(tmp_path / "missing.yaml")]):
        proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120)
        assert proc.returncode in (1, 2), proc
        assert "Traceback" not in proc.stderr + proc.stdout
