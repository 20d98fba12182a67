"""Practice scenarios with a simulated mentee.

Scenarios are YAML files in ``mentorkit/scenarios/data/`` (package data), checked
against :mod:`mentorkit.scenarios.schema` when loaded: a malformed file is
rejected with the file and the field named. :class:`Session` plays one;
:meth:`Session.debrief` rates it against the scenario's rubric.

>>> from mentorkit.scenarios import list_scenarios, load_scenario
>>> table = list_scenarios()
>>> len(table) >= 10
True
>>> load_scenario("kickoff_agreement").family
'kickoff_and_agreements'
"""
from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.debrief import Debrief, build_debrief, tier_for
from mentorkit.scenarios.engine import PLACEHOLDERS, Session
from mentorkit.scenarios.play import play_replies
from mentorkit.scenarios.samples import SAMPLE_KINDS
from mentorkit.scenarios.schema import Scenario, parse_scenario
from mentorkit.scenarios.speech import PLACEHOLDER
from mentorkit.scenarios.yamlsafe import UnreadableFile, read_yaml

__all__ = ["DATA_DIR", "SAMPLE_KINDS", "list_scenarios", "scenario_names", "load_scenario", "load_scenario_file",
           "load_samples", "play_replies", "families", "rubric_table", "Session", "Scenario", "Debrief", "build_debrief", "tier_for"]

DATA_DIR = Path(__file__).parent / "data"
SAMPLES_DIR = DATA_DIR / "samples"


