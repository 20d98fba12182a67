"""Call recap structure: takeaways, and next steps for both people.

* **takeaways** -- what the session settled or surfaced ("Main thing: you want the lead
  role more than the pay rise").
* **mentor_next_steps** -- what the mentor will do ("I'll introduce you to Sam").
* **mentee_next_steps** -- what the mentee will do ("You'll draft the proposal by Friday").

Who commits is read from the parse (the subject of a future or committing verb, or a
"me:"/"you:" list label) as well as the wording. The skill is ``present`` when all three
are there; ``score`` is the share found.

>>> r = detect("Big takeaway: you want the lead role. I'll intro you to Sam; you'll draft the pitch.")
>>> r.present
True
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from mentorkit.skills import tagger
from mentorkit.skills.base import SkillResult

__all__ = ["SPEC", "PATTERNS", "detect", "train"]

SKILL = "recap"
PATTERNS: dict[str, re.Pattern] = {
    "take": re.compile(
        r"\b(key|main|big|biggest|one|two|three|top) (takeaways?|points?|insights?|things?|lessons?|themes?)\b|"
        r"\btakeaways?\b|\bwe (talked|discussed|covered|agreed|looked at|went through|landed|spent|realised|"
        r"realized|worked out|figured)\b|\byou (realised|realized|said|mentioned|noticed|decided|concluded|figured|"
        r"named|spotted|found)\b|\bto sum up\b|\bin summary\b|\bsummary\b|\brecap\b|\bwhat stood out\b|"
        r"\bthe (gist|upshot|headline)\b|\bstruck me\b|\bthe big one\b|\bturns out\b|\bthe real\b"),
    "mentor": re.compile(
        r"\bi'?ll\b|\bi will\b|\bi'?m going to\b|\bon my (side|end)\b|\bmy (actions?|to-?dos?|homework|job)\b|"
        r"^\W*(me|mentor|i)\s*:|\bfrom me\b|\bi can (send|share|introduce|intro|check|ask|book)\b|\bi owe you\b|"
        r"\bleave (it|that) with me\b"),
    "mentee": re.compile(
        r"\byou'?ll\b|\byou will\b|\byou'?re going to\b|\byour (actions?|to-?dos?|homework|next steps?|job|tasks?)\b|"
        r"^\W*(you|mentee|u)\s*:|\bfor you\b|\byou (agreed|said you'?d|promised|committed|plan|want) to\b|"
        r"\bby (monday|tuesday|wednesday|thursday|friday|next week|our next|the weekend|end of)\b|\bover to you\b"),
}


def _done_already(sent) -> bool:
    """The unit reports something already done ("I sent the introduction yesterday", "you've
    booked the room"): its main verb is in the past or the perfect, with no future or committing
    word beside it. A next step is still to do; a finished one is news, not a commitment."""
    root = sent.root
    if root.pos_ not in ("VERB", "AUX"):
        return False
    kids = list(root.children)
    # "you agreed to send it", "we said you'd call her": the past verb frames a step still to do
    if any(k.dep_ in ("xcomp", "ccomp") for k in kids):
        return False
    if any(k.dep_ == "aux" and (k.lower_ in ("will", "'ll", "ll", "shall", "gonna") or k.tag_ == "MD")
           for k in kids):
        return False
    if root.tag_ == "VBD":
        return True
    return root.tag_ == "VBN" and any(k.dep_ == "aux" and k.lemma_ == "have" for k in kids)


def _extra(sent) -> dict[str, float]:
    # "Me: book the room" / "You: draft the pitch" and "I'll ... / you'll ..." via the generic cues;
    # here: a bare command in a list line reads as an action for the reader (the mentee), and a
    # verb in the past tense as a step already taken
    first = next((t for t in sent if not (t.is_punct or t.is_space)), None)
    return {"line_starts_verb": float(first is not None and first.tag_ == "VB"),
            "done_already": float(_done_already(sent))}


SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0)


def train(root=None, progress: bool = True) -> dict:
    """Fit the recap tagger on ``datasets/skills/recap`` (training split)."""
    return tagger.train(SPEC, root, progress)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Which parts of a recap *text* has, with the sentences that carry each."""
    comps, _, _ = tagger.tag(SPEC, text, doc)
    return SkillResult.of_parts(SKILL, comps, text)
