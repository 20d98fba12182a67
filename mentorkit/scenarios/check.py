"""Checking a scenario file: every problem at once, each with its line, then lints and sample plays.

:func:`load_checked` reads a file with the safe reader (:mod:`~mentorkit.scenarios.yamlsafe`),
validates it against the format model (:mod:`~mentorkit.scenarios.model`, which reports every
problem in one pass) and the loader (:func:`mentorkit.scenarios.schema.parse_scenario`, the
authority on what loads), and returns the scenario (or None) with the
:class:`~mentorkit.scenarios.yamlsafe.Problem` list, each printed ``FILE:LINE: field: message``.

:func:`check_file` (what ``mentorkit scenario check`` runs) adds *warnings* for parts of a
loadable file that can never matter, and plays the file's own sample replies:

* a branch that can never fire: shadowed by an earlier branch whose condition every reply
  meeting its own also meets; a condition that contradicts itself (a key both required and
  excluded, min above max, words_min above words_max); ``empty`` as a condition (an empty
  reply is answered by ``on_empty``, never by a branch); a preference the persona never has;
  a state threshold above the most (or below the least) the state can reach by that turn;
* an outcome that cannot be reached, or that is reached even by the worst conversation;
* an unknown placeholder (an error, each one named), or a placeholder in a field that is
  shown as written (``title``, ``summary``, a turn's ``focus``);
* a rubric criterion no conversation can rate Good (it needs a key more often than there
  are turns, or looks for and avoids the same key, or looks for ``empty``);
* the author's own example replies (``examples`` in the file): *strong* must score at least 80,
  *weak* at most 55;
* the scenario's sample reply sets, written by someone other than its author and kept in
  ``samples/NAME.yaml`` beside the file (:mod:`mentorkit.scenarios.samples`): the mean of
  each kind must be at least 80 for *strong*, at most 55 for *weak* and at most 45 for
  *stuffed* and *off_topic*, otherwise the rubric rewards the wrong replies (errors, at the
  sample file's line). A scenario without a sample file gets a warning.

Every play goes through the one play function, :func:`mentorkit.scenarios.play.play_replies`.

State bounds are sound but loose: each reply may add every positive effect at once, so an
"unreachable" warning is certain, and no warning does not promise the state is reachable.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.samples import SAMPLE_BOUNDS, KindPlay
from mentorkit.scenarios.schema import Scenario
from mentorkit.scenarios.yamlsafe import (Problem, UnreadableFile, YamlDocument, dotted, parse_path, read_yaml,
                                          read_yaml_text)

__all__ = ["SAMPLE_BOUNDS", "SamplePlay", "CheckReport", "parse_path", "locate", "load_checked", "check_text",
           "check_file", "check_files", "check_source"]

_FIELD_MESSAGE = re.compile(r"^(?P<where>.*?): field '(?P<field>[^']*)': (?P<message>.*)$", re.S)


def locate(error: MentorkitError | str, doc: YamlDocument) -> Problem:
    """Turn a loader message (``FILE: field 'x': message``) into a :class:`Problem` with its line."""
    text = str(error)
    m = _FIELD_MESSAGE.match(text)
    if not m:
        prefix = f"{doc.where}: "
        return Problem(doc.where, doc.marks.line(()), "(top level)",
                       text[len(prefix):] if text.startswith(prefix) else text)
    field = m.group("field")
    path = () if field == "(top level)" else parse_path(field, doc.data)
    return Problem(doc.where, doc.marks.line(path), field, m.group("message"))


def _validate(doc: YamlDocument) -> tuple[Scenario | None, list[Problem]]:
    from mentorkit.scenarios import parse_data
    from mentorkit.scenarios.model import validate
    from mentorkit.scenarios.spelling import normalise_spelling
    problems = list(doc.problems)
    data = normalise_spelling(doc.data)
    problems += [Problem(doc.where, doc.marks.line(path), dotted(path), message) for path, message in validate(data)]
    problems += _placeholder_problems(doc)
    try:
        scenario = parse_data(doc.data, doc.where)
    except MentorkitError as exc:
        extra = locate(exc, doc)
        if not any(p.field == extra.field for p in problems):
            problems.append(extra)
        scenario = None
    problems = sorted(set(problems), key=lambda p: (p.line, p.field, p.message))
    return (scenario if not problems else None), problems


#: fields whose text the engine fills in (placeholders allowed) and fields shown as written
RENDERED = ("context", "opening", "turns", "endings", "on_empty", "off_topic", "facts")
AS_WRITTEN = ("title", "summary")


def _texts(value: Any, path: tuple) -> Any:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _texts(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _texts(v, path + (i,))


def _placeholder_problems(doc: YamlDocument) -> list[Problem]:
    from mentorkit.scenarios.engine import PLACEHOLDERS
    from mentorkit.scenarios.speech import PLACEHOLDER
    data = doc.data if isinstance(doc.data, dict) else {}
    out = []
    names = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for key in RENDERED:
        for path, text in _texts(data.get(key), (key,)):
            if path[-1] == "focus":
                continue
            for m in PLACEHOLDER.finditer(text):
                if m.group(1) not in PLACEHOLDERS:
                    out.append(Problem(doc.where, doc.marks.line(path), dotted(path),
                                       f"unknown placeholder {{{m.group(1)}}}; use one of {names}"))
    return out


def check_text(text: str, where: str = "<text>") -> tuple[Scenario | None, list[Problem]]:
    """Validate scenario YAML *text*; return the scenario (None when broken) and the problems."""
    try:
        doc = read_yaml_text(text, where)
    except UnreadableFile as exc:
        return None, exc.problems
    return _validate(doc)


def load_checked(path: str | Path, name_is_stem: bool = False) -> tuple[Scenario | None, list[Problem]]:
    """Read and validate the scenario file at *path*; the scenario is None when there are problems.

    With *name_is_stem*, the scenario's ``name`` must also be the file's name
    (a library plays a scenario by the name its file is found under).
    """
    try:
        doc = read_yaml(path)
    except UnreadableFile as exc:
        return None, exc.problems
    scenario, problems = _validate(doc)
    stem = Path(path).stem
    if name_is_stem and scenario is not None and scenario.name != stem:
        problems.append(Problem(doc.where, doc.marks.line(("name",)), "name",
                                f"{scenario.name!r} does not match the file name {stem!r}; "
                                "rename the file or the scenario"))
        scenario = None
    if scenario is not None:
        object.__setattr__(scenario, "path", str(path))
    return scenario, problems


# ------------------------------------------------------------------ the full check



@dataclass
class SamplePlay:
    """One sample reply set played through the scenario."""
    name: str
    score: float
    tier: str
    outcome: str | None
    bounds: tuple[float, float] | None
    session: Any = None

    @property
    def ok(self) -> bool:
        return self.bounds is None or self.bounds[0] <= self.score <= self.bounds[1]


@dataclass
class CheckReport:
    """What :func:`check_file` found: errors, warnings and the sample plays of one file."""
    where: str
    scenario: Scenario | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    plays: list[SamplePlay] = field(default_factory=list)
    #: the sample file's sets played, one entry per kind (empty without a sample file)
    kinds: list[KindPlay] = field(default_factory=list)
    samples_file: str | None = None
    samples_writer: str | None = None
    unreadable: bool = False
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 clean (warnings allowed), 1 problems, 2 unreadable."""
        return 2 if self.unreadable else (1 if self.errors else 0)

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.errors + self.warnings, key=lambda p: (p.line, p.severity, p.field, p.message))

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        for play in self.plays:
            want = "" if play.bounds is None else f" (wanted {play.bounds[0]:g}-{play.bounds[1]:g})"
            out.append(f"{self.where}: sample '{play.name}': {play.score:.0f}/100 {play.tier}, "
                       f"outcome {play.outcome}{want}{'' if play.ok else '  FAILS'}")
        for kp in self.kinds:
            want = "" if kp.bounds is None else f" (wanted {kp.bounds[0]:g}-{kp.bounds[1]:g})"
            each = ", ".join(f"{x:.0f}" for x in kp.scores)
            out.append(f"{self.where}: samples '{kp.kind}' ({len(kp.scores)} sets by {self.samples_writer}): "
                       f"mean {kp.mean:.0f}/100 [{each}]{want}{'' if kp.ok else '  FAILS'}")
        return out

    def to_dict(self) -> dict:
        return {"file": self.where, "exit_code": self.exit_code, "seconds": round(self.seconds, 3),
                "errors": [p.to_dict() for p in self.errors], "warnings": [p.to_dict() for p in self.warnings],
                "samples": [{"set": p.name, "score": p.score, "tier": p.tier, "outcome": p.outcome,
                             "bounds": list(p.bounds) if p.bounds else None, "ok": p.ok} for p in self.plays],
                "sample_file": self.samples_file, "sample_writer": self.samples_writer,
                "sample_sets": [{"kind": k.kind, "scores": [round(x, 1) for x in k.scores],
                                 "mean": round(k.mean, 1), "bounds": list(k.bounds) if k.bounds else None,
                                 "ok": k.ok} for k in self.kinds]}


