"""The SBI skill: a thin wrapper over the feedback grader (:func:`mentorkit.grade_feedback`),
so the practice engine can ask every skill the same way.

``present`` is the grade's ``complete``; ``score`` its 0..100 score divided by 100; the
components are situation, behavior and impact with the grader's own evidence; judgement
words, tips and the balance/intent/request flags go into ``details``.
"""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from mentorkit.errors import MentorkitError
from mentorkit.skills.base import COMPONENTS, ComponentResult, SkillResult, Span

__all__ = ["detect", "from_grade"]

SKILL = "sbi"


def _span(s: Any) -> Span:
    return Span(int(s.start), int(s.end), str(s.text), str(s.label))


def from_grade(g: Any, text: str) -> SkillResult:
    """Turn a ``FeedbackGrade`` into a :class:`SkillResult`."""
    comps = {}
    for name in COMPONENTS[SKILL]:
        part = getattr(g, name)
        comps[name] = ComponentResult(name, bool(part.present), float(part.confidence),
                                      [_span(s) for s in part.evidence])
    details = {
        "judgement": [_span(s).to_dict() for s in getattr(g, "judgement", [])],
        "tips": [{"message": t.message, "example": getattr(t, "example", None)} for t in getattr(g, "tips", [])],
        "has_request": bool(getattr(g, "has_request", False)),
        "is_balanced": bool(getattr(g, "is_balanced", False)),
        "states_intent": bool(getattr(g, "states_intent", False)),
    }
    return SkillResult(SKILL, bool(g.complete), float(g.score) / 100.0, comps, details=details, text=text)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Grade *text* against the SBI model.

    The grader reads the parse of its own normalised form of the text (emoji taken out): *doc*
    when it is that parse, else the shared one (:func:`mentorkit.normalise.parse_one`).

    >>> r = detect("In yesterday's standup you interrupted Priya three times.")
    >>> r.skill, sorted(r.components)
    ('sbi', ['behavior', 'impact', 'situation'])
    """
    try:
        from mentorkit.feedback.grade import grade_feedback
    except ImportError:
        raise MentorkitError("the SBI grader (mentorkit.grade_feedback) is not available in this install") from None
    from mentorkit.normalise import normalise, parse_one
    if doc is None or doc.text != normalise(text).text:
        doc = parse_one(text, keep_emoji=False)
    return from_grade(grade_feedback(text, doc), text)
