"""The intent/tone sentence tagger's spec, and the sentences of a message it reads as harsh.

The detector (:mod:`mentorkit.skills.intent_tone`) scores a message with :data:`SPEC`; the
rewriter (:func:`mentorkit.skills.rewrite.soften`) asks :func:`harsh_units` which sentences
to soften when it is not told. Both import this module, so neither imports the other for it.

>>> from mentorkit.nlp import get_nlp
>>> from mentorkit.skills.tagger import units
>>> harsh_units(units(get_nlp("grader")("Thanks for sending the draft. This is sloppy and wrong.")))
[1]
"""
from __future__ import annotations

import re

import numpy as np
from spacy.tokens import Span as SpacySpan

from mentorkit.skills import cues, tagger

__all__ = ["SKILL", "PATTERNS", "SPEC", "harsh_indexes", "harsh_units"]

SKILL = "intent_tone"
PATTERNS: dict[str, re.Pattern] = {
    "intent": re.compile(
        r"\bi'?m (telling|sharing|saying|raising|mentioning|writing|flagging|pointing|asking|sending|bringing|"
        r"explaining)\b|\bmy (goal|intent|intention|aim|reason|hope|purpose|point|only goal)\b|\bthe reason i'?m\b|"
        r"\bbecause i (want|care|think|need|believe|value|'d like|would like|'d rather)|\bso (that )?(you|we)\b|"
        r"\bwhat i'?m (hoping|trying|aiming)\b|\bnot (trying to|to|meant to|here to) (criticise|criticize|blame|"
        r"check up|catch|pile)|\bi want to (be clear|be upfront|explain|make sure)\b|\bwhy i'?m\b|\bjust to "
        r"explain\b|\bbc i (want|care)|\bbecause i (care|want)\b"),
    "support": re.compile(
        r"\bi (know|can see|can tell|appreciate|understand|hear|believe)\b|\bthanks?\b|\bthank you\b|\bthx\b|"
        r"\bhappy to\b|\bi'?m (here|around|glad|happy|so glad|sorry|on your side|proud|grateful)\b|\blet me know\b|"
        r"\bwe can\b|\blet'?s\b|\btogether\b|\bwell done\b|\bproud\b|\bno (pressure|rush|worries)\b|\bhelp\b|"
        r"\bsupport\b|\bgreat (job|work|question|start)\b|\bgood (work|job|luck|start|point|question)\b|"
        r"\byou'?ve got this\b|\bit'?s (okay|ok|fine|completely fine)\b|\btake (your|the) time\b|\bimpress|"
        r"\blove\b|\bbrilliant\b|\bexcellent\b|\bappreciate\b|\bglad\b|\bcongrat"),
    "harsh": re.compile(
        r"\bwon'?t (work|scale|fly)\b|\bwrong\b|\buseless\b|\bpointless\b|\bunacceptable\b|\bridiculous\b|"
        r"\bsloppy\b|\bterrible\b|\bawful\b|\bmess\b|\bwhy (would|did|didn'?t|can'?t|do|don'?t|is|are) \w+\b|"
        r"\bjust (do|fix|get|stop|make|send|finish|ship|google)\b|\balways\b|\bnever\b|\bobviously\b|\bclearly\b|"
        r"\bseriously\b|\bwhat were you thinking\b|\bhow many times\b|\bdid you even\b|\bexcuses?\b|"
        r"\bnot good enough\b|\bi told you\b|\bfigure it out\b|\bnot my problem\b|\bstop\b|\bwaste\b|"
        r"\bcan'?t believe\b|\bfrankly\b|\bdisappointed\b|\bexpected (much )?better\b|\bshould know better\b|"
        r"\bdon'?t bother\b|\bworst\b|\bgarbage\b|\bamateur|\blazy\b|\bcareless\b|\bstupid\b|\bnaive\b|"
        r"\bugly\b|\bout of line\b|\bagain\b|\bhurry up\b|\bi don'?t care\b|\bno\. \b|\bruined\b|\bdisaster\b"),
}


def _extra(sent) -> dict[str, float]:
    return {"exclaim": float("!" in sent.text), "caps": float(cues.shouting(sent)),
            "short_cmd": float(cues.imperative(sent) and cues.n_tokens(sent) <= 6)}


SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0)


def harsh_indexes(proba: np.ndarray) -> list[int]:
    """The units (rows of *proba*, one column per component of :data:`SPEC`) at or over the harsh threshold."""
    j = SPEC.components.index("harsh")
    cut = tagger.thresholds(SPEC)[j]
    return [i for i in range(len(proba)) if proba[i, j] >= cut]


def harsh_units(units: list[SpacySpan]) -> list[int]:
    """The indexes of the *units* (:func:`mentorkit.skills.tagger.units`) the model reads as harsh."""
    feats = [tagger.sentence_features(u, SPEC, p) for u, p in zip(units, tagger._positions(len(units)))]
    return harsh_indexes(tagger.unit_proba(SPEC, feats))
