"""Benchmark program data: simulate a large program, then load and validate it.

1. ``mentorkit.program.simulate`` of N mentees (default 100,000) plus an equal
   comparison group, written as CSV (seconds, rows, MB).
2. Baseline, same run and same files: a plain ``pandas.read_csv`` of every
   table (no validation, default type inference).
3. ``mentorkit.program.load``: every row validated (types, ranges, dates,
   categories, duplicates, ids across tables), dtypes normalised.

Prints the seconds of each and the ratio validated load / plain read
(target <= 3x). Each read is timed ``--repeat`` times; the best is kept.

Run: ``.venv/bin/python benchmarks/bench_program.py [--mentees 100000] [--seed 1] [--keep DIR]``
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

TARGET_RATIO = 3.0


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentees", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="time each read this many times, keep the best")
    ap.add_argument("--keep", metavar="DIR", help="write the program here and keep it (default: a temp folder)")
    args = ap.parse_args(argv)

    from mentorkit.program import load, simulate

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="mentorkit-bench-"))
    try:
        t = time.perf_counter()
        sim = simulate(mentees=args.mentees, seed=args.seed, out=folder, progress=True)
        t_sim = time.perf_counter() - t
        files = sorted(folder.glob("*.csv"))
        rows = sum(len(df) for df in sim.tables().values())
        mb = sum(f.stat().st_size for f in files) / 1e6
        del sim

        t_plain, frames = _best(lambda: {f.stem: pd.read_csv(f) for f in files}, args.repeat)
        plain_rows = sum(len(df) for df in frames.values())
        del frames
        t_load, data = _best(lambda: load(folder), args.repeat)
        report = data.report

        print(f"simulate {args.mentees:,} mentees (+{args.mentees:,} comparison): {t_sim:8.2f} s  "
              f"({rows:,} rows in {len(files)} CSV files, {mb:,.0f} MB)")
        print(f"plain pandas.read_csv of the same files:  {t_plain:8.2f} s  ({plain_rows:,} rows)")
        print(f"validated load (mentorkit.program.load):  {t_load:8.2f} s  "
              f"({sum(report.rows_loaded.values()):,} rows loaded, {report.n_errors} errors, "
              f"{report.n_warnings} warnings)")
        ratio = t_load / t_plain
        print(f"ratio validated load / plain read:        {ratio:8.2f} x  (target <= {TARGET_RATIO:g}x: "
              f"{'met' if ratio <= TARGET_RATIO else 'NOT met'})")
        print(f"rows read = loaded + quarantined for every table: {report.balanced}")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
