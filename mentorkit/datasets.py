"""Shipped datasets: an index, their folders, and one call to load each.

Datasets live in the repository's top-level ``datasets/`` folder, next to
the package, each with a data card (``README.md``).

Example
-------
>>> import mentorkit.datasets as ds
>>> "program_sample" in ds.list()["name"].tolist()
True
>>> ds.load("program_sample").report.ok
True
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

import mentorkit
from mentorkit.errors import MentorkitError

__all__ = ["Dataset", "root", "list", "path", "load", "register", "program_names"]


@dataclass(frozen=True)
class Dataset:
    """An entry of the index."""

    name: str
    description: str
    folder: str                         # relative to the datasets root
    loader: Callable[[Path], object] | None = None
    kind: str = "program"  # what load() returns: "program" data, a "corpus" or "table" frame, a dict of "tables", "" (files only)


def root() -> Path:
    """The ``datasets/`` folder next to the installed package."""
    return Path(mentorkit.__file__).resolve().parent.parent / "datasets"


def _load_program_sample(folder: Path):
    from mentorkit.program import load as load_program
    return load_program(folder)


def _load_byo(folder: Path):
    from mentorkit.program import load as load_program
    import tempfile
    # the example holds deliberate faults: keep its quarantine out of the repository
    quarantine = Path(tempfile.mkdtemp(prefix="mentorkit-byo-quarantine-"))
    return load_program(folder, mapping=folder / "mapping.yaml", quarantine_dir=quarantine)


_INDEX: dict[str, Dataset] = {}


def register(name: str, description: str, folder: str, loader: Callable[[Path], object] | None = None,
             kind: str | None = None) -> None:
    """Add (or replace) a dataset in the index; other modules call this for their own data.

    *folder* is relative to :func:`root`; *loader* takes the folder and returns the data;
    *kind* says what it returns (default ``"program"`` with a loader, ``""`` without one).

    >>> register("program_sample_again", "the sample, under a second name", "program_sample",
    ...          _load_program_sample)
    >>> load("program_sample_again").report.ok
    True
    >>> _ = _INDEX.pop("program_sample_again")
    """
    if kind is None:
        kind = "program" if loader is not None else ""
    _INDEX[name] = Dataset(name, description, folder, loader, kind)


def program_names() -> list[str]:
    """Names of the datasets that load as program data (:class:`~mentorkit.program.ProgramData`).

    >>> program_names()[:2]
    ['program_sample', 'byo_export_example']
    """
    return [d.name for d in _INDEX.values() if d.kind == "program"]


register("program_sample",
         "Simulated mentoring program: about 600 mentees in 6 cohorts, a 600-person comparison group, "
         "sessions, goals, messages, four survey waves, 24-month outcomes and comments; planted effects "
         "in truth.json (made by `mentorkit simulate --mentees 600 --seed 20240601`).",
         "program_sample", _load_program_sample)
register("byo_export_example",
         "A small 'bring your own' HRIS-style export with other column names and codes, a mapping file "
         "(mapping.yaml) and a few deliberate faults, for learning what validation reports.",
         "byo_export_example", _load_byo)


def _load_sbi(folder: Path):
    from mentorkit.feedback.train import load_corpus

    return load_corpus(folder)


def _load_listening(folder: Path):
    from mentorkit.skills.corpus import listening_frame

    return listening_frame(folder.parent)


def _skill_loader(skill: str):
    def load_skill(folder: Path):
        from mentorkit.skills.corpus import skill_frame

        return skill_frame(skill, folder.parents[1])
    return load_skill


def _load_people(folder: Path):
    return pd.read_csv(folder / "people.csv")


def _load_practice(folder: Path) -> dict[str, pd.DataFrame]:
    # the raw tables; mentorkit.sources.load_practice("") reads them into a practice log
    return {"attempts": pd.read_csv(folder / "attempts.csv"), "scores": pd.read_csv(folder / "scores.csv")}


register("sbi", "Situation-Behavior-Impact feedback statements with their marked spans, train and test "
         "splits; trains and tests the SBI grader (`make train-grader`).", "sbi", _load_sbi, kind="corpus")
register("listening", "Mentor utterances labelled with the listening move they make (reflection, open or "
         "closed question, advice, other); trains and tests mentorkit.skills.listening.", "listening",
         _load_listening, kind="corpus")
for _skill, _what in (("agreement", "mentoring-agreement messages marked with the topics they settle"),
                      ("boundaries", "messages marked where they set availability and reply-time boundaries"),
                      ("four_step", "hard-conversation openers marked with the four steps"),
                      ("intent_tone", "feedback messages marked for stated intent and supportive or harsh tone"),
                      ("recap", "written recaps marked with takeaways and next steps")):
    register(f"skills_{_skill}", f"Skill corpus: {_what}; trains and tests the {_skill} detector "
             "(`make train-skills`).", f"skills/{_skill}", _skill_loader(_skill), kind="corpus")
register("matching_example", "A people table (mentors and mentees with goals, expertise, working hours and "
         "feedback style) for `mentorkit match` and the matching notebook.", "matching_example", _load_people,
         kind="table")
register("practice_sample", "The trainer dashboard's demo cohort: simulated trainees' attempts and per-criterion "
         "ratings, made by playing the scenarios through the real practice engine.", "practice_sample",
         _load_practice, kind="tables")


def list() -> pd.DataFrame:  # noqa: A001 - the public name the project agreed on
    """The index as a tidy frame: ``name, description, path``.

    >>> list().columns.tolist()
    ['name', 'description', 'path']
    """
    base = root()
    return pd.DataFrame([{"name": d.name, "description": d.description, "path": str(base / d.folder)}
                         for d in _INDEX.values()], columns=["name", "description", "path"])


def path(name: str) -> Path:
    """The folder of dataset *name*.

    >>> path("program_sample").name
    'program_sample'
    """
    if name not in _INDEX:
        raise MentorkitError(f"unknown dataset {name!r}; known: {', '.join(sorted(_INDEX))}")
    folder = root() / _INDEX[name].folder
    if not folder.is_dir():
        raise MentorkitError(f"{folder}: dataset {name!r} is not there (is this a source checkout of mentorkit?)")
    return folder


def load(name: str):
    """Load dataset *name* with its loader (program datasets return :class:`~mentorkit.program.ProgramData`).

    >>> len(load("program_sample").pairs)
    600
    """
    folder = path(name)
    loader = _INDEX[name].loader
    if loader is None:
        raise MentorkitError(f"dataset {name!r} has no loader here; read its files from {folder}")
    return loader(folder)
