"""Grade written feedback against the SBI model (Situation-Behavior-Impact).

Scoring rubric (0-100), the same for every statement:

==========================  ======  ==============================================
what                        points  when
==========================  ======  ==============================================
Situation                   25      a specific, bounded occasion is named
Behavior                    30      an observable action (or omission) is named
Impact                      25      a consequence for people, work or feelings
Next step or request        +10     "could you ...", "next time ...", "let's ..."
Balance                     +5      recognition together with a suggestion
Explicit intent             +5      "I'm sharing this because ..."
Judgement                   -15     per flagged label or sweeping word, at most -30
==========================  ======  ==============================================

The total is clipped to 0-100. A statement is ``complete`` when it has all
three parts.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field, asdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from mentorkit.errors import MentorkitError
from mentorkit.feedback import cues
from mentorkit.feedback.model import COLORS, LABELS, PART_NAMES, SBI_PARTS, TOKEN_THRESHOLD, SBIModel, TaggedDoc, runs

__all__ = ["Span", "PartResult", "Tip", "FeedbackGrade", "grade_feedback", "grade_many", "grade_parsed",
           "MAX_CHARS", "POINTS", "model_path", "TextTooLongError"]

MAX_CHARS = 10_000
POINTS = {"situation": 25, "behavior": 30, "impact": 25, "request": 10, "balance": 5, "intent": 5,
          "judgement_each": -15, "judgement_cap": -30}


class TextTooLongError(MentorkitError, ValueError):
    """Feedback longer than :data:`MAX_CHARS`."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    label: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PartResult:
    present: bool
    probability: float
    evidence: list[Span] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        """How sure the grader is of its present/absent decision (0.5-1)."""
        return self.probability if self.present else 1.0 - self.probability


@dataclass(frozen=True)
class Tip:
    part: str
    message: str
    example: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FeedbackGrade:
    text: str
    situation: PartResult
    behavior: PartResult
    impact: PartResult
    judgement: list[Span]
    has_request: bool
    is_balanced: bool
    states_intent: bool
    score: float
    breakdown: dict
    tips: list[Tip]

    @property
    def complete(self) -> bool:
        return self.situation.present and self.behavior.present and self.impact.present

    @property
    def has_judgement(self) -> bool:
        return bool(self.judgement)

    def part(self, name: str) -> PartResult:
        if name not in SBI_PARTS:
            raise KeyError(f"{name!r} is not one of {SBI_PARTS}")
        return getattr(self, name)

    def spans(self) -> list[Span]:
        """Every evidence span and judgement flag, in text order."""
        out = [s for p in SBI_PARTS for s in self.part(p).evidence] + list(self.judgement)
        return sorted(out, key=lambda s: (s.start, -s.end))

    def to_dict(self) -> dict:
        """A JSON-ready record; the first six fields are booleans."""
        return {
            "text": self.text,
            "situation": self.situation.present,
            "behavior": self.behavior.present,
            "impact": self.impact.present,
            "judgement": self.has_judgement,
            "complete": self.complete,
            "score": self.score,
            "confidence": {p: round(self.part(p).confidence, 3) for p in SBI_PARTS},
            "evidence": {**{p: [s.to_dict() for s in self.part(p).evidence] for p in SBI_PARTS},
                         "judgement": [s.to_dict() for s in self.judgement]},
            "has_request": self.has_request,
            "is_balanced": self.is_balanced,
            "states_intent": self.states_intent,
            "breakdown": self.breakdown,
            "tips": [t.to_dict() for t in self.tips],
        }

    def to_html(self) -> str:
        from mentorkit.feedback.render import grade_html
        return grade_html(self)

    def _repr_html_(self) -> str:  # Jupyter display
        return self.to_html()

    def __str__(self) -> str:
        lines = [f"Score: {self.score:.0f}/100" + ("  (complete SBI)" if self.complete else "")]
        for p in SBI_PARTS:
            r = self.part(p)
            mark = "yes" if r.present else "no "
            ev = "; ".join(f'"{s.text}"' for s in r.evidence)
            lines.append(f"  {LABELS[p]:<10} {mark}  {r.confidence:4.0%}  {ev}")
        if self.judgement:
            lines.append("  Judgement  flagged: " + ", ".join(f'"{s.text}"' for s in self.judgement))
        extras = [name for name, on in (("next step", self.has_request), ("balance", self.is_balanced),
                                         ("intent", self.states_intent)) if on]
        if extras:
            lines.append("  Bonus      " + ", ".join(extras))
        lines.append("Tips:")
        for t in self.tips:
            lines.append(f"  - {t.message}")
            lines.append(f"    e.g. {t.example}")
        return "\n".join(lines)


