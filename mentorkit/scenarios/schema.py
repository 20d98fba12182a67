"""The scenario file format, checked field by field when a file is loaded.

A scenario is a YAML mapping. Every problem found is reported with the file and
the dotted path of the field (``turns[2].branches[0].if.all[1]``), so an author
can fix a file without reading this module. The format:

.. code-block:: yaml

    name: tense_disagreement          # [a-z0-9_]+, unique; the file is NAME.yaml
    title: After a tense call
    family: hard_conversations        # groups scenarios into exercise notebooks
    summary: one or two sentences for the scenario list
    persona:
      name: Tomas
      role: Backend engineer, 8 months in
      time_zone: Lisbon (UTC+0)
      utc_offset: 0                   # hours; the mentor's is under mentor.utc_offset
      feedback_preference: direct     # direct | warm | ask (the seed picks, the mentee says)
      mood: guarded
    mentor: {role: Staff engineer, utc_offset: -5}
    context: what the trainee knows before the first message
    opening: the mentee's first message ({name}, {hours_ahead}, ... are filled in)
    skills: [four_step, intent_tone]  # detectors run on every reply, and scored
    state: {trust: 0.4, clarity: 0.3, openness: 0.3}
    effects:                          # state change when a finding is in a reply
      four_step.perspective: {openness: 0.15}
    rubric:
      version: "2026.1"
      criteria:
        - id: perspective
          title: Invites their perspective
          look_for: [four_step.perspective]
          avoid: [intent_tone.harsh]
          weight: 2
          good: ...; fair: ...; poor: ...
          keep: ...; start: ...; stop: ...
    turns:                            # 3 to 6; turn k reacts to the trainee's k-th reply
      - focus: hint shown to the trainee
        branches:
          - if: {all: [...], any: [...], none: [...], min: {trust: 0.5}}
            say: [variant, variant]   # one picked by the seeded generator
            effects: {trust: 0.05}
            end: stalled              # optional early ending
          - say: [...]                # the last branch has no condition
    outcome:                          # checked on the state after the last turn
      resolved: {min: {trust: 0.65, clarity: 0.55}}
      partly_resolved: {min: {trust: 0.45}}
    endings: {resolved: [...], partly_resolved: [...], stalled: [...]}
    on_empty: [what the mentee says to an empty reply]
    facts: {about: ..., occasions: [...], items: [...], topics: [...]}
                                      # the fact sheet (format: mentorkit.scenarios.facts)
    off_topic: [optional: what she says to a reply that leaves her situation]

A *finding key* is ``skill`` (the skill is shown) or ``skill.component`` (that
component is present), for the skills in :data:`COMPONENTS`, or one the engine
computes: ``question``, ``empty``, ``on_topic`` (the reply is about her situation)
and ``off_topic``. A finding counts only when grounded in the fact sheet (see
:mod:`mentorkit.scenarios.grounding`). Every rubric gets the criterion *Stays with the
mentee's situation* (``stays_with_situation``, rated on the share of replies that are
on topic; weight 2) unless it rates ``on_topic`` itself; ``share: true`` rates any
criterion that way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.facts import FactSheet, parse_facts
from mentorkit.skills.base import CATALOGUE

__all__ = [
    "COMPONENTS", "STATE_KEYS", "OUTCOMES", "PREFERENCES", "Persona", "Criterion",
    "Condition", "Branch", "Turn", "Rubric", "Scenario", "parse_scenario",
]

#: the detector components a scenario may name, per skill (the skills contract), from the skill catalogue
COMPONENTS: dict[str, tuple[str, ...]] = {name: s.components + s.flags for name, s in CATALOGUE.items()}
#: keys the engine itself computes from a reply, usable in conditions and rubrics
ENGINE_KEYS = ("question", "empty", "on_topic", "off_topic")
STATE_KEYS = ("trust", "clarity", "openness")
OUTCOMES = ("resolved", "partly_resolved", "stalled")
PREFERENCES = ("direct", "warm", "ask")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Persona:
    name: str
    role: str
    time_zone: str
    utc_offset: float
    feedback_preference: str
    mood: str


@dataclass(frozen=True)
class Condition:
    """When a branch applies: every part given must hold (an empty one always holds)."""
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    min: dict[str, float] = field(default_factory=dict)
    max: dict[str, float] = field(default_factory=dict)
    words_min: int | None = None
    words_max: int | None = None
    preference: str | None = None


@dataclass(frozen=True)
class Branch:
    when: Condition
    say: tuple[str, ...]
    effects: dict[str, float]
    end: str | None = None


@dataclass(frozen=True)
class Turn:
    focus: str
    branches: tuple[Branch, ...]


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    look_for: tuple[str, ...]
    avoid: tuple[str, ...]
    times: int
    weight: float
    good: str
    fair: str
    poor: str
    keep: str
    start: str
    stop: str
    good_at: float = 1.0
    fair_at: float = 0.5
    #: rated on the share of replies that show a look_for key (not on a count)
    share: bool = False


#: the criterion every rubric gets unless it rates ``on_topic`` itself
STAYS_WITH_SITUATION = dict(
    id="stays_with_situation", title="Stays with the mentee's situation", look_for=("on_topic",),
    avoid=(), times=1, weight=2.0, share=True, good_at=0.8, fair_at=0.5,
    good="Every reply was about her situation: what happened, what she said, what comes next.",
    fair="Some replies drifted away from her situation.",
    poor="The replies were not about her situation; she was left puzzled.",
    keep="Stay with what she brought: the occasion, her words, her next step",
    start="Tie each reply to her situation: name the occasion, what she did or said, and what comes next.",
    stop="Drop what has nothing to do with her situation; she cannot answer it",
)


@dataclass(frozen=True)
class Rubric:
    version: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Scenario:
    """One practice scenario, validated. Build with :func:`mentorkit.scenarios.load_scenario`."""
    name: str
    title: str
    family: str
    summary: str
    persona: Persona
    mentor_role: str
    mentor_utc_offset: float
    context: str
    opening: str
    skills: tuple[str, ...]
    state: dict[str, float]
    effects: dict[str, dict[str, float]]
    rubric: Rubric
    turns: tuple[Turn, ...]
    outcome: dict[str, Condition]
    endings: dict[str, tuple[str, ...]]
    on_empty: tuple[str, ...]
    path: str = ""
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    facts: FactSheet | None = None
    off_topic: tuple[str, ...] = ()

    @property
    def hours_ahead(self) -> float:
        """How many hours the mentee's clock is ahead of the mentor's (negative: behind)."""
        return self.persona.utc_offset - self.mentor_utc_offset

    def finding_keys(self) -> tuple[str, ...]:
        """Every finding key this scenario's detectors can produce."""
        keys = list(ENGINE_KEYS)
        for skill in self.skills:
            keys.append(skill)
            keys.extend(f"{skill}.{c}" for c in COMPONENTS[skill])
        return tuple(keys)


