"""The four-step frame for a hard conversation: observation, intent, perspective question,
collaborative solving.

* **observation** -- what was seen or heard, specific and without a verdict ("In the last
  three stand-ups you joined ten minutes late").
* **intent** -- why the speaker raises it ("I'm bringing it up because I want the client to
  see you at your best").
* **perspective** -- a question that asks for the other person's view ("How does it look
  from your side?").
* **solve_together** -- an invitation to work out the next step jointly ("What could we try
  together?").

Each sentence is scored for the four components (:mod:`mentorkit.skills.tagger`); the skill
is ``present`` when all four are, and ``score`` is the share found.

>>> r = detect("I noticed you missed the last two deadlines. How do you see it?")
>>> r.components["observation"].present, r.components["perspective"].present
(True, True)
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from mentorkit.skills import tagger
from mentorkit.skills.base import SkillResult

__all__ = ["SPEC", "PATTERNS", "detect", "train"]

SKILL = "four_step"
PATTERNS: dict[str, re.Pattern] = {
    "observe": re.compile(
        r"\bi('ve| have)? (noticed|seen|saw|observed|heard|counted|watched|spotted|looked at|read)\b|"
        r"\bin the (last|past) (few|two|three|four|five|couple|\d+)\b|\b(yesterday|this morning|last (week|night|"
        r"time|month|sprint|friday|monday|tuesday|wednesday|thursday)|on (monday|tuesday|wednesday|thursday|"
        r"friday))\b|\b(twice|three times|two times|four times|\d+ times)\b|\bi('ve| have) (had|got|received) "
        r"(two|three|a few|several|\d+)\b"),
    "intent": re.compile(
        r"\bbecause i (want|care|think|need|believe|value|'d like|would like)|\bso that\b|"
        r"\bmy (goal|intent|intention|aim|reason|hope|purpose)\b|\bthe reason i'?m\b|"
        r"\bi'?m (raising|bringing|mentioning|telling|sharing|saying|flagging) (this|it|that)\b|"
        r"\bi want (you|us|this|the team|your) (to|work|ideas)?|\bi care about\b|\bi'?d like (you|us) to\b|"
        r"\bwhat i'?m hoping\b|\bnot (to|trying to|here to) (blame|criticise|criticize|catch|tell you off)|"
        r"\bi'?m on your side\b|\bmatters to me\b"),
    "persp": re.compile(
        r"\bhow do you see\b|\byour (take|view|perspective|side|read|version)\b|\bwhat'?s (been )?going on (for|with)\b|"
        r"\bam i missing\b|\bhow does (that|this|it) (land|sound|look|seem)\b|\bfrom your (side|point of view|end)\b|"
        r"\bwhat do you think\b|\bhelp me understand\b|\bhow (did|do) you (see|experience)\b|\bwhat happened\b|"
        r"\bwhat'?s your\b|\bhow (is|was) it (for|from) you\b|\bwhat am i not seeing\b|\bis that fair\b"),
    "solve": re.compile(
        r"\blet'?s\b|\btogether\b|\bhow (can|could|might|should) we\b|\bwhat (can|could|might|should|would) we\b|"
        r"\bcould we\b|\bcan we\b|\bwe could\b|\bwhat would help\b|\bneed from me\b|\bhow can i help\b|"
        r"\bagree on\b|\bfigure (this|it|out)\b|\bcome up with\b|\bwork out\b|\bwork (this|it) out\b|"
        r"\bnext step|\bideas (for|on|about)\b|\bshall we\b|\bwhat would make it easier\b|\bplan\b"),
}


def _extra(sent) -> dict[str, float]:
    past_you = any(t.lower_ in ("you", "u") and t.dep_ in ("nsubj", "nsubjpass") and t.head.tag_ in ("VBD", "VBN")
                   for t in sent)
    return {"past_you": float(past_you)}


SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0)


def train(root=None, progress: bool = True) -> dict:
    """Fit the four-step tagger on ``datasets/skills/four_step`` (training split)."""
    return tagger.train(SPEC, root, progress)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Which of the four steps *text* contains, with the sentences that show each."""
    comps, _, _ = tagger.tag(SPEC, text, doc)
    return SkillResult.of_parts(SKILL, comps, text)
