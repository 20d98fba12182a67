"""Stage 2 of loading: reading one raw file (CSV/TSV, Excel, Parquet) into codes and unique values,
with file-level problems (encoding, byte-order mark, line ends, ragged rows) recorded, not raised."""
from __future__ import annotations

import codecs
import io
import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet")


# ============================================================ reading raw files

def _is_missing(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, (float, np.floating)) and np.isnan(v))


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
    codes = pc.fill_null(idx, -1).to_numpy()   # int32: half the memory of int64 codes, one per cell
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


#: Arrow's CSV block: the longest row or cell that can be read
BLOCK = 1 << 22
#: the widest header line read
MAX_HEADER = 1 << 24


def _read_csv_checked(path: Path, display: str) -> _Raw | None:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    problems: list[tuple] = []
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if _binary(head):
        return _unreadable(display, problems, "it is not a text file (it holds binary data)")
    source = path
    if b"\r" in head and b"\n" not in head:
        # old-Mac line ends (CR only): read with each CR taken as a line end
        _file_problem(problems, "file has old Mac (CR-only) line ends; read normally", "warning")
        source = io.BytesIO(path.read_bytes().replace(b"\r", b"\n"))
        head = source.getvalue()[: 1 << 16]
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
    # header: first line, decoded on its own, read whole however wide
    if encoding == "utf-16":
        text_head = head.decode("utf-16", errors="replace")
    else:
        first = _first_line(source, skip)
        if first is None:
            return _unreadable(display, problems, f"its header line is longer than {MAX_HEADER >> 20} MiB "
                                                  "(is it a CSV file?)")
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

        if isinstance(source, io.BytesIO):
            source.seek(0)
        table = pcsv.read_csv(
            source,
            read_options=pcsv.ReadOptions(column_names=safe_names, skip_rows=1, encoding=enc, use_threads=threads,
                                          block_size=BLOCK),
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
                body_all = source.getvalue() if isinstance(source, io.BytesIO) else path.read_bytes()
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
        text = " ".join(str(exc).split())
        if "straddling" in text or "block" in text.lower():
            text = f"a row or cell is longer than {BLOCK >> 20} MiB, the longest mentorkit reads"
        return _unreadable(display, problems, text)
    table = table.unify_dictionaries()
    n_valid = table.num_rows
    bad_rows = np.array(sorted(num for num, _, _ in invalid if num is not None), dtype=np.int64)
    all_rows = np.arange(2, 2 + n_valid + len(invalid), dtype=np.int64)
    rows = np.setdiff1d(all_rows, bad_rows, assume_unique=True)[:n_valid]
    codes, uniques = [], []
    columns = table.columns
    del table
    for j in range(len(columns)):
        k, u = _arrow_coded(columns[j])
        columns[j] = None   # the parsed column goes as soon as its codes are taken
        codes.append(k)
        uniques.append(u)
    pa.default_memory_pool().release_unused()   # give the parse buffers back before the next stages
    raw = _Raw(display, names, codes, uniques, rows, problems=problems)
    for num, text, ncells in sorted(invalid, key=lambda x: x[0] or 0):
        if text.strip():
            raw.invalid.append((num, text, f"row has {ncells} cells but the header has {len(names)}"))
    if _odd_quotes(source if isinstance(source, io.BytesIO) else path) and raw.n:
        # the file stops inside a quoted field: its last row is cut off and must not load as clean
        last = int(raw.rows[-1])
        _file_problem(raw, f"file ends inside a quoted field (it looks cut off); its last row (row {last}) is "
                           "not loaded", "error", row=last)
        keep = raw.rows != last
        raw.codes = [c[keep] for c in raw.codes]
        raw.rows = raw.rows[keep]
    _drop_blank(raw)
    return raw


def _read_csv(path: Path, display: str) -> _Raw | None:
    """A CSV/TSV file as read; whatever goes wrong is one 'cannot read' problem of this file."""
    try:
        return _read_csv_checked(path, display)
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        return _unreadable(display, [], f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")


def _unreadable(display: str, problems: list, why: str) -> _Raw:
    raw = _Raw(display, [], [], [], np.zeros(0, dtype=np.int64), problems=problems)
    _file_problem(raw, f"cannot read the file as CSV: {why}")
    return raw


def _binary(head: bytes) -> bool:
    """Whether the start of a file is binary data rather than text (NUL bytes, many control bytes)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head[:8192] if b < 32 and b not in (9, 10, 13))
    return len(head) > 0 and control / min(len(head), 8192) > 0.02


def _first_line(source, skip: int) -> bytes | None:
    """The header line (bytes, without its line end), read whole up to MAX_HEADER; None if longer."""
    if isinstance(source, io.BytesIO):
        data = source.getvalue()
        end = data.find(b"\n", skip)
        if end < 0:
            end = len(data)
        return data[skip:end] if end - skip <= MAX_HEADER else None
    with open(source, "rb") as fh:
        fh.seek(skip)
        line = fh.readline(MAX_HEADER + 1)
    if len(line) > MAX_HEADER and not line.endswith(b"\n"):
        return None
    return line.rstrip(b"\n")


def _odd_quotes(source) -> bool:
    """Whether a file holds an odd number of double quotes: it ends inside a quoted field."""
    n = 0
    if isinstance(source, io.BytesIO):
        return source.getvalue().count(b'"') % 2 == 1
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 23), b""):
            n += chunk.count(b'"')
    return n % 2 == 1





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
