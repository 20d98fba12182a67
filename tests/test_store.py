"""The practice log: pseudonyms only, first/best/latest, parallel writers, CSV export through privacy."""
from __future__ import annotations

import hashlib
import hmac
import multiprocessing as mp
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.store import Attempt, PracticeLog, resolve_url

SALT = "store-test-salt"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", SALT)


def _attempt(trainee="Ana Souza", scenario="written_recap", score=50.0, minutes=0, **kw):
    at = T0 + timedelta(minutes=minutes)
    base = dict(trainee=trainee, scenario=scenario, rubric_version="2026.1", seed=0, outcome="resolved",
                score=score, tier="Developing", started_at=at - timedelta(minutes=5), finished_at=at,
                criteria=[{"criterion": "takeaways", "rating": "Good", "points": 1.0, "weight": 3.0},
                          {"criterion": "tone", "rating": "Fair", "points": 0.5, "weight": 1.0}],
                transcript=[{"line": 1, "speaker": "mentee", "text": "Could you send me a recap?"},
                            {"line": 2, "speaker": "mentor", "text": "Sure, here it is."}])
    base.update(kw)
    return Attempt(**base)


def _reference_pseudonym(name: str) -> str:
    # independent reference: HMAC-SHA256 keyed with the salt, 'P' + first 12 hex digits
    return "P" + hmac.new(SALT.encode(), name.encode(), hashlib.sha256).hexdigest()[:12]


def test_only_pseudonyms_reach_the_database(tmp_path):
    db = tmp_path / "log.sqlite"
    log = PracticeLog(db)
    log.record(_attempt())
    log.close()
    with sqlite3.connect(db) as con:
        stored = con.execute("select trainee from attempts").fetchall()
    assert stored == [(_reference_pseudonym("Ana Souza"),)]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"Ana Souza" not in raw


