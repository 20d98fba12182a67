"""The practice log on a real PostgreSQL server (a throwaway one this test starts from Debian's binaries).

Skipped where the PostgreSQL server binaries or the psycopg driver are not installed.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PG_BIN = next((p for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
               if (p / "initdb").exists()), None) if Path("/usr/lib/postgresql").exists() else None


def _attempt(trainee="Ana Souza", score=50.0, minutes=0):
    from mentorkit.store import Attempt
    at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return Attempt(trainee=trainee, scenario="written_recap", rubric_version="2026.1", seed=0, outcome="resolved",
                   score=score, tier="Developing", started_at=at, finished_at=at,
                   criteria=[{"criterion": "takeaways", "rating": "Good", "points": 1.0, "weight": 3.0}],
                   transcript=[{"line": 1, "speaker": "mentee", "text": "Could you send me a recap?"}])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg")
    if PG_BIN is None:
        pytest.skip("PostgreSQL server binaries (Debian's postgresql package) are not installed")
    as_root = os.geteuid() == 0
    if as_root and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as an ordinary user")
    base = Path(tempfile.mkdtemp(prefix="mk-pg-"))
    data = base / "data"
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(base, "postgres")
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    try:
        subprocess.run(prefix + [str(PG_BIN / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True)
        port = _free_port()
        log = base / "server.log"
        subprocess.run(prefix + [str(PG_BIN / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w", "-o",
                                 f"-p {port} -k {base} -c listen_addresses=127.0.0.1"], check=True, capture_output=True)
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(prefix + [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _writer(args):
    url, worker, n = args
    os.environ["MENTORKIT_SALT"] = "pg-test-salt"
    from mentorkit.store import PracticeLog
    log = PracticeLog(url)
    ids = [log.record(_attempt(trainee=f"pg-{worker}", score=float(i), minutes=i)) for i in range(n)]
    log.close()
    return ids


def test_postgres_log_records_reads_and_takes_parallel_writers(pg_url, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", "pg-test-salt")
    from mentorkit.store import PracticeLog
    log = PracticeLog(pg_url)
    assert not log.is_sqlite
    for minutes, score in [(10, 70.0), (0, 40.0), (5, 85.0)]:
        log.record(_attempt(score=score, minutes=minutes))
    p = log.progress()
    # by finish time 40, 85, 70: first 40, best 85, latest 70 (hand calculation)
    assert p[["attempts", "first", "best", "latest"]].values.tolist() == [[3, 40.0, 85.0, 70.0]]
    assert str(log.attempts()["finished_at"].dt.tz) == "UTC"
    n = 25
    t = time.perf_counter()
    with mp.get_context("spawn").Pool(4) as pool:
        ids = [i for r in pool.map(_writer, [(pg_url, w, n) for w in range(4)]) for i in r]
    assert len(set(ids)) == 4 * n
    assert len(log) == 3 + 4 * n and time.perf_counter() - t < 120
    log.close()
