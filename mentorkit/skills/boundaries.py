"""Boundaries in remote mentoring: a clear availability window and a response-time promise.

* **availability_window** -- when the mentor can be reached ("I'm on Slack 9-5 CET,
  Monday to Thursday; I don't check messages at weekends").
* **response_time** -- how soon a message gets an answer ("I reply within one working
  day").

Both read the parse for time, day and turnaround expressions as well as the wording. The
skill is ``present`` when both are there; ``score`` is the share found.

>>> r = detect("I'm around Tuesday to Thursday, 9-5 UK time, and I'll reply within 24 hours.")
>>> r.present
True
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from mentorkit.skills import tagger
from mentorkit.skills.base import SkillResult

__all__ = ["SPEC", "PATTERNS", "detect", "train"]

SKILL = "boundaries"
PATTERNS: dict[str, re.Pattern] = {
    "avail": re.compile(
        r"\b(available|unavailable|around|free|online|reachable|contactable|offline|away|out of office|ooo)\b|"
        r"\bnot (available|around|online|reachable)\b|\b(weekdays|weekends|evenings|mornings|afternoons|nights)\b|"
        r"\bbetween \d|\bfrom \d|\boffice hours\b|\bworking hours\b|\bafter \d|\bbefore \d|"
        r"\bmy (hours|working day|schedule|calendar|day)\b|\btime ?zones?\b|\b(cet|gmt|bst|est|pst|utc|ist|aest)\b|"
        r"\b(don'?t|won'?t|do not|will not|never) (check|work|look at|open)\b|\bdo not disturb\b|\bsilenced?\b"),
    "reply": re.compile(
        r"\b(reply|replies|respond|responds|answer|answers|get back|come back|turn around|turnaround|hear back|"
        r"acknowledge|response|responses)\b|\bwithin\b|\bsame[- ]day\b|\bnext (working|business) day\b|"
        r"\b(24|48|72)\s*(h|hrs?|hours?)\b|\bpromise\b|\bexpect\b|\bby (the )?(end|close) of\b"),
}


def _extra(sent) -> dict[str, float]:
    low = sent.text.lower()
    return {"urgent": float(bool(re.search(r"\burgent|emergenc|asap|call me\b", low)))}


SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0)


def train(root=None, progress: bool = True) -> dict:
    """Fit the boundaries tagger on ``datasets/skills/boundaries`` (training split)."""
    return tagger.train(SPEC, root, progress)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Whether *text* states an availability window and a response time, with evidence."""
    comps, _, _ = tagger.tag(SPEC, text, doc)
    return SkillResult.of_parts(SKILL, comps, text)
