"""Sample reply sets: where a scenario keeps them, reading them safely, playing and judging them.

A scenario's sample reply sets are written by someone other than its author (who
sees the context, persona, opening and turn focuses, never the rubric or the fact
sheet) and are the check that the rubric rewards substance. They live in a
``samples/`` folder beside the scenario file, in a file named after the scenario:

* shipped scenarios: ``mentorkit/scenarios/data/samples/NAME.yaml``;
* an organisation's scenario ``FOLDER/NAME.yaml``: ``FOLDER/samples/NAME.yaml``
  (the library never reads ``samples/`` as scenarios: only the folder's own files are).

The file holds ``scenario`` (the name), ``writer`` (who wrote the sets) and ``sets``:
``{strong: [[reply per turn, ...], ...], weak: ..., stuffed: ..., off_topic: ...}``
(one list of replies per conversation, one reply per turn). ``strong`` and ``weak``
are required; ``stuffed`` (the words a grader looks for, with little content) and
``off_topic`` (the right form about something else) are strongly advised. Shipped
scenarios carry at least three sets of all four kinds.

:func:`play_sets` plays each set (set *i* with seed *i*) through the one play function
(:func:`mentorkit.scenarios.play.play_replies`) and :data:`SAMPLE_BOUNDS` says what the
mean score of each kind must be: strong at least 80, weak at most 55, stuffed and
off-topic at most 45.

>>> from mentorkit.scenarios import load_scenario
>>> s = load_scenario("written_recap")
>>> samples_path(s).name, samples_path(s).parent.name
('written_recap.yaml', 'samples')
>>> sets, problems = read_samples(samples_path(s), s)
>>> problems, sorted(sets.sets) == sorted(SAMPLE_KINDS)
([], True)
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorkit.scenarios.yamlsafe import Marks, Problem, UnreadableFile, read_yaml

__all__ = ["SAMPLE_KINDS", "REQUIRED_KINDS", "SAMPLE_BOUNDS", "SampleSets", "KindPlay", "samples_path",
           "read_samples", "play_sets"]

#: the kinds of sample reply sets, in the order they are reported
SAMPLE_KINDS = ("strong", "weak", "stuffed", "off_topic")
#: the kinds every sample file must hold
REQUIRED_KINDS = ("strong", "weak")
#: the mean score each kind's sets must reach (lowest, highest)
SAMPLE_BOUNDS: dict[str, tuple[float, float]] = {
    "strong": (80.0, 100.0), "weak": (0.0, 55.0), "stuffed": (0.0, 45.0), "off_topic": (0.0, 45.0),
}


@dataclass
class SampleSets:
    """A scenario's sample file, read: who wrote it and its sets by kind."""
    path: str
    writer: str
    sets: dict[str, list[list[str]]]
    marks: Marks = field(default_factory=Marks, repr=False)

    def line(self, *path: Any) -> int:
        return self.marks.line(path)


@dataclass
class KindPlay:
    """Every set of one kind played: the scores (set order), their mean and the bound."""
    kind: str
    scores: list[float]
    outcomes: list[str | None]
    bounds: tuple[float, float] | None
    path: str = ""
    line: int = 1
    sessions: list[Any] = field(default_factory=list, repr=False)

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores) if self.scores else 0.0

    @property
    def ok(self) -> bool:
        return self.bounds is None or self.bounds[0] <= self.mean <= self.bounds[1]


def samples_path(scenario, folder: str | Path | None = None) -> Path:
    """Where the sample file of *scenario* is: ``samples/NAME.yaml`` beside its file (or in *folder*).

    Shipped scenarios use :data:`mentorkit.scenarios.SAMPLES_DIR`.
    """
    import mentorkit.scenarios as sc
    if folder is not None:
        return Path(folder) / "samples" / f"{scenario.name}.yaml"
    where = getattr(scenario, "path", None)
    if where and Path(where).resolve().parent == sc.DATA_DIR.resolve():
        return Path(sc.SAMPLES_DIR) / f"{scenario.name}.yaml"
    if not where or str(where).startswith("<"):
        return Path(sc.SAMPLES_DIR) / f"{scenario.name}.yaml"
    return Path(where).parent / "samples" / f"{scenario.name}.yaml"


