"""Grounding data kept on disk: built once per scenario text, model and format, then read back."""
from __future__ import annotations

from mentorkit.scenarios import facts, load_scenario
from mentorkit.scenarios.precompute import cached


def test_cached_builds_once_and_reads_back(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path))
    calls = []
    build = lambda: calls.append(1) or [["number", "wrong"]]  # noqa: E731
    assert cached("t", ["a phrase"], build) == [["number", "wrong"]]
    assert cached("t", ["a phrase"], build) == [["number", "wrong"]]
    assert len(calls) == 1
    assert cached("t", ["another phrase"], build) == [["number", "wrong"]]   # other words: a new entry
    assert len(calls) == 2
    assert len(list((tmp_path / "grounding").glob("*.json"))) == 2


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MENTORKIT_CACHE", str(blocker))
    assert cached("t", ["x"], lambda: [1]) == [1]


def test_the_index_read_from_the_cache_equals_the_one_built(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path))
    sheet = load_scenario("client_call_feedback").facts
    facts._INDEXES.clear()
    built = facts.fact_index(sheet).entries
    facts._INDEXES.clear()
    again = facts.fact_index(sheet).entries
    assert built == again and built
    assert any(k == ("number", "wrong") for _kind, _i, _p, k in built)
