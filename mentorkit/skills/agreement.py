"""Mentoring agreement coverage: does a draft agreement (or a first-meeting message) settle
goals, the expertise the mentor offers, cadence, channels, confidentiality, length of the
relationship, how success will be measured, and what to do about conflict?

Each sentence is scored for the eight components; ``score`` is the share covered and the
skill is ``present`` when at least six of the eight are (an agreement can leave one or two
to the first session, but not most).

>>> r = detect("We'll meet every other Tuesday on Zoom. What we say stays between us.")
>>> [c for c in ("cadence", "channels", "confidentiality") if r.components[c].present]
['cadence', 'channels', 'confidentiality']
"""
from __future__ import annotations

import re

from spacy.tokens import Doc

from mentorkit.skills import cues, tagger
from mentorkit.skills.base import SkillResult

__all__ = ["SPEC", "PATTERNS", "MIN_COMPONENTS", "detect", "train"]

SKILL = "agreement"
MIN_COMPONENTS = 6
_MONTHS = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
PATTERNS: dict[str, re.Pattern] = {
    "goals": re.compile(
        r"\bgoals?\b|\baims?\b|\bobjectives?\b|\bwant to (get|achieve|build|become|improve|move|learn|grow|land|"
        r"get better|work on|feel)\b|\bfocus(ing)? (on|for)\b|\bwork(ing)? on\b|\bhoping to\b|\bwhat you want\b|"
        r"\bpriorit|\bdevelop\b|\bready (for|to)\b"),
    "expertise": re.compile(
        r"\bi can (help|offer|share|bring|introduce|review|give|coach|walk|show|open)\b|\bmy (experience|background|"
        r"expertise|network|years)\b|\bi'?ve (worked|spent|been|led|managed|built|run|done|hired|sat|made|moved|"
        r"gone|published|reviewed)\b|\bi know (a lot|quite a bit|the|how|a few|people)\b|\byears (of|in|as)\b|"
        r"\bi (used to|was a|ran|led|built|managed)\b|\bexpert|\bwhat i bring\b|\bwhere i can help\b"),
    "cadence": re.compile(
        r"\b(every|each|once|twice|weekly|fortnightly|monthly|biweekly|bi-weekly|regular|regularly)\b|"
        r"\bcheck-?ins?\b|\b(30|45|60|90|sixty|thirty|forty-five|ninety)[- ]?(min|minute|mins)\b|\bhour[- ]long\b|"
        r"\ban hour\b|\bhalf an hour\b|\b(mondays|tuesdays|wednesdays|thursdays|fridays)\b"),
    "channels": re.compile(
        r"\bzoom\b|\bteams\b|\bslack\b|\be-?mail|\bphone\b|\bcalls?\b|\bvideo\b|\bin person\b|\bface[- ]to[- ]face\b|"
        r"\bwhatsapp\b|\bgoogle meet\b|\bmeet\b|\btext(s|ing)?\b|\bchat\b|\bcoffee\b|\bdms?\b|\bmessages?\b|"
        r"\bvoice notes?\b|\bshared doc\b|\bonline\b|\bcamera\b|\boffice\b"),
    "confid": re.compile(
        r"\bconfidential|\bbetween (us|the two of us|ourselves)\b|\bprivate\b|\bprivacy\b|\bstays? (with|between|in"
        r"|here)\b|\bwon'?t (share|tell|repeat|pass|mention)\b|\bwithout (your|my|each other'?s) (permission|consent|ok|"
        r"say-so)\b|\boff the record\b|\bnot (share|repeat|pass on|report)\b|\btrust\b|\bsafe space\b|\bkept to "
        r"ourselves\b|\byour manager (won'?t|will not|doesn'?t) (hear|see|know)\b|\bunless (you|there'?s a safety)"),
    "length": re.compile(
        r"\b(for|over) (the next )?(\d+|one|two|three|four|five|six|nine|twelve|a) (months?|weeks?|sessions?|year|"
        r"quarters?|terms?)\b|\buntil (the end|" + _MONTHS + r"|we)\b|\bend of (the )?(programme|program|year|cohort|"
        r"term|quarter|" + _MONTHS + r")\b|\b(six|three|nine|twelve|\d+)-(month|week|session)\b|\bfinal session\b|"
        r"\bduration\b|\bwrap (up|things up)\b|\brun (until|till|to|through)\b|\bfixed term\b|\bthrough (to )?"
        + _MONTHS + r"\b|\bformally end\b"),
    "success": re.compile(
        r"\bsuccess\b|\bsuccessful\b|\bwe'?ll know\b|\bmeasure|\btrack(ing)?\b|\bmetrics?\b|\bsigns? (that|of)\b|"
        r"\bcount (it|this) as\b|\blooks? like\b|\bachieved\b|\bprogress\b|\bscore|\bcompare\b|\bworked if\b|"
        r"\bif by\b|\bevidence\b|\bbenchmark|\bwin for (you|us)\b|\bmilestone"),
    "conflict": re.compile(
        r"\bif (we|either of us|you|i|it|this|things|the pairing|our)\b[^.?!]{0,25}\b(disagree|isn'?t|aren'?t|don'?t|"
        r"stops?|not working|can'?t|doesn'?t|clash|uncomfortable|wrong|off)\b|\bdisagree|\bconflict|\bno[- ]fault\b|"
        r"\bno hard feelings\b|\braise it\b|\bcall it (off|out)\b|\bend (it|the mentoring|things|the pairing) early\b|"
        r"\bprogramme (lead|coordinator|team)|\bcoordinator\b|\brematch|\bhonest (with each other|if)\b|"
        r"\bstep back\b|\bflag it\b|\bwork it out\b|\bfriction\b|\bawkward\b|\btension\b"),
}


def _extra(sent) -> dict[str, float]:
    return {"freq_expr": float(cues.frequency_expression(sent))}


SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0)


def train(root=None, progress: bool = True) -> dict:
    """Fit the agreement tagger on ``datasets/skills/agreement`` (training split)."""
    return tagger.train(SPEC, root, progress)


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Which agreement topics *text* settles, with the sentences that settle each."""
    comps, _, _ = tagger.tag(SPEC, text, doc)
    return SkillResult.of_parts(SKILL, comps, text, need=MIN_COMPONENTS)