def read_samples(path: str | Path, scenario, minimum: int = 1,
                 required: tuple[str, ...] = REQUIRED_KINDS) -> tuple[SampleSets | None, list[Problem]]:
    """Read the sample file at *path* for *scenario*; return the sets (None when broken) and every problem.

    Each kind present needs at least *minimum* sets; each set one non-empty reply per turn of
    *scenario*. Problems name the file, line and field (``sets.strong[2]``).
    """
    where = str(path)
    try:
        doc = read_yaml(path)
    except UnreadableFile as exc:
        return None, exc.problems
    problems = list(doc.problems)
    data, marks = doc.data, doc.marks

    def problem(fld: tuple, message: str) -> None:
        from mentorkit.scenarios.yamlsafe import dotted
        problems.append(Problem(where, marks.line(fld), dotted(fld), message))

    if not isinstance(data, dict):
        problem((), "expected a mapping with scenario, writer and sets")
        return None, problems
    if data.get("scenario") != scenario.name:
        problem(("scenario",), f"{data.get('scenario')!r} is not {scenario.name!r}; the file is for "
                               "another scenario")
    writer = data.get("writer")
    if not isinstance(writer, str) or not writer.strip():
        problem(("writer",), "name who wrote the sets (someone other than the scenario's author)")
    extra = sorted(set(data) - {"scenario", "writer", "sets"}, key=str)
    for key in extra:
        problem((key,), "unknown field; a sample file holds scenario, writer and sets")
    sets = data.get("sets")
    out: dict[str, list[list[str]]] = {}
    if not isinstance(sets, dict):
        problem(("sets",), f"expected a mapping of {', '.join(SAMPLE_KINDS)}")
        return None, problems
    for kind in sets:
        if kind not in SAMPLE_KINDS:
            problem(("sets", kind), f"unknown kind {kind!r}; use {', '.join(SAMPLE_KINDS)}")
    n_turns = len(scenario.turns)
    for kind in SAMPLE_KINDS:
        if kind not in sets:
            if kind in required:
                problem(("sets", kind), f"no {kind!r} sets; {' and '.join(required)} are required")
            continue
        value = sets[kind]
        if not isinstance(value, list) or len(value) < minimum:
            problem(("sets", kind), f"expected at least {minimum} reply set{'s' if minimum != 1 else ''}")
            continue
        good = []
        for i, replies in enumerate(value):
            if (not isinstance(replies, list) or len(replies) != n_turns
                    or not all(isinstance(r, str) and r.strip() for r in replies)):
                problem(("sets", kind, i), f"expected {n_turns} non-empty replies, one per turn")
                continue
            good.append([str(r) for r in replies])
        out[kind] = good
    if problems:
        return None, problems
    return SampleSets(where, writer.strip(), out, marks), []


def play_sets(scenario, sets: SampleSets, ahead: bool = True) -> list[KindPlay]:
    """Play every set of *sets* through *scenario* (set *i* with seed *i*) and judge each kind's mean.

    With *ahead*, every reply of every set (and every line the mentee can say) is parsed in one
    batch before the plays (:func:`mentorkit.scenarios.ahead.parse_ahead`); the scores are
    the same without it.
    """
    from mentorkit.scenarios.play import play_replies
    if ahead:
        from mentorkit.scenarios.ahead import parse_ahead
        parse_ahead([(scenario, [r for kind in sets.sets.values() for rs in kind for r in rs])])
    out = []
    for kind in SAMPLE_KINDS:
        if kind not in sets.sets:
            continue
        play = KindPlay(kind, [], [], SAMPLE_BOUNDS.get(kind), sets.path, sets.line("sets", kind))
        for i, replies in enumerate(sets.sets[kind]):
            session = play_replies(scenario, replies, seed=i)
            play.scores.append(session.debrief().score)
            play.outcomes.append(session.outcome)
            play.sessions.append(session)
        out.append(play)
    return out