def _check_doc(doc: YamlDocument, play: bool, t0: float, samples: str | Path | None = None,
               ahead: bool = True) -> CheckReport:
    report, sets = _static(doc, play, samples)
    if play and report.scenario is not None:
        if ahead:
            from mentorkit.scenarios.ahead import parse_ahead
            parse_ahead([_to_play(report.scenario, sets)])
        _play(report, doc, sets)
    report.seconds = time.perf_counter() - t0
    return report


def _static(doc: YamlDocument, play: bool, samples: str | Path | None):
    """Everything but the plays: validation, lints and (with *play*) reading the sample file."""
    from mentorkit.scenarios.lint import lint
    scenario, errors = _validate(doc)
    report = CheckReport(doc.where, scenario, errors=errors)
    if scenario is None:
        return report, None
    report.warnings = [Problem(doc.where, doc.marks.line(path), dotted(path), message, "warning")
                       for path, message in lint(scenario, doc.data)]
    return report, (_read_samples(report, scenario, doc, samples) if play else None)


def _to_play(scenario: Scenario, sets) -> tuple[Scenario, list[str]]:
    """*scenario* and every reply its check plays: the file's examples and the sample sets."""
    replies = [r for rs in scenario.examples.values() for r in rs]
    if sets is not None:
        replies += [r for kind in sets.sets.values() for rs in kind for r in rs]
    return scenario, replies


