"""The language jobs over millions of texts: one process, or a Dask cluster the organisation has.

SBI grading (:func:`mentorkit.feedback.grade.grade_many`), active-listening labels
(:func:`mentorkit.skills.listening.classify_utterances`), name redaction
(:func:`mentorkit.privacy.redact_names`) and comment themes read a **partitioned input** - a
folder of Parquet or CSV files, a glob, or one file - and write partitioned Parquet: the input's
id column (or ``row``, the 0-based row number over the whole input, files in name order), the
same result columns as the single-file ``jsonl``/``csv`` output of the command, and ``error``.
A row that cannot be processed (not text, blank, longer than the grader reads) comes back with
its ``error`` set and empty results; no row is dropped.

Why the Dask job is shaped the way it is
----------------------------------------
* ``dd.read_parquet(...)`` / ``dd.read_csv(...)`` then ``map_partitions(fn, meta=...)``: each
  task runs one whole partition through ``nlp.pipe`` in batches, so the parse cost is paid per
  batch and the scheduler sees a few large tasks, not millions of tiny ones (coarse partitions:
  a CSV file is one partition, a Parquet file is split by row group).
* ``meta`` is always given: without it Dask runs the function on a sample on the client to learn
  the output columns, which loads the spaCy model in the client process.
* The spaCy pipeline and the fitted models are loaded once per worker process: they sit in
  :func:`mentorkit.nlp.get_nlp`'s and the models' process-wide caches, which live as long as the
  worker process does, so every later partition on that worker reuses them.
* One thread per worker process: spaCy releases little of the GIL while parsing, so threads in
  one process do not parse in parallel; processes do. Use ``--workers`` (processes) for the cores.
* No ``n_process`` inside a worker: Dask worker processes are daemonic and may not fork children,
  and the worker already is the unit of parallelism.
* A worker that dies mid-job (killed, out of memory) loses its running tasks; the scheduler
  reruns them on another worker. Each task rebuilds a whole output partition from its input
  partition, so a rerun replaces the partition instead of adding rows: nothing is lost or doubled.

Program statistics do not need any of this; see the README ("Large jobs on a cluster").
"""
from __future__ import annotations

import glob
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

__all__ = ["GRADE_FIELDS", "LISTEN_FIELDS", "REDACT_FIELDS", "THEME_FIELDS", "JOBS", "JobSummary",
           "input_files", "grade_frame", "listen_frame", "redact_frame", "grade_row", "run_job",
           "read_results"]

#: the result columns of ``mentorkit grade`` in CSV form, in order
GRADE_FIELDS = ["text", "situation", "behavior", "impact", "judgement", "complete", "score",
                "situation_evidence", "behavior_evidence", "impact_evidence", "judgement_words", "tips"]
LISTEN_FIELDS = ["text", "label", "confidence"]
REDACT_FIELDS = ["text"]
THEME_FIELDS = ["theme", "weight", "sentiment"]

_GRADE_DTYPES = {"text": "string", "situation": "boolean", "behavior": "boolean", "impact": "boolean",
                 "judgement": "boolean", "complete": "boolean", "score": "Float64",
                 "situation_evidence": "string", "behavior_evidence": "string", "impact_evidence": "string",
                 "judgement_words": "string", "tips": "string"}
_LISTEN_DTYPES = {"text": "string", "label": "string", "confidence": "Float64"}
_REDACT_DTYPES = {"text": "string"}
_THEME_DTYPES = {"theme": "Int64", "weight": "Float64", "sentiment": "Float64"}
ROW = "row"


def grade_row(d: dict) -> dict:
    """One flat row (the CSV columns, :data:`GRADE_FIELDS`) from ``FeedbackGrade.to_dict()``."""
    ev = d["evidence"]
    return {
        "text": d["text"], **{k: d[k] for k in ("situation", "behavior", "impact", "judgement", "complete", "score")},
        "situation_evidence": " | ".join(s["text"] for s in ev["situation"]),
        "behavior_evidence": " | ".join(s["text"] for s in ev["behavior"]),
        "impact_evidence": " | ".join(s["text"] for s in ev["impact"]),
        "judgement_words": " | ".join(s["text"] for s in ev["judgement"]),
        "tips": " | ".join(t["message"] for t in d["tips"]),
    }


# --------------------------------------------------------------------------- bad rows

