"""Stage 3b of loading: fields a mapping derives from other columns of an export.

An HR snapshot rarely has the dates mentorkit's data model asks for: it has "years at company"
and an attrition flag, both as of the day the extract was taken. A mapping says so under
``derive`` (with the extract's ``snapshot_date``), one rule per mentorkit column::

    snapshot_date: 2024-06-30
    tables:
      participants:
        derive:
          hire_date: {from: YearsAtCompany, rule: years_before_snapshot}
          exit_date: {from: Attrition, rule: snapshot_if_true}
      outcomes:
        derive:
          index_date: {from: YearsAtCompany, rule: years_before_snapshot}
          exit_date: {from: Attrition, rule: snapshot_if_true, values: {"Left": true, "Active": false}}
          followup_end: {rule: snapshot}

Rules (every derived column is a date column):

``years_before_snapshot`` / ``months_before_snapshot`` / ``days_before_snapshot``
    the snapshot date minus the number in ``from`` (whole years and months go back on the
    calendar: 3 years before 2024-06-30 is 2021-06-30; a fraction of a year is 365.25 days
    times the fraction, a fraction of a month 30.4375 days times it);
``snapshot_if_true``
    the snapshot date where the yes/no column ``from`` is true, empty where it is false;
``snapshot``
    the snapshot date on every row.

``from`` names the export's column as written in the file (a column may also be renamed under
``columns``: then it feeds both fields, on purpose). Problems in it are reported under that
name, and the row is quarantined: a derived field is never guessed. A field that is both in the
file and derived, or whose source column is missing, quarantines every row with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.loading.cells import _Col, _Ctx, _parse_column, _Rows
from mentorkit.program.loading.readers import _file_problem, _Raw
from mentorkit.program.schema import Column, TableSpec

if TYPE_CHECKING:
    from mentorkit.program.loading.mapping import TableMapping

__all__ = ["DeriveRule", "RULES", "read_derive", "derive_column", "extra_targets"]

#: rule -> (needs a source column, the source's kind)
RULES = {
    "years_before_snapshot": (True, "number"),
    "months_before_snapshot": (True, "number"),
    "days_before_snapshot": (True, "number"),
    "snapshot_if_true": (True, "bool"),
    "snapshot": (False, None),
}
_KEYS = {"from", "rule", "values"}
#: largest span a ``*_before_snapshot`` rule accepts, per unit
_MAX_BACK = {"years_before_snapshot": 80, "months_before_snapshot": 960, "days_before_snapshot": 29220}


@dataclass(frozen=True)
class DeriveRule:
    """How one mentorkit column is derived (see the module docstring)."""

    rule: str
    source: str | None = None
    values: dict = field(default_factory=dict)


def read_derive(obj: Any, spec: TableSpec, source: str, where: str) -> dict[str, DeriveRule]:
    """Parse a table's ``derive:`` block; raise MentorkitError naming the mapping file and key."""
    if obj is None:
        return {}
    if not isinstance(obj, dict):
        raise MentorkitError(f"{source}: {where} must map a mentorkit column to {{from: COLUMN, rule: RULE}}")
    out = {}
    for col, r in obj.items():
        col = str(col)
        here = f"{where}.{col}"
        if col not in spec:
            raise MentorkitError(f"{source}: {here}: {spec.name} has no column {col!r}")
        if spec.column(col).kind not in ("date", "datetime"):
            raise MentorkitError(f"{source}: {here}: only date columns can be derived ({col} is a "
                                 f"{spec.column(col).kind} column)")
        if not isinstance(r, dict):
            raise MentorkitError(f"{source}: {here} must be {{from: COLUMN, rule: RULE}}")
        unknown = set(r) - _KEYS
        if unknown:
            raise MentorkitError(f"{source}: {here}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_KEYS)}")
        rule = str(r.get("rule", ""))
        if rule not in RULES:
            raise MentorkitError(f"{source}: {here}: rule {rule!r} is not one of {', '.join(RULES)}")
        needs, kind = RULES[rule]
        src = r.get("from")
        if needs and (src is None or not str(src).strip()):
            raise MentorkitError(f"{source}: {here}: rule {rule} needs from: (the export column it reads)")
        if not needs and src is not None:
            raise MentorkitError(f"{source}: {here}: rule {rule} reads no column; remove from: {src}")
        values = r.get("values") or {}
        if not isinstance(values, dict):
            raise MentorkitError(f"{source}: {here}.values must map an export value to a mentorkit value")
        if values and kind != "bool":
            raise MentorkitError(f"{source}: {here}.values: only snapshot_if_true reads coded values")
        out[col] = DeriveRule(rule, None if src is None else str(src).strip(), dict(values))
    return out


