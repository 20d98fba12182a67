"""An organisation's scenario keeps its sample reply sets in samples/NAME.yaml beside it; the check plays them."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR, load_samples, load_scenario_file
from mentorkit.scenarios.check import check_file
from mentorkit.scenarios.samples import read_samples, samples_path

NAME = "our_recap"


def _org(tmp_path: Path, sets: dict | None = None, writer: str = "writer_x", raw: str | None = None) -> Path:
    """An organisation folder with the shipped written_recap renamed, and (optionally) its sample file."""
    text = (DATA_DIR / "written_recap.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / f"{NAME}.yaml"
    scenario.write_text(text.replace("name: written_recap", f"name: {NAME}", 1), encoding="utf-8")
    if sets is not None or raw is not None:
        (tmp_path / "samples").mkdir()
        body = raw if raw is not None else yaml.safe_dump({"scenario": NAME, "writer": writer, "sets": sets},
                                                          sort_keys=False)
        (tmp_path / "samples" / f"{NAME}.yaml").write_text(body, encoding="utf-8")
    return scenario


def _shipped_sets(kinds=("strong", "weak"), n=1) -> dict:
    sets = yaml.safe_load((DATA_DIR / "samples" / "written_recap.yaml").read_text(encoding="utf-8"))["sets"]
    return {k: sets[k][:n] for k in kinds}


def test_an_organisation_scenario_finds_its_samples_beside_it(tmp_path):
    path = _org(tmp_path, _shipped_sets())
    s = load_scenario_file(path)
    assert samples_path(s) == tmp_path / "samples" / f"{NAME}.yaml"
    got = load_samples(s)
    assert got["writer"] == "writer_x" and sorted(got["sets"]) == ["strong", "weak"]


def test_the_check_plays_them_and_warns_when_stuffed_and_off_topic_are_missing(tmp_path):
    report = check_file(_org(tmp_path, _shipped_sets()))
    assert report.samples_file == str(tmp_path / "samples" / f"{NAME}.yaml")
    assert [(k.kind, len(k.scores)) for k in report.kinds] == [("strong", 1), ("weak", 1)]
    assert report.exit_code == 0, report.lines()
    missing = sorted(p.field for p in report.warnings if p.file == report.samples_file)
    assert missing == ["sets.off_topic", "sets.stuffed"]
    assert any("samples 'strong' (1 sets by writer_x): mean" in ln for ln in report.lines())


def test_sets_that_score_the_wrong_way_fail_the_check_at_the_sample_file_line(tmp_path):
    good = _shipped_sets()
    path = _org(tmp_path, {"strong": good["weak"], "weak": good["strong"]})
    report = check_file(path)
    samples = tmp_path / "samples" / f"{NAME}.yaml"
    lines = samples.read_text(encoding="utf-8").splitlines()
    errs = {p.field: p for p in report.errors}
    assert sorted(errs) == ["sets.strong", "sets.weak"] and report.exit_code == 1
    assert errs["sets.strong"].file == str(samples)
    assert lines[errs["sets.strong"].line - 1].startswith("  strong:")
    assert "should score at least 80" in errs["sets.strong"].message
    assert "should score at most 55" in errs["sets.weak"].message


def test_a_broken_sample_file_names_every_problem_with_its_line(tmp_path):
    raw = ("scenario: someone_else\nwriter: ''\ncolour: red\nsets:\n  strong:\n  - [only one reply]\n"
           "  chatty: []\n")
    report = check_file(_org(tmp_path, raw=raw))
    got = {(p.line, p.field) for p in report.errors}
    assert got == {(1, "scenario"), (2, "writer"), (3, "colour"), (6, "sets.strong[0]"), (7, "sets.chatty"),
                   (4, "sets.weak")}, report.lines()
    assert report.exit_code == 1 and report.kinds == []
    with pytest.raises(MentorkitError, match=r"samples/our_recap\.yaml: field 'scenario'"):
        load_samples(load_scenario_file(tmp_path / f"{NAME}.yaml"))


def test_a_sample_file_is_read_safely(tmp_path):
    raw = "scenario: our_recap\nwriter: w\nsets: !!python/object/apply:os.system ['echo hi']\n"
    _org(tmp_path, raw=raw)
    sets, problems = read_samples(tmp_path / "samples" / f"{NAME}.yaml", load_scenario_file(tmp_path / f"{NAME}.yaml"))
    assert sets is None and any("is not allowed" in p.message for p in problems)


def test_without_a_sample_file_the_check_warns_and_says_where_it_looked(tmp_path):
    report = check_file(_org(tmp_path))
    assert report.exit_code == 0 and report.kinds == []
    warn = next(p for p in report.warnings if p.field == "(samples)")
    assert str(tmp_path / "samples" / f"{NAME}.yaml") in warn.message


def test_the_library_does_not_read_the_samples_folder_as_scenarios(tmp_path):
    from mentorkit.scenarios.library import library
    _org(tmp_path, _shipped_sets())
    lib = library(folders=[tmp_path])
    org = [e for e in lib.entries if e.source == "organisation"]
    assert [(e.name, e.ok) for e in org] == [(NAME, True)]
