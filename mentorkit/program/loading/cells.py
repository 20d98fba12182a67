"""Stage 3 of loading: typing cells. Each column's unique raw values are recoded, parsed into the
column's kind (id, text, category, time zone, number, bool, date, datetime) and checked against its
spec (required, range, allowed values); problems are recorded per row in :class:`_Rows`."""
from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mentorkit.program.loading.readers import _is_arrow, _is_missing, _objects
from mentorkit.program.schema import DATE_RANGE, Column

if TYPE_CHECKING:
    from mentorkit.program.loading.mapping import Mapping

_TRUE = frozenset({"true", "t", "yes", "y", "1", "1.0"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "0.0"})
_YAML_TRUE = frozenset({"yes", "true", "on"})
_YAML_FALSE = frozenset({"no", "false", "off"})
_TIMEZONES = frozenset(zoneinfo.available_timezones()) | {"UTC"}
_TZ_BY_LOWER = {t.lower(): t for t in _TIMEZONES}




# ====================================================== column values (uniques)

@dataclass
class _Col:
    """A parsed column: per-row codes into parsed unique values (the last slot is the empty cell)."""

    codes: np.ndarray      # per row, index into values (len(values) - 1 = empty cell)
    values: np.ndarray     # parsed value per unique, then the empty value
    empty: np.ndarray      # per unique: the cell was empty; then True for the empty slot

    def take(self, rows=None) -> np.ndarray:
        return self.values[self.codes if rows is None else self.codes[rows]]


def _repeat(value, n: int) -> np.ndarray:
    """An object array of *n* references to one value (``np.full`` would make *n* copies of a string)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


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
            msg = _repeat(message, len(idx))
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


def _as_text(u: np.ndarray) -> np.ndarray:
    """Raw uniques as text, with mentorkit's spreadsheet quote removed
    (:func:`mentorkit.privacy.unescape_spreadsheet`, the inverse of the one escaper)."""
    from mentorkit.privacy import unescape_spreadsheet

    out = np.empty(len(u), dtype=object)
    for i, v in enumerate(u):
        if _is_missing(v):
            out[i] = None
        elif isinstance(v, str):
            out[i] = v
        elif isinstance(v, (bool, np.bool_)):
            out[i] = "true" if v else "false"
        elif isinstance(v, (float, np.floating)) and float(v).is_integer():
            out[i] = str(int(v))
        elif isinstance(v, (pd.Timestamp, np.datetime64)):
            out[i] = _fmt(v)
        else:
            out[i] = str(v)
    return unescape_spreadsheet(out)


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

        def category(v: str):
            hit = allowed.get(_canonical(v))
            return (hit, None) if hit is not None else (None, f"{v!r} is not one of: {', '.join(spec.allowed)}")
        return _look_up_each(recoded, category, rows, codes, name), None
    if spec.kind == "timezone":
        def timezone(v: str):
            if v in _TIMEZONES:
                return v, None
            if v.lower() in _TZ_BY_LOWER:
                return _TZ_BY_LOWER[v.lower()], ""  # repaired: a warning
            return None, f"{v!r} is not a time zone name (use an IANA name such as Europe/Berlin)"
        return _look_up_each(recoded, timezone, rows, codes, name), None
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


def _look_up_each(recoded, look, rows, codes, name: str) -> np.ndarray:
    """Each present value through ``look(text) -> (value, problem)``: a problem string rejects the
    cell (an error), ``""`` keeps the repaired value with a warning ("'x' read as 'y'")."""
    n = len(recoded)
    vals = np.empty(n, dtype=object)
    bad, warn = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    msg = np.full(n, "", dtype=object)
    for i, v in enumerate(recoded):
        if v is None:
            continue
        v = str(v)
        vals[i], problem = look(v)
        if problem:
            bad[i], msg[i] = True, problem
        elif problem == "":
            warn[i], msg[i] = True, f"{v!r} read as {vals[i]!r}"
    rows.add_by_unique(codes, bad, name, msg)
    rows.add_by_unique(codes, warn, name, msg, "warning")
    return vals


def _parse_column(spec: Column, codes: np.ndarray, u, rows: _Rows, ctx: _Ctx,
                  vmap: dict | None, date_format: str | None) -> _Col:
    """Parse one column's unique values, report problems, return the parsed column."""
    name, n = spec.name, len(u)
    if len(codes) and codes.min() < 0:   # an empty cell: the slot past the uniques (else the reader's codes as they are)
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
    if not spec.nullable:   # a blank unique, or a cell the reader saw as empty (the slot past the uniques)
        rows.add(col.empty[codes], name, "empty cell; a value is required")
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
