"""The scenario file format as a pydantic model: every problem at once, and the JSON Schema.

:mod:`mentorkit.scenarios.schema` builds the engine's :class:`~mentorkit.scenarios.schema.Scenario`
from a file and stays the authority on what loads. This model describes the same
format field by field (type, range, choices, a description for each) so that

* :func:`validate` reports *every* problem of a file in one pass (pydantic collects
  them; :mod:`mentorkit.scenarios.check` maps each to its YAML line), and
* :func:`json_schema` gives the JSON Schema shipped as
  ``mentorkit/scenarios/scenario.schema.json`` for editors' YAML language servers.

Tests keep the two in step: every shipped file passes both, each field set here is the
set the loader accepts, and a table of broken files is refused by both at the same field.

Finding keys are checked against the scenario's own ``skills`` (passed in the
validation context). British and American spellings of skill and component names
(``behaviour`` / ``behavior``, ``judgment`` / ``judgement``) are both accepted:
:func:`normalise_spelling` rewrites them to the catalogue's spelling before validation.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError,
                      ValidationInfo, model_validator)

from mentorkit.scenarios.facts import KINDS
from mentorkit.scenarios.schema import COMPONENTS, ENGINE_KEYS, OUTCOMES, PREFERENCES, STATE_KEYS
from mentorkit.scenarios.spelling import ALL_KEYS
from mentorkit.scenarios.yamlsafe import parse_path

__all__ = ["SCHEMA_PATH", "ScenarioFile", "known_keys", "validate", "json_schema", "write_json_schema"]

SCHEMA_PATH = Path(__file__).parent / "scenario.schema.json"
_NAME_RE = r"^[a-z][a-z0-9_]*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Name = Annotated[str, StringConstraints(pattern=_NAME_RE)]
Texts = Union[Text, Annotated[list[Text], Field(min_length=1)]]
StateKey = Literal["trust", "clarity", "openness"]
Level = Annotated[float, Field(ge=0, le=1)]
Delta = Annotated[float, Field(ge=-1, le=1)]
assert tuple(StateKey.__args__) == STATE_KEYS  # the loader's state keys, in its order


def known_keys(skills: list[str]) -> tuple[str, ...]:
    """The finding keys a scenario with *skills* can produce (engine keys first).

    >>> known_keys(["boundaries"])
    ('question', 'empty', 'on_topic', 'off_topic', 'boundaries', 'boundaries.availability_window', 'boundaries.response_time')
    """
    return tuple(ENGINE_KEYS) + tuple(k for s in dict.fromkeys(skills) if s in COMPONENTS
                                      for k in (s, *(f"{s}.{c}" for c in COMPONENTS[s])))


def _check_key(key: str, info: ValidationInfo) -> str:
    known = (info.context or {}).get("known", ALL_KEYS)
    if key not in known:
        close = difflib.get_close_matches(str(key), known, n=2, cutoff=0.6)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(f"unknown finding {key!r}.{hint} This scenario's skills give: {', '.join(known)}"
                         " (British and American spellings are both accepted)")
    return key


#: a finding key: ``skill``, ``skill.component`` or an engine key, known to the scenario's skills
FindingKey = Annotated[str, AfterValidator(_check_key), Field(json_schema_extra={"enum": list(ALL_KEYS)})]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Persona(_Strict):
    """Who the simulated mentee is; shown to the trainee above the chat."""
    name: Text = Field(description="The mentee's first name; fills {name} in her lines.")
    role: Text = Field(description="Her role and tenure, e.g. 'Backend engineer, 8 months in'; fills {role}.")
    time_zone: Text = Field(description="Where she works, e.g. 'Lisbon (UTC+0)'; fills {time_zone}.")
    utc_offset: float = Field(ge=-12, le=14, description="Her UTC offset in hours; with mentor.utc_offset "
                                                          "it gives {hours_ahead}.")
    feedback_preference: Literal[PREFERENCES] = Field(
        description="How she likes feedback: direct (short replies gain clarity, very long ones lose it), "
                    "warm (stated intent or supportive wording gains trust, its absence costs trust) or ask "
                    "(the seed picks one and the trainee is expected to ask).")
    mood: Text = Field(description="Her mood at the start, shown in the brief.")


class Mentor(_Strict):
    """The trainee's side of the conversation."""
    role: Text = Field(description="The trainee's role in the scenario; fills {mentor_role}.")
    utc_offset: float = Field(ge=-12, le=14, description="The trainee's UTC offset in hours.")


