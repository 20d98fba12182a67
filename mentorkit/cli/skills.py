"""``mentorkit listen`` and ``mentorkit train-skills``: the skill detectors from the command line.

``listen`` reads one utterance per line (UTF-8), labels each, and writes one JSON object
(or CSV row) per input line: ``line``, ``text``, ``label``, ``confidence``. Blank lines are
kept in the output with an empty label and reported on stderr, never dropped. A missing,
empty or non-UTF-8 file stops with one line naming the file (and the line), exit code 2.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from mentorkit.cli.files import display_name, read_column, read_lines
from mentorkit.cli.scale import add_scale_arguments, run_partitioned, wants_partitioned
from mentorkit.errors import MentorkitError
from mentorkit.skills.base import SKILLS  # the skill catalogue (no model is loaded)

__all__ = ["add_parsers", "read_utterances", "listen_rows", "write_rows", "run_listen", "run_train"]


def add_parsers(sub) -> None:
    s = sub.add_parser("listen", help="label mentor utterances: reflection, open/closed question, advice, other",
                       description="Active-listening labels for a file with one mentor utterance per line.")
    s.add_argument("--input", metavar="FILE", required=True, help="UTF-8 text file, one utterance per line ('-' for stdin)")
    s.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default jsonl)")
    s.add_argument("--batch-size", type=int, default=64, help="utterances parsed per batch")
    s.add_argument("--column", metavar="NAME", help="with a CSV/Parquet input: the column holding the utterances")
    add_scale_arguments(s)
    s.set_defaults(func=run_listen)

    t = sub.add_parser("train-skills", help="retrain the skill detectors from datasets/ reproducibly",
                       description="Train every skill detector (or those named) on its fixed training split, "
                                   "print test-split precision/recall/F1 and save the models (skops).")
    t.add_argument("--skill", action="append", metavar="NAME",
                   help="only this skill (repeatable): " + ", ".join(s for s in SKILLS if s != "sbi"))
    t.add_argument("--data", metavar="DIR", default=None, help="datasets folder (default: the checkout's datasets/)")
    t.add_argument("--out", metavar="DIR", default=None, help="where to write the models (default: the packaged ones)")
    t.set_defaults(func=run_train)

    e = sub.add_parser("evaluate", help="test-split figures of the packaged SBI grader and skill detectors",
                       description="Score the packaged models (no training) on their fixed test splits and print "
                                   "precision, recall and F1 per part, label or component.")
    e.add_argument("--data", metavar="DIR", default=None, help="datasets folder (default: the checkout's datasets/)")
    e.set_defaults(func=run_evaluate)


def read_utterances(path: str | Path) -> list[tuple[int, str]]:
    """``(line number, text)`` for every line of *path* (``-`` reads standard input), trimmed.

    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False); _ = f.write("Hi\\n\\nHow are you? \\n"); f.close()
    >>> read_utterances(f.name)
    [(1, 'Hi'), (2, ''), (3, 'How are you?')]
    >>> os.unlink(f.name)
    """
    return [(n, text.strip()) for n, text in read_lines(path, what="utterance")]


def listen_rows(lines: list[tuple[int, str]], batch_size: int = 64) -> list[dict[str, Any]]:
    """Label the non-blank lines; blank ones come back with ``label`` None and an ``error``."""
    from mentorkit.skills.listening import classify_utterances

    texts = [t for _, t in lines if t]
    labels = iter(classify_utterances(texts, batch_size=batch_size))
    rows = []
    for lineno, text in lines:
        if text:
            label, conf = next(labels)
            rows.append({"line": lineno, "text": text, "label": label, "confidence": round(conf, 4)})
        else:
            rows.append({"line": lineno, "text": "", "label": None, "confidence": None, "error": "blank line"})
    return rows


def write_rows(rows: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    """Write *rows* as JSON lines or CSV (formula-safe, :func:`mentorkit.privacy.spreadsheet_safe`) to *out*."""
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        import pandas as pd

        from mentorkit.privacy import spreadsheet_safe
        table = pd.DataFrame([{"line": r["line"], "text": r["text"], "label": r["label"] or "",
                               "confidence": "" if r["confidence"] is None else r["confidence"],
                               "error": r.get("error", "")} for r in rows],
                             columns=["line", "text", "label", "confidence", "error"])
        spreadsheet_safe(table).to_csv(out, index=False, lineterminator="\n")
    else:
        raise MentorkitError(f"unknown output format {fmt!r}; choose jsonl or csv")


def run_listen(args) -> int:
    """Entry point for ``mentorkit listen``."""
    if wants_partitioned(args):
        return run_partitioned("listen", args)
    lines = read_column(args.input, args.column, what="utterance") if args.column else read_utterances(args.input)
    rows = listen_rows(lines, batch_size=args.batch_size)
    name = display_name(args.input)
    blank = [r["line"] for r in rows if r["label"] is None]
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (" ..." if len(blank) > 10 else "")
        print(f"mentorkit listen: {name}: {len(blank)} blank line(s) kept in the output with no label "
              f"(line {shown})", file=sys.stderr)
    write_rows(rows, args.format, sys.stdout)
    return 0


def run_train(args) -> int:
    """Entry point for ``mentorkit train-skills``."""
    from rich.console import Console
    from rich.table import Table

    from mentorkit.skills import model as model_store
    from mentorkit.skills.train import train_all

    _, report = train_all(args.skill or None, args.data, args.out, progress=sys.stderr.isatty())
    table = Table(title="test split (fixed, 20 %)")
    for col in ("skill", "component", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="right" if col not in ("skill", "component") else "left")
    for r in report.itertuples():
        table.add_row(r.skill, r.component, f"{r.precision:.3f}", f"{r.recall:.3f}", f"{r.f1:.3f}", str(r.support))
    Console().print(table)
    where = args.out or model_store.MODEL_DIR
    print(f"saved {report.skill.nunique()} model(s) to {where}", file=sys.stderr)
    return 0


def run_evaluate(args) -> int:
    """Entry point for ``mentorkit evaluate``: the packaged models on their fixed test splits."""
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from mentorkit.feedback.train import evaluate_packaged
    from mentorkit.skills.evaluate import report_all

    sbi = evaluate_packaged(Path(args.data) / "sbi" if args.data else None)
    skills = report_all("test", args.data)
    table = Table(title="packaged models, fixed test splits")
    for col in ("model", "component", "precision", "recall", "f1", "support"):
        table.add_column(col, justify="left" if col in ("model", "component") else "right")
    for r in sbi.itertuples():
        table.add_row("sbi grader", r.part, f"{r.precision:.3f}", f"{r.recall:.3f}", f"{r.f1:.3f}", str(r.support))
    for r in skills.itertuples():
        table.add_row(r.skill, r.component, f"{r.precision:.3f}", f"{r.recall:.3f}", f"{r.f1:.3f}", str(r.support))
    Console().print(table)
    return 0
