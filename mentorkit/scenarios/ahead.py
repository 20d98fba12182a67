"""Parsing a scenario's plays ahead, in one batch, before they are played (``scenario check``,
the sample plays): every reply and every line the mentee can say, so each distinct text is
parsed once however many scenarios or copies of a file use it.

It sits above the engine (it reads the engine's lines and limits); the on-disk grounding
cache the engine itself reads is :mod:`mentorkit.scenarios.precompute`, below it.
"""
from __future__ import annotations

from typing import Any, Iterable

__all__ = ["mentee_lines", "parse_ahead", "forget_shared"]


def mentee_lines(scenario) -> list[str]:
    """Every line the mentee of *scenario* can say as written (:func:`mentorkit.scenarios.engine.authored_lines`):
    what a play parses to learn the facts she tells. Empty when the scenario has no fact sheet
    (nothing is learnt from her lines then)."""
    from mentorkit.scenarios.engine import authored_lines
    return [] if scenario.facts is None else authored_lines(scenario)


def parse_ahead(plays: Iterable[tuple[Any, Iterable[str]]]) -> int:
    """Parse, in one batch, what playing each ``(scenario, replies)`` of *plays* would otherwise
    parse one text at a time: every reply as written and (when normalisation changes it) in the
    normalised forms the skill detectors and the SBI grader read. The parses land in the shared
    parses (:func:`mentorkit.nlp.cached_parse`) that the engine, the detectors, the grounding and
    the debrief read, so each distinct text is parsed once however many scenarios or copies of a
    file use it. The lines the mentee can say are not parsed again when the facts they tell are
    already known: the engine keeps that table on disk per scenario text
    (:func:`mentorkit.scenarios.engine._know_authored_lines`), and works it out in one batch per
    file the first time. Returns how many texts were asked for.

    Nothing about a play changes: a text's parse does not depend on the texts batched with it.
    """
    from mentorkit.nlp import parse_many
    from mentorkit.normalise import normalise, shared_key
    from mentorkit.scenarios.engine import MAX_REPLY_CHARS, _know_authored_lines
    wanted: dict[tuple, str] = {}
    for scenario, replies in plays:
        # what her lines tell comes from the on-disk table when this text of the scenario was seen
        # before (a copy of a file included); otherwise her lines are parsed in one batch per file
        _know_authored_lines(scenario)
        modes = (True, False) if "sbi" in scenario.skills else (True,)
        for text in replies:
            if not text.strip() or len(text) > MAX_REPLY_CHARS:
                continue   # an empty reply is not read; a long one is answered, not parsed
            wanted.setdefault(("grader", text), text)
            for keep_emoji in modes:
                n = normalise(text, keep_emoji)
                wanted.setdefault(shared_key(n), n.text)
    parse_many(list(wanted.values()), keys=list(wanted))
    return len(wanted)


def forget_shared() -> None:
    """Drop what plays share within this process (parses, detector results, the facts each mentee
    line tells), so the next play starts from nothing, as in a new process (benchmarks and tests)."""
    from mentorkit.nlp import clear_parse_cache
    from mentorkit.scenarios import engine
    clear_parse_cache()
    engine._detect_cached.cache_clear()
    engine._TOLD_CACHE.clear()