class State(_Strict):
    """The mentee's starting state, each 0..1; replies move it, and the outcome is read from it."""
    trust: Level = Field(description="How safe she feels with the trainee.")
    clarity: Level = Field(description="How clear the point and the next step are to her.")
    openness: Level = Field(description="How much she is willing to share.")


class Condition(_Strict):
    """When a branch applies: every part given must hold; an empty condition always holds."""
    all: list[FindingKey] = Field(default_factory=list, description="Findings that must all be in the reply.")
    any: list[FindingKey] = Field(default_factory=list, description="At least one of these findings.")
    none: list[FindingKey] = Field(default_factory=list, description="None of these findings.")
    min: dict[StateKey, Level] = Field(default_factory=dict, description="State at least this, after the "
                                                                         "reply's effects.")
    max: dict[StateKey, Level] = Field(default_factory=dict, description="State at most this.")
    words_min: int | None = Field(None, ge=0, le=10_000, description="The reply has at least this many words.")
    words_max: int | None = Field(None, ge=0, le=10_000, description="The reply has at most this many words.")
    preference: Literal["direct", "warm"] | None = Field(
        None, description="The mentee's feedback preference in this conversation (for a persona who 'ask's, "
                          "the one the seed picked).")


class OutcomeCondition(_Strict):
    """A state threshold checked after the last turn."""
    min: dict[StateKey, Level] = Field(default_factory=dict, description="State at least this.")
    max: dict[StateKey, Level] = Field(default_factory=dict, description="State at most this.")


class Branch(_Strict):
    """One possible reaction of the mentee; the first whose condition holds is used."""
    if_: Condition | None = Field(None, alias="if", description="When this branch applies. The last branch "
                                                               "of a turn is the fallback and has no condition.")
    say: Texts | None = Field(None, description="What she says: one text or variants (the seed picks one). "
                                                "Only the last turn may leave it out.")
    effects: dict[StateKey, Delta] = Field(default_factory=dict, description="State change when this branch "
                                                                            "is taken, -1..1 each.")
    end: Literal[OUTCOMES] | None = Field(None, description="End the conversation here with this outcome.")


class Turn(_Strict):
    """The mentee's reaction to the trainee's k-th reply."""
    focus: Text = Field(description="The hint shown to the trainee for this reply.")
    branches: list[Branch] = Field(min_length=1, description="Tried in order; the last is the fallback.")

    @model_validator(mode="after")
    def _fallback_last(self):
        for j, b in enumerate(self.branches):
            last = j == len(self.branches) - 1
            if last and b.if_ is not None:
                raise ValueError(f"branches[{j}].if: the last branch of a turn is the fallback and takes no condition")
            if not last and b.if_ is None:
                raise ValueError(f"branches[{j}].if: is missing (only the last branch may have no condition)")
        return self


class Criterion(_Strict):
    """One line of the rubric: what the debrief rates Good, Fair or Poor."""
    id: Name = Field(description="Unique within the rubric; lower-case letters, digits and _.")
    title: Text = Field(description="Shown in the debrief.")
    look_for: list[FindingKey] = Field(default_factory=list, description="Findings that earn the criterion; "
                                       "coverage = replies showing each / times, averaged over the keys.")
    avoid: list[FindingKey] = Field(default_factory=list, description="Findings that count against it: each "
                                    "reply showing one takes 0.5 off.")
    times: int = Field(1, ge=1, le=10, description="How many replies must show each look_for key for full "
                                                  "coverage.")
    weight: float = Field(ge=0.1, le=100, description="Its share of the overall score (weight / sum of weights).")
    good: Text = Field(description="The debrief's line when rated Good.")
    fair: Text = Field(description="The debrief's line when rated Fair.")
    poor: Text = Field(description="The debrief's line when rated Poor.")
    keep: Text | None = Field(None, description="Keep advice when Good (default: the title).")
    start: Text | None = Field(None, description="Start advice when something is missing (default: good).")
    stop: Text | None = Field(None, description="Stop advice when an avoid key was shown.")
    good_at: Level = Field(1.0, description="Points (coverage - 0.5 x violations) needed for Good.")
    fair_at: Level = Field(0.5, description="Points needed for Fair; not above good_at.")
    share: bool = Field(False, description="Rate on the share of replies that show a look_for key, not on "
                                           "a count (the stays-with-the-situation criterion works this way).")

    @model_validator(mode="after")
    def _consistent(self):
        if not self.look_for and not self.avoid:
            raise ValueError("a criterion needs look_for, avoid or both")
        if self.fair_at > self.good_at:
            raise ValueError(f"fair_at {self.fair_at} is above good_at {self.good_at}")
        return self


