"""The work behind ``mentorkit grade`` and ``mentorkit train-grader``.

Input problems become :class:`MentorkitError` with the file and line named
(exit code 2); the CLI prints them as one line.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Iterator

from mentorkit.errors import MentorkitError

__all__ = ["read_statements", "run_grade", "run_train", "CSV_FIELDS"]

CSV_FIELDS = ["text", "situation", "behavior", "impact", "judgement", "complete", "score",
              "situation_evidence", "behavior_evidence", "impact_evidence", "judgement_words", "tips"]


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MentorkitError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise MentorkitError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise MentorkitError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise MentorkitError(f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                             "save the file as UTF-8 and try again") from None
    if not text.strip():
        raise MentorkitError(f"{path}: the file is empty; expected one statement per line")
    return text


def read_statements(path: str | Path, column: str | None = None) -> list[tuple[int, str]]:
    """(line number, statement) pairs from a .txt file or a CSV column. Blank .txt lines are skipped."""
    from mentorkit.feedback.grade import MAX_CHARS
    path = Path(path)
    text = _decode(path)
    items: list[tuple[int, str]] = []
    if path.suffix.lower() == ".csv" or column:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        fields = reader.fieldnames or []
        col = column or "text"
        if col not in fields:
            raise MentorkitError(f"{path}:1: no column {col!r}; the columns are {fields}"
                                 + ("" if column else " (choose one with --column NAME)"))
        for row in reader:
            value = row.get(col)
            items.append((reader.line_num, value if value is not None else ""))
        if not items:
            raise MentorkitError(f"{path}: the CSV has a header but no rows")
    else:
        for n, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                items.append((n, line.strip()))
    for n, s in items:
        if len(s) > MAX_CHARS:
            raise MentorkitError(f"{path}:{n}: statement is {len(s):,} characters; the grader reads at most "
                                 f"{MAX_CHARS:,}. Split it into separate statements.")
    return items


def _csv_row(d: dict) -> dict:
    ev = d["evidence"]
    return {
        "text": d["text"], **{k: d[k] for k in ("situation", "behavior", "impact", "judgement", "complete", "score")},
        "situation_evidence": " | ".join(s["text"] for s in ev["situation"]),
        "behavior_evidence": " | ".join(s["text"] for s in ev["behavior"]),
        "impact_evidence": " | ".join(s["text"] for s in ev["impact"]),
        "judgement_words": " | ".join(s["text"] for s in ev["judgement"]),
        "tips": " | ".join(t["message"] for t in d["tips"]),
    }


def run_grade(args) -> int:
    from mentorkit.feedback.grade import grade_feedback, grade_many
    if args.batch_size < 1:
        raise MentorkitError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.input and args.text:
        raise MentorkitError("give either a TEXT argument or --input FILE, not both")
    if not args.input:
        if args.text is None:
            if sys.stdin is None or sys.stdin.isatty():
                raise MentorkitError("nothing to grade: give a TEXT argument or --input FILE")
            args.text = sys.stdin.read()
        g = grade_feedback(args.text)
        fmt = args.format or "text"
        _emit([g.to_dict()] if fmt != "text" else None, fmt, single=g)
        return 0
    items = read_statements(args.input, args.column)
    grades = grade_many((s for _, s in items), batch_size=args.batch_size)
    fmt = args.format or "jsonl"
    if fmt == "text":
        for (n, _), g in zip(items, grades):
            print(f"--- line {n}")
            print(g)
        return 0
    _emit((g.to_dict() for g in grades), fmt)
    return 0


def _emit(records, fmt: str, single=None) -> None:
    out = sys.stdout
    if single is not None and fmt == "text":
        print(single)
        return
    if fmt == "jsonl":
        for d in records:
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        import pandas as pd
        from mentorkit.privacy import spreadsheet_safe
        table = pd.DataFrame([_csv_row(d) for d in records], columns=CSV_FIELDS)
        spreadsheet_safe(table).to_csv(out, index=False, lineterminator="\n")


def run_train(args) -> int:
    from mentorkit.feedback.train import train
    result = train(corpus=args.corpus, out=args.out, progress=True)
    print(f"model written to {result['model']} ({result['n_train']} train / {result['n_test']} test statements)")
    print(f"{'part':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}")
    for m in result["metrics"]:
        print(f"{m['part']:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>7}")
    return 0
