"""The examples in the skills modules' docstrings run and print what they say."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["base", "corpus", "cues", "listening", "tagger", "model", "evaluate", "rewrite", "intent_tone",
           "four_step", "agreement", "recap", "boundaries", "train", "sbi", "__init__"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module("mentorkit.skills" if name == "__init__" else f"mentorkit.skills.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
