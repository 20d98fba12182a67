"""Intent and tone in written messages: harsh or supportive wording, an explicit statement
of intent, and a softer phrasing when the message reads as harsh.

* **explicit_intent** -- the writer says why they are writing ("I'm telling you this
  because...", "My goal here is...").
* **supportive** -- acknowledgement, appreciation, encouragement or an offer of help.
* **harsh** -- blunt verdicts, blame, sweeping words, commands, rhetorical questions.

Each sentence is scored for the three (:mod:`mentorkit.skills.tagger`). The skill is
``present`` when intent is stated and nothing reads as harsh; ``score`` averages the
intent and supportive confidences and one minus the harsh one; ``details["tone"]`` runs
from -1 (harsh) to +1 (supportive). When a sentence reads as harsh, ``suggestion`` holds a
softer phrasing built from the parse (:func:`mentorkit.skills.rewrite.soften`).

>>> r = detect("This approach won't work.")
>>> r.components["harsh"].present, r.suggestion.startswith("I can see")
(True, True)
"""
from __future__ import annotations

from spacy.tokens import Doc

from mentorkit.skills import rewrite, tagger
from mentorkit.skills.base import SkillResult
from mentorkit.skills.tone import PATTERNS, SKILL, SPEC, harsh_indexes

__all__ = ["SPEC", "PATTERNS", "detect", "train"]


def train(root=None, progress: bool = True) -> dict:
    """Fit the intent/tone tagger on ``datasets/skills/intent_tone`` (training split)."""
    return tagger.train(SPEC, root, progress)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Intent, supportive and harsh wording in *text*, with a softer phrasing when it is harsh."""
    from mentorkit.normalise import parse_one
    doc = parse_one(text, doc)
    comps, proba, _units = tagger.tag(SPEC, text, doc)
    intent, support, harsh = (comps[c] for c in SPEC.components)
    score = (intent.confidence + support.confidence + (1.0 - harsh.confidence)) / 3.0
    tone = support.confidence - harsh.confidence
    suggestion = None
    if harsh.present:
        suggestion = rewrite.soften(text, doc, harsh_indexes(proba))
    return SkillResult(SKILL, intent.present and not harsh.present, score, comps, suggestion=suggestion,
                       details={"tone": round(float(tone), 4)}, text=text)
