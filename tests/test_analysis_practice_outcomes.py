"""Practice vs outcomes (issue 14 item 10): the join by mentor under one pseudonym scheme, the
exposure windows, the planted relation recovered, and the CLI.

References: the analysis frame is rebuilt by hand from the files the simulator writes (csv module
and plain pandas, not mentorkit); the coefficients are those of statsmodels ``MixedLM`` /
``OLS(cov_type="cluster")`` fitted on that hand-built frame; pseudonyms are HMAC-SHA256 written
out; the planted values come from ``truth.json``.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import warnings
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis.practice_outcomes import CAVEAT, practice_outcome_frame, practice_outcomes
from mentorkit.cli import main
from mentorkit.errors import MentorkitError
from mentorkit.program import load, simulate

SALT = "practice-outcomes-test-salt"


@pytest.fixture(scope="module")
def sim_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("practice") / "program"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        simulate(mentees=300, seed=5, out=out, practice=True)
    return out


def hand_frame(folder) -> pd.DataFrame:
    """The analysis frame from the written files, without mentorkit: attempts by the pair's end date,
    mean conf_* change from pre to post over items answered at both waves."""
    with open(folder / "practice_attempts.csv", newline="", encoding="utf-8") as fh:
        log = pd.DataFrame(list(csv.DictReader(fh)))
    log["score"] = log["score"].astype(float)
    log["finished"] = pd.to_datetime(log["finished_at"].str.replace("Z", "", regex=False))
    pairs = pd.read_csv(folder / "pairs.csv", parse_dates=["start_date", "end_date"])
    parts = pd.read_csv(folder / "participants.csv").set_index("participant_id")
    s = pd.read_csv(folder / "surveys.csv")
    s = s[s["item"].str.startswith("conf_") & s["wave"].isin(["pre", "post"])]
    wide = s.pivot_table(index=["participant_id", "item"], columns="wave", values="value")
    change = (wide["post"] - wide["pre"]).dropna().groupby(level=0).mean()
    rows = []
    for p in pairs.itertuples():
        mine = log[log["trainee"] == p.mentor_id]
        if mine.empty or p.mentee_id not in change.index:
            continue
        inside = mine[mine["finished"] < p.end_date + pd.Timedelta(days=1)]
        rows.append({"mentee_id": p.mentee_id, "mentor_id": p.mentor_id, "cohort": parts.loc[p.mentee_id, "cohort"],
                     "mentor_tenure": parts.loc[p.mentor_id, "tenure_years"], "attempts": len(inside),
                     "mean_score": inside["score"].mean() if len(inside) else np.nan,
                     "change": change[p.mentee_id]})
    return pd.DataFrame(rows)


def test_the_frame_matches_a_hand_join_and_the_fit_matches_statsmodels(sim_dir):
    import statsmodels.formula.api as smf

    data = load(sim_dir)
    frame, join = practice_outcome_frame(data, sim_dir / "practice_attempts.csv")
    ref = hand_frame(sim_dir)
    got = frame.set_index("mentee_id").loc[ref["mentee_id"]]
    assert len(frame) == len(ref) and join["scheme"] == "pseudonymised"
    assert np.array_equal(got["attempts"].to_numpy(), ref["attempts"].to_numpy())
    assert np.allclose(got["mean_score"].to_numpy(), ref["mean_score"].to_numpy(), equal_nan=True)
    assert np.allclose(got["change"].to_numpy(), ref["change"].to_numpy())
    assert np.allclose(got["mentor_tenure"].to_numpy(), ref["mentor_tenure"].to_numpy())
    res = practice_outcomes(data, sim_dir / "practice_attempts.csv")
    fit = smf.mixedlm("change ~ attempts + mentor_tenure + C(cohort)", ref, groups=ref["mentor_id"]).fit(reml=True)
    row = res.table.set_index("exposure").loc["attempts"]
    assert row["estimate"] == pytest.approx(fit.params["attempts"], rel=1e-6)
    assert row["ci_low"] == pytest.approx(fit.conf_int().loc["attempts", 0], rel=1e-6)
    assert row["n_mentors"] == ref["mentor_id"].nunique() and row["caveat"] == CAVEAT
    prac = ref[ref["attempts"] > 0]
    ols = smf.ols("change ~ mean_score + attempts + mentor_tenure + C(cohort)", prac).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(prac["mentor_id"])[0]})
    clustered = practice_outcomes(data, sim_dir / "practice_attempts.csv", method="cluster")
    row = clustered.table.set_index("exposure").loc["mean_score_per_10"]
    assert row["estimate"] == pytest.approx(10 * ols.params["mean_score"], rel=1e-9)
    assert row["se"] == pytest.approx(10 * ols.bse["mean_score"], rel=1e-9)
    assert "not randomised" in row["caveat"] and row["adjusted_for"].startswith("mentor tenure (years), cohort")


def test_to_folder_writes_the_same_practice_log(sim_dir, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = simulate(mentees=300, seed=5, practice=True)
    data.to_folder(tmp_path / "again")
    assert (tmp_path / "again" / "practice_attempts.csv").read_bytes() == \
        (sim_dir / "practice_attempts.csv").read_bytes()


def test_windows_count_the_right_attempts(sim_dir):
    data = load(sim_dir)
    truth = json.loads((sim_dir / "truth.json").read_text())["practice"]
    per_mentor = {}
    for w in ("before_start", "before_end", "all"):
        f, _ = practice_outcome_frame(data, sim_dir / "practice_attempts.csv", window=w, absent_as_zero=True)
        per_mentor[w] = f.drop_duplicates("mentor_id")["attempts"].sum()
    assert per_mentor["before_start"] < per_mentor["before_end"] < per_mentor["all"]
    # every attempt of a mentor with an outcome counts under "all"; the after-end ones only there
    log = pd.read_csv(sim_dir / "practice_attempts.csv")
    f, _ = practice_outcome_frame(data, log, window="all", absent_as_zero=True)
    mentors = f["mentor_id"].unique()
    assert per_mentor["all"] == log["trainee"].isin(mentors).sum()
    assert truth["attempts_after_end"] > 0
    with pytest.raises(MentorkitError, match="window must be one of"):
        practice_outcome_frame(data, log, window="later")


def test_one_pseudonym_scheme_joins_raw_and_pseudonymised_programs(sim_dir, tmp_path, monkeypatch):
    """Trainees practise under their program id; the log stores its salted pseudonym (a real SQLite
    log). A raw program is pseudonymised at the join; a program loaded with pseudonymise: all joins as is."""
    from mentorkit.store import Attempt, PracticeLog

    monkeypatch.setenv("MENTORKIT_SALT", SALT)
    src = pd.read_csv(sim_dir / "practice_attempts.csv")
    url = f"sqlite:///{tmp_path / 'log.sqlite'}"
    log = PracticeLog(url)
    for r in src.itertuples():
        when = datetime.fromisoformat(r.finished_at.replace("Z", "+00:00"))
        log.record(Attempt(r.trainee, r.scenario, r.rubric_version, int(r.seed), r.outcome, float(r.score), r.tier,
                           started_at=when, finished_at=when))
    stored = log.attempts()
    log.close()
    first = src["trainee"].iloc[0]
    assert stored["trainee"].iloc[0] == "P" + hmac.new(SALT.encode(), first.encode(), hashlib.sha256).hexdigest()[:12]
    raw = practice_outcomes(load(sim_dir), url)
    assert raw.join["scheme"] == "raw"
    hashed = load(sim_dir, {"pseudonymise": "all"})
    assert not hashed.pairs["mentor_id"].isin(src["trainee"]).any()
    pseud = practice_outcomes(hashed, url)
    assert pseud.join["scheme"] == "pseudonymised"
    direct = practice_outcomes(load(sim_dir), sim_dir / "practice_attempts.csv")
    for r in (raw, pseud):
        assert np.allclose(r.table["estimate"], direct.table["estimate"], rtol=1e-9)
        assert r.join["mentors_in_log"] == direct.join["mentors_in_log"]
    with pytest.raises(MentorkitError, match="none of the program's .* mentors is in the practice log"):
        practice_outcomes(hashed, sim_dir / "practice_attempts.csv", program_ids="pseudonymised")


def test_bad_logs_say_what_is_wrong(sim_dir, tmp_path):
    data = load(sim_dir)
    bad = pd.read_csv(sim_dir / "practice_attempts.csv", dtype=str)
    bad.loc[3, "score"] = "great"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(MentorkitError, match=r"bad.csv: 1 attempt\(s\) without a trainee, a numeric score or a "
                                             r"finish time \(rows 5\)"):
        practice_outcomes(data, tmp_path / "bad.csv")
    with pytest.raises(MentorkitError, match="missing column"):
        practice_outcomes(data, bad.drop(columns=["score"]))
    with pytest.raises(MentorkitError, match="no such practice-attempts file"):
        practice_outcomes(data, tmp_path / "none.csv")


def test_the_planted_relation_is_recovered():
    """CI covers the planted per-attempt and per-10-points values in at least 5 of 6 seeds."""
    hits = {"attempts": 0, "mean_score_per_10": 0}
    for seed in range(6):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = simulate(mentees=600, seed=100 + seed, practice=True)
        truth = data.truth["practice"]
        planted = {"attempts": truth["practice_per_attempt"], "mean_score_per_10": truth["practice_per_10_points"]}
        res = practice_outcomes(data, data.practice)
        for r in res.table.itertuples():
            hits[r.exposure] += int(r.ci_low <= planted[r.exposure] <= r.ci_high)
    assert hits["attempts"] >= 5 and hits["mean_score_per_10"] >= 5, hits


def test_cli_practice_outcomes(sim_dir, capsys):
    code = main(["practice-outcomes", str(sim_dir), "--practice", str(sim_dir / "practice_attempts.csv"),
                 "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    obj = json.loads(out)
    assert [r["exposure"] for r in obj["practice_outcomes"]] == ["attempts", "mean_score_per_10"]
    assert {r["item"]: r["value"] for r in obj["practice_join"]}["scheme"] == "pseudonymised"
    code = main(["practice-outcomes", str(sim_dir), "--practice", str(sim_dir / "practice_attempts.csv"),
                 "--method", "cluster"])
    out = capsys.readouterr().out
    assert code == 0 and "caveat: Practice was not randomised" in out and "clustered by mentor" in out
    code = main(["practice-outcomes", str(sim_dir), "--practice", str(sim_dir / "nope.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "no such practice-attempts file" in err and "Traceback" not in err


def test_docstring_examples():
    import doctest

    import mentorkit.analysis.practice_outcomes as mod

    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
