"""The simulated mentee: a small state machine per scenario.

Each trainee reply goes through the scenario's skill detectors. What they find
moves the mentee's state (trust, clarity, openness, each 0..1) by the scenario's
``effects``; the persona adds its own (a mentee who likes warmth warms to a stated
intent and cools without one; a mentee who likes it direct loses the thread in a
very long reply). The turn's first branch whose condition holds gives the
mentee's next message, one of its variants picked by a generator seeded with the
scenario name and the seed, so the same replies and seed give the same
conversation. After the last turn the state decides the ending: resolved,
partly resolved or stalled. An empty reply is answered by the mentee (and costs a
little trust); three in a row end the conversation as stalled.
"""
from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.schema import STATE_KEYS, Condition, Scenario
from mentorkit.scenarios.speech import join_voiced, last_speaker, render, split_tag

__all__ = ["Finding", "Line", "Session", "analyse_reply", "render", "placeholder_values", "PLACEHOLDERS"]

#: detectors always run for the mentee's reaction, whatever the scenario scores
ALWAYS_DETECT = ("intent_tone",)
#: the least detector confidence the mentee reacts to, where it differs from the detector's own 0.5:
#: a harsh flag costs a lot of trust, so a coin-flip call is not enough
MIN_CONFIDENCE = {"intent_tone.harsh": 0.6}
EMPTY_COST = {"trust": -0.05, "openness": -0.05}
MAX_EMPTY_IN_A_ROW = 3
OFF_TOPIC_COST = {"trust": -0.03, "clarity": -0.05}
#: what a mentee says to a reply that leaves her situation (a scenario's ``off_topic`` replaces them)
OFF_TOPIC_LINES = (
    "Sorry, I'm lost. What has that got to do with {about}?",
    "Hm, I'm not sure how that connects to {about}.",
    "I don't follow. I thought we were talking about {about}.",
    "Okay... but can we get back to {about}?",
    "That's a bit of a tangent. I'd rather stick to {about}.",
    "Wait, I'm confused. Weren't we going to talk about {about}?",
)
#: the longest reply the detectors read (the SBI grader's own limit); a longer one is answered, not scored
MAX_REPLY_CHARS = 10_000
TOO_LONG_LINES = (
    "That's a lot to take in at once. Could you give me the short version?",
    "Sorry, that's a wall of text. What's the main thing you want me to hear?",
    "I can't take all of that in. Can you say it in a few lines?",
    "That's long. Could you put the key point first, briefly?",
)
#: shown once when a reply looks not to be English (the detectors and the scoring are English-only)
NOT_ENGLISH_NOTE = "This reply does not look like English; the scoring is English-only, so it earned nothing."
LONG_REPLY_WORDS = 120
SHORT_REPLY_WORDS = 60
PLACEHOLDERS = ("name", "role", "time_zone", "hours_ahead", "mentor_role", "preference_phrase", "about")
_WORD = re.compile(r"[A-Za-z0-9']+")
PREFERENCE_PHRASES = {"direct": "direct and quick", "warm": "with a bit of context and warmth"}


@dataclass
class Finding:
    """One thing a detector found in a reply: ``key`` is ``skill`` or ``skill.component``."""
    key: str
    confidence: float
    evidence: list[dict] = field(default_factory=list)
    #: the fact-sheet entries the move is grounded in (see mentorkit.scenarios.grounding)
    grounds: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"key": self.key, "confidence": round(float(self.confidence), 3), "evidence": self.evidence,
                "grounds": self.grounds}


