"""Result types shared by every skill detector, and the skill/component catalogue.

A detector returns a :class:`SkillResult`: whether the skill is shown, a 0..1
score for how fully, and one :class:`ComponentResult` per component with the
evidence :class:`Span` objects (character offsets into the analysed text).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# the skill catalogue lives outside this package so that reading it loads no model
from mentorkit.skill_catalogue import CATALOGUE, COMPONENTS, SKILLS, SkillInfo, skill_label  # noqa: F401

__all__ = ["Span", "ComponentResult", "SkillResult", "SkillInfo", "CATALOGUE", "SKILLS", "COMPONENTS",
           "LISTENING_LABELS", "skill_label", "results_frame"]

#: the labels of the active-listening classifier (one per utterance)
LISTENING_LABELS: tuple[str, ...] = ("reflection", "open_question", "closed_question", "advice", "other")


@dataclass(frozen=True)
class Span:
    """A piece of the analysed text: ``text == source[start:end]``, tagged with *label*.

    >>> s = Span(0, 5, "Hello", "other")
    >>> s.to_dict()
    {'start': 0, 'end': 5, 'text': 'Hello', 'label': 'other'}
    """

    start: int
    end: int
    text: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "label": self.label}


@dataclass
class ComponentResult:
    """One component of a skill.

    ``confidence`` is the model's calibrated probability (0..1) that the component is present
    (for sentence-level detectors: the highest over the sentences); ``present`` is
    ``confidence`` reaching the component's decision threshold (0.5 for active listening,
    0.2-0.5 for the sentence-level detectors, chosen on out-of-fold training predictions).
    ``evidence`` holds the sentences that carry it.

    >>> c = ComponentResult("cadence", True, 0.93, [Span(0, 22, "Let's meet every week.", "cadence")])
    >>> c.to_dict()["evidence"][0]["label"]
    'cadence'
    """

    name: str
    present: bool
    confidence: float
    evidence: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "present": self.present, "confidence": round(float(self.confidence), 4),
                "evidence": [s.to_dict() for s in self.evidence]}


@dataclass
class SkillResult:
    """What a detector found in one text.

    Attributes
    ----------
    skill : str
        One of :data:`SKILLS`.
    present : bool
        Whether the skill is shown (each detector's rule is in its module docstring).
    score : float
        0..1, how fully the skill is shown.
    components : dict[str, ComponentResult]
        Keyed by the names in :data:`COMPONENTS` for the skill.
    label : str or None
        The active-listening label (one of :data:`LISTENING_LABELS`); None for other skills.
    suggestion : str or None
        A softer rephrasing (intent_tone, when the text reads as harsh); None otherwise.
    details : dict
        Extra figures a detector reports (for example ``tone`` for intent_tone).
    text : str
        The analysed text (evidence offsets point into it).

    Examples
    --------
    >>> r = SkillResult("boundaries", False, 0.5, {}, text="I reply within a day.")
    >>> r.to_dict()["skill"]
    'boundaries'
    """

    skill: str
    present: bool
    score: float
    components: dict[str, ComponentResult]
    label: str | None = None
    suggestion: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def of_parts(cls, skill: str, components: dict[str, ComponentResult], text: str,
                 need: int | None = None) -> SkillResult:
        """The result of a skill made of parts: ``present`` when at least *need* of them (default
        all) are found, ``score`` the share found.

        >>> parts = {"a": ComponentResult("a", True, 0.9), "b": ComponentResult("b", False, 0.2)}
        >>> r = SkillResult.of_parts("recap", parts, "...")
        >>> r.present, r.score, SkillResult.of_parts("recap", parts, "...", need=1).present
        (False, 0.5, True)
        """
        found = sum(c.present for c in components.values())
        need = len(components) if need is None else need
        return cls(skill, found >= need, found / len(components), components, text=text)

    @property
    def evidence(self) -> list[Span]:
        """Every component's evidence, ordered by position in the text."""
        spans = [s for c in self.components.values() if c.present for s in c.evidence]
        return sorted(spans, key=lambda s: (s.start, s.end, s.label))

    @property
    def missing(self) -> list[str]:
        """Names of the components not found (empty for active_listening, which has one label)."""
        if self.skill == "active_listening":
            return []
        return [name for name, c in self.components.items() if not c.present and name != "harsh"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "present": self.present,
            "score": round(float(self.score), 4),
            "label": self.label,
            "suggestion": self.suggestion,
            "components": {k: v.to_dict() for k, v in self.components.items()},
            "details": dict(self.details),
            "text": self.text,
        }


def results_frame(results: dict[str, SkillResult]) -> "pd.DataFrame":
    """One row per skill result: skill, present, score, label, found, missing.

    >>> results_frame({"recap": SkillResult("recap", False, 0.0, {})}).columns.tolist()
    ['skill', 'present', 'score', 'label', 'found', 'missing']
    """
    import pandas as pd

    rows = [{"skill": name, "present": r.present, "score": round(float(r.score), 3), "label": r.label,
             "found": ", ".join(k for k, c in r.components.items() if c.present),
             "missing": ", ".join(r.missing)} for name, r in results.items()]
    return pd.DataFrame(rows, columns=["skill", "present", "score", "label", "found", "missing"])
