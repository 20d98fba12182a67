"""Peak memory of the loader on a program whose participants file repeats ids a million times.

Writes the simulated program, then grows participants.csv to about 105 MB by repeating its
rows (so about 800,000 rows carry an id seen before), and loads it in a fresh process,
printing that process's peak RSS, the file size and the ratio, against two baselines loaded
the same way: the clean program, and a file of the same size whose repeated rows get new ids
(no duplicates). The duplicate file should cost about what the unique one costs: rejected rows
are kept as row numbers and reasons, not copies.

``--compare DIR`` also loads both big files with the mentorkit of another checkout (say the
commit before a change), so before and after print in one run.

Run: ``python benchmarks/bench_loader_memory.py [MB] [--compare DIR]``
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import resource, sys, time
from mentorkit.program import load
t = time.perf_counter()
data = load(sys.argv[1])
dups = int(data.report.frame["message"].str.contains("duplicate", case=False).sum())
import mentorkit
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, round(time.perf_counter() - t, 1), len(data.participants), dups,
      mentorkit.__file__)
"""


def peak(folder: Path, code: Path = ROOT) -> tuple[float, float, int, int]:
    """Peak RSS (MB), seconds, participants loaded and duplicate problems of loading *folder* in a fresh
    process with the mentorkit of checkout *code* (run from there, so no other copy is imported)."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, check=True,
                         cwd=code, env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"})
    kb, secs, rows, dups, module = out.stdout.split()
    if not Path(module).resolve().is_relative_to(code.resolve()):
        raise SystemExit(f"the child imported {module}, not the mentorkit of {code}")
    return int(kb) / 1024, float(secs), int(rows), int(dups)


def _grow(clean: Path, out: Path, target_mb: float, unique: bool) -> float:
    """Copy *clean* to *out* with participants.csv repeated up to *target_mb*; with *unique*, each
    repeat's participant ids get a suffix (same size, no duplicate ids). Returns the size in MB."""
    subprocess.run(["cp", "-r", str(clean), str(out)], check=True)
    p = out / "participants.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    with open(p, "wb") as fh:
        fh.write((header + "\n").encode("utf-8"))
        k = 0
        while fh.tell() < target_mb * 1e6:
            tag = f"x{k}" if unique and k else ""
            fh.write(("\n".join(line.replace(",", tag + ",", 1) for line in body) + "\n").encode("utf-8"))
            k += 1
    return p.stat().st_size / 1e6


def main(target_mb: float = 105.0, compare: Path | None = None) -> None:
    from mentorkit.program import simulate

    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean"
        simulate(mentees=200, comparison=200, seed=3, out=clean)
        base_mb, base_s, _, _ = peak(clean)
        print(f"clean program: peak RSS {base_mb:,.0f} MB in {base_s:.1f} s (the interpreter and its libraries)")
        dups, uniq = Path(tmp) / "dups", Path(tmp) / "unique"
        size = _grow(clean, dups, target_mb, unique=False)
        size_u = _grow(clean, uniq, target_mb, unique=True)
        for label, code in [("this checkout", ROOT)] + ([(f"{compare}", compare)] if compare else []):
            mb, secs, rows, n_dups = peak(dups, code)
            mb_u, secs_u, rows_u, _ = peak(uniq, code)
            print(f"[{label}]")
            print(f"  participants.csv {size:.0f} MB with duplicate ids: {n_dups:,} duplicate-id problems reported, "
                  f"{rows} rows loaded; peak RSS {mb:,.0f} MB in {secs:.1f} s ({mb / size:.1f}x the file)")
            print(f"  participants.csv {size_u:.0f} MB, ids unique: {rows_u:,} rows loaded; peak RSS {mb_u:,.0f} MB "
                  f"in {secs_u:.1f} s ({mb_u / size_u:.1f}x the file)")
            print(f"  duplicates against unique ids: {mb / mb_u:.2f}x the peak; against the clean program "
                  f"{mb / base_mb:.1f}x")


if __name__ == "__main__":
    args = sys.argv[1:]
    other = None
    if "--compare" in args:
        k = args.index("--compare")
        other = Path(args[k + 1]).resolve()
        del args[k:k + 2]
    main(float(args[0]) if args else 105.0, other)
