"""Grading many statements: one process against a two-worker Dask LocalCluster, in the same run.

Prints rows/s for single-process ``grade_many`` (the baseline) and for the partitioned job on
``LocalCluster(n_workers=W, threads_per_worker=1)``, their ratio (target >= 1.6x with two workers
on a two-core machine), resident memory per worker after the job, and the hours that 10 million
statements would take at the measured per-worker rate for 1 to 32 workers.

    python benchmarks/bench_scale.py             # 50,000 statements (a few minutes)
    python benchmarks/bench_scale.py --n 5000    # a quick look
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def statements(n: int) -> list[str]:
    base = [json.loads(line)["text"] for line in (ROOT / "datasets" / "sbi" / "corpus.jsonl").open(encoding="utf-8")]
    openers = ["", "Quick note.", "One more thing.", "Following up.", "About last week.", "Hi,", "Thanks again."]
    return [f"{openers[(i // len(base)) % len(openers)]} {base[i % len(base)]}".strip() for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50_000, help="statements (default 50,000)")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (default 2)")
    ap.add_argument("--parts", type=int, default=10, help="input Parquet files (partitions)")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from mentorkit.feedback.grade import grade_many
    from mentorkit.nlp import get_nlp
    from mentorkit.scale import read_results, run_job, worker_memory

    texts = statements(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for k, idx in enumerate(np.array_split(np.arange(args.n), args.parts)):
            pd.DataFrame({"text": [texts[i] for i in idx]}).to_parquet(src / f"part-{k:03d}.parquet", index=False)

        print(f"statements: {args.n:,} in {args.parts} Parquet files; machine: {os.cpu_count()} CPUs")
        get_nlp("grader")  # the baseline pays no model load, like a warm worker
        list(grade_many(texts[:64]))
        t = time.perf_counter()
        n_single = sum(1 for _ in grade_many(texts))
        single_s = time.perf_counter() - t
        single_rate = n_single / single_s
        print(f"single process grade_many : {single_s:8.1f} s  {single_rate:8.0f} rows/s  (baseline)")

        t = time.perf_counter()
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        start_s = time.perf_counter() - t
        try:
            summary = run_job("grade", src, Path(tmp) / "out", engine="dask", scheduler=cluster.scheduler_address,
                              progress=False)
            mem = worker_memory(client)
        finally:
            client.close()
            cluster.close()
        assert len(read_results(Path(tmp) / "out")) == args.n
        rate = summary.rows / summary.seconds
        print(f"dask, {args.workers} workers x 1 thread : {summary.seconds:8.1f} s  {rate:8.0f} rows/s  "
              f"(cluster start {start_s:.1f} s, not counted; model load on each worker counted)")
        print(f"ratio dask / single       : {rate / single_rate:8.2f}x  (target >= 1.6x with 2 workers on 2 cores)")
        for w, b in sorted(mem.items()):
            print(f"memory, worker {w}: {b / 2**20:,.0f} MiB resident")
        print(f"  {summary.line()}")
        per_worker = rate / args.workers
        print(f"per-worker rate {per_worker:,.0f} rows/s; projected time for 10,000,000 statements:")
        print(f"  single process: {1e7 / single_rate / 3600:6.2f} h")
        for k in (1, 2, 4, 8, 16, 32):
            print(f"  {k:>2} worker(s)   : {1e7 / (per_worker * k) / 3600:6.2f} h")


if __name__ == "__main__":
    main()
