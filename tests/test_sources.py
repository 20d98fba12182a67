"""One resolver of data sources (mentorkit.sources) behind the CLI, the dashboards and the report.

A program written from its folder into a database gives the CLI the same analysis and the same
report as the folder; validate reads a database too; the new modules' examples run.
"""
from __future__ import annotations

import doctest
import importlib
import json
import re

import pandas as pd
import pytest

from mentorkit.cli import main
from mentorkit.datasets import path as dataset_path
from mentorkit.errors import MentorkitError
from mentorkit.program.schema import TABLE_ORDER
from mentorkit.sources import DataSource, load_program, resolve_source

SAMPLE = dataset_path("program_sample")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """The sample program's files, table by table, in an SQLite database."""
    from sqlalchemy import create_engine

    db = tmp_path_factory.mktemp("db") / "program.sqlite"
    engine = create_engine(f"sqlite:///{db}")
    for t in TABLE_ORDER:
        f = SAMPLE / f"{t}.csv"
        if f.exists():
            pd.read_csv(f, dtype=str, keep_default_na=False).to_sql(t, engine, index=False)
    engine.dispose()
    return f"sqlite:///{db}"


@pytest.mark.parametrize("name", ["mentorkit.sources", "mentorkit.cli.files", "mentorkit.cli.grading",
                                  "mentorkit.cli.skills", "mentorkit.cli.practice", "mentorkit.cli.analysis",
                                  "mentorkit.scenarios.play", "mentorkit.skills.train"])
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("value, kind", [("", "sample"), ("program_sample", "dataset"),
                                         ("byo_export_example", "dataset"), ("sqlite:///x.sqlite", "database"),
                                         ("no/such/folder", "folder")])
def test_every_kind_of_source_is_told_apart(value, kind):
    assert resolve_source(value).kind == kind


def test_a_folder_named_like_a_dataset_is_a_folder(tmp_path, monkeypatch):
    (tmp_path / "program_sample").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_source("program_sample") == DataSource("folder", "program_sample", "folder program_sample")


def test_the_setting_is_named_only_when_asked(tmp_path):
    with pytest.raises(MentorkitError) as plain:
        load_program(str(tmp_path / "gone"))
    with pytest.raises(MentorkitError) as named:
        load_program(str(tmp_path / "gone"), setting="MENTORKIT_DATA")
    assert str(plain.value).startswith(f"{tmp_path / 'gone'}: no such folder")
    assert str(named.value).startswith(f"MENTORKIT_DATA={tmp_path / 'gone'}: no such folder")
    assert "program_sample" in str(plain.value)  # the shipped datasets are offered


def _analyze_json(capsys, source: str) -> dict:
    assert main(["analyze", source, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_analyze_on_a_database_equals_the_folder_it_was_written_from(capsys, sample_db, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    from_folder = _analyze_json(capsys, str(SAMPLE))
    from_db = _analyze_json(capsys, sample_db)
    assert sorted(from_db) == sorted(from_folder)
    for name in from_folder:
        assert from_db[name] == from_folder[name], name
    assert len(from_folder["engagement"]) > 0  # there was something to compare


def _report_text(path) -> str:
    text = path.read_text(encoding="utf-8")
    # plotly gives each chart a fresh random div id; nothing else may differ
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>", text)


def test_report_on_a_database_equals_the_folder_it_was_written_from(capsys, sample_db, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    assert main(["report", str(SAMPLE), "--out", str(tmp_path / "folder.html")]) == 0
    assert main(["report", sample_db, "--out", str(tmp_path / "db.html")]) == 0
    capsys.readouterr()
    a, b = _report_text(tmp_path / "folder.html"), _report_text(tmp_path / "db.html")
    assert "Kaplan" in a or "retention" in a.lower()
    assert a == b


def test_validate_reads_a_database(capsys, sample_db, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    assert main(["validate", sample_db]) == 0
    out = capsys.readouterr().out
    n = len(pd.read_csv(SAMPLE / "participants.csv"))
    assert re.search(rf"participants\s+{n}\s+{n}\s+0", out), out


def test_validate_names_a_database_without_the_tables(capsys, tmp_path):
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    e = create_engine(url)
    pd.DataFrame({"x": [1]}).to_sql("unrelated", e, index=False)
    e.dispose()
    assert main(["validate", url]) == 2
    err = capsys.readouterr().err
    assert "no program table(s) participants" in err and len(err.strip().splitlines()) == 1