class Rubric(_Strict):
    """How the debrief scores the conversation; the version is recorded with every attempt."""
    version: Union[Text, int, float] = Field(description="Recorded in the practice log with each attempt; "
                                                         "change it when the criteria change.")
    criteria: list[Criterion] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen: set[str] = set()
        for i, c in enumerate(self.criteria):
            if c.id in seen:
                raise ValueError(f"criteria[{i}].id: duplicate id {c.id!r}")
            seen.add(c.id)
        return self


class Outcome(_Strict):
    """How the conversation ends after the last turn: resolved if its condition holds, else partly
    resolved if that holds, else stalled."""
    resolved: OutcomeCondition
    partly_resolved: OutcomeCondition


class Endings(_Strict):
    """What the mentee says last, per outcome."""
    resolved: Texts
    partly_resolved: Texts
    stalled: Texts


class Examples(_Strict):
    """Sample replies, one per turn: strong ones should score high, weak ones low (scenario check plays them)."""
    strong: Texts | None = None
    weak: Texts | None = None


class Occasion(_Strict):
    """An occasion that really happened; a reply that names it with another time is a factual slip."""
    id: Name = Field(description="Unique among the occasions.")
    when: Texts = Field(description="Words for when it happened, e.g. [this morning, today].")
    where: Texts = Field(description="Words for the event or place, e.g. [review call, client call].")
    who: Texts | None = Field(None, description="Who was there.")


class Fact(_Strict):
    """One fact of the sheet: the mentee answers from it, and the debrief credits replies that refer to it."""
    id: Name = Field(description="Unique among the facts.")
    kind: Literal[KINDS] = Field(description="action (she did or did not do), result (what it led to), number, "
                                             "feeling, worry, goal, background, or option (a way forward; says "
                                             "is her response when the trainee proposes it).")
    occasion: str | None = Field(None, description="The occasion it belongs to (an occasion id).")
    says: Text = Field(description="How the mentee tells it, in the first person.")
    short: Text | None = Field(None, description="Her answer to a yes/no question about it.")
    words: Texts = Field(description="Words and synonyms that refer to this fact in a reply (matched on "
                                     "lemmas, in any order within a sentence).")
    topics: Texts | None = Field(None, description="Topic ids: a question on the topic brings the fact out.")
    hidden: bool = Field(False, description="True: she tells it only when asked about one of its topics.")


class Topic(_Strict):
    """Something the trainee may ask about."""
    id: Name = Field(description="Unique among the topics.")
    words: Texts = Field(description="Words that put a reply on this topic.")


class Facts(_Strict):
    """The fact sheet: what really happened, what she feels and wants, what she tells only when asked."""
    about: Text = Field(description="What the talk is about, in her words; she steers back to it after an "
                                    "off-topic reply.")
    occasions: list[Occasion] = Field(min_length=1)
    items: list[Fact] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self):
        problems = []
        for section in ("occasions", "items", "topics"):
            seen: dict[str, int] = {}
            for i, entry in enumerate(getattr(self, section)):
                if entry.id in seen:
                    problems.append(f"{section}[{i}].id: duplicate id {entry.id!r} (already used at "
                                    f"facts.{section}[{seen[entry.id]}].id)")
                seen.setdefault(entry.id, i)
        occasions = {o.id for o in self.occasions}
        topics = {t.id for t in self.topics}
        for i, fact in enumerate(self.items):
            if fact.occasion is not None and fact.occasion not in occasions:
                problems.append(f"items[{i}].occasion: unknown occasion {fact.occasion!r}; the sheet's "
                                f"occasions: {', '.join(sorted(occasions))}")
            tops = [fact.topics] if isinstance(fact.topics, str) else (fact.topics or [])
            for j, t in enumerate(tops):
                if t not in topics:
                    problems.append(f"items[{i}].topics[{j}]: unknown topic {t!r}; the sheet's topics: "
                                    f"{', '.join(sorted(topics))}")
            if fact.hidden and not tops:
                problems.append(f"items[{i}].topics: a hidden fact is told only when its topic is asked "
                                "about, so it needs a topic")
        if problems:
            raise ValueError(" | ".join(problems))
        return self