def model_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "grader.npz"


@lru_cache(maxsize=1)
def _model() -> SBIModel:
    return SBIModel.load(model_path())


def _check(text, where: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{where}: feedback must be a str, got {type(text).__name__} ({text!r:.60})")
    if len(text) > MAX_CHARS:
        raise TextTooLongError(f"{where}: feedback is {len(text):,} characters long; the grader reads at most "
                               f"{MAX_CHARS:,} (about 1,500 words). Grade one statement at a time.")
    return text


def grade_feedback(text: str, doc=None) -> FeedbackGrade:
    """Grade one statement.

    *doc*, when given, is a ``get_nlp("grader")`` parse of the statement's normalised form
    (``normalise(text).text``) and is graded instead of parsing the text again (the skill
    detectors share one parse of a reply); a doc of any other text is not used.

    Examples
    --------
    >>> g = grade_feedback("In yesterday's client call you interrupted Priya three times, "
    ...                    "so we never agreed the budget.")
    >>> g.complete, g.score >= 80
    (True, True)
    """
    text = _check(text, "grade_feedback")
    got = grade_parsed(text, doc) if doc is not None else None
    return got if got is not None else next(grade_many([text]))


def grade_many(texts: Iterable[str], batch_size: int = 64) -> Iterator[FeedbackGrade]:
    """Grade statements in order, parsing them in batches with ``nlp.pipe``.

    Each statement is first normalised (:func:`mentorkit.normalise.normalise`: chat
    abbreviations, emoji, case, missing full stops); the evidence spans point into the
    text as written.
    """
    from mentorkit.nlp import get_nlp
    from mentorkit.normalise import normalise
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    nlp = get_nlp("grader")
    model = _model()
    batch: list[str] = []

    def flush(items: list[str]) -> Iterator[FeedbackGrade]:
        norms = [normalise(t) for t in items]
        docs = list(nlp.pipe([n.text for n in norms], batch_size=batch_size)) if len(items) > 1 else \
            [nlp(norms[0].text)]
        yield from _grade_docs(model, docs, norms)

    for i, text in enumerate(texts):
        batch.append(_check(text, f"text {i}"))
        if len(batch) >= batch_size:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def _grade_docs(model: SBIModel, docs: list, norms: list) -> Iterator[FeedbackGrade]:
    feats = [cues.token_features(d) for d in docs]
    flags = np.array([cues.doc_cues(d) for d in docs], dtype=float).reshape(len(docs), len(cues.DOC_CUES))
    tagged = model.predict_docs(feats, flags)
    for doc, tg, norm in zip(docs, tagged, norms):
        yield _grade_doc(doc, tg, norm)


def grade_parsed(text: str, doc) -> FeedbackGrade | None:
    """Grade *text* on *doc*, a ``get_nlp("grader")`` parse another reader made of its normalised
    form (the skill detectors' shared parse), instead of parsing it again.

    Returns None when *doc* is not the parse the grader would make: its text is not the grader's
    normalisation of *text* (emoji are kept for the detectors and dropped for the grader) or it
    has no dependency parse or comes from another pipeline; the caller then grades the text
    itself (:func:`grade_feedback`).
    """
    from mentorkit.nlp import get_nlp
    from mentorkit.normalise import normalise
    _check(text, "grade_parsed")
    if doc is None or doc.vocab is not get_nlp("grader").vocab or not doc.has_annotation("DEP"):
        return None   # another pipeline's parse (a fuller profile): its tags may differ from the grader's
    norm = normalise(text)
    if doc.text != norm.text:
        return None
    return next(_grade_docs(_model(), [doc], [norm]))


# --------------------------------------------------------------------------- spans

#: words that are never evidence on their own, and are trimmed from the ends of a span
FILLER_WORDS = frozenset({"um", "uh", "er", "erm", "like", "honestly", "basically", "literally", "yeah", "ok",
                          "okay", "so", "well", "just", "and", "but", "which", "that", "oh", "hmm", "mm", "ah",
                          "then", "also", "really", "kinda", "right", "anyway", "anyways"})
_EDGE_WORDS = frozenset({"and", "but", "so", "which", "that", "um", "uh", "er", "erm", "like", "oh", "yeah",
                         "ok", "okay", "well", "then", "also"})


def _is_filler(tok) -> bool:
    return tok.is_punct or tok.is_space or tok.lower_ in FILLER_WORDS or tok.pos_ == "INTJ" \
        or not any(c.isalnum() for c in tok.text)


def _trim(doc, start: int, end: int, label: str) -> tuple[int, int] | None:
    """Shrink ``doc[start:end]`` to a whole phrase: no punctuation, joiners or fillers at its ends.

    Returns None when nothing is left or what is left is no evidence on its own (a lone
    punctuation mark, filler or stop word; a judgement word such as "always" may stand alone).
    """
    while start < end and (_is_filler(doc[start]) or doc[start].lower_ in _EDGE_WORDS):
        if start + 1 >= end and label == "judgement" and doc[start].is_alpha and doc[start].lower_ not in FILLER_WORDS:
            break
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].lower_ in _EDGE_WORDS
                           or doc[end - 1].pos_ == "INTJ"):
        end -= 1
    if end <= start:
        return None
    if all(_is_filler(t) for t in doc[start:end]):
        return None
    if end - start < 2 and (label != "judgement" and doc[start].is_stop or not doc[start].is_alpha
                            or doc[start].pos_ in ("DET", "ADP", "PRON", "CCONJ", "SCONJ", "PART", "AUX")):
        return None
    return start, end


