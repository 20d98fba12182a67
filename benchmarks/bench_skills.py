"""Time the skill detectors against the spaCy parse they sit on (a baseline measured in the same run).

Prints, per detector, the median and 95th-percentile time for one reply given a parsed doc,
and the ratio to the parse itself; then the practice-loop case (parse once, run every trained
detector, as ``detect_many`` does) against the 200 ms budget; then batch labelling throughput
of ``classify_utterances`` against parsing alone.

Run: ``.venv/bin/python benchmarks/bench_skills.py [--n 200]``
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from mentorkit.nlp import get_nlp
from mentorkit.skills import SKILLS, classify_utterances, detect, detect_many
from mentorkit.skills.corpus import read_listening, read_skill

TRAINED = [s for s in SKILLS if s != "sbi"]


def replies(n: int) -> list[str]:
    texts = [r.text for r in read_listening()]
    for skill in ("intent_tone", "four_step", "agreement", "recap", "boundaries"):
        texts += [r.text for r in read_skill(skill)]
    rng = np.random.default_rng(0)
    return [texts[i] for i in rng.choice(len(texts), size=min(n, len(texts)), replace=False)]


def timed(fn, items) -> list[float]:
    out = []
    for x in items:
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="replies to time (default 200)")
    args = ap.parse_args()
    texts = replies(args.n)
    nlp = get_nlp("grader")
    for s in TRAINED:  # load every model and warm the pipeline before timing
        detect(s, texts[0])
    docs = [nlp(t) for t in texts]

    parse = timed(nlp, texts)
    p50, p95 = statistics.median(parse), pct(parse, 95)
    print(f"replies timed: {len(texts)}  (mean {np.mean([len(t) for t in texts]):.0f} characters)")
    print(f"{'baseline: spaCy parse (grader)':40s} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms")
    print()
    print(f"{'detector, doc given':40s} {'p50 ms':>8s} {'p95 ms':>8s} {'p50 / parse':>12s}")
    pairs = list(zip(texts, docs))
    for s in TRAINED:
        t = timed(lambda td, s=s: detect(s, td[0], doc=td[1]), pairs)
        print(f"{s:40s} {statistics.median(t):8.2f} {pct(t, 95):8.2f} {statistics.median(t) / p50:12.2f}")
    print()
    loop = timed(lambda t: detect_many(t, TRAINED), texts)
    sep = timed(lambda t: [detect(s, t) for s in TRAINED], texts)
    print(f"{'practice loop, all 6 detectors':40s} {'p50 ms':>8s} {'p95 ms':>8s} {'p95 / 200 ms':>12s}")
    print(f"{'  detect_many (one parse)':40s} {statistics.median(loop):8.2f} {pct(loop, 95):8.2f} "
          f"{pct(loop, 95) / 200:12.2f}")
    print(f"{'  detect per skill (parse each time)':40s} {statistics.median(sep):8.2f} {pct(sep, 95):8.2f} "
          f"{pct(sep, 95) / 200:12.2f}")
    print(f"  one parse saves {statistics.median(sep) / statistics.median(loop):.2f}x at the median")
    print()
    utter = [r.text for r in read_listening()]
    t0 = time.perf_counter()
    list(nlp.pipe(utter, batch_size=64))
    parse_rate = len(utter) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    classify_utterances(utter)
    label_rate = len(utter) / (time.perf_counter() - t0)
    print(f"batch: {len(utter)} utterances  parse only {parse_rate:7.0f}/s   classify_utterances "
          f"{label_rate:7.0f}/s   ratio {label_rate / parse_rate:.2f}")


if __name__ == "__main__":
    main()
