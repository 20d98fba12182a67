"""Every example in the package's docstrings runs (the whole package, like ``--doctest-modules``).

Examples are documentation a reader copies; one that no longer runs, or prints something
else, misleads them. Each module is collected by walking :mod:`mentorkit` itself, so a new
module's examples are run without anyone adding it to a list.
"""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mentorkit

MODULES = sorted(m.name for m in pkgutil.walk_packages(mentorkit.__path__, "mentorkit.")
                 if not m.name.endswith("__main__")) + ["mentorkit"]


def _has_examples(module) -> bool:
    return any(t.examples for t in doctest.DocTestFinder().find(module))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MENTORKIT_SALT", "doctest-salt")
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = importlib.import_module(name)
    if not _has_examples(module):
        pytest.skip(f"{name} has no examples")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} example(s) in {name} failed (see above)"


def test_the_package_has_examples_to_run():
    """The walk found the modules (a broken walk would skip everything and pass)."""
    found = [n for n in MODULES if _has_examples(importlib.import_module(n))]
    assert len(found) >= 60 and "mentorkit.privacy" in found and "mentorkit.analysis.figures" in found
