"""The work behind ``mentorkit analyze | report | retention | match`` (the parsers live in cli.py)."""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

__all__ = ["run_analyze", "run_report", "run_retention", "run_match", "to_jsonable", "read_table", "load_program"]


def to_jsonable(df: pd.DataFrame) -> list[dict]:
    """DataFrame records with plain JSON values: NaN and infinities become null, dates ISO text."""
    out = []
    cols = list(df.columns)
    for row in df.itertuples(index=False, name=None):
        rec = {}
        for c, v in zip(cols, row):
            if isinstance(v, (np.bool_, bool)):
                v = bool(v)
            elif isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating, float)):
                v = None if not math.isfinite(float(v)) else float(v)
            elif isinstance(v, (pd.Timestamp, np.datetime64)):
                v = None if pd.isna(v) else pd.Timestamp(v).isoformat()
            elif v is pd.NA or v is pd.NaT:
                v = None
            rec[str(c)] = v
        out.append(rec)
    return out


def load_program(path: str, mapping: str | None = None):
    """Load a program folder (or a shipped dataset by name), reporting quarantined rows on stderr."""
    p = Path(path)
    if not p.exists():
        names = _dataset_names()
        if path in names:
            from mentorkit import datasets

            return datasets.load(path)
        raise MentorkitError(f"{path}: no such folder (give a folder of program tables"
                             + (f", or one of the shipped datasets: {', '.join(names)})" if names else ")"))
    if not p.is_dir():
        raise MentorkitError(f"{path}: not a folder; give the folder that holds participants.csv, pairs.csv, ...")
    from mentorkit.program import load

    data = load(p, mapping=mapping)
    rep = data.report
    if rep.n_errors:
        print(f"mentorkit: {rep.n_errors} row problem(s) in {path}; those rows were quarantined "
              "(see the _quarantine folder). First problems:", file=sys.stderr)
        for line in rep.lines(limit=5):
            print(f"  {line}", file=sys.stderr)
    return data


def _dataset_names() -> list[str]:
    """Names of the shipped program datasets (empty if the index cannot be read)."""
    try:
        from mentorkit import datasets

        return [str(n) for n in datasets.list()["name"] if str(n) != "sbi"]
    except Exception:  # noqa: BLE001 - listing is only a hint in an error message
        return []


def _print_tables(tables: dict[str, pd.DataFrame]) -> None:
    with pd.option_context("display.max_columns", None, "display.width", 200, "display.float_format", "{:,.4g}".format):
        for name, df in tables.items():
            print(f"== {name} ({len(df)} row{'s' if len(df) != 1 else ''})")
            print(df.to_string(index=False) if len(df) else "(empty)")
            print()


def run_analyze(args) -> int:
    from mentorkit.analysis import ANALYSES, analyze

    data = load_program(args.path, args.mapping)
    bar = None
    if sys.stderr.isatty():
        from tqdm.auto import tqdm
        bar = tqdm(total=len(ANALYSES), desc="analyze", unit="analysis", file=sys.stderr)

    def step(name: str) -> None:
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update(0 if name == ANALYSES[0] else 1)

    results = analyze(data, progress=step)
    if bar is not None:
        bar.update(1)
        bar.close()
    if args.format == "json":
        json.dump({k: to_jsonable(v) for k, v in results.items()}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _print_tables(results)
    return 0


def run_report(args) -> int:
    from mentorkit.analysis.report import write_report

    data = load_program(args.path, args.mapping)
    out = write_report(data, args.out, title=args.title)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, opens offline)")
    return 0


def read_table(path: str) -> pd.DataFrame:
    """Read a CSV/TSV (or .xlsx/.parquet) file, raising one clear line when it cannot be read."""
    p = Path(path)
    if not p.exists():
        raise MentorkitError(f"{path}: no such file")
    if p.is_dir():
        raise MentorkitError(f"{path}: is a folder, expected a CSV file")
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
        raise MentorkitError(f"{path}: could not be read as a table ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else ''})") from None


def _report_rejected(path: str, rejected: pd.DataFrame, total: int) -> None:
    if rejected.empty:
        return
    print(f"mentorkit: {len(rejected)} of {total} row(s) in {path} could not be used and were left out:",
          file=sys.stderr)
    for r, reason in zip(rejected["row"].head(10), rejected["reason"].head(10)):
        print(f"  {path}:{int(r) + 1}: {reason}", file=sys.stderr)  # +1: the header is line 1
    if len(rejected) > 10:
        print(f"  ... and {len(rejected) - 10} more", file=sys.stderr)


def run_retention(args) -> int:
    from mentorkit.analysis.retention import clean_survival_table, compare_retention, km_medians

    raw = read_table(args.file)
    covs = [c.strip() for c in (args.covariates or "").split(",") if c.strip()]
    clean, rejected = clean_survival_table(raw, args.duration, args.event, args.group, covs, where=args.file)
    _report_rejected(args.file, rejected, len(raw))
    if clean.empty:
        raise MentorkitError(f"{args.file}: no usable rows left ({len(rejected)} rejected)")
    reference = args.reference
    if reference is not None:
        values = clean[args.group].unique().tolist()
        match = [v for v in values if str(v) == reference]
        if not match:
            raise MentorkitError(f"{args.file}: --reference {reference!r} is not a value of column {args.group!r} "
                                 f"(values: {sorted(map(str, values))})")
        reference = match[0]
    medians = km_medians(clean, args.duration, args.event, args.group)
    table = compare_retention(clean, args.duration, args.event, args.group, covariates=covs, reference=reference)
    if args.format == "json":
        json.dump({"medians": to_jsonable(medians), "comparison": to_jsonable(table),
                   "rows_used": int(len(clean)), "rows_rejected": int(len(rejected))}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _print_tables({"Kaplan-Meier medians": medians, "comparison": table.drop(columns="note")})
        if np.isinf(medians["median"]).any():
            print("note: a median of inf means fewer than half the group left during follow-up")
        for method, note in zip(table["method"], table["note"]):
            print(f"note ({method}): {note}")
    return 0


def run_match(args) -> int:
    from mentorkit.analysis.matching import match
    from mentorkit.privacy import to_csv_safe

    people = read_table(args.people)
    try:
        lo, hi = (int(x) for x in args.capacity_range.split("-"))
    except ValueError:
        raise MentorkitError(f"--capacity-range must look like 5-10, got {args.capacity_range!r}") from None
    result = match(people, method=args.method, capacity_range=(lo, hi), where=args.people)
    _report_rejected(args.people, result.rejected, len(people))
    out = Path(args.out)
    if not out.parent.exists():
        raise MentorkitError(f"{args.out}: the folder {out.parent} does not exist")
    to_csv_safe(result.pairs, out)
    s = result.summary().iloc[0]
    print(f"matched {int(s['pairs'])} mentee(s), mean score {s['mean_score']:.3f}; "
          f"{int(s['unmatched'])} unmatched; {int(s['blocking_pairs'])} blocking pair(s); wrote {out}")
    if len(result.unmatched):
        print(f"unmatched: {', '.join(map(str, result.unmatched['mentee_id'].head(20)))}"
              + (" ..." if len(result.unmatched) > 20 else ""))
    if len(result.blocking):
        print("blocking pairs (would both rather be together; try --method stable):")
        for r in result.blocking.head(10).itertuples(index=False):
            print(f"  {r.mentee_id} + {r.mentor_id}: score {r.score:.3f} > mentee's {r.mentee_current_score:.3f}")
    return 0