@dataclass
class Line:
    """One message of the transcript, numbered from 1 (the mentee's opening)."""
    line: int
    speaker: str
    text: str
    turn: int | None = None
    findings: dict[str, Finding] = field(default_factory=dict)
    deltas: dict[str, float] = field(default_factory=dict)
    state: dict[str, float] = field(default_factory=dict)
    branch: int | None = None
    suggestion: str | None = None
    words: int = 0
    #: every move the detectors found, grounded or not; ``refused``: the ungrounded ones, with why
    detected: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    slips: list[dict] = field(default_factory=list)
    on_topic: bool | None = None
    #: what the mentee's next message answered in this reply (questions, proposals)
    answers: list = field(default_factory=list)
    #: a remark about the reply itself (e.g. not English)
    note: str | None = None

    def to_dict(self) -> dict:
        out: dict[str, Any] = {"line": self.line, "speaker": self.speaker, "text": self.text}
        if self.speaker == "mentor":
            out.update(turn=self.turn, words=self.words,
                       findings=sorted(self.findings),
                       grounds={k: f.grounds for k, f in sorted(self.findings.items()) if f.grounds},
                       refused=dict(sorted(self.refused.items())), slips=self.slips, on_topic=self.on_topic,
                       answered=[{"kind": a.kind, "asked": a.text, "answer": a.line, "facts": list(a.facts)}
                                 for a in self.answers], note=self.note,
                       deltas={k: round(v, 3) for k, v in self.deltas.items() if v},
                       state={k: round(v, 3) for k, v in self.state.items()},
                       suggestion=self.suggestion)
        return out


def placeholder_values(scenario, preference: str | None = None) -> dict[str, str]:
    """What each placeholder stands for in *scenario* (*preference*: the session's, when it is known).

    >>> from mentorkit.scenarios import load_scenario
    >>> placeholder_values(load_scenario("written_recap"))["hours_ahead"]
    '9'
    """
    pref = preference or scenario.persona.feedback_preference
    return {
        "name": scenario.persona.name, "role": scenario.persona.role,
        "time_zone": scenario.persona.time_zone,
        "hours_ahead": f"{abs(scenario.hours_ahead):g}", "mentor_role": scenario.mentor_role,
        "preference_phrase": PREFERENCE_PHRASES.get(pref, "the way that suits them"),
        "about": scenario.facts.about if scenario.facts is not None else "what we were discussing",
    }


_TAGGED_RUN = re.compile(r"(?=\[[A-Z][^\]]{0,59}\])")


def _same_opening(uptake: str, line: str) -> bool:
    """An uptake that would stutter before *line* ('Okay... Okay, ...', 'Thanks. Thanks for ...')."""
    a = _WORD.findall(uptake.lower())
    b = _WORD.findall(split_tag(line)[1].lower())
    if not a or not b:
        return False
    thanks = {"thanks", "thank", "appreciate"}
    return a[0] == b[0] or bool(thanks & set(a) and thanks & set(b[:4]))


def _sentences_with_tags(text: str) -> list[str]:
    """A paragraph cut before each bracketed tag, so :func:`join_voiced` can say each speaker once."""
    return [p for p in _TAGGED_RUN.split(text) if p.strip()]


def _span(s: Any) -> dict:
    if isinstance(s, dict):
        return {k: s.get(k) for k in ("start", "end", "text", "label")}
    return {"start": getattr(s, "start", None), "end": getattr(s, "end", None),
            "text": getattr(s, "text", ""), "label": getattr(s, "label", "")}


def _detect_all(text: str, skills: tuple[str, ...], doc=None) -> dict[str, Any]:
    """Every detector in *skills* on one spaCy parse of *text* (``mentorkit.skills.detect_many``)."""
    try:
        from mentorkit.skills import detect_many
    except ImportError as exc:
        raise MentorkitError(f"the skill detectors (mentorkit.skills) cannot be imported: {exc}") from None
    return detect_many(text, skills, doc=doc)


def _parse(text: str):
    """The grader pipeline's parse of *text*, cached (:func:`mentorkit.nlp.cached_parse`)."""
    from mentorkit.nlp import cached_parse
    return cached_parse(text)


@lru_cache(maxsize=4096)
def _detect_cached(text: str, skills: tuple[str, ...]) -> dict[str, Any]:
    """:func:`_detect_all` on the cached parse; the default detectors depend on the text alone."""
    return _detect_all(text, skills, _parse(text))


def _looks_english(doc) -> bool:
    """False for a reply of 6+ words where under a sixth are English function words ('the', 'and', 'you')."""
    from spacy.lang.en.stop_words import STOP_WORDS
    words = [t.lower_ for t in doc if t.is_alpha]
    if len(words) < 6:
        return True
    return sum(1 for w in words if w in STOP_WORDS) * 6 >= len(words)


