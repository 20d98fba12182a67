"""Query-level disclosure control, the one pseudonym scheme, personal data by name and content,
contact redaction and the served root's configuration (issue 13, library side)."""
from __future__ import annotations

import itertools
import os
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentorkit import config
from mentorkit.privacy import (NOT_RECORDED, OTHER_OPTION, cut_curve, display_salt, filter_options,
                               installation_secret, month_blocks, pii_column_reason, pii_columns, pseudonymise,
                               pseudonymise_ids, redact_contacts, redact_text, snap_window, suppress_against, too_few)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def clean_env(monkeypatch, tmp_path):
    for v in ("MENTORKIT_SALT", "MENTORKIT_CONFIG", "MENTORKIT_ROOT", "MENTORKIT_MIN_GROUP"):
        monkeypatch.delenv(v, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------ the disclosure rule

def test_too_few_is_below_the_minimum_and_reads_the_configured_one(clean_env, monkeypatch):
    assert too_few(4, 5) and not too_few(5, 5) and too_few(0, 5)
    monkeypatch.setenv("MENTORKIT_MIN_GROUP", "50")
    assert too_few(49) and not too_few(50)


@pytest.mark.parametrize("sel, wider, hidden", [
    (3, [100], True),           # itself too small
    (98, [100], True),          # All minus it is 2 people
    (100, [100], False),        # the complement is empty: nothing to work out
    (20, [100], False),
    (20, [25, 100], False),     # 5 left out of the narrower, 80 of All
    (20, [23, 100], True),      # 3 left out of the narrower wider selection
])
def test_a_selection_is_hidden_when_it_or_its_complement_is_small(sel, wider, hidden):
    assert suppress_against(sel, *wider, min_size=5) is hidden


def test_complements_are_counted_as_people_not_rows_for_id_collections():
    a = ["p1", "p1", "p2", "p3", "p4", "p5"]             # a person twice: 5 people
    wide = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]    # 2 left out
    assert suppress_against(a, wide, min_size=5)
    assert not suppress_against(a, wide + ["p8", "p9", "p10"], min_size=5)


def test_filter_options_leave_no_value_or_sum_of_values_small():
    rng = np.random.default_rng(3)
    for _ in range(200):
        k = rng.integers(1, 7)
        sizes = rng.integers(0, 15, size=k)
        values = np.repeat([f"c{i}" for i in range(k)], sizes).tolist() + [None] * int(rng.integers(0, 4))
        opts = filter_options(values, min_size=5)
        total = len(values)
        if not opts.options:
            continue
        assert len(opts.options) >= 2
        counts = opts.option_of(pd.Series(values, dtype=object)).value_counts()
        assert counts.sum() == total                            # every person is in exactly one option
        for o in opts.options:
            assert counts[o] >= 5 and opts.counts[o] == counts[o]
        # any union of shown options, and its complement within All, is empty or big enough
        for r in range(1, len(opts.options) + 1):
            for combo in itertools.combinations(opts.options, r):
                n = int(sum(counts[o] for o in combo))
                assert n >= 5 and (total - n == 0 or total - n >= 5)


def test_missing_values_and_the_small_value_merge_into_other():
    opts = filter_options(["A"] * 10 + ["B"] * 10 + ["tiny"] + [None] * 4, min_size=5)
    assert opts.options == ["A", "B", OTHER_OPTION]
    assert opts.mapping["tiny"] == opts.mapping[NOT_RECORDED] == OTHER_OPTION
    assert opts.counts[OTHER_OPTION] == 5
    one_big = filter_options(["A"] * 40 + ["B"] * 2, min_size=5)
    assert one_big.options == []                                 # "A" alone would equal All minus 2


def test_filter_options_count_people_when_rows_repeat():
    values = ["X"] * 12 + ["Y"] * 12
    people = [f"x{i % 3}" for i in range(12)] + [f"y{i}" for i in range(12)]   # X is 3 people in 12 rows
    opts = filter_options(values, min_size=5, people=people)
    assert opts.options == []


