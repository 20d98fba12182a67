"""Reading scenario files safely, keeping the line of every field.

Scenario files come from L&D teams' own folders and from the studio page, so they
are read as untrusted text:

* a file over :data:`MAX_BYTES` (1 MB) is refused before it is parsed;
* only YAML's safe scalars are built (strings, numbers, booleans, null): a tag
  such as ``!!python/object`` is refused, never constructed, so nothing in a file
  is ever executed;
* aliases are followed with a budget (:data:`MAX_NODES` nodes in the built
  document), so a "billion laughs" file is refused instead of filling memory;
* a tab in indentation, a duplicate key, a merge key (``<<``) and a second
  document each name their line.

Every problem found is a :class:`Problem`, printed ``FILE:LINE: field: message``.
:func:`read_yaml` returns the data together with a :class:`Marks` table that maps
each field path (``("turns", 2, "branches", 0, "if")``) to its line, so later
checks (the schema, the engine's lints) can name lines too.

>>> doc = read_yaml_text("name: x\\nturns:\\n  - focus: a\\n  - focus: b\\n", "x.yaml")
>>> doc.data["turns"][1]
{'focus': 'b'}
>>> doc.marks.line(("turns", 1, "focus"))
4
>>> doc.marks.line(("turns", 1, "branches"))   # missing: the line of its parent
4
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from mentorkit.errors import MentorkitError

__all__ = ["MAX_BYTES", "MAX_NODES", "Problem", "Marks", "YamlDocument", "UnreadableFile",
           "read_yaml", "read_yaml_text", "dotted", "parse_path"]

#: the largest scenario file read, in bytes (the shipped ones are about 10 kB)
MAX_BYTES = 1_000_000
#: the most nodes a file may build, aliases counted each time they are used
MAX_NODES = 50_000
_SAFE_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
              "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
              "tag:yaml.org,2002:seq"}
_LEADING_TAB = re.compile(r"^ *\t")

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

PathT = tuple[Any, ...]


def dotted(path: Iterable[Any]) -> str:
    """A field path as authors write it: ``turns[2].branches[0].if``.

    >>> dotted(("turns", 2, "branches", 0, "if"))
    'turns[2].branches[0].if'
    >>> dotted(())
    '(top level)'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


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


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a look) in a scenario file.

    ``severity`` is ``error`` (the file does not load) or ``warning`` (it loads,
    but something in it can never matter to the trainee).
    """
    file: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        tag = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {self.field}: {tag}{self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message,
                "severity": self.severity}


class UnreadableFile(MentorkitError):
    """The file could not be read as YAML at all; :attr:`problems` says where."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems), exit_code=2)


