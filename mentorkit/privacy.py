"""Privacy by default: pseudonyms, small-cell suppression, name redaction, safe output.

Every export and dashboard in mentorkit goes through these functions:

* :func:`pseudonymise` turns identifiers into salted hashes (HMAC-SHA256).
  The salt comes from configuration (``MENTORKIT_SALT`` or ``salt`` in
  ``mentorkit.toml``), never from code; with no salt, exports are refused.
* :func:`suppress_small_cells` hides groups smaller than the minimum size
  (``MENTORKIT_MIN_GROUP``, default 5) and adds complementary suppression so
  a hidden cell cannot be worked out from totals or from other cells.
* :func:`redact_names` replaces person names found by spaCy's named-entity
  recogniser; :func:`safe_html` redacts and then escapes text for HTML.
* :func:`spreadsheet_safe` / :func:`to_csv_safe` neutralise cells that a
  spreadsheet would run as a formula (leading ``= + - @``, tab or carriage
  return) by prefixing a single quote; plain numbers such as ``-3.5`` are
  left alone. mentorkit's loader removes that quote again on reading.

Example
-------
>>> import pandas as pd
>>> from mentorkit.privacy import suppress_small_cells
>>> t = pd.DataFrame({"region": ["Europe", "Asia-Pacific", "Latin America"], "n": [40, 3, 12]})
>>> suppress_small_cells(t, "n")[["region", "n", "suppression"]].to_dict("list")
{'region': ['Europe', 'Asia-Pacific', 'Latin America'], 'n': [40.0, nan, nan], 'suppression': ['', 'primary', 'complementary']}
"""
from __future__ import annotations

import hashlib
import hmac
import html
import re
from collections import defaultdict, deque
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = [
    "get_salt", "pseudonymise", "min_group_size", "too_few", "suppress", "FLAG", "suppress_small_cells", "suppress_crosstab", "redact_names",
    "safe_html", "spreadsheet_safe", "to_csv_safe", "export_csv", "unescape_spreadsheet",
    "DEFAULT_ID_COLUMNS", "NAME_PLACEHOLDER",
]

#: the id columns :func:`export_csv` pseudonymises when present
DEFAULT_ID_COLUMNS = ("participant_id", "mentor_id", "mentee_id")
#: what :func:`redact_names` puts in place of a name
NAME_PLACEHOLDER = "[name]"

_NO_SALT = ("no pseudonym salt is configured: set the MENTORKIT_SALT environment variable "
            "(or 'salt' in mentorkit.toml) to a long random secret; "
            "pseudonymised exports are refused without it")


# ------------------------------------------------------------------ pseudonyms

def get_salt(salt: str | None = None) -> str:
    """Return *salt*, else the configured salt; raise when there is none.

    >>> get_salt("a-long-random-secret")
    'a-long-random-secret'
    """
    value = salt if salt is not None else config.get("salt")
    if value is None or not str(value).strip():
        raise MentorkitError(_NO_SALT)
    return str(value)


def _digest(key: bytes, value: str, prefix: str, length: int) -> str:
    return prefix + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:length]


def pseudonymise(values, salt: str | None = None, *, prefix: str = "P", length: int = 12):
    """Replace identifiers by salted hashes: ``prefix`` + *length* hex digits.

    The same value and salt always give the same pseudonym, so ids stay
    joinable across tables; without the salt the mapping cannot be rebuilt.
    Missing values stay missing.

    Parameters
    ----------
    values : str, sequence or Series
        Identifiers (anything; each is turned into text first).
    salt : str, optional
        The secret; default the configured ``MENTORKIT_SALT``.
    prefix : str
        Put in front of each pseudonym.
    length : int
        Hex digits kept (12 digits = 48 bits).

    Returns
    -------
    str, list or Series
        The same shape as *values*.

    Raises
    ------
    MentorkitError
        When no salt is given or configured (the message names MENTORKIT_SALT).

    Example
    -------
    >>> a = pseudonymise(["E1001", "E1002", "E1001"], salt="s3cret-salt")
    >>> a[0] == a[2], a[0] != a[1], len(a[0])
    (True, True, 13)
    """
    key = get_salt(salt).encode("utf-8")
    if length < 8 or length > 64:
        raise MentorkitError(f"pseudonym length must be 8-64 hex digits, got {length}")
    if isinstance(values, str):
        return _digest(key, values, prefix, length)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    hashed = np.array([_digest(key, str(u), prefix, length) for u in uniques] + [None], dtype=object)
    out = hashed[np.where(codes < 0, len(uniques), codes)]
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name, dtype=object)
    return out.tolist()


