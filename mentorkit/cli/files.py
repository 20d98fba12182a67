"""The one reader of the files people hand to the command line, with one wording for what is wrong.

Three shapes cover every command: numbered **lines** of a text file (replies, utterances,
statements), one **column** of a CSV file, and a whole **table** (CSV, TSV, Excel or Parquet).
Every problem is a :class:`~mentorkit.errors.MentorkitError` of one line that starts with the
file name (and the line, when there is one), which the CLI prints with exit code 2:

* ``FILE: file not found``, ``FILE: is a folder, not a file``, ``FILE: cannot be read (...)``
* ``FILE:LINE: not valid UTF-8 (byte N of the line is 0xNN); save the file as UTF-8``
* ``FILE: the file is empty (expected one WHAT per line)``
* ``FILE:1: no column 'NAME'; the columns are [...]``
* ``FILE: could not be read as a table (...)``

``-`` reads standard input. A UTF-8 byte-order mark is removed; Windows line ends are accepted.

Example
-------
>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
>>> _ = open(p, "w", encoding="utf-8").write("first reply\\n\\nthird\\r\\n")
>>> read_lines(p, "reply")
[(1, 'first reply'), (2, ''), (3, 'third')]
>>> read_lines(os.path.join(os.path.dirname(p), "nope.txt"))
Traceback (most recent call last):
...
mentorkit.errors.MentorkitError: ...nope.txt: file not found
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mentorkit.errors import MentorkitError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["display_name", "existing_file", "read_bytes", "read_text", "read_lines", "read_column", "read_table"]


def display_name(path: str | Path) -> str:
    """How a file is named in messages (``<stdin>`` for ``-``)."""
    return "<stdin>" if str(path) == "-" else str(path)


def existing_file(path: str | Path) -> Path:
    """*path* as a :class:`~pathlib.Path` when it names a file; one clear line when it does not."""
    p = Path(path)
    if not p.exists():
        raise MentorkitError(f"{display_name(path)}: file not found")
    if p.is_dir():
        raise MentorkitError(f"{display_name(path)}: is a folder, not a file")
    return p


def read_bytes(path: str | Path) -> bytes:
    """The bytes of *path* (``-``: standard input), or one clear line saying why not."""
    if str(path) == "-":
        return sys.stdin.buffer.read()
    try:
        return existing_file(path).read_bytes()
    except OSError as exc:
        raise MentorkitError(f"{display_name(path)}: cannot be read ({exc.strerror})") from None


def read_text(path: str | Path, what: str = "line", blank_lines: bool = False) -> str:
    """The UTF-8 text of *path* without a byte-order mark; refuses a file with no text in it
    (with *blank_lines*, only a file with no line at all).

    *what* names one line's content in the message for an empty file.
    """
    name = display_name(path)
    raw = read_bytes(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        lineno = raw.count(b"\n", 0, exc.start) + 1
        raise MentorkitError(f"{name}:{lineno}: not valid UTF-8 (byte {exc.start - line_start + 1} of the line "
                             f"is 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    if not (text if blank_lines else text.strip()):
        raise MentorkitError(f"{name}: the file is empty (expected one {what} per line)")
    return text


def read_lines(path: str | Path, what: str = "line", blank_lines: bool = False) -> list[tuple[int, str]]:
    """``(line number, text)`` for every line of *path*, blank ones included (as ``""``).

    Line ends (``\\n`` or ``\\r\\n``) are removed; the text is otherwise as written. A file
    of blank lines only is refused as empty unless *blank_lines* is true.
    """
    text = read_text(path, what, blank_lines)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    return [(n, line.rstrip("\r")) for n, line in enumerate(lines, start=1)]


def read_column(path: str | Path, column: str | None = None, what: str = "statement",
                default: str = "text") -> list[tuple[int, str]]:
    """``(line number, cell)`` for every row of one column of a CSV file.

    *column* defaults to *default*; when it is missing the message lists the columns there are.
    """
    name = display_name(path)
    text = read_text(path, what)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    col = column or default
    if col not in fields:
        raise MentorkitError(f"{name}:1: no column {col!r}; the columns are {fields}"
                             + ("" if column else " (choose one with --column NAME)"))
    items = []
    for row in reader:
        value = row.get(col)
        items.append((reader.line_num, value if value is not None else ""))
    if not items:
        raise MentorkitError(f"{name}: the CSV has a header but no rows")
    return items


def read_table(path: str | Path) -> "pd.DataFrame":
    """A CSV/TSV (or .xlsx/.parquet) file as a frame; CSV text that is not UTF-8 is read as Latin-1.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> _ = open(p, "w").write("a;b\\n1;2\\n")
    >>> read_table(p).columns.tolist()
    ['a', 'b']
    """
    import pandas as pd

    name = display_name(path)
    p = existing_file(path)
    try:
        if p.suffix.lower() in (".xlsx", ".xls"):
            return pd.read_excel(p)
        if p.suffix.lower() == ".parquet":
            return pd.read_parquet(p)
        sep = "\t" if p.suffix.lower() == ".tsv" else None
        return pd.read_csv(p, sep=sep, engine="python", encoding="utf-8-sig")
    except UnicodeDecodeError:
        return pd.read_csv(p, sep=None, engine="python", encoding="latin-1")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError) as exc:
        raise MentorkitError(f"{name}: could not be read as a table ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})") from None