def _check_placeholders(value: Any, path: str, where: str) -> None:
    if isinstance(value, str):
        for m in PLACEHOLDER.finditer(value):
            if m.group(1) not in PLACEHOLDERS:
                raise MentorkitError(f"{where}: field '{path}': unknown placeholder {{{m.group(1)}}}; "
                                     f"use one of {', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_placeholders(v, f"{path}.{k}" if path else str(k), where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_placeholders(v, f"{path}[{i}]", where)


@lru_cache(maxsize=256)
def _load_cached(path: str, mtime_ns: int) -> Scenario:
    try:
        doc = read_yaml(path)
    except UnreadableFile as exc:
        first = exc.problems[0]
        kind = "not valid YAML" if first.field == "(syntax)" else "cannot read scenario file"
        raise MentorkitError(f"{path}: {kind} at line {first.line}: {first.message}") from None
    if doc.problems:
        first = doc.problems[0]
        raise MentorkitError(f"{path}: field '{first.field}': {first.message} (line {first.line})")
    return parse_data(doc.data, path)


def parse_data(data: Any, where: str) -> Scenario:
    """Validate scenario *data* read from *where* (spellings, placeholders, then every field)."""
    from mentorkit.scenarios.spelling import normalise_spelling
    data = normalise_spelling(data)
    if isinstance(data, dict):
        _check_placeholders({k: data[k] for k in ("context", "opening", "turns", "endings", "on_empty", "facts", "off_topic") if k in data}, "", where)
    return parse_scenario(data, where)


def load_scenario_file(path: str | os.PathLike) -> Scenario:
    """Load and validate one scenario file (any path).

    Raises :class:`~mentorkit.errors.MentorkitError` naming the file and the field.
    """
    p = Path(path)
    if not p.is_file():
        raise MentorkitError(f"{p}: scenario file does not exist")
    return _load_cached(str(p.resolve()), p.stat().st_mtime_ns)


def scenario_names() -> list[str]:
    """The names of the packaged scenarios, sorted."""
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def load_scenario(name: str) -> Scenario:
    """Load a scenario by *name*: a shipped one or one of the organisation's (or a file by path).

    The organisation's folders are named by the ``scenarios`` setting (see
    :mod:`mentorkit.scenarios.library`). An unknown name raises
    :class:`~mentorkit.errors.MentorkitError` listing the real ones, closest first;
    a broken organisation file raises its first problem.

    >>> load_scenario("async_weekly_update").persona.utc_offset - load_scenario("async_weekly_update").mentor_utc_offset
    12.0
    """
    if name.endswith((".yaml", ".yml")) or os.sep in name:
        return load_scenario_file(name)
    path = DATA_DIR / f"{name}.yaml"
    if path.is_file():
        scenario = load_scenario_file(path)
        if scenario.name != name:
            raise MentorkitError(f"{path}: field 'name': {scenario.name!r} does not match the file name {name!r}")
        return scenario
    from mentorkit.scenarios.library import library
    lib = library()
    entry = lib.get(name)
    if entry is None:
        names = sorted({e.name for e in lib.entries})
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise MentorkitError(f"unknown scenario {name!r}.{hint} Scenarios: {', '.join(names)}")
    if not entry.ok:
        raise MentorkitError(f"scenario {name!r} is broken: {entry.problem}")
    return entry.scenario


def load_samples(name) -> dict:
    """The sample reply sets written for scenario *name* (a name or a loaded scenario) by an independent writer.

    Returns ``{"writer": ..., "path": ..., "sets": {kind: [[reply per turn, ...], ...]}}``.
    The file is ``samples/NAME.yaml`` beside the scenario file (see
    :mod:`mentorkit.scenarios.samples`); shipped scenarios need at least three sets of each
    kind in :data:`SAMPLE_KINDS`, an organisation's at least one strong and one weak set.
    A missing or malformed file raises :class:`~mentorkit.errors.MentorkitError` naming the
    file and the field.

    >>> sets = load_samples("client_call_feedback")["sets"]
    >>> sorted(sets) == sorted(SAMPLE_KINDS) and len(sets["strong"]) >= 3
    True
    """
    from mentorkit.scenarios.samples import read_samples, samples_path
    scenario = name if isinstance(name, Scenario) else load_scenario(name)
    path = samples_path(scenario)
    if not path.is_file():
        raise MentorkitError(f"{path}: no sample reply sets for scenario {scenario.name!r}")
    shipped = Path(path).resolve().parent == Path(SAMPLES_DIR).resolve()
    sets, problems = read_samples(path, scenario, minimum=3 if shipped else 1,
                                  required=SAMPLE_KINDS if shipped else ("strong", "weak"))
    if problems:
        first = problems[0]
        raise MentorkitError(f"{path}: field '{first.field}': {first.message} (line {first.line})")
    return {"writer": sets.writer, "path": str(path), "sets": sets.sets}


def families() -> dict[str, list[str]]:
    """Scenario names grouped by family (one exercise notebook per shipped family)."""
    out: dict[str, list[str]] = {}
    for row in list_scenarios().itertuples():
        out.setdefault(row.family, []).append(row.name)
    return out


def list_scenarios(family: str | None = None, source: str | None = None):
    """A tidy table of the playable scenarios, shipped and the organisation's: one row each.

    Columns: name, title, family, persona, feedback_preference, skills, turns,
    rubric_version, summary, source (``shipped`` or ``organisation``), path.
    Broken organisation files are left out here; :func:`mentorkit.scenarios.library.library`
    lists them with their first problem.
    """
    import pandas as pd
    from mentorkit.scenarios.library import library
    rows = []
    for entry in library().playable():
        s = entry.scenario
        if (family and s.family != family) or (source and entry.source != source):
            continue
        rows.append({"name": s.name, "title": s.title, "family": s.family,
                     "persona": f"{s.persona.name}, {s.persona.role}",
                     "feedback_preference": s.persona.feedback_preference,
                     "skills": ", ".join(s.skills), "turns": len(s.turns),
                     "rubric_version": s.rubric.version, "summary": s.summary,
                     "source": entry.source, "path": str(entry.path)})
    if family and not rows and not source:
        raise MentorkitError(f"unknown scenario family {family!r}; families: {', '.join(sorted(families()))}")
    return pd.DataFrame(rows, columns=["name", "title", "family", "persona", "feedback_preference",
                                       "skills", "turns", "rubric_version", "summary", "source", "path"])


def rubric_table():
    """Every rubric criterion of the playable scenarios, with the skill it checks: one row each.

    Columns: ``scenario, family, criterion, title, skill, source, rubric_version,
    scenario_title``; the skill is the part before the dot of the first finding the criterion
    looks for (or says to avoid), ``other`` when it names none; ``source`` is ``shipped`` or
    ``organisation`` and ``rubric_version`` the version the scenario file has now. The
    trainer's summaries (:mod:`mentorkit.analysis.practice`) take this table as an argument,
    so the analysis never reads scenario files itself.

    >>> t = rubric_table()
    >>> t.loc[(t.scenario == "written_recap") & (t.criterion == "takeaways"), "skill"].item()
    'recap'
    """
    import pandas as pd

    rows = []
    for r in list_scenarios().itertuples():
        sc = load_scenario(r.name)
        for c in sc.rubric.criteria:
            key = (c.look_for or c.avoid or ("other",))[0]
            rows.append({"scenario": r.name, "family": r.family, "criterion": c.id, "title": c.title,
                         "skill": key.split(".")[0], "source": r.source, "rubric_version": r.rubric_version,
                         "scenario_title": r.title})
    return pd.DataFrame(rows, columns=["scenario", "family", "criterion", "title", "skill", "source",
                                       "rubric_version", "scenario_title"])