# --------------------------------------------------------- small-cell suppression

#: the one name of the flag every breakdown, analysis and screen gives a hidden cell
FLAG = "suppressed"


def min_group_size(min_size: int | None = None) -> int:
    """*min_size*, else the configured ``MENTORKIT_MIN_GROUP`` (default 5): the one place it is resolved.

    >>> min_group_size(3), min_group_size() >= 1
    (3, True)
    """
    value = int(config.get("min_group_size")) if min_size is None else int(min_size)
    if value < 1:
        raise MentorkitError(f"min_size must be at least 1, got {value}")
    return value


_min_size = min_group_size  # the older private name, kept for callers in this module


def too_few(n, min_size: int | None = None) -> bool:
    """Whether *n* people (or pairs, trainees, commenters) are too few to show anything about.

    The rule "fewer than the minimum group size: show nothing", written once.

    >>> too_few(4, 5), too_few(5, 5)
    (True, False)
    """
    return int(n) < min_group_size(min_size)


def suppress(table: pd.DataFrame, count_col: str, *, by: Sequence[str] | None = None,
             min_size: int | None = None, value_cols: Sequence[str] | None = None,
             reason: bool = True) -> pd.DataFrame:
    """Hide the small groups of a breakdown: :func:`suppress_small_cells`, also for an empty table.

    The one suppression wrapper the analyses and the screens call. The result gains the
    boolean :data:`FLAG` column (``suppressed``) and, with ``reason=True``, ``suppression``
    (``primary`` / ``complementary``). Screens pass ``reason=False``: whether a cell was hidden
    for being small or to protect a small one is itself a clue, so they do not show it.

    >>> t = pd.DataFrame({"model": ["group", "peer", "async"], "pairs": [30, 2, 9], "rate": [.8, .5, .7]})
    >>> out = suppress(t, "pairs", min_size=5, reason=False)
    >>> out[FLAG].tolist(), out["rate"].isna().tolist(), "suppression" in out
    ([False, True, True], [False, True, True], False)
    """
    if table.empty:
        out = table.copy()
        out[FLAG] = pd.Series(dtype=bool)
        if reason:
            out["suppression"] = pd.Series(dtype=object)
        return out
    out = suppress_small_cells(table, count_col, min_group_size(min_size), by=None if by is None else list(by),
                               value_cols=None if value_cols is None else list(value_cols))
    return out if reason else out.drop(columns=["suppression"])


def _lines(keys: np.ndarray) -> list[list[np.ndarray]]:
    """For each dimension, the groups of cells that share all other coordinates."""
    n, k = keys.shape
    out = []
    for d in range(k):
        others = [j for j in range(k) if j != d]
        if not others:
            out.append([np.arange(n)])
            continue
        sub = pd.DataFrame(keys[:, others])
        groups = sub.groupby(list(sub.columns), sort=False).indices
        out.append([np.asarray(v) for v in groups.values()])
    return out


def _on_cycle(cell: int, hidden: np.ndarray, keys: np.ndarray) -> bool:
    """Whether hidden *cell* lies on a cycle of hidden cells (2-D tables).

    Hidden cells are the edges of a bipartite graph (row values on one side,
    column values on the other). A hidden cell that is not on any cycle (a
    bridge) is fixed by the line totals; one on a cycle can move along it.
    """
    r0, c0 = keys[cell]
    adj: dict[tuple, list[tuple]] = defaultdict(list)
    for i in np.flatnonzero(hidden):
        if i == cell:
            continue
        a, b = ("r", keys[i, 0]), ("c", keys[i, 1])
        adj[a].append(b)
        adj[b].append(a)
    start, goal = ("r", r0), ("c", c0)
    seen, todo = {start}, deque([start])
    while todo:
        node = todo.popleft()
        if node == goal:
            return True
        for nxt in adj[node]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


