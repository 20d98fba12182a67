"""`mentorkit analyze | report | retention | match`: outputs, and one-line errors with exit code 2."""
from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import survdiff

from mentorkit.cli import main
from mentorkit.program import simulate


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("program")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        simulate(mentees=150, seed=4, out=out)
    return out


def run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_analyze_json_has_the_tables_and_diagnostics(program_dir, capsys):
    code, out, err = run(capsys, "analyze", str(program_dir), "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    assert list(obj) == ["engagement", "prepost", "reliability", "retention", "retention_medians",
                         "retention_diagnostics", "balance", "overlap", "roi", "equity", "equity_table", "skipped"]
    assert obj["skipped"] == []
    checks = {r["check"]: r for r in obj["retention_diagnostics"]}
    assert checks["ties"]["value"] == "efron"
    assert {"propensity converged", "propensity separation", "share of scores clipped",
            "effective sample size (True)", "effective sample size (False)", "balance computable"} <= set(checks)
    assert {r["group"] for r in obj["overlap"]} == {True, False}
    assert all(r["ties"] == "efron" for r in obj["retention"])
    assert all(isinstance(v, list) and v and isinstance(v[0], dict) for k, v in obj.items() if k != "skipped")
    methods = [r["method"] for r in obj["retention"]]
    assert methods == ["naive", "ipw"]
    assert {r["scenario"] for r in obj["roi"]} == {"low", "expected", "high"}
    assert "NaN" not in out and "Infinity" not in out  # strict JSON