def analyse_reply(text: str, skills: tuple[str, ...], detector: Callable[[str, str], Any] | None = None,
                  doc=None) -> tuple[dict[str, Finding], str | None]:
    """Run the detectors for *skills* on *text*; return the findings and a softer rephrasing, if any.

    Keys are ``skill`` when the skill is shown and ``skill.component`` per present
    component, plus ``question`` when the reply asks something and ``empty`` when
    it is blank.

    >>> found, _ = analyse_reply("   ", ("four_step",))
    >>> sorted(found)
    ['empty']
    """
    findings: dict[str, Finding] = {}
    if not text.strip():
        findings["empty"] = Finding("empty", 1.0)
        return findings, None
    if "?" in text:
        findings["question"] = Finding("question", 1.0, [
            {"start": i, "end": i + 1, "text": "?", "label": "question"} for i, ch in enumerate(text) if ch == "?"])
    results = ({skill: detector(skill, text) for skill in skills} if detector is not None
               else _detect_cached(text, tuple(skills)))
    suggestion = None
    for skill in skills:
        result = results[skill]
        if getattr(result, "present", False):
            findings[skill] = Finding(skill, float(getattr(result, "score", 1.0) or 0.0))
        for comp, res in (getattr(result, "components", None) or {}).items():
            key = f"{skill}.{comp}"
            if getattr(res, "present", False) and float(getattr(res, "confidence", 1.0)) >= MIN_CONFIDENCE.get(key, 0.0):
                findings[key] = Finding(key, float(getattr(res, "confidence", 1.0) or 0.0),
                                        [_span(s) for s in (getattr(res, "evidence", None) or [])])
        judgement = (getattr(result, "details", None) or {}).get("judgement") if skill == "sbi" else None
        if judgement and "sbi.judgement" not in findings:
            findings["sbi.judgement"] = Finding("sbi.judgement", 1.0, [_span(s) for s in judgement])
        label = getattr(result, "label", None)
        if skill == "active_listening" and label and label != "other" and f"{skill}.{label}" not in findings:
            findings[f"{skill}.{label}"] = Finding(f"{skill}.{label}", float(getattr(result, "score", 1.0) or 0.0))
        if skill == "intent_tone" and getattr(result, "suggestion", None):
            suggestion = result.suggestion
    return findings, suggestion


#: the facts each rendered mentee line tells, per scenario (lines are authored, so this stays small)
_TOLD_CACHE: dict[tuple[str, str, str], frozenset] = {}


def authored_lines(scenario) -> list[str]:
    """Every line *scenario* authors for its mentee (opening, each branch's wordings, endings, her
    answers to an empty or off-topic reply, each fact of her fact sheet in its full and short
    wording), placeholders filled in for each feedback preference a session of it can take (the
    persona's; both when she asks), each once, in authored order."""
    pref = scenario.persona.feedback_preference
    facts = scenario.facts.items if scenario.facts is not None else ()
    raw = [scenario.opening, *(v for t in scenario.turns for b in t.branches for v in b.say),
           *(v for wordings in scenario.endings.values() for v in wordings), *scenario.on_empty,
           *(scenario.off_topic or OFF_TOPIC_LINES), *(w for f in facts for w in (f.says, f.short) if w)]
    out: dict[str, None] = {}
    for p in (("direct", "warm") if pref == "ask" else (pref,)):
        values = placeholder_values(scenario, p)
        out.update((render(line, values), None) for line in raw)
    return [line for line in out if line.strip()]


def _know_authored_lines(scenario) -> None:
    """Put the facts of every authored mentee line of *scenario* in :data:`_TOLD_CACHE` at once: one
    batch parse per scenario, kept on disk (:mod:`mentorkit.scenarios.precompute`), instead of a parse
    of each line the first time a conversation says it or weighs it as news (:meth:`Session._fresh_news`
    reads every wording of the branch)."""
    if scenario.facts is None:
        return
    from mentorkit.scenarios.answers import stock_lines
    lines = list(dict.fromkeys(authored_lines(scenario) + stock_lines()))
    if all((scenario.name, "all", line) in _TOLD_CACHE for line in lines):
        return
    from mentorkit.scenarios.facts import fact_index
    from mentorkit.scenarios.grounding import told_facts
    from mentorkit.scenarios.precompute import cached, parse_phrases
    sheet = scenario.facts
    index = [f"{k}|{i}|{' '.join(keys)}" for k, i, _p, keys in fact_index(sheet).entries]
    told = cached("told_lines", index + ["--- lines ---"] + lines,
                  lambda: [sorted(told_facts(sheet, doc)) for doc in parse_phrases(lines)])
    if not isinstance(told, list) or len(told) != len(lines):
        return   # an entry of another shape: each line is worked out when it is first needed
    if len(_TOLD_CACHE) > 20_000:
        _TOLD_CACHE.clear()
    for line, ids in zip(lines, told):
        _TOLD_CACHE.setdefault((scenario.name, "all", line), frozenset(ids))


