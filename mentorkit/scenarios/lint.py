"""Warnings for a scenario that loads but has parts that can never matter (see :mod:`mentorkit.scenarios.check`).

Each lint returns ``(path, message)`` pairs; the path is into the file, so the caller
can name the line. The state bounds follow the engine (:mod:`mentorkit.scenarios.engine`):
per reply, every finding's effect, the persona's own effect and the branch's effect,
each state clipped to 0..1.
"""
from __future__ import annotations

from mentorkit.scenarios.engine import EMPTY_COST
from mentorkit.scenarios.schema import STATE_KEYS, Condition, Scenario

__all__ = ["implies", "contradiction", "state_bounds", "lint_branches", "lint_outcomes", "lint_rubric",
           "lint_as_written", "lint_facts", "lint"]

#: the most a persona's own reaction moves the state in one reply (engine: warm +-0.05, direct +0.03/-0.05)
PERSONA_GAIN = {"trust": 0.05, "clarity": 0.03, "openness": 0.0}
PERSONA_LOSS = {"trust": -0.05, "clarity": -0.05, "openness": 0.0}
_EPS = 1e-9


def _has_words(c: Condition) -> bool:
    return c.words_min is not None or c.words_max is not None


def is_empty(c: Condition) -> bool:
    """True when the condition holds for every reply."""
    return not (c.all or c.any or c.none or c.min or c.max or _has_words(c) or c.preference)


def implies(later: Condition, earlier: Condition) -> bool:
    """True when every reply meeting *later* also meets *earlier* (so *earlier*, tried first, shadows it).

    >>> implies(Condition(all=("sbi.impact", "sbi.behavior")), Condition(any=("sbi.behavior",)))
    True
    >>> implies(Condition(any=("sbi.behavior", "sbi.impact")), Condition(any=("sbi.behavior",)))
    False
    """
    if not set(earlier.all) <= set(later.all) or not set(earlier.none) <= set(later.none):
        return False
    if earlier.any and not (set(later.all) & set(earlier.any) or (later.any and set(later.any) <= set(earlier.any))):
        return False
    for k, v in earlier.min.items():
        if later.min.get(k, 0.0) < v - _EPS:
            return False
    for k, v in earlier.max.items():
        if later.max.get(k, 1.0) > v + _EPS:
            return False
    if earlier.words_min is not None and (later.words_min or 0) < earlier.words_min:
        return False
    if earlier.words_max is not None and (later.words_max is None or later.words_max > earlier.words_max):
        return False
    return earlier.preference is None or earlier.preference == later.preference


def contradiction(c: Condition, preferences: set[str]) -> str | None:
    """Why no reply can meet *c*, or None.

    >>> contradiction(Condition(all=("sbi.impact",), none=("sbi.impact",)), {"direct"})
    "'sbi.impact' is both required (all) and excluded (none)"
    """
    both = [k for k in c.all if k in c.none]
    if both:
        return f"{both[0]!r} is both required (all) and excluded (none)"
    if c.any and set(c.any) <= set(c.none):
        return "every key of any is also excluded by none"
    if "empty" in c.all or (c.any and set(c.any) == {"empty"}):
        return "'empty' never reaches a branch: an empty reply is answered by on_empty"
    for k in STATE_KEYS:
        if k in c.min and k in c.max and c.min[k] > c.max[k] + _EPS:
            return f"min {k} {c.min[k]:g} is above max {k} {c.max[k]:g}"
    if c.words_min is not None and c.words_max is not None and c.words_min > c.words_max:
        return f"words_min {c.words_min} is above words_max {c.words_max}"
    if c.preference is not None and c.preference not in preferences:
        return f"the mentee's preference is never {c.preference!r} (persona: {', '.join(sorted(preferences))})"
    return None


def _preferences(s: Scenario) -> set[str]:
    pref = s.persona.feedback_preference
    return {"direct", "warm"} if pref == "ask" else {pref}


def state_bounds(s: Scenario) -> list[tuple[dict[str, float], dict[str, float]]]:
    """The least and most each state can be after reply k (k = 0 .. turns), before clipping errors.

    Index 0 is the starting state; index k the bounds after the k-th reply, over every
    possible reply (each finding's effect may or may not apply; any branch of the turn).
    """
    lo = dict(s.state)
    hi = dict(s.state)
    out = [(dict(lo), dict(hi))]
    for turn in s.turns:
        for k in STATE_KEYS:
            gain = sum(max(0.0, d.get(k, 0.0)) for d in s.effects.values()) + PERSONA_GAIN[k]
            loss = sum(min(0.0, d.get(k, 0.0)) for d in s.effects.values()) + PERSONA_LOSS[k]
            gain += max([0.0] + [b.effects.get(k, 0.0) for b in turn.branches])
            loss += min([0.0] + [b.effects.get(k, 0.0) for b in turn.branches])
            loss = min(loss, EMPTY_COST.get(k, 0.0))
            hi[k] = min(1.0, hi[k] + gain)
            lo[k] = max(0.0, lo[k] + loss)
        out.append((dict(lo), dict(hi)))
    return out


def _unreachable(c: Condition, lo: dict[str, float], hi: dict[str, float]) -> str | None:
    for k, v in c.min.items():
        if hi[k] < v - _EPS:
            return f"needs {k} at least {v:g}, but {k} can be at most {hi[k]:.2f} here"
    for k, v in c.max.items():
        if lo[k] > v + _EPS:
            return f"needs {k} at most {v:g}, but {k} is at least {lo[k]:.2f} here"
    return None


