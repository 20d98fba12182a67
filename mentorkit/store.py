"""The practice log: every practice attempt, in a real database.

SQLite by default, at the file named by the ``practice_db`` setting
(``MENTORKIT_PRACTICE_DB``); any SQLAlchemy URL (for example
``postgresql+psycopg://user@host/mentorkit``) for a team server. SQLite files
are opened in WAL mode with a busy timeout, and every write takes the write
lock up front (``BEGIN IMMEDIATE``) and is retried if the database stays busy,
so several kernels or processes can write at once without losing an attempt.

Trainee names never reach the database: :meth:`PracticeLog.record` stores the
salted pseudonym from :func:`mentorkit.privacy.pseudonymise`, and refuses to
record when no salt is configured.

Tables: ``attempts`` (one row per attempt) and ``attempt_scores`` (one row per
attempt and rubric criterion).
"""
from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from sqlalchemy import (Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text,
                        create_engine, event, insert, select)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = ["Attempt", "PracticeLog", "metadata", "attempts_table", "scores_table", "resolve_url", "open_engine",
           "retry", "safe_url"]

metadata = MetaData()
attempts_table = Table(
    "attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(32), nullable=False, unique=True),
    Column("trainee", String(64), nullable=False, index=True),
    Column("scenario", String(64), nullable=False, index=True),
    Column("rubric_version", String(32), nullable=False),
    Column("seed", Integer, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("score", Float, nullable=False),
    Column("tier", String(20), nullable=False),
    Column("turns", Integer, nullable=False),
    Column("transcript", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False, index=True),
)
scores_table = Table(
    "attempt_scores", metadata,
    Column("attempt_id", Integer, ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True),
    Column("criterion", String(64), primary_key=True),
    Column("rating", String(8), nullable=False),
    Column("points", Float, nullable=False),
    Column("weight", Float, nullable=False),
)

ATTEMPT_COLUMNS = ["attempt_id", "uid", "trainee", "scenario", "rubric_version", "seed", "outcome", "score",
                   "tier", "turns", "started_at", "finished_at", "transcript"]
PROGRESS_COLUMNS = ["trainee", "scenario", "attempts", "first", "best", "latest", "first_at", "latest_at"]
SCORE_COLUMNS = ["attempt_id", "trainee", "scenario", "rubric_version", "criterion", "rating", "points", "weight"]
BUSY_TIMEOUT_S = 30.0
RETRIES = 8


@dataclass
class Attempt:
    """One finished practice attempt, as :meth:`mentorkit.scenarios.Session.to_attempt` builds it.

    ``trainee`` is the trainee's name or handle; the log stores only its pseudonym.
    """
    trainee: str
    scenario: str
    rubric_version: str
    seed: int
    outcome: str
    score: float
    tier: str
    criteria: list[dict] = field(default_factory=list)
    transcript: list[dict] = field(default_factory=list)
    state: dict[str, float] = field(default_factory=dict)
    started_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    finished_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    uid: str = field(default_factory=lambda: uuid.uuid4().hex)


def resolve_url(url: str | os.PathLike | None = None, setting: str = "practice_db") -> str:
    """The SQLAlchemy URL for *url*: a URL as given, a file path as SQLite, None as the file in *setting*.

    >>> resolve_url("sqlite:///:memory:")
    'sqlite:///:memory:'
    >>> resolve_url("/tmp/log.sqlite")
    'sqlite:////tmp/log.sqlite'
    """
    if url is None:
        url = config.get(setting)
    url = str(url)
    if "://" in url:
        return url
    path = Path(url).expanduser().resolve()
    return f"sqlite:///{path}"


def _sqlite_setup(engine: Engine, read_only: bool = False) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for every transaction (SQLAlchemy's pysqlite recipe).

    A *read_only* engine never takes the write lock: its transactions are plain (deferred)
    ``BEGIN`` and its connections are ``query_only``, so in WAL mode reads go on while a
    writer holds the lock.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through every test
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        if read_only:
            cur.execute("PRAGMA query_only = ON")
        elif engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _as_utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise MentorkitError(f"expected a date and time, got {value!r}")
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def safe_url(url: str) -> str:
    """*url* with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid URL>"


def open_engine(url: str, label: str, *, read_only: bool = False) -> tuple[Engine, bool]:
    """An engine for the SQLAlchemy *url*: SQLite files get WAL, a busy timeout and BEGIN IMMEDIATE
    (with *read_only*: deferred transactions on ``query_only`` connections, for reads).

    Returns the engine and whether it is SQLite. *label* (``"practice log"``, ``"roster"``)
    starts every error message.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise MentorkitError(f"{label}: not a database URL or file path: {url!r} ({exc})") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {}
    if is_sqlite:
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise MentorkitError(f"{label}: cannot open {safe_url(url)}: {exc}") from None
    if is_sqlite:
        _sqlite_setup(engine, read_only=read_only)
    return engine, is_sqlite


def retry(work, failure: str):
    """Run *work*, retrying while the database is locked or busy; a lasting failure raises *failure*."""
    delay = 0.05
    for attempt in range(RETRIES):
        try:
            return work()
        except OperationalError as exc:
            msg = str(exc).lower()
            transient = "locked" in msg or "busy" in msg or "already exists" in msg
            if not transient:
                raise MentorkitError(f"{failure}: {exc.orig}") from None
            if attempt == RETRIES - 1:
                raise MentorkitError(f"{failure}: the database stayed locked by another program after {RETRIES} "
                                     f"tries of up to {BUSY_TIMEOUT_S:g} s each; try again in a minute, or find "
                                     "what holds it (a long export, a crashed tool)") from None
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class PracticeLog:
    """Every practice attempt: record them, read them back, see progress, export.

    Parameters
    ----------
    url : str or path, optional
        An SQLAlchemy URL or a path to an SQLite file; default the ``practice_db``
        setting (``MENTORKIT_PRACTICE_DB``).

    Examples
    --------
    >>> import os, tempfile
    >>> saved = os.environ.get("MENTORKIT_SALT")
    >>> os.environ["MENTORKIT_SALT"] = "doctest-salt"
    >>> log = PracticeLog(os.path.join(tempfile.mkdtemp(), "log.sqlite"))
    >>> from mentorkit.store import Attempt
    >>> _ = log.record(Attempt("ana", "written_recap", "2026.1", 0, "resolved", 80.0, "Proficient"))
    >>> log.progress()[["scenario", "first", "best", "latest"]].values.tolist()
    [['written_recap', 80.0, 80.0, 80.0]]
    >>> _ = os.environ.pop("MENTORKIT_SALT") if saved is None else os.environ.update(MENTORKIT_SALT=saved)
    """

    def __init__(self, url: str | os.PathLike | None = None):
        self.url = resolve_url(url)
        self.engine, self.is_sqlite = open_engine(self.url, "practice log")
        self._retry(lambda: metadata.create_all(self.engine), "create the tables")
        # reads never take the write lock (SQLite: a second, read-only engine)
        # (an in-memory database exists once per engine, so it is read through the one engine it has)
        in_memory = self.engine.url.database in (None, "", ":memory:")
        self.reader = (open_engine(self.url, "practice log", read_only=True)[0] if self.is_sqlite and not in_memory
                       else self.engine)

    def _safe_url(self) -> str:
        return safe_url(self.url)

    def __repr__(self) -> str:
        return f"PracticeLog({self._safe_url()!r})"

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()

    def _retry(self, work, what: str):
        return retry(work, f"practice log {self._safe_url()}: could not {what}")

    # ------------------------------------------------------------ write
    @staticmethod
    def pseudonym(trainee: str) -> str:
        """The stored pseudonym of *trainee* (salted hash; needs ``MENTORKIT_SALT``)."""
        from mentorkit import privacy
        if not isinstance(trainee, str) or not trainee.strip():
            raise MentorkitError(f"practice log: the trainee name must be non-empty text, got {trainee!r}")
        if not config.get("salt"):
            raise MentorkitError("practice log: no pseudonym salt is configured, so trainee names cannot be "
                                 "stored safely; set MENTORKIT_SALT (or 'salt' in mentorkit.toml)")
        return privacy.pseudonymise(trainee.strip())

    def _rows(self, attempt: Attempt | dict) -> tuple[dict, list[dict]]:
        if isinstance(attempt, dict):
            attempt = Attempt(**attempt)
        if not isinstance(attempt, Attempt):
            raise MentorkitError(f"practice log: expected an Attempt, got {type(attempt).__name__}")
        for name in ("scenario", "rubric_version", "outcome", "tier"):
            if not str(getattr(attempt, name) or "").strip():
                raise MentorkitError(f"practice log: attempt field {name!r} is empty")
        score = float(attempt.score)
        if not 0.0 <= score <= 100.0:
            raise MentorkitError(f"practice log: attempt field 'score' must be 0..100, got {score}")
        row = {
            "uid": attempt.uid, "trainee": self.pseudonym(attempt.trainee), "scenario": attempt.scenario,
            "rubric_version": str(attempt.rubric_version), "seed": int(attempt.seed), "outcome": attempt.outcome,
            "score": score, "tier": attempt.tier,
            "turns": sum(1 for ln in attempt.transcript if ln.get("speaker") == "mentor"),
            "transcript": json.dumps(attempt.transcript, ensure_ascii=False),
            "state": json.dumps(attempt.state), "started_at": _as_utc(attempt.started_at),
            "finished_at": _as_utc(attempt.finished_at),
        }
        scores = [{"criterion": str(c["criterion"]), "rating": str(c["rating"]), "points": float(c["points"]),
                   "weight": float(c["weight"])} for c in attempt.criteria]
        return row, scores

    def record(self, attempt: Attempt | dict) -> int:
        """Store one attempt (pseudonymising the trainee); return its id."""
        row, scores = self._rows(attempt)

        def work() -> int:
            with self.engine.begin() as conn:
                attempt_id = conn.execute(insert(attempts_table).values(**row)).inserted_primary_key[0]
                if scores:
                    conn.execute(insert(scores_table), [{"attempt_id": attempt_id, **s} for s in scores])
                return int(attempt_id)
        return self._retry(work, f"record attempt {row['uid']}")

    def record_many(self, attempts: Iterable[Attempt | dict]) -> list[int]:
        """Store several attempts, one transaction each; return their ids."""
        return [self.record(a) for a in attempts]

    # ------------------------------------------------------------ read
    def _where(self, stmt, table, trainee: str | None, scenario: str | None):
        if trainee is not None:
            stmt = stmt.where(table.c.trainee == self.pseudonym(trainee))
        if scenario is not None:
            stmt = stmt.where(table.c.scenario == scenario)
        return stmt

    def attempts(self, trainee: str | None = None, scenario: str | None = None) -> pd.DataFrame:
        """All attempts, oldest first: one row each (columns in ``ATTEMPT_COLUMNS``).

        *trainee* is a name (looked up by its pseudonym); ``trainee`` in the
        result holds pseudonyms only. ``transcript`` is the JSON text of the transcript.
        """
        t = attempts_table
        stmt = select(t.c.id.label("attempt_id"), *[t.c[c] for c in ATTEMPT_COLUMNS[1:]]).order_by(
            t.c.finished_at, t.c.id)
        stmt = self._where(stmt, t, trainee, scenario)
        rows = self._read(stmt, "read the attempts")
        df = pd.DataFrame([dict(r) for r in rows], columns=ATTEMPT_COLUMNS)
        for col in ("started_at", "finished_at"):
            df[col] = pd.to_datetime(df[col], utc=True)
        return df

    def scores(self, trainee: str | None = None, scenario: str | None = None) -> pd.DataFrame:
        """Per-criterion ratings: one row per attempt and criterion (columns in ``SCORE_COLUMNS``)."""
        a, s = attempts_table, scores_table
        stmt = (select(s.c.attempt_id, a.c.trainee, a.c.scenario, a.c.rubric_version, s.c.criterion,
                       s.c.rating, s.c.points, s.c.weight)
                .join(a, a.c.id == s.c.attempt_id).order_by(s.c.attempt_id, s.c.criterion))
        stmt = self._where(stmt, a, trainee, scenario)
        rows = self._read(stmt, "read the scores")
        return pd.DataFrame([dict(r) for r in rows], columns=SCORE_COLUMNS)

    def progress(self, trainee: str | None = None) -> pd.DataFrame:
        """First, best and latest score per trainee and scenario (columns in ``PROGRESS_COLUMNS``)."""
        df = self.attempts(trainee=trainee)
        if df.empty:
            return pd.DataFrame(columns=PROGRESS_COLUMNS)
        df = df.sort_values(["finished_at", "attempt_id"])
        g = df.groupby(["trainee", "scenario"], sort=True)
        out = pd.DataFrame({
            "attempts": g.size(),
            "first": g["score"].first(), "best": g["score"].max(), "latest": g["score"].last(),
            "first_at": g["finished_at"].first(), "latest_at": g["finished_at"].last(),
        }).reset_index()
        return out[PROGRESS_COLUMNS]

    def __len__(self) -> int:
        from sqlalchemy import func
        rows = self._read(select(func.count().label("n")).select_from(attempts_table), "count the attempts")
        return int(rows[0]["n"])

    def _read(self, stmt, what: str) -> list:
        """Rows of *stmt* through the read-only engine, retried while the database is locked."""
        def work():
            with self.reader.connect() as conn:
                return conn.execute(stmt).mappings().all()
        return self._retry(work, what)

    # ------------------------------------------------------------ export
    def export_csv(self, path: str | os.PathLike, trainee: str | None = None,
                   scenario: str | None = None) -> Path:
        """Write the attempts to CSV through the privacy layer; return the path.

        Trainees appear as pseudonyms only; person names in the transcripts are
        redacted (:func:`mentorkit.privacy.redact_names`), and every cell is made
        spreadsheet-safe by :func:`mentorkit.privacy.to_csv_safe`.
        """
        from mentorkit import privacy
        df = self.attempts(trainee=trainee, scenario=scenario)
        df["transcript"] = [self._transcript_text(t) for t in df["transcript"]]
        if len(df):
            df["transcript"] = list(privacy.redact_names(df["transcript"].tolist()))
        for col in ("started_at", "finished_at"):
            df[col] = df[col].map(lambda v: v.isoformat() if pd.notna(v) else "")
        path = Path(path)
        privacy.to_csv_safe(df, path)
        return path

    @staticmethod
    def _transcript_text(raw: str) -> str:
        lines = json.loads(raw)
        return "\n".join(f"{ln['line']} {ln['speaker']}: {ln['text']}" for ln in lines)