def test_month_blocks_hold_enough_people_and_windows_snap_to_them():
    d = pd.to_datetime(["2024-01-10"] * 2 + ["2024-02-10"] * 2 + ["2024-03-10"] * 9 + ["2024-04-10"] * 1)
    blocks = month_blocks(d, 5)
    assert blocks["people"].tolist() == [13, 1][:1] or (blocks["people"] >= 5).all()
    assert (blocks["people"] >= 5).all() and blocks["people"].sum() == len(d)
    for start, end in [("2024-01-15", "2024-01-20"), ("2024-02-01", "2024-02-28"), ("2024-04-01", "2024-04-30"),
                       ("2023-01-01", "2023-02-01")]:
        lo, hi = snap_window(d, start, end, 5)
        inside = ((d >= lo) & (d <= hi)).sum()
        outside = len(d) - inside
        assert inside >= 5 and (outside == 0 or outside >= 5), (start, end, lo, hi)


def test_windows_snap_to_survey_waves():
    d = pd.to_datetime(["2024-01-05"] * 8 + ["2024-06-05"] * 2 + ["2024-12-05"] * 8)
    waves = ["pre"] * 8 + ["mid"] * 2 + ["post"] * 8
    lo, hi = snap_window(d, "2024-06-01", "2024-06-30", 5, waves=waves)
    assert (lo, hi) == (pd.Timestamp("2024-06-05"), pd.Timestamp("2024-12-05"))   # "mid" joined "post"


def test_cut_curve_stops_each_group_at_the_first_small_risk_set_and_drops_columns():
    c = pd.DataFrame({"group": ["a"] * 4 + ["b"] * 3, "time": [0, 1, 2, 3, 0, 1, 2],
                      "at_risk": [9, 7, 4, 8, 3, 9, 9], "events": [0, 2, 3, 0, 1, 0, 0],
                      "survival": [1, .8, .5, .5, 1, .9, .9]})
    out = cut_curve(c, group_cols=["group"], min_size=5, drop=["events"])
    assert out["time"].tolist() == [0, 1] and "events" not in out.columns


# ------------------------------------------------------------------ pseudonyms

def test_display_salt_order_explicit_env_config_then_installation_secret(clean_env, monkeypatch, tmp_path):
    secret = display_salt()
    f = tmp_path / "xdg" / "mentorkit" / "pseudonym-secret"
    assert f.read_text().strip() == secret and len(secret) == 64
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert display_salt() == secret                                # stable
    (tmp_path / "mentorkit.toml").write_text('[mentorkit]\nsalt = "from-file"\n')
    assert display_salt() == "from-file"
    monkeypatch.setenv("MENTORKIT_SALT", "from-env")
    assert display_salt() == "from-env" and display_salt("explicit") == "explicit"


def test_every_process_agrees_on_the_installation_secret(clean_env, tmp_path):
    root = tmp_path / "served"
    root.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MENTORKIT_SALT", "MENTORKIT_CONFIG")}
    env.update(MENTORKIT_ROOT=str(root), PYTHONPATH=str(ROOT))
    code = "from mentorkit.privacy import pseudonymise_ids; import pandas as pd; " \
           "print(pseudonymise_ids(pd.DataFrame({'pair_id': ['E1']}))['pair_id'][0])"
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True,
                              cwd=str(tmp_path)) for _ in range(4)]
    outs = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert len(outs) == 1
    secret = (root / ".mentorkit" / "pseudonym-secret").read_text().strip()
    assert outs == {pseudonymise("E1", salt=secret)}


def test_pseudonymise_ids_hides_every_id_column_whatever_the_ids_are():
    t = pd.DataFrame({"pair_id": ["ann@example.org-bo@example.org"], "mentor_id": ["ann@example.org"],
                      "mentee_id": [None], "n": [3]})
    out = pseudonymise_ids(t, salt="s3cret-salt")
    assert out["mentor_id"][0] == pseudonymise("ann@example.org", salt="s3cret-salt")
    assert out["mentee_id"].isna().all() and out["n"][0] == 3
    assert "@" not in out.to_csv()


