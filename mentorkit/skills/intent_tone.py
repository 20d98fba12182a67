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

import re

from spacy.tokens import Doc

from mentorkit.nlp import get_nlp
from mentorkit.skills import cues, rewrite, tagger
from mentorkit.skills.base import SkillResult

__all__ = ["SPEC", "PATTERNS", "detect", "soften", "train"]

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
    # a verdict, blame, a rhetorical question or a command: harsh on its own
    "harsh": re.compile(
        r"\bwon'?t (work|scale|fly)\b|\buseless\b|\bpointless\b|\bunacceptable\b|\bridiculous\b|"
        r"\bsloppy\b|\bterrible\b|\bawful\b|\bmess\b|"
        r"\bjust (do|fix|get|stop|make|send|finish|ship|google)\b|"
        r"\bwhat were you thinking\b|\bhow many times\b|\bdid you even\b|\bexcuses?\b|"
        r"\bnot good enough\b|\bi told you\b|\bfigure it out\b|\bnot my problem\b|\bwaste\b|"
        r"\bcan'?t believe\b|\bdisappointed\b|\bexpected (much )?better\b|\bshould know better\b|"
        r"\bdon'?t bother\b|\bworst\b|\bgarbage\b|\bamateur|\blazy\b|\bcareless\b|\bstupid\b|\bnaive\b|"
        r"\bugly\b|\bout of line\b|\bhurry up\b|\bi don'?t care\b|\bno\. \b|\bruined\b|\bdisaster\b|"
        # "wrong" as the verdict of the sentence ("The numbers are wrong.", "that's just wrong"), not "the wrong month"
        r"\b(is|are|was|were|'s|'re) (just |completely |totally |all |plain |simply )?wrong\b"),
    # words that are harsh only in some contexts ("you never listen" against "never mind", "send it again?",
    # "why did you pick Postgres?"): a separate count, so the model weighs them apart from the verdicts above
    "harsh_context": re.compile(
        r"\bwrong\b|\bwhy (would|did|didn'?t|can'?t|do|don'?t|is|are) \w+\b|\balways\b|\bnever\b|"
        r"\bobviously\b|\bclearly\b|\bseriously\b|\bstop\b|\bfrankly\b|\bagain\b"),
}

_NEGATION = frozenset({"not", "n't", "never", "no"})


def _harsh_turned(sent) -> dict[str, float]:
    """Where a harsh word stands in the unit: said of oneself ("my brain is toast", "I'm useless to both of
    us") or denied ("I don't think it's lazy at all"), it is not a verdict on the reader."""
    hits = [t for t in sent if t.lower_ in cues.HARSH_WORDS or t.lemma_.lower() in cues.HARSH_WORDS]
    if not hits:
        return {}
    out: dict[str, float] = {}
    person = cues.subject_person(sent)
    if person == "1" and not cues.second_person_subject(sent):
        out["harsh_self"] = 1.0
    for t in hits:
        heads = [t, *t.ancestors][:3]
        if any(c.lower_ in _NEGATION for h in heads for c in h.children if c.dep_ == "neg"):
            out["harsh_denied"] = 1.0
    return out


def _bare_praise(sent) -> bool:
    """A unit that is nothing but a praise word or two ("Great.", "Oh, brilliant.", "Just great."): the
    sarcastic form, told apart from praise of something named ("this is really solid work")."""
    words = [t for t in sent if t.is_alpha]
    return 0 < len(words) <= 3 and cues.praise(sent) and not any(t.pos_ in ("NOUN", "PROPN", "PRON", "VERB")
                                                                 for t in words)


_PRAISE_INTENSIFIERS = frozenset({"seriously", "clearly", "really", "honestly", "genuinely", "truly", "so"})


def _praise_intensified(sent) -> bool:
    """An intensifier that strengthens praise ("seriously impressive", "you've clearly put a lot into this"),
    not a verdict: "seriously" and "clearly" are harsh words only when nothing in the unit praises."""
    return cues.praise(sent) and any(t.lower_ in _PRAISE_INTENSIFIERS for t in sent)


def _extra(sent) -> dict[str, float]:
    quoted = cues.quoted_tokens(sent)
    return {"exclaim": float("!" in sent.text), "caps": float(cues.shouting(sent, skip=quoted)),
            "praise_intens": float(_praise_intensified(sent)),
            "short_cmd": float(cues.imperative(sent) and cues.n_tokens(sent) <= 6),
            "bare_praise": float(_bare_praise(sent)), **_harsh_turned(sent)}


# a warm message flagged harsh costs more than a harsh one missed (the mentee withdraws): precision first
SPEC = tagger.SentenceSkill(SKILL, PATTERNS, _extra, C=1.0, precision_first=("harsh",), calibration_folds=10)


def train(root=None, progress: bool = True) -> dict:
    """Fit the intent/tone tagger on ``datasets/skills/intent_tone`` (training split)."""
    return tagger.train(SPEC, root, progress)


def _second_pass(suggestion: str, j: int, cut: float) -> str:
    """Read the softer phrasing with the same model once more: a sentence kept as written that still
    reads as harsh beside the new ones ("It's unprofessional." after a reframed request) is reframed
    too, and one no frame fits (sarcasm kept as written) is said as a concern instead. Sentences the
    first pass wrote are left alone, so the phrasing cannot snowball."""
    from mentorkit.normalise import parse_one
    doc = parse_one(suggestion, None)
    _, proba, units = tagger.tag(SPEC, suggestion, doc)
    # only whole clauses: a fragment ("No exceptions.") has no frame to soften it into
    again = [i for i, u in enumerate(units) if proba[i, j] >= cut and not rewrite.written_here(u.text)
             and any(t.pos_ in ("VERB", "AUX") for t in u)]
    return rewrite.soften(suggestion, doc, again, last_resort=True) if again else suggestion


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Intent, supportive and harsh wording in *text*, with a softer phrasing when it is harsh."""
    from mentorkit.normalise import parse_one
    doc = parse_one(text, doc)
    comps, proba, units = tagger.tag(SPEC, text, doc)
    intent, support, harsh = (comps[c] for c in SPEC.components)
    score = (intent.confidence + support.confidence + (1.0 - harsh.confidence)) / 3.0
    tone = support.confidence - harsh.confidence
    suggestion = None
    if harsh.present:
        j = SPEC.components.index("harsh")
        cut = tagger.thresholds(SPEC)[j]
        idx = [i for i in range(len(units)) if proba[i, j] >= cut]
        suggestion = _second_pass(rewrite.soften(text, doc, idx), j, cut)
    return SkillResult(SKILL, intent.present and not harsh.present, score, comps, suggestion=suggestion,
                       details={"tone": round(float(tone), 4)}, text=text)


def soften(text: str, doc: Doc | None = None) -> str:
    """*text* with the sentences the model reads as harsh reframed (:func:`mentorkit.skills.rewrite.soften`);
    *text* as it is when none reads as harsh.

    >>> soften("Thanks so much for jumping on this.")
    'Thanks so much for jumping on this.'
    """
    return detect(text, doc).suggestion or text