def _complement(n: np.ndarray, hidden: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Add complementary suppression until no hidden cell can be recovered."""
    hidden = hidden.copy()
    lines = _lines(keys)
    # prefer non-zero complements (a hidden zero protects little), then the smallest
    order_key = np.where(n > 0, n, np.inf)
    changed = True
    while changed:
        changed = False
        for dim_lines in lines:
            for idx in dim_lines:
                h = hidden[idx]
                if h.sum() == 1 and (~h).any():
                    cand = idx[~h]
                    pick = cand[np.lexsort((n[cand], order_key[cand]))[0]]
                    hidden[pick] = True
                    changed = True
        if changed or keys.shape[1] != 2:
            continue
        # 2-D: a hidden cell that is a bridge is determined; close a rectangle through it
        index = {(keys[i, 0], keys[i, 1]): i for i in range(len(n))}
        for cell in np.flatnonzero(hidden & (n > 0)):
            if _on_cycle(cell, hidden, keys):
                continue
            r, c = keys[cell]
            best, best_cost = None, np.inf
            rows = {k[0] for k in index} - {r}
            cols = {k[1] for k in index} - {c}
            for r2 in rows:
                for c2 in cols:
                    corners = [index.get((r, c2)), index.get((r2, c)), index.get((r2, c2))]
                    if any(x is None for x in corners):
                        continue
                    cost = sum(0 if hidden[x] else (n[x] if n[x] > 0 else 0.5) for x in corners)
                    if cost < best_cost:
                        best, best_cost = corners, cost
            if best is None:  # no rectangle exists: hide the cell's whole row and column
                best = [i for (rr, cc), i in index.items() if rr == r or cc == c]
            for x in best:
                if not hidden[x]:
                    hidden[x] = True
                    changed = True
            if changed:
                break
    return hidden


def suppress_small_cells(df: pd.DataFrame, count_col: str = "n", min_size: int | None = None, *,
                         by: Sequence[str] | None = None, value_cols: Sequence[str] | None = None,
                         zero_is_safe: bool = False) -> pd.DataFrame:
    """Hide groups smaller than *min_size*, with complementary suppression.

    *df* is a breakdown in long form: one row per group (cell), the grouping
    columns *by*, a count column and any statistics (means, rates). A cell
    with ``count < min_size`` is hidden (primary suppression). Then, because
    the totals of each line (the whole table for a one-way breakdown; each
    row and each column for a two-way one) are taken to be public, more cells
    are hidden until no hidden cell can be worked out: every line holds zero
    or at least two hidden cells, and in two-way tables every hidden cell lies
    on a cycle of hidden cells (complementary suppression; the smallest
    non-zero cells are chosen).

    Parameters
    ----------
    df : DataFrame
        The breakdown, one row per group.
    count_col : str
        The column holding group sizes.
    min_size : int, optional
        Smallest group shown; default the configured ``MENTORKIT_MIN_GROUP`` (5).
    by : list of str, optional
        The grouping columns (one or two); default every column that is not
        numeric (other than *count_col*).
    value_cols : list of str, optional
        Statistics to hide along with the count; default every other numeric column.
    zero_is_safe : bool
        Show empty groups (count 0) instead of hiding them.

    Returns
    -------
    DataFrame
        A copy with hidden counts and statistics set to NaN, a boolean
        ``suppressed`` column and ``suppression`` (``"primary"``,
        ``"complementary"`` or ``""``).

    Example
    -------
    >>> t = pd.DataFrame({"dept": ["Sales", "HR", "Legal", "Ops"], "n": [30, 2, 9, 25],
    ...                   "mean_conf": [6.1, 7.0, 5.5, 6.4]})
    >>> out = suppress_small_cells(t, "n", min_size=5)
    >>> out["suppression"].tolist()
    ['', 'primary', 'complementary', '']
    >>> out["mean_conf"].isna().tolist()
    [False, True, True, False]
    """
    if count_col not in df.columns:
        raise MentorkitError(f"suppress_small_cells: no count column {count_col!r}; columns are {list(df.columns)}")
    m = _min_size(min_size)
    counts = pd.to_numeric(df[count_col], errors="coerce")
    if counts.isna().any() or (counts < 0).any():
        raise MentorkitError(f"suppress_small_cells: {count_col!r} must hold non-negative counts")
    if by is None:
        by = [c for c in df.columns if c != count_col and not pd.api.types.is_numeric_dtype(df[c])]
    by = list(by)
    if not 1 <= len(by) <= 2:
        raise MentorkitError("suppress_small_cells handles one- or two-way breakdowns; "
                             f"pass by= with one or two grouping columns (got {by})")
    missing = [c for c in by if c not in df.columns]
    if missing:
        raise MentorkitError(f"suppress_small_cells: grouping column(s) {missing} not in the table")
    if df.duplicated(by).any():
        raise MentorkitError(f"suppress_small_cells: more than one row per group of {by}; aggregate first")
    if value_cols is None:
        value_cols = [c for c in df.columns
                      if c not in by and c != count_col and pd.api.types.is_numeric_dtype(df[c])
                      and c not in ("suppressed",)]
    n = counts.to_numpy(dtype=float)
    primary = n < m
    if zero_is_safe:
        primary &= n > 0
    keys = np.column_stack([pd.factorize(df[c])[0] for c in by])
    hidden = _complement(n, primary, keys) if primary.any() else primary
    out = df.copy()
    out[count_col] = counts.astype(float).where(~hidden)
    for c in value_cols:
        out[c] = out[c].astype(float).where(~hidden)
    out["suppressed"] = hidden
    out["suppression"] = np.where(primary, "primary", np.where(hidden, "complementary", ""))
    return out


def suppress_crosstab(table: pd.DataFrame, min_size: int | None = None, *, margins: bool = False,
                      zero_is_safe: bool = False, total_label: str = "Total") -> pd.DataFrame:
    """Suppress a wide table of counts (rows x columns), e.g. from ``pd.crosstab``.

    Hidden cells become NaN. With ``margins=True`` a total row and column
    (of the true counts) are added and take part in the suppression like any
    other cell: a total below *min_size* is hidden, and complementary cells
    are chosen so that neither a hidden cell nor a hidden total can be worked
    out from the grand total, which is always shown.

    Example
    -------
    >>> ct = pd.DataFrame({"video": [20, 3, 14], "phone": [8, 9, 6]}, index=["EU", "NA", "APAC"])
    >>> int(suppress_crosstab(ct, 5).isna().sum().sum())
    4
    """
    m = _min_size(min_size)
    t = table.copy()
    if margins:
        t[total_label] = table.sum(axis=1)
        t.loc[total_label] = pd.concat([table.sum(axis=0), pd.Series({total_label: np.nan})])
    long = t.rename_axis(index="_row", columns="_col").stack(future_stack=True).rename("_n").reset_index()
    if margins:  # the grand total is public and never hidden: leave it out of the cells
        long = long[~((long["_row"] == total_label) & (long["_col"] == total_label))]
    s = suppress_small_cells(long, "_n", m, by=["_row", "_col"], value_cols=[], zero_is_safe=zero_is_safe)
    out = s.pivot(index="_row", columns="_col", values="_n").reindex(index=t.index, columns=t.columns)
    if margins:
        out.loc[total_label, total_label] = float(table.to_numpy().sum())
    out.index.name, out.columns.name = table.index.name, table.columns.name
    return out


# ------------------------------------------------------------------- free text

def redact_names(texts, replacement: str = NAME_PLACEHOLDER, *, batch_size: int = 256):
    """Replace person names (spaCy ``PERSON`` entities) with *replacement*.

    Uses :func:`mentorkit.nlp.get_nlp` with the ``"ner"`` profile; a list is
    processed with ``nlp.pipe``. Missing values pass through unchanged.

    Parameters
    ----------
    texts : str, sequence of str or Series
    replacement : str
        What replaces each name.

    Returns
    -------
    str, list or Series
        The same shape as *texts*.

    Example
    -------
    >>> redact_names("I met with John Smith on Tuesday and it helped.")
    'I met with [name] on Tuesday and it helped.'
    """
    from mentorkit.nlp import get_nlp

    single = isinstance(texts, str)
    items = [texts] if single else list(texts)
    todo = [i for i, t in enumerate(items) if isinstance(t, str) and t.strip()]
    out = list(items)
    if todo:
        nlp = get_nlp("ner")
        for i, doc in zip(todo, nlp.pipe((items[i] for i in todo), batch_size=batch_size)):
            text = doc.text
            for ent in reversed(doc.ents):
                if ent.label_ == "PERSON":
                    text = text[:ent.start_char] + replacement + text[ent.end_char:]
            out[i] = text
    if single:
        return out[0]
    if isinstance(texts, pd.Series):
        return pd.Series(out, index=texts.index, name=texts.name, dtype=object)
    return out


def safe_html(text, *, redact: bool = True):
    """Text made safe for HTML: names redacted (by default), then escaped.

    Accepts a string or a sequence/Series of strings (returned in the same shape).

    Example
    -------
    >>> safe_html("<script>alert(1)</script> thanks!", redact=False)
    '&lt;script&gt;alert(1)&lt;/script&gt; thanks!'
    """
    single = isinstance(text, str) or text is None
    items = [text] if single else list(text)
    if redact:
        items = redact_names(items)
    out = ["" if t is None or (isinstance(t, float) and np.isnan(t)) else html.escape(str(t), quote=True)
           for t in items]
    if single:
        return out[0]
    if isinstance(text, pd.Series):
        return pd.Series(out, index=text.index, name=text.name, dtype=object)
    return out


# ----------------------------------------------------------------- spreadsheets

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_QUOTED = re.compile(r"^'[=+\-@\t\r]")


def _neutralise_values(values: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    fixed = np.array([
        "'" + u if isinstance(u, str) and _FORMULA_START.match(u) and not _PLAIN_NUMBER.match(u) else u
        for u in uniques
    ] + [None], dtype=object)
    out = fixed[np.where(codes < 0, len(uniques), codes)]
    return pd.Series(out, index=values.index, name=values.name, dtype=object).where(values.notna(), values)


def spreadsheet_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of *df* in which no text cell would run as a spreadsheet formula.

    Text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return get a leading single quote, unless the whole cell is a plain
    number (``-3.5``, ``+2``). Column names are treated the same way. Numeric,
    boolean and date columns are unchanged.

    Example
    -------
    >>> df = pd.DataFrame({"text": ["=HYPERLINK(\\"x\\")", "+1 agreed", "-4.5", "fine"]})
    >>> spreadsheet_safe(df)["text"].tolist()
    ['\\'=HYPERLINK("x")', "'+1 agreed", '-4.5', 'fine']
    """
    out = df.copy()
    for c in out.columns:
        s = out[c]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype) or isinstance(s.dtype, pd.CategoricalDtype):
            out[c] = _neutralise_values(s.astype(object))
    out.columns = [("'" + c if isinstance(c, str) and _FORMULA_START.match(c) and not _PLAIN_NUMBER.match(c) else c)
                   for c in out.columns]
    return out


