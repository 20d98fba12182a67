"""Load a folder of program data, validate every row, and lose nothing.

:func:`load` reads one file per table (``participants.csv``, ``pairs.xlsx``,
``sessions.parquet``, ...; CSV, TSV, Excel ``.xlsx`` or Parquet) from a
folder, optionally through a mapping file that renames columns and recodes
values, validates every row against :mod:`mentorkit.program.schema`, and
returns a :class:`~mentorkit.program.data.ProgramData`.

What is checked (each problem is reported as ``FILE:ROW:COLUMN: message``;
ROW is the record number with the header as row 1, which is the line number
unless a cell holds a line break):

* files: missing or empty files, unreadable files, a byte-order mark,
  non-UTF-8 text (read as Windows-1252/Latin-1), CRLF line ends, rows with
  the wrong number of cells;
* columns: missing required columns, stray spaces or case in column names,
  columns that look like personal data (names, e-mails; not loaded);
* cells: empty required values, non-numeric numbers, values out of range
  (including each survey item's score range), unknown categories, stray
  spaces or case in categories, unparsable or implausible dates, invalid
  time zones;
* rows: impossible date orders (end before start, reply before send, exit
  before hire), contradictions (a missed session with a duration, an exit
  without a date), duplicate keys (the first row loads);
* across tables: ids that are unknown, or whose row was quarantined.

Warnings (byte-order mark, encoding, line ends, stray spaces, case) are
repaired and the row loads; errors quarantine the row. Rows read = rows
loaded + rows quarantined for every table. Rejected rows are written, as
read and with their reasons, to ``<folder>/_quarantine/<table>.csv`` (or the
``quarantine_dir`` given). With ``strict=True`` nothing loads when anything
at all was found: :class:`~mentorkit.program.data.ProgramDataError` carries
the report.

Mapping file (YAML), every key optional::

    date_format: "%d/%m/%Y"        # tried first; ISO 8601 is always accepted
    columns: {EmployeeNumber: participant_id}           # export name: mentorkit name
    values:  {mentored: {"Yes": true, "No": false}}     # mentorkit column: {export: mentorkit}
    pseudonymise: [participant_id, mentor_id, mentee_id]  # salted hashes (needs MENTORKIT_SALT)
    item_ranges: {"eng_*": [1, 5]}                      # score ranges of your own survey items
    tables:
      participants:
        file: hris_people.csv      # default <table>.csv/.tsv/.xlsx/.parquet
        sheet: People              # Excel only
        columns: {...}             # as above, for this table only
        values: {...}
        defaults: {channel: video} # fill a missing column with one value
        drop: [Notes]              # columns not to load
        date_format: "%m/%d/%Y"

Quote keys such as ``"Yes"`` in YAML; unquoted ``Yes``/``No``/``On``/``Off``
are read as booleans and then match any of yes/true/on (no/false/off).

Example
-------
>>> from mentorkit.datasets import path
>>> from mentorkit.program import load
>>> data = load(path("program_sample"))
>>> data.report.ok, data.report.balanced
(True, True)
"""
from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.data import PROBLEM_COLUMNS, ProgramData, ProgramDataError, ValidationReport
from mentorkit.program.schema import DATE_RANGE, TABLE_ORDER, TABLES, Column, TableSpec, item_ranges

__all__ = ["load", "validate", "read_mapping", "Mapping", "TableMapping", "empty_table", "write_table",
           "SUFFIXES", "QUARANTINE_DIRNAME"]

SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet")
QUARANTINE_DIRNAME = "_quarantine"

#: column names that hold personal data and are not loaded unless mapped
PII_NAMES = frozenset({
    "name", "full_name", "fullname", "first_name", "firstname", "last_name", "lastname", "surname",
    "given_name", "family_name", "email", "e_mail", "email_address", "mail", "phone", "phone_number",
    "mobile", "telephone", "address", "home_address",
})
_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})
_YAML_TRUE = frozenset({"yes", "true", "on"})
_YAML_FALSE = frozenset({"no", "false", "off"})
_QUOTED_FORMULA = re.compile(r"^'[=+\-@\t\r]")
_TIMEZONES = frozenset(zoneinfo.available_timezones()) | {"UTC"}
_TZ_BY_LOWER = {t.lower(): t for t in _TIMEZONES}


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


# ============================================================ reading raw files

@dataclass
class _Raw:
    """A file as read: every column as codes into raw unique values."""

    file: str
    names: list[str]                       # header names as written
    codes: list[np.ndarray]                # per column, -1 = empty cell
    uniques: list[np.ndarray]              # per column, raw values (str, or typed from Parquet)
    rows: np.ndarray                       # row number of each record
    invalid: list[tuple[int, str, str]] = field(default_factory=list)   # (row, raw text, reason)
    problems: list[tuple] = field(default_factory=list)                 # (row, column, message, severity)
    personal: set[int] = field(default_factory=set)                     # columns holding personal data

    @property
    def n(self) -> int:
        return len(self.rows)


def _file_problem(raw_or_list, message: str, severity: str = "error", row=None, column=None) -> None:
    target = raw_or_list.problems if isinstance(raw_or_list, _Raw) else raw_or_list
    target.append((row, column, message, severity))


