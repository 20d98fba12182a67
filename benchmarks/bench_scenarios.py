"""Benchmark the authoring tools.

1. ``scenario check`` (read, validate, lint, play the file's example replies and every sample
   set in ``samples/NAME.yaml``) per file, on the shipped scenarios and on a folder of copies of
   them (each renamed, with its sample file), from nothing kept in the process. Baseline in the
   same run: one file at a time (``check_file(ahead=False)``), each text parsed alone when its
   play reaches it; fast: ``check_files`` over the folder, every reply parsed ahead in one
   ``nlp.pipe`` batch and shared across files, what the mentee's lines tell read from the
   on-disk table. Also printed: the check without the plays, and the fast check "cold" (an
   empty cache folder: the first check of files nobody has played). Target: < 1 s per file
   with the plays.
2. The studio page's keystroke to refreshed check: one character typed into the editor of
   :class:`mentorkit.widgets.studio.ScenarioStudio` (the check runs on the change, then the
   problems list is redrawn), p50 / p95 over the keystrokes, plus the debounce pause the page
   waits before checking. Baseline: ``check_source`` alone on the same texts. Target: < 1 s.

Run: ``.venv/bin/python benchmarks/bench_scenarios.py [--copies 50] [--keys 40]``
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from bench_practice import _pct  # the same percentile as the practice benchmark (this folder is on sys.path)

TARGET_S = 1.0


def _copies(n: int, out: Path) -> list[Path]:
    """*n* renamed copies of the shipped scenarios (cycled), each with its sample file beside it."""
    from mentorkit.scenarios import DATA_DIR, SAMPLES_DIR
    shipped = sorted(DATA_DIR.glob("*.yaml"))
    (out / "samples").mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        src = shipped[i % len(shipped)]
        name = f"copy{i:02d}_{src.stem}"
        path = out / f"{name}.yaml"
        path.write_text(src.read_text(encoding="utf-8").replace(f"name: {src.stem}", f"name: {name}", 1),
                        encoding="utf-8")
        sample = (SAMPLES_DIR / src.name).read_text(encoding="utf-8")
        (out / "samples" / f"{name}.yaml").write_text(sample.replace(f"scenario: {src.stem}", f"scenario: {name}", 1),
                                                       encoding="utf-8")
        files.append(path)
    return files


def bench_check(files: list[Path], label: str) -> dict:
    """The one-at-a-time baseline and the fast path on *files*, each from nothing kept in the process.

    Baseline: ``check_file(f, ahead=False)`` file by file, what is shared dropped before each file,
    so every text is parsed alone when its play reaches it (within a file a text is still parsed
    once). Fast: one ``check_files(files)`` run: every reply of every file parsed in
    one batch, a text shared by several files parsed once.
    """
    from mentorkit.scenarios.check import check_file, check_files
    from mentorkit.scenarios.ahead import forget_shared
    plain = []
    for f in files:
        t0 = time.perf_counter()
        check_file(f, play=False)
        plain.append(time.perf_counter() - t0)
    base, base_cpu, base_scores = [], [], []
    for f in tqdm(files, desc=f"baseline {label}", unit="file"):
        forget_shared()
        t0, c0 = time.perf_counter(), time.process_time()
        r = check_file(f, ahead=False)
        base.append(time.perf_counter() - t0)
        base_cpu.append(time.process_time() - c0)
        base_scores.append([(k.kind, k.scores) for k in r.kinds])
    forget_shared()
    t0, c0 = time.perf_counter(), time.process_time()
    reports = check_files(files, progress=lambda xs: tqdm(xs, desc=f"fast {label}", unit="file"))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    scores = [[(k.kind, k.scores) for k in r.kinds] for r in reports]
    return {"label": label, "files": len(files), "plain": statistics.fmean(plain),
            "plays": sum(len(r.plays) + sum(len(k.scores) for k in r.kinds) for r in reports),
            "failing": sum(r.exit_code != 0 for r in reports),
            "why": [f"{Path(r.where).stem} {k.kind} {k.mean:.0f}" for r in reports for k in r.kinds if not k.ok],
            "base": statistics.fmean(base), "base_max": max(base), "base_cpu": statistics.fmean(base_cpu),
            "mean": wall / len(files), "max": max(r.seconds for r in reports), "cpu": cpu / len(files),
            "same": scores == base_scores}


def bench_cold(files: list[Path]) -> dict:
    """``check_files`` on *files* with nothing kept anywhere: an empty cache folder (no on-disk fact
    index, vocabulary or table of what her lines tell) and nothing in the process, as on the first
    check of a file nobody has played."""
    from mentorkit.scenarios import facts, grounding
    from mentorkit.scenarios.ahead import forget_shared
    from mentorkit.scenarios.check import check_files
    before = os.environ.get("MENTORKIT_CACHE")
    os.environ["MENTORKIT_CACHE"] = tempfile.mkdtemp(prefix="mk-bench-cold-")
    try:
        forget_shared()
        facts._INDEXES.clear()
        grounding._VOCAB.clear()
        t0 = time.perf_counter()
        reports = check_files(files)
        wall = time.perf_counter() - t0
    finally:
        shutil.rmtree(os.environ["MENTORKIT_CACHE"], ignore_errors=True)
        if before is None:
            os.environ.pop("MENTORKIT_CACHE", None)
        else:
            os.environ["MENTORKIT_CACHE"] = before
        forget_shared()
    return {"files": len(files), "mean": wall / len(files), "failing": sum(r.exit_code != 0 for r in reports)}


def bench_studio(keys: int) -> dict:
    from mentorkit.scenarios import DATA_DIR
    from mentorkit.scenarios.check import check_source
    from mentorkit.widgets.studio import ScenarioStudio
    studio = ScenarioStudio(folder=tempfile.mkdtemp(prefix="mk-studio-bench-"), delay=0)
    pause = ScenarioStudio.__init__.__defaults__[1]   # the page's debounce pause
    out = {}
    for label, text in [("template", studio.editor.value),
                        ("tense_disagreement", (DATA_DIR / "tense_disagreement.yaml").read_text(encoding="utf-8"))]:
        studio.editor.value = text
        typed, alone = [], []
        word = "and then she said so "
        at = text.index("context:") + len("context: >-\n  ")
        for i in tqdm(range(keys), desc=f"keystrokes ({label})", unit="key"):
            new = text[:at] + word[: i % len(word) + 1] + text[at:]
            t0 = time.perf_counter()
            studio.editor.value = new        # delay=0: the check and the redraw run on the change
            typed.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            check_source(new, "<editor>", play=False)
            alone.append(time.perf_counter() - t0)
        out[label] = {"p50": _pct(typed, .5), "p95": _pct(typed, .95), "alone": _pct(alone, .5), "pause": pause,
                      "lines": text.count("\n")}
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=50)
    ap.add_argument("--keys", type=int, default=40)
    args = ap.parse_args(argv)
    from mentorkit.scenarios import DATA_DIR
    from mentorkit.scenarios.check import check_file
    t0 = time.perf_counter()
    check_file(DATA_DIR / "written_recap.yaml")     # warm-up: load the spaCy pipelines and models once
    print(f"warm-up (pipelines and models loaded, one file checked): {time.perf_counter() - t0:.1f} s; "
          f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times include waiting for them)")

    studio = bench_studio(args.keys)
    print("\n2. studio: keystroke to refreshed check (check + redraw of the problems list)")
    for label, r in studio.items():
        verdict = "meets" if r["pause"] + r["p95"] < TARGET_S else "MISSES"
        print(f"   {label:<20} {r['lines']:>4} lines: p50 {1000 * r['p50']:.0f} ms, p95 {1000 * r['p95']:.0f} ms "
              f"(check_source alone p50 {1000 * r['alone']:.0f} ms, x{r['p50'] / r['alone']:.2f}); with the "
              f"{1000 * r['pause']:.0f} ms debounce pause {1000 * (r['pause'] + r['p95']):.0f} ms at p95: "
              f"{verdict} the < {TARGET_S:g} s target")

    cold = bench_cold(sorted(DATA_DIR.glob("*.yaml")))
    tmp = Path(tempfile.mkdtemp(prefix="mk-bench-scenarios-"))
    try:
        rows = [bench_check(sorted(DATA_DIR.glob("*.yaml")), "shipped")]
        if args.copies:
            rows.append(bench_check(_copies(args.copies, tmp), f"{args.copies} copies"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n1. scenario check, seconds per file with the sample plays (baseline: one file at a time, each text "
          "parsed alone when its play reaches it, nothing kept between files; fast: one run, parsed ahead in one batch)")
    for r in rows:
        verdict = "meets" if r["mean"] < TARGET_S else "MISSES"
        print(f"   {r['label']:<10} {r['files']:>3} files, {r['plays']:>4} plays: fast mean {r['mean']:.2f} s "
              f"(max {r['max']:.2f} s), CPU {r['cpu']:.2f} s; baseline mean {r['base']:.2f} s (max {r['base_max']:.2f} s), "
              f"CPU {r['base_cpu']:.2f} s; x{r['base'] / r['mean']:.1f} wall, x{r['base_cpu'] / r['cpu']:.1f} CPU; "
              f"without plays {1000 * r['plain']:.0f} ms; scores {'equal to' if r['same'] else 'DIFFER from'} the "
              f"baseline's; {r['failing']} file(s) fail their sample bounds; {verdict} the < {TARGET_S:g} s target "
              f"(wall mean)")
        if r["why"] and r["label"] == "shipped":
            print(f"      out of bounds (kind, mean): {'; '.join(r['why'])}")
    verdict = "meets" if cold["mean"] < TARGET_S else "MISSES"
    print(f"   cold       {cold['files']:>3} files (empty cache folder, nothing in the process: the first check of "
          f"files nobody has played): fast mean {cold['mean']:.2f} s; {cold['failing']} file(s) fail their sample "
          f"bounds; {verdict} the < {TARGET_S:g} s target")
    print(f"   load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

if __name__ == "__main__":
    main()
