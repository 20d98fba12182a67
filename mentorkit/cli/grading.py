"""``mentorkit grade`` and ``mentorkit train-grader``: the SBI grader from the command line.

Input problems become :class:`~mentorkit.errors.MentorkitError` with the file and line named
(exit code 2); the CLI prints them as one line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from mentorkit.cli.files import read_column, read_lines
from mentorkit.cli.scale import add_scale_arguments, run_partitioned, wants_partitioned
from mentorkit.errors import MentorkitError
from mentorkit.scale import GRADE_FIELDS as CSV_FIELDS
from mentorkit.scale import grade_row as _csv_row

__all__ = ["add_parsers", "read_statements", "run_grade", "run_train", "CSV_FIELDS"]



def add_parsers(sub) -> None:
    p = sub.add_parser("grade", help="grade feedback against the SBI model",
                       description="Grade one statement, or every line of a .txt file / a column of a CSV file.")
    p.add_argument("text", nargs="?", help="the feedback statement to grade")
    p.add_argument("--input", metavar="FILE", help="a .txt file (one statement per line) or a .csv file")
    p.add_argument("--column", metavar="NAME", help="the CSV column holding the statements (default: 'text')")
    p.add_argument("--format", choices=["text", "jsonl", "csv"], default=None,
                   help="output format (default: text for one statement, jsonl for a file)")
    p.add_argument("--batch-size", type=int, default=64, help="statements parsed per batch")
    add_scale_arguments(p)
    p.set_defaults(func=run_grade)

    t = sub.add_parser("train-grader", help="retrain the SBI grader from datasets/sbi reproducibly",
                       description="Rebuild the corpus from datasets/sbi/src, train the grader, evaluate it on the fixed test split and save it.")
    t.add_argument("--corpus", metavar="DIR", default=None, help="corpus folder (default: the bundled datasets/sbi)")
    t.add_argument("--out", metavar="FILE", default=None, help="where to write the model (default: the packaged model)")
    t.add_argument("--cross-source", action="store_true",
                   help="also run leave-one-writer-out (one model per held-out writer file) and store the "
                        "figures in the corpus folder's cross_source.json")
    t.set_defaults(func=run_train)


def read_statements(path: str | Path, column: str | None = None) -> list[tuple[int, str]]:
    """(line number, statement) pairs from a .txt file or a CSV column. Blank .txt lines are skipped.

    >>> import os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "s.txt")
    >>> _ = open(p, "w").write("In Monday's call you paused.\\n\\n  Thanks.\\n")
    >>> read_statements(p)
    [(1, "In Monday's call you paused."), (3, 'Thanks.')]
    """
    from mentorkit.feedback.grade import MAX_CHARS
    path = Path(path)
    if path.suffix.lower() == ".csv" or column:
        items = read_column(path, column, what="statement")
    else:
        items = [(n, line.strip()) for n, line in read_lines(path, what="statement") if line.strip()]
    for n, s in items:
        if len(s) > MAX_CHARS:
            raise MentorkitError(f"{path}:{n}: statement is {len(s):,} characters; the grader reads at most "
                                 f"{MAX_CHARS:,}. Split it into separate statements.")
    return items


def run_grade(args) -> int:
    """Entry point for ``mentorkit grade`` (see ``mentorkit grade --help``)."""
    from mentorkit.feedback.grade import grade_feedback, grade_many
    if args.batch_size < 1:
        raise MentorkitError(f"--batch-size must be at least 1, got {args.batch_size}")
    if args.input and args.text:
        raise MentorkitError("give either a TEXT argument or --input FILE, not both")
    if args.input and wants_partitioned(args):
        return run_partitioned("grade", args)
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
    """Entry point for ``mentorkit train-grader``."""
    from mentorkit.feedback.train import train
    result = train(corpus=args.corpus, out=args.out, progress=True)
    print(f"model written to {result['model']} ({result['n_train']} train / {result['n_test']} test statements)")
    print(f"{'part':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}")
    for m in result["metrics"]:
        print(f"{m['part']:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {m['support']:>7}")
    print("calibration (test split, ECE): " + ", ".join(f"{c['part']} {c['ece']:.3f}" for c in result["calibration"]))
    if getattr(args, "cross_source", False):
        from mentorkit.feedback.train import save_cross_source
        cs = save_cross_source(args.corpus)
        print("leave-one-writer-out mean F1: " + ", ".join(f"{k} {v:.3f}" for k, v in cs["mean"].items()))
    return 0
