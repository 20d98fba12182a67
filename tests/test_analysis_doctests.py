"""The runnable examples in the analysis docstrings (NumPy style) run and give what they show."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["_common", "engagement", "outcomes", "reliability", "retention", "roi", "power", "matching", "themes",
           "report"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"mentorkit.analysis.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in mentorkit.analysis.{name}"


def test_package_example():
    import mentorkit.analysis as pkg

    assert doctest.testmod(pkg, optionflags=doctest.ELLIPSIS).failed == 0