def test_analyze_runs_what_the_tables_support_and_lists_the_rest(program_dir, tmp_path, capsys):
    import shutil

    # people and outcomes only (an HR snapshot): no pairs, sessions, goals, messages or surveys
    bare = tmp_path / "people_only"
    bare.mkdir()
    for t in ("participants", "outcomes"):
        shutil.copy(program_dir / f"{t}.csv", bare / f"{t}.csv")
    for t in ("pairs", "sessions", "goals", "messages", "surveys"):
        header = (program_dir / f"{t}.csv").read_text(encoding="utf-8").splitlines()[0]
        (bare / f"{t}.csv").write_text(header + "\n", encoding="utf-8")
    code, out, err = run(capsys, "analyze", str(bare), "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    skipped = {r["analysis"]: r["reason"] for r in obj["skipped"]}
    assert {"engagement", "prepost", "reliability"} <= set(skipped)
    assert "no dated activity" in skipped["engagement"]
    assert "retention" in obj and [r["method"] for r in obj["retention"]] == ["naive", "ipw"]
    code, out, err = run(capsys, "analyze", str(bare))
    assert code == 0 and "== skipped" in out


def test_analyze_text(program_dir, capsys):
    code, out, _ = run(capsys, "analyze", str(program_dir))
    assert code == 0
    for name in ("engagement", "prepost", "reliability", "retention", "roi"):
        assert f"== {name}" in out


def test_report_is_standalone_html(program_dir, tmp_path, capsys):
    target = tmp_path / "report.html"
    code, out, err = run(capsys, "report", str(program_dir), "--out", str(target), "--title", "Pilot <2025>")
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Pilot &lt;2025&gt;" in page  # the title is escaped
    assert not re.search(r"<script[^>]+src=", page)  # nothing fetched from the network
    assert "Plotly.newPlot" in page and page.count("plotly.js v") >= 1  # the library itself is inline
    assert "<script>alert(1)</script>" not in page  # the simulator plants one script comment
    for h in ("Engagement", "Retention", "Return on investment", "Caveats"):
        assert h in page


@pytest.fixture()
def hr_csv(tmp_path):
    rng = np.random.default_rng(9)
    n = 300
    eng = rng.normal(size=n)
    mentored = rng.random(n) < 1 / (1 + np.exp(-eng))
    t = rng.exponential(24 / np.exp(0.5 * eng - 0.4 * mentored))
    df = pd.DataFrame({"tenure_months": np.minimum(t, 36).round(2), "left": np.where(t < 36, "yes", "no"),
                       "mentored": np.where(mentored, "yes", "no"), "engagement": eng.round(3)})
    path = tmp_path / "hr.csv"
    df.to_csv(path, index=False)
    return path, df


def test_retention_on_any_hr_table(hr_csv, capsys):
    path, df = hr_csv
    code, out, err = run(capsys, "retention", str(path), "--duration", "tenure_months", "--event", "left",
                         "--group", "mentored", "--covariates", "engagement", "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    comp = {r["method"]: r for r in obj["comparison"]}
    assert set(comp) == {"naive", "ipw"}
    # reference: statsmodels survdiff (log-rank) on the same columns
    _, p = survdiff(df.tenure_months.to_numpy(), (df.left == "yes").astype(int).to_numpy(), df.mentored.to_numpy())
    assert comp["naive"]["p_logrank"] == pytest.approx(p, rel=1e-8)
    assert comp["naive"]["reference"] == "no" and comp["naive"]["group"] == "yes"
    assert {m["group"] for m in obj["medians"]} == {"no", "yes"}
    assert obj["rows_used"] == len(df) and obj["rows_rejected"] == 0
    assert {"diagnostics", "balance", "overlap"} <= set(obj)
    assert comp["ipw"]["ties"] == "efron" and comp["ipw"]["ess_group"] > 0


def test_retention_flags_ties_trim_clip_stabilize(hr_csv, capsys):
    from mentorkit.analysis.retention import clean_survival_table, retention_analysis

    path, df = hr_csv
    base = ["retention", str(path), "--duration", "tenure_months", "--event", "left", "--group", "mentored",
            "--covariates", "engagement", "--format", "json"]
    code, out, err = run(capsys, *base, "--ties", "breslow", "--trim", "0.1", "--clip", "0", "--no-stabilize")
    assert code == 0, err
    obj = json.loads(out)
    comp = {r["method"]: r for r in obj["comparison"]}
    assert comp["naive"]["ties"] == "breslow"
    clean, _ = clean_survival_table(df, "tenure_months", "left", "mentored", ["engagement"])
    # reference: the library call with the same options
    ref = retention_analysis(clean, "tenure_months", "left", "mentored", covariates=["engagement"], ties="breslow",
                             trim=0.1, clip=None, stabilized=False).table.set_index("method")
    assert comp["ipw"]["hr"] == pytest.approx(ref.loc["ipw", "hr"], rel=1e-12)
    assert "unstabilised" in comp["ipw"]["note"] and "trimmed outside [0.1, 0.9]" in comp["ipw"]["note"]
    assert any(r["check"] == "trimmed" for r in obj["diagnostics"])
    code, out, err = run(capsys, *base[:-2], "--trim", "0.7")
    assert code == 2 and "--trim must be between 0 and 0.5" in err


def test_retention_json_says_not_reached(tmp_path, capsys):
    t = pd.DataFrame({"years": list(range(1, 21)) * 2, "left": (["yes"] * 3 + ["no"] * 17) * 2,
                      "coached": ["a"] * 20 + ["b"] * 20})
    p = tmp_path / "few_leavers.csv"
    t.to_csv(p, index=False)
    code, out, err = run(capsys, "retention", str(p), "--duration", "years", "--event", "left", "--group", "coached",
                         "--format", "json")
    assert code == 0, err
    med = json.loads(out)["medians"]
    assert [m["median"] for m in med] == ["not reached", "not reached"]
    assert [m["median_status"] for m in med] == ["not reached", "not reached"]


def test_retention_with_delayed_entry(hr_csv, tmp_path, capsys):
    from lifelines import CoxPHFitter

    path, df = hr_csv
    # half the people were hired before the observation window opened (entry after time 0)
    late = np.random.default_rng(2).random(len(df)) < 0.5
    df = df.assign(entry=np.where(late, (df.tenure_months * 0.3).round(1), 0.0))
    p = tmp_path / "entry.csv"
    df.to_csv(p, index=False)
    code, out, err = run(capsys, "retention", str(p), "--duration", "tenure_months", "--event", "left",
                         "--group", "mentored", "--entry", "entry", "--format", "json")
    assert code == 0, err
    hr = json.loads(out)["comparison"][0]["hr"]
    # reference: lifelines CoxPHFitter(entry_col=...)
    fit = df.assign(m=(df.mentored == "yes").astype(float), e=(df.left == "yes").astype(int))
    cph = CoxPHFitter().fit(fit[["tenure_months", "e", "m", "entry"]], "tenure_months", "e", entry_col="entry")
    assert hr == pytest.approx(float(np.exp(cph.params_["m"])), rel=1e-5)


def test_retention_text_says_when_only_naive_is_possible(hr_csv, capsys):
    path, _ = hr_csv
    code, out, _ = run(capsys, "retention", str(path), "--duration", "tenure_months", "--event", "left",
                       "--group", "mentored")
    assert code == 0
    assert "only the naive comparison is possible" in out


def test_retention_reports_rejected_rows(hr_csv, tmp_path, capsys):
    path, df = hr_csv
    bad = df.astype(object).copy()
    bad.loc[3, "tenure_months"] = "soon"
    bad.loc[7, "left"] = "maybe"
    p = tmp_path / "bad.csv"
    bad.to_csv(p, index=False)
    code, out, err = run(capsys, "retention", str(p), "--duration", "tenure_months", "--event", "left",
                         "--group", "mentored", "--format", "json")
    assert code == 0
    assert "2 of 300 row(s)" in err
    assert f"{p}:5: 'tenure_months' is not a number" in err  # data row 4 is line 5 (the header is line 1)
    assert f"{p}:9: 'left' is not yes/no or 1/0" in err
    assert json.loads(out)["rows_rejected"] == 2


@pytest.mark.parametrize("argv, message", [
    (["retention", "{csv}", "--duration", "tenure", "--event", "left", "--group", "mentored"],
     "missing column(s) 'tenure'"),
    (["retention", "{missing}", "--duration", "t", "--event", "e", "--group", "g"], "file not found"),
    (["retention", "{csv}", "--duration", "tenure_months", "--event", "left", "--group", "mentored",
      "--reference", "maybe"], "--reference 'maybe' is not a value of column 'mentored'"),
    (["analyze", "{missing}"], "no such folder"),
    (["match", "{csv}", "--out", "{tmp}/pairs.csv"], "missing column(s) 'person_id'"),
    (["match", "{people}", "--out", "{tmp}/no/such/dir/pairs.csv"], "does not exist"),
])
def test_bad_input_is_one_line_exit_2(hr_csv, tmp_path, capsys, argv, message):
    path, _ = hr_csv
    from mentorkit.analysis.matching import example_people

    people = tmp_path / "people.csv"
    example_people().to_csv(people, index=False)
    subs = {"{csv}": str(path), "{missing}": str(tmp_path / "nope.csv"), "{tmp}": str(tmp_path),
            "{people}": str(people)}
    argv = [a for a in argv]
    for i, a in enumerate(argv):
        for k, v in subs.items():
            a = a.replace(k, v)
        argv[i] = a
    code, out, err = run(capsys, *argv)
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err


def test_match_writes_pairs_with_breakdown(tmp_path, capsys):
    from mentorkit.analysis.matching import example_people

    people = example_people()
    src = tmp_path / "people.csv"
    people.to_csv(src, index=False)
    target = tmp_path / "pairs.csv"
    code, out, err = run(capsys, "match", str(src), "--out", str(target))
    assert code == 0, err
    pairs = pd.read_csv(target)
    assert {"mentee_id", "mentor_id", "score", "goal_similarity", "hours_overlap", "style_match",
            "goals_part", "hours_part", "style_part"} <= set(pairs.columns)
    assert len(pairs) == (people.role == "mentee").sum()
    np.testing.assert_allclose(pairs[["goals_part", "hours_part", "style_part"]].sum(axis=1), pairs["score"])
    assert "blocking pair" in out
    code, out, _ = run(capsys, "match", str(src), "--out", str(target), "--method", "stable")
    assert "0 blocking pair(s)" in out
