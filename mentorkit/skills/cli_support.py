"""The work behind ``mentorkit listen`` and ``mentorkit train-skills`` (the parsers live in
:mod:`mentorkit.cli`).

``listen`` reads one utterance per line (UTF-8), labels each, and writes one JSON object
(or CSV row) per input line: ``line``, ``text``, ``label``, ``confidence``. Blank lines are
kept in the output with an empty label and reported on stderr, never dropped. A missing,
empty or non-UTF-8 file stops with one line naming the file (and the line), exit code 2.
"""
from __future__ import annotations

import csv
import importlib
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.skills import model as model_store

__all__ = ["read_utterances", "listen_rows", "write_rows", "run_listen", "train_all", "run_train", "csv_safe"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (a leading ``'``), leave numbers alone.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("fine"), csv_safe(0.5)
    ("'=HYPERLINK(1)", 'fine', 0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def read_utterances(path: str | Path) -> list[tuple[int, str]]:
    """``(line number, text)`` for every line of *path* (``-`` reads standard input).

    Raises :class:`MentorkitError` naming the file (and line) when it is missing, unreadable,
    not UTF-8, or holds no text at all.

    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False); _ = f.write("Hi\\n\\nHow are you?\\n"); f.close()
    >>> read_utterances(f.name)
    [(1, 'Hi'), (2, ''), (3, 'How are you?')]
    >>> os.unlink(f.name)
    """
    name = "<stdin>" if str(path) == "-" else str(path)
    if str(path) == "-":
        raw = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.exists():
            raise MentorkitError(f"{name}: file not found")
        if p.is_dir():
            raise MentorkitError(f"{name}: is a folder, not a file")
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise MentorkitError(f"{name}: cannot read ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines = lines[:-1]
    out: list[tuple[int, str]] = []
    for lineno, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MentorkitError(f"{name}:{lineno}: not valid UTF-8 (byte {exc.start + 1} of the line is "
                                 f"0x{line[exc.start]:02x}); save the file as UTF-8") from None
        out.append((lineno, text.rstrip("\r").strip()))
    if not any(text for _, text in out):
        raise MentorkitError(f"{name}: empty file (expected one utterance per line)")
    return out


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
    """Write *rows* as JSON lines or CSV (formula-safe) to *out*."""
    if fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["line", "text", "label", "confidence", "error"])
        for r in rows:
            w.writerow([r["line"], csv_safe(r["text"]), r["label"] or "",
                        "" if r["confidence"] is None else r["confidence"], r.get("error", "")])
    else:
        raise MentorkitError(f"unknown output format {fmt!r}; choose jsonl or csv")


def run_listen(args) -> int:
    lines = read_utterances(args.input)
    rows = listen_rows(lines, batch_size=args.batch_size)
    name = "<stdin>" if args.input == "-" else args.input
    blank = [r["line"] for r in rows if r["label"] is None]
    if blank:
        shown = ", ".join(map(str, blank[:10])) + (" ..." if len(blank) > 10 else "")
        print(f"mentorkit listen: {name}: {len(blank)} blank line(s) kept in the output with no label "
              f"(line {shown})", file=sys.stderr)
    write_rows(rows, args.format, sys.stdout)
    return 0


def train_all(skills: list[str] | None = None, root=None, out_dir: str | Path | None = None,
              progress: bool = True) -> tuple[dict[str, dict], pd.DataFrame]:
    """Retrain the chosen detectors (default: all) from ``datasets/``, save them to *out_dir*
    (default: the packaged models), and return the bundles and their test-split report."""
    from mentorkit.skills import evaluate

    chosen = skills or list(model_store.TRAINED_SKILLS)
    unknown = sorted(set(chosen) - set(model_store.TRAINED_SKILLS))
    if unknown:
        raise MentorkitError(f"unknown skill(s) {', '.join(unknown)}; trainable: {', '.join(model_store.TRAINED_SKILLS)}")
    bundles: dict[str, dict] = {}
    frames = []
    for skill in chosen:
        module = importlib.import_module(model_store.TRAINED_SKILLS[skill])
        bundle = module.train(root, progress=progress)
        if skill == "active_listening":
            rep = evaluate.listening_report("test", root, bundle)
        else:
            rep = evaluate.skill_report(skill, "test", root, bundle)
        bundle["meta"]["test_f1_macro"] = round(float(rep[rep.component == "macro"].f1.iloc[0]), 4)
        model_store.save(bundle, model_store.model_path(skill, out_dir))
        bundles[skill] = bundle
        frames.append(rep)
    model_store.clear_cache()
    return bundles, pd.concat(frames, ignore_index=True)


def run_train(args) -> int:
    from rich.console import Console
    from rich.table import Table

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