def _coded(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(dtype=np.int64), np.asarray(series.cat.categories, dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _arrow_coded(col) -> tuple[np.ndarray, Any]:
    """Codes (-1 = empty) and the Arrow dictionary of a dictionary-encoded column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], type=pa.string())
    dictionary = col.chunks[0].dictionary
    idx = pa.chunked_array([c.indices for c in col.chunks], type=col.type.index_type)
    codes = pc.fill_null(idx, -1).to_numpy().astype(np.int64)
    return codes, dictionary


def _is_arrow(u) -> bool:
    return type(u).__module__.startswith("pyarrow")


def _objects(u) -> np.ndarray:
    """Unique values as a NumPy object array (Arrow arrays are converted)."""
    if _is_arrow(u):
        return np.asarray(u.to_numpy(zero_copy_only=False), dtype=object)
    return np.asarray(u, dtype=object)


def _take_raw(u, codes: np.ndarray) -> np.ndarray:
    """Raw values for some rows (None for empty cells)."""
    if len(u) == 0:
        return np.full(len(codes), None, dtype=object)
    safe = np.where(codes < 0, 0, codes)
    if _is_arrow(u):
        import pyarrow as pa
        vals = np.asarray(u.take(pa.array(safe)).to_numpy(zero_copy_only=False), dtype=object)
    else:
        vals = np.asarray(u, dtype=object)[safe]
    vals = vals.copy()
    vals[codes < 0] = None
    return vals


def _blank_uniques(u) -> np.ndarray:
    if _is_arrow(u):
        import pyarrow.compute as pc
        return np.asarray(pc.equal(pc.utf8_trim_whitespace(u), "").to_numpy(zero_copy_only=False), dtype=bool)
    return np.array([_is_missing(v) or (isinstance(v, str) and not v.strip()) for v in u], dtype=bool)


def _drop_blank(raw: _Raw) -> None:
    """Remove records in which every cell is empty (blank lines / rows)."""
    if not raw.codes or raw.n == 0:
        return
    blank = np.ones(raw.n, dtype=bool)
    for c, u in zip(raw.codes, raw.uniques):
        cand = np.flatnonzero(blank)
        if len(cand) == 0:
            return
        empty_u = np.append(_blank_uniques(u), True)
        blank[cand] = empty_u[np.where(c[cand] < 0, len(u), c[cand])]
    if not blank.any():
        return
    keep = ~blank
    raw.codes = [c[keep] for c in raw.codes]
    raw.rows = raw.rows[keep]


def _header_names(names: list) -> list[str]:
    return ["" if n is None else str(n) for n in names]


def _sniff_delimiter(line: str, suffix: str) -> str:
    if suffix == ".tsv":
        return "\t"
    counts = {d: line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(path: Path, display: str) -> _Raw | None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    problems: list[tuple] = []
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    encoding = "utf8"
    skip = 0
    if head.startswith(codecs.BOM_UTF8):
        _file_problem(problems, "file starts with a UTF-8 byte-order mark (BOM); read as UTF-8", "warning")
        skip = len(codecs.BOM_UTF8)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _file_problem(problems, "file is UTF-16 (it has a UTF-16 byte-order mark); read as UTF-16", "warning")
        encoding = "utf-16"
    body = head[skip:]
    if encoding == "utf8" and not body.strip():
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64), problems=problems)
        _file_problem(raw, "file is empty (no header, no rows)")
        return raw
    if encoding == "utf8" and b"\r\n" in body:
        _file_problem(problems, "file has Windows (CRLF) line ends; read normally", "warning")
    # header: first line, decoded on its own
    if encoding == "utf-16":
        text_head = head.decode("utf-16", errors="replace")
    else:
        first = body.split(b"\n", 1)[0]
        try:
            text_head = first.decode("utf-8")
        except UnicodeDecodeError:
            text_head = first.decode("cp1252", errors="replace")
    line = text_head.split("\n", 1)[0].rstrip("\r").lstrip("\ufeff")
    delimiter = _sniff_delimiter(line, path.suffix.lower())
    names = _header_names(next(csv.reader([line], delimiter=delimiter), []))
    if not names or all(not n.strip() for n in names):
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64), problems=problems)
        _file_problem(raw, "file has no header row (the first line is empty)")
        return raw
    safe_names = [f"c{i}" for i in range(len(names))]   # arrow needs unique names; real ones kept apart
    dt = pa.dictionary(pa.int32(), pa.string())

    def read(enc: str, threads: bool):
        invalid: list = []

        def handler(row):
            invalid.append((row.number, row.text, row.actual_columns))
            return "skip"

        table = pcsv.read_csv(
            path,
            read_options=pcsv.ReadOptions(column_names=safe_names, skip_rows=1, encoding=enc, use_threads=threads,
                                          block_size=1 << 22),
            parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                            invalid_row_handler=handler),
            convert_options=pcsv.ConvertOptions(column_types={n: dt for n in safe_names}, null_values=[""],
                                                strings_can_be_null=True, quoted_strings_can_be_null=True),
        )
        return table, invalid

    try:
        try:
            table, invalid = read(encoding, True)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) and "utf8" not in str(exc).lower():
                raise
            try:
                body_all = path.read_bytes()
                body_all.decode("cp1252")
                enc = "cp1252"
            except UnicodeDecodeError:
                enc = "latin-1"
            _file_problem(problems, f"file is not UTF-8; read as {'Windows-1252' if enc == 'cp1252' else 'Latin-1'} "
                                    "(save it as UTF-8 to avoid this)", "warning")
            encoding = enc
            table, invalid = read(encoding, True)
        if invalid and any(num is None for num, _, _ in invalid):
            table, invalid = read(encoding, False)
    except (pa.ArrowInvalid, OSError, UnicodeError) as exc:
        raw = _Raw(display, names, [], [], np.zeros(0, dtype=np.int64), problems=problems)
        _file_problem(raw, f"cannot read the file as CSV: {' '.join(str(exc).split())}")
        return raw
    table = table.unify_dictionaries()
    n_valid = table.num_rows
    bad_rows = np.array(sorted(num for num, _, _ in invalid if num is not None), dtype=np.int64)
    all_rows = np.arange(2, 2 + n_valid + len(invalid), dtype=np.int64)
    rows = np.setdiff1d(all_rows, bad_rows, assume_unique=True)[:n_valid]
    codes, uniques = [], []
    for col in table.columns:
        k, u = _arrow_coded(col)
        codes.append(k)
        uniques.append(u)
    raw = _Raw(display, names, codes, uniques, rows, problems=problems)
    for num, text, ncells in sorted(invalid, key=lambda x: x[0] or 0):
        if text.strip():
            raw.invalid.append((num, text, f"row has {ncells} cells but the header has {len(names)}"))
    _drop_blank(raw)
    return raw


def _excel_cell(v) -> Any:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (pd.Timestamp,)) or hasattr(v, "isoformat"):
        s = v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
        return s[:-9] if s.endswith(" 00:00:00") else s
    s = str(v)
    return s if s != "" else None


def _read_excel(path: Path, display: str, sheet) -> _Raw:
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None, dtype=object,
                              na_filter=False, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any failure to open the workbook is a problem with this file
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64))
        _file_problem(raw, f"cannot read the file as Excel (.xlsx): {type(exc).__name__}: {' '.join(str(exc).split())}")
        return raw
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64))
        _file_problem(raw, "file is empty (no header, no rows)")
        return raw
    names = [("" if _excel_cell(v) is None else _excel_cell(v)) for v in frame.iloc[0].tolist()]
    body = frame.iloc[1:]
    codes, uniques = [], []
    for j in range(frame.shape[1]):
        col = pd.Series([_excel_cell(v) for v in body.iloc[:, j].tolist()], dtype=object)
        k, u = _coded(col)
        codes.append(k)
        uniques.append(u)
    raw = _Raw(display, names, codes, uniques, np.arange(2, 2 + len(body), dtype=np.int64))
    _drop_blank(raw)
    return raw


def _read_parquet(path: Path, display: str) -> _Raw:
    import pyarrow as pa
    import pyarrow.parquet as pq
    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - any failure to open the file is a problem with this file
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64))
        _file_problem(raw, f"cannot read the file as Parquet: {type(exc).__name__}: {' '.join(str(exc).split())}")
        return raw
    names, codes, uniques = [], [], []
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = col.dictionary_encode()
        s = col.to_pandas()
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        k, u = _coded(s)
        names.append(str(name))
        codes.append(k)
        uniques.append(u)
    return _Raw(display, names, codes, uniques, np.arange(2, 2 + table.num_rows, dtype=np.int64))


def _read_any(path: Path, display: str, sheet=None) -> _Raw:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64))
        _file_problem(raw, "file is empty (0 bytes)")
        return raw
    if suffix in (".csv", ".tsv"):
        return _read_csv(path, display)
    if suffix == ".xlsx":
        return _read_excel(path, display, sheet)
    if suffix == ".parquet":
        return _read_parquet(path, display)
    raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64))
    _file_problem(raw, f"unsupported file type {suffix!r}; use .csv, .tsv, .xlsx or .parquet")
    return raw


# ====================================================== column values (uniques)

@dataclass
class _Col:
    """A parsed column: per-row codes into parsed unique values (the last slot is the empty cell)."""

    codes: np.ndarray      # per row, index into values (len(values) - 1 = empty cell)
    values: np.ndarray     # parsed value per unique, then the empty value
    empty: np.ndarray      # per unique: the cell was empty; then True for the empty slot

    def take(self, rows=None) -> np.ndarray:
        return self.values[self.codes if rows is None else self.codes[rows]]


class _Rows:
    """Row-level problems of one table, kept as arrays."""

    def __init__(self, n: int):
        self.n = n
        self.idx: list[np.ndarray] = []
        self.col: list[str | None] = []
        self.msg: list[np.ndarray] = []
        self.sev: list[str] = []
        self._rejected = np.zeros(n, dtype=bool)

    def add(self, where, column: str | None, message, severity: str = "error") -> None:
        """Report rows (a boolean mask or row indices) with one message or one per row."""
        where = np.asarray(where)
        idx = np.flatnonzero(where) if where.dtype == bool else where.astype(np.int64)
        if len(idx) == 0:
            return
        if isinstance(message, str):
            msg = np.full(len(idx), message, dtype=object)
        else:
            msg = np.asarray(message, dtype=object)
        self.idx.append(idx)
        self.col.append(column)
        self.msg.append(msg)
        self.sev.append(severity)
        if severity == "error":
            self._rejected[idx] = True

    def add_by_unique(self, codes: np.ndarray, bad_u: np.ndarray, column: str, messages_u,
                      severity: str = "error") -> None:
        """Report every row whose value (by *codes*) is one of the flagged uniques.

        *bad_u* and *messages_u* have one entry per unique; *codes* may point
        one past the end (the empty cell), which is never flagged.
        """
        bad_u = np.append(np.asarray(bad_u, dtype=bool), False)
        if not bad_u.any():
            return
        idx = np.flatnonzero(bad_u[codes])
        if isinstance(messages_u, str):
            self.add(idx, column, messages_u, severity)
        else:
            msgs = np.append(np.asarray(messages_u, dtype=object), "")
            self.add(idx, column, msgs[codes[idx]], severity)

    def reject_all(self) -> None:
        self._rejected[:] = True

    @property
    def rejected(self) -> np.ndarray:
        return self._rejected


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:g}"
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.strftime("%Y-%m-%d %H:%M:%S")
    return repr(v) if isinstance(v, str) else str(v)


def _is_missing(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v))


def _as_text(u: np.ndarray) -> np.ndarray:
    """Raw uniques as text, with mentorkit's spreadsheet quote removed."""
    out = np.empty(len(u), dtype=object)
    for i, v in enumerate(u):
        if _is_missing(v):
            out[i] = None
        elif isinstance(v, str):
            out[i] = v[1:] if _QUOTED_FORMULA.match(v) else v
        elif isinstance(v, (bool, np.bool_)):
            out[i] = "true" if v else "false"
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out[i] = str(int(v))
        elif isinstance(v, (pd.Timestamp, np.datetime64)):
            out[i] = _fmt(v)
        else:
            out[i] = str(v)
    return out


def _recode(text: np.ndarray, vmap: dict | None) -> np.ndarray:
    """Apply a mapping's value recodes to stripped text uniques."""
    if not vmap:
        return text
    exact = {str(k).strip(): v for k, v in vmap.items() if not isinstance(k, bool)}
    yaml_bool = {k: v for k, v in vmap.items() if isinstance(k, bool)}
    out = text.copy()
    for i, t in enumerate(text):
        if t is None:
            continue
        if t in exact:
            out[i] = exact[t]
        elif yaml_bool:
            low = t.lower()
            if True in yaml_bool and low in _YAML_TRUE:
                out[i] = yaml_bool[True]
            elif False in yaml_bool and low in _YAML_FALSE:
                out[i] = yaml_bool[False]
    return out


def _canonical(value: str) -> str:
    return re.sub(r"[\s_\-]+", "-", value.strip().lower())


@dataclass
class _Ctx:
    """Settings shared by every table of one load."""

    mapping: Mapping
    salt: str | None


def _typed(u: np.ndarray, kind: str) -> bool:
    """Whether Parquet gave this column already in the right type."""
    if len(u) == 0 or _is_arrow(u):
        return False
    if kind == "number":
        return u.dtype.kind in "iuf" or all(isinstance(v, (int, float, np.integer, np.floating))
                                            and not isinstance(v, (bool, np.bool_)) for v in u)
    if kind in ("date", "datetime"):
        return u.dtype.kind == "M" or all(isinstance(v, (pd.Timestamp, np.datetime64)) for v in u)
    if kind == "bool":
        return u.dtype.kind == "b" or all(isinstance(v, (bool, np.bool_)) for v in u)
    return False


def _parse_date_strings(strs: np.ndarray, date_format: str | None) -> np.ndarray:
    """Strictly parse date strings: the mapping's format first, then ISO 8601 (offsets to UTC)."""
    strs = pd.Series(strs, dtype=object)
    parsed = pd.Series(pd.NaT, index=strs.index, dtype="datetime64[ns]")
    todo = strs.notna()
    if date_format and todo.any():
        parsed[todo] = pd.to_datetime(strs[todo], format=date_format, errors="coerce")
        todo &= parsed.isna()
    if todo.any():
        got = pd.to_datetime(strs[todo], format="ISO8601", errors="coerce", utc=True)
        parsed[todo] = got.dt.tz_convert(None)
    return parsed.to_numpy(dtype="datetime64[ns]")


def _parse_values(spec: Column, codes: np.ndarray, text: np.ndarray, recoded: np.ndarray, rows: _Rows,
                  ctx: _Ctx, date_format: str | None) -> tuple[np.ndarray, object]:
    """Parse recoded text uniques into values of the column's kind; report bad ones."""
    name, n = spec.name, len(recoded)
    if spec.kind in ("id", "text"):
        vals = np.array([None if v is None else str(v) for v in recoded], dtype=object)
        if spec.name in ctx.mapping.pseudonymise:
            from mentorkit.privacy import pseudonymise
            present = np.array([v is not None for v in vals], dtype=bool)
            if present.any():
                vals[present] = np.asarray(pseudonymise(list(vals[present]), salt=ctx.salt), dtype=object)
        return vals, None
    if spec.kind == "category":
        allowed = {_canonical(a): a for a in spec.allowed}
        vals = np.empty(n, dtype=object)
        bad, warn = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        msg = np.full(n, "", dtype=object)
        for i, v in enumerate(recoded):
            if v is None:
                continue
            v = str(v)
            hit = allowed.get(_canonical(v))
            vals[i] = hit
            if hit is None:
                bad[i] = True
                msg[i] = f"{v!r} is not one of: {', '.join(spec.allowed)}"
        rows.add_by_unique(codes, bad, name, msg)
        return vals, None
    if spec.kind == "timezone":
        vals = np.empty(n, dtype=object)
        bad, warn = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        msg = np.full(n, "", dtype=object)
        for i, v in enumerate(recoded):
            if v is None:
                continue
            v = str(v)
            if v in _TIMEZONES:
                vals[i] = v
            elif v.lower() in _TZ_BY_LOWER:
                vals[i] = _TZ_BY_LOWER[v.lower()]
                warn[i] = True
                msg[i] = f"{v!r} read as {vals[i]!r}"
            else:
                bad[i] = True
                msg[i] = f"{v!r} is not a time zone name (use an IANA name such as Europe/Berlin)"
        rows.add_by_unique(codes, bad, name, msg)
        rows.add_by_unique(codes, warn, name, msg, "warning")
        return vals, None
    if spec.kind == "number":
        as_obj = pd.Series([v if isinstance(v, (int, float)) and not isinstance(v, bool) else
                            (None if v is None else str(v)) for v in recoded], dtype=object)
        conv = pd.to_numeric(as_obj, errors="coerce").to_numpy(dtype=float) if n else np.zeros(0)
        present = np.array([v is not None for v in recoded], dtype=bool)
        bad = present & ~np.isfinite(conv)
        rows.add_by_unique(codes, bad, name, np.array([f"{v!r} is not a number" for v in recoded], dtype=object))
        return np.where(bad, np.nan, conv), np.nan
    if spec.kind == "bool":
        vals = np.empty(n, dtype=object)
        bad = np.zeros(n, dtype=bool)
        for i, v in enumerate(recoded):
            if v is None:
                continue
            if isinstance(v, (bool, np.bool_)):
                vals[i] = bool(v)
                continue
            low = str(v).strip().lower()
            if low in _TRUE:
                vals[i] = True
            elif low in _FALSE:
                vals[i] = False
            else:
                bad[i] = True
        rows.add_by_unique(codes, bad, name, np.array(
            [f"{v!r} is not a yes/no value (use true/false, yes/no or 1/0)" for v in recoded], dtype=object))
        return vals, None
    # date / datetime
    vals = _parse_date_strings(np.array([None if v is None else str(v) for v in recoded], dtype=object), date_format)
    bad = np.array([v is not None for v in recoded], dtype=bool) & np.isnat(vals)
    expected = f" (expected {date_format} or YYYY-MM-DD)" if date_format else " (expected YYYY-MM-DD)"
    rows.add_by_unique(codes, bad, name, np.array([f"{v!r} is not a valid date{expected}" for v in recoded],
                                                  dtype=object))
    return vals, np.datetime64("NaT", "ns")


_QUOTE_RE = "^'[=+\\-@\\t\\r]"


def _arrow_numbers(trimmed, empty) -> np.ndarray | None:
    """Arrow fast path: parse trimmed strings as float64, or None when any fails."""
    import pyarrow as pa
    import pyarrow.compute as pc
    try:
        vals = pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), trimmed), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return np.asarray(vals.to_numpy(zero_copy_only=False), dtype=float)