def extra_targets(spec: TableSpec, raw: _Raw, ctx: _Ctx, tmap: "TableMapping",
                  positions: dict[str, int]) -> dict[str, int]:
    """Add the further fields of renames written ``X: [a, b]`` (one export column feeding several fields)."""
    also = {**ctx.mapping.also, **tmap.also}
    if not also:
        return positions
    by_name = {h.strip(): j for j, h in enumerate(raw.names)}
    for export, targets in also.items():
        j = by_name.get(export.strip())
        if j is None or j in raw.personal:
            continue
        for t in targets:
            if t in positions and positions[t] != j:
                _file_problem(raw, f"column {export!r} is mapped to {t!r} too, but column {positions[t] + 1} "
                                   f"({raw.names[positions[t]].strip()!r}) already is {t}; using column "
                                   f"{positions[t] + 1}", "error", row=1, column=t)
                continue
            positions[t] = j
    return positions


def _snapshot_of(ctx: _Ctx, tmap: "TableMapping") -> pd.Timestamp:
    return tmap.snapshot_date if tmap.snapshot_date is not None else ctx.mapping.snapshot_date


def _back(snapshot: pd.Timestamp, amount: float, rule: str) -> np.datetime64:
    """*snapshot* minus *amount* of the rule's unit (whole years/months on the calendar)."""
    whole = int(np.floor(amount))
    frac = amount - whole
    if rule == "years_before_snapshot":
        ts = snapshot - pd.DateOffset(years=whole) - pd.Timedelta(days=round(frac * 365.25))
    elif rule == "months_before_snapshot":
        ts = snapshot - pd.DateOffset(months=whole) - pd.Timedelta(days=round(frac * 30.4375))
    else:
        ts = snapshot - pd.Timedelta(days=round(amount))
    return np.datetime64(ts.normalize().to_datetime64(), "ns")


def derive_column(c: Column, rule: DeriveRule, raw: _Raw, rows: _Rows, ctx: _Ctx, tmap: "TableMapping",
                  positions: dict[str, int]) -> _Col | None:
    """The derived column *c* (codes into dates), or None when it cannot be derived (reported)."""
    snapshot = _snapshot_of(ctx, tmap)
    n = raw.n
    if c.name in positions:
        _file_problem(raw, f"{c.name} is both a column of the file ({raw.names[positions[c.name]].strip()!r}) and "
                           f"derived by the mapping ({rule.rule}"
                           f"{' from ' + repr(rule.source) if rule.source else ''}); remove one of the two"
                           f"{'; every row is quarantined' if n else ''}", "error", row=1, column=c.name)
        return None
    snap = np.datetime64(snapshot.to_datetime64(), "ns")
    if rule.rule == "snapshot":
        return _Col(np.zeros(n, dtype=np.int64), np.array([snap, np.datetime64("NaT", "ns")]),
                    np.array([False, True]))
    by_name = {h.strip(): j for j, h in enumerate(raw.names)}
    j = by_name.get(rule.source)
    if j is None:
        low = {h.strip().lower(): k for k, h in enumerate(raw.names)}
        j = low.get(rule.source.lower())
    if j is None or j in raw.personal:
        _file_problem(raw, f"column {rule.source!r} is missing, so {c.name} cannot be derived ({rule.rule})"
                           f"{'; every row is quarantined' if n else ''}", "error", row=1, column=c.name)
        return None
    _, kind = RULES[rule.rule]
    if kind == "number":
        src_spec = Column(rule.source, "number", nullable=c.nullable, min=0, max=_MAX_BACK[rule.rule])
    else:
        src_spec = Column(rule.source, "bool", nullable=True)
    src = _parse_column(src_spec, raw.codes[j], raw.uniques[j], rows, ctx, rule.values or None, None)
    vals = src.values[:-1]
    out = np.full(len(vals), np.datetime64("NaT", "ns"), dtype="datetime64[ns]")
    if kind == "number":
        v = np.asarray(vals, dtype=float)
        ok = np.isfinite(v) & (v >= 0) & (v <= _MAX_BACK[rule.rule])
        for i in np.flatnonzero(ok):
            out[i] = _back(snapshot, float(v[i]), rule.rule)
    else:
        hit = np.array([x is True or x is np.True_ for x in vals], dtype=bool)
        out[hit] = snap
    empty = np.append(np.isnat(out), True)
    return _Col(src.codes, np.concatenate([out, np.array([np.datetime64("NaT", "ns")])]), empty)
