"""Benchmark the practice environment.

1. A reply analysed and answered (``Session.reply``: every detector of the
   scenario, the state update, the branch, the grounding, the answers and the
   mentee's message), p50 / p95 after warm-up, over the model replies shipped with
   all scenarios. Each reply is timed as a new one (the per-text parse and detector
   caches emptied first: what a trainee's own reply costs) and replayed (the same text
   again, as a sample set played twice). Baselines from the same run: the detectors
   alone on the same replies (also as new ones), and the SBI grader alone (one
   detector's worth of work). Target: p95 < 200 ms for a new reply.
2. 1,000 attempts written to the practice log (SQLite, WAL) by 4 processes at
   once: attempts/s and the count read back (none may be lost). Baseline: the
   same 1,000 attempts written by one process.
3. The shipped sample reply sets (independent writers; mentorkit/scenarios/data/samples)
   played through the engine: mean score per kind, and the gaps strong minus stuffed and
   strong minus off-topic, per scenario and over all (target >= 40 points each).
4. Distinct mentee lines over 20 seeds of one script, this engine against the same
   branches worded the old way (two variants, picked by the seed alone), against this engine
   with every move cut to the two wordings it had before and its uptakes and answer frames
   switched off ("today"), and with each of those two halves on its own.
5. The session start and first reply of each scenario with every model loaded: the
   grounding data (fact index, vocabulary, the authored mentee lines' facts) built then
   against read from the disk cache (mentorkit.scenarios.precompute).

Run: ``.venv/bin/python benchmarks/bench_practice.py [--replies 200] [--attempts 1000]``
(``--variety-only`` runs section 4 alone)
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

TARGET_P95_MS = 200.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _replies() -> list[tuple[str, str]]:
    from mentorkit.scenarios import load_scenario, scenario_names
    out = []
    for name in scenario_names():
        s = load_scenario(name)
        for kind in ("strong", "weak"):
            out.extend((name, r) for r in s.examples.get(kind, ()))
    return out



def _forget_replies() -> None:
    """Empty the per-text caches (parses, detector results), so the next reply is read as a new one."""
    from mentorkit.nlp import clear_parse_cache
    from mentorkit.scenarios import engine
    clear_parse_cache()
    engine._detect_cached.cache_clear()


def bench_replies(n: int) -> dict:
    """Each reply timed as a new one (a trainee's own words: per-text caches emptied first) and, in
    the same session order, replayed (the text seen before, as a sample set played again); the
    detectors alone and the grader alone are timed on the same text as a new one too."""
    from mentorkit import grade_feedback
    from mentorkit.scenarios import Session, load_scenario
    from mentorkit.scenarios.engine import ALWAYS_DETECT, analyse_reply
    pool = _replies()
    # warm-up: load every pipeline and model once (a reply of each scenario: its detectors' models)
    for name in dict.fromkeys(name for name, _text in pool):
        Session(name).reply(next(text for n, text in pool if n == name))
    out: dict[str, list[float]] = {"reply": [], "replayed": [], "detectors": [], "grader": []}
    sessions: dict[str, tuple[Session, Session]] = {}
    for i in tqdm(range(n), desc="replies", unit="reply"):
        name, text = pool[i % len(pool)]
        pair = sessions.get(name)
        if pair is None or pair[0].done:
            pair = sessions[name] = (Session(name, seed=i), Session(name, seed=i))
        new, again = pair
        _forget_replies()
        t = time.perf_counter()
        new.reply(text)
        out["reply"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        again.reply(text)   # the same reply in the same conversation, its parse and detectors cached
        out["replayed"].append((time.perf_counter() - t) * 1000)
        skills = tuple(dict.fromkeys(load_scenario(name).skills + ALWAYS_DETECT))
        _forget_replies()
        t = time.perf_counter()
        analyse_reply(text, skills)
        out["detectors"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        grade_feedback(text)
        out["grader"].append((time.perf_counter() - t) * 1000)
    return out



def bench_first_reply() -> dict:
    """The session start and first reply of each scenario, after every model is loaded: grounding data
    (fact index, vocabulary, the facts of the authored mentee lines) built then (in-memory caches
    emptied, an empty disk cache) against read from the disk cache; the reply's own parse is never cached."""
    from mentorkit.scenarios import Session, engine, facts, grounding, scenario_names
    names = scenario_names()
    for name in names:   # load every detector model and pipeline first: only grounding data differs
        s = Session(name)
        s.reply(s.scenario.examples["strong"][0])
    out = {"built on the reply": [], "from the disk cache": []}
    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("MENTORKIT_CACHE")
        os.environ["MENTORKIT_CACHE"] = tmp
        try:
            for label in out:
                for name in names:
                    facts._INDEXES.clear()
                    grounding._VOCAB.clear()
                    engine._TOLD_CACHE.clear()
                    _forget_replies()
                    t = time.perf_counter()
                    s = Session(name, seed=1)
                    s.reply(s.scenario.examples["strong"][0])
                    out[label].append((time.perf_counter() - t) * 1000)
        finally:
            if old is None:
                os.environ.pop("MENTORKIT_CACHE", None)
            else:
                os.environ["MENTORKIT_CACHE"] = old
    return out


def _writer(args) -> int:
    url, worker, n = args
    from mentorkit.store import Attempt, PracticeLog
    log = PracticeLog(url)
    for i in range(n):
        log.record(Attempt(trainee=f"bench-trainee-{worker}", scenario="written_recap", rubric_version="2026.1",
                           seed=i, outcome="resolved", score=float(i % 101), tier="Developing",
                           criteria=[{"criterion": "takeaways", "rating": "Good", "points": 1.0, "weight": 3.0}],
                           transcript=[{"line": 1, "speaker": "mentee", "text": "Could you send a recap?"},
                                       {"line": 2, "speaker": "mentor", "text": "Key takeaways: ..."}]))
    log.close()
    return n


def bench_log(total: int, processes: int = 4) -> dict:
    from mentorkit.store import PracticeLog
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        ctx = mp.get_context("spawn")
        for label, procs in (("1 process", 1), (f"{processes} processes", processes)):
            url = str(Path(tmp) / f"log_{procs}.sqlite")
            PracticeLog(url).close()
            per = [total // procs + (1 if w < total % procs else 0) for w in range(procs)]
            with ctx.Pool(procs) as pool:
                pool.map(_writer, [(url, -1, 1)] * procs)  # start the workers and import everything first
                log = PracticeLog(url)
                before = len(log)
                t = time.perf_counter()
                pool.map(_writer, [(url, w, k) for w, k in enumerate(per)])
                elapsed = time.perf_counter() - t
            written = len(log) - before
            uids_unique = bool(log.attempts()["uid"].is_unique)
            log.close()
            out[label] = {"seconds": elapsed, "per_s": total / elapsed, "written": written,
                          "lost": total - written, "uids_unique": uids_unique}
    return out


def bench_samples() -> dict:
    from mentorkit.scenarios import SAMPLE_KINDS, load_samples, play_replies, scenario_names
    out = {}
    for name in tqdm(scenario_names(), desc="sample sets", unit="scenario"):
        sets = load_samples(name)["sets"]
        out[name] = {k: statistics.mean(play_replies(name, replies, seed=i).debrief().score
                                        for i, replies in enumerate(sets[k])) for k in SAMPLE_KINDS}
    return out


SCRIPT = ("tense_disagreement", ["I noticed you left Thursday's call early, and I want our calls to work for you.",
                                 "How did you see the call?", "Let's work out the release windows together.",
                                 "Thanks, talk Thursday."])


def distinct_lines(seeds: int = 20, uptakes: bool = True, wordings: int | None = None, script=SCRIPT) -> int:
    """Distinct mentee messages over *seeds* plays of *script*; ``uptakes=False`` plays the engine without
    its uptakes and answer frames (mentorkit.scenarios.wording switched off), ``wordings=2`` with every
    authored move cut to the two wordings it had before (the first two), in this process."""
    import contextlib
    from unittest import mock
    from mentorkit.scenarios import load_scenario, play_replies, wording
    name, replies = script
    scenario = load_scenario(name)
    if wordings is not None:
        scenario = wording.with_wordings(scenario, wordings)
    with contextlib.ExitStack() as off:
        if not uptakes:
            off.enter_context(mock.patch.dict(wording.UPTAKES, {k: () for k in wording.UPTAKES}))
            for frames in ("ANSWER_FRAMES", "CLOSED_FRAMES", "OPTION_FRAMES"):
                off.enter_context(mock.patch.object(wording, frames, ("{fact}",)))
        lines = set()
        for seed in range(seeds):
            s = play_replies(scenario, replies, seed=seed)
            lines.update(ln.text for ln in s.lines[1:] if ln.speaker == "mentee")
    return len(lines)


def bench_variety(seeds: int = 20) -> tuple[int, int]:
    """Distinct mentee lines over *seeds* plays: (old two-variant wording, this engine)."""
    import random
    from mentorkit.scenarios import play_replies
    from mentorkit.scenarios.engine import render
    name, replies = SCRIPT
    new, old = set(), set()
    for seed in range(seeds):
        s = play_replies(name, replies, seed=seed)
        new.update(ln.text for ln in s.lines[1:] if ln.speaker == "mentee")
        rng = random.Random(f"{name}|{seed}")  # the old engine: the seed alone picks among the two variants
        for ln in s.lines:
            if ln.speaker == "mentor" and ln.branch is not None:
                say = s.scenario.turns[ln.turn - 1].branches[ln.branch].say[:2]
                if say:
                    old.add(render(rng.choice(say), s._values))
        if s.outcome in s.scenario.endings:
            old.add(render(rng.choice(s.scenario.endings[s.outcome][:2]), s._values))
    return len(old), len(new)


def print_variety() -> None:
    """Section 4: distinct mentee lines over 20 seeds of SCRIPT, against today's two wordings."""
    print(f"== distinct mentee lines over 20 seeds of one script ({SCRIPT[0]})")
    before, after = bench_variety()
    today = distinct_lines(uptakes=False, wordings=2)
    two = distinct_lines(wordings=2)
    bare = distinct_lines(uptakes=False)
    print(f"  old wording (two variants, seed only) {before}   this engine {after}   ratio {after / before:.2f}x")
    print(f"  two wordings a move, no uptakes or answer frames (today) {today}")
    print(f"  two wordings a move, uptakes and frames {two}   four or more wordings, no uptakes or frames {bare}")
    print(f"  this engine (four or more wordings, uptakes and frames) {after}   ratio to today {after / today:.2f}x "
          f"(target 3x: {'met' if after >= 3 * today else 'NOT met'})")
    from mentorkit.scenarios import load_scenario, scenario_names
    print("  every scenario, its strong example replies, 20 seeds: today -> this engine")
    ratios = []
    for name in scenario_names():
        script = (name, list(load_scenario(name).examples["strong"]))
        t, a = distinct_lines(uptakes=False, wordings=2, script=script), distinct_lines(script=script)
        ratios.append(a / t)
        print(f"    {name:<26} {t:4d} -> {a:4d}   {a / t:.2f}x")
    print(f"  ratio over the scenarios: min {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replies", type=int, default=200)
    ap.add_argument("--attempts", type=int, default=1000)
    ap.add_argument("--variety-only", action="store_true", help="run only section 4 (distinct mentee lines)")
    args = ap.parse_args()
    if args.variety_only:
        print_variety()
        return 0
    os.environ.setdefault("MENTORKIT_SALT", "benchmark-salt")

    print(f"== a reply analysed and answered ({args.replies} replies after warm-up)")
    r = bench_replies(args.replies)
    for key, label in (("reply", "Session.reply, a new reply"), ("replayed", "Session.reply, the reply replayed"),
                       ("detectors", "detectors alone, a new reply"), ("grader", "SBI grader alone (baseline)")):
        v = r[key]
        print(f"  {label:<40} p50 {_pct(v, .5):7.1f} ms   p95 {_pct(v, .95):7.1f} ms   mean {statistics.mean(v):7.1f} ms")
    p95 = _pct(r["reply"], .95)
    print(f"  ratio reply / grader (p50): {_pct(r['reply'], .5) / _pct(r['grader'], .5):.2f}x;  "
          f"engine overhead over detectors (p50): {_pct(r['reply'], .5) - _pct(r['detectors'], .5):+.2f} ms")
    print(f"  target p95 < {TARGET_P95_MS:.0f} ms: {'met' if p95 < TARGET_P95_MS else 'NOT met'} ({p95:.1f} ms)")

    print("\n== session start + first reply of each scenario (models loaded; grounding data built vs from the disk cache)")
    fr = bench_first_reply()
    for label, v in fr.items():
        print(f"  {label:<22} p50 {_pct(v, .5):7.1f} ms   p95 {_pct(v, .95):7.1f} ms   max {max(v):7.1f} ms")
    built, disk = fr["built on the reply"], fr["from the disk cache"]
    print(f"  ratio built / cached (p95): {_pct(built, .95) / _pct(disk, .95):.2f}x;  "
          f"target p95 < {TARGET_P95_MS:.0f} ms from the cache: {'met' if _pct(disk, .95) < TARGET_P95_MS else 'NOT met'}")

    print(f"\n== {args.attempts} attempts written to the practice log (SQLite, WAL)")
    res = bench_log(args.attempts)
    for label, v in res.items():
        print(f"  {label:<12} {v['per_s']:8.1f} attempts/s  ({v['seconds']:.2f} s)  written {v['written']}, "
              f"lost {v['lost']}, ids unique: {v['uids_unique']}")
    one, many = res["1 process"], res["4 processes"]
    print(f"  ratio 4 processes / 1 process (throughput): {many['per_s'] / one['per_s']:.2f}x")
    ok = all(v["lost"] == 0 and v["uids_unique"] for v in res.values())
    print(f"  none lost: {'yes' if ok else 'NO'}")

    print("\n== shipped sample sets played through the engine (mean score per kind)")
    sm = bench_samples()
    print(f"  {'scenario':<26} {'strong':>7} {'weak':>7} {'stuffed':>8} {'off-top':>8} {'s-stuff':>8} {'s-off':>7}")
    for name, v in sm.items():
        print(f"  {name:<26} {v['strong']:7.1f} {v['weak']:7.1f} {v['stuffed']:8.1f} {v['off_topic']:8.1f} "
              f"{v['strong'] - v['stuffed']:8.1f} {v['strong'] - v['off_topic']:7.1f}")
    mean = {k: statistics.mean(v[k] for v in sm.values()) for k in ("strong", "weak", "stuffed", "off_topic")}
    gap_s, gap_o = mean["strong"] - mean["stuffed"], mean["strong"] - mean["off_topic"]
    print(f"  {'all scenarios':<26} {mean['strong']:7.1f} {mean['weak']:7.1f} {mean['stuffed']:8.1f} "
          f"{mean['off_topic']:8.1f} {gap_s:8.1f} {gap_o:7.1f}")
    met = sum(1 for v in sm.values() if v["strong"] - v["stuffed"] >= 40 and v["strong"] - v["off_topic"] >= 40)
    print(f"  target gaps >= 40: over all {'met' if min(gap_s, gap_o) >= 40 else 'NOT met'}; "
          f"per scenario met in {met} of {len(sm)}")

    print()
    print_variety()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