def _play(report: CheckReport, doc: YamlDocument, sets) -> None:
    _play_examples(report, report.scenario, doc)
    if sets is not None:
        _play_samples(report, sets)


def _play_examples(report: CheckReport, scenario: Scenario, doc: YamlDocument) -> None:
    from mentorkit.scenarios.play import play_replies
    for name, replies in scenario.examples.items():
        session = play_replies(scenario, replies)
        d = session.debrief()
        sp = SamplePlay(name, d.score, d.tier, session.outcome, SAMPLE_BOUNDS.get(name), session)
        report.plays.append(sp)
        if not sp.ok:
            lo, hi = sp.bounds
            need = f"at least {lo:g}" if d.score < lo else f"at most {hi:g}"
            report.errors.append(Problem(doc.where, doc.marks.line(("examples", name)), f"examples.{name}",
                                         f"the {name} example replies score {d.score:.0f}; they should score "
                                         f"{need} (the rubric or the branches reward the wrong replies)"))


def _read_samples(report: CheckReport, scenario: Scenario, doc: YamlDocument, samples: str | Path | None):
    """The scenario's sample sets (None when there is no sample file or it has problems, which are reported)."""
    from mentorkit.scenarios.samples import SAMPLE_KINDS, read_samples, samples_path
    path = Path(samples) if samples is not None else samples_path(scenario)
    if not path.is_file():
        if not scenario.examples:
            what = "and no example replies in the file"
        else:
            what = "so only the author's own example replies were played"
        report.warnings.append(Problem(doc.where, doc.marks.line(()), "(samples)",
                                       f"no sample reply sets at {path} {what}: ask someone who has not seen "
                                       f"the rubric to write strong, weak, stuffed and off-topic replies "
                                       f"(see docs/scenario_authoring.md, 'Sample reply sets')", "warning"))
        return None
    report.samples_file = str(path)
    sets, problems = read_samples(path, scenario)
    if problems:
        report.errors.extend(problems)
        return None
    report.samples_writer = sets.writer
    for kind in SAMPLE_KINDS[2:]:
        if kind not in sets.sets:
            report.warnings.append(Problem(str(path), sets.line("sets"), f"sets.{kind}",
                                           f"no {kind} sets: without them the check cannot tell whether the "
                                           f"rubric rewards replies that only sound right", "warning"))
    return sets


