"""Stage 5 of loading: the problem report of a table and its quarantine (the rejected rows as read,
with their reasons), written next to the data or to the folder given."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.data import PROBLEM_COLUMNS
from mentorkit.program.loading.cells import _repeat
from mentorkit.program.loading.readers import _objects, _take_raw

if TYPE_CHECKING:
    from mentorkit.program.loader import _Table
    from mentorkit.program.loading.cells import _Rows
    from mentorkit.program.loading.readers import _Raw

QUARANTINE_DIRNAME = "_quarantine"



def _build_problem_frame(table: str, file: str, raw: _Raw | None, rows: _Rows, row_numbers: np.ndarray,
                         extra: list[tuple]) -> pd.DataFrame:
    """One row per problem in row order (file-level ones first). The columns are built as arrays and
    the frame once, from arrays whose repeated texts are shared: no copy per stage of a long report."""
    file_level = (raw.problems if raw is not None else []) + extra
    invalid = raw.invalid if raw is not None else []
    row_parts, col_parts, sev_parts, msg_parts = [], [], [], []

    def part(row, col, sev, msg):
        row_parts.append(np.asarray(row, dtype=np.float64))
        col_parts.append(np.asarray(col, dtype=object))
        sev_parts.append(np.asarray(sev, dtype=object))
        msg_parts.append(np.asarray(msg, dtype=object))

    if file_level:
        part([np.nan if p[0] is None else p[0] for p in file_level], [p[1] for p in file_level],
             [p[3] for p in file_level], [p[2] for p in file_level])
    if invalid:
        part([r for r, _, _ in invalid], np.full(len(invalid), None, dtype=object),
             _repeat("error", len(invalid)), [m for _, _, m in invalid])
    for i, c, s, m in zip(rows.idx, rows.col, rows.sev, rows.msg):
        part(row_numbers[i], _repeat(c, len(i)), _repeat(s, len(i)), m)
    if not row_parts:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    row = np.concatenate(row_parts)
    order = np.argsort(np.nan_to_num(row, nan=0.0), kind="stable")
    rows_int = pd.array(row[order], dtype="Int64")
    del row
    # the text columns filled into one block the frame takes as it is (building from a dict would copy them)
    texts = np.empty((len(order), 5), dtype=object)
    texts[:, 0] = table
    texts[:, 1] = file
    for k, parts in ((2, col_parts), (3, sev_parts), (4, msg_parts)):
        texts[:, k] = np.concatenate(parts)[order]
        parts.clear()
    frame = pd.DataFrame(texts, columns=["table", "file", "column", "severity", "message"], copy=False)
    frame.insert(2, "row", rows_int)
    return frame[PROBLEM_COLUMNS] if list(frame.columns) != PROBLEM_COLUMNS else frame



def _take_coded(u, codes: np.ndarray):
    """Rejected rows' raw cells as a Categorical over the column's unique values: memory stays that of
    the codes however many rows are rejected (a million repeated ids), unlike one Python string per cell."""
    cats = pd.Index(_objects(u)) if len(u) else pd.Index([], dtype=object)
    if cats.has_duplicates or cats.hasnans:
        return _take_raw(u, codes)
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=cats)


def _shared(values: np.ndarray, make) -> np.ndarray:
    """``make(v)`` for each value, computed once per distinct value and shared by its repeats."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=False)
    return np.array([make(u) for u in uniques], dtype=object)[codes] if len(values) else values