def _arrow_dates(trimmed, empty) -> np.ndarray:
    """Arrow fast path for ``YYYY-MM-DD`` and ``YYYY-MM-DD HH:MM:SS``; NaT where it does not apply.

    Arrow's ``strptime`` rolls impossible days over (30 February becomes
    2 March), so a parse is kept only when the day and month it gives are
    the ones written; everything else is left to the strict pandas parser.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    src = pc.if_else(empty, pa.scalar(None, pa.string()), trimmed)
    parsed = pa.nulls(len(src), type=pa.timestamp("ns"))
    for fmt, width in (("%Y-%m-%d", 10), ("%Y-%m-%d %H:%M:%S", 19)):
        got = pc.strptime(src, format=fmt, unit="ns", error_is_null=True)
        got = pc.if_else(pc.equal(pc.utf8_length(src), width), got, pa.scalar(None, pa.timestamp("ns")))
        parsed = pc.coalesce(parsed, got)
    ok = pc.is_valid(parsed)
    if pc.any(ok).as_py():
        day = pc.cast(pc.if_else(ok, pc.utf8_slice_codeunits(src, 8, 10), "01"), pa.int64())
        month = pc.cast(pc.if_else(ok, pc.utf8_slice_codeunits(src, 5, 7), "01"), pa.int64())
        same = pc.and_(pc.equal(pc.day(parsed), day), pc.equal(pc.month(parsed), month))
        parsed = pc.if_else(pc.fill_null(same, False), parsed, pa.scalar(None, pa.timestamp("ns")))
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype="datetime64[ns]")


def _parse_column(spec: Column, codes: np.ndarray, u, rows: _Rows, ctx: _Ctx,
                  vmap: dict | None, date_format: str | None) -> _Col:
    """Parse one column's unique values, report problems, return the parsed column."""
    name, n = spec.name, len(u)
    codes = np.where(codes < 0, n, codes)
    done = False
    if _is_arrow(u) and not vmap:
        import pyarrow.compute as pc
        if not pc.any(pc.match_substring_regex(u, _QUOTE_RE)).as_py():
            trimmed = pc.utf8_trim_whitespace(u)
            empty_a = pc.equal(trimmed, "")
            empty = np.asarray(empty_a.to_numpy(zero_copy_only=False), dtype=bool)
            stray = np.asarray(pc.and_(pc.not_equal(trimmed, u), pc.invert(empty_a)).to_numpy(zero_copy_only=False),
                               dtype=bool)
            if spec.kind == "number":
                vals = _arrow_numbers(trimmed, empty_a)
                if vals is not None and np.isfinite(vals[~empty]).all():
                    null, text, done = np.nan, u, True
            elif spec.kind in ("date", "datetime"):
                vals = _arrow_dates(trimmed, empty_a) if not date_format else \
                    np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
                left = ~empty & np.isnat(vals)
                if left.any():
                    rest = _objects(trimmed)[left]
                    parsed = _parse_date_strings(rest, date_format)
                    vals[left] = parsed
                    bad = np.zeros(n, dtype=bool)
                    bad[np.flatnonzero(left)[np.isnat(parsed)]] = True
                    if bad.any():
                        expected = f" (expected {date_format} or YYYY-MM-DD)" if date_format else \
                            " (expected YYYY-MM-DD)"
                        msgs = np.full(n, "", dtype=object)
                        for k in np.flatnonzero(bad):
                            msgs[k] = f"{str(u[k].as_py()).strip()!r} is not a valid date{expected}"
                        rows.add_by_unique(codes, bad, name, msgs)
                null, text, done = np.datetime64("NaT", "ns"), u, True
            elif spec.kind in ("id", "text") and spec.name not in ctx.mapping.pseudonymise:
                vals = _objects(trimmed if stray.any() else u)
                if empty.any():
                    vals = vals.copy()
                    vals[empty] = None
                null, text, done = None, u, True
            if done and stray.any() and spec.kind in ("category", "id", "timezone", "bool"):
                t_obj, s_obj = _objects(u), _objects(trimmed)
                msgs = np.full(n, "", dtype=object)
                for k in np.flatnonzero(stray):
                    msgs[k] = f"stray spaces in {t_obj[k]!r} (read as {s_obj[k]!r})"
                rows.add_by_unique(codes, stray, name, msgs, "warning")
    if done:
        pass
    elif not vmap and _typed(u, spec.kind):   # Parquet: already typed
        if spec.kind == "number":
            vals, null = np.asarray(u, dtype=float), np.nan
        elif spec.kind == "bool":
            vals, null = np.asarray(u, dtype=object), None
        else:
            vals = pd.to_datetime(pd.Series(u, dtype=object), utc=True).dt.tz_convert(None).to_numpy(
                dtype="datetime64[ns]")
            null = np.datetime64("NaT", "ns")
        empty = np.array([_is_missing(v) for v in u], dtype=bool)
        text = u
    else:
        text = _as_text(_objects(u))
        stripped = np.array([None if t is None else t.strip() for t in text], dtype=object)
        stray = np.array([t is not None and s != t and s != "" for t, s in zip(text, stripped)], dtype=bool)
        if stray.any() and spec.kind in ("category", "id", "timezone", "bool"):
            rows.add_by_unique(codes, stray, name, np.array(
                [f"stray spaces in {t!r} (read as {s!r})" for t, s in zip(text, stripped)], dtype=object), "warning")
        stripped = np.array([None if s == "" else s for s in stripped], dtype=object)
        recoded = _recode(stripped, vmap)
        empty = np.array([v is None for v in recoded], dtype=bool)
        vals, null = _parse_values(spec, codes, text, recoded, rows, ctx, date_format)
    vals = np.asarray(vals)
    tail = np.array([null], dtype=vals.dtype if vals.dtype != object else object)
    col = _Col(codes, np.concatenate([vals, tail]), np.append(np.asarray(empty, dtype=bool), True))
    if not spec.nullable:
        rows.add_by_unique(codes, empty, name, "empty cell; a value is required")
    if spec.kind == "number" and (spec.min is not None or spec.max is not None):
        v = np.asarray(vals, dtype=float)
        with np.errstate(invalid="ignore"):
            low = (v < spec.min) if spec.min is not None else np.zeros(n, dtype=bool)
            high = (v > spec.max) if spec.max is not None else np.zeros(n, dtype=bool)
        bad = low | high
        if bad.any():
            msgs = np.full(n, "", dtype=object)
            for k in np.flatnonzero(bad):
                msgs[k] = (f"value {_fmt(v[k])} is below the minimum {_fmt(float(spec.min))}" if low[k] else
                           f"value {_fmt(v[k])} is above the maximum {_fmt(float(spec.max))}")
            rows.add_by_unique(codes, bad, name, msgs)
    if spec.kind in ("date", "datetime"):
        v = np.asarray(vals, dtype="datetime64[ns]")
        out = ~np.isnat(v) & ((v < DATE_RANGE[0].to_datetime64()) | (v > DATE_RANGE[1].to_datetime64()))
        if out.any():
            msgs = np.full(n, "", dtype=object)
            for k in np.flatnonzero(out):
                msgs[k] = (f"date {_fmt(v[k])} is implausible (outside {DATE_RANGE[0]:%Y-%m-%d} to "
                           f"{DATE_RANGE[1]:%Y-%m-%d})")
            rows.add_by_unique(codes, out, name, msgs)
    return col