def unescape_spreadsheet(values: np.ndarray) -> np.ndarray:
    """Undo :func:`spreadsheet_safe` on an array of strings (used by the loader).

    >>> unescape_spreadsheet(np.array(["'+1 agreed", "'quoted", None], dtype=object)).tolist()
    ['+1 agreed', "'quoted", None]
    """
    return np.array([v[1:] if isinstance(v, str) and _QUOTED.match(v) else v for v in values], dtype=object)


def _text_cells(s: pd.Series):
    """One column as an Arrow string array of CSV cell text (nulls for missing)."""
    import pyarrow as pa

    if pd.api.types.is_datetime64_any_dtype(s):
        v = s.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        a = v.to_numpy(dtype="datetime64[s]")
        ok = ~np.isnat(a)
        midnight = bool(np.all(a[ok].astype("datetime64[D]") == a[ok]))
        if midnight:
            return pa.array(a.astype("datetime64[D]"), mask=~ok).cast(pa.string())
        return pa.array(a, mask=~ok).cast(pa.string())
    if s.dtype == bool:
        return pa.array(np.where(s.to_numpy(), "True", "False").astype(object), type=pa.string())
    if pd.api.types.is_bool_dtype(s):
        v = s.astype(object)
        return pa.array([None if x is pd.NA or x is None else ("True" if x else "False") for x in v], type=pa.string())
    if pd.api.types.is_numeric_dtype(s):
        return pa.array(s, from_pandas=True).cast(pa.string())
    values = s.astype(object)
    try:
        return pa.array(values, from_pandas=True, type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if _missing(x) else str(x) for x in values], type=pa.string())


