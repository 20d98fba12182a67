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

from mentorkit.skills.base import CATALOGUE

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


# the skills themselves are named by the skill catalogue (mentorkit.skills.base.CATALOGUE)
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


def _quote(finding: Any, fallback: str) -> str:
    for span in getattr(finding, "evidence", None) or []:
        if span.get("text"):
            return str(span["text"])
    return fallback


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
                spans = f.evidence or [{"start": None, "end": None, "text": ln.text, "label": k}]
                evidence.append({"line": ln.line, "key": k, "text": spans[0].get("text") or ln.text,
                                 "start": spans[0].get("start"), "end": spans[0].get("end"),
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
            ev = f" (line {res.evidence[0]['line']}: \u201c{res.evidence[0]['text']}\u201d)" if res.evidence else ""
            keep.append(f"{crit.keep}{ev}")
        if res.missing or (not crit.look_for and res.rating != "Good" and not res.violations):
            missing = ", ".join(describe_key(k) for k in res.missing)
            start.append(f"{crit.start}" + (f" (not yet seen: {missing})" if missing else ""))
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
