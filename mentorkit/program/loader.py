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
    snapshot_date: 2024-06-30      # the day an HR extract was taken (for derived dates)
    columns: {EmployeeNumber: participant_id}           # export name: mentorkit name
    values:  {mentored: {"Yes": true, "No": false}}     # mentorkit column: {export: mentorkit}
    pseudonymise: all              # every id column as salted hashes (needs MENTORKIT_SALT); or a list
                                   # that names all of participant_id, mentor_id, mentee_id, sponsor_id
    item_ranges: {"eng_*": [1, 5]}                      # score ranges of your own survey items
    tables:
      participants:
        file: hris_people.csv      # default <table>.csv/.tsv/.xlsx/.parquet
        sheet: People              # Excel only
        columns: {InProgram: [mentored, role]}   # one export column feeding two fields, on purpose
        values: {...}
        defaults: {channel: video, region: null} # fill a missing column with one value (null: empty)
        drop: [Notes]              # columns not to load
        date_format: "%m/%d/%Y"
        derive:                    # dates from other columns (see mentorkit.program.loading.derive)
          hire_date: {from: YearsAtCompany, rule: years_before_snapshot}
          exit_date: {from: Attrition, rule: snapshot_if_true}

Quote keys such as ``"Yes"`` in YAML; unquoted ``Yes``/``No``/``On``/``Off``
are read as booleans and then match any of yes/true/on (no/false/off). A key
written twice in one mapping is refused (with the file and both lines): YAML
would silently keep the last one. Two export columns for one field are an
error on the file's header; one export column for several fields only as a
list, as above.

Example
-------
>>> from mentorkit.datasets import path
>>> from mentorkit.program import load
>>> data = load(path("program_sample"))
>>> data.report.ok, data.report.balanced
(True, True)
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.data import PROBLEM_COLUMNS, ProgramData, ProgramDataError, ValidationReport
from mentorkit.program.loading.cells import _as_text, _Col, _Ctx, _parse_column, _Rows
from mentorkit.program.loading.derive import derive_column, extra_targets
from mentorkit.program.loading.mapping import Mapping, TableMapping, _resolve_columns, read_mapping
from mentorkit.program.loading.quarantine import (QUARANTINE_DIRNAME, _build_problem_frame, _quarantine_frame,
                                                  _write_quarantine)
from mentorkit.program.loading.readers import SUFFIXES, _file_problem, _objects, _Raw, _read_any
from mentorkit.program.loading.rules import _check_duplicates, _check_reference, _row_rules, _session_after_start
from mentorkit.program.schema import TABLE_ORDER, TABLES, TableSpec
from mentorkit.program.tables import empty_table, write_table

__all__ = ["load", "validate", "read_mapping", "Mapping", "TableMapping", "empty_table", "write_table",
           "SUFFIXES", "QUARANTINE_DIRNAME"]


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
    positions = extra_targets(spec, raw, ctx, tmap, _resolve_columns(spec, raw, ctx, tmap)) if raw.names else {}
    cols: dict[str, _Col] = {}
    missing = []
    date_format = tmap.date_format or ctx.mapping.date_format
    underived = False
    for c in spec.columns:
        vmap = {**ctx.mapping.values.get(c.name, {}), **tmap.values.get(c.name, {})} or None
        if c.name in tmap.derive and raw.names:
            col = derive_column(c, tmap.derive[c.name], raw, rows, ctx, tmap, positions)
            if col is None:
                underived = True
            else:
                cols[c.name] = col
        elif c.name in positions:
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
    if missing or underived:
        rows.reject_all()
        missing = missing + [f"{c}: cannot be derived by the mapping (see the problem on row 1)"
                             for c in tmap.derive if c not in cols and raw.names]
    if n and not missing:
        _row_rules(spec, cols, rows, ctx)
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


# ==================================================================== loading

def _listing(folder: Path) -> dict[str, Path]:
    return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}


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
    del frames
    for tab in tables.values():
        tab.problems = None   # the report holds them now: one copy of a long report, not two
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