class Session:
    """One practice conversation with the simulated mentee of *scenario*.

    Parameters
    ----------
    scenario : Scenario or str
        A loaded scenario or its name.
    seed : int
        Picks among the mentee's message variants (and the preference of a
        persona whose preference is ``ask``); same seed and replies, same talk.
    detector : callable, optional
        ``detector(skill, text)`` returning a skill result; defaults to
        :func:`mentorkit.skills.detect`.

    Examples
    --------
    >>> from mentorkit.scenarios import Session
    >>> s = Session("tense_disagreement", seed=1)
    >>> s.transcript()[0]["speaker"]
    'mentee'
    >>> answer = s.reply("")        # an empty reply is answered, not an error
    >>> s.done
    False
    """

    def __init__(self, scenario: Scenario | str, seed: int = 0,
                 detector: Callable[[str, str], Any] | None = None):
        if isinstance(scenario, str):
            from mentorkit.scenarios import load_scenario
            scenario = load_scenario(scenario)
        self.scenario = scenario
        self.seed = int(seed)
        self._rng = random.Random(f"{scenario.name}|{self.seed}")
        self._detector = detector
        pref = scenario.persona.feedback_preference
        self.preference = self._rng.choice(("direct", "warm")) if pref == "ask" else pref
        self.state: dict[str, float] = {k: float(scenario.state[k]) for k in STATE_KEYS}
        self.turn = 0
        self.outcome: str | None = None
        self.started_at = datetime.now(timezone.utc)
        self.finished_at: datetime | None = None
        self._empty_streak = 0
        self._values = placeholder_values(scenario, self.preference)
        self.lines: list[Line] = [Line(1, "mentee", render(scenario.opening, self._values))]
        self.timings: list[float] = []
        #: fact ids the mentee has told so far (what a reflection may say back); what replies grounded
        self.told: set[str] = set()
        self._history: dict[str, Any] = {"behavior": False}
        self._used: set[str] = set()
        #: lines of hers made of other lines (an uptake before a wording, a frame around a fact):
        #: what such a line tells is what its parts tell (:meth:`_told_in`)
        self._made_of: dict[str, tuple[str, ...]] = {}
        _know_authored_lines(scenario)
        self._learn(self.lines[0].text)

    # ------------------------------------------------------------ state
    @property
    def done(self) -> bool:
        """True once the conversation has an outcome."""
        return self.outcome is not None

    @property
    def turns_total(self) -> int:
        return len(self.scenario.turns)

    @property
    def focus(self) -> str | None:
        """The hint for the reply the mentee is waiting for (None when done)."""
        return None if self.done else self.scenario.turns[self.turn].focus

    def _move(self, deltas: dict[str, float]) -> None:
        for key, d in deltas.items():
            self.state[key] = min(1.0, max(0.0, self.state[key] + d))

    def _holds(self, cond: Condition, findings: dict[str, Finding], words: int) -> bool:
        if any(k not in findings for k in cond.all):
            return False
        if cond.any and not any(k in findings for k in cond.any):
            return False
        if any(k in findings for k in cond.none):
            return False
        if any(self.state[k] < v - 1e-9 for k, v in cond.min.items()):
            return False
        if any(self.state[k] > v + 1e-9 for k, v in cond.max.items()):
            return False
        if cond.words_min is not None and words < cond.words_min:
            return False
        if cond.words_max is not None and words > cond.words_max:
            return False
        if cond.preference is not None and cond.preference != self.preference:
            return False
        return True

    def _persona_effects(self, findings: dict[str, Finding], words: int) -> dict[str, float]:
        out: dict[str, float] = {}
        if self.preference == "warm":
            warm = "intent_tone.supportive" in findings or "intent_tone.explicit_intent" in findings
            out["trust"] = 0.05 if warm else -0.05
        elif self.preference == "direct":
            if words > LONG_REPLY_WORDS:
                out["clarity"] = -0.05
            elif words <= SHORT_REPLY_WORDS:
                out["clarity"] = 0.03
        return out

    def _ending(self) -> str:
        for outcome in ("resolved", "partly_resolved"):
            if self._holds(self.scenario.outcome[outcome], {}, 0):
                return outcome
        return "stalled"

    def _say(self, variants: tuple[str, ...], reply: str = "") -> str:
        """One of *variants*, never one already said in this conversation while another is left.

        The choice depends on the seed, the reply it answers and the conversation so far.
        """
        if not variants:
            return ""
        fresh = [v for v in variants if render(v, self._values) not in self._used] or list(variants)
        history = "|".join(ln.text for ln in self.lines[-3:])
        key = f"{self.scenario.name}|{self.seed}|{len(self.lines)}|{reply.strip().lower()}|{history}"
        pick = random.Random(key).randrange(len(fresh)) if reply else self._rng.randrange(len(fresh))
        text = render(fresh[pick], self._values)
        self._used.add(text)
        return text

    def _with_uptake(self, reaction: str, findings: dict, deltas: dict, words: int, text: str) -> str:
        """The reaction opened with her uptake of what the reply did (see :mod:`mentorkit.scenarios.wording`)."""
        from mentorkit.scenarios.wording import UPTAKES, opens_with_uptake, uptake_kind
        if not reaction.strip():
            return reaction
        kind = uptake_kind(findings, deltas, words, self.preference)
        if kind is None:
            return reaction
        # about one reply in four of each kind gets none, chosen like a line: by seed, reply and history
        pool = UPTAKES[kind] + ("",) * max(1, len(UPTAKES[kind]) // 3)
        fresh = [u for u in pool if u == "" or u not in self._used and not _same_opening(u, reaction)]
        key = f"{self.scenario.name}|{self.seed}|{len(self.lines)}|{text.strip().lower()}|uptake"
        up = fresh[random.Random(key).randrange(len(fresh))]
        if not up:
            return reaction
        self._used.add(up)
        tag, body = split_tag(reaction)
        return self._compose(f"{tag} {up} {body}" if tag else f"{up} {body}", up, reaction)

    def _compose(self, line: str, *parts: str) -> str:
        """Note that her *line* is made of *parts* (each a line she can say, or a stock frame), so
        what it tells is read from them, not from a new parse of the whole (:meth:`_told_in`)."""
        parts = tuple(p for p in parts if p.strip())
        if line not in parts:
            self._made_of[line] = parts
        return line

    def _fresh_news(self, variants: tuple[str, ...]) -> tuple[str, ...]:
        """The variants that tell her nothing she has told already (all of them when none is left)."""
        if self.scenario.facts is None or not self.told:
            return variants
        fresh = []
        for v in variants:
            text = render(v, self._values)
            facts = frozenset(f for f in self._told_in(text) if not f.startswith("topic:"))
            if not facts & self.told:
                fresh.append(v)
        return tuple(fresh) or variants

    def _mentee(self, text: str) -> None:
        self.lines.append(Line(len(self.lines) + 1, "mentee", text))

    def _finish(self, outcome: str) -> str:
        self.outcome = outcome
        self.finished_at = datetime.now(timezone.utc)
        return self._say(self.scenario.endings[outcome])

    @property
    def context(self) -> str:
        """The scenario's context for the trainee, placeholders filled in."""
        return render(self.scenario.context, self._values)

    # ------------------------------------------------------------ play
    def reply(self, text: str | None) -> str:
        """Send the trainee's reply; return the mentee's answer (also added to the transcript)."""
        if self.done:
            raise MentorkitError(f"scenario {self.scenario.name!r}: this conversation has ended "
                                 f"({self.outcome}); start a new Session to practise again")
        t0 = time.perf_counter()
        text = "" if text is None else str(text)
        words = len(_WORD.findall(text))
        mentor = Line(len(self.lines) + 1, "mentor", text.strip(), turn=self.turn + 1, words=words)
        self.lines.append(mentor)
        if not text.strip():
            self._empty_streak += 1
            mentor.findings = {"empty": Finding("empty", 1.0)}
            before = dict(self.state)
            self._move(EMPTY_COST)
            mentor.deltas = {k: self.state[k] - before[k] for k in STATE_KEYS}
            mentor.state = dict(self.state)
            if self._empty_streak >= MAX_EMPTY_IN_A_ROW:
                answer = self._finish("stalled")
            else:
                answer = self._say(self.scenario.on_empty)
            self._mentee(answer)
            self.timings.append(time.perf_counter() - t0)
            return answer
        self._empty_streak = 0
        if len(text) > MAX_REPLY_CHARS:
            # answered, not scored: the turn stays open and the conversation goes on
            mentor.refused = {"reply": f"{len(text):,} characters, over the {MAX_REPLY_CHARS:,}-character limit; "
                                       "not read"}
            mentor.state = dict(self.state)
            answer = self._say(TOO_LONG_LINES, text[:200])
            self._mentee(answer)
            self.timings.append(time.perf_counter() - t0)
            return answer
        skills = tuple(dict.fromkeys(self.scenario.skills + ALWAYS_DETECT))
        doc = _parse(text)
        if not _looks_english(doc):
            mentor.note = NOT_ENGLISH_NOTE
        raw, suggestion = analyse_reply(text, skills, self._detector, doc=doc)
        findings, grounding = self._ground(raw, doc)
        from mentorkit.scenarios.rewrites import tidy_rewrite
        mentor.findings, mentor.suggestion = findings, tidy_rewrite(text, suggestion)
        mentor.detected = sorted(raw)
        mentor.refused, mentor.slips, mentor.on_topic = grounding.refused, grounding.slips, grounding.on_topic
        before = dict(self.state)
        for key in findings:
            self._move(self.scenario.effects.get(key, {}))
        self._move(self._persona_effects(findings, words))
        if grounding.off_topic:
            self._move(OFF_TOPIC_COST)
        turn = self.scenario.turns[self.turn]
        index = next(i for i, b in enumerate(turn.branches)
                     if i == len(turn.branches) - 1 or self._holds(b.when, findings, words))
        branch = turn.branches[index]
        self._move(branch.effects)
        mentor.branch = index
        mentor.deltas = {k: self.state[k] - before[k] for k in STATE_KEYS}
        mentor.state = dict(self.state)
        parts = []
        if grounding.off_topic:
            parts.append(self._say(self.scenario.off_topic or OFF_TOPIC_LINES, text))
        reaction = self._say(self._fresh_news(branch.say), text)
        reaction = self._with_uptake(reaction, findings, mentor.deltas, words, text)
        mentor.answers = self._answers(doc, grounding, reaction)
        # what she was asked comes first, then her reaction and her move toward the turn's goal
        answered = " ".join(a.line for a in mentor.answers)
        parts.extend(p for p in (answered, reaction) if p)
        self.turn += 1
        if branch.end:
            parts.append(self._finish(branch.end))
        elif self.turn == self.turns_total:
            parts.append(self._finish(self._ending()))
        answer = "\n\n".join(self._voiced([p for p in parts if p], reaction))
        self._mentee(answer)
        for part in [a.line for a in mentor.answers] + [p for p in parts if p != answered]:
            self._learn(part)   # part by part: each is a line she has said before, or made of such lines
        self.timings.append(time.perf_counter() - t0)
        return answer

    def _voiced(self, parts: list[str], reaction: str) -> list[str]:
        """The message's paragraphs with speaker tags where the scene has them (a group circle).

        Within a paragraph a speaker is tagged once per run; an untagged paragraph (an
        answer, a puzzled line) is spoken by whoever the reaction is in, or else by the
        last speaker of her previous message. A scene without tags is left as it is.
        """
        tag = split_tag(reaction)[0]
        voice = tag if tag and last_speaker(tag) else next(
            (last_speaker(ln.text) for ln in reversed(self.lines) if ln.speaker == "mentee" and last_speaker(ln.text)), "")
        return [join_voiced(_sentences_with_tags(p), voice) for p in parts]

    def _ground(self, raw: dict[str, Finding], doc) -> tuple[dict[str, Finding], Any]:
        """Keep the findings grounded in the fact sheet (plus labels, which always count)."""
        from mentorkit.scenarios.grounding import ALWAYS_COUNTS, ground_reply
        g = ground_reply(self.scenario, doc, raw, self.told, self._history)
        kept = {}
        for key, f in raw.items():
            if key in ALWAYS_COUNTS and key not in g.refused:
                kept[key] = f
            elif key in g.credited:
                f.grounds = g.credited[key]
                kept[key] = f
        if "sbi.behavior" in kept:
            self._history["behavior"] = True
        self._history["on_topic"] = g.on_topic
        if g.on_topic:
            kept["on_topic"] = Finding("on_topic", 1.0, [])
        elif g.off_topic:
            kept["off_topic"] = Finding("off_topic", 1.0, [])
        return kept, g

    def _answers(self, doc, grounding, reaction: str) -> list:
        """Her answers to the reply's questions and proposals (none to what the reaction already told)."""
        from mentorkit.scenarios.answers import compose_answers
        if self.scenario.facts is None:
            return []
        already = set(self.told)
        in_reaction = {f for f in self._told_in(reaction) if not f.startswith("topic:")} if reaction.strip() else set()
        already |= in_reaction
        # only what the reaction tells as news answers a question; a repeat leaves room for "like I said"
        return compose_answers(self, doc, grounding.matches, already, grounding.foreign, in_reaction - self.told)

    def _told_in(self, text: str) -> frozenset:
        """The fact ids (and ``topic:ID``) a mentee line tells, cached by line: her lines are authored
        or composed from authored parts, so a play parses each of them once, not on every reply. A
        composed line (:meth:`_compose`) tells what its parts tell: a stock uptake or frame adds
        nothing of the fact sheet, and the parts' facts are known without parsing the whole again."""
        from mentorkit.scenarios.grounding import told_facts
        parts = self._made_of.get(text)
        if parts is not None:
            return frozenset().union(*(self._told_in(p) for p in parts))
        key = (self.scenario.name, "all", text)
        got = _TOLD_CACHE.get(key)
        if got is None:
            if len(_TOLD_CACHE) > 20_000:
                _TOLD_CACHE.clear()
            got = _TOLD_CACHE[key] = frozenset(told_facts(self.scenario.facts, _parse(text)))
        return got

    def _learn(self, message: str) -> None:
        """Note the facts a mentee line tells, so a reflection can say them back (each part of a
        message is learnt on its own: the answers, the reaction, the ending)."""
        if message.strip() and self.scenario.facts is not None:
            self.told |= self._told_in(message)

    def abandon(self) -> None:
        """End an unfinished conversation (outcome ``unfinished``), e.g. a script that ran out."""
        if not self.done:
            self.outcome = "unfinished"
            self.finished_at = datetime.now(timezone.utc)

    # ------------------------------------------------------------ results
    def transcript(self) -> list[dict]:
        """The conversation so far, one dict per numbered line."""
        return [ln.to_dict() for ln in self.lines]

    def debrief(self):
        """The debrief of the conversation (see :mod:`mentorkit.scenarios.debrief`)."""
        from mentorkit.scenarios.debrief import build_debrief
        return build_debrief(self)

    def to_attempt(self, trainee: str):
        """The finished attempt, ready for :meth:`mentorkit.store.PracticeLog.record`."""
        from mentorkit.store import Attempt
        if not self.done:
            raise MentorkitError(f"scenario {self.scenario.name!r}: the conversation is not finished; "
                                 "reply until it ends or call abandon() first")
        d = self.debrief()
        return Attempt(
            trainee=trainee, scenario=self.scenario.name, rubric_version=self.scenario.rubric.version,
            seed=self.seed, outcome=self.outcome, score=d.score, tier=d.tier,
            criteria=[{"criterion": c.id, "rating": c.rating, "points": c.points, "weight": c.weight}
                      for c in d.criteria],
            transcript=self.transcript(), state=dict(self.state),
            started_at=self.started_at, finished_at=self.finished_at or datetime.now(timezone.utc),
        )

    def to_dict(self) -> dict:
        """Transcript, outcome, final state and debrief as plain data (what ``--format json`` prints)."""
        out = {"scenario": self.scenario.name, "title": self.scenario.title, "seed": self.seed,
               "preference": self.preference, "outcome": self.outcome,
               "state": {k: round(v, 3) for k, v in self.state.items()},
               "transcript": self.transcript()}
        if self.done:
            out["debrief"] = self.debrief().to_dict()
        return out