# ----------------------------------------------------------------- validation

class _Checker:
    """Collects the file name, so each error names the file and the field."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, path: str, problem: str):
        raise MentorkitError(f"{self.where}: field '{path}': {problem}")

    def mapping(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {type(value).__name__}")
        return value

    def require(self, data: dict, key: str, path: str) -> Any:
        if key not in data or data[key] is None:
            self.fail(f"{path}.{key}" if path else key, "is missing")
        return data[key]

    def no_extra(self, data: dict, allowed: set[str], path: str) -> None:
        extra = sorted(set(data) - allowed)
        if extra:
            where = f"{path}.{extra[0]}" if path else str(extra[0])
            self.fail(where, f"unknown field; allowed here: {', '.join(sorted(allowed))}")

    def text(self, data: dict, key: str, path: str, default: str | None = None) -> str:
        full = f"{path}.{key}" if path else key
        if key not in data or data[key] is None:
            if default is not None:
                return default
            self.fail(full, "is missing")
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(full, f"expected non-empty text, got {value!r}")
        return value.strip()

    def number(self, value: Any, path: str, lo: float | None = None, hi: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected a number, got {value!r}")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.fail(path, f"{value!r} is outside {lo}..{hi}")
        return float(value)

    def texts(self, value: Any, path: str, min_len: int = 1) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or len(value) < min_len:
            self.fail(path, f"expected a list of at least {min_len} text(s)")
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{path}[{i}]", f"expected non-empty text, got {item!r}")
            out.append(item.strip())
        return tuple(out)

    def keys(self, value: Any, path: str, known: tuple[str, ...]) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(path, "expected a list of finding keys")
        for i, key in enumerate(value):
            if key not in known:
                self.fail(f"{path}[{i}]", f"unknown finding {key!r}; this scenario's skills give: "
                                          f"{', '.join(known)}")
        return tuple(value)

    def state_map(self, value: Any, path: str, lo: float, hi: float) -> dict[str, float]:
        value = self.mapping(value, path)
        out = {}
        for key, num in value.items():
            if key not in STATE_KEYS:
                self.fail(f"{path}.{key}", f"unknown state; use one of {', '.join(STATE_KEYS)}")
            out[key] = self.number(num, f"{path}.{key}", lo, hi)
        return out


def _condition(c: _Checker, raw: Any, path: str, known: tuple[str, ...]) -> Condition:
    raw = c.mapping(raw, path)
    c.no_extra(raw, {"all", "any", "none", "min", "max", "words_min", "words_max", "preference"}, path)
    pref = raw.get("preference")
    if pref is not None and pref not in ("direct", "warm"):
        c.fail(f"{path}.preference", f"{pref!r} is not one of direct, warm")
    words = {}
    for key in ("words_min", "words_max"):
        if key in raw:
            words[key] = int(c.number(raw[key], f"{path}.{key}", 0, 10_000))
    return Condition(
        all=c.keys(raw.get("all", []), f"{path}.all", known),
        any=c.keys(raw.get("any", []), f"{path}.any", known),
        none=c.keys(raw.get("none", []), f"{path}.none", known),
        min=c.state_map(raw.get("min", {}), f"{path}.min", 0, 1),
        max=c.state_map(raw.get("max", {}), f"{path}.max", 0, 1),
        preference=pref, **words,
    )


def _criterion(c: _Checker, raw: Any, path: str, known: tuple[str, ...]) -> Criterion:
    raw = c.mapping(raw, path)
    allowed = {"id", "title", "look_for", "avoid", "times", "weight", "good", "fair", "poor",
               "keep", "start", "stop", "good_at", "fair_at", "share"}
    c.no_extra(raw, allowed, path)
    cid = c.text(raw, "id", path)
    if not _NAME.match(cid):
        c.fail(f"{path}.id", f"{cid!r} must be lower-case letters, digits and _")
    look_for = c.keys(raw.get("look_for", []), f"{path}.look_for", known)
    avoid = c.keys(raw.get("avoid", []), f"{path}.avoid", known)
    if not look_for and not avoid:
        c.fail(path, "a criterion needs look_for, avoid or both")
    good_at = c.number(raw.get("good_at", 1.0), f"{path}.good_at", 0, 1)
    fair_at = c.number(raw.get("fair_at", 0.5), f"{path}.fair_at", 0, 1)
    if fair_at > good_at:
        c.fail(f"{path}.fair_at", f"{fair_at} is above good_at {good_at}")
    title = c.text(raw, "title", path)
    good = c.text(raw, "good", path)
    return Criterion(
        id=cid, title=title, look_for=look_for, avoid=avoid,
        times=int(c.number(raw.get("times", 1), f"{path}.times", 1, 10)),
        weight=c.number(c.require(raw, "weight", path), f"{path}.weight", 0.1, 100),
        good=good, fair=c.text(raw, "fair", path), poor=c.text(raw, "poor", path),
        keep=c.text(raw, "keep", path, default=title),
        start=c.text(raw, "start", path, default=good),
        stop=c.text(raw, "stop", path, default=f"Avoid what undercuts this: {title.lower()}"),
        good_at=good_at, fair_at=fair_at, share=bool(raw.get("share", False)),
    )


def _branch(c: _Checker, raw: Any, path: str, known: tuple[str, ...], last: bool) -> Branch:
    raw = c.mapping(raw, path)
    c.no_extra(raw, {"if", "say", "effects", "end"}, path)
    if last and "if" in raw:
        c.fail(f"{path}.if", "the last branch of a turn is the fallback and takes no condition")
    if not last and "if" not in raw:
        c.fail(f"{path}.if", "is missing (only the last branch may have no condition)")
    end = raw.get("end")
    if end is not None and end not in OUTCOMES:
        c.fail(f"{path}.end", f"{end!r} is not one of {', '.join(OUTCOMES)}")
    say = c.texts(raw["say"], f"{path}.say") if raw.get("say") is not None else ()
    return Branch(
        when=_condition(c, raw.get("if", {}), f"{path}.if", known),
        say=say,
        effects=c.state_map(raw.get("effects", {}), f"{path}.effects", -1, 1),
        end=end,
    )


def parse_scenario(data: Any, where: str) -> Scenario:
    """Validate the mapping *data* read from file *where*; return a :class:`Scenario`.

    Raises :class:`~mentorkit.errors.MentorkitError` naming *where* and the field.

    >>> parse_scenario({"name": "x"}, "x.yaml")
    Traceback (most recent call last):
    ...
    mentorkit.errors.MentorkitError: x.yaml: field 'title': is missing
    """
    c = _Checker(where)
    data = c.mapping(data, "(top level)")
    allowed = {"name", "title", "family", "summary", "persona", "mentor", "context", "opening",
               "skills", "state", "effects", "rubric", "turns", "outcome", "endings", "on_empty",
               "examples", "facts", "off_topic"}
    name = c.text(data, "name", "")
    if not _NAME.match(name):
        c.fail("name", f"{name!r} must be lower-case letters, digits and _")
    title = c.text(data, "title", "")
    family = c.text(data, "family", "")
    if not _NAME.match(family):
        c.fail("family", f"{family!r} must be lower-case letters, digits and _")
    c.no_extra(data, allowed, "")

    p = c.mapping(c.require(data, "persona", ""), "persona")
    c.no_extra(p, {"name", "role", "time_zone", "utc_offset", "feedback_preference", "mood"}, "persona")
    pref = c.text(p, "feedback_preference", "persona")
    if pref not in PREFERENCES:
        c.fail("persona.feedback_preference", f"{pref!r} is not one of {', '.join(PREFERENCES)}")
    persona = Persona(
        name=c.text(p, "name", "persona"), role=c.text(p, "role", "persona"),
        time_zone=c.text(p, "time_zone", "persona"),
        utc_offset=c.number(c.require(p, "utc_offset", "persona"), "persona.utc_offset", -12, 14),
        feedback_preference=pref, mood=c.text(p, "mood", "persona"),
    )
    m = c.mapping(c.require(data, "mentor", ""), "mentor")
    c.no_extra(m, {"role", "utc_offset"}, "mentor")

    skills_raw = c.require(data, "skills", "")
    if not isinstance(skills_raw, list) or not skills_raw:
        c.fail("skills", "expected a non-empty list of skills")
    for i, skill in enumerate(skills_raw):
        if skill not in COMPONENTS:
            c.fail(f"skills[{i}]", f"unknown skill {skill!r}; known: {', '.join(COMPONENTS)}")
    skills = tuple(dict.fromkeys(skills_raw))
    known: tuple[str, ...] = tuple(ENGINE_KEYS) + tuple(
        k for s in skills for k in (s, *(f"{s}.{comp}" for comp in COMPONENTS[s])))

    state = c.state_map(c.require(data, "state", ""), "state", 0, 1)
    for key in STATE_KEYS:
        if key not in state:
            c.fail(f"state.{key}", "is missing")
    effects_raw = c.mapping(data.get("effects", {}), "effects")
    effects = {}
    for key, deltas in effects_raw.items():
        if key not in known:
            c.fail(f"effects.{key}", f"unknown finding {key!r}; this scenario's skills give: {', '.join(known)}")
        effects[key] = c.state_map(deltas, f"effects.{key}", -1, 1)

    r = c.mapping(c.require(data, "rubric", ""), "rubric")
    c.no_extra(r, {"version", "criteria"}, "rubric")
    version = c.require(r, "version", "rubric")
    if not isinstance(version, (str, int, float)) or not str(version).strip():
        c.fail("rubric.version", f"expected a version string, got {version!r}")
    crit_raw = c.require(r, "criteria", "rubric")
    if not isinstance(crit_raw, list) or not crit_raw:
        c.fail("rubric.criteria", "expected a non-empty list of criteria")
    criteria = tuple(_criterion(c, item, f"rubric.criteria[{i}]", known) for i, item in enumerate(crit_raw))
    if not any("on_topic" in cr.look_for for cr in criteria):
        criteria = criteria + (Criterion(**STAYS_WITH_SITUATION),)
    ids = [cr.id for cr in criteria]
    for i, cid in enumerate(ids):
        if ids.index(cid) != i:
            c.fail(f"rubric.criteria[{i}].id", f"duplicate id {cid!r}")

    turns_raw = c.require(data, "turns", "")
    if not isinstance(turns_raw, list) or not 3 <= len(turns_raw) <= 6:
        c.fail("turns", f"expected 3 to 6 turns, got {len(turns_raw) if isinstance(turns_raw, list) else turns_raw!r}")
    turns = []
    for i, t in enumerate(turns_raw):
        path = f"turns[{i}]"
        t = c.mapping(t, path)
        c.no_extra(t, {"focus", "branches"}, path)
        br = c.require(t, "branches", path)
        if not isinstance(br, list) or not br:
            c.fail(f"{path}.branches", "expected a non-empty list of branches")
        branches = tuple(_branch(c, b, f"{path}.branches[{j}]", known, last=(j == len(br) - 1))
                         for j, b in enumerate(br))
        if i < len(turns_raw) - 1:
            for j, b in enumerate(branches):
                if not b.say:
                    c.fail(f"{path}.branches[{j}].say", "is missing (only the last turn may leave it out)")
        turns.append(Turn(focus=c.text(t, "focus", path), branches=branches))

    o = c.mapping(c.require(data, "outcome", ""), "outcome")
    c.no_extra(o, {"resolved", "partly_resolved"}, "outcome")
    outcome = {}
    for k in ("resolved", "partly_resolved"):
        raw_cond = c.mapping(c.require(o, k, "outcome"), f"outcome.{k}")
        c.no_extra(raw_cond, {"min", "max"}, f"outcome.{k}")
        outcome[k] = _condition(c, raw_cond, f"outcome.{k}", known)
    e = c.mapping(c.require(data, "endings", ""), "endings")
    c.no_extra(e, set(OUTCOMES), "endings")
    endings = {k: c.texts(c.require(e, k, "endings"), f"endings.{k}") for k in OUTCOMES}

    ex = c.mapping(data.get("examples", {}), "examples")
    c.no_extra(ex, {"strong", "weak"}, "examples")
    examples = {k: c.texts(v, f"examples.{k}") for k, v in ex.items()}

    facts = parse_facts(c, c.require(data, "facts", ""), "facts")
    off_topic = c.texts(data["off_topic"], "off_topic") if data.get("off_topic") is not None else ()

    return Scenario(
        name=name, title=title, family=family, summary=c.text(data, "summary", ""),
        persona=persona, mentor_role=c.text(m, "role", "mentor"),
        mentor_utc_offset=c.number(c.require(m, "utc_offset", "mentor"), "mentor.utc_offset", -12, 14),
        context=c.text(data, "context", ""), opening=c.text(data, "opening", ""), skills=skills,
        state=state, effects=effects, rubric=Rubric(version=str(version).strip(), criteria=criteria),
        turns=tuple(turns), outcome=outcome, endings=endings,
        on_empty=c.texts(c.require(data, "on_empty", ""), "on_empty"),
        path=where, examples=examples, facts=facts, off_topic=off_topic,
    )
