"""Where data comes from: the one place that turns a name into program data or a practice log.

The command line (``mentorkit analyze | report | validate``), the dashboards and the HTML
report all take the same kinds of source, resolved here:

* ``""`` (or nothing set): the bundled sample program, ``program_sample``;
* the name of a shipped program dataset (``program_sample``, ``byo_export_example``),
  when no file or folder of that name exists;
* a folder of program tables (CSV, TSV, Excel or Parquet, one file per table);
* a database URL (``sqlite:///program.sqlite``, ``postgresql+psycopg://...``) holding the
  tables of the data model; it is read through the same validating loader as a folder.

The practice log (attempts of trainee mentors) is a database too: :func:`practice_source`
names it and :func:`load_practice` reads it, falling back to the bundled demo cohort.

Every problem is a :class:`~mentorkit.errors.MentorkitError` of one line that names the
source (and, for the dashboards, the setting it came from); passwords in URLs are hidden.

Example
-------
>>> resolve_source("").kind, resolve_source("sqlite:///program.sqlite").kind
('sample', 'database')
>>> resolve_source("byo_export_example").kind
'dataset'
>>> load_program("program_sample").report.ok
True
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = ["DataSource", "resolve_source", "load_program", "program_from_database", "is_database_url",
           "safe_url", "program_dataset_names", "practice_source", "PracticeData", "load_practice",
           "demo_log", "rubric", "dashboard_program", "program_or_problem", "error_line", "record_attempt",
           "attempt_progress", "PRACTICE_SAMPLE_DIR"]

#: the bundled demo cohort of the trainer dashboard (simulated trainees)
PRACTICE_SAMPLE_DIR = Path(__file__).resolve().parents[1] / "datasets" / "practice_sample"


# ------------------------------------------------------------------ names

def is_database_url(value: str) -> bool:
    """True when *value* looks like an SQLAlchemy URL (``dialect[+driver]://...``).

    >>> is_database_url("sqlite:///tmp/x.sqlite"), is_database_url("/data/program")
    (True, False)
    """
    head = value.split("://", 1)[0]
    return "://" in value and head.replace("+", "").replace("_", "").isalnum()


def safe_url(url: str) -> str:
    """*url* with any password hidden, for showing on a page or a terminal.

    >>> safe_url("postgresql://ana:secret@db/mk")
    'postgresql://ana:***@db/mk'
    """
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown without its credentials
        return url.split("://", 1)[0] + "://<hidden>"


def program_dataset_names() -> list[str]:
    """The shipped datasets that load as program data.

    >>> "program_sample" in program_dataset_names()
    True
    """
    from mentorkit import datasets

    return datasets.program_names()


@dataclass(frozen=True)
class DataSource:
    """Where program data comes from: ``kind`` is ``sample``, ``dataset``, ``folder`` or ``database``."""

    kind: str
    location: str
    label: str


def resolve_source(value: str | None = None) -> DataSource:
    """The data source named by *value*, else by ``MENTORKIT_DATA``, else the bundled sample.

    >>> resolve_source("").kind
    'sample'
    >>> resolve_source("postgresql://u:pw@db/mk").label
    'database postgresql://u:***@db/mk'
    """
    if value is None:
        value = config.get("data")
    value = (value or "").strip()
    if not value:
        return DataSource("sample", "program_sample", "the bundled sample program (simulated, program_sample)")
    if is_database_url(value):
        return DataSource("database", value, f"database {safe_url(value)}")
    if not Path(value).expanduser().exists() and value in program_dataset_names():
        return DataSource("dataset", value, f"the shipped dataset {value}")
    return DataSource("folder", value, f"folder {value}")


# ------------------------------------------------------------------ program data

def _where(src: DataSource, setting: str | None) -> str:
    shown = safe_url(src.location) if src.kind == "database" else src.location
    return f"{setting}={shown}" if setting else shown


def program_from_database(url: str, *, where: str | None = None, **load_kwargs):
    """Load program tables from a database through the same validation as a folder.

    Each table of the data model (``participants``, ``pairs``, ...) is read with SQLAlchemy,
    written to a private temporary folder and loaded by :func:`mentorkit.program.load` (with
    *load_kwargs*: ``mapping``, ``strict``, ``quarantine_dir``, ...), so a database gets the same
    checks, quarantine and report as files do. Rejected rows go to the cache folder unless
    ``quarantine_dir`` is given. *where* names the source in error messages (default: the URL
    with its password hidden).
    """
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.exc import SQLAlchemyError

    from mentorkit.privacy import to_csv_safe
    from mentorkit.program import load as load_folder
    from mentorkit.program.schema import REQUIRED_TABLES, TABLE_ORDER

    where = where or safe_url(url)
    if url.startswith("sqlite:///") and url[len("sqlite:///"):] not in ("", ":memory:") \
            and not Path(url[len("sqlite:///"):]).exists():
        raise MentorkitError(f"{where}: no such database file")
    try:
        engine = create_engine(url)
        with engine.connect():
            pass
        names = set(inspect(engine).get_table_names())
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise MentorkitError(f"{where}: cannot open the database: {str(exc).splitlines()[0]}") from None
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        have = ", ".join(sorted(names)) or "no tables"
        raise MentorkitError(f"{where}: the database has no program table(s) "
                             f"{', '.join(missing)} (it holds {have})")
    if load_kwargs.get("quarantine_dir") is None:
        load_kwargs["quarantine_dir"] = config.cache_dir() / "quarantine" / "database"
    folder = Path(tempfile.mkdtemp(prefix="mentorkit-db-"))
    try:
        for t in TABLE_ORDER:
            if t in names:
                to_csv_safe(pd.read_sql_table(t, engine), folder / f"{t}.csv")
        data = load_folder(folder, **load_kwargs)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    data.source = None
    return data


def load_program(source: DataSource | str | None = None, *, setting: str | None = None,
                 require_rows: bool = False, **load_kwargs):
    """Load the program data of *source* (default: :func:`resolve_source` of ``MENTORKIT_DATA``).

    Parameters
    ----------
    source : DataSource or str, optional
        A source or its name (folder, shipped dataset, database URL; ``""`` for the sample).
    setting : str, optional
        The setting the name came from (``"MENTORKIT_DATA"`` for the dashboards); error
        messages then start ``MENTORKIT_DATA=<value>:`` so the reader knows what to change.
    require_rows : bool
        Refuse data in which no participant or no pair survived validation.
    **load_kwargs
        Passed to :func:`mentorkit.program.load` (``mapping``, ``strict``, ``quarantine_dir``,
        ``progress``) for folders and databases.

    Raises
    ------
    MentorkitError
        One line naming the source and what is wrong: a missing folder, a file instead of a
        folder, no program files, a database without the tables, or (with *require_rows*) no
        row of participants left after validation.

    Example
    -------
    >>> data = load_program("", require_rows=True)
    >>> len(data.pairs) > 0
    True
    """
    src = source if isinstance(source, DataSource) else resolve_source(source)
    where = _where(src, setting)
    if src.kind in ("sample", "dataset"):
        from mentorkit import datasets
        data = datasets.load(src.location)
    elif src.kind == "database":
        data = program_from_database(src.location, where=where, **load_kwargs)
    else:
        from mentorkit.program import load as load_folder
        folder = Path(src.location).expanduser()
        if not folder.exists():
            names = program_dataset_names()
            raise MentorkitError(f"{where}: no such folder (give a folder of program tables, a database URL"
                                 + (f", or one of the shipped datasets: {', '.join(names)})" if names else ")"))
        if not folder.is_dir():
            raise MentorkitError(f"{where}: this is a file, not a folder; give the folder that holds "
                                 "participants.csv, pairs.csv, ... or a database URL")
        try:
            data = load_folder(folder, **load_kwargs)
        except MentorkitError as exc:
            if not setting:
                raise
            raise MentorkitError(f"{where}: {exc}") from None
    if require_rows and (data.participants.empty or data.pairs.empty):
        raise MentorkitError(f"{src.label}: no valid participants or pairs were loaded; "
                             f"{data.report.n_errors} problem(s) were found (run `mentorkit validate` on it)")
    return data


def dashboard_program(source: DataSource | str | None = None):
    """The dashboards' program data: :func:`load_program` of *source* (default ``MENTORKIT_DATA``),
    errors naming that setting, rejected rows kept in the cache folder.

    >>> len(dashboard_program("").pairs) > 0
    True
    """
    src = source if isinstance(source, DataSource) else resolve_source(source)
    kwargs = {}
    if src.kind == "folder":
        folder = Path(src.location).expanduser()
        kwargs["quarantine_dir"] = config.cache_dir() / "quarantine" / (folder.resolve().name or "data")
    return load_program(src, setting="MENTORKIT_DATA", require_rows=True, **kwargs)


def error_line(exc: BaseException) -> str:
    """An unexpected error as one line for a page: its type and the first line of its message.

    >>> error_line(ValueError("bad\\nmore"))
    'ValueError: bad'
    """
    text = str(exc)
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else 'no details'}"


def program_or_problem(source: DataSource, data=None):
    """The program data for a screen: ``(data, None)``, or ``(None, why)`` when it cannot load.

    *data*, when given, is used as it is. Never raises: whatever breaks, the caller gets one
    line to show, not a traceback.
    """
    if data is not None:
        return data, None
    try:
        return dashboard_program(source), None
    except MentorkitError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - the page shows one line, never a traceback
        return None, f"{source.label}: could not load the program data ({error_line(exc)})"


# ------------------------------------------------------------------ practice log

def practice_source(value: str | None = None) -> str:
    """The practice log to read: *value*, else ``MENTORKIT_DATA`` when it is a database URL, else
    the ``practice_db`` setting.

    >>> practice_source("sqlite:///x.sqlite")
    'sqlite:///x.sqlite'
    """
    if value:
        return value
    data = (config.get("data") or "").strip()
    if data and is_database_url(data):
        return data
    return str(config.get("practice_db"))


@dataclass
class PracticeData:
    """Attempts, per-criterion ratings and first/best/latest progress from one practice log."""

    attempts: pd.DataFrame
    scores: pd.DataFrame
    progress: pd.DataFrame
    label: str
    demo: bool = False
    notice: str = ""
    #: the rubric criteria of the playable scenarios (:func:`rubric`), which the summaries need
    rubric: pd.DataFrame = field(default_factory=lambda: rubric())

    @classmethod
    def from_log(cls, log, label: str, demo: bool = False, notice: str = "") -> "PracticeData":
        """Read everything a report on trainees needs from an open :class:`~mentorkit.store.PracticeLog`."""
        return cls(log.attempts().drop(columns=["transcript", "uid"]), log.scores(), log.progress(),
                   label, demo, notice)


@lru_cache(maxsize=1)
def _rubric() -> pd.DataFrame:
    from mentorkit.scenarios import rubric_table

    return rubric_table()


def rubric() -> pd.DataFrame:
    """The rubric criteria of the playable scenarios (:func:`mentorkit.scenarios.rubric_table`), read once.

    >>> {"scenario", "criterion", "skill"} <= set(rubric().columns)
    True
    """
    return _rubric().copy()


def demo_log():
    """The bundled demo cohort as an in-memory :class:`~mentorkit.store.PracticeLog`."""
    from sqlalchemy import insert

    from mentorkit.store import PracticeLog, attempts_table, scores_table

    a = pd.read_csv(PRACTICE_SAMPLE_DIR / "attempts.csv")
    s = pd.read_csv(PRACTICE_SAMPLE_DIR / "scores.csv")
    log = PracticeLog("sqlite://")
    rows = [{"id": int(r.attempt_id), "uid": f"sample-{int(r.attempt_id)}", "trainee": r.trainee,
             "scenario": r.scenario, "rubric_version": str(r.rubric_version), "seed": int(r.seed),
             "outcome": r.outcome, "score": float(r.score), "tier": r.tier, "turns": int(r.turns),
             "transcript": "[]", "state": "{}",
             "started_at": pd.Timestamp(r.started_at).to_pydatetime(),
             "finished_at": pd.Timestamp(r.finished_at).to_pydatetime()} for r in a.itertuples()]
    crit = [{"attempt_id": int(r.attempt_id), "criterion": r.criterion, "rating": r.rating,
             "points": float(r.points), "weight": float(r.weight)} for r in s.itertuples()]
    with log.engine.begin() as conn:
        conn.execute(insert(attempts_table), rows)
        conn.execute(insert(scores_table), crit)
    return log


DEMO_LABEL = "the bundled demo cohort (datasets/practice_sample, simulated trainees)"


def load_practice(url: str | None = None) -> PracticeData:
    """Attempts, ratings and progress from the practice log at *url* (default :func:`practice_source`).

    ``""`` asks for the bundled demo cohort. An empty or missing log gives the demo cohort
    with a notice saying so; a log that cannot be opened raises :class:`MentorkitError` naming it.

    >>> load_practice("sqlite://").demo
    True
    """
    from mentorkit.store import PracticeLog, resolve_url

    if url == "":
        log = demo_log()
        try:
            return PracticeData.from_log(log, DEMO_LABEL, True, "")
        finally:
            log.close()
    target = resolve_url(practice_source(url))
    shown = safe_url(target)
    notice = ""
    log = None
    if target.startswith("sqlite:///") and not Path(target[len("sqlite:///"):]).exists():
        notice = f"The practice log {shown} does not exist yet"
    else:
        log = PracticeLog(target)
        if len(log) == 0:
            notice = f"The practice log {shown} has no attempts yet"
            log.close()
            log = None
    demo = log is None
    if demo:
        log = demo_log()
        notice += "; showing the bundled demo cohort of simulated trainees instead."
    try:
        return PracticeData.from_log(log, DEMO_LABEL if demo else f"practice log {shown}", demo, notice)
    finally:
        log.close()


def record_attempt(attempt, url: str | None = None) -> int:
    """Save a finished practice *attempt* (:class:`mentorkit.store.Attempt`) in the log at *url*
    (default the ``practice_db`` setting); return its id. Raises :class:`MentorkitError` naming the log."""
    from mentorkit.store import PracticeLog

    log = PracticeLog(url)
    try:
        return log.record(attempt)
    finally:
        log.close()


def attempt_progress(trainee: str, scenario: str, url: str | None = None) -> tuple[int, float, float, float] | None:
    """``(attempts, first, best, latest)`` of *trainee* at *scenario* from the practice log, None if none yet."""
    from mentorkit.store import PracticeLog

    log = PracticeLog(url)
    try:
        table = log.progress(trainee=trainee)
    finally:
        log.close()
    hit = table[table["scenario"] == scenario]
    if not len(hit):
        return None
    r = hit.iloc[0]
    return int(r["attempts"]), float(r["first"]), float(r["best"]), float(r["latest"])