# ------------------------------------------------------ personal data columns

@pytest.mark.parametrize("name", ["Employee Name", "work_email", "Manager", "Mobile Phone", "E-mail", "DOB",
                                  "home address", "LinkedIn URL", "first_name", "Line Manager"])
def test_personal_columns_are_found_by_name(name):
    assert pii_column_reason(name) is not None


@pytest.mark.parametrize("name", ["cohort", "region", "department", "hire_date", "attended", "skill", "wave",
                                  "time_zone", "duration_min", "channel", "goal"])
def test_ordinary_columns_are_not_flagged(name):
    assert pii_column_reason(name) is None


def test_personal_columns_are_found_by_content():
    assert pii_column_reason("x1", ["ann@example.org", "bo@example.co.uk", ""]) == "its cells are e-mail addresses"
    assert pii_column_reason("x2", ["+44 20 7946 0958", "(415) 555-0199", "020 7946 0000"]) == \
        "its cells are phone numbers"
    assert pii_column_reason("owner", ["Ann Lee", "Bo Chen", "Priya"]) == "its cells look like person names"
    assert pii_column_reason("owner", ["Sales", "sales ops", "12"]) is None
    assert pii_column_reason("x3", ["2024-01-05", "2024-02-05"]) is None          # dates are not phones
    assert pii_column_reason("x4", ["1200000", "35000"]) is None                  # nor amounts
    known = ["mentor_id"]
    assert pii_column_reason("mentor_id", ["M001", "M002"], known=known) is None
    assert set(pii_columns(pd.DataFrame({"Employee Name": ["A"], "cohort": ["c"], "k": ["a@b.org"]}))) == \
        {"Employee Name", "k"}


# ------------------------------------------------------------------ redaction

@pytest.mark.parametrize("text, gone", [
    ("Write to jo.lee@example.org any time", "jo.lee@example.org"),
    ("My number is +1 415-555-0199.", "415-555-0199"),
    ("Call 020 7946 0958 after lunch", "7946 0958"),
    ("Follow @jo_lee for tips", "@jo_lee"),
])
def test_contacts_are_redacted(text, gone):
    out = redact_contacts(text)
    assert gone not in out and "[" in out


def test_contact_redaction_keeps_ordinary_numbers():
    assert redact_contacts("We met 3 times in 2024 and scored 8/10") == "We met 3 times in 2024 and scored 8/10"


@pytest.mark.parametrize("text, name", [
    ("Thanks to Priya for the intro.", "Priya"),
    ("Jo from finance showed me the budget.", "Jo"),
    ("I met with John Smith on Tuesday.", "John Smith"),
    ("Huge thanks to Mateus, really.", "Mateus"),
])
def test_single_first_names_are_redacted(text, name):
    out = redact_text(text)
    assert name not in out and "[name]" in out


def test_redaction_keeps_places_dates_and_plain_words():
    out = redact_text("In March our team in London met every Tuesday.")
    assert "London" in out and "March" in out and "Tuesday" in out and "[name]" not in out


# --------------------------------------------------- configuration at the served root

def test_config_is_read_from_the_served_root_whatever_the_working_directory(clean_env, monkeypatch, tmp_path):
    root = tmp_path / "served"
    (root / "dashboards").mkdir(parents=True)
    (root / "mentorkit.toml").write_text("[mentorkit]\nmin_group_size = 50\n")
    monkeypatch.chdir(root / "dashboards")
    assert config.get("min_group_size") == 5
    monkeypatch.setenv("MENTORKIT_ROOT", str(root))
    assert config.get("min_group_size") == 50 and config.config_file() == root / "mentorkit.toml"
    other = tmp_path / "other.toml"
    other.write_text("[mentorkit]\nmin_group_size = 7\n")
    monkeypatch.setenv("MENTORKIT_CONFIG", str(other))
    assert config.get("min_group_size") == 7