def _missing(x) -> bool:
    return x is None or x is pd.NA or x is pd.NaT or (isinstance(x, float) and np.isnan(x))


def _csv_column(s: pd.Series):
    """Cell text for one column: neutralised (text columns) and quoted where needed."""
    import pyarrow.compute as pc

    arr = _text_cells(s)
    text_like = not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)
                     or pd.api.types.is_datetime64_any_dtype(s))
    if text_like:
        starts = pc.match_substring_regex(arr, _FORMULA_START.pattern)
        if pc.any(starts).as_py():
            risky = pc.and_(starts, pc.invert(pc.match_substring_regex(arr, _PLAIN_NUMBER.pattern)))
            arr = pc.if_else(risky, pc.binary_join_element_wise("'", arr, ""), arr)
        needs = pc.match_substring_regex(arr, '[",\\r\\n]')
        if pc.any(needs).as_py():
            quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
            arr = pc.if_else(needs, quoted, arr)
    return pc.fill_null(arr, "")


def _header_cell(name) -> str:
    name = str(name)
    if _FORMULA_START.match(name) and not _PLAIN_NUMBER.match(name):
        name = "'" + name
    if any(ch in name for ch in ',"\r\n'):
        name = '"' + name.replace('"', '""') + '"'
    return name


def to_csv_safe(df: pd.DataFrame, path, **kwargs):
    """Write *df* as spreadsheet-safe UTF-8 CSV (no index unless asked) to a path or a binary buffer.

    Without extra keyword arguments a fast writer (Arrow string kernels)
    is used: quoting as pandas' default (only cells holding a comma, quote
    or line break), dates as ``YYYY-MM-DD`` (``YYYY-MM-DD HH:MM:SS`` when
    any has a time), booleans as ``True``/``False``, missing cells empty.
    With keyword arguments, ``DataFrame.to_csv`` writes
    :func:`spreadsheet_safe` of *df* with them.

    Example
    -------
    >>> import tempfile, os
    >>> p = to_csv_safe(pd.DataFrame({"a": ["@SUM(A1)"]}), os.path.join(tempfile.mkdtemp(), "x.csv"))
    >>> p.read_text()
    "a\\n'@SUM(A1)\\n"
    """
    if hasattr(path, "write"):  # a binary buffer (io.BytesIO): the bytes of a download, no file
        _write_csv(df, path)
        return path
    path = Path(path)
    if kwargs and kwargs != {"index": False}:
        kwargs.setdefault("index", False)
        kwargs.setdefault("lineterminator", "\n")
        spreadsheet_safe(df).to_csv(path, **kwargs)
        return path
    with open(path, "wb") as fh:
        _write_csv(df, fh)
    return path


