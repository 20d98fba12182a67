"""The examples in the program-data, privacy and dataset modules run (NumPy-style docstrings)."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["mentorkit.program.schema", "mentorkit.program.data", "mentorkit.program.loader",
           "mentorkit.program.simulate", "mentorkit.cli.program", "mentorkit.program",
           "mentorkit.privacy", "mentorkit.datasets"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert result.attempted > 0