def _reasons(rows: _Rows, rejected: np.ndarray, missing: list[str]) -> np.ndarray:
    """The reasons of each rejected row: its errors as ``column: message``, joined with ``"; "`` in
    the order they were found. Equal reasons are one string however many rows share it."""
    reasons = np.full(len(rejected), "", dtype=object)
    err = [k for k, s in enumerate(rows.sev) if s == "error"]
    if err:
        idx = np.concatenate([rows.idx[k] for k in err])
        text = np.concatenate([_shared(rows.msg[k], (lambda m, c=rows.col[k]: f"{c}: {m}" if c else m))
                               for k in err])
        order = np.argsort(idx, kind="stable")
        idx, text = idx[order], text[order]
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        ends = np.r_[starts[1:], len(idx)]
        joined = text[starts]
        many = np.flatnonzero(ends - starts > 1)
        if len(many):
            code, _ = pd.factorize(pd.Series(text, dtype=object))
            seen: dict[tuple, str] = {}
            for g in many:
                s, e = starts[g], ends[g]
                k = tuple(code[s:e])
                if k not in seen:
                    seen[k] = "; ".join(text[s:e])
                joined[g] = seen[k]
        at = np.searchsorted(rejected, idx[starts])
        found = (at < len(rejected)) & (rejected[np.minimum(at, len(rejected) - 1)] == idx[starts])
        reasons[at[found]] = joined[found]
    if missing:
        extra = "; ".join(m if ": " in m else f"{m}: required column is missing" for m in missing)
        reasons = _shared(reasons, lambda r: f"{r}; {extra}" if r else extra)
    return reasons


class _Quarantine:
    """The rejected rows of one table as row numbers and reasons; the quarantine file's rows (the
    cells as read, personal-data columns left out) are made from the reader's codes a chunk at a
    time when the file is written, so memory does not grow with a copy of every rejected row."""

    def __init__(self, raw: _Raw, rows: _Rows, loaded: np.ndarray, missing: list[str]):
        self.raw = raw
        self.rejected = np.flatnonzero(~loaded)
        self.reasons = _reasons(rows, self.rejected, missing)
        lines = np.array([r for r, _, _ in raw.invalid], dtype=np.int64)
        #: the file's order: rejected records and unreadable lines by source row
        self.order = np.argsort(np.concatenate([raw.rows[self.rejected], lines]), kind="stable")
        self.labels: list[tuple[int, str]] = []
        used = {"source_file", "source_row", "reasons"}
        for j, name in enumerate(raw.names):
            if j in raw.personal:
                continue
            label = name if name not in used else f"{name}_{j + 1}"
            used.add(label)
            self.labels.append((j, label))

    def __len__(self) -> int:
        return len(self.order)

    def frame(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        """Rows *start* to *stop* of the quarantine file, in source-row order."""
        raw, take = self.raw, self.order[start:stop]
        k = len(self.rejected)
        mine = take[take < k]
        data = {"source_file": raw.file, "source_row": raw.rows[self.rejected[mine]], "reasons": self.reasons[mine]}
        for j, label in self.labels:
            data[label] = _take_coded(raw.uniques[j], raw.codes[j][self.rejected[mine]])
        frame = pd.DataFrame(data)
        if raw.invalid:
            # a line that could not be split may carry a personal-data column's cells: then only row and reason
            bad = [raw.invalid[i - k] for i in take[take >= k]]
            inv = pd.DataFrame({"source_file": raw.file, "source_row": np.array([r for r, _, _ in bad], dtype=np.int64),
                                "reasons": [m for _, _, m in bad],
                                "raw_line": [None if raw.personal else t for _, t, _ in bad]})
            frame = pd.concat([frame, inv], ignore_index=True).sort_values("source_row", kind="stable")
            if "raw_line" not in frame.columns:
                frame["raw_line"] = None
        return frame.reset_index(drop=True)

    def frames(self, chunk: int = 20_000):
        for a in range(0, len(self), chunk):
            yield self.frame(a, a + chunk)


def _quarantine_frame(raw: _Raw, rows: _Rows, loaded: np.ndarray, missing: list[str]) -> _Quarantine | None:
    if not (~loaded).any() and not raw.invalid:
        return None
    return _Quarantine(raw, rows, loaded, missing)



def _quarantine_dir(folder: Path, quarantine_dir) -> Path:
    if quarantine_dir is not None:
        return Path(quarantine_dir)
    return folder / QUARANTINE_DIRNAME


def _write_quarantine(folder: Path, quarantine_dir, tables: dict[str, _Table], explicit: bool) -> dict[str, Path]:
    from mentorkit import config
    from mentorkit.privacy import write_csv_parts

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
        written[t] = write_csv_parts(frame.frames(), target / f"{t}.csv")
    return written