# ================================================================ one table

@dataclass
class _Table:
    name: str
    file: str
    frame: pd.DataFrame
    cols: dict[str, _Col]
    rows: _Rows
    raw: _Raw | None
    loaded: np.ndarray
    problems: pd.DataFrame
    quarantine: pd.DataFrame | None
    n_read: int
    all_ids: dict[str, np.ndarray] = field(default_factory=dict)


def _norm_name(name: str) -> str:
    return re.sub(r"[\s\-\.]+", "_", name.strip()).lower()


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
        if target not in spec and _norm_name(target) in PII_NAMES:
            _file_problem(raw, f"column {h!r} looks like personal data (a name, e-mail or phone number) and was "
                               "not loaded (nor written to the quarantine); list it under drop: in the mapping "
                               "to silence this", "warning", row=1, column=h.strip() or None)
            raw.personal.add(j)
            continue
        if target in out:
            _file_problem(raw, f"two columns map to {target!r} (columns {out[target] + 1} and {j + 1}); "
                               f"using column {out[target] + 1}", "error", row=1, column=target)
            continue
        out[target] = j
    return out


def _build_problem_frame(table: str, file: str, raw: _Raw | None, rows: _Rows, row_numbers: np.ndarray,
                         extra: list[tuple]) -> pd.DataFrame:
    parts = []
    file_level = (raw.problems if raw is not None else []) + extra
    if file_level:
        parts.append(pd.DataFrame({
            "table": table, "file": file,
            "row": pd.array([p[0] for p in file_level], dtype="Int64"),
            "column": [p[1] for p in file_level],
            "severity": [p[3] for p in file_level],
            "message": [p[2] for p in file_level],
        }))
    if raw is not None and raw.invalid:
        parts.append(pd.DataFrame({
            "table": table, "file": file,
            "row": pd.array([r for r, _, _ in raw.invalid], dtype="Int64"),
            "column": None, "severity": "error",
            "message": [m for _, _, m in raw.invalid],
        }))
    if rows.idx:
        idx = np.concatenate(rows.idx)
        parts.append(pd.DataFrame({
            "table": table, "file": file,
            "row": pd.array(row_numbers[idx], dtype="Int64"),
            "column": np.concatenate([np.full(len(i), c, dtype=object) for i, c in zip(rows.idx, rows.col)]),
            "severity": np.concatenate([np.full(len(i), s, dtype=object) for i, s in zip(rows.idx, rows.sev)]),
            "message": np.concatenate(rows.msg),
        }))
    if not parts:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    order = np.lexsort((out["row"].fillna(0).to_numpy(dtype=np.int64),))
    return out.iloc[order].reset_index(drop=True)[PROBLEM_COLUMNS]


