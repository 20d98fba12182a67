"""Mappings for HR snapshots: derived dates, one column feeding two fields, duplicate YAML keys,
pseudonyms for every id column, and the shipped HR snapshot example end to end through the CLI.

Expected dates are worked out by hand (calendar years back from the snapshot with
``pd.DateOffset``); expected rows from where a fault was planted (header = row 1); the end-to-end
hazard ratio against statsmodels' ``PHReg(ties="efron")`` fitted on the raw CSV read with the
csv module, not through mentorkit.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentorkit.cli import main
from mentorkit.errors import MentorkitError
from mentorkit.program import load
from mentorkit.program.loading.mapping import read_mapping

HR = Path(__file__).resolve().parents[1] / "datasets" / "hr_snapshot_example"
SALT = "test-salt-hr-0123456789"
SNAP = pd.Timestamp("2024-06-30")


def pseudonym(value: str) -> str:
    """mentorkit's pseudonym, written out: HMAC-SHA256 with the salt, 'P' + 12 hex digits."""
    return "P" + hmac.new(SALT.encode(), value.encode(), hashlib.sha256).hexdigest()[:12]


def write_export(folder: Path, rows: list[dict], name: str = "extract.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:   # BOM and CRLF, as HR systems write
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    return path


def snapshot_mapping(**participants_extra) -> dict:
    part = {
        "file": "extract.csv",
        "columns": {"InProgram": ["mentored", "role"]},
        "values": {"mentored": {"Yes": True, "No": False}, "role": {"Yes": "mentee", "No": "comparison"}},
        "defaults": {"cohort": None, "region": None, "timezone": None, "department": None},
        "derive": {"hire_date": {"from": "YearsAtCompany", "rule": "years_before_snapshot"},
                   "exit_date": {"from": "Attrition", "rule": "snapshot_if_true"}},
    }
    part.update(participants_extra)
    return {"snapshot_date": "2024-06-30", "columns": {"EmpNo": "participant_id"},
            "tables": {"participants": part}}


ROWS = [
    {"EmpNo": "E1", "InProgram": "Yes", "YearsAtCompany": "10", "Attrition": "No"},
    {"EmpNo": "E2", "InProgram": "No", "YearsAtCompany": "0", "Attrition": "Yes"},
    {"EmpNo": "E3", "InProgram": "No", "YearsAtCompany": "2.5", "Attrition": "No"},
    {"EmpNo": "E4", "InProgram": "Yes", "YearsAtCompany": "n/a", "Attrition": "Yes"},
    {"EmpNo": "E5", "InProgram": "No", "YearsAtCompany": "", "Attrition": "No"},
]


def problems(data) -> list[str]:
    return [str(p) for p in data.report.problems]


# ------------------------------------------------------------------ derived fields

def test_dates_are_derived_from_tenure_and_the_attrition_flag(tmp_path):
    write_export(tmp_path / "x", ROWS)
    data = load(tmp_path / "x", snapshot_mapping(), quarantine_dir=tmp_path / "q")
    p = data.participants.set_index("participant_id")
    assert list(p.index) == ["E1", "E2", "E3"]                       # E4 and E5 quarantined, not dropped
    assert p.loc["E1", "hire_date"] == SNAP - pd.DateOffset(years=10)           # 2014-06-30
    assert p.loc["E2", "hire_date"] == SNAP and p.loc["E2", "exit_date"] == SNAP
    assert p.loc["E3", "hire_date"] == SNAP - pd.DateOffset(years=2) - pd.Timedelta(days=round(0.5 * 365.25))
    assert pd.isna(p.loc["E1", "exit_date"]) and pd.isna(p.loc["E3", "exit_date"])
    # one column, two fields, both declared: InProgram gives mentored and role
    assert p["mentored"].tolist() == [True, False, False]
    assert p["role"].tolist() == ["mentee", "comparison", "comparison"]
    lines = problems(data)
    assert "extract.csv:5:YearsAtCompany: 'n/a' is not a number" in lines
    assert "extract.csv:6:YearsAtCompany: empty cell; a value is required" in lines
    q = pd.read_csv(tmp_path / "q" / "participants.csv", dtype=str)
    assert q["source_row"].tolist() == ["5", "6"] and q["EmpNo"].tolist() == ["E4", "E5"]
    counts = data.report.counts.set_index("table").loc["participants"]
    assert counts["rows_read"] == 5 == counts["rows_loaded"] + counts["rows_quarantined"]


def test_months_days_and_a_coded_flag(tmp_path):
    rows = [{"EmpNo": "E1", "InProgram": "No", "Months": "14", "Days": "40", "Status": "Left"},
            {"EmpNo": "E2", "InProgram": "No", "Months": "1.5", "Days": "0", "Status": "Active"}]
    write_export(tmp_path / "x", rows)
    m = snapshot_mapping(derive={
        "hire_date": {"from": "Months", "rule": "months_before_snapshot"},
        "exit_date": {"from": "Status", "rule": "snapshot_if_true", "values": {"Left": True, "Active": False}}})
    m["tables"]["participants"]["drop"] = ["Days"]
    data = load(tmp_path / "x", m, quarantine_dir=tmp_path / "q")
    p = data.participants.set_index("participant_id")
    assert p.loc["E1", "hire_date"] == pd.Timestamp("2023-04-30")          # 14 calendar months back
    assert p.loc["E2", "hire_date"] == SNAP - pd.DateOffset(months=1) - pd.Timedelta(days=round(0.5 * 30.4375))
    assert p.loc["E1", "exit_date"] == SNAP and pd.isna(p.loc["E2", "exit_date"])
    m["tables"]["participants"]["derive"]["hire_date"] = {"from": "Days", "rule": "days_before_snapshot"}
    m["tables"]["participants"]["drop"] = []
    p = load(tmp_path / "x", m, quarantine_dir=tmp_path / "q").participants.set_index("participant_id")
    assert p.loc["E1", "hire_date"] == pd.Timestamp("2024-05-21")          # 40 days before 30 June


def test_a_missing_source_or_a_field_given_twice_quarantines_every_row_with_the_reason(tmp_path):
    write_export(tmp_path / "x", [{k: v for k, v in r.items() if k != "YearsAtCompany"} for r in ROWS[:3]])
    data = load(tmp_path / "x", snapshot_mapping(), quarantine_dir=tmp_path / "q")
    assert data.participants.empty
    assert ("extract.csv:1:hire_date: column 'YearsAtCompany' is missing, so hire_date cannot be derived "
            "(years_before_snapshot); every row is quarantined") in problems(data)
    q = pd.read_csv(tmp_path / "q" / "participants.csv", dtype=str)
    assert len(q) == 3 and (q["reasons"] == "hire_date: cannot be derived by the mapping (see the problem on "
                                              "row 1)").all()
    rows = [dict(r, HireDate="2020-01-01") for r in ROWS[:3]]
    write_export(tmp_path / "y", rows)
    m = snapshot_mapping()
    m["tables"]["participants"]["columns"]["HireDate"] = "hire_date"
    data = load(tmp_path / "y", m, quarantine_dir=tmp_path / "q2")
    assert data.participants.empty
    assert any(re.search(r"extract.csv:1:hire_date: hire_date is both a column of the file \('HireDate'\) and "
                         r"derived by the mapping", line) for line in problems(data))


def test_two_columns_for_one_field_are_refused(tmp_path):
    rows = [dict(r, Mentored="true", Role="mentee") for r in ROWS[:3]]
    write_export(tmp_path / "x", rows)
    m = snapshot_mapping()
    m["tables"]["participants"]["columns"]["Mentored"] = "mentored"      # InProgram's first field
    data = load(tmp_path / "x", m, quarantine_dir=tmp_path / "q")
    assert "extract.csv:1:mentored: two columns map to 'mentored' (columns 2 and 5); using column 2" \
        in problems(data)
    m = snapshot_mapping()
    m["tables"]["participants"]["columns"]["Role"] = "role"              # InProgram's further field
    data = load(tmp_path / "x", m, quarantine_dir=tmp_path / "q")
    assert ("extract.csv:1:role: column 'InProgram' is mapped to 'role' too, but column 6 ('Role') already "
            "is role; using column 6") in problems(data)


@pytest.mark.parametrize("mapping, match", [
    ({"tables": {"participants": {"derive": {"hire_date": {"from": "T", "rule": "years_before_snapshot"}}}}},
     "needs a snapshot_date"),
    ({"snapshot_date": "2024-13-45"}, "snapshot_date must be a date"),
    ({"snapshot_date": "2024-06-30", "tables": {"participants": {"derive": {"mentored": {"rule": "snapshot"}}}}},
     "only date columns can be derived"),
    ({"snapshot_date": "2024-06-30", "tables": {"outcomes": {"derive": {"exit_date": {"rule": "guess"}}}}},
     "rule 'guess' is not one of"),
    ({"snapshot_date": "2024-06-30",
      "tables": {"outcomes": {"derive": {"exit_date": {"rule": "snapshot_if_true"}}}}}, "needs from:"),
    ({"pseudonymise": ["participant_id", "mentor_id", "mentee_id"]}, "but not sponsor_id"),
    ({"columns": {"X": []}}, "a list of fields must name each mentorkit column once"),
])
def test_mapping_errors_name_the_key(mapping, match):
    with pytest.raises(MentorkitError, match=match):
        read_mapping(mapping)


def test_a_top_level_list_feeds_every_table_and_pseudonymise_true_means_all(tmp_path, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", SALT)
    write_export(tmp_path / "x", ROWS[:3])
    m = snapshot_mapping()
    del m["tables"]["participants"]["columns"]
    m["columns"]["InProgram"] = ["mentored", "role"]
    m["pseudonymise"] = True
    data = load(tmp_path / "x", m, quarantine_dir=tmp_path / "q")
    p = data.participants
    assert p["role"].tolist() == ["mentee", "comparison", "comparison"] and p["mentored"].tolist() == [True, False, False]
    assert p["participant_id"].tolist() == [pseudonym("E1"), pseudonym("E2"), pseudonym("E3")]
    assert set(read_mapping(m).pseudonymise) == {"participant_id", "mentor_id", "mentee_id", "sponsor_id", "pair_id"}


def test_duplicate_yaml_keys_are_refused_with_file_and_line(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text("tables:\n  outcomes:\n    columns:\n      Attrition: exited\n      Attrition: exit_date\n",
                    encoding="utf-8")
    with pytest.raises(MentorkitError) as err:
        read_mapping(path)
    assert str(err.value).startswith(f"{path}:5: key 'Attrition' is given twice in one mapping (first on line 4)")
    path.write_text("columns: {a: b}\ncolumns: {c: d}\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"mapping.yaml:2: key 'columns' is given twice"):
        read_mapping(path)
    code = main(["validate", str(tmp_path), "--mapping", str(path)])
    assert code == 2


# ------------------------------------------------------------------ the shipped HR snapshot, end to end

@pytest.fixture()
def salted(monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", SALT)


def raw_extract() -> pd.DataFrame:
    with open(HR / "hr_attrition_extract.csv", newline="", encoding="utf-8-sig") as fh:
        return pd.DataFrame(list(csv.DictReader(fh)))


def test_the_example_files_have_the_quirks_and_rebuild_identically(tmp_path, monkeypatch):
    head = (HR / "hr_attrition_extract.csv").read_bytes()
    assert head.startswith(b"\xef\xbb\xbf") and b"\r\n" in head[:400]
    raw = raw_extract()
    assert set(raw["Attrition"]) == {"Yes", "No"} and set(raw["OverTime"]) == {"Yes", "No"}
    assert raw["YearsAtCompany"].str.fullmatch(r"\d*").all()        # whole years (one planted blank)
    import importlib.util
    spec = importlib.util.spec_from_file_location("hr_build", HR / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(build, "HERE", tmp_path)
    build.main()
    for name in ("hr_attrition_extract.csv", "talent_actions.csv"):
        assert (tmp_path / name).read_bytes() == (HR / name).read_bytes(), name


def test_hr_snapshot_loads_with_every_id_pseudonymised(salted, tmp_path):
    data = load(HR, HR / "mapping.yaml", quarantine_dir=tmp_path / "q")
    raw = raw_extract()
    p = data.participants
    assert len(p) == len(raw) - 1                                     # the blank tenure is quarantined
    assert p["participant_id"].tolist() == [pseudonym(e) for e in raw["EmployeeNumber"] if
                                            raw.loc[raw["EmployeeNumber"] == e, "YearsAtCompany"].item() != ""]
    s = data.sponsorship
    with open(HR / "talent_actions.csv", newline="", encoding="utf-8-sig") as fh:
        actions = pd.DataFrame(list(csv.DictReader(fh)))
    named = actions["SponsorEmployeeNumber"] != ""
    assert s["sponsor_id"].notna().sum() == named.sum()
    assert set(s["sponsor_id"].dropna()) == {pseudonym(v) for v in actions.loc[named, "SponsorEmployeeNumber"]}
    assert not s["sponsor_id"].dropna().isin(actions["SponsorEmployeeNumber"]).any()
    assert s["sponsor_id"].dropna().isin(p["participant_id"]).all()  # the join survives pseudonymising
    # tenure in whole years becomes follow-up from hire to the snapshot
    tte = data.time_to_exit().set_index("participant_id")
    years = raw.set_index(raw["EmployeeNumber"].map(pseudonym))["YearsAtCompany"]
    years = years[years != ""].astype(int)
    want = [(SNAP - (SNAP - pd.DateOffset(years=int(y)))).days for y in years]
    assert np.array_equal(tte.loc[years.index, "duration_days"].to_numpy(), np.array(want, dtype=float))


def run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_hr_snapshot_through_validate_analyze_and_report(salted, tmp_path, capsys):
    import shutil

    folder = tmp_path / "hr"          # a copy: analyze and report write the quarantine next to the data
    shutil.copytree(HR, folder, ignore=shutil.ignore_patterns("_quarantine"))
    mapping = str(folder / "mapping.yaml")
    code, out, err = run(capsys, "validate", str(folder), "--mapping", mapping, "--quarantine", str(tmp_path / "q"))
    assert code == 1, err                      # problems found: one row quarantined, tables absent
    assert "internal error" not in err
    assert "hr_attrition_extract.csv:-:-: file starts with a UTF-8 byte-order mark (BOM); read as UTF-8" in out
    assert "hr_attrition_extract.csv:419:YearsAtCompany: empty cell; a value is required" in out
    assert re.search(r"participants\s+1470\s+1469\s+1", out)
    code, out, err = run(capsys, "analyze", str(folder), "--mapping", mapping, "--format", "json")
    assert code == 0, err
    obj = json.loads(out)
    skipped = {r["analysis"] for r in obj["skipped"]}
    assert {"engagement", "prepost", "reliability"} <= skipped and "retention" not in skipped
    naive = next(r for r in obj["retention"] if r["method"] == "naive")
    assert naive["ties"] == "efron"
    # the same naive hazard ratio from statsmodels PHReg(ties="efron") on the raw file, durations by hand
    # (lifelines gives 0.59761: it treats the 0-year tenures, exits on the day of hire, differently)
    from statsmodels.duration.hazard_regression import PHReg
    raw = raw_extract()
    raw = raw[raw["YearsAtCompany"] != ""]
    months = [(SNAP - (SNAP - pd.DateOffset(years=int(y)))).days / 30.4375 for y in raw["YearsAtCompany"]]
    df = pd.DataFrame({"T": months, "E": (raw["Attrition"] == "Yes").astype(int).to_numpy(),
                       "mentored": (raw["MentoringProgram"] == "Yes").astype(int).to_numpy()})
    ref = PHReg(df["T"].to_numpy(), df[["mentored"]].to_numpy(float), status=df["E"].to_numpy(), ties="efron").fit()
    assert naive["hr"] == pytest.approx(float(np.exp(ref.params[0])), rel=1e-6)
    assert naive["n_group"] == int(df["mentored"].sum())
    target = tmp_path / "hr.html"
    code, out, err = run(capsys, "report", str(folder), "--mapping", mapping, "--out", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Retention" in page
    assert not any(e in page for e in raw["EmployeeNumber"].head(50).map(lambda v: f">{v}<"))