def lint_branches(s: Scenario) -> list[tuple[tuple, str]]:
    out = []
    prefs = _preferences(s)
    bounds = state_bounds(s)
    for i, turn in enumerate(s.turns):
        # a branch's state condition is read after this reply's effects: bounds after reply i+1
        lo, hi = bounds[i + 1]
        for j, b in enumerate(turn.branches[:-1]):
            path = ("turns", i, "branches", j, "if")
            why = contradiction(b.when, prefs) or _unreachable(b.when, lo, hi)
            if why:
                out.append((path, f"this branch can never fire: {why}"))
                continue
            for e, earlier in enumerate(turn.branches[:j]):
                if implies(b.when, earlier.when):
                    out.append((path, f"this branch can never fire: branch {e} comes first and holds "
                                      "for every reply this one holds for"))
                    break
        fallback = len(turn.branches) - 1
        for e, earlier in enumerate(turn.branches[:-1]):
            if is_empty(earlier.when):
                out.append((("turns", i, "branches", fallback),
                            f"the fallback can never fire: branch {e} has an empty condition and always holds"))
                break
    return out


def lint_outcomes(s: Scenario) -> list[tuple[tuple, str]]:
    out = []
    lo, hi = state_bounds(s)[-1]
    for name in ("resolved", "partly_resolved"):
        cond = s.outcome[name]
        why = _unreachable(cond, lo, hi)
        if why:
            out.append((("outcome", name), f"'{name}' can never be reached: {why} after the last turn"))
        elif cond.min or cond.max:
            always = all(lo[k] >= v - _EPS for k, v in cond.min.items()) and all(
                hi[k] <= v + _EPS for k, v in cond.max.items())
            if always:
                out.append((("outcome", name), f"'{name}' is reached by every conversation that lasts all "
                                               "turns, even one of weak replies: raise its thresholds"))
        else:
            out.append((("outcome", name), f"'{name}' has no threshold, so every conversation that lasts "
                                           "all turns reaches it"))
    return out


def lint_rubric(s: Scenario) -> list[tuple[tuple, str]]:
    out = []
    n = len(s.turns)
    for i, c in enumerate(s.rubric.criteria):
        path = ("rubric", "criteria", i)
        if i >= len(s.rubric.criteria):
            break
        both = [k for k in c.look_for if k in c.avoid]
        if both:
            out.append((path + ("look_for",), f"no conversation can rate this Good: it looks for and avoids "
                                              f"{both[0]!r}"))
        elif "empty" in c.look_for:
            out.append((path + ("look_for",), "no conversation can rate this Good: an empty reply earns no "
                                              "credit, so 'empty' is never counted"))
        elif c.look_for and min(1.0, n / c.times) < c.good_at - _EPS:
            out.append((path + ("times",), f"no conversation can rate this Good: it needs each key in {c.times} "
                                           f"replies but the scenario has {n} turns"))
    return out


def lint_as_written(s: Scenario, data: dict) -> list[tuple[tuple, str]]:
    """Placeholders in fields the engine shows as written (they would appear as ``{name}``)."""
    from mentorkit.scenarios.speech import PLACEHOLDER
    out = []
    for key in ("title", "summary"):
        value = data.get(key)
        if isinstance(value, str) and PLACEHOLDER.search(value):
            out.append(((key,), f"placeholders are not filled in here; the trainee would see "
                                f"{PLACEHOLDER.search(value).group(0)} as written"))
    for i, turn in enumerate(data.get("turns") or []):
        focus = turn.get("focus") if isinstance(turn, dict) else None
        if isinstance(focus, str) and PLACEHOLDER.search(focus):
            out.append((("turns", i, "focus"), "placeholders are not filled in in a hint; the trainee would see "
                                              f"{PLACEHOLDER.search(focus).group(0)} as written"))
    return out


def lint_facts(s: Scenario) -> list[tuple[tuple, str]]:
    """Facts that can never come up: on no topic (so the mentee never tells them) and referred to
    by no sample reply (so nothing shows a trainee can earn credit with them).

    Skipped when the scenario has no sample replies.
    """
    if s.facts is None or not s.examples:
        return []
    loose = [(i, f) for i, f in enumerate(s.facts.items) if not f.topics]
    if not loose:
        return []
    from mentorkit.nlp import parse_many
    from mentorkit.scenarios.facts import fact_index
    index = fact_index(s.facts)
    replies = [r for rs in s.examples.values() for r in rs if r.strip()]
    hit: set[str] = set()
    for doc in parse_many(replies):   # the parses the plays of these replies read
        hit.update(m.id for m in index.matches(doc) if m.kind == "fact")
    return [(("facts", "items", i), f"fact {f.id!r} is never used: it is on no topic, so the mentee never "
                                    "tells it, and no sample reply refers to it (add a topic, or check its words)")
            for i, f in loose if f.id not in hit]


def lint(s: Scenario, data: dict) -> list[tuple[tuple, str]]:
    """Every warning for the loaded scenario *s* (read from *data*)."""
    return lint_branches(s) + lint_outcomes(s) + lint_rubric(s) + lint_as_written(s, data) + lint_facts(s)