def test_no_salt_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("MENTORKIT_SALT")
    monkeypatch.setenv("MENTORKIT_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text("[mentorkit]\n")
    log = PracticeLog(tmp_path / "log.sqlite")
    with pytest.raises(MentorkitError, match="MENTORKIT_SALT"):
        log.record(_attempt())
    assert len(log) == 0


def test_attempts_round_trip_and_filters(tmp_path):
    log = PracticeLog(f"sqlite:///{tmp_path / 'log.sqlite'}")
    a1 = log.record(_attempt(score=40, minutes=1))
    log.record(_attempt(trainee="Bo", score=90, minutes=2))
    log.record(_attempt(scenario="tense_disagreement", score=70, minutes=3))
    df = log.attempts()
    assert len(df) == 3 and df["attempt_id"].iloc[0] == a1
    assert list(df["score"]) == [40, 90, 70]
    assert len(log.attempts(trainee="Ana Souza")) == 2
    assert len(log.attempts(trainee="Ana Souza", scenario="written_recap")) == 1
    assert str(df["finished_at"].dt.tz) == "UTC"
    assert df["finished_at"].iloc[0] == pd.Timestamp(T0 + timedelta(minutes=1))
    scores = log.scores(trainee="Bo")
    assert scores[["criterion", "rating", "points", "weight"]].values.tolist() == [
        ["takeaways", "Good", 1.0, 3.0], ["tone", "Fair", 0.5, 1.0]]


def test_progress_first_best_latest_hand_calculation(tmp_path):
    log = PracticeLog(tmp_path / "log.sqlite")
    # recorded out of time order on purpose: the log orders by finish time
    for minutes, score in [(10, 70.0), (0, 40.0), (5, 85.0)]:
        log.record(_attempt(score=score, minutes=minutes))
    log.record(_attempt(trainee="Bo", score=55.0, minutes=1))
    p = log.progress().set_index("trainee")
    ana = p.loc[_reference_pseudonym("Ana Souza")]
    # by finish time the scores run 40 (0 min), 85 (5 min), 70 (10 min): first 40, best 85, latest 70
    assert (ana["attempts"], ana["first"], ana["best"], ana["latest"]) == (3, 40.0, 85.0, 70.0)
    bo = p.loc[_reference_pseudonym("Bo")]
    assert (bo["attempts"], bo["first"], bo["best"], bo["latest"]) == (1, 55.0, 55.0, 55.0)
    assert list(log.progress(trainee="Bo")["trainee"]) == [_reference_pseudonym("Bo")]
    assert list(PracticeLog(tmp_path / "empty.sqlite").progress().columns) == [
        "trainee", "scenario", "attempts", "first", "best", "latest", "first_at", "latest_at"]


def test_bad_attempts_and_urls_are_refused_clearly(tmp_path):
    log = PracticeLog(tmp_path / "log.sqlite")
    with pytest.raises(MentorkitError, match="'score' must be 0..100"):
        log.record(_attempt(score=140))
    with pytest.raises(MentorkitError, match="trainee name must be non-empty"):
        log.record(_attempt(trainee="  "))
    assert len(log) == 0
    with pytest.raises(MentorkitError, match="practice log"):
        PracticeLog("nosuchdialect://x/y")
    assert resolve_url(tmp_path / "a.sqlite") == f"sqlite:///{tmp_path / 'a.sqlite'}"


def _writer(args):
    url, worker, n = args
    log = PracticeLog(url)
    ids = [log.record(_attempt(trainee=f"trainee-{worker}", score=float(i % 101), minutes=i, seed=i))
           for i in range(n)]
    log.close()
    return ids


def test_four_processes_writing_at_once_lose_nothing(tmp_path):
    url = str(tmp_path / "shared.sqlite")
    PracticeLog(url).close()
    n = 60
    with mp.get_context("spawn").Pool(4) as pool:
        results = pool.map(_writer, [(url, w, n) for w in range(4)])
    ids = [i for r in results for i in r]
    assert len(ids) == 4 * n and len(set(ids)) == 4 * n
    log = PracticeLog(url)
    df = log.attempts()
    assert len(df) == 4 * n and df["uid"].is_unique
    assert df.groupby("trainee").size().tolist() == [n] * 4
    assert len(log.scores()) == 2 * 4 * n
    with sqlite3.connect(url) as con:
        assert con.execute("pragma journal_mode").fetchone()[0] == "wal"


def test_export_csv_goes_through_the_privacy_layer(tmp_path):
    log = PracticeLog(tmp_path / "log.sqlite")
    log.record(_attempt(transcript=[
        {"line": 1, "speaker": "mentee", "text": "My manager Maria Gonzalez asked me to stay late again."},
        {"line": 2, "speaker": "mentor", "text": "=HYPERLINK(\"http://x\") that sounds hard"}]))
    path = log.export_csv(tmp_path / "out.csv")
    text = path.read_text()
    assert "Maria Gonzalez" not in text and "[name]" in text
    assert "Ana Souza" not in text and _reference_pseudonym("Ana Souza") in text
    back = pd.read_csv(path)
    assert len(back) == 1 and back.loc[0, "score"] == 50.0
    assert back.loc[0, "transcript"].startswith("1 mentee:")


# ------------------------------------------------------------ reads and locks (issue 13 item 7)

def test_reads_go_on_while_a_writer_holds_the_lock(tmp_path):
    db = tmp_path / "log.sqlite"
    log = PracticeLog(db)
    log.record(_attempt("ana", score=70.0))
    writer = sqlite3.connect(db, timeout=1, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")                       # another process is in the middle of a write
    writer.execute("UPDATE attempts SET score = 1")
    try:
        t0 = time.monotonic()
        assert len(log) == 1 and log.attempts()["score"].tolist() == [70.0]   # the committed state
        assert not log.scores().empty and time.monotonic() - t0 < 5
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    reader_sql = []
    from sqlalchemy import event
    event.listen(log.reader, "before_cursor_execute", lambda *a: reader_sql.append(a[2]))
    log.attempts()
    assert reader_sql and not any("IMMEDIATE" in q for q in reader_sql)


def test_a_locked_database_gives_a_clear_message_after_retrying(tmp_path, monkeypatch):
    import mentorkit.store as store

    db = tmp_path / "log.sqlite"
    first = PracticeLog(db)
    first.record(_attempt("ana"))
    first.close()
    monkeypatch.setattr(store, "BUSY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(store, "RETRIES", 3)
    log = PracticeLog(db)
    log.close()                                              # no connection of ours open when the holder locks
    holder = sqlite3.connect(db, timeout=1, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")         # a tool that keeps the whole file to itself
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE attempts SET score = 2")
    try:
        with pytest.raises(MentorkitError) as exc:
            log.attempts()
        msg = str(exc.value)
        assert "could not read the attempts" in msg and "stayed locked" in msg and "3 tries" in msg
        assert "sqlalchemy" not in msg.lower() and "Traceback" not in msg
    finally:
        holder.execute("ROLLBACK")
        holder.close()
