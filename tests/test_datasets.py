"""The shipped-dataset index and loaders."""
from __future__ import annotations

from pathlib import Path

import pytest

import mentorkit
import mentorkit.datasets as ds
from mentorkit.errors import MentorkitError


def test_index_is_a_tidy_frame_of_existing_folders():
    idx = ds.list()
    assert list(idx.columns) == ["name", "description", "path"]
    assert {"program_sample", "byo_export_example"} <= set(idx["name"])
    for name in ("program_sample", "byo_export_example"):
        assert Path(idx.set_index("name").loc[name, "path"]).is_dir()
        assert (ds.path(name) / "README.md").exists()           # a data card each


def test_root_is_next_to_the_package():
    assert ds.root() == Path(mentorkit.__file__).resolve().parent.parent / "datasets"


def test_unknown_dataset_names_the_known_ones():
    with pytest.raises(MentorkitError, match="unknown dataset 'nope'; known: .*program_sample"):
        ds.path("nope")


def test_program_sample_loads_cleanly_with_truth():
    data = ds.load("program_sample")
    assert data.report.ok and data.report.balanced
    roles = data.participants["role"].value_counts()
    assert roles["mentee"] == 600 and roles["comparison"] == 600
    assert data.truth["seed"] == 20240601 and data.truth["confidence_effect_d"] == 0.5
    assert 150 <= len(data.comments) <= 500                       # "a few hundred"
    size = sum(p.stat().st_size for p in ds.path("program_sample").iterdir())
    assert size < 5_000_000                                       # a few MB


def test_byo_example_loads_through_its_mapping_and_keeps_the_repo_clean():
    folder = ds.path("byo_export_example")
    data = ds.load("byo_export_example")
    assert data.report.balanced and data.report.n_errors > 0
    assert not (folder / "_quarantine").exists()
    q = data.report.quarantine_files
    assert q and all(not str(p).startswith(str(folder)) for p in q.values())
    text = "\n".join(data.report.lines())
    for fault in ("stray spaces in 'Mentee '", "'31/02/2019' is not a valid date", "duplicate participant_id",
                  "is before start_date", "unknown mentee_id '999999'", "'45 min' is not a number",
                  "value 11 is out of range 1-10", "'n/a' is not a number", "byte-order mark",
                  "CRLF", "not UTF-8", "looks like personal data"):
        assert fault in text, fault
    assert set(data.participants["role"]) == {"mentor", "mentee", "comparison"}
    assert "FullName" not in data.participants.columns
    assert data.comments["text"].str.contains("Caf\u00e9").any()


def test_dataset_without_a_loader_says_where_its_files_are():
    ds.register("_test_only", "a test entry", "program_sample", None)
    try:
        with pytest.raises(MentorkitError, match="has no loader"):
            ds.load("_test_only")
    finally:
        ds._INDEX.pop("_test_only")


def test_every_shipped_dataset_is_registered_with_a_card_and_loads():
    """Each data folder under datasets/ (a folder with a README.md data card) is in the index, and
    its loader gives what the files hold: the row counts are recounted from the files here."""
    import csv

    registered = {Path(p).resolve() for p in ds.list()["path"]}
    cards = {p.parent.resolve() for p in ds.root().glob("*/README.md")} | \
            {p.parent.resolve() for p in ds.root().glob("skills/*/README.md")}
    cards.discard((ds.root() / "skills").resolve())  # the skills folder holds one dataset per skill
    assert cards <= registered, f"not registered: {sorted(str(c) for c in cards - registered)}"
    people = ds.load("matching_example")
    with open(ds.path("matching_example") / "people.csv", newline="", encoding="utf-8") as fh:
        assert len(people) == sum(1 for _ in csv.DictReader(fh))
    recap = ds.load("skills_recap")
    lines = [line for f in sorted(ds.path("skills_recap").glob("*.tsv"))
             for line in f.read_text(encoding="utf-8").splitlines()]
    assert 0 < len(recap) <= len(lines) and set(recap["split"]) == {"train", "test"}
    practice = ds.load("practice_sample")
    with open(ds.path("practice_sample") / "attempts.csv", newline="", encoding="utf-8") as fh:
        assert len(practice["attempts"]) == sum(1 for _ in csv.DictReader(fh))
    assert set(practice["scores"]["attempt_id"]) <= set(practice["attempts"]["attempt_id"])
    assert set(ds.load("listening")["label"]) >= {"reflection", "open_question", "advice"}