def empty_table(table: str) -> pd.DataFrame:
    """An empty DataFrame with *table*'s required columns and their dtypes.

    >>> empty_table("messages").dtypes.astype(str).to_dict()
    {'pair_id': 'object', 'sent_at': 'datetime64[ns]', 'replied_at': 'datetime64[ns]'}
    """
    spec = TABLES[table]
    data = {}
    for c in spec.columns:
        if not c.required:
            continue
        dtype = {"number": "float64", "bool": "bool", "date": "datetime64[ns]",
                 "datetime": "datetime64[ns]"}.get(c.kind, object)
        data[c.name] = pd.Series([], dtype=dtype)
    return pd.DataFrame(data)


def _find_file(folder: Path, table: str, tmap: TableMapping, listing: dict[str, Path]) -> tuple[Path | None, list[tuple]]:
    notes: list[tuple] = []
    if tmap.file:
        p = folder / tmap.file
        if not p.exists():
            notes.append((None, None, f"the mapping names {tmap.file!r} for table {table}, but there is no such file",
                          "error"))
            return None, notes
        return p, notes
    found = [listing[f"{table}{s}"] for s in SUFFIXES if f"{table}{s}" in listing]
    if not found:
        if f"{table}.xls" in listing:
            notes.append((None, None, f"{table}.xls is an old Excel file; save it as .xlsx", "error"))
        elif TABLES[table].required:
            notes.append((None, None, f"no file for table {table} (looked for "
                                      f"{', '.join(table + s for s in SUFFIXES)})", "error"))
        return None, notes
    for other in found[1:]:
        notes.append((None, None, f"also found {other.name}; using {found[0].name}", "warning"))
    return found[0], notes


