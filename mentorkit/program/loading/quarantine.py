"""Stage 5 of loading: the problem report of a table and its quarantine (the rejected rows as read,
with their reasons), written next to the data or to the folder given."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.data import PROBLEM_COLUMNS
from mentorkit.program.loading.readers import _take_raw

if TYPE_CHECKING:
    from mentorkit.program.loader import _Table
    from mentorkit.program.loading.cells import _Rows
    from mentorkit.program.loading.readers import _Raw

QUARANTINE_DIRNAME = "_quarantine"



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
        extra = "; ".join(m if ": " in m else f"{m}: required column is missing" for m in missing)
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
        # a line that could not be split may carry a personal-data column's cells: then only row and reason
        lines = [None if raw.personal else t for _, t, _ in raw.invalid]
        inv = pd.DataFrame({"source_file": raw.file, "source_row": [r for r, _, _ in raw.invalid],
                            "reasons": [m for _, _, m in raw.invalid], "raw_line": lines})
        frame = pd.concat([frame, inv], ignore_index=True).sort_values("source_row", kind="stable")
    return frame.reset_index(drop=True)



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
