"""The partitioned language jobs (mentorkit.scale) on one process and on a real Dask LocalCluster.

The reference for every result is the library's single-process call on the same texts
(``grade_many``, ``classify_utterances``, ``redact_names``): the partitioned job must give the
same row for row, on a two-worker cluster too, and when a worker process is killed mid-job.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.scale import GRADE_FIELDS, grade_frame, grade_row, input_files, read_results, run_job

ROOT = Path(__file__).resolve().parent.parent
N = 2_000


def _statements(n: int = N) -> list[str]:
    """*n* distinct statements: the SBI corpus, then the same texts with a varied opening."""
    base = [json.loads(line)["text"] for line in (ROOT / "datasets" / "sbi" / "corpus.jsonl").open(encoding="utf-8")]
    openers = ["Quick note.", "One more thing.", "Following up.", "About last week."]
    out = list(base)
    i = 0
    while len(out) < n:
        out.append(f"{openers[i % len(openers)]} {base[i % len(base)]}")
        i += 1
    return out[:n]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """2,000 statements in four Parquet files, two rows of which cannot be graded."""
    d = tmp_path_factory.mktemp("comments")
    texts: list = _statements()
    texts[17] = None
    texts[1234] = "x " * 6_000
    df = pd.DataFrame({"comment_id": [f"c{i:05d}" for i in range(N)], "text": texts})
    for k, part in enumerate(np.array_split(np.arange(N), 4)):
        df.iloc[part].to_parquet(d / f"comments-{k}.parquet", index=False)
    return d


@pytest.fixture(scope="module")
def reference(folder) -> pd.DataFrame:
    """grade_many over the good rows, flattened to the CSV columns: the single-process reference."""
    from mentorkit.feedback.grade import grade_many
    df = pd.concat([pd.read_parquet(f) for f in sorted(folder.glob("*.parquet"))], ignore_index=True)
    good = df[df["text"].map(lambda t: isinstance(t, str) and len(t) <= 10_000)]
    rows = pd.DataFrame([grade_row(g.to_dict()) for g in grade_many(good["text"].tolist())])
    rows.insert(0, "comment_id", good["comment_id"].to_numpy())
    return rows


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        with Client(c) as client:
            yield c, client


def _same_as_reference(res: pd.DataFrame, reference: pd.DataFrame) -> None:
    assert res["comment_id"].tolist() == [f"c{i:05d}" for i in range(N)], "rows lost, doubled or reordered"
    bad = res[res["error"].notna()]
    assert bad["comment_id"].tolist() == ["c00017", "c01234"]
    assert "missing" in bad["error"].iloc[0] and "too long" in bad["error"].iloc[1]
    assert bad[GRADE_FIELDS[1:]].isna().all().all()
    good = res[res["error"].isna()].reset_index(drop=True)
    assert good["comment_id"].tolist() == reference["comment_id"].tolist()
    for col in GRADE_FIELDS:
        assert good[col].astype(object).tolist() == reference[col].astype(object).tolist(), col


def test_one_process_job_equals_grade_many_row_for_row(folder, reference, tmp_path):
    summary = run_job("grade", folder, tmp_path / "out", column="text", id_column="comment_id", progress=False)
    assert (summary.rows, summary.errors) == (N, 2)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.parquet")) == [f"part.{i}.parquet" for i in range(4)]
    _same_as_reference(read_results(tmp_path / "out"), reference)


def test_two_worker_cluster_equals_single_process_row_for_row(folder, reference, cluster, tmp_path):
    c, client = cluster
    summary = run_job("grade", folder, tmp_path / "out", column="text", id_column="comment_id",
                      engine="dask", scheduler=c.scheduler_address, progress=False)
    _same_as_reference(read_results(tmp_path / "out"), reference)
    assert summary.rows == N and summary.errors == 2
    # both workers took partitions, and the per-worker rows add up to the whole input
    assert len(summary.workers) == 2
    assert sum(w["rows"] for w in summary.workers.values()) == N
    assert "rows/s" in summary.line() and "per worker" in summary.line()


def test_a_worker_killed_mid_job_loses_and_doubles_no_row(folder, reference, cluster, tmp_path):
    c, client = cluster
    pids = client.run(os.getpid)
    result: dict = {}

    def job():
        try:
            result["summary"] = run_job("grade", folder, tmp_path / "out", column="text", id_column="comment_id",
                                        engine="dask", scheduler=c.scheduler_address, progress=False)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    t = threading.Thread(target=job)
    t.start()
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and t.is_alive():
        for worker, keys in client.processing().items():
            if any("grade_frame" in str(k) for k in keys) and worker in pids:
                victim = worker
                break
        time.sleep(0.05)
    assert victim is not None, "the job finished before a worker could be killed"
    os.kill(pids[victim], signal.SIGKILL)
    t.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert victim not in client.scheduler_info()["workers"], "the killed worker is still registered"
    _same_as_reference(read_results(tmp_path / "out"), reference)


def test_bad_rows_come_back_with_an_error_and_are_never_dropped():
    df = pd.DataFrame({"row": range(5), "text": ["In Monday's call you paused.", 42, None, "   ", "y" * 10_001]})
    res = grade_frame(df, "text", "row")
    assert res["row"].tolist() == [0, 1, 2, 3, 4]
    assert res["error"].isna().tolist() == [True, False, False, False, False]
    assert res.loc[1, "error"].startswith("not text: a int")
    assert res.loc[2, "error"].startswith("missing")
    assert res.loc[3, "error"].startswith("blank")
    assert res.loc[4, "error"].startswith("too long: 10,001 characters")
    assert not pd.isna(res.loc[0, "score"]) and res.loc[0, "text"] == "In Monday's call you paused."


def test_row_numbers_run_over_the_whole_input_and_csv_folders_read(tmp_path, cluster):
    from mentorkit.skills.listening import classify_utterances
    texts = ["So how did the call go?", "It sounds like you're worn out.", "Try writing the summary first.",
             "Mm-hmm.", "Did you sleep at all?", "What would you like to be different?"] * 5
    d = tmp_path / "in"
    d.mkdir()
    for k in range(3):
        pd.DataFrame({"text": texts[k * 10:(k + 1) * 10]}).to_csv(d / f"u{k}.csv", index=False)
    c, _ = cluster
    run_job("listen", d, tmp_path / "out", engine="dask", scheduler=c.scheduler_address, progress=False)
    res = read_results(tmp_path / "out")
    assert res["row"].tolist() == list(range(30))
    expected = classify_utterances(texts)
    assert res["label"].tolist() == [lab for lab, _ in expected]
    assert np.allclose(res["confidence"].astype(float), [round(p, 4) for _, p in expected])


def test_redact_keeps_no_name_and_no_original_text(tmp_path):
    from mentorkit.privacy import redact_names
    texts = ["I met with John Smith on Tuesday and it helped.", "Maria Gonzalez answered every message.", None]
    d = tmp_path / "in"
    d.mkdir()
    pd.DataFrame({"text": texts}).to_parquet(d / "a.parquet")
    run_job("redact", d, tmp_path / "out", progress=False)
    res = read_results(tmp_path / "out")
    assert res["text"].tolist()[:2] == redact_names(texts[:2])
    assert "John" not in " ".join(res["text"].dropna()) and "Maria" not in " ".join(res["text"].dropna())
    assert pd.isna(res.loc[2, "text"]) and res.loc[2, "error"].startswith("missing")


def test_themes_are_fitted_on_a_sample_and_every_comment_is_assigned(tmp_path):
    from mentorkit.analysis.themes import fit_theme_model
    a = ["my mentor was very helpful with my career plan and next role",
         "helpful mentor, clear career plan, great advice on the next role",
         "career plan got clearer thanks to a helpful mentor"]
    b = ["sessions were cancelled and rescheduled too often",
         "too many cancelled sessions, rescheduled at short notice",
         "our sessions kept getting cancelled and rescheduled"]
    texts = [f"{t} ({i})" for i in range(40) for t in (a[i % 3], b[i % 3])]
    d = tmp_path / "in"
    d.mkdir()
    pd.DataFrame({"text": texts[:40]}).to_csv(d / "a.csv", index=False)
    pd.DataFrame({"text": texts[40:]}).to_csv(d / "b.csv", index=False)
    run_job("themes", d, tmp_path / "out", n_themes=2, theme_sample=30, progress=False)
    res = read_results(tmp_path / "out")
    assert len(res) == 80 and res["theme"].notna().all()
    # the two kinds of comment land in two different themes
    kinds = pd.Series(["a" if "mentor" in t else "b" for t in texts])
    assert res.groupby(kinds)["theme"].nunique().tolist() == [1, 1]
    assert res.loc[kinds == "a", "theme"].iloc[0] != res.loc[kinds == "b", "theme"].iloc[0]
    table = pd.read_csv(tmp_path / "out" / "themes.csv")
    assert table["n_comments"].sum() == 80
    # a model fitted on every comment gives the same grouping: the sample was enough here
    full = fit_theme_model(texts, n_themes=2)
    theme, _ = full.assign(texts)
    assert pd.crosstab(theme, res["theme"].to_numpy()).gt(0).sum().tolist() == [1, 1]


def test_inputs_are_refused_with_the_file_named(tmp_path):
    with pytest.raises(MentorkitError, match="no such file or folder"):
        input_files(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MentorkitError, match="no .parquet or .csv files"):
        input_files(tmp_path / "empty")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pd.DataFrame({"text": ["a"]}).to_csv(mixed / "a.csv", index=False)
    pd.DataFrame({"text": ["a"]}).to_parquet(mixed / "b.parquet")
    with pytest.raises(MentorkitError, match="both .parquet and .csv"):
        input_files(mixed)
    with pytest.raises(MentorkitError, match=r"a\.csv: no column 'comment'; the columns are \['text'\]"):
        run_job("grade", mixed / "a.csv", tmp_path / "out", column="comment", progress=False)
    (tmp_path / "junk.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(MentorkitError, match=r"junk\.parquet: cannot be read as parquet"):
        run_job("grade", tmp_path / "junk.parquet", tmp_path / "out2", progress=False)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mentorkit.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)


def test_cli_grade_on_a_local_cluster_writes_partitioned_parquet_and_a_summary(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    texts = _statements(120)
    pd.DataFrame({"text": texts[:60]}).to_parquet(d / "a.parquet")
    pd.DataFrame({"text": texts[60:]}).to_parquet(d / "b.parquet")
    r = _cli("grade", "--input", str(d), "--column", "text", "--engine", "dask", "--workers", "2",
             "--out", str(tmp_path / "graded"))
    assert r.returncode == 0, r.stderr
    assert "graded 120 rows (0 with errors)" in r.stderr and "per worker" in r.stderr
    res = read_results(tmp_path / "graded")
    assert res["row"].tolist() == list(range(120))
    assert res["text"].tolist() == texts


def test_cli_refuses_unclear_requests_in_one_line(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    pd.DataFrame({"text": ["a note"]}).to_parquet(d / "a.parquet")
    r = _cli("grade", "--input", str(d))
    assert r.returncode == 2 and "give --out DIR" in r.stderr and "Traceback" not in r.stderr
    r = _cli("listen", "--input", str(d), "--workers", "2", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "--workers and --scheduler need --engine dask" in r.stderr
    (tmp_path / "o2").mkdir()
    (tmp_path / "o2" / "part.0.parquet").write_bytes(b"")
    r = _cli("redact", "--input", str(d), "--out", str(tmp_path / "o2"))
    assert r.returncode == 2 and "already holds results" in r.stderr
