"""Stage 1 of loading: the mapping file (renames, recodes, file names) and matching a file's
header to the data model's columns (stray spaces, case, personal-data columns left out)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mentorkit.errors import MentorkitError
from mentorkit.program.loading.readers import _file_problem, _Raw
from mentorkit.program.schema import TABLE_ORDER, TABLES, TableSpec

if TYPE_CHECKING:
    from mentorkit.program.loading.cells import _Ctx

#: column names that hold personal data and are not loaded unless mapped
PII_NAMES = frozenset({
    "name", "full_name", "fullname", "first_name", "firstname", "last_name", "lastname", "surname",
    "given_name", "family_name", "email", "e_mail", "email_address", "mail", "phone", "phone_number",
    "mobile", "telephone", "address", "home_address",
})


# ===================================================================== mapping

@dataclass
class TableMapping:
    """The mapping for one table (see the module docstring)."""

    file: str | None = None
    sheet: str | int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    date_format: str | None = None


@dataclass
class Mapping:
    """A parsed mapping file: renames, recodes and file names for an export."""

    source: str = "(no mapping)"
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict] = field(default_factory=dict)
    pseudonymise: list[str] = field(default_factory=list)
    item_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    tables: dict[str, TableMapping] = field(default_factory=dict)

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping()


_TOP_KEYS = {"date_format", "columns", "values", "pseudonymise", "item_ranges", "tables"}
_TABLE_KEYS = {"file", "sheet", "columns", "values", "defaults", "drop", "date_format"}


def _need(cond: bool, source: str, msg: str) -> None:
    if not cond:
        raise MentorkitError(f"{source}: {msg}")


def _str_dict(obj, source: str, where: str) -> dict[str, str]:
    _need(isinstance(obj, dict), source, f"{where} must be a mapping of export name to mentorkit name")
    return {str(k): str(v) for k, v in obj.items()}


def _values_dict(obj, source: str, where: str) -> dict[str, dict]:
    _need(isinstance(obj, dict), source, f"{where} must map a column name to {{export value: mentorkit value}}")
    out = {}
    for col, codes in obj.items():
        _need(isinstance(codes, dict), source, f"{where}.{col} must be a mapping of export value to mentorkit value")
        out[str(col)] = dict(codes)
    return out


def read_mapping(mapping: str | os.PathLike | dict | Mapping | None) -> Mapping:
    """Parse a mapping file (YAML), a dict of the same shape, or None.

    Raises MentorkitError naming the file and the key for anything it does
    not understand.

    >>> m = read_mapping({"columns": {"EmployeeNumber": "participant_id"},
    ...                   "tables": {"participants": {"file": "people.csv"}}})
    >>> m.table("participants").file, m.columns
    ('people.csv', {'EmployeeNumber': 'participant_id'})
    """
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        raw, source = mapping, "mapping"
    else:
        import yaml
        p = Path(mapping)
        source = str(p)
        try:
            text = p.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MentorkitError(f"{p}: mapping file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise MentorkitError(f"{p}: cannot read the mapping file: {exc}") from None
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise MentorkitError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
    _need(isinstance(raw, dict), source, "a mapping file must be a YAML mapping (key: value)")
    unknown = set(raw) - _TOP_KEYS
    _need(not unknown, source, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    m = Mapping(source=source)
    if raw.get("date_format") is not None:
        m.date_format = str(raw["date_format"])
    m.columns = _str_dict(raw.get("columns") or {}, source, "columns")
    m.values = _values_dict(raw.get("values") or {}, source, "values")
    pseud = raw.get("pseudonymise") or []
    _need(isinstance(pseud, list), source, "pseudonymise must be a list of column names")
    m.pseudonymise = [str(x) for x in pseud]
    ranges = raw.get("item_ranges") or {}
    _need(isinstance(ranges, dict), source, "item_ranges must map an item pattern to [low, high]")
    for k, v in ranges.items():
        ok = isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v) and v[0] <= v[1]
        _need(ok, source, f"item_ranges.{k} must be [low, high] with low <= high")
        m.item_ranges[str(k)] = (float(v[0]), float(v[1]))
    tables = raw.get("tables") or {}
    _need(isinstance(tables, dict), source, "tables must map a table name to its settings")
    for t, tm in tables.items():
        _need(t in TABLES, source, f"tables.{t}: unknown table; tables are {list(TABLE_ORDER)}")
        tm = tm or {}
        _need(isinstance(tm, dict), source, f"tables.{t} must be a mapping")
        unknown = set(tm) - _TABLE_KEYS
        _need(not unknown, source, f"tables.{t}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}")
        drop = tm.get("drop") or []
        _need(isinstance(drop, list), source, f"tables.{t}.drop must be a list of column names")
        defaults = tm.get("defaults") or {}
        _need(isinstance(defaults, dict), source, f"tables.{t}.defaults must map a column to a value")
        m.tables[t] = TableMapping(
            file=None if tm.get("file") is None else str(tm["file"]),
            sheet=tm.get("sheet"),
            columns=_str_dict(tm.get("columns") or {}, source, f"tables.{t}.columns"),
            values=_values_dict(tm.get("values") or {}, source, f"tables.{t}.values"),
            defaults={str(k): v for k, v in defaults.items()},
            drop=[str(x) for x in drop],
            date_format=None if tm.get("date_format") is None else str(tm["date_format"]),
        )
    return m



def _norm_name(name: str) -> str:
    return re.sub(r"[\s\-\.]+", "_", name.strip()).lower()


def _personal(name: str, raw: _Raw, j: int) -> str | None:
    """Why an extra column holds personal data (its name, or a sample of its cells), or None."""
    from mentorkit.privacy import pii_column_reason
    from mentorkit.program.loading.readers import _take_raw

    if _norm_name(name) in PII_NAMES:
        return "a name, e-mail or phone number"
    u = raw.uniques[j] if j < len(raw.uniques) else []
    k = min(len(u), 200)
    sample = [] if k == 0 else list(_take_raw(u, np.arange(k, dtype=np.int64)))
    return pii_column_reason(name, [v for v in sample if isinstance(v, str)] if sample else None)


def _resolve_columns(spec: TableSpec, raw: _Raw, ctx: _Ctx, tmap: TableMapping) -> dict[str, int]:
    """Map mentorkit column names (and kept extra columns) to raw column positions."""
    rename = {**ctx.mapping.columns, **tmap.columns}
    drop = set(tmap.drop)
    out: dict[str, int] = {}
    for j, h in enumerate(raw.names):
        hs = h.strip()
        if h in drop or hs in drop:
            continue
        if not hs:
            empty = raw.codes[j] < 0 if j < len(raw.codes) else np.ones(0, dtype=bool)
            if empty.all():
                continue   # a trailing delimiter: an unnamed, empty column
            _file_problem(raw, f"column {j + 1} has no name; kept as column_{j + 1}", "warning", row=1)
            hs = f"column_{j + 1}"
        if h in rename or hs in rename:
            target = rename.get(h, rename.get(hs))
            if h != hs and h not in rename:
                _file_problem(raw, f"stray spaces in column name {h!r}", "warning", row=1, column=target)
        elif hs in spec:
            target = hs
            if h != hs:
                _file_problem(raw, f"stray spaces in column name {h!r}", "warning", row=1, column=hs)
        elif _norm_name(hs) in spec:
            target = _norm_name(hs)
            _file_problem(raw, f"column {h!r} read as {target}", "warning", row=1, column=target)
        else:
            target = hs
        if target in drop:
            continue
        why = None if target in spec else _personal(target, raw, j)
        if why:
            _file_problem(raw, f"column {h!r} looks like personal data ({why}) and was not loaded (nor written "
                               "to the quarantine, which keeps the row number and the reason); list it under "
                               "drop: in the mapping to silence this", "warning", row=1, column=h.strip() or None)
            raw.personal.add(j)
            continue
        if target in out:
            _file_problem(raw, f"two columns map to {target!r} (columns {out[target] + 1} and {j + 1}); "
                               f"using column {out[target] + 1}", "error", row=1, column=target)
            continue
        out[target] = j
    return out