def _play_samples(report: CheckReport, sets) -> None:
    from mentorkit.scenarios.samples import play_sets
    report.kinds = play_sets(report.scenario, sets, ahead=False)
    for kp in report.kinds:
        if not kp.ok:
            lo, hi = kp.bounds
            need = f"at least {lo:g}" if kp.mean < lo else f"at most {hi:g}"
            each = ", ".join(f"{x:.0f}" for x in kp.scores)
            report.errors.append(Problem(sets.path, kp.line, f"sets.{kp.kind}",
                                         f"the {kp.kind} sample sets score {kp.mean:.0f} on average ({each}); "
                                         f"they should score {need} (the rubric or the branches reward the "
                                         f"wrong replies)"))


def check_file(path: str | Path, play: bool = True, samples: str | Path | None = None,
               ahead: bool = True) -> CheckReport:
    """Everything ``mentorkit scenario check`` reports for one file (see the module docstring).

    *samples* is the sample file to play (default ``samples/NAME.yaml`` beside the file). With
    *ahead* (the default) every reply and mentee line of the plays is parsed in one batch first
    (:func:`mentorkit.scenarios.ahead.parse_ahead`); without it each text is parsed when the
    play reaches it. The reports are the same either way.
    """
    t0 = time.perf_counter()
    try:
        doc = read_yaml(path)
    except UnreadableFile as exc:
        return CheckReport(str(path), None, errors=exc.problems, unreadable=True, seconds=time.perf_counter() - t0)
    return _check_doc(doc, play, t0, samples, ahead)


def check_files(paths: list[str | Path], play: bool = True, progress=None) -> list[CheckReport]:
    """:func:`check_file` of each of *paths*, the plays of all of them prepared together.

    Every file is read, validated and linted first; then the replies and mentee lines of every
    play of every file are parsed in one batch (a text shared by several files, such as copies
    of one scenario, is parsed once) and the plays run. Each report's ``seconds`` is its own
    reading, checking and playing plus its share of the batch (by the texts it asked for).
    *progress* wraps the list of files being played (a ``tqdm``, say).
    """
    from mentorkit.scenarios.ahead import parse_ahead
    staged = []
    for path in paths:
        t0 = time.perf_counter()
        try:
            doc = read_yaml(path)
        except UnreadableFile as exc:
            staged.append((CheckReport(str(path), None, errors=exc.problems, unreadable=True,
                                       seconds=time.perf_counter() - t0), None, None))
            continue
        report, sets = _static(doc, play, None)
        report.seconds = time.perf_counter() - t0
        staged.append((report, doc, sets))
    todo = [(r, d, s) for r, d, s in staged if play and r.scenario is not None]
    if todo:
        t0 = time.perf_counter()
        asked = [_to_play(r.scenario, s) for r, _, s in todo]
        parse_ahead(asked)
        batch = time.perf_counter() - t0
        sizes = [max(1, len(replies)) for _, replies in asked]
        for (report, doc, sets), size in zip(progress(todo) if progress else todo, sizes):
            t0 = time.perf_counter()
            _play(report, doc, sets)
            report.seconds += time.perf_counter() - t0 + batch * size / sum(sizes)
    return [r for r, _, _ in staged]


def check_source(text: str, where: str = "<text>", play: bool = True,
                 samples: str | Path | None = None) -> CheckReport:
    """:func:`check_file` for YAML *text* (the studio page checks the editor's text this way)."""
    t0 = time.perf_counter()
    try:
        doc = read_yaml_text(text, where)
    except UnreadableFile as exc:
        return CheckReport(where, None, errors=exc.problems, unreadable=True, seconds=time.perf_counter() - t0)
    return _check_doc(doc, play, t0, samples)
