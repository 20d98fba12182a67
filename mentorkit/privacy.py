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
import os
import hmac
import html
import re
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = [
    "get_salt", "pseudonymise", "min_group_size", "too_few", "suppress", "FLAG", "suppress_small_cells", "suppress_crosstab", "redact_names",
    "safe_html", "spreadsheet_safe", "to_csv_safe", "write_csv_parts", "export_csv", "unescape_spreadsheet",
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


def write_csv_parts(parts: Iterable[pd.DataFrame], path) -> Path:
    """Write frames with the same columns one after another as one spreadsheet-safe CSV file (the
    header once), as :func:`to_csv_safe` writes one frame: a long file is written a part at a time.

    Example
    -------
    >>> import tempfile, os
    >>> p = write_csv_parts([pd.DataFrame({"a": [1]}), pd.DataFrame({"a": ["=2"]})],
    ...                     os.path.join(tempfile.mkdtemp(), "x.csv"))
    >>> p.read_text()
    "a\\n1\\n'=2\\n"
    """
    path = Path(path)
    with open(path, "wb") as fh:
        for k, part in enumerate(parts):
            _write_csv(part, fh, header=k == 0)
    return path


def _write_csv(df: pd.DataFrame, fh, header: bool = True) -> None:
    """The fast writer of :func:`to_csv_safe`, into an open binary file *fh*."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunk = 250_000
    if header:
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


# =====================================================================================
# Query-level disclosure control, stable pseudonyms, personal data by name and content,
# contact redaction (issue 13). Every view, filter option and export is one more query
# over the same people; the rules below decide what may be answered, once for every front.
# =====================================================================================

#: the filter option small values are merged into
OTHER_OPTION = "other (combined)"
#: the filter value people with no recorded value are counted under before merging
NOT_RECORDED = "(not recorded)"
#: what :func:`redact_contacts` puts in place of e-mail addresses, phone numbers and @handles
EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, HANDLE_PLACEHOLDER = "[e-mail]", "[phone]", "[handle]"

__all__ += ["against_whole", "suppress_against", "FilterOptions", "filter_options", "month_blocks", "snap_window",
            "cut_curve", "display_salt", "installation_secret", "pseudonymise_ids", "ID_COLUMNS",
            "pii_column_reason", "pii_columns", "redact_contacts", "redact_text", "OTHER_OPTION", "NOT_RECORDED",
            "suppress_rows_against"]


def _people(x) -> tuple[int, set | None]:
    if isinstance(x, (int, np.integer)):
        return int(x), None
    s = set(pd.Series(list(x) if not isinstance(x, pd.Series) else x).dropna().tolist())
    return len(s), s


def suppress_against(selection, *wider, min_size: int | None = None) -> bool:
    """Whether *selection* must be hidden, seen as one more query over the same people.

    A selection is shown only when it has at least the minimum number of people and, for
    every *wider* selection it narrows (the view without its last filter, "All", ...), the
    complement (the wider people not in it) is empty or has at least the minimum too;
    otherwise subtracting the two answers would give a small group's figures. Each
    argument is a count of people or a collection of person ids (then the complement is
    the set difference, which is right also for selections that are not nested).

    >>> suppress_against(12, 14, min_size=5)        # the 2 others would be "All" minus this
    True
    >>> suppress_against(12, 12, 30, min_size=5)    # nobody left out of the first; 18 of the second
    False
    >>> suppress_against({"a", "b", "c", "d", "e"}, {"a", "b", "c", "d", "e", "f"}, min_size=5)
    True
    """
    m = _min_size(min_size)
    n_sel, ids = _people(selection)
    if n_sel < m:
        return True
    for w in wider:
        n_w, wide_ids = _people(w)
        rest = len(wide_ids - ids) if (ids is not None and wide_ids is not None) else n_w - n_sel
        if 0 < rest < m:
            return True
    return False


@dataclass(frozen=True)
class FilterOptions:
    """The choices of one filter: ``options`` (shown, biggest first, then :data:`OTHER_OPTION`),
    ``mapping`` (every raw value, :data:`NOT_RECORDED` for missing, to its option) and
    ``counts`` (people per option)."""

    options: list
    mapping: dict
    counts: dict

    def option_of(self, values) -> pd.Series:
        """The option of each raw value (missing values go where :data:`NOT_RECORDED` went)."""
        s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
        return s.where(s.notna(), NOT_RECORDED).map(lambda v: self.mapping.get(str(v), OTHER_OPTION))

    def members(self, values, option) -> np.ndarray:
        """A boolean mask of the rows whose value belongs to *option*."""
        return (self.option_of(values) == option).to_numpy()


def filter_options(values, min_size: int | None = None, *, people=None) -> FilterOptions:
    """The options a filter may offer so that no option, and no sum of options, shows a small group.

    *values* holds one value per row (a person, or a row of a person when *people* gives
    the person of each row; people are then counted once per value). Values with fewer
    people than the minimum are merged into one :data:`OTHER_OPTION`; while that option
    itself has fewer people than the minimum, the smallest shown value joins it. Missing
    values count as one more value (:data:`NOT_RECORDED`), so "All" minus every shown
    option is never a small group either. When only one option would be left, none is
    offered (it would equal "All").

    This is the practice of survey platforms such as Glint and Culture Amp ("minimum
    group size" plus hiding a group whose difference from a shown group is small),
    applied to the filter's choices themselves.

    >>> opts = filter_options(["A"] * 30 + ["B"] * 12 + ["C"] * 1 + ["D"] * 4, min_size=5)
    >>> opts.options, opts.mapping["C"], opts.counts[OTHER_OPTION]
    (['A', 'B', 'other (combined)'], 'other (combined)', 5)
    >>> filter_options(["A"] * 30 + ["B"] * 12 + ["C"] * 1 + ["D"] * 3, min_size=5).options  # 4 are too few: B joins
    ['A', 'other (combined)']
    """
    m = _min_size(min_size)
    s = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values.astype(object)
    s = s.where(s.notna(), NOT_RECORDED).astype(str)
    if people is not None:
        counts = pd.DataFrame({"v": s.to_numpy(), "p": np.asarray(people, dtype=object)}).groupby("v")["p"].nunique()
    else:
        counts = s.value_counts()
    counts = counts.sort_values(ascending=False, kind="stable")
    shown = [v for v, n in counts.items() if n >= m and v != NOT_RECORDED]
    merged = [v for v in counts.index if v not in shown]
    def merged_n() -> int:
        if people is None:
            return int(counts[merged].sum()) if merged else 0
        keep = s.isin(merged).to_numpy()
        return int(pd.Series(np.asarray(people, dtype=object)[keep]).nunique())
    while merged and merged_n() < m and shown:
        merged.append(shown.pop())             # the smallest shown value joins "other"
    if len(shown) + (1 if merged else 0) <= 1:
        return FilterOptions([], {v: OTHER_OPTION for v in counts.index}, {})
    mapping = {v: v for v in shown} | {v: OTHER_OPTION for v in merged}
    out_counts = {v: int(counts[v]) for v in shown}
    options = list(shown)
    if merged:
        options.append(OTHER_OPTION)
        out_counts[OTHER_OPTION] = merged_n()
    return FilterOptions(options, mapping, out_counts)


def month_blocks(dates, min_size: int | None = None, *, people=None) -> pd.DataFrame:
    """Calendar months merged into blocks of consecutive months that each hold enough people.

    *dates* are the dates of what is counted (survey answers, sessions, exits) and *people*
    the person (or pair) of each; without *people* each date is one person. Months are
    joined left to right until a block reaches the minimum; a short last block joins the
    one before. Returns ``block_start, block_end`` (first day, last day) and ``people``.

    >>> d = pd.to_datetime(["2024-01-05"] * 6 + ["2024-02-01"] * 2 + ["2024-03-03"] * 4 + ["2024-04-09"] * 7)
    >>> month_blocks(d, 5)[["block_start", "people"]].astype(str).values.tolist()
    [['2024-01-01', '6'], ['2024-02-01', '6'], ['2024-04-01', '7']]
    """
    m = _min_size(min_size)
    d = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    who = pd.Series(np.arange(len(d)) if people is None else np.asarray(people, dtype=object))
    ok = d.notna().to_numpy()
    d, who = d[ok], who[ok]
    cols = ["block_start", "block_end", "people"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    month = d.dt.to_period("M")
    months = pd.period_range(month.min(), month.max(), freq="M")
    per = {p: set(who[(month == p).to_numpy()]) for p in months}
    blocks: list[list] = []
    cur: list = []
    cur_people: set = set()
    for p in months:
        cur.append(p)
        cur_people |= per[p]
        if len(cur_people) >= m:
            blocks.append([cur[0], cur[-1], cur_people])
            cur, cur_people = [], set()
    if cur:
        if blocks:
            blocks[-1][1] = cur[-1]
            blocks[-1][2] = blocks[-1][2] | cur_people
        else:
            blocks.append([cur[0], cur[-1], cur_people])
    return pd.DataFrame({"block_start": [b[0].start_time for b in blocks],
                         "block_end": [b[1].end_time.normalize() for b in blocks],
                         "people": [len(b[2]) for b in blocks]})[cols]


def snap_window(dates, start, end, min_size: int | None = None, *, people=None, waves=None):
    """The date window ``[start, end]`` widened to whole blocks that each hold enough people.

    Blocks are survey waves when *waves* (the wave of each date) is given (each wave a
    block, small waves joined to the next), else :func:`month_blocks`. Every window is then
    a union of whole blocks, so the difference of two windows (or of a window and the whole
    period) is itself a union of blocks with at least the minimum each, or nothing.
    Returns ``(start, end)`` as Timestamps; a window touching no block snaps to the block
    nearest it.

    >>> d = pd.to_datetime(["2024-01-05"] * 6 + ["2024-02-01"] * 2 + ["2024-03-03"] * 4 + ["2024-04-09"] * 7)
    >>> [str(x.date()) for x in snap_window(d, "2024-02-10", "2024-02-20", 5)]
    ['2024-02-01', '2024-03-31']
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if waves is not None:
        frame = pd.DataFrame({"d": pd.to_datetime(pd.Series(dates)).to_numpy(), "w": np.asarray(waves, dtype=object),
                              "p": np.arange(len(waves)) if people is None else np.asarray(people, dtype=object)})
        g = frame.dropna(subset=["d"]).groupby("w").agg(lo=("d", "min"), hi=("d", "max"), n=("p", "nunique"))
        g = g.sort_values("lo")
        rows, acc = [], None
        m = _min_size(min_size)
        for _, r in g.iterrows():
            acc = [r["lo"], r["hi"], r["n"]] if acc is None else [acc[0], r["hi"], acc[2] + r["n"]]
            if acc[2] >= m:
                rows.append(acc)
                acc = None
        if acc is not None:
            if rows:
                rows[-1] = [rows[-1][0], acc[1], rows[-1][2] + acc[2]]
            else:
                rows.append(acc)
        blocks = pd.DataFrame(rows, columns=["block_start", "block_end", "people"])
    else:
        blocks = month_blocks(dates, min_size, people=people)
    if blocks.empty:
        return start, end
    lo, hi = blocks["block_start"], blocks["block_end"]
    touch = ((lo <= end) & (hi >= start)).to_numpy()
    if not touch.any():
        gap = np.minimum((lo - end).abs(), (hi - start).abs()).to_numpy()
        touch = gap == gap.min()
    return pd.Timestamp(lo[touch].min()), pd.Timestamp(hi[touch].max())


def cut_curve(curve: pd.DataFrame, *, group_cols: Sequence[str] = (), at_risk: str = "at_risk",
              min_size: int | None = None, drop: Sequence[str] = ()) -> pd.DataFrame:
    """A curve table (one row per step) cut where fewer than the minimum are still counted.

    Each group's rows (by *group_cols*) stop before the first step whose *at_risk* is
    below the minimum, exactly as the chart stops; *drop* names columns that must not leave
    the screen (exact event counts, weights). The chart and its CSV both use this, so the
    export never holds a step the chart hides.

    >>> c = pd.DataFrame({"g": ["a"] * 4, "time": [0, 1, 2, 3], "at_risk": [9, 7, 4, 6], "survival": [1, .9, .8, .7]})
    >>> cut_curve(c, group_cols=["g"], min_size=5)["time"].tolist()
    [0, 1]
    """
    m = _min_size(min_size)
    if curve.empty:
        return curve.drop(columns=[c for c in drop if c in curve.columns])
    ok = pd.to_numeric(curve[at_risk], errors="coerce").fillna(-1).to_numpy() >= m
    if group_cols:
        keys = curve[list(group_cols)].astype(str).agg("|".join, axis=1).to_numpy()
        keep = np.zeros(len(curve), dtype=bool)
        for k in pd.unique(keys):
            idx = np.flatnonzero(keys == k)
            keep[idx] = np.cumprod(ok[idx]).astype(bool)
    else:
        keep = np.cumprod(ok).astype(bool)
    out = curve[keep]
    return out.drop(columns=[c for c in drop if c in out.columns]).reset_index(drop=True)


# ------------------------------------------------------------- one pseudonym scheme

#: the id columns screens and exports pseudonymise (:func:`pseudonymise_ids`)
ID_COLUMNS = ("participant_id", "mentor_id", "mentee_id", "pair_id", "recipient_id", "sponsor_id")
_SECRET_NAME = "pseudonym-secret"


def _secret_dir() -> Path:
    root = os.environ.get("MENTORKIT_ROOT")
    if root and Path(root).is_dir():
        return Path(root) / ".mentorkit"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mentorkit"


def installation_secret(folder: str | Path | None = None) -> str:
    """This installation's own pseudonym secret, made once and kept in a file only its owner reads.

    The file is ``.mentorkit/pseudonym-secret`` under the served root (``MENTORKIT_ROOT``,
    set by :mod:`mentorkit.serving`), else ``$XDG_CONFIG_HOME/mentorkit/`` (``~/.config``);
    mode 0600. It is written with an exclusive create, so kernels starting together agree
    on one secret. Used only when no salt is configured (:func:`display_salt`).
    """
    import secrets

    target = (Path(folder) if folder is not None else _secret_dir()) / _SECRET_NAME
    if target.exists():
        value = target.read_text(encoding="utf-8").strip()
        if len(value) >= 32:
            return value
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets.token_hex(32)
    tmp = target.with_name(f".{_SECRET_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    try:
        os.link(tmp, target)          # fails when another process made it first: use theirs
    except FileExistsError:
        pass
    except OSError as exc:
        raise MentorkitError(f"{target}: cannot keep the pseudonym secret there ({exc}); set MENTORKIT_SALT") from None
    finally:
        tmp.unlink(missing_ok=True)
    if target.stat().st_mode & 0o077:
        os.chmod(target, 0o600)
    return target.read_text(encoding="utf-8").strip()


def display_salt(salt: str | None = None) -> str:
    """The salt screens and their exports use: *salt* > ``MENTORKIT_SALT`` > ``salt`` in the
    configuration > :func:`installation_secret`. So every kernel, every export and the
    managers' screens give one person one pseudonym, with or without configuration.

    >>> display_salt("explicit-secret")
    'explicit-secret'
    """
    if salt is not None and str(salt).strip():
        return str(salt)
    value = config.get("salt")
    if value is not None and str(value).strip():
        return str(value)
    return installation_secret()


def pseudonymise_ids(df: pd.DataFrame, columns: Iterable[str] = ID_COLUMNS, *, salt: str | None = None,
                     prefix: str = "P") -> pd.DataFrame:
    """A copy of *df* with every id column present replaced by its pseudonym (:func:`display_salt`).

    Ids that already are pseudonyms of this scheme (``P`` + 12 hex digits) are hashed
    again like any other text, so the function must run once per id, where the screen is
    built. Missing ids stay missing.

    >>> t = pd.DataFrame({"pair_id": ["alice@example.org-bob"], "n": [1]})
    >>> pseudonymise_ids(t, salt="s3cret")["pair_id"].str.match(r"P[0-9a-f]{12}$").all()
    np.True_
    """
    key = display_salt(salt)
    out = df.copy()
    for c in columns:
        if c in out.columns:
            out[c] = pseudonymise(out[c].astype(object).where(out[c].notna(), None), salt=key, prefix=prefix)
    return out


# --------------------------------------------------- personal data by name and content

_PII_NAME = re.compile(
    r"(^|_)(e_?mail|mail|email_address|phone|mobile|cell|telephone|tel|fax|whatsapp|"
    r"first_?name|last_?name|surname|given_?name|family_?name|full_?name|fullname|name|names|"
    r"manager|supervisor|line_manager|boss|contact|address|street|postcode|post_code|zip|zip_code|"
    r"ssn|social_security|national_id|passport|birth|birthday|dob|date_of_birth|linkedin|twitter|"
    r"slack|handle|ip_address)($|_)")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z_][\w.]{1,30}\b")
_NAMEISH = re.compile(r"^[A-Z][a-zà-ÿ'’\-]+( [A-Z][a-zà-ÿ'’\-]+\.?){0,3}$|^[A-Z][a-zà-ÿ'’\-]+, [A-Z][a-zà-ÿ'’\-]+$")
_NAME_LIKE_COLUMN = re.compile(r"(name|who|person|owner|lead|mentor|mentee|manager|author|by|contact|staff)")


def _phone_like(text: str) -> bool:
    import phonenumbers

    t = text.strip()
    if sum(ch.isdigit() for ch in t) < 7 or re.search(r"[A-Za-z]", t):
        return False
    if re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{2}:\d{2}(:\d{2})?)?", t) or \
            re.fullmatch(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}", t):
        return False                                  # a date
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?", t):       # a plain number: a phone only when long or dialled with +
        return bool(re.fullmatch(r"\+\d{8,15}|0?\d{10,12}", t))
    for region in (None, "US", "GB", "DE", "FR", "IN"):
        try:
            if phonenumbers.is_possible_number(phonenumbers.parse(t, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def pii_column_reason(name: str, values=None, *, known: Iterable[str] = ()) -> str | None:
    """Why column *name* holds personal data, or None.

    By name: e-mail, phone, names (``Employee Name``, ``work_email``, ``Manager``),
    addresses, national ids, dates of birth, social handles. By content (a sample of
    *values*): at least half the filled cells are e-mail addresses or phone numbers, or,
    in a name-like column, look like a person's name (capitalised words). Columns in
    *known* (the data model's own) are never flagged by name.

    >>> pii_column_reason("Employee Name"), pii_column_reason("notes", ["call +44 20 7946 0958"] * 3)
    ('its name says it holds personal data (employee_name)', None)
    >>> pii_column_reason("contact_info", ["jo@example.org", "li@example.org"])
    'its name says it holds personal data (contact_info)'
    >>> pii_column_reason("extra", ["jo@example.org", "li@example.org", ""])
    'its cells are e-mail addresses'
    """
    norm = re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")
    if str(name).strip() not in set(known) and norm not in set(known) and _PII_NAME.search(norm):
        return f"its name says it holds personal data ({norm})"
    if values is None:
        return None
    sample = [str(v).strip() for v in list(values)[:500] if v is not None and not _missing(v) and str(v).strip()]
    if not sample:
        return None
    half = len(sample) / 2
    if sum(bool(_EMAIL.fullmatch(v)) for v in sample) >= half:
        return "its cells are e-mail addresses"
    if sum(_phone_like(v) for v in sample) >= half:
        return "its cells are phone numbers"
    if str(name).strip() not in set(known) and _NAME_LIKE_COLUMN.search(norm) and \
            sum(bool(_NAMEISH.match(v)) for v in sample) >= max(half, 1):
        return "its cells look like person names"
    return None


def pii_columns(df: pd.DataFrame, *, known: Iterable[str] = ()) -> dict[str, str]:
    """``{column: reason}`` for every column of *df* that holds personal data (:func:`pii_column_reason`).

    >>> pii_columns(pd.DataFrame({"id": ["E1"], "work_email": ["a@b.org"], "Manager": ["Ann Lee"]}))
    {'work_email': 'its name says it holds personal data (work_email)', 'Manager': 'its name says it holds personal data (manager)'}
    """
    known = list(known)
    out = {}
    for c in df.columns:
        why = pii_column_reason(c, df[c].dropna().unique()[:500], known=known)
        if why:
            out[c] = why
    return out


# ------------------------------------------------------------------ contact redaction

_PHONE_CANDIDATE = re.compile(r"(?<![\w])(\+?\(?\d[\d\s().\-/]{6,}\d)(?![\w])")


def redact_contacts(text: str) -> str:
    """E-mail addresses, phone numbers (the ``phonenumbers`` library's matcher, several
    regions) and @handles replaced by ``[e-mail]``, ``[phone]``, ``[handle]``.

    >>> redact_contacts("Mail jo.lee@example.org or call +1 415-555-0199; ping @jo_lee")
    'Mail [e-mail] or call [phone]; ping [handle]'
    """
    import phonenumbers

    if not isinstance(text, str) or not text:
        return text
    out = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    spans = []
    for region in ("US", "GB", "DE", "IN"):
        for match in phonenumbers.PhoneNumberMatcher(out, region, leniency=phonenumbers.Leniency.POSSIBLE):
            if _phone_like(match.raw_string):   # not a year, a date, an amount or a count
                spans.append((match.start, match.end))
    for mt in _PHONE_CANDIDATE.finditer(out):  # local formats the matcher does not know
        if _phone_like(mt.group(1)):
            spans.append(mt.span(1))
    if spans:
        spans.sort()
        merged = [list(spans[0])]
        for a, b in spans[1:]:
            if a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in reversed(merged):
            out = out[:a] + PHONE_PLACEHOLDER + out[b:]
    return _HANDLE.sub(HANDLE_PLACEHOLDER, out)


_NOT_PERSON = {"ORG", "GPE", "LOC", "NORP", "FAC", "DATE", "TIME", "PRODUCT", "EVENT", "LANGUAGE", "MONEY",
               "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL", "WORK_OF_ART", "LAW"}
_COMMON_CAPITALS = {"I", "I'm", "I've", "I'd", "I'll", "OK", "Ok", "Thanks", "Thank", "Hi", "Hello", "Dear", "Mr", "Mrs",
                    "Ms", "Dr", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
                    "January", "February", "March", "April", "May", "June", "July", "August", "September",
                    "October", "November", "December", "English", "SBI"}


def redact_text(texts, replacement: str = NAME_PLACEHOLDER, *, batch_size: int = 256):
    """Free text made fit to show: contact details (:func:`redact_contacts`), person names
    (spaCy ``PERSON`` entities) and single first names spaCy misses ("Thanks to Priya",
    "Jo from finance": a capitalised proper noun that is not part of a place, organisation,
    date or other entity) all replaced.

    >>> redact_text("Thanks to Priya, and Jo from finance: jo@example.org")
    'Thanks to [name], and [name] from finance: [e-mail]'
    """
    from mentorkit.nlp import get_nlp

    single = isinstance(texts, str)
    items = [texts] if single else list(texts)
    out = [redact_contacts(t) if isinstance(t, str) else t for t in items]
    todo = [i for i, t in enumerate(out) if isinstance(t, str) and t.strip()]
    if todo:
        nlp = get_nlp(("tok2vec", "tagger", "attribute_ruler", "ner"))
        placeholders = {NAME_PLACEHOLDER, EMAIL_PLACEHOLDER, PHONE_PLACEHOLDER, HANDLE_PLACEHOLDER}
        for i, doc in zip(todo, nlp.pipe((out[i] for i in todo), batch_size=batch_size)):
            spans = [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
            # a nationality-like label on a lone first name ("Thanks to Priya" -> NORP) is a miss, not a place
            covered = {t.i for e in doc.ents if e.label_ in _NOT_PERSON and e.label_ != "NORP" for t in e}
            for tok in doc:
                if tok.i in covered or not tok.text[:1].isupper() or tok.text in _COMMON_CAPITALS:
                    continue
                if tok.text.isupper() and len(tok.text) > 1:      # acronyms: HR, QBR
                    continue
                if "[" in tok.text or tok.text.strip("[]") in {p.strip("[]") for p in placeholders}:
                    continue
                if tok.i > 0 and doc[tok.i - 1].text == "[":
                    continue
                if tok.pos_ == "PROPN" or (tok.tag_ in ("NNP", "NNPS")):
                    spans.append((tok.idx, tok.idx + len(tok.text)))
            text = doc.text
            for a, b in sorted(set(spans), reverse=True):
                text = text[:a] + replacement + text[b:]
            out[i] = re.sub(re.escape(replacement) + r"(\s+" + re.escape(replacement) + ")+", replacement, text)
    if single:
        return out[0]
    if isinstance(texts, pd.Series):
        return pd.Series(out, index=texts.index, name=texts.name, dtype=object)
    return out


def suppress_rows_against(table: pd.DataFrame, wider: pd.DataFrame | None, keys: Sequence[str], count: str, *,
                          value_cols: Sequence[str] = (), min_size: int | None = None,
                          flag: str | None = "hidden") -> pd.DataFrame:
    """Hide the rows of a filtered view's table whose complement in the wider view's table is small.

    *table* (one row per key, e.g. skill or breakdown group, of the filtered selection) and
    *wider* (the same table for the wider selection, e.g. "All") hold people counts in
    *count*. A row is hidden when :func:`suppress_against` says so for its count against
    the wider row's: subtracting the two would give fewer than the minimum people. Hidden
    rows get NaN in *count* and *value_cols*, and ``True`` in *flag* when given.

    >>> opt = pd.DataFrame({"skill": ["a", "b"], "n": [40.0, 6.0], "mean": [5.0, 6.0]})
    >>> whole = pd.DataFrame({"skill": ["a", "b"], "n": [90.0, 8.0], "mean": [5.5, 6.1]})
    >>> suppress_rows_against(opt, whole, ["skill"], "n", value_cols=["mean"], min_size=5)["n"].tolist()
    [40.0, nan]
    """
    out = table.copy()
    if wider is None or out.empty:
        return out
    m = _min_size(min_size)
    w = wider.drop_duplicates(list(keys)).set_index(list(keys))[count]
    idx = pd.MultiIndex.from_frame(out[list(keys)]) if len(keys) > 1 else pd.Index(out[keys[0]])
    n_wide = pd.to_numeric(w.reindex(idx), errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(out[count], errors="coerce").to_numpy(dtype=float)
    rest = n_wide - n
    # a row the wider table lacks cannot be told apart from its complement either: hide it
    hide = ~np.isnan(n) & ((n < m) | ((rest > 0) & (rest < m)) | np.isnan(n_wide))
    for c in [count, *value_cols]:
        if c in out.columns:
            out[c] = out[c].astype(float).where(~hide)
    if flag is not None:
        out[flag] = (out[flag].astype(bool) if flag in out.columns else False) | hide
    return out


def against_whole(view: dict, whole: dict, min_size: int) -> None:
    """Hide the rows of a cohort's tables that differ from the whole program's by a few people.

    Every option has enough people, but one row (a skill few answered, a small equity group,
    a late step of a curve) could still differ from the same row for "All" by fewer than the
    minimum; :func:`mentorkit.privacy.suppress_rows_against` hides such rows, and a curve
    stops at its first such step.
    """
    if "pre-post change" in view:
        view["pre-post change"] = suppress_rows_against(
            view["pre-post change"], whole.get("pre-post change"), ["group", "skill"], "n", min_size=min_size,
            value_cols=["mean_pre", "mean_post", "mean_diff", "ci_low", "ci_high", "dz", "p_t_adj"])
    if "retention" in view:
        t = view["retention"]
        for count, values in (("n_group", ["events_group"]), ("n_reference", ["events_reference"])):
            t = suppress_rows_against(t, whole.get("retention"), ["method"], count, min_size=min_size, flag=None,
                                      value_cols=values + ["hr", "ci_low", "ci_high", "p_cox", "max_smd_after"])
        view["retention"] = t
    if "equity gaps" in view:
        view["equity gaps"] = suppress_rows_against(
            view["equity gaps"], whole.get("equity gaps"), ["family", "measure", "breakdown", "group"], "n_group",
            min_size=min_size, value_cols=["value_group", "gap", "ci_low", "ci_high"])
    if "survival curves" in view and len(view["survival curves"]):
        c = suppress_rows_against(view["survival curves"], whole.get("survival curves"), ["method", "group", "time"],
                                  "at_risk", min_size=min_size, flag="_cut")
        keep = (~c["_cut"]).groupby([c["method"], c["group"]]).cumprod().astype(bool)
        view["survival curves"] = view["survival curves"][keep.to_numpy()].reset_index(drop=True)
