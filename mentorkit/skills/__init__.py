"""Skill detectors for practice replies: active listening, intent and tone, the four-step
hard-conversation frame, mentoring-agreement coverage, call recaps, boundaries, and SBI
(wrapping the feedback grader).

Every detector is spaCy cues feeding a scikit-learn model trained on the project's own
labelled data under ``datasets/`` (see each data card), with evidence spans pointing into
the text.

>>> from mentorkit.skills import detect
>>> r = detect("boundaries", "I'm on Slack 9-5 CET on weekdays and reply within a day.")
>>> r.present, sorted(r.components)
(True, ['availability_window', 'response_time'])
"""
from __future__ import annotations

import importlib
from typing import Iterable

from spacy.tokens import Doc

from mentorkit.errors import MentorkitError
from mentorkit.nlp import get_nlp
from mentorkit.skills.base import (CATALOGUE, COMPONENTS, LISTENING_LABELS, SKILLS, ComponentResult, SkillResult,
                                   Span, results_frame, skill_label)
from mentorkit.skills.listening import classify_utterances

__all__ = ["detect", "detect_many", "CATALOGUE", "SKILLS", "COMPONENTS", "skill_label", "LISTENING_LABELS", "SkillResult", "ComponentResult",
           "Span", "classify_utterances", "results_frame"]

_MODULES = {name: info.module for name, info in CATALOGUE.items()}


def detect(skill: str, text: str, doc: Doc | None = None) -> SkillResult:
    """Run the *skill* detector on *text*.

    Parameters
    ----------
    skill : str
        One of :data:`SKILLS`.
    text : str
        The trainee's reply or message.
    doc : spacy.tokens.Doc, optional
        *text* already parsed with ``get_nlp("grader")`` (or a fuller profile), so several
        detectors can share one parse. Its text must equal *text*; a doc without a
        dependency parse is ignored and the text parsed again.

    Returns
    -------
    SkillResult

    Examples
    --------
    >>> detect("active_listening", "You're feeling stuck?").label
    'reflection'
    """
    if skill not in _MODULES:
        raise MentorkitError(f"unknown skill {skill!r}; choose one of {', '.join(SKILLS)}")
    if not isinstance(text, str):
        raise MentorkitError(f"{skill}: expected the text as a string, got {type(text).__name__}")
    from mentorkit.normalise import original_text
    if doc is not None and original_text(doc) != text:
        raise MentorkitError(f"{skill}: the parsed doc does not match the text (parse the same string you pass)")
    if doc is not None and not doc.has_annotation("DEP"):
        doc = None  # parsed without the dependency parser (e.g. the "tagger" profile): parse again
    module = importlib.import_module(_MODULES[skill])
    return module.detect(text, doc)


def detect_many(text: str, skills: Iterable[str] | None = None, doc: Doc | None = None) -> dict[str, SkillResult]:
    """Run several detectors on one text, parsing it once.

    >>> sorted(detect_many("Thanks! I'll reply within a day.", ["boundaries", "intent_tone"]))
    ['boundaries', 'intent_tone']
    """
    chosen = list(skills) if skills is not None else [s for s in SKILLS if s != "sbi"]
    if doc is None:
        # parse the normalised text once: every detector reuses it instead of re-parsing (the SBI
        # grader reads it too when normalisation left no emoji to take out)
        from mentorkit.normalise import parse_one
        doc = parse_one(text)
    return {s: detect(s, text, doc) for s in chosen}
