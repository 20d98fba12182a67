"""Selections of program data: by cohort, mentoring model, region and date range.

Every front (the dashboards, the command line, the report) cuts program data with these
functions, so "cohort A" means the same people everywhere. ``None`` means no filter.

* :func:`select_pairs`: the pairs whose *mentee* is in the cohort and region, in the model,
  with every table cut to those pairs and their people (what program health shows);
* :func:`select_cohort`: everyone of a cohort, mentees *and* comparison members, with their
  rows (what the outcomes view compares);
* :func:`date_window`: the pairs running at some point in a date range and their activity in it;
* :func:`select`: :func:`select_pairs` then :func:`date_window`, the whole filter bar at once.

Example
-------
>>> import mentorkit.datasets as ds
>>> d = ds.load("program_sample")
>>> set(select_pairs(d, model="group").pairs["model"])
{'group'}
>>> c = sorted(d.participants["cohort"].dropna().unique())[0]
>>> set(select_cohort(d, c).participants["cohort"]) == {c}
True
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from mentorkit.program.data import ProgramData

__all__ = ["select", "select_pairs", "select_cohort", "date_window", "options"]


def _by_people(data: ProgramData, people: pd.Series, pairs: pd.DataFrame, surveyed: pd.Series) -> ProgramData:
    ids = pairs["pair_id"]
    return dataclasses.replace(
        data, participants=data.participants[data.participants["participant_id"].isin(people)], pairs=pairs,
        sessions=data.sessions[data.sessions["pair_id"].isin(ids)], goals=data.goals[data.goals["pair_id"].isin(ids)],
        messages=data.messages[data.messages["pair_id"].isin(ids)],
        surveys=data.surveys[data.surveys["participant_id"].isin(surveyed)],
        outcomes=data.outcomes[data.outcomes["participant_id"].isin(surveyed)],
        comments=data.comments[data.comments["participant_id"].isin(surveyed)])


def select_pairs(data: ProgramData, *, cohort: str | None = None, model: str | None = None,
                 region: str | None = None) -> ProgramData:
    """The part of *data* about the pairs whose mentee is in *cohort* and *region*, in *model*.

    Returns a new :class:`~mentorkit.program.ProgramData` with every table cut to those
    pairs, their mentors and mentees (surveys, outcomes and comments: the mentees').
    """
    parts = data.participants
    mentees = parts[parts["role"] == "mentee"]
    if cohort is not None:
        mentees = mentees[mentees["cohort"] == cohort]
    if region is not None:
        mentees = mentees[mentees["region"] == region]
    pairs = data.pairs[data.pairs["mentee_id"].isin(mentees["participant_id"])]
    if model is not None:
        pairs = pairs[pairs["model"] == model]
    people = pd.concat([pairs["mentor_id"], pairs["mentee_id"]])
    return _by_people(data, people, pairs, pairs["mentee_id"])


def select_cohort(data: ProgramData, cohort: str | None) -> ProgramData:
    """Mentees, comparison members and mentors of *cohort* (``None``: everyone), with their rows."""
    if cohort is None:
        return data
    people = data.participants.loc[data.participants["cohort"] == cohort, "participant_id"]
    pairs = data.pairs[data.pairs["mentee_id"].isin(people)]
    return _by_people(data, people, pairs, people)


def date_window(data: ProgramData, start, end) -> ProgramData:
    """*data* cut to the pairs running at some point in ``[start, end]`` and the activity in it.

    Pairs that started before *start* are counted from *start* (so check-ins are planned
    only for the days inside the window); sessions and messages before *start* are left
    out. Goal snapshots are kept up to *end* (a goal's status history starts before the
    window). Activity after *end* is ignored by the engagement measures themselves.
    ``None`` for *start* or *end* leaves that side open.
    """
    p = data.pairs
    if start is None and end is None:
        return data
    start = p["start_date"].min() if start is None else pd.Timestamp(start)
    end = pd.Timestamp.max if end is None else pd.Timestamp(end)
    p = p[(p["start_date"] <= end) & (p["end_date"].isna() | (p["end_date"] >= start))].copy()
    p["start_date"] = p["start_date"].where(p["start_date"] >= start, start)
    ids = p["pair_id"]
    s = data.sessions
    s = s[s["pair_id"].isin(ids) & (s["date"] >= start)]
    m = data.messages
    m = m[m["pair_id"].isin(ids) & (m["sent_at"] >= start)]
    g = data.goals[data.goals["pair_id"].isin(ids)]
    return dataclasses.replace(data, pairs=p, sessions=s, messages=m, goals=g)


def select(data: ProgramData, *, cohort: str | None = None, model: str | None = None, region: str | None = None,
           start=None, end=None) -> ProgramData:
    """The pairs chosen by cohort, model and region (:func:`select_pairs`), in ``[start, end]``.

    >>> import mentorkit.datasets as ds
    >>> d = ds.load("program_sample")
    >>> len(select(d).pairs) == len(d.pairs)
    True
    """
    return date_window(select_pairs(data, cohort=cohort, model=model, region=region), start, end)


def options(values) -> list[str]:
    """The distinct values a filter can take, sorted as text (missing values left out).

    >>> options(["b", None, "a", "b"])
    ['a', 'b']
    """
    return sorted(str(v) for v in pd.Series(values).dropna().unique())
