"""Small helpers shared by the analysis modules (not public API)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__: list[str] = []


def require_columns(df: pd.DataFrame, columns: Iterable[str], where: str) -> None:
    """Raise a :class:`MentorkitError` naming every column of *columns* missing from *df*."""
    if not isinstance(df, pd.DataFrame):
        raise MentorkitError(f"{where}: expected a table (pandas DataFrame), got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns[:12])) + (", ..." if len(df.columns) > 12 else "")
        raise MentorkitError(f"{where}: missing column(s) {', '.join(map(repr, missing))} (columns present: {have})")


def survey_people(data: ProgramData) -> pd.DataFrame:
    """The mentees and comparison-group members, one row each, indexed by ``participant_id``."""
    require_columns(data.participants, ["participant_id", "role"], "participants")
    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    return parts[parts["role"].isin(["mentee", "comparison"])]


def survey_waves(data: ProgramData, people: pd.DataFrame, *, prefix: str, pre: str, post: str,
                 purpose: str = "") -> pd.DataFrame:
    """The answers of *people* to the *prefix* items in waves *pre* and *post*.

    One row per participant and item, a column per wave (the mean of repeated answers); a
    clear error (ending with *purpose*, e.g. ``" for power"``) when either wave is missing.
    """
    s = data.surveys
    s = s[s["participant_id"].isin(people.index) & s["wave"].isin([pre, post])
          & s["item"].astype(str).str.startswith(prefix)]
    wide = s.pivot_table(index=["participant_id", "item"], columns="wave", values="value", aggfunc="mean")
    if pre not in wide.columns or post not in wide.columns:
        raise MentorkitError(f"surveys: need both {pre!r} and {post!r} answers to {prefix}* items{purpose}")
    return wide


def wide_values(df: pd.DataFrame, *, id_col: str, item_col: str, wave_col: str, value_col: str,
                items: Sequence[str], waves: Sequence[str], ids: Sequence | None = None
                ) -> tuple[pd.Index, np.ndarray]:
    """Long survey answers as a dense array ``[person, item, wave]`` (mean of duplicates, NaN if absent).

    Much faster than ``pivot_table`` on millions of rows: rows are filtered on the few
    distinct items and waves, ids are factorised once and cells filled with ``bincount``.

    Returns
    -------
    (index, values)
        *index* holds the participant ids in the order of the first axis.
    """
    items, waves = list(items), list(waves)
    item_code = _codes_for(df[item_col], items)
    wave_code = _codes_for(df[wave_col], waves)
    keep = (item_code >= 0) & (wave_code >= 0)
    if ids is not None:
        keep[keep] = pd.Index(ids).get_indexer(df[id_col].to_numpy()[keep]) >= 0
    codes, uniques = pd.factorize(df[id_col].to_numpy()[keep])
    vals = pd.to_numeric(df[value_col].to_numpy()[keep], errors="coerce").astype(float)
    ok = np.isfinite(vals)
    cell = (codes * len(items) + item_code[keep]) * len(waves) + wave_code[keep]
    size = len(uniques) * len(items) * len(waves)
    total = np.bincount(cell[ok], weights=vals[ok], minlength=size)
    count = np.bincount(cell[ok], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return pd.Index(uniques), mean.reshape(len(uniques), len(items), len(waves))


def _codes_for(column: pd.Series, wanted: Sequence) -> np.ndarray:
    """Position of each row's value in *wanted* (-1 when absent), with one pass over the column."""
    codes, uniques = pd.factorize(column)
    lookup = pd.Index(list(wanted)).get_indexer(uniques)
    return np.where(codes >= 0, lookup[np.clip(codes, 0, None)] if len(lookup) else -1, -1)


def unique_values(column: pd.Series) -> list:
    """Distinct non-missing values of a column (one factorize pass; faster than ``dropna().unique()``)."""
    return list(pd.factorize(column)[1])