class ScenarioFile(_Strict):
    """A mentorkit practice scenario (one YAML file)."""
    name: Name = Field(description="Unique; the file is NAME.yaml; how the scenario is played by name.")
    title: Text = Field(description="Shown in pickers and the debrief.")
    family: Name = Field(description="Groups scenarios into one exercise notebook, e.g. hard_conversations.")
    summary: Text = Field(description="One or two sentences for the scenario list.")
    persona: Persona
    mentor: Mentor
    context: Text = Field(description="What the trainee knows before the first message.")
    opening: Text = Field(description="The mentee's first message (placeholders are filled in).")
    skills: list[Literal[tuple(COMPONENTS)]] = Field(min_length=1, description="Detectors run on every reply; "
                                                     "their findings drive effects, branches and the rubric.")
    state: State
    effects: dict[FindingKey, dict[StateKey, Delta]] = Field(
        default_factory=dict, description="State change each time a finding is in a reply, before the branch.")
    rubric: Rubric
    turns: list[Turn] = Field(min_length=3, max_length=6, description="3 to 6; turn k reacts to reply k.")
    outcome: Outcome
    endings: Endings
    on_empty: Texts = Field(description="What she says to an empty reply (costs a little trust; three in a row "
                                        "end the conversation as stalled).")
    examples: Examples | None = None
    facts: Facts = Field(description="The fact sheet the mentee answers from and the debrief credits against "
                                     "(see mentorkit.scenarios.facts).")
    off_topic: Texts | None = Field(None, description="What she says to a reply that leaves her situation "
                                                      "(default: the engine's own lines).")

    @model_validator(mode="after")
    def _say_until_last(self):
        for i, t in enumerate(self.turns[:-1]):
            for j, b in enumerate(t.branches):
                if b.say is None:
                    raise ValueError(f"turns[{i}].branches[{j}].say: is missing (only the last turn may leave it out)")
        return self


def _message(err: dict) -> str:
    kind, msg = err.get("type", ""), err.get("msg", "")
    if kind == "missing":
        return "is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "too_short":
        return f"expected at least {err.get('ctx', {}).get('min_length', 1)} item(s), got {len(err.get('input') or [])}"
    if kind == "too_long":
        return f"expected at most {err.get('ctx', {}).get('max_length')} items, got {len(err.get('input') or [])}"
    if kind in ("literal_error", "enum"):
        return f"{err.get('input')!r} is not one of {msg.split('Input should be ', 1)[-1]}"
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    if msg.startswith("Assertion failed, "):
        return msg[len("Assertion failed, "):]
    return f"{msg[0].lower() + msg[1:] if msg else kind}, got {err.get('input')!r}"


def _loc(loc: tuple) -> tuple:
    """A pydantic location as a path into the file (aliases, union branches dropped)."""
    out = []
    for part in loc:
        if part == "if_":
            part = "if"
        if isinstance(part, str) and (part.startswith(("list[", "str", "constrained-str", "function-", "literal["))
                                      or part in ("int", "float", "Text", "[key]")):
            continue
        out.append(part)
    return tuple(out)


#: sub-fields a model check may name at the start of its message
_SUB_FIELDS = ("branches", "criteria", "turns", "occasions", "items", "topics")


def validate(data: Any) -> list[tuple[tuple, str]]:
    """Every problem pydantic finds in scenario *data*: ``(path, message)`` pairs, path into the file.

    >>> validate({"name": "x"})[:2]
    [(('title',), 'is missing'), (('family',), 'is missing')]
    """
    if not isinstance(data, dict):
        return [((), f"expected a mapping of fields, got {type(data).__name__}")]
    skills = data.get("skills") if isinstance(data.get("skills"), list) else []
    known = known_keys([s for s in skills if isinstance(s, str)])
    try:
        ScenarioFile.model_validate(data, context={"known": known})
    except ValidationError as exc:
        by_path: dict[tuple, list[tuple[bool, str]]] = {}
        for err in exc.errors(include_url=False):
            base = _loc(err["loc"])
            # a text-or-list field fails both ways; keep the one that fits what was written
            fits = any(isinstance(p, str) and p.startswith("list[") for p in err["loc"]) == isinstance(
                err.get("input"), list)
            for message in _message(err).split(" | "):
                path = base
                head = message.split(": ", 1)[0]
                if ": " in message and head.split("[")[0] in _SUB_FIELDS:
                    # a model check naming a sub-field: 'branches[2].if: ...'
                    message = message.split(": ", 1)[1]
                    path = (base if head.split("[")[0] != "turns" else ()) + parse_path(head)
                by_path.setdefault(path, []).append((fits, message))
        out = []
        for path, found in by_path.items():
            best = [m for fits, m in found if fits] or [m for _, m in found]
            out.extend((path, m) for m in dict.fromkeys(best))
        return out
    return []


def json_schema() -> dict:
    """The JSON Schema of a scenario file (draft 2020-12), as shipped in :data:`SCHEMA_PATH`."""
    schema = ScenarioFile.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: str | Path = SCHEMA_PATH) -> Path:
    """Write :func:`json_schema` to *path* (default the shipped file)."""
    p = Path(path)
    p.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return p
