"""Containers for loaded program data and for what validation found.

:class:`ProgramData` holds one tidy DataFrame per table;
:class:`ValidationReport` holds every :class:`Problem` the loader found and
the row counts per table (rows read = rows loaded + rows quarantined).

Example
-------
>>> from mentorkit.program.data import Problem
>>> str(Problem("surveys.csv", 12, "value", "value 11 is above the maximum 10"))
'surveys.csv:12:value: value 11 is above the maximum 10'
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.schema import TABLE_ORDER, TABLES
from mentorkit.program.tables import PRACTICE_FILE, empty_table, practice_export, write_table

__all__ = ["Problem", "ValidationReport", "ProgramData", "ProgramDataError", "PROBLEM_COLUMNS"]

#: columns of :attr:`ValidationReport.frame`
PROBLEM_COLUMNS = ["table", "file", "row", "column", "severity", "message"]
_COUNT_COLUMNS = ["table", "file", "rows_read", "rows_loaded", "rows_quarantined"]


@dataclass(frozen=True)
class Problem:
    """One problem, shown as ``FILE:ROW:COLUMN: message``.

    ``row`` is the row as a spreadsheet shows it (the header is row 1, the
    first data row is row 2); None for problems with the whole file.
    ``column`` is None for problems with a whole row or file.
    ``severity`` is ``"error"`` (the row is quarantined, or the file could
    not be used) or ``"warning"`` (the loader repaired it, e.g. stray spaces
    or a byte-order mark; the row loads).
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"
    table: str | None = None

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


