"""The scenario library: the shipped scenarios and the organisation's own folders.

L&D teams keep their scenarios in one or more folders named by the ``scenarios``
setting (``MENTORKIT_SCENARIOS``, folders separated by ``os.pathsep``, or a list
under ``scenarios`` in ``mentorkit.toml``; see :mod:`mentorkit.config`). Every
``*.yaml`` / ``*.yml`` file there sits beside the shipped scenarios: listed by
``mentorkit practice --list``, playable by name, offered by the exercise
notebooks and the trainer dashboard.

Each file is read with the safe reader (:mod:`mentorkit.scenarios.yamlsafe`) and
checked; a broken file is kept in the library as *broken*, with its first problem
(``FILE:LINE: field: message``), and never stops the others from loading. A name
used by a shipped scenario, or by two of the organisation's files, is a problem
naming both files; neither of two clashing organisation files is played.

>>> lib = library(folders=[])
>>> lib.get("written_recap").source
'shipped'
>>> all(e.ok for e in lib.entries)
True
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.schema import Scenario

__all__ = ["SHIPPED", "ORGANISATION", "Entry", "Library", "organisation_folders", "library", "broken_lines",
           "save_folder", "save_scenario"]

SHIPPED = "shipped"
ORGANISATION = "organisation"
_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    """One scenario file in the library; ``scenario`` is None when the file is broken."""
    name: str
    path: Path
    source: str
    scenario: Scenario | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.scenario is not None and self.problem is None


@dataclass
class Library:
    """Every scenario file found, shipped first, then each organisation folder in order."""
    entries: list[Entry]
    folders: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def get(self, name: str) -> Entry | None:
        """The entry a name plays: the shipped one, else the organisation's (broken or not)."""
        hits = [e for e in self.entries if e.name == name]
        return next((e for e in hits if e.source == SHIPPED), hits[0] if hits else None)

    def playable(self) -> list[Entry]:
        return [e for e in self.entries if e.ok]

    def broken(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    def names(self) -> list[str]:
        """Names of the playable scenarios, sorted."""
        return sorted(e.name for e in self.playable())


def _split_folders(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    elif isinstance(value, str):
        parts = value.split(os.pathsep)
    else:
        raise MentorkitError(f"setting 'scenarios' (MENTORKIT_SCENARIOS): expected folder paths, got {value!r}")
    return [p.strip() for p in parts if p and p.strip()]


def organisation_folders() -> list[Path]:
    """The folders named by the ``scenarios`` setting, in order (may be empty)."""
    from mentorkit import config
    return [Path(p).expanduser() for p in _split_folders(config.get("scenarios"))]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file()
                  and not p.name.startswith("."))


@lru_cache(maxsize=512)
def _checked(path: str, mtime_ns: int, size: int) -> tuple[Scenario | None, str | None]:
    from mentorkit.scenarios.check import load_checked
    scenario, problems = load_checked(path, name_is_stem=True)
    return scenario, (str(problems[0]) if problems else None)


def _entry(path: Path, source: str) -> Entry:
    try:
        st = path.stat()
    except OSError as exc:
        return Entry(path.stem, path, source, None, f"{path}:1: (file): cannot be read: {exc.strerror or exc}")
    scenario, problem = _checked(str(path), st.st_mtime_ns, st.st_size)
    return Entry(path.stem, path, source, scenario, problem)


def library(folders: list[str | os.PathLike] | None = None) -> Library:
    """Scan the shipped scenarios and the organisation's *folders* (default: the ``scenarios`` setting).

    Files are re-read only when they change (modification time and size).
    """
    from mentorkit.scenarios import DATA_DIR
    dirs = organisation_folders() if folders is None else [Path(f) for f in folders]
    entries = [_entry(p, SHIPPED) for p in _files(DATA_DIR)]
    shipped = {e.name: e for e in entries}
    problems: list[str] = []
    org: list[Entry] = []
    for folder in dirs:
        if not folder.is_dir():
            problems.append(f"{folder}: scenario folder (setting 'scenarios' / MENTORKIT_SCENARIOS) "
                            f"{'is not a folder' if folder.exists() else 'does not exist'}")
            continue
        org.extend(_entry(p, ORGANISATION) for p in _files(folder))
    by_name: dict[str, list[Entry]] = {}
    for e in org:
        by_name.setdefault(e.name, []).append(e)
    for name, group in by_name.items():
        for e in group:
            if e.problem is not None:
                entries.append(e)
                continue
            if name in shipped:
                entries.append(Entry(name, e.path, e.source, None,
                                     f"{e.path}:1: name: {name!r} is already the name of the shipped scenario "
                                     f"{shipped[name].path}; choose another name"))
                continue
            others = [o for o in group if o is not e]
            if others:
                entries.append(Entry(name, e.path, e.source, None,
                                     f"{e.path}:1: name: {name!r} is also the name of "
                                     f"{', '.join(str(o.path) for o in others)}; each scenario needs its own name"))
                continue
            entries.append(e)
    return Library(entries=entries, folders=dirs, problems=problems)


def broken_lines(lib: Library | None = None) -> list[str]:
    """What ``practice --list`` prints under the scenarios: unreadable folders and broken files.

    >>> broken_lines(library(folders=[]))
    []
    """
    lib = library() if lib is None else lib
    lines = [f"scenario folder problem: {p}" for p in lib.problems]
    broken = lib.broken()
    if broken:
        lines.append("broken scenario files (not playable until fixed; 'mentorkit scenario check FILE' "
                     "lists every problem):")
        lines.extend(f"  {e.name:<26} broken: {e.problem}" for e in broken)
    return lines


def save_folder(folder: str | os.PathLike | None = None) -> Path:
    """The folder new scenarios are saved to: *folder*, else the first organisation folder.

    Raises :class:`~mentorkit.errors.MentorkitError` when neither is set.
    """
    if folder is not None:
        return Path(folder).expanduser()
    dirs = organisation_folders()
    if not dirs:
        raise MentorkitError("no folder to save scenarios in: set MENTORKIT_SCENARIOS (or 'scenarios' in "
                             "mentorkit.toml) to your organisation's scenario folder")
    return dirs[0]


def save_scenario(text: str, folder: str | os.PathLike | None = None, replaces: str | os.PathLike | None = None,
                  samples: str | os.PathLike | None = None) -> Path:
    """Save scenario YAML *text* as ``FOLDER/NAME.yaml`` (NAME: the scenario's own ``name``); return the path.

    Refused (:class:`~mentorkit.errors.MentorkitError`, every problem listed) while the text
    does not pass the check (:func:`mentorkit.scenarios.check.check_source`, without the sample
    plays), when NAME is a shipped scenario's, or when another file already has that name
    (unless it is *replaces*, the file being edited). The text is only read, never run; the
    file is written whole or not at all.
    """
    from mentorkit.scenarios import DATA_DIR
    from mentorkit.scenarios.check import check_source
    target = save_folder(folder)
    report = check_source(text, "<studio>", play=False, samples=samples)
    if report.errors:
        lines = "\n".join(f"  line {p.line}: {p.field}: {p.message}" for p in report.errors)
        raise MentorkitError(f"not saved: the scenario has {len(report.errors)} problem(s); fix them first\n{lines}")
    name = report.scenario.name
    if (DATA_DIR / f"{name}.yaml").is_file():
        raise MentorkitError(f"not saved: {name!r} is the name of the shipped scenario {DATA_DIR / (name + '.yaml')}; "
                             "change the name field")
    path = target / f"{name}.yaml"
    same = replaces is not None and Path(replaces).resolve() == path.resolve()
    if path.exists() and not same:
        raise MentorkitError(f"not saved: {path} already exists; pick it in the list to edit it, or change the "
                             "name field")
    if not target.is_dir():
        if target.exists():
            raise MentorkitError(f"not saved: {target} is not a folder")
        target.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.saving")
    try:
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MentorkitError(f"not saved: cannot write {path}: {exc.strerror or exc}") from None
    return path


def read_source(path: str | os.PathLike) -> tuple[str, bool]:
    """The text of the scenario file *path* and whether it is one of the shipped scenarios.

    A file that cannot be read is a :class:`~mentorkit.errors.MentorkitError` naming it.
    """
    from mentorkit.scenarios import DATA_DIR

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MentorkitError(f"{p}: cannot be read: {exc}") from None
    return text, p.resolve().parent == DATA_DIR.resolve()
