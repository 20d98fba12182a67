"""Checking a scenario file: every problem at once, each with its line.

:func:`load_checked` reads a file with the safe reader, validates it and returns
the scenario (or None) with the list of :class:`~mentorkit.scenarios.yamlsafe.Problem`
found, each printed ``FILE:LINE: field: message``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.schema import Scenario
from mentorkit.scenarios.yamlsafe import Marks, Problem, UnreadableFile, YamlDocument, read_yaml, read_yaml_text

__all__ = ["parse_path", "locate", "load_checked", "check_text"]

_FIELD_MESSAGE = re.compile(r"^(?P<where>.*?): field '(?P<field>[^']*)': (?P<message>.*)$", re.S)
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(field: str, data: Any = None) -> tuple[Any, ...]:
    """The path tuple of a dotted field name, using *data* to keep dotted keys whole.

    Effect keys hold a dot themselves (``effects.four_step.observation.patience``),
    so a part is joined with the next while the joined key exists in *data*.

    >>> parse_path("turns[2].branches[0].if.all[1]")
    ('turns', 2, 'branches', 0, 'if', 'all', 1)
    >>> parse_path("effects.four_step.observation.patience",
    ...            {"effects": {"four_step.observation": {"patience": 1}}})
    ('effects', 'four_step.observation', 'patience')
    """
    raw: list[Any] = [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PART.finditer(field)]
    out: list[Any] = []
    node = data
    i = 0
    while i < len(raw):
        part = raw[i]
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            for j in range(i + 1, len(raw)):
                if not isinstance(raw[j], str):
                    break
                joined = ".".join(raw[i:j + 1])
                if joined in node:
                    part, i = joined, j
                    break
        out.append(part)
        try:
            node = node[part] if node is not None else None
        except (KeyError, IndexError, TypeError):
            node = None
        i += 1
    return tuple(out)


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
    problems = list(doc.problems)
    try:
        scenario = parse_data(doc.data, doc.where)
    except MentorkitError as exc:
        problems.append(locate(exc, doc))
        scenario = None
    problems = sorted(set(problems), key=lambda p: (p.line, p.field, p.message))
    return (scenario if not problems else None), problems


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
