"""Benchmark the SBI grader against a plain full spaCy parse, in one run.

Prints:
- throughput of ``grade_many`` and of ``nlp.pipe`` with the full en_core_web_sm
  pipeline (all components) on the same statements, and their ratio
  (target: grader >= 0.8x the full parse);
- single-statement latency p50 / p95 after warm-up (target p95 < 30 ms);
- cold start: a fresh interpreter importing mentorkit and grading one statement
  (target < 3 s).

The statements: the corpus, plus recombinations of its sentences so there are at
least 5,000 distinct, varied texts (``--n`` sets how many).
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time

import numpy as np


def statements(n: int, seed: int = 7) -> list[str]:
    from mentorkit.feedback.train import load_corpus
    base = load_corpus()["text"].tolist()
    rng = random.Random(seed)
    sentences = [s.strip() + "." for t in base for s in t.replace("!", ".").replace("?", ".").split(".") if len(s.split()) > 2]
    out = list(base)
    seen = set(out)
    while len(out) < n:
        k = rng.randint(1, 4)
        text = " ".join(rng.sample(sentences, k))
        if text not in seen:
            seen.add(text)
            out.append(text)
    rng.shuffle(out)
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--batch-size", type=int, default=128)
    args = ap.parse_args()

    t0 = time.perf_counter()
    cold = subprocess.run([sys.executable, "-c",
                           "import time; t=time.perf_counter(); import mentorkit; "
                           "mentorkit.grade_feedback('In Monday\\'s call you cut Ana off, so we lost the thread.'); "
                           "print(time.perf_counter()-t)"], capture_output=True, text=True, check=True)
    cold_s = float(cold.stdout.strip().splitlines()[-1])
    wall_cold = time.perf_counter() - t0

    import mentorkit
    from mentorkit.nlp import get_nlp
    texts = statements(args.n)
    words = sum(len(t.split()) for t in texts)
    full = get_nlp("full")
    mentorkit.grade_feedback("warm up the grader.")
    list(full.pipe(texts[:200], batch_size=args.batch_size))

    t = time.perf_counter()
    for _ in full.pipe(texts, batch_size=args.batch_size):
        pass
    full_s = time.perf_counter() - t

    t = time.perf_counter()
    n_graded = sum(1 for _ in mentorkit.grade_many(texts, batch_size=args.batch_size))
    grade_s = time.perf_counter() - t
    assert n_graded == len(texts)

    lat = []
    for text in texts[:400]:
        t = time.perf_counter()
        mentorkit.grade_feedback(text)
        lat.append((time.perf_counter() - t) * 1000)
    p50, p95 = np.percentile(lat, [50, 95])

    print(f"statements: {len(texts)} ({words:,} words, mean {words / len(texts):.1f} words)")
    print(f"full en_core_web_sm nlp.pipe : {len(texts) / full_s:8.1f} texts/s  ({full_s:.2f} s)")
    print(f"mentorkit.grade_many         : {len(texts) / grade_s:8.1f} texts/s  ({grade_s:.2f} s)")
    print(f"ratio grader / full parse    : {full_s / grade_s:8.2f}x   (target >= 0.80x)")
    print(f"single-text latency          : p50 {p50:.1f} ms, p95 {p95:.1f} ms   (target p95 < 30 ms)")
    print(f"cold start import+first grade: {cold_s:.2f} s in a fresh interpreter ({wall_cold:.2f} s with "
          f"interpreter start)   (target < 3 s)")


if __name__ == "__main__":
    main()
