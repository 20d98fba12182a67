"""The debrief after a practice conversation: what went well, what to change, where.

Each rubric criterion is rated from the findings in the trainee's replies:

* *coverage*: for each key the criterion looks for, the number of replies that
  show it divided by ``times`` (capped at 1); the mean over its keys (1 when it
  only lists things to avoid);
* *violations*: the number of replies that show a key the criterion says to avoid;
* *points* = max(0, coverage - 0.5 x violations), rated **Good** at or above
  ``good_at`` (default 1), **Fair** at or above ``fair_at`` (default 0.5), else **Poor**.

A conversation with no non-empty reply rates every criterion Poor. The overall
score is 100 x sum(weight x points) / sum(weight), tiered 90+ Exemplary, 75-89
Proficient, 50-74 Developing, below 50 Beginning. Keep / Start / Stop come from
the Good criteria, the ones with something missing, and the ones with
violations; notes are pinned to transcript line numbers.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from mentorkit.skill_catalogue import CATALOGUE

__all__ = ["TIERS", "tier_for", "CriterionResult", "Note", "Debrief", "rate_criterion",
           "build_debrief", "describe_key"]

#: (lowest score, tier name), highest first
TIERS: tuple[tuple[float, str], ...] = ((90.0, "Exemplary"), (75.0, "Proficient"),
                                        (50.0, "Developing"), (0.0, "Beginning"))
MAX_ADVICE = 3

_LABELS = {
    "sbi.situation": "a specific situation", "sbi.behavior": "an observable behaviour",
    "sbi.impact": "the impact", "sbi.judgement": "judgement words",
    "active_listening.reflection": "a reflection of what they said",
    "active_listening.open_question": "an open question", "active_listening.closed_question": "a closed question",
    "active_listening.advice": "advice", "intent_tone.explicit_intent": "an explicit statement of intent", "intent_tone.supportive": "supportive wording",
    "intent_tone.harsh": "harsh wording", "four_step.observation": "a neutral observation", "four_step.intent": "your intent",
    "four_step.perspective": "an invitation to their perspective", "four_step.solve_together": "solving it together",
    "agreement.goals": "goals", "agreement.expertise": "expertise on offer",
    "agreement.cadence": "meeting cadence", "agreement.channels": "channels", "agreement.confidentiality": "confidentiality",
    "agreement.length": "how long the mentorship runs", "agreement.success_measures": "how success is measured",
    "agreement.conflict_resolution": "what to do when it isn't working",
    "recap.takeaways": "key takeaways", "recap.mentor_next_steps": "your next steps",
    "recap.mentee_next_steps": "their next steps", "boundaries.availability_window": "when you are available", "boundaries.response_time": "how fast you reply",
    "question": "a question", "empty": "an empty reply",
    "on_topic": "a reply about her situation", "off_topic": "a reply off her situation",
}


# the skills themselves are named by the skill catalogue (mentorkit.skill_catalogue)
_LABELS.update({name: info.phrase for name, info in CATALOGUE.items()})


def describe_key(key: str) -> str:
    """A plain-words name for a finding key.

    >>> describe_key("four_step.perspective")
    'an invitation to their perspective'
    """
    return _LABELS.get(key, key.replace("_", " ").replace(".", ": "))


def tier_for(score: float) -> str:
    """The tier of an overall score (0..100).

    >>> [tier_for(s) for s in (90, 89.9, 75, 74.9, 50, 49.9)]
    ['Exemplary', 'Proficient', 'Proficient', 'Developing', 'Developing', 'Beginning']
    """
    for low, name in TIERS:
        if score >= low:
            return name
    return TIERS[-1][1]


@dataclass
class CriterionResult:
    """How one rubric criterion was met, with the evidence (line numbers refer to the transcript)."""
    id: str
    title: str
    weight: float
    rating: str
    points: float
    coverage: float
    descriptor: str
    found: dict[str, int]
    missing: list[str]
    violations: list[dict]
    evidence: list[dict]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "weight": self.weight, "rating": self.rating,
                "points": round(self.points, 4), "coverage": round(self.coverage, 4),
                "descriptor": self.descriptor, "found": self.found, "missing": self.missing,
                "violations": self.violations, "evidence": self.evidence}


@dataclass
class Note:
    """A remark pinned to one transcript line."""
    line: int
    kind: str  # good | warn | missing | info | effect
    text: str

    def to_dict(self) -> dict:
        return {"line": self.line, "kind": self.kind, "text": self.text}


@dataclass
class Debrief:
    """The debrief of one conversation; ``to_dict``, ``to_text`` and ``to_html`` render it."""
    scenario: str
    title: str
    rubric_version: str
    outcome: str | None
    score: float
    tier: str
    criteria: list[CriterionResult]
    keep: list[str]
    start: list[str]
    stop: list[str]
    notes: list[Note]
    state: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "title": self.title, "rubric_version": self.rubric_version,
                "outcome": self.outcome, "score": self.score, "tier": self.tier,
                "criteria": [c.to_dict() for c in self.criteria], "keep": self.keep, "start": self.start,
                "stop": self.stop, "notes": [n.to_dict() for n in self.notes],
                "state": {k: round(v, 3) for k, v in self.state.items()}}

    def to_text(self) -> str:
        """A plain-text debrief for the terminal."""
        out = [f"Debrief: {self.title} (rubric {self.rubric_version})",
               f"Outcome: {_outcome_words(self.outcome)}    Score: {self.score:.0f}/100 ({self.tier})", ""]
        for c in self.criteria:
            out.append(f"  [{c.rating:<4}] {c.title} (weight {c.weight:g}) - {c.descriptor}")
            for ev in c.evidence[:2]:
                out.append(f"         line {ev['line']}: \u201c{ev['text']}\u201d"
                           + (f"  [matches: {ev['fact']}]" if ev.get("fact") else ""))
        for head, items in (("Keep", self.keep), ("Start", self.start), ("Stop", self.stop)):
            if items:
                out.append(f"\n{head}:")
                out.extend(f"  - {item}" for item in items)
        if self.notes:
            out.append("\nNotes by line:")
            out.extend(f"  line {n.line:>2} [{n.kind}] {n.text}" for n in self.notes)
        return "\n".join(out)

    def to_html(self) -> str:
        """Escaped HTML for the practice widget (every piece of text goes through html.escape)."""
        e = html.escape
        rows = []
        for c in self.criteria:
            ev = "".join(f"<div class='mk-ev'>line {x['line']}: \u201c{e(str(x['text']))}\u201d"
                         + (f" <span class='mk-fact'>matches: {e(str(x['fact']))}</span>" if x.get("fact") else "")
                         + "</div>" for x in c.evidence[:2])
            rows.append(f"<tr><td>{e(c.title)}</td><td><span class='mk-rating mk-{e(c.rating.lower())}'>"
                        f"{e(c.rating)}</span></td><td>{e(c.descriptor)}{ev}</td></tr>")
        lists = "".join(
            f"<div class='mk-{head.lower()}'><b>{head}</b><ul>"
            + "".join(f"<li>{e(item)}</li>" for item in items) + "</ul></div>"
            for head, items in (("Keep", self.keep), ("Start", self.start), ("Stop", self.stop)) if items)
        notes = "".join(f"<li class='mk-note mk-note-{e(n.kind)}'>line {n.line}: {e(n.text)}</li>"
                        for n in self.notes)
        return (f"<div class='mk-debrief-body'><h3>Debrief: {e(self.title)}</h3>"
                f"<p><b>Outcome:</b> {e(_outcome_words(self.outcome))} &nbsp; "
                f"<b>Score:</b> <span class='mk-score'>{self.score:.0f}</span>/100 "
                f"(<span class='mk-tier'>{e(self.tier)}</span>) &nbsp; <small>rubric {e(self.rubric_version)}</small></p>"
                f"<table class='mk-criteria'><tr><th>Criterion</th><th>Rating</th><th>Why</th></tr>{''.join(rows)}</table>"
                f"{lists}<details><summary>Notes by line</summary><ul>{notes}</ul></details></div>")


def _outcome_words(outcome: str | None) -> str:
    return {"resolved": "resolved", "partly_resolved": "partly resolved", "stalled": "stalled",
            "unfinished": "unfinished"}.get(outcome or "", "in progress")


import re as _re

_SENT_END = _re.compile(r"(?<=[.!?])\s+(?=[\"\u201c'A-Z0-9\[])")
_CLAUSE_BREAK = _re.compile(r";\s+|\s+[-\u2013\u2014]\s+|:\s+")
#: a quote longer than this is cut to the clause (between ';', ':' or a dash) that holds the span
MAX_QUOTE_WORDS = 30


def whole_clause(text: str, start: int | None, end: int | None) -> tuple[str, int, int]:
    """The trainee's own words around a detector span, as a whole sentence or clause.

    Detector spans are fragments ("while their CEO was still"); the debrief quotes the
    sentence they lie in, or, in a long sentence, the clause between ';', ':' or a dash.

    >>> whole_clause("Thanks. In the review this morning, you cut in while their CEO was still presenting. Ok?", 45, 70)
    ('In the review this morning, you cut in while their CEO was still presenting.', 8, 84)
    """
    if start is None or end is None or not text:
        return text.strip(), 0, len(text)
    bounds, pos = [], 0
    for m in _SENT_END.finditer(text):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    s0, e0 = next(((a, b) for a, b in bounds if a <= start < b + 1), (0, len(text)))
    e0 = max(e0, min(len(text), next((b for a, b in bounds if a < end <= b + 1), e0)))
    quote = text[s0:e0]
    if len(quote.split()) > MAX_QUOTE_WORDS:
        cuts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(quote)] + [len(quote)]
        rel_s, rel_e = start - s0, end - s0
        a = max(c for c in cuts if c <= rel_s)
        b = min((c for c in cuts if c >= rel_e), default=len(quote))
        if b > a:
            s0, e0 = s0 + a, s0 + b
            quote = text[s0:e0]
    lead = len(quote) - len(quote.lstrip())
    quote = quote.strip().rstrip(";:-\u2013\u2014 ").strip()
    return quote, s0 + lead, s0 + lead + len(quote)


def _best_span(finding: Any, text: str) -> dict | None:
    """The evidence span whose clause holds what the part was credited for (its grounds' phrases)."""
    spans = [sp for sp in (getattr(finding, "evidence", None) or []) if sp.get("text")]
    if not spans:
        return None
    phrases = [str(g.get("phrase", "")).lower() for g in (getattr(finding, "grounds", None) or []) if g.get("phrase")]
    def hits(sp):
        if sp.get("start") is None:
            return 0
        clause = whole_clause(text, sp["start"], sp["end"])[0].lower()
        return sum(1 for ph in phrases if ph.split()[0] in clause)
    return max(spans, key=hits)


def _quote(finding: Any, fallback: str) -> str:
    span = _best_span(finding, fallback)
    if span is None:
        return fallback
    return whole_clause(fallback, span["start"], span["end"])[0] if span.get("start") is not None else str(span["text"])


def _fact_words(grounds: list[dict] | None) -> str:
    """The fact a credited part matched, in words ('said_wrong: I said their numbers ...')."""
    for g in grounds or []:
        if g.get("says"):
            return g["says"]
    for g in grounds or []:
        if g.get("kind") == "topic":
            return f"the topic '{g['id'].replace('_', ' ')}' (\u201c{g['phrase']}\u201d)"
        if g.get("kind") == "view":
            return "asks for her view"
        if g.get("kind") == "concrete":
            return "a concrete time or figure"
        if g.get("kind") == "reply":
            return "said in a reply about her situation"
    return ""


def rate_criterion(criterion, replies: list) -> CriterionResult:
    """Rate one rubric *criterion* over the trainee's *replies* (transcript :class:`Line` objects).

    >>> from mentorkit.scenarios import load_scenario
    >>> crit = load_scenario("tense_disagreement").rubric.criteria[0]
    >>> rate_criterion(crit, []).rating
    'Poor'
    """
    spoken = [ln for ln in replies if "empty" not in ln.findings]
    found = {k: sum(1 for ln in spoken if k in ln.findings) for k in criterion.look_for}
    if getattr(criterion, "share", False):
        shown = sum(1 for ln in spoken if any(k in ln.findings for k in criterion.look_for))
        coverage = shown / len(spoken) if spoken else 0.0
        missing = [k for k in criterion.look_for if found[k] < len(spoken)]
    elif criterion.look_for:
        missing = [k for k in criterion.look_for if found[k] < criterion.times]
        coverage = sum(min(found[k] / criterion.times, 1.0) for k in criterion.look_for) / len(criterion.look_for)
    else:
        # a criterion of things to avoid is earned only by replies about her situation:
        # saying nothing harsh about the weather is not a skill
        missing = []
        coverage = (sum(1 for ln in spoken if "off_topic" not in ln.findings) / len(spoken)) if spoken else 0.0
    violations = []
    for ln in replies:
        hits = [k for k in criterion.avoid if k in ln.findings]
        if hits:
            violations.append({"line": ln.line, "keys": hits,
                               "text": _quote(ln.findings[hits[0]], ln.text), "suggestion": ln.suggestion})
    points = max(0.0, coverage - 0.5 * len(violations)) if spoken else 0.0
    if not spoken:
        coverage = 0.0
    if points >= criterion.good_at - 1e-9:
        rating, descriptor = "Good", criterion.good
    elif points >= criterion.fair_at - 1e-9:
        rating, descriptor = "Fair", criterion.fair
    else:
        rating, descriptor = "Poor", criterion.poor
    evidence = []
    for k in criterion.look_for:
        for ln in spoken:
            if k in ln.findings:
                f = ln.findings[k]
                spans = [_best_span(f, ln.text) or {"start": None, "end": None, "text": ln.text, "label": k}]
                clause, c0, c1 = whole_clause(ln.text, spans[0].get("start"), spans[0].get("end"))
                evidence.append({"line": ln.line, "key": k, "text": clause or ln.text,
                                 "start": c0, "end": c1,
                                 "confidence": round(f.confidence, 3),
                                 "fact": _fact_words(f.grounds)})
                break
    return CriterionResult(id=criterion.id, title=criterion.title, weight=criterion.weight, rating=rating,
                           points=points, coverage=coverage, descriptor=descriptor, found=found,
                           missing=missing, violations=violations, evidence=evidence)


def _notes(session, relevant: set[str], avoid: set[str]) -> list[Note]:
    notes: list[Note] = []
    for ln in session.lines:
        if ln.speaker != "mentor":
            continue
        if "empty" in ln.findings:
            notes.append(Note(ln.line, "missing", f"No reply here; {session.scenario.persona.name} was left waiting."))
        elif "reply" in (getattr(ln, "refused", None) or {}):
            notes.append(Note(ln.line, "warn", f"Reply not read: {ln.refused['reply']}. Shorter replies are scored."))
        elif getattr(ln, "note", None):
            notes.append(Note(ln.line, "warn", ln.note))
        else:
            good = [k for k in ln.findings if k in relevant and k not in avoid]
            bad = [k for k in ln.findings if k in avoid]
            for k in good:
                fact = _fact_words(ln.findings[k].grounds)
                notes.append(Note(ln.line, "good", f"Shows {describe_key(k)}: \u201c{_quote(ln.findings[k], ln.text)}\u201d"
                                  + (f" (matches: {fact})" if fact else "")))
            for k in bad:
                text = f"{describe_key(k).capitalize()}: \u201c{_quote(ln.findings[k], ln.text)}\u201d"
                if ln.suggestion and k.startswith("intent_tone"):
                    text += f" - softer: \u201c{ln.suggestion}\u201d"
                notes.append(Note(ln.line, "warn", text))
            for sl in getattr(ln, "slips", None) or []:
                notes.append(Note(ln.line, "warn", f"Factual slip: \u201c{sl['text']}\u201d - it was {sl['actual']}'s "
                                                   f"{sl['where']}, not \u201c{sl['said']}\u201d."))
            if "off_topic" in ln.findings:
                notes.append(Note(ln.line, "warn", f"Off her situation: nothing here is about what "
                                                   f"{session.scenario.persona.name} brought, so nothing in it earns credit."))
            for k, why in sorted((getattr(ln, "refused", None) or {}).items()):
                if k in relevant and "." in k:
                    notes.append(Note(ln.line, "info", f"Has the form of {describe_key(k)}, but no credit: {why}."))
            if not good and not bad:
                notes.append(Note(ln.line, "info", "Nothing this rubric looks for was found in this reply."))
        moved = ", ".join(f"{k} {v:+.2f}" for k, v in ln.deltas.items() if abs(v) >= 0.005)
        if moved:
            notes.append(Note(ln.line, "effect", f"{session.scenario.persona.name}'s state after this reply: {moved}"))
    return notes


def _start_tip(session, crit, res, replies: list) -> str:
    """A Start tip that never asks for what the replies already have.

    When a reply had the form of a missing part but it was not grounded, the tip says
    which line and why; when the replies already name what the tip's example names, it
    quotes them and asks for the missing part, not for the thing they said.
    """
    missing = ", ".join(describe_key(k) for k in res.missing)
    for k in res.missing:
        for ln in replies:
            why = (getattr(ln, "refused", None) or {}).get(k)
            if why:
                return (f"{crit.start} (line {ln.line} had the form of {describe_key(k)}, "
                        f"but no credit: {why})")
    sheet = session.scenario.facts
    if sheet is not None and res.missing:
        from mentorkit.scenarios.facts import fact_index
        from mentorkit.nlp import cached_parse as _parse
        index = fact_index(sheet)
        asked = {(e, ph) for kind, e, ph in index.find(_parse(crit.start)) if kind == "fact"}
        for ln in replies:
            if not asked or not ln.text.strip() or len(ln.text) > 10_000:
                continue
            doc = _parse(ln.text)
            for m in index.matches(doc):
                if m.kind == "fact" and (m.id, m.phrase) in asked:
                    clause = whole_clause(ln.text, m.start, m.end)[0]
                    return (f"{crit.start} You already named this on line {ln.line} (\u201c{clause}\u201d); "
                            f"what is still missing there: {missing}.")
    return f"{crit.start}" + (f" (not yet seen: {missing})" if missing else "")


def build_debrief(session) -> Debrief:
    """Rate every criterion of the session's rubric and assemble the debrief.

    >>> from mentorkit.scenarios import Session
    >>> s = Session("written_recap", seed=0)
    >>> for _ in range(3):
    ...     _ = s.reply("")
    >>> d = build_debrief(s)
    >>> d.outcome, d.score, d.tier
    ('stalled', 0.0, 'Beginning')
    """
    scenario = session.scenario
    replies = [ln for ln in session.lines if ln.speaker == "mentor"]
    results = [rate_criterion(c, replies) for c in scenario.rubric.criteria]
    total = sum(c.weight for c in results)
    score = round(100.0 * sum(c.weight * c.points for c in results) / total, 1) if total else 0.0
    by_weight = sorted(zip(scenario.rubric.criteria, results), key=lambda cr: -cr[1].weight)
    keep, start, stop = [], [], []
    for crit, res in by_weight:
        if res.rating == "Good":
            ev = (f", as you did on line {res.evidence[0]['line']}: \u201c{res.evidence[0]['text']}\u201d"
                  if res.evidence else "")
            keep.append(f"{crit.keep}{ev}")
        if res.missing or (not crit.look_for and res.rating != "Good" and not res.violations):
            start.append(_start_tip(session, crit, res, replies))
        if res.violations:
            v = res.violations[0]
            tip = f"{crit.stop} (line {v['line']}: \u201c{v['text']}\u201d"
            tip += f"; try: \u201c{v['suggestion']}\u201d)" if v.get("suggestion") else ")"
            stop.append(tip)
    relevant = {k for c in scenario.rubric.criteria for k in c.look_for}
    avoid = {k for c in scenario.rubric.criteria for k in c.avoid}
    return Debrief(scenario=scenario.name, title=scenario.title, rubric_version=scenario.rubric.version,
                   outcome=session.outcome, score=score, tier=tier_for(score), criteria=results,
                   keep=keep[:MAX_ADVICE], start=start[:MAX_ADVICE], stop=stop[:MAX_ADVICE],
                   notes=_notes(session, relevant, avoid), state=dict(session.state))