def _write_csv(df: pd.DataFrame, fh) -> None:
    """The fast writer of :func:`to_csv_safe`, into an open binary file *fh*."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunk = 250_000
    fh.write((",".join(_header_cell(c) for c in df.columns) + "\n").encode("utf-8"))
    if df.shape[1] == 0:
        return
    for a in range(0, len(df), chunk):
        part = df.iloc[a:a + chunk]
        cols = [_csv_column(part.iloc[:, j]) for j in range(df.shape[1])]
        cols[-1] = pc.binary_join_element_wise(cols[-1], pa.scalar("\n"), "")
        lines = pc.binary_join_element_wise(*cols, ",") if len(cols) > 1 else cols[0]
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        data = lines.buffers()[2]
        fh.write(memoryview(data)[offsets[0]:offsets[-1]])


def export_csv(df: pd.DataFrame, path: str | Path, *, id_columns: Iterable[str] = DEFAULT_ID_COLUMNS,
               salt: str | None = None, **kwargs) -> Path:
    """Export *df* for sharing: id columns pseudonymised, text spreadsheet-safe.

    Refused (MentorkitError naming MENTORKIT_SALT) when no salt is configured.

    Example
    -------
    >>> import tempfile, os
    >>> p = export_csv(pd.DataFrame({"participant_id": ["E1"], "n": [3]}),
    ...                os.path.join(tempfile.mkdtemp(), "out.csv"), salt="a-long-random-secret")
    >>> pd.read_csv(p)["participant_id"].str.match(r"P[0-9a-f]{12}$").all()
    np.True_
    """
    key = get_salt(salt)
    out = df.copy()
    for c in id_columns:
        if c in out.columns:
            out[c] = pseudonymise(out[c], salt=key)
    return to_csv_safe(out, path, **kwargs)
