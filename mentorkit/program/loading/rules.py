"""Stage 4 of loading: rules across the columns of a row (stated on each table's spec, see
:attr:`mentorkit.program.schema.TableSpec.row_rules`), ids across tables, and duplicate keys."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mentorkit.program.loading.cells import _Col, _Ctx, _fmt, _Rows
from mentorkit.program.schema import Column, TableSpec

if TYPE_CHECKING:
    from mentorkit.program.loader import _Table


class _ColsValues:
    """The parsed columns of one table seen as :class:`~mentorkit.program.schema.RowValues`."""

    def __init__(self, cols: dict[str, _Col], item_ranges=None):
        self.cols, self.item_ranges = cols, item_ranges

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name].take()

    def blank(self, name: str) -> np.ndarray:
        col = self.cols[name]
        return col.empty[col.codes]

    def coded(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        col = self.cols[name]
        return col.codes, col.values


def _row_rules(spec: TableSpec, cols: dict[str, _Col], rows: _Rows, ctx: _Ctx) -> None:
    """The table's rules across the columns of a row (``spec.row_rules``), each broken row reported."""
    values = _ColsValues(cols, ctx.mapping.item_ranges)
    for rule in spec.row_rules:
        if any(n not in cols for n in rule.needs):
            continue
        with np.errstate(invalid="ignore"):
            idx = np.flatnonzero(np.asarray(rule.broken(values), dtype=bool))
        if len(idx):
            rows.add(idx, rule.column, rule.messages(values, idx, _fmt))


def _check_reference(c: Column, col: _Col, rows: _Rows, done: dict[str, _Table]) -> None:
    ptable, pcol = c.references.split(".")
    parent = done.get(ptable)
    if parent is None:
        return
    if pcol in parent.all_ids:
        every = parent.all_ids[pcol]
        loaded_ids = pd.Index(every[parent.loaded])
        rejected_rows = pd.Series(parent.raw.rows[~parent.loaded], index=every[~parent.loaded])
        rejected_rows = rejected_rows[~rejected_rows.index.duplicated()]
    else:
        loaded_ids = pd.Index(parent.frame[pcol]) if pcol in parent.frame.columns else pd.Index([])
        rejected_rows = pd.Series([], dtype=np.int64)
    vals = col.values
    present = np.array([v is not None for v in vals], dtype=bool)
    ok = ~present | pd.Index(vals).isin(loaded_ids)
    if ok.all():
        return
    msgs = np.empty(len(vals), dtype=object)
    for i in np.flatnonzero(~ok):
        v = vals[i]
        if v in rejected_rows.index:
            msgs[i] = f"{c.name} {v!r} is in {parent.file} row {rejected_rows[v]}, which was quarantined"
        else:
            msgs[i] = f"unknown {c.name} {v!r}: not in {parent.file}"
    rows.add_by_unique(col.codes, ~ok[:-1], c.name, msgs[:-1])


def _session_after_start(cols: dict[str, _Col], rows: _Rows, pairs: _Table) -> None:
    if "pair_id" not in cols or "date" not in cols or "start_date" not in pairs.frame.columns:
        return
    start = pd.Series(pairs.frame["start_date"].to_numpy(), index=pairs.frame["pair_id"].to_numpy())
    start_u = start.reindex(pd.Index(cols["pair_id"].values)).to_numpy(dtype="datetime64[ns]")
    s = start_u[cols["pair_id"].codes]
    d = cols["date"].take()
    idx = np.flatnonzero(~np.isnat(s) & ~np.isnat(d) & (d < s))
    if len(idx):
        rows.add(idx, "date", [f"session date {_fmt(d[i])} is before the pair's start_date {_fmt(s[i])}" for i in idx])


def _canonical_codes(col: _Col) -> np.ndarray:
    vals = col.values
    if vals.dtype.kind == "M":
        key = vals.view(np.int64)
    else:
        key = vals
    canon, _ = pd.factorize(pd.Series(key), use_na_sentinel=True)
    return canon[col.codes]


def _check_duplicates(spec: TableSpec, cols: dict[str, _Col], rows: _Rows, row_numbers: np.ndarray) -> None:
    key = [k for k in spec.key if k in cols]
    if not key:
        return
    cand = np.flatnonzero(~rows.rejected)
    if len(cand) < 2:
        return
    keys = pd.DataFrame({k: _canonical_codes(cols[k])[cand] for k in key})
    dup = keys.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    groups = keys.groupby(key, sort=False).ngroup().to_numpy()
    _, first = np.unique(groups, return_index=True)
    # one message per duplicated key, shared by its repeats: a million repeats of a few hundred ids
    # make a few hundred strings, not a million
    hit, which = np.unique(groups[dup], return_inverse=True)
    at = cand[first[hit]]
    parts = [cols[k].take(at) for k in key]
    msgs = np.array([f"duplicate {', '.join(f'{k}={_fmt(p[i])}' for k, p in zip(key, parts))} "
                     f"(first seen in row {row_numbers[r]})" for i, r in enumerate(at)], dtype=object)
    rows.add(cand[dup], key[0], msgs[which])