def _process(spec: TableSpec, folder: Path, ctx: _Ctx, done: dict[str, "_Table"], listing: dict[str, Path]) -> _Table:
    tmap = ctx.mapping.table(spec.name)
    path, notes = _find_file(folder, spec.name, tmap, listing)
    if path is None:
        display = tmap.file or f"{spec.name}.csv"
        rows = _Rows(0)
        probs = _build_problem_frame(spec.name, display, None, rows, np.zeros(0, dtype=np.int64), notes)
        return _Table(spec.name, display, empty_table(spec.name), {}, rows, None, np.zeros(0, dtype=bool), probs,
                      None, 0)
    display = path.name
    raw = _read_any(path, display, tmap.sheet)
    raw.problems[:0] = notes
    n = raw.n
    rows = _Rows(n)
    if raw.names and n == 0 and not raw.invalid and spec.required and not any(p[3] == "error" for p in raw.problems):
        _file_problem(raw, "file has a header but no data rows", "warning")
    positions = _resolve_columns(spec, raw, ctx, tmap) if raw.names else {}
    cols: dict[str, _Col] = {}
    missing = []
    date_format = tmap.date_format or ctx.mapping.date_format
    for c in spec.columns:
        vmap = {**ctx.mapping.values.get(c.name, {}), **tmap.values.get(c.name, {})} or None
        if c.name in positions:
            j = positions[c.name]
            cols[c.name] = _parse_column(c, raw.codes[j], raw.uniques[j], rows, ctx, vmap, date_format)
        elif c.name in tmap.defaults:
            u = np.array([tmap.defaults[c.name]], dtype=object)
            if isinstance(u[0], bool):
                u = np.array(["true" if u[0] else "false"], dtype=object)
            cols[c.name] = _parse_column(c, np.zeros(n, dtype=np.int64), _as_text(u), rows, ctx, vmap, date_format)
        elif c.required and raw.names:
            missing.append(c.name)
    for m in missing:
        _file_problem(raw, f"required column is missing{'; every row is quarantined' if n else ''}", "error",
                      row=1, column=m)
    if missing:
        rows.reject_all()
    if n and not missing:
        _row_rules(spec.name, cols, rows, ctx, done)
    # cross-table references
    for c in spec.columns:
        if c.references and c.name in cols and not missing:
            _check_reference(c, cols[c.name], rows, done)
    if spec.name == "sessions" and "pairs" in done and not missing and n:
        _session_after_start(cols, rows, done["pairs"])
    if spec.key and not missing and n:
        _check_duplicates(spec, cols, rows, raw.rows)
    loaded = ~rows.rejected
    frame = _assemble(spec, cols, raw, positions, loaded)
    problems = _build_problem_frame(spec.name, display, raw, rows, raw.rows, [])
    quarantine = _quarantine_frame(raw, rows, loaded, missing)
    all_ids = {}
    for k in spec.key[:1]:
        if k in cols:
            all_ids[k] = cols[k].take()
    return _Table(spec.name, display, frame, cols, rows, raw, loaded, problems, quarantine, n + len(raw.invalid),
                  all_ids)


def _dates(col: _Col) -> np.ndarray:
    return col.take()


