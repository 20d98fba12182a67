"""Grounding data built once per scenario text and kept on disk, so no reply pays for it.

The fact index (every sheet phrase reduced to its content words) and the scenario
vocabulary take a few hundred milliseconds of spaCy work per scenario; built on the first
reply they made that reply the slowest of the conversation. They depend only on the
scenario's words, the spaCy model and this code, so they are stored under the cache
folder (``cache_dir`` setting, ``MENTORKIT_CACHE``; default ``~/.cache/mentorkit``) in
``grounding/<sha256>.json``, keyed by all three: an edited scenario, another model or a
new format gets a new file. A cache that cannot be read or written is skipped, never an
error.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

__all__ = ["cached", "parse_phrases", "FORMAT"]

#: bump when what is stored (or how it is computed) changes
FORMAT = "grounding-2"


def _model_id() -> str:
    from mentorkit.nlp import get_nlp
    nlp = get_nlp("grader")
    return f"{nlp.meta.get('name')}-{nlp.meta.get('version')}"


def _folder() -> Path | None:
    try:
        from mentorkit import config
        return config.cache_dir() / "grounding"
    except Exception:  # noqa: BLE001 - no usable configuration: no cache
        return None


def cached(what: str, texts: list[str], build: Callable[[], Any]) -> Any:
    """``build()``'s JSON-able result for *texts*, from the disk cache when it holds it."""
    digest = hashlib.sha256(json.dumps([FORMAT, what, _model_id(), texts]).encode()).hexdigest()
    folder = _folder()
    path = folder / f"{digest}.json" if folder is not None else None
    if path is not None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    value = build()
    if path is not None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(value, fh)
            os.replace(tmp, path)
        except OSError:
            pass
    return value


def parse_phrases(texts: list[str]):
    """Parse short phrases with the same pipeline replies are parsed with (the parser included: without
    it a few tags differ, 'how does *that* sound', and a phrase would no longer match its own words)."""
    from mentorkit.nlp import parse_many
    return parse_many(texts)   # kept in the shared parses: a play that reads one of them again parses nothing