def _exclusive(probs: np.ndarray) -> np.ndarray:
    """Token probabilities with each token kept only for its likeliest S/B/I part.

    The parts do not overlap in the label guide, so a token that looks like both
    impact and behaviour is evidence for the one the tagger rates higher.
    Judgement (the last column) is a flag that may sit inside any part and is kept as is.
    """
    out = probs.copy()
    if len(out):
        sbi = out[:, :3]
        keep = sbi == sbi.max(axis=1, keepdims=True)
        out[:, :3] = np.where(keep, sbi, 0.0)
    return out


def _ranges_for(doc, probs: np.ndarray, label: str, present: bool, bridge=None) -> list[tuple[int, int]]:
    """Token ranges [start, end) of *label*'s evidence (whole phrases, see :func:`_trim`)."""
    if not present or len(doc) == 0:
        return []
    found = []
    # judgement: a multi-word label ("a nightmare to deal with") is one run of likely tokens; two
    # labels side by side ("always so careless") stay two flags, so no gap is bridged
    for s, e in runs(probs > TOKEN_THRESHOLD, max_gap=0 if label == "judgement" else 1, bridge=bridge):
        t = _trim(doc, s, e, label)
        if t:
            found.append(t)
    if not found:
        # the statement model is sure but no token passed: take the peak and its likely neighbours
        k = int(np.argmax(probs))
        s = e = k
        while s > 0 and probs[s - 1] > 0.3:
            s -= 1
        while e + 1 < len(doc) and probs[e + 1] > 0.3:
            e += 1
        t = _trim(doc, s, e + 1, label)
        if t is None:
            # last resort: the likeliest word that is evidence on its own
            ok = [i for i in np.argsort(-probs) if doc[i].is_alpha and not _is_filler(doc[i])
                  and (label == "judgement" or not doc[i].is_stop)]
            t = (int(ok[0]), int(ok[0]) + 1) if ok else None
        if t:
            found.append(t)
    return found


_DEGREE_LEAD = frozenset({"a", "an", "the", "so", "such", "really", "very", "bit", "total", "complete", "absolute",
                          "proper", "utter", "quite", "pretty", "just", "kind", "sort", "of", "bloody"})


