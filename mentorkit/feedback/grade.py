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

__all__ = ["Span", "PartResult", "Tip", "FeedbackGrade", "grade_feedback", "grade_many",
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


def grade_feedback(text: str) -> FeedbackGrade:
    """Grade one statement.

    Examples
    --------
    >>> g = grade_feedback("In yesterday's client call you interrupted Priya three times, "
    ...                    "so we never agreed the budget.")
    >>> g.complete, g.score >= 80
    (True, True)
    """
    return next(grade_many([_check(text, "grade_feedback")]))


def grade_many(texts: Iterable[str], batch_size: int = 64) -> Iterator[FeedbackGrade]:
    """Grade statements in order, parsing them in batches with ``nlp.pipe``."""
    from mentorkit.nlp import get_nlp
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    nlp = get_nlp("grader")
    model = _model()
    batch: list[str] = []

    def flush(items: list[str]) -> Iterator[FeedbackGrade]:
        docs = list(nlp.pipe(items, batch_size=batch_size))
        feats = [cues.token_features(d) for d in docs]
        flags = np.array([cues.doc_cues(d) for d in docs], dtype=float).reshape(len(docs), len(cues.DOC_CUES))
        tagged = model.predict_docs(feats, flags)
        for doc, tg in zip(docs, tagged):
            yield _grade_doc(doc, tg)

    for i, text in enumerate(texts):
        batch.append(_check(text, f"text {i}"))
        if len(batch) >= batch_size:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


# --------------------------------------------------------------------------- spans

def _trim(doc, start: int, end: int, label: str) -> tuple[int, int] | None:
    while start < end and (doc[start].is_punct or doc[start].lower_ in ("and", "but", "so", "which", "that")
                           and start + 1 < end):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end <= start:
        return None
    # a lone stop word is no evidence of a part; judgement words such as "always" are stop words too
    if label != "judgement" and end - start < 2 and (doc[start].is_stop or doc[start].is_punct):
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


def _spans_for(doc, probs: np.ndarray, label: str, present: bool, bridge=None) -> list[Span]:
    if not present or len(doc) == 0:
        return []
    found = []
    # judgement flags are single labels ("lazy", "careless"): never bridge the words between them
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
        t = _trim(doc, s, e + 1, label) or (k, k + 1)
        found.append(t)
    out = []
    for s, e in found:
        span = doc[s:e]
        out.append(Span(span.start_char, span.end_char, span.text, label))
    return out


# --------------------------------------------------------------------------- grade

def _grade_doc(doc, tagged: TaggedDoc) -> FeedbackGrade:
    text = doc.text
    if not text.strip():
        empty = PartResult(False, 0.0, [])
        return FeedbackGrade(text, empty, PartResult(False, 0.0, []), PartResult(False, 0.0, []), [],
                             False, False, False, 0.0, {"total": 0},
                             [Tip("empty", "There is no feedback to grade yet. Write one to five sentences about "
                                  "one moment: where it happened, what they did, and what it led to.",
                                  "In this morning's standup you gave the release date before QA signed off, "
                                  "so support promised it to two customers.")])
    parts = {}
    probs = _exclusive(tagged.probs)
    claimed = probs[:, :3] > TOKEN_THRESHOLD
    for k, name in enumerate(PART_NAMES):
        p = float(tagged.part_proba[k])
        present = p >= 0.5
        # a gap inside a span may be bridged, but not across a token another part claims
        bridge = ~np.delete(claimed, k, axis=1).any(axis=1) if k < 3 else None
        spans = _spans_for(doc, probs[:, k], name, present, bridge) if probs[:, k].max(initial=0) > 0 else []
        parts[name] = PartResult(present, p, spans)
    # a present part whose tokens all went to another part: its best tokens outside the other parts' spans
    for k, name in enumerate(PART_NAMES[:3]):
        if parts[name].present and not parts[name].evidence:
            free = tagged.probs[:, k].copy()
            for other in PART_NAMES[:3]:
                for sp in parts[other].evidence:
                    free[[t.i for t in doc.char_span(sp.start, sp.end, alignment_mode="expand")]] = 0.0
            if free.max(initial=0) > 0:
                parts[name].evidence = _spans_for(doc, free, name, True)
    judgement = parts.pop("judgement").evidence
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