def _row_rules(table: str, cols: dict[str, _Col], rows: _Rows, ctx: _Ctx, done: dict) -> None:
    """Checks that involve more than one column of the same row."""

    def before(later: str, earlier: str, message: str) -> None:
        if later not in cols or earlier not in cols:
            return
        a, b = _dates(cols[later]), _dates(cols[earlier])
        bad = ~np.isnat(a) & ~np.isnat(b) & (a < b)
        idx = np.flatnonzero(bad)
        if len(idx):
            rows.add(idx, later, [message.format(a=_fmt(a[i]), b=_fmt(b[i])) for i in idx])

    if table == "participants":
        before("exit_date", "hire_date", "exit_date {a} is before hire_date {b}")
        if "role" in cols and "mentored" in cols:
            role, ment = cols["role"].take(), cols["mentored"].take()
            rows.add((role == "comparison") & (ment == True), "mentored",  # noqa: E712 - object array
                     "a comparison-group participant cannot be mentored")
    elif table == "pairs":
        before("end_date", "start_date", "end_date {a} is before start_date {b}")
        if "mentor_id" in cols and "mentee_id" in cols:
            a, b = cols["mentor_id"].take(), cols["mentee_id"].take()
            rows.add((a == b) & np.array([x is not None for x in a]), "mentee_id",
                     "mentor and mentee are the same person")
    elif table == "sessions":
        if "attended" in cols and "duration_min" in cols:
            att, dur = cols["attended"].take(), cols["duration_min"].take().astype(float)
            with np.errstate(invalid="ignore"):
                rows.add((att == False) & (dur > 0), "duration_min",  # noqa: E712 - object array
                         "a missed session (attended is false) has a duration")
    elif table == "messages":
        before("replied_at", "sent_at", "replied_at {a} is before sent_at {b}")
    elif table == "surveys":
        if "item" in cols and "value" in cols:
            item, value = cols["item"], cols["value"]
            lo_u, hi_u = item_ranges([("" if v is None else v) for v in item.values], ctx.mapping.item_ranges)
            lo, hi = lo_u[item.codes], hi_u[item.codes]
            v = value.take().astype(float)
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(lo) & ~np.isnan(v) & ((v < lo) | (v > hi))
            idx = np.flatnonzero(bad)
            if len(idx):
                items = item.take(idx)
                rows.add(idx, "value", [f"value {_fmt(v[i])} is out of range {_fmt(lo[i])}-{_fmt(hi[i])} for "
                                        f"item {it}" for i, it in zip(idx, items)])
    elif table == "outcomes":
        if "exited" in cols and "exit_date" in cols:
            ex = cols["exited"].take()
            has = ~np.isnat(cols["exit_date"].take())
            empty = cols["exit_date"].empty[cols["exit_date"].codes]
            rows.add((ex == True) & empty, "exit_date", "exited is true but exit_date is empty")  # noqa: E712
            rows.add((ex == False) & has, "exit_date", "exit_date is given but exited is false")  # noqa: E712
        before("exit_date", "index_date", "exit_date {a} is before the start of follow-up index_date {b}")
        before("followup_end", "index_date", "followup_end {a} is before index_date {b}")
        if "exit_date" in cols and "followup_end" in cols:
            a, b = _dates(cols["exit_date"]), _dates(cols["followup_end"])
            idx = np.flatnonzero(~np.isnat(a) & ~np.isnat(b) & (a > b))
            if len(idx):
                rows.add(idx, "exit_date", [f"exit_date {_fmt(a[i])} is after followup_end {_fmt(b[i])}" for i in idx])


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
    first_row = row_numbers[cand[first]]
    idx = cand[dup]
    firsts = first_row[groups[dup]]
    parts = [cols[k].take(idx) for k in key]
    msgs = [f"duplicate {', '.join(f'{k}={_fmt(p[i])}' for k, p in zip(key, parts))} (first seen in row {f})"
            for i, f in enumerate(firsts)]
    rows.add(idx, key[0], msgs)


def _assemble(spec: TableSpec, cols: dict[str, _Col], raw: _Raw, positions: dict[str, int],
              loaded: np.ndarray) -> pd.DataFrame:
    rows = np.flatnonzero(loaded)
    data: dict[str, Any] = {}
    for c in spec.columns:
        if c.name not in cols:
            continue
        v = cols[c.name].take(rows)
        if c.kind == "number":
            v = v.astype(float)
        elif c.kind == "bool":
            v = v.astype(bool) if not c.nullable else pd.array(v, dtype="boolean")
        elif c.kind in ("date", "datetime"):
            v = v.astype("datetime64[ns]")
        data[c.name] = v
    for name, j in positions.items():
        if name in spec:
            continue
        u = np.append(_as_text(_objects(raw.uniques[j])), None)
        data[name] = u[np.where(raw.codes[j] < 0, len(u) - 1, raw.codes[j])[rows]]
    if not data:
        return empty_table(spec.name)
    frame = pd.DataFrame(data)
    for c in spec.required_columns:
        if c not in frame.columns:
            frame[c] = empty_table(spec.name)[c]
    return frame


def _quarantine_frame(raw: _Raw, rows: _Rows, loaded: np.ndarray, missing: list[str]) -> pd.DataFrame | None:
    rejected = np.flatnonzero(~loaded)
    if len(rejected) == 0 and not raw.invalid:
        return None
    reasons = pd.Series("", index=rejected, dtype=object)
    if rows.idx:
        idx = np.concatenate(rows.idx)
        sev = np.concatenate([np.full(len(i), s, dtype=object) for i, s in zip(rows.idx, rows.sev)])
        col = np.concatenate([np.full(len(i), c, dtype=object) for i, c in zip(rows.idx, rows.col)])
        msg = np.concatenate(rows.msg)
        err = sev == "error"
        if err.any():
            text = pd.Series([f"{c}: {m}" if c else m for c, m in zip(col[err], msg[err])], index=idx[err])
            joined = text.groupby(level=0, sort=True).agg("; ".join)
            reasons.loc[joined.index.intersection(reasons.index)] = joined
    if missing:
        extra = "; ".join(f"{m}: required column is missing" for m in missing)
        reasons = reasons.map(lambda r: f"{r}; {extra}" if r else extra)
    data = {"source_file": raw.file, "source_row": raw.rows[rejected], "reasons": reasons.to_numpy()}
    used = set(data)
    for j, name in enumerate(raw.names):
        if j in raw.personal:
            continue
        label = name if name not in used else f"{name}_{j + 1}"
        used.add(label)
        data[label] = _take_raw(raw.uniques[j], raw.codes[j][rejected])
    frame = pd.DataFrame(data)
    if raw.invalid:
        inv = pd.DataFrame({"source_file": raw.file, "source_row": [r for r, _, _ in raw.invalid],
                            "reasons": [m for _, _, m in raw.invalid], "raw_line": [t for _, t, _ in raw.invalid]})
        frame = pd.concat([frame, inv], ignore_index=True).sort_values("source_row", kind="stable")
    return frame.reset_index(drop=True)


# ==================================================================== loading

def _listing(folder: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}


def _quarantine_dir(folder: Path, quarantine_dir) -> Path:
    if quarantine_dir is not None:
        return Path(quarantine_dir)
    return folder / QUARANTINE_DIRNAME


def _write_quarantine(folder: Path, quarantine_dir, tables: dict[str, _Table], explicit: bool) -> dict[str, Path]:
    from mentorkit import config
    from mentorkit.privacy import to_csv_safe

    target = _quarantine_dir(folder, quarantine_dir)
    written: dict[str, Path] = {}
    todo = {t: tab.quarantine for t, tab in tables.items() if tab.quarantine is not None}
    for t in tables:
        stale = target / f"{t}.csv"
        if t not in todo and stale.exists():
            try:
                stale.unlink()
            except OSError:
                pass
    if not todo:
        return written
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / ".write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        if explicit:
            raise MentorkitError(f"{target}: cannot write the quarantine files: {exc}") from None
        target = config.cache_dir() / "quarantine" / (folder.name or "data")
        target.mkdir(parents=True, exist_ok=True)
    for t, frame in todo.items():
        written[t] = to_csv_safe(frame, target / f"{t}.csv")
    return written


