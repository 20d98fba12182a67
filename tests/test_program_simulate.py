"""The program simulator: deterministic by seed, marginals as asked, planted effects recoverable.

Reference calculations: scipy.stats (binomial and t tests, chi-square),
statsmodels OLS and lifelines' Cox model, and hand counts (check-ins per
pair = ceil(days / cadence days)).
"""
from __future__ import annotations

import hashlib
import zoneinfo
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mentorkit.datasets as ds
from mentorkit.errors import MentorkitError
from mentorkit.program import load, simulate
from mentorkit.program.schema import CADENCE_DAYS, FUNCTION_ITEMS, MODELS

ALPHA = 1e-3   # tests of "matches the option" fail only when a deviation this unlikely shows up


@pytest.fixture(scope="module")
def big():
    return simulate(mentees=3000, seed=5)


@pytest.fixture(scope="module")
def unselected():
    return simulate(mentees=3000, seed=6, selection_strength=0.0)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ------------------------------------------------------------------ determinism

def test_same_seed_same_bytes_different_seed_different(tmp_path):
    a = simulate(mentees=50, seed=3, out=tmp_path / "a")
    simulate(mentees=50, seed=3, out=tmp_path / "b")
    simulate(mentees=50, seed=4, out=tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["surveys.csv"] != digest(tmp_path / "c")["surveys.csv"]
    assert a.truth["seed"] == 3 and (tmp_path / "a" / "truth.json").exists()


def test_shipped_sample_is_reproducible_from_its_command(tmp_path):
    simulate(mentees=600, seed=20240601, out=tmp_path / "s")
    shipped = ds.path("program_sample")
    fresh = digest(tmp_path / "s")
    assert {k: v for k, v in digest(shipped).items() if k != "README.md"} == fresh


def test_parquet_output_loads_the_same(tmp_path):
    a = simulate(mentees=30, seed=8, out=tmp_path / "csv")
    simulate(mentees=30, seed=8, out=tmp_path / "pq", format="parquet")
    b = load(tmp_path / "pq")
    assert b.report.ok
    for t, df in a.tables().items():
        pd.testing.assert_frame_equal(df.reset_index(drop=True), getattr(b, t), check_dtype=False)


# ------------------------------------------------------------------ structure

def test_ids_are_pseudonyms_and_unique(big):
    p = big.participants
    assert p["participant_id"].is_unique
    assert p["participant_id"].str.fullmatch(r"P[0-9a-f]{12}").all()
    assert big.pairs["pair_id"].is_unique


def test_counts_roles_and_time_zones(big):
    p = big.participants
    assert (p["role"] == "mentee").sum() == 3000 and (p["role"] == "comparison").sum() == 3000
    assert (p["mentored"] == (p["role"] == "mentee")).all()
    assert p["timezone"].isin(zoneinfo.available_timezones()).all()
    assert big.pairs["mentee_id"].is_unique                          # one pair per mentee


def test_cohorts_last_12_weeks_to_6_months(big):
    days = (big.pairs["end_date"] - big.pairs["start_date"]).dt.days
    assert days.min() >= 12 * 7 and days.max() <= 26 * 7
    assert big.pairs.groupby("start_date")["end_date"].nunique().eq(1).all()    # one length per cohort


def test_capacity_and_group_sizes(big):
    pairs, p = big.pairs, big.participants.set_index("participant_id")
    solo = pairs[pairs["model"] != "group"]
    load_ = solo.groupby("mentor_id").size()
    cap = p.loc[load_.index, "capacity"]
    assert cap.between(5, 10).all() and (load_ <= cap).all()
    groups = pairs[pairs["model"] == "group"].groupby("group_id")
    assert groups.size().between(5, 15).all()
    assert groups["mentor_id"].nunique().eq(1).all()
    assert p.loc[pairs.loc[pairs["model"] == "group", "mentor_id"].unique(), "capacity"].isna().all()


def test_model_mix_matches_option(big):
    mix = {"one-to-one": 0.4, "group": 0.2, "peer": 0.15, "reverse": 0.1, "async": 0.15}
    observed = big.pairs["model"].value_counts().reindex(MODELS).to_numpy()
    expected = np.array([mix[m] for m in MODELS]) * observed.sum()
    assert stats.chisquare(observed, expected).pvalue > ALPHA      # scipy.stats.chisquare


def test_cadence_share_matches_option(big):
    solo = big.pairs[big.pairs["model"] != "group"]                    # groups share one cadence: clustered
    for cadence, share in {"weekly": 0.1, "biweekly": 0.6, "monthly": 0.3}.items():
        k = int((solo["cadence"] == cadence).sum())
        ci = stats.binomtest(k, len(solo), share).proportion_ci(1 - ALPHA)   # scipy.stats.binomtest
        assert ci.low <= share <= ci.high, cadence


def test_every_planned_check_in_is_recorded(big):
    pairs = big.pairs.set_index("pair_id")
    days = (pairs["end_date"] - pairs["start_date"]).dt.days
    expected = np.ceil(days / pairs["cadence"].map(CADENCE_DAYS))     # hand calculation
    got = big.sessions.groupby("pair_id").size().reindex(pairs.index)
    assert (got == expected).all()
    assert (pairs["planned_sessions"] == expected).all()
    per_12_weeks = expected / (days / 84)
    assert 4 <= per_12_weeks.median() <= 6                             # the typical plan
    assert not big.sessions.duplicated(["pair_id", "date"]).any()
    assert (big.sessions["date"].dt.dayofweek < 5).all()              # weekdays only


def test_attendance_matches_option_and_falls_with_time_zone_distance(big):
    s = big.sessions.merge(big.pairs[["pair_id", "overlap_hours"]], on="pair_id")
    rate = s.groupby("pair_id").agg(rate=("attended", "mean"), overlap=("overlap_hours", "first"))
    full = rate.loc[rate["overlap"] == 8, "rate"]
    none = rate.loc[rate["overlap"] == 0, "rate"]
    # E[rate of a pair] = its Beta mean: attendance * (1 - tz_penalty * (1 - overlap/8))
    assert stats.ttest_1samp(full, 0.85).pvalue > ALPHA               # scipy.stats.ttest_1samp
    assert stats.ttest_1samp(none, 0.85 * (1 - 0.3)).pvalue > ALPHA
    assert full.mean() > none.mean()
    missed = big.sessions[~big.sessions["attended"]]
    assert missed["duration_min"].isna().all()


def test_reply_times_centre_on_the_option(big):
    m = big.messages.merge(big.pairs[["pair_id", "overlap_hours"]], on="pair_id")
    same = m[(m["overlap_hours"] == 8) & m["replied_at"].notna()]
    hours = (same["replied_at"] - same["sent_at"]).dt.total_seconds() / 3600
    k = int((hours < 30).sum())                                         # the option's median: half below
    assert stats.binomtest(k, len(hours), 0.5).pvalue > ALPHA
    all_hours = (m["replied_at"] - m["sent_at"]).dt.total_seconds() / 3600
    within = (all_hours <= 48).sum() / m["replied_at"].notna().sum()
    assert 0.6 < within < 0.8                                           # "around a 48-hour norm"
    assert 0.04 < m["replied_at"].isna().mean() < 0.12


def test_goal_status_drifts(big):
    g = big.goals
    assert g["status"].isin(["on track", "behind", "blocked"]).all()
    changes = g.groupby(["pair_id", "goal"])["status"].nunique()
    assert (changes > 1).mean() > 0.2
    assert g.groupby("pair_id")["goal"].nunique().between(1, 3).all()
    done = g.dropna(subset=["done_date"])
    assert (done["done_date"] <= done["as_of"]).all()


def test_surveys_waves_items_and_ranges(big):
    s = big.surveys.merge(big.participants[["participant_id", "role"]], on="participant_id")
    assert set(s.loc[s["role"] == "comparison", "wave"]) == {"pre", "post"}
    assert set(s.loc[s["role"] == "mentee", "wave"]) == {"pre", "mid", "post", "90-day"}
    conf = s[s["item"].str.startswith("conf_")]
    assert conf["value"].between(1, 10).all() and set(conf["item"].str[5:]) == {
        "giving_feedback", "goal_setting", "networking", "presenting", "career_planning"}
    func = s[s["item"].isin(FUNCTION_ITEMS)]
    assert func["value"].between(1, 7).all() and set(func["wave"]) == {"mid", "post"}
    assert set(func["item"]) == set(FUNCTION_ITEMS) and (func["role"] == "mentee").all()


def test_functions_subscales_hang_together(big):
    import pingouin as pg
    post = big.surveys[(big.surveys["wave"] == "post") & big.surveys["item"].str.startswith("career_")]
    wide = post.pivot(index="participant_id", columns="item", values="value")
    alpha, _ = pg.cronbach_alpha(data=wide)                             # pingouin.cronbach_alpha
    assert alpha > 0.7


def test_outcomes_follow_up_is_24_months(big):
    o = big.outcomes
    expect_end = o["index_date"] + pd.DateOffset(months=24)            # hand calculation
    assert (o["followup_end"] == expect_end).all()
    assert (o["exited"] == o["exit_date"].notna()).all()
    ex = o[o["exited"]]
    assert ((ex["exit_date"] >= ex["index_date"]) & (ex["exit_date"] <= ex["followup_end"])).all()
    tte = big.time_to_exit()
    assert tte["duration_days"].max() <= 731 and (tte["duration_days"] > 0).all()
    p = big.participants.set_index("participant_id")
    assert (p.loc[ex["participant_id"], "exit_date"].to_numpy() == ex["exit_date"].to_numpy()).all()
    assert set(o["participant_id"]) == set(p.index[p["role"] != "mentor"])


def test_comments_exercise_redaction_and_escaping(big):
    c = big.comments
    assert c["text"].str.contains("<script>alert(1)</script>", regex=False).sum() == 1
    assert c["text"].str.contains("my mentor [A-Z][a-z]+ [A-Z][a-z]+", regex=True).any()
    assert c["text"].str.match(r"^[=+\-@]").any()
    assert c["text"].str.len().gt(20).all()
    assert c["text"].nunique() > 50


# ------------------------------------------------------------------ confounding and planted effects

def test_opt_in_people_differ_from_the_comparison_group(big):
    p = big.participants
    men, com = p[p["role"] == "mentee"], p[p["role"] == "comparison"]
    assert stats.ttest_ind(men["prior_engagement"], com["prior_engagement"]).pvalue < 1e-6
    assert men["prior_engagement"].mean() > com["prior_engagement"].mean()
    assert men["tenure_years"].median() < com["tenure_years"].median()
    sel = big.truth["selection"]["mean_prior_engagement"]
    assert sel["mentee"] == pytest.approx(men["prior_engagement"].mean(), abs=0.01)


def _confidence_change(data) -> pd.DataFrame:
    s = data.surveys[data.surveys["item"].str.startswith("conf_")]
    w = s.pivot_table(index=["participant_id", "item"], columns="wave", values="value").reset_index()
    w = w.dropna(subset=["pre", "post"])
    w["change"] = w["post"] - w["pre"]
    return w.merge(data.participants[["participant_id", "mentored", "prior_engagement"]], on="participant_id")


def test_confidence_effect_is_recoverable_and_naive_estimate_is_biased_up(big):
    import statsmodels.formula.api as smf
    w = _confidence_change(big)
    sd = big.truth["confidence_scale"]["latent_sd"]
    groups = pd.factorize(w["participant_id"])[0]
    adjusted = smf.ols("change ~ mentored + prior_engagement", data=w).fit(
        cov_type="cluster", cov_kwds={"groups": groups})                 # statsmodels OLS, cluster-robust
    lo, hi = adjusted.conf_int(0.001).loc["mentored[T.True]"] / sd
    assert lo <= big.truth["confidence_effect_d"] <= hi
    naive = smf.ols("change ~ mentored", data=w).fit().params["mentored[T.True]"] / sd
    assert naive > hi                                                    # overstated, as truth.json says
    assert big.truth["naive_bias"]["direction"].startswith("naive mentee-vs-comparison comparisons overstate")


def test_dose_response_slope(unselected):
    import statsmodels.formula.api as smf
    w = _confidence_change(unselected)
    att = unselected.sessions.merge(unselected.pairs[["pair_id", "mentee_id"]], on="pair_id") \
        .groupby("mentee_id")["attended"].sum().rename("attended").reset_index()
    w = w.merge(att, left_on="participant_id", right_on="mentee_id")
    fit = smf.ols("change ~ attended", data=w).fit(cov_type="cluster",
                                                   cov_kwds={"groups": pd.factorize(w["participant_id"])[0]})
    lo, hi = fit.conf_int(0.001).loc["attended"] / unselected.truth["confidence_scale"]["latent_sd"]
    assert lo <= unselected.truth["dose_response_per_session"] <= hi
    assert unselected.truth["mean_attended_sessions"] == pytest.approx(att["attended"].mean())


def test_retention_hazard_ratio_is_recoverable_and_naive_is_biased(big):
    from lifelines import CoxPHFitter
    tte = big.time_to_exit().merge(big.participants[["participant_id", "prior_engagement", "tenure_years"]])
    tte["log_tenure"] = np.log(tte["tenure_years"])
    cols = ["duration_months", "event", "mentored"]
    adj = CoxPHFitter().fit(tte[cols + ["prior_engagement", "log_tenure"]].astype(float),
                            "duration_months", "event")                  # lifelines.CoxPHFitter
    lo, hi = np.exp(adj.confidence_intervals_.loc["mentored"].to_numpy())
    assert lo <= big.truth["retention_hazard_ratio"] <= hi
    naive = CoxPHFitter().fit(tte[cols].astype(float), "duration_months", "event").hazard_ratios_["mentored"]
    assert naive < lo                                                    # looks better than it is
    exp = big.truth["naive_bias"]["expected_exit_24m_without_mentoring"]
    assert exp["mentee"] < exp["comparison"]


def test_no_selection_means_no_engagement_gap(unselected):
    p = unselected.participants
    a = p.loc[p["role"] == "mentee", "prior_engagement"]
    b = p.loc[p["role"] == "comparison", "prior_engagement"]
    assert stats.ttest_ind(a, b).pvalue > ALPHA


# ------------------------------------------------------------------ options

@pytest.mark.parametrize("kwargs, match", [
    ({"mentees": 5}, "at least 10"),
    ({"attendance": 1.5}, "attendance must be between"),
    ({"model_mix": {"mentoring": 1.0}}, "unknown key"),
    ({"format": "xml"}, "format must be csv or parquet"),
    ({"start": "next spring"}, "start must be a date"),
])
def test_bad_options_are_refused(kwargs, match):
    args = {"mentees": 20, "seed": 1, **kwargs}
    with pytest.raises(MentorkitError, match=match):
        simulate(**args)


def test_options_reach_the_data(tmp_path):
    d = simulate(mentees=400, seed=2, cadence_mix={"weekly": 1.0}, model_mix={"async": 1.0}, comparison=50,
                 cohorts=2)
    assert set(d.pairs["cadence"]) == {"weekly"} and set(d.pairs["model"]) == {"async"}
    assert (d.participants["role"] == "comparison").sum() == 50
    assert d.participants.loc[d.participants["role"] != "mentor", "cohort"].nunique() == 2
    assert d.participants["cohort"].str.fullmatch(r"C0[12]-\d{4}-\d{2}").all()


def test_a_settings_object_and_keywords_make_the_same_program(tmp_path):
    from mentorkit.program.simulate import SimulationSettings

    settings = SimulationSettings(mentees=30, seed=8, cohorts=2)
    a = simulate(settings, tmp_path / "a")
    b = simulate(mentees=30, seed=8, cohorts=2)
    for t, df in a.tables().items():
        pd.testing.assert_frame_equal(df, b.tables()[t])
    assert a.truth["options"]["cohorts"] == 2 and a.truth["options"]["comparison"] == 30
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        [f"{t}.csv" for t, df in a.tables().items()] + ["truth.json"])  # written through ProgramData.to_folder
    with pytest.raises(MentorkitError, match="unknown setting.*menteez"):
        simulate(menteez=30)
    with pytest.raises(MentorkitError, match="^simulate: tz_penalty must be between") as err:
        simulate(settings, tz_penalty=2.0)
    assert err.value.field == "tz_penalty"  # the library names its own field; the CLI says --tz-penalty