def _problem(value: Any, max_chars: int | None) -> str | None:
    """Why *value* cannot be processed, or None."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "missing: the cell is empty"
    if not isinstance(value, str):
        return f"not text: a {type(value).__name__} ({str(value)[:40]!r})"
    if not value.strip():
        return "blank: nothing to read"
    if max_chars is not None and len(value) > max_chars:
        return f"too long: {len(value):,} characters; the limit is {max_chars:,}"
    return None


def _split_bad(texts: pd.Series, max_chars: int | None) -> tuple[np.ndarray, list[str | None]]:
    problems = [_problem(v, max_chars) for v in texts.tolist()]
    ok = np.array([p is None for p in problems], dtype=bool)
    return ok, problems


def _assemble(ids: pd.Series, id_name: str, ok: np.ndarray, problems: list, good: list[dict],
              dtypes: dict[str, str], raw_text: pd.Series | None = None) -> pd.DataFrame:
    """The output frame: one row per input row, results where *ok*, ``error`` elsewhere."""
    n = len(ids)
    cols: dict[str, Any] = {id_name: ids.to_numpy()}
    for name in dtypes:
        values: list[Any] = [None] * n
        it = iter(good)
        if good:
            for i in np.flatnonzero(ok):
                values[i] = next(it)[name]
        cols[name] = values
    out = pd.DataFrame(cols)
    if raw_text is not None and "text" in dtypes:
        # bad rows keep their cell (when it is text at all) so they can be found and fixed
        raw = [v if isinstance(v, str) else None for v in raw_text.tolist()]
        out["text"] = [t if k else r for t, k, r in zip(out["text"], ok, raw)]
    out = out.astype(dtypes)
    out["error"] = pd.array(problems, dtype="string")
    out.index = ids.index
    return out


# --------------------------------------------------------------------------- one partition

def grade_frame(df: pd.DataFrame, column: str, id_name: str, batch_size: int = 64) -> pd.DataFrame:
    """Grade ``df[column]`` (one partition): :data:`GRADE_FIELDS` plus ``error``, keyed by *id_name*."""
    from mentorkit.feedback.grade import MAX_CHARS, grade_many

    ok, problems = _split_bad(df[column], MAX_CHARS)
    texts = df[column][ok].tolist()
    good = [grade_row(g.to_dict()) for g in grade_many(texts, batch_size=batch_size)]
    return _assemble(df[id_name], id_name, ok, problems, good, _GRADE_DTYPES, df[column])


def listen_frame(df: pd.DataFrame, column: str, id_name: str, batch_size: int = 64) -> pd.DataFrame:
    """Active-listening labels for ``df[column]``: ``text, label, confidence, error``."""
    from mentorkit.skills.listening import classify_utterances

    ok, problems = _split_bad(df[column], _max_chars())
    texts = df[column][ok].tolist()
    good = [{"text": t, "label": label, "confidence": round(float(conf), 4)}
            for t, (label, conf) in zip(texts, classify_utterances(texts, batch_size=batch_size))]
    return _assemble(df[id_name], id_name, ok, problems, good, _LISTEN_DTYPES, df[column])


def redact_frame(df: pd.DataFrame, column: str, id_name: str, batch_size: int = 256) -> pd.DataFrame:
    """``df[column]`` with person names, e-mail addresses and the like redacted: ``text, error``.

    The output holds the redacted text only; a bad row keeps no text at all (it may hold a name).
    """
    from mentorkit.privacy import redact_names

    ok, problems = _split_bad(df[column], _max_chars())
    texts = df[column][ok].tolist()
    good = [{"text": t} for t in redact_names(texts, batch_size=batch_size)] if texts else []
    return _assemble(df[id_name], id_name, ok, problems, good, _REDACT_DTYPES)


def themes_frame(df: pd.DataFrame, column: str, id_name: str, model=None) -> pd.DataFrame:
    """The theme of each comment under a fitted :class:`~mentorkit.analysis.themes.ThemeModel`."""
    from mentorkit.analysis.themes import sentiment

    if model is None:
        raise MentorkitError("themes: no fitted theme model given")
    ok, problems = _split_bad(df[column], _max_chars())
    texts = df[column][ok].tolist()
    good = []
    if texts:
        theme, weight = model.assign(texts)
        good = [{"theme": None if t < 1 else int(t), "weight": float(w), "sentiment": sentiment(s)}
                for t, w, s in zip(theme, weight, texts)]
    return _assemble(df[id_name], id_name, ok, problems, good, _THEME_DTYPES)


def _max_chars() -> int:
    from mentorkit.feedback.grade import MAX_CHARS
    return MAX_CHARS


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., pd.DataFrame]
    dtypes: dict[str, str]
    verb: str


JOBS: dict[str, Job] = {
    "grade": Job("grade", grade_frame, _GRADE_DTYPES, "graded"),
    "listen": Job("listen", listen_frame, _LISTEN_DTYPES, "labelled"),
    "redact": Job("redact", redact_frame, _REDACT_DTYPES, "redacted"),
    "themes": Job("themes", themes_frame, _THEME_DTYPES, "assigned"),
}


# --------------------------------------------------------------------------- input

def input_files(source: str | Path) -> tuple[list[Path], str]:
    """The files of a partitioned input and their kind (``"parquet"`` or ``"csv"``).

    *source* is a folder (its ``*.parquet`` or ``*.csv`` files, in name order), a glob pattern,
    or one file. A folder or pattern holding both kinds is refused: say which you mean.
    """
    text = str(source)
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        where = f"{text}: the pattern matches"
    else:
        p = Path(source)
        if not p.exists():
            raise MentorkitError(f"{text}: no such file or folder")
        files = sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith((".", "_"))) if p.is_dir() else [p]
        where = f"{text}: the folder holds"
    kinds = {f.suffix.lower() for f in files} & {".parquet", ".csv"}
    files = [f for f in files if f.suffix.lower() in (".parquet", ".csv")]
    if not files:
        raise MentorkitError(f"{where} no .parquet or .csv files")
    if len(kinds) > 1:
        raise MentorkitError(f"{where} both .parquet and .csv files; point at one kind (e.g. a glob '*.parquet')")
    return files, kinds.pop().lstrip(".")


def _read_one(path: Path, kind: str, columns: list[str]) -> pd.DataFrame:
    _read_one_header(path, kind, columns)
    if kind == "parquet":
        return pd.read_parquet(path, columns=columns)
    return pd.read_csv(path, usecols=columns, dtype=object, keep_default_na=False, na_values=[""])


def _check_columns(files: list[Path], kind: str, columns: list[str]) -> None:
    for f in files:
        try:
            _read_one_header(f, kind, columns)
        except MentorkitError:
            raise
        except Exception as exc:  # noqa: BLE001 - a file that cannot be read is named, not a traceback
            raise MentorkitError(f"{f}: cannot be read as {kind} ({type(exc).__name__}: {exc})") from None


def _read_one_header(path: Path, kind: str, columns: list[str]) -> None:
    if kind == "parquet":
        import pyarrow.parquet as pq
        names = pq.read_schema(path).names
    else:
        names = list(pd.read_csv(path, nrows=0, dtype=object).columns)
    missing = [c for c in columns if c not in names]
    if missing:
        raise MentorkitError(f"{path}: no column {missing[0]!r}; the columns are {names}")


def _with_ids(df: pd.DataFrame, id_column: str | None, offset: int) -> pd.DataFrame:
    if id_column is None:
        df = df.copy()
        df[ROW] = np.arange(offset, offset + len(df), dtype="int64")
    return df


# --------------------------------------------------------------------------- summary

@dataclass
class JobSummary:
    """What a job did: rows in and with errors, seconds, and rows per worker."""

    job: str
    engine: str
    rows: int
    errors: int
    seconds: float
    out: Path
    workers: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("nan")

    def line(self) -> str:
        """The summary line the CLI prints, e.g. ``graded 2,000 rows (3 with errors) in 4.1 s ...``."""
        verb = JOBS[self.job].verb
        s = (f"{verb} {self.rows:,} rows ({self.errors:,} with errors) in {self.seconds:.1f} s, "
             f"{self.rows_per_second:,.0f} rows/s on {self.engine}")
        if self.workers:
            parts = [f"{w}: {v['rows']:,.0f} rows in {v['busy_s']:.1f} s busy ({v['rows'] / v['busy_s']:,.0f}/s)"
                     if v["busy_s"] > 0 else f"{w}: {v['rows']:,.0f} rows" for w, v in sorted(self.workers.items())]
            s += "; per worker: " + "; ".join(parts)
        return s

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.job, "engine": self.engine, "rows": self.rows, "errors": self.errors,
                "seconds": round(self.seconds, 3), "rows_per_second": round(self.rows_per_second, 1),
                "out": str(self.out), "workers": self.workers}


# --------------------------------------------------------------------------- the job

def _prepare_out(out: str | Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise MentorkitError(f"{out}: exists and is not a folder; --out names a folder for the Parquet parts")
    if out.is_dir() and any(out.glob("part.*.parquet")):
        raise MentorkitError(f"{out}: already holds results (part.*.parquet); choose an empty folder or remove them")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _meta(job: Job, id_name: str, id_dtype) -> pd.DataFrame:
    meta = pd.DataFrame({id_name: pd.Series([], dtype=id_dtype)})
    for name, dtype in job.dtypes.items():
        meta[name] = pd.Series([], dtype=dtype)
    meta["error"] = pd.Series([], dtype="string")
    return meta


def run_job(job: str, source: str | Path, out: str | Path, *, column: str = "text", id_column: str | None = None,
            engine: str = "local", scheduler: str | None = None, workers: int | None = None,
            memory_limit: str = "auto", batch_size: int | None = None, progress: bool = True,
            theme_sample: int = 20_000, n_themes: int = 5, seed: int = 0) -> JobSummary:
    """Run one language job over a partitioned input and write partitioned Parquet to *out*.

    Parameters
    ----------
    job : {"grade", "listen", "redact", "themes"}
    source : folder, glob or file of Parquet or CSV
    out : folder for ``part.N.parquet`` (created; must not already hold parts)
    column, id_column : the text column, and the column identifying each row (default: ``row``,
        the row number over the whole input)
    engine : ``"local"`` (this process, file by file) or ``"dask"``
    scheduler : address of an existing Dask scheduler (``tcp://host:8786``); without it and with
        ``engine="dask"`` a ``LocalCluster`` of *workers* processes (default 2), one thread each
    theme_sample, n_themes, seed : themes only: the topic model is fitted on a random sample of
        this many comments (all of them when there are fewer), then every comment is assigned
    """
    if job not in JOBS:
        raise MentorkitError(f"unknown job {job!r}; choose one of {', '.join(JOBS)}")
    if engine not in ("local", "dask"):
        raise MentorkitError(f"--engine must be 'local' or 'dask', got {engine!r}")
    if workers is not None and workers < 1:
        raise MentorkitError(f"--workers must be at least 1, got {workers}")
    if scheduler and workers:
        raise MentorkitError("give either --scheduler ADDRESS (an existing cluster) or --workers N (a local one), not both")
    spec = JOBS[job]
    files, kind = input_files(source)
    columns = [column] + ([id_column] if id_column and id_column != column else [])
    _check_columns(files, kind, columns)
    id_name = id_column or ROW
    out = _prepare_out(out)
    kwargs: dict[str, Any] = {}
    if batch_size is not None:
        if batch_size < 1:
            raise MentorkitError(f"--batch-size must be at least 1, got {batch_size}")
        kwargs["batch_size"] = batch_size
    start = time.perf_counter()
    if job == "themes":
        kwargs["model"] = _fit_theme_sample(files, kind, column, theme_sample, n_themes, seed)
    if engine == "local":
        summary = _run_local(spec, files, kind, columns, column, id_column, id_name, out, kwargs, progress)
    else:
        summary = _run_dask(spec, files, kind, columns, column, id_column, id_name, out, kwargs, progress,
                            scheduler, workers or (None if scheduler else 2), memory_limit)
    summary.seconds = time.perf_counter() - start
    if job == "themes":
        kwargs["model"].describe(read_results(out)).to_csv(out / "themes.csv", index=False)
    return summary


def _run_local(spec: Job, files, kind, columns, column, id_column, id_name, out, kwargs, progress) -> JobSummary:
    from tqdm.auto import tqdm

    rows = errors = 0
    for i, f in enumerate(tqdm(files, desc=f"mentorkit {spec.name}", unit="file", disable=not progress)):
        df = _with_ids(_read_one(f, kind, columns), id_column, rows)
        res = spec.run(df, column, id_name, **kwargs)
        res.reset_index(drop=True).to_parquet(out / f"part.{i}.parquet", index=False)
        rows += len(res)
        errors += int(res["error"].notna().sum())
    return JobSummary(spec.name, "one process", rows, errors, 0.0, out)


def _partition_rows(df: pd.DataFrame, offsets: list[int], id_name: str, partition_info=None) -> pd.DataFrame:
    start = offsets[partition_info["number"]] if partition_info else 0
    df = df.copy()
    df[id_name] = np.arange(start, start + len(df), dtype="int64")
    return df


def _client(scheduler: str | None, workers: int | None, memory_limit: str):
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise MentorkitError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               memory_limit=memory_limit, dashboard_address=None)
    except (RuntimeError, OSError, ValueError) as exc:
        raise MentorkitError(f"could not start a local Dask cluster of {workers} worker(s) "
                             f"(memory limit {memory_limit}): {exc}") from None
    return Client(cluster), cluster


def _run_dask(spec: Job, files, kind, columns, column, id_column, id_name, out, kwargs, progress,
              scheduler, workers, memory_limit) -> JobSummary:
    import dask.dataframe as dd
    from distributed import get_task_stream, wait

    client, cluster = _client(scheduler, workers, memory_limit)
    try:
        paths = [str(f) for f in files]
        if kind == "parquet":
            ddf = dd.read_parquet(paths, columns=columns)
        else:
            # one partition per file: coarse tasks, and a file's rows stay together
            ddf = dd.read_csv(paths, usecols=columns, dtype=object, keep_default_na=False, na_values=[""],
                              blocksize=None)
        if id_column is None:
            lengths = ddf.map_partitions(len).compute().tolist()
            offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(int).tolist()
            meta_in = ddf._meta.assign(**{ROW: pd.Series([], dtype="int64")})
            ddf = ddf.map_partitions(_partition_rows, offsets, ROW, meta=meta_in)
        id_dtype = ddf._meta[id_name].dtype
        result = ddf.map_partitions(spec.run, column, id_name, meta=_meta(spec, id_name, id_dtype), **kwargs)
        with get_task_stream(client) as stream:
            stored = result.to_parquet(str(out), write_index=False, compute=False)
            future = client.compute(stored)
            if progress:
                from distributed import progress as show_progress
                show_progress(future)
            wait(future)
            future.result()
        summary = JobSummary(spec.name, f"dask ({len(client.scheduler_info()['workers'])} workers)", 0, 0, 0.0, out)
        summary.rows, summary.errors, summary.workers = _count(out, stream.data, spec.run.__name__)
        return summary
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _count(out: Path, tasks: list[dict], job_task: str) -> tuple[int, int, dict[str, dict[str, float]]]:
    """Rows and errors written, and rows / busy seconds per worker from the task stream."""
    import pyarrow.parquet as pq

    part_rows: dict[int, int] = {}
    errors = 0
    for f in out.glob("part.*.parquet"):
        number = int(f.name.split(".")[1])
        table = pq.read_table(f, columns=["error"])
        part_rows[number] = table.num_rows
        errors += table.num_rows - table.column("error").null_count
    per: dict[str, dict[str, float]] = {}
    for t in tasks:
        key = t.get("key")
        worker = str(t.get("worker", "?"))
        busy = sum(s["stop"] - s["start"] for s in t.get("startstops", ()) if s.get("action") == "compute")
        w = per.setdefault(worker, {"rows": 0.0, "busy_s": 0.0, "tasks": 0.0})
        w["busy_s"] += busy
        # the job's task for partition N (key ("grade_frame-<token>", N)) made part N's rows
        if isinstance(key, tuple) and len(key) > 1 and str(key[0]).startswith(job_task + "-"):
            w["rows"] += part_rows.get(int(key[1]), 0)
            w["tasks"] += 1
    per = {w: {k: round(v, 3) for k, v in d.items()} for w, d in per.items() if d["tasks"] or d["busy_s"]}
    return sum(part_rows.values()), errors, per


def read_results(out: str | Path) -> pd.DataFrame:
    """Every part a job wrote to *out*, in part order, as one frame."""
    out = Path(out)
    parts = sorted(out.glob("part.*.parquet"), key=lambda f: int(f.name.split(".")[1]))
    if not parts:
        raise MentorkitError(f"{out}: no part.*.parquet files")
    return pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)


# --------------------------------------------------------------------------- themes

def _fit_theme_sample(files, kind, column, sample: int, n_themes: int, seed: int):
    """Fit the topic model on a seeded random sample of the comments (reservoir over the files)."""
    from mentorkit.analysis.themes import fit_theme_model

    if sample < n_themes:
        raise MentorkitError(f"--sample must be at least the number of themes ({n_themes}), got {sample}")
    rng = np.random.default_rng(seed)
    kept: list[str] = []
    seen = 0
    for f in files:
        texts = [t for t in _read_one(f, kind, [column])[column].tolist() if _problem(t, _max_chars()) is None]
        for t in texts:
            seen += 1
            if len(kept) < sample:
                kept.append(t)
            else:
                j = int(rng.integers(0, seen))
                if j < sample:
                    kept[j] = t
    return fit_theme_model(kept, n_themes=n_themes, random_state=seed)


def worker_memory(client) -> dict[str, int]:
    """Resident memory (bytes) of each worker process of *client*'s cluster."""
    def rss() -> int:
        import psutil
        return psutil.Process(os.getpid()).memory_info().rss
    return client.run(rss)