def load(path: str | os.PathLike, mapping: str | os.PathLike | dict | Mapping | None = None, *,
         strict: bool = False, quarantine_dir: str | os.PathLike | None = None, salt: str | None = None,
         progress: bool = False) -> ProgramData:
    """Load and validate a folder of program data.

    Parameters
    ----------
    path : path-like
        A folder with one file per table (``participants.csv``, ...; CSV,
        TSV, ``.xlsx`` or ``.parquet``), and optionally ``truth.json``.
    mapping : path-like or dict, optional
        A YAML mapping file (see the module docstring) that names files,
        renames columns and recodes values.
    strict : bool
        When anything at all is found (errors or warnings), load nothing
        and raise :class:`~mentorkit.program.data.ProgramDataError` with
        the full report.
    quarantine_dir : path-like, optional
        Where rejected rows are written, one ``<table>.csv`` per table
        (default ``<path>/_quarantine``; when that folder cannot be
        written, the cache folder).
    salt : str, optional
        The pseudonym salt for columns the mapping lists under
        ``pseudonymise`` (default: the configured ``MENTORKIT_SALT``).
    progress : bool
        Show a progress bar over the tables.

    Returns
    -------
    ProgramData
        The valid rows of every table, with ``.report`` (every problem and
        the row counts), ``.source`` and ``.truth``.

    Raises
    ------
    MentorkitError
        When *path* cannot be read (exit code 2), or the mapping is invalid.
    ProgramDataError
        In strict mode, when anything was found (exit code 1).

    Example
    -------
    >>> from mentorkit.datasets import path
    >>> data = load(path("program_sample"))
    >>> data.report.rows_read["participants"] == data.report.rows_loaded["participants"]
    True
    """
    folder = Path(path)
    if not folder.exists():
        raise MentorkitError(f"{folder}: no such folder")
    if not folder.is_dir():
        raise MentorkitError(f"{folder}: not a folder; pass the folder that holds participants.csv, pairs.csv, ...")
    try:
        listing = _listing(folder)
    except OSError as exc:
        raise MentorkitError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from None
    m = read_mapping(mapping)
    ctx = _Ctx(m, salt)
    if m.pseudonymise:
        from mentorkit.privacy import get_salt
        ctx.salt = get_salt(salt)
    expected = {f"{t}{s}" for t in TABLE_ORDER for s in SUFFIXES}
    named = {tm.file.lower() for tm in m.tables.values() if tm.file}
    if not (set(listing) & expected) and not (set(listing) & named):
        raise MentorkitError(f"{folder}: no program data files found (expected participants.csv, pairs.csv, ... "
                             f"as .csv, .tsv, .xlsx or .parquet{', or the files your mapping names' if named else ''})")
    tables: dict[str, _Table] = {}
    iterator: Iterable[str] = TABLE_ORDER
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(TABLE_ORDER, desc="validating", unit="table")
    for t in iterator:
        try:
            tables[t] = _process(TABLES[t], folder, ctx, tables, listing)
        except PermissionError as exc:
            raise MentorkitError(f"{folder}: cannot read {exc.filename or t}: permission denied") from None
    frames = [tab.problems for tab in tables.values() if len(tab.problems)]
    truth = None
    truth_path = folder / "truth.json"
    if truth_path.exists():
        try:
            truth = json.loads(truth_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            frames.append(pd.DataFrame([{"table": "truth", "file": "truth.json", "row": pd.NA, "column": None,
                                         "severity": "warning", "message": f"cannot read truth.json: {exc}"}]))
    problems = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PROBLEM_COLUMNS)
    counts = pd.DataFrame([{
        "table": t, "file": tab.file, "rows_read": tab.n_read, "rows_loaded": int(tab.loaded.sum()),
        "rows_quarantined": tab.n_read - int(tab.loaded.sum()),
    } for t, tab in tables.items() if tab.raw is not None or TABLES[t].required])
    report = ValidationReport(problems, counts, {}, strict, folder)
    if strict:
        if not report.ok:
            # nothing loads: every row read is held back (and nothing is written)
            report.counts["rows_loaded"] = 0
            report.counts["rows_quarantined"] = report.counts["rows_read"]
            first = report.problems[0]
            raise ProgramDataError(f"{folder}: {report.n_errors} error(s) and {report.n_warnings} warning(s) "
                                   f"found; strict mode loads nothing (first: {first})", report)
    else:
        report.quarantine_files = _write_quarantine(folder, quarantine_dir, tables, quarantine_dir is not None)
    data = ProgramData(**{t: tables[t].frame for t in TABLE_ORDER}, report=report, source=folder, truth=truth)
    return data


def validate(path: str | os.PathLike, mapping=None, **kwargs) -> ValidationReport:
    """Validate a folder and return the report (strict problems are returned, not raised).

    >>> from mentorkit.datasets import path
    >>> validate(path("program_sample")).ok
    True
    """
    strict = kwargs.pop("strict", False)
    try:
        return load(path, mapping, strict=strict, **kwargs).report
    except ProgramDataError as exc:
        return exc.report


# ==================================================================== writing

def write_table(df: pd.DataFrame, path: str | os.PathLike, table: str | None = None) -> Path:
    """Write one table as CSV or Parquet (by suffix) in the form :func:`load` reads.

    CSV: dates as ``YYYY-MM-DD``, times as ``YYYY-MM-DD HH:MM:SS`` (UTC),
    whole-number columns without ``.0``, text made spreadsheet-safe
    (:func:`mentorkit.privacy.to_csv_safe`).

    >>> import tempfile, os
    >>> df = pd.DataFrame({"participant_id": ["P1"], "wave": ["post"], "text": ["+1 agreed"]})
    >>> print(write_table(df, os.path.join(tempfile.mkdtemp(), "comments.csv")).read_text(), end="")
    participant_id,wave,text
    P1,post,'+1 agreed
    """
    from mentorkit.privacy import to_csv_safe

    path = Path(path)
    if path.suffix == ".parquet":
        df.to_parquet(path, index=False)
        return path
    out = {}
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s):
            v = s.to_numpy()
            ok = ~np.isnan(v)
            if ok.any() and np.all(np.mod(v[ok], 1) == 0) and np.all(np.abs(v[ok]) < 2 ** 53):
                s = s.astype("Int64")
        out[c] = s
    return to_csv_safe(pd.DataFrame(out, index=df.index), path)
