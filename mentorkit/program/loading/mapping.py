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
    #: export column -> the further mentorkit columns it feeds (``columns: {X: [a, b]}``: ``a`` in columns)
    also: dict[str, list[str]] = field(default_factory=dict)
    #: mentorkit column -> how it is derived from other columns (:mod:`.derive`)
    derive: dict[str, Any] = field(default_factory=dict)
    snapshot_date: Any = None


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
    also: dict[str, list[str]] = field(default_factory=dict)
    snapshot_date: Any = None

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping()


_TOP_KEYS = {"date_format", "columns", "values", "pseudonymise", "item_ranges", "tables", "snapshot_date"}
_TABLE_KEYS = {"file", "sheet", "columns", "values", "defaults", "drop", "date_format", "derive", "snapshot_date"}


def _need(cond: bool, source: str, msg: str) -> None:
    if not cond:
        raise MentorkitError(f"{source}: {msg}")


def _str_dict(obj, source: str, where: str, also: dict[str, list[str]] | None = None) -> dict[str, str]:
    """Renames; ``X: [a, b]`` (one export column feeding several fields) puts ``a`` here, ``[b]`` in *also*."""
    _need(isinstance(obj, dict), source, f"{where} must be a mapping of export name to mentorkit name")
    out = {}
    for k, v in obj.items():
        if isinstance(v, list):
            _need(len(v) > 0 and all(isinstance(x, str) for x in v) and len(set(v)) == len(v), source,
                  f"{where}.{k}: a list of fields must name each mentorkit column once")
            _need(also is not None, source, f"{where}.{k}: only a column rename may feed several fields")
            out[str(k)] = v[0]
            if len(v) > 1:
                also[str(k)] = [str(x) for x in v[1:]]
        else:
            out[str(k)] = str(v)
    return out


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
            raw = yaml.load(text, Loader=_unique_key_loader(p)) or {}
        except MentorkitError:
            raise
        except yaml.YAMLError as exc:
            raise MentorkitError(f"{p}: not valid YAML: {' '.join(str(exc).split())}") from None
    _need(isinstance(raw, dict), source, "a mapping file must be a YAML mapping (key: value)")
    unknown = set(raw) - _TOP_KEYS
    _need(not unknown, source, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
    m = Mapping(source=source)
    if raw.get("date_format") is not None:
        m.date_format = str(raw["date_format"])
    m.columns = _str_dict(raw.get("columns") or {}, source, "columns", m.also)
    m.values = _values_dict(raw.get("values") or {}, source, "values")
    m.pseudonymise = _pseudonymise_list(raw.get("pseudonymise"), source)
    m.snapshot_date = _snapshot(raw.get("snapshot_date"), source, "snapshot_date")
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
        also: dict[str, list[str]] = {}
        m.tables[t] = TableMapping(
            file=None if tm.get("file") is None else str(tm["file"]),
            sheet=tm.get("sheet"),
            columns=_str_dict(tm.get("columns") or {}, source, f"tables.{t}.columns", also),
            values=_values_dict(tm.get("values") or {}, source, f"tables.{t}.values"),
            defaults={str(k): v for k, v in defaults.items()},
            drop=[str(x) for x in drop],
            date_format=None if tm.get("date_format") is None else str(tm["date_format"]),
            also=also,
            snapshot_date=_snapshot(tm.get("snapshot_date"), source, f"tables.{t}.snapshot_date"),
        )
        from mentorkit.program.loading.derive import read_derive
        m.tables[t].derive = read_derive(tm.get("derive"), TABLES[t], source, f"tables.{t}.derive")
        for col, rule in m.tables[t].derive.items():
            _need(rule.rule not in SNAPSHOT_RULES or m.tables[t].snapshot_date is not None
                  or m.snapshot_date is not None, source,
                  f"tables.{t}.derive.{col}: rule {rule.rule} needs a snapshot_date (the day the export was "
                  "taken), at the top of the mapping or under the table")
    return m


def _unique_key_loader(path: Path):
    """A YAML SafeLoader that refuses a key written twice in one mapping, naming the file and both lines."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                raise MentorkitError(f"{path}:{line}: key {key!r} is given twice in one mapping (first on line "
                                     f"{seen[key]}); YAML would keep only the last one. To feed two fields from "
                                     f"one column write {key}: [field_a, field_b]")
            seen[key] = line
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return Loader


#: the id columns of every table that hold a person's id (pseudonymised together or not at all)
PERSON_IDS = ("participant_id", "mentor_id", "mentee_id", "sponsor_id")
#: every id column of the data model (``pseudonymise: all``)
ALL_IDS = tuple(dict.fromkeys(c.name for t in TABLE_ORDER for c in TABLES[t].columns if c.kind == "id"))
SNAPSHOT_RULES = ("years_before_snapshot", "months_before_snapshot", "days_before_snapshot", "snapshot_if_true",
                  "snapshot")


def _pseudonymise_list(value, source: str) -> list[str]:
    """``pseudonymise: all`` (every id column) or a list that names every person-id column or none."""
    if value is None or value is False or value == []:
        return []
    if value is True or (isinstance(value, str) and value.strip().lower() == "all"):
        return list(ALL_IDS)
    _need(isinstance(value, list), source, "pseudonymise must be 'all' or a list of column names")
    cols = [str(x) for x in value]
    known = {c.name for t in TABLE_ORDER for c in TABLES[t].columns}
    unknown = [c for c in cols if c not in known]
    _need(not unknown, source, f"pseudonymise: unknown column(s) {unknown}; id columns are {list(ALL_IDS)}")
    named = [c for c in PERSON_IDS if c in cols]
    left = [c for c in PERSON_IDS if c not in cols]
    _need(not named or not left, source,
          f"pseudonymise lists {', '.join(named)} but not {', '.join(left)}: the same person must get the same "
          f"pseudonym in every table, or the ids no longer join; list all of {', '.join(PERSON_IDS)}, or write "
          "pseudonymise: all")
    return cols


def _snapshot(value, source: str, where: str):
    """The snapshot date (a YAML date or ISO text) as a Timestamp, or None."""
    import datetime as dt

    import pandas as pd
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return pd.Timestamp(value).normalize()
    try:
        return pd.Timestamp(str(value).strip()).normalize()
    except (ValueError, TypeError):
        raise MentorkitError(f"{source}: {where} must be a date like 2024-06-30, got {value!r}") from None



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