def _judgement_flags(doc, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Judgement runs cut into single flags: a sweeping word ("always") and a label ("careless")
    side by side are two flags, so are two labels joined by "and"; a flag starts at its label
    ("so careless" -> "careless"), and keeps a multi-word label whole ("control freak")."""
    out = []
    for s, e in ranges:
        pieces, start = [], s
        for i in range(s, e):
            t = doc[i]
            if t.is_punct or t.pos_ == "CCONJ":
                pieces.append((start, i))
                start = i + 1
            elif cues.is_absolute(t) and i > start:
                pieces.append((start, i))
                start = i
            elif i > start and cues.is_absolute(doc[i - 1]) and t.lower_ not in ("single", "time", "day"):
                pieces.append((start, i))
                start = i
        pieces.append((start, e))
        for a, b in pieces:
            while a < b - 1 and doc[a].lower_ in _DEGREE_LEAD:
                a += 1
            t = _trim(doc, a, b, "judgement") if b > a else None
            if t:
                out.append(t)
    return out


def _disjoint(ranges: dict[str, list[tuple[int, int]]], probs: np.ndarray) -> dict[str, list[tuple[int, int]]]:
    """Make the S/B/I token ranges disjoint: a token claimed by two parts stays with the one whose
    tagger rates it higher; what is left of each range is split into its runs."""
    n = probs.shape[0]
    owner = np.full(n, -1)
    for k, name in enumerate(SBI_PARTS):
        for s, e in ranges.get(name, []):
            for i in range(s, e):
                if owner[i] < 0 or probs[i, k] > probs[i, owner[i]]:
                    owner[i] = k
    out = {}
    for k, name in enumerate(SBI_PARTS):
        kept = []
        for s, e in ranges.get(name, []):
            kept.extend((s + a, s + b) for a, b in runs(owner[s:e] == k, max_gap=0))
        out[name] = kept
    return out


def _span(doc, norm, s: int, e: int, label: str) -> Span:
    a, b = norm.to_original(doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
    return Span(a, b, norm.original[a:b], label)


# --------------------------------------------------------------------------- grade

def _grade_doc(doc, tagged: TaggedDoc, norm=None) -> FeedbackGrade:
    if norm is None:
        from mentorkit.normalise import normalise
        norm = normalise(doc.text)
    text = norm.original
    if not doc.text.strip():
        empty = PartResult(False, 0.0, [])
        return FeedbackGrade(text, empty, PartResult(False, 0.0, []), PartResult(False, 0.0, []), [],
                             False, False, False, 0.0, {"total": 0},
                             [Tip("empty", "There is no feedback to grade yet. Write one to five sentences about "
                                  "one moment: where it happened, what they did, and what it led to.",
                                  "In this morning's standup you gave the release date before QA signed off, "
                                  "so support promised it to two customers.")])
    probs = _exclusive(tagged.probs)
    claimed = probs[:, :3] > TOKEN_THRESHOLD
    present = {name: float(tagged.part_proba[k]) >= 0.5 for k, name in enumerate(PART_NAMES)}
    ranges: dict[str, list[tuple[int, int]]] = {}
    for k, name in enumerate(PART_NAMES):
        # a gap inside a span may be bridged, but not across a token another part claims
        bridge = ~np.delete(claimed, k, axis=1).any(axis=1) if k < 3 else None
        ranges[name] = _ranges_for(doc, probs[:, k], name, present[name], bridge) \
            if probs[:, k].max(initial=0) > 0 else []
    # a present part whose tokens all went to another part: its best tokens outside the other parts' spans
    for k, name in enumerate(SBI_PARTS):
        if present[name] and not ranges[name]:
            free = tagged.probs[:, k].copy()
            for other in SBI_PARTS:
                for s, e in ranges[other]:
                    free[s:e] = 0.0
            if free.max(initial=0) > 0:
                ranges[name] = _ranges_for(doc, free, name, True)
    sbi = _disjoint({p: ranges[p] for p in SBI_PARTS}, tagged.probs)
    for name in SBI_PARTS:
        sbi[name] = [t for s, e in sbi[name] if (t := _trim(doc, s, e, name))]
    parts = {name: PartResult(present[name], float(tagged.part_proba[k]),
                              [_span(doc, norm, s, e, name) for s, e in sbi[name]])
             for k, name in enumerate(SBI_PARTS)}
    judgement = [_span(doc, norm, s, e, "judgement") for s, e in _judgement_flags(doc, ranges["judgement"])]
    has_req = cues.has_request(doc)
    intent = cues.has_intent_statement(doc)
    recognition = cues.has_recognition(doc)
    balanced = recognition and (has_req or any(t.dep_ == "neg" for t in doc) or
                                any(t.lower_ in ("but", "however", "although", "though") for t in doc))
    breakdown = {p: (POINTS[p] if parts[p].present else 0) for p in SBI_PARTS}
    breakdown["request"] = POINTS["request"] if has_req else 0
    breakdown["balance"] = POINTS["balance"] if balanced else 0
    breakdown["intent"] = POINTS["intent"] if intent else 0
    distinct = {s.text.lower() for s in judgement}
    breakdown["judgement"] = max(POINTS["judgement_cap"], POINTS["judgement_each"] * len(distinct))
    total = float(min(100, max(0, sum(breakdown.values()))))
    breakdown["total"] = total
    grade = FeedbackGrade(text, parts["situation"], parts["behavior"], parts["impact"], judgement,
                          has_req, balanced, intent, total, breakdown, [])
    grade.tips = coaching_tips(grade, doc)
    return grade


def _habitual_phrase(doc) -> str | None:
    for t in doc:
        if cues.is_habitual(t):
            return t.text
        if (t.dep_ == "prep" or t.pos_ == "ADP") and cues.is_habitual_setting(t) and not cues.is_specific_occasion(t):
            objects = [c for c in t.children if c.dep_ == "pobj"]
            end = objects[0].i + 1 if objects else t.i + 1
            return doc[t.i:end].text
    return None


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2].lower() != "i " and not s[:2] == "I'" else s


def coaching_tips(g: FeedbackGrade, doc=None) -> list[Tip]:
    """One to three tips, most important first, each with an example of the fix."""
    tips: list[Tip] = []
    beh = g.behavior.evidence[0].text if g.behavior.evidence else None
    sit = g.situation.evidence[0].text if g.situation.evidence else None
    if g.judgement:
        words = ", ".join(sorted({f'"{s.text}"' for s in g.judgement}))
        tips.append(Tip("judgement", f"Drop the label {words}: it judges the person and invites a defence. "
                        "Describe what you saw instead.",
                        "Instead of \"you're careless with handovers\": \"On Friday's handover the insulin "
                        "change for bed 4 wasn't written down.\""))
    if not g.behavior.present:
        tips.append(Tip("behavior", "Name what they actually did or didn't do - something a camera could have "
                        "recorded - rather than a trait or an attitude.",
                        (f"{sit[:1].upper() + sit[1:]}, you" if sit else "In Tuesday's demo you") +
                        " skipped the pricing slide and went straight to questions."))
    if not g.situation.present:
        hab = _habitual_phrase(doc) if doc is not None else None
        lead = (f"\"{hab}\" is a habit, not an occasion. " if hab else "")
        tips.append(Tip("situation", lead + "Anchor the feedback to one specific moment: when and where it "
                        "happened, so they can picture it.",
                        "In yesterday's 3pm client call, " + (_lower_first(beh) if beh else
                                                             "you shared the roadmap before the client asked.")))
    if not g.impact.present:
        tips.append(Tip("impact", "Say what it led to: the effect on people, the work, the results, or how "
                        "it made you feel. Without it, the feedback sounds like a preference.",
                        ((beh[:1].upper() + beh[1:]) if beh else "You sent the summary within the hour") +
                        ", so the client signed off the same day and I felt confident handing it over."))
    if len(tips) < 3 and not g.has_request:
        tips.append(Tip("request", "Close with a next step or a question, so it's clear what happens now.",
                        "Could you send the agenda a day ahead next time? Happy to look it over with you."))
    if len(tips) < 3 and not g.states_intent and g.breakdown.get("behavior"):
        tips.append(Tip("intent", "In writing, tone gets lost: say why you're sharing this.",
                        "I'm sharing this because I want your launch next month to go smoothly."))
    if len(tips) < 3 and not g.is_balanced and g.complete:
        tips.append(Tip("balance", "Pair the suggestion with something they did well, so it reads as support.",
                        "Your analysis was thorough; next time, lead with the recommendation."))
    if not tips:
        tips.append(Tip("keep", "This is complete SBI feedback with a clear next step. Keep it this specific.",
                        g.text[:160]))
    return tips[:3]
