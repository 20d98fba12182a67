"""Time the full `analyze` on a simulated program of 100,000 mentees, against loading it.

    .venv/bin/python benchmarks/bench_analysis.py [--mentees 100000] [--format csv|parquet] [--repeat 1]

Steps, all in this one run: simulate the program into a temporary folder (not timed as a
result), load it with mentorkit.program.load (the baseline: reading and validating every
row), then run mentorkit.analysis.analyze on the loaded data and print the seconds each
analysis took, the total, and the total as a ratio of the load time. The target is a total
of at most 15 s on the project's 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings

TARGET_SECONDS = 15.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mentees", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", choices=["csv", "parquet"], default="csv")
    ap.add_argument("--repeat", type=int, default=1, help="analyze runs; the median is reported")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")

    from mentorkit.analysis import ANALYSES, analyze
    from mentorkit.program import load, simulate

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPU(s), Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="mentorkit-bench-") as folder:
        t0 = time.perf_counter()
        simulate(mentees=args.mentees, seed=args.seed, out=folder, format=args.format)
        print(f"simulated {args.mentees:,} mentees (+ comparison group) into {args.format} in "
              f"{time.perf_counter() - t0:.1f} s (setup, not part of the figures)")

        t0 = time.perf_counter()
        data = load(folder)
        load_s = time.perf_counter() - t0
    rows = {t: len(df) for t, df in data.tables().items()}
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in rows.items()))
    print(f"baseline  load + validate              {load_s:8.2f} s")

    runs = []
    for _ in range(max(1, args.repeat)):
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        analyze(data, timings=timings)
        timings["total"] = time.perf_counter() - t0
        runs.append(timings)
    med = {k: statistics.median(r[k] for r in runs) for k in list(ANALYSES) + ["total"]}
    for name in ANALYSES:
        print(f"analysis  {name:<28} {med[name]:8.2f} s")
    total = med["total"]
    print(f"analyze   total                        {total:8.2f} s   (target <= {TARGET_SECONDS:.0f} s: "
          f"{'met' if total <= TARGET_SECONDS else 'NOT met'})")
    print(f"ratio     analyze / load               {total / load_s:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
