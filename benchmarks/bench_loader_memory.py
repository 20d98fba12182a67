"""Peak memory of the loader on a program whose participants file repeats ids a million times.

Writes the simulated program, then grows participants.csv to about 105 MB by repeating its
rows (so about a million rows carry an id seen before), and loads it in a fresh process,
printing that process's peak RSS, the file size and the ratio, against loading the clean
program in the same way (the baseline).

Run: ``python benchmarks/bench_loader_memory.py``
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
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, round(time.perf_counter() - t, 1), len(data.participants), dups)
"""


def peak(folder: Path) -> tuple[float, float, int, int]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder)], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    kb, secs, rows, dups = out.stdout.split()
    return int(kb) / 1024, float(secs), int(rows), int(dups)


def main(target_mb: float = 105.0) -> None:
    from mentorkit.program import simulate

    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean"
        simulate(mentees=200, comparison=200, seed=3, out=clean)
        base_mb, base_s, _, _ = peak(clean)
        big = Path(tmp) / "dups"
        subprocess.run(["cp", "-r", str(clean), str(big)], check=True)
        p = big / "participants.csv"
        lines = p.read_text(encoding="utf-8").splitlines()
        header, body = lines[0], lines[1:]
        block = ("\n".join(body) + "\n").encode("utf-8")
        with open(p, "wb") as fh:
            fh.write((header + "\n").encode("utf-8"))
            while fh.tell() < target_mb * 1e6:
                fh.write(block)
        size = p.stat().st_size / 1e6
        mb, secs, rows, dups = peak(big)
        print(f"participants.csv {size:.0f} MB, {dups:,} duplicate-id problems reported, {rows} rows loaded")
        print(f"peak RSS loading it: {mb:,.0f} MB in {secs:.1f} s; clean program: {base_mb:,.0f} MB in {base_s:.1f} s "
              f"(ratio {mb / base_mb:.1f}x; {mb / size:.1f} MB per MB of file)")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 105.0)