class ValidationReport:
    """Everything validation found, and the row counts per table.

    Attributes
    ----------
    frame : DataFrame
        One row per problem: ``table, file, row, column, severity, message``.
    counts : DataFrame
        One row per table: ``table, file, rows_read, rows_loaded, rows_quarantined``.
    quarantine_files : dict
        ``{table: Path}`` of the quarantine files written (rejected rows with reasons).
    strict : bool
        Whether the load was strict (nothing loads when anything is wrong).
    """

    def __init__(self, frame: pd.DataFrame | None = None, counts: pd.DataFrame | None = None,
                 quarantine_files: dict[str, Path] | None = None, strict: bool = False,
                 source: Path | None = None):
        frame = frame if frame is not None else pd.DataFrame(columns=PROBLEM_COLUMNS)
        plain = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1
        self.frame = frame if plain else frame.reset_index(drop=True)
        self.counts = counts if counts is not None else pd.DataFrame(columns=_COUNT_COLUMNS)
        self.quarantine_files = dict(quarantine_files or {})
        self.strict = strict
        self.source = source

    # -- problems
    @property
    def problems(self) -> list[Problem]:
        """Every problem as a :class:`Problem`, in file and row order."""
        f = self.frame
        rows = f["row"].to_numpy(dtype=object)
        return [Problem(fi, None if r is None or pd.isna(r) else int(r), None if c is None or pd.isna(c) else c,
                        m, s, t)
                for t, fi, r, c, s, m in zip(f["table"], f["file"], rows, f["column"], f["severity"], f["message"])]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def n_errors(self) -> int:
        return int((self.frame["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.frame["severity"] == "warning").sum())

    @property
    def ok(self) -> bool:
        """True when nothing at all was found (no errors and no warnings)."""
        return len(self.frame) == 0

    def overview(self) -> pd.DataFrame:
        """Problems grouped by file, column and severity: how many, the first row, an example.

        Returns
        -------
        DataFrame
            ``file, column, severity, problems, first_row, example``, most frequent first.

        Example
        -------
        >>> ValidationReport().overview().columns.tolist()
        ['file', 'column', 'severity', 'problems', 'first_row', 'example']
        """
        cols = ["file", "column", "severity", "problems", "first_row", "example"]
        if self.frame.empty:
            return pd.DataFrame(columns=cols)
        f = self.frame.assign(column=self.frame["column"].fillna("-"))
        out = (f.groupby(["file", "column", "severity"], sort=False)
               .agg(problems=("message", "size"), first_row=("row", "min"), example=("message", "first"))
               .reset_index())
        return out.sort_values(["problems", "file"], ascending=[False, True], kind="stable").reset_index(drop=True)[cols]

    # -- counts
    def _count(self, col: str) -> dict[str, int]:
        return {t: int(n) for t, n in zip(self.counts["table"], self.counts[col])}

    @property
    def rows_read(self) -> dict[str, int]:
        return self._count("rows_read")

    @property
    def rows_loaded(self) -> dict[str, int]:
        return self._count("rows_loaded")

    @property
    def rows_quarantined(self) -> dict[str, int]:
        return self._count("rows_quarantined")

    @property
    def balanced(self) -> bool:
        """True when rows read = rows loaded + rows quarantined for every table."""
        c = self.counts
        return bool((c["rows_read"] == c["rows_loaded"] + c["rows_quarantined"]).all())

    # -- text
    def lines(self, limit: int | None = None) -> list[str]:
        """Problems as ``FILE:ROW:COLUMN: message`` lines (at most *limit*)."""
        probs = self.problems if limit is None else self.problems[:limit]
        return [str(p) for p in probs]

    def summary(self) -> str:
        """A short text summary: counts per table and problem totals."""
        out = []
        if len(self.counts):
            w = max(len(t) for t in self.counts["table"])
            out.append(f"{'table':<{w}}  {'read':>9}  {'loaded':>9}  {'quarantined':>11}")
            for t, r, lo, q in zip(self.counts["table"], self.counts["rows_read"],
                                   self.counts["rows_loaded"], self.counts["rows_quarantined"]):
                out.append(f"{t:<{w}}  {r:>9}  {lo:>9}  {q:>11}")
        out.append(f"{self.n_errors} error(s), {self.n_warnings} warning(s)")
        for t, p in self.quarantine_files.items():
            out.append(f"quarantined {t} rows written to {p}")
        return "\n".join(out)

    def __repr__(self) -> str:
        return f"<ValidationReport {self.n_errors} errors, {self.n_warnings} warnings>"

    def __str__(self) -> str:
        return "\n".join(self.lines() + [self.summary()])


class ProgramDataError(MentorkitError):
    """Raised by a strict load that found problems; carries the full report."""

    exit_code = 1

    def __init__(self, message: str, report: ValidationReport):
        super().__init__(message)
        self.report = report


def _empty(table: str) -> pd.DataFrame:
    return empty_table(table)


@dataclass
class ProgramData:
    """A mentoring program: one tidy DataFrame per table.

    Dtypes are normalised: dates are ``datetime64[ns]`` (UTC, naive),
    booleans ``bool``, numbers ``float64``, ids and categories ``str`` with
    surrounding spaces removed. ``comments`` and ``sponsorship`` are optional
    (an empty frame with the right columns when the source has none).

    Attributes
    ----------
    report : ValidationReport
        What validation found while loading.
    source : Path or None
        The folder the data came from.
    truth : dict or None
        The planted effects from ``truth.json`` (simulated data only).
    practice : DataFrame or None
        The mentors' practice attempts when the simulator made them (``simulate(practice=True)``);
        a real practice log lives in :mod:`mentorkit.store`.

    Example
    -------
    >>> import mentorkit.datasets as ds
    >>> data = ds.load("program_sample")
    >>> data.report.ok, sorted(data.participants["role"].unique())
    (True, ['comparison', 'mentee', 'mentor'])
    """

    participants: pd.DataFrame = field(default_factory=lambda: _empty("participants"))
    pairs: pd.DataFrame = field(default_factory=lambda: _empty("pairs"))
    sessions: pd.DataFrame = field(default_factory=lambda: _empty("sessions"))
    goals: pd.DataFrame = field(default_factory=lambda: _empty("goals"))
    messages: pd.DataFrame = field(default_factory=lambda: _empty("messages"))
    surveys: pd.DataFrame = field(default_factory=lambda: _empty("surveys"))
    outcomes: pd.DataFrame = field(default_factory=lambda: _empty("outcomes"))
    comments: pd.DataFrame = field(default_factory=lambda: _empty("comments"))
    sponsorship: pd.DataFrame = field(default_factory=lambda: _empty("sponsorship"))
    report: ValidationReport = field(default_factory=ValidationReport)
    source: Path | None = None
    truth: dict | None = None
    practice: pd.DataFrame | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """``{name: DataFrame}`` for every table, in dependency order."""
        return {t: getattr(self, t) for t in TABLE_ORDER}

    def summary(self) -> pd.DataFrame:
        """Rows and columns per table, as a tidy frame."""
        return pd.DataFrame([{"table": t, "rows": len(df), "columns": df.shape[1]}
                             for t, df in self.tables().items()])

    def __repr__(self) -> str:
        sizes = ", ".join(f"{t}={len(df)}" for t, df in self.tables().items())
        return f"<ProgramData {sizes}; source={self.source}>"

    def time_to_exit(self) -> pd.DataFrame:
        """Follow-up time and exit indicator per outcome row, ready for survival analysis.

        Duration runs from ``index_date`` to ``exit_date`` for people who
        exited within the follow-up, else to ``followup_end`` (censored).
        Months are days / 30.4375 (the mean month length).

        Returns
        -------
        DataFrame
            ``participant_id, mentored, duration_days, duration_months, event``
            (``event`` is True for an exit).

        Example
        -------
        >>> import mentorkit.datasets as ds
        >>> tte = ds.load("program_sample").time_to_exit()
        >>> bool(tte["duration_months"].max() <= 24.1)
        True
        """
        o = self.outcomes
        missing = [c for c in ("index_date", "followup_end") if c not in o.columns]
        if missing:
            raise MentorkitError(f"outcomes: time to exit needs the column(s) {', '.join(missing)}")
        end = o["exit_date"].where(o["exited"], o["followup_end"])
        days = (end - o["index_date"]).dt.days.astype(float)
        mentored = o["participant_id"].map(
            self.participants.set_index("participant_id")["mentored"]).astype("boolean")
        return pd.DataFrame({
            "participant_id": o["participant_id"].to_numpy(),
            "mentored": mentored.to_numpy(),
            "duration_days": days.to_numpy(),
            "duration_months": (days / 30.4375).to_numpy(),
            "event": o["exited"].to_numpy(dtype=bool),
        })

    def to_folder(self, path: str | Path, format: str = "csv", *, on_table=None) -> Path:
        """Write every non-empty table (and ``truth.json``) to *path*; *on_table* is called with
        each table's name once it is written (a progress bar's step).

        CSV text is made spreadsheet-safe (see
        :func:`mentorkit.privacy.spreadsheet_safe`); the loader reads it back
        unchanged. A folder that cannot be made is a :class:`MentorkitError` naming it.
        """
        path = Path(path)
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MentorkitError(f"{path}: cannot create the output folder: {exc.strerror or exc}") from None
        for t, df in self.tables().items():
            if t in ("comments", "sponsorship") and df.empty:
                continue
            write_table(df, path / f"{t}.{format}")
            if on_table is not None:
                on_table(t)
        if self.truth is not None:
            (path / "truth.json").write_text(json.dumps(self.truth, indent=2, sort_keys=False) + "\n",
                                             encoding="utf-8")
        if self.practice is not None:   # the simulated practice log, as `simulate(out=...)` writes it
            from mentorkit.privacy import to_csv_safe
            to_csv_safe(practice_export(self.practice), path / PRACTICE_FILE)
        return path