@dataclass
class Marks:
    """Line numbers (1-based) of the fields of one document."""
    lines: dict[PathT, int] = field(default_factory=dict)

    def line(self, path: Iterable[Any]) -> int:
        """The line of *path*, or of its nearest ancestor that is in the file (1 at worst)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


@dataclass
class YamlDocument:
    """What :func:`read_yaml` returns: the plain data, its marks and where it came from."""
    data: Any
    marks: Marks
    where: str
    problems: list[Problem] = field(default_factory=list)


class _Builder:
    """Turns a composed node tree into plain data, recording each field's line."""

    def __init__(self, where: str):
        self.where = where
        self.nodes = 0
        self.marks = Marks()
        self.problems: list[Problem] = []
        self._scalars = yaml.SafeLoader("")

    def problem(self, node: Node, path: PathT, message: str) -> None:
        self.problems.append(Problem(self.where, node.start_mark.line + 1, dotted(path), message))

    def build(self, node: Node, path: PathT, active: tuple[int, ...] = ()) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(node)
        if id(node) in active:
            self.problem(node, path, "an alias refers to a field that contains it (a loop); write the value out")
            return None
        if node.tag not in _SAFE_TAGS:
            self.problem(node, path, f"the tag {node.tag!r} is not allowed in a scenario file "
                                     "(only plain text, numbers, true/false, lists and mappings)")
            return None
        if isinstance(node, ScalarNode):
            try:
                return self._scalars.construct_object(node)
            except yaml.YAMLError as exc:
                self.problem(node, path, f"cannot read the value: {getattr(exc, 'problem', exc)}")
                return None
        inner = active + (id(node),)
        if isinstance(node, SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.marks.lines.setdefault(path + (i,), item.start_mark.line + 1)
                out.append(self.build(item, path + (i,), inner))
            return out
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problem(key_node, path, "merge keys (<<) are not supported in scenario files; "
                                                 "write the fields out")
                    continue
                if not isinstance(key_node, ScalarNode):
                    self.problem(key_node, path, "a field name must be plain text")
                    continue
                key = self.build(key_node, path, inner)
                if isinstance(key, bool) or key is None:
                    # `yes:`, `on:`, `null:` read as booleans/null in YAML 1.1; keep the written word
                    key = key_node.value
                line = key_node.start_mark.line + 1
                if key in first_line:
                    self.problem(key_node, path + (key,), f"duplicate key {key!r}; it is first given on "
                                                          f"line {first_line[key]}")
                    continue
                first_line[key] = line
                self.marks.lines[path + (key,)] = line
                result[key] = self.build(value_node, path + (key,), inner)
            return result
        self.problem(node, path, f"unexpected YAML node {type(node).__name__}")
        return None


class _TooBig(Exception):
    def __init__(self, node: Node):
        self.node = node


def _tab_problems(text: str, where: str) -> list[Problem]:
    return [Problem(where, i, "(indentation)", "indented with a tab; YAML needs spaces for indentation")
            for i, line in enumerate(text.splitlines(), start=1) if _LEADING_TAB.match(line)]


def read_yaml_text(text: str, where: str = "<text>") -> YamlDocument:
    """Read scenario YAML from *text* (named *where* in problems).

    Raises :class:`UnreadableFile` when the text is not one readable YAML
    document; problems that still leave usable data (a duplicate key, a refused
    tag) are returned in :attr:`YamlDocument.problems`.
    """
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise UnreadableFile([Problem(where, 1, "(file)", f"is {size:,} bytes; a scenario file may be at most "
                                                          f"{MAX_BYTES:,} bytes")])
    tabs = _tab_problems(text, where)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        message = str(getattr(exc, "problem", None) or exc)
        if "'\\t'" in message or "\t" in message:
            message = "a tab character where YAML expects spaces; indent with spaces"
        problems = tabs if any(p.line == line for p in tabs) else tabs + [
            Problem(where, line, "(syntax)", f"not valid YAML: {message}")]
        raise UnreadableFile(problems) from None
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        raise UnreadableFile(tabs + [Problem(where, 1, "(file)", "is empty; a scenario is a YAML mapping")])
    if len(nodes) > 1:
        raise UnreadableFile(tabs + [Problem(where, nodes[1].start_mark.line + 1, "(file)",
                                             "holds more than one YAML document; write one scenario per file")])
    builder = _Builder(where)
    builder.marks.lines[()] = nodes[0].start_mark.line + 1
    try:
        data = builder.build(nodes[0], ())
    except _TooBig as big:
        raise UnreadableFile([Problem(where, big.node.start_mark.line + 1, "(file)",
                                      f"expands to more than {MAX_NODES:,} values through aliases "
                                      "(a 'billion laughs' file?); refused")]) from None
    return YamlDocument(data=data, marks=builder.marks, where=where, problems=tabs + builder.problems)


def read_yaml(path: str | Path) -> YamlDocument:
    """Read the scenario file at *path* (see :func:`read_yaml_text`); the size is checked before reading."""
    p = Path(path)
    where = str(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise UnreadableFile([Problem(where, 1, "(file)", f"cannot be read: {exc.strerror or exc}")]) from None
    if not p.is_file():
        raise UnreadableFile([Problem(where, 1, "(file)", "is not a file")])
    if size > MAX_BYTES:
        raise UnreadableFile([Problem(where, 1, "(file)", f"is {size:,} bytes; a scenario file may be at most "
                                                          f"{MAX_BYTES:,} bytes")])
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile([Problem(where, 1, "(file)", f"is not UTF-8 text (byte {exc.start})")]) from None
    except OSError as exc:
        raise UnreadableFile([Problem(where, 1, "(file)", f"cannot be read: {exc.strerror or exc}")]) from None
    return read_yaml_text(text, where)
