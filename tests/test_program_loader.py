"""The program-data loader: every fault in the issue, with a file that holds it.

Each test copies a small clean program (simulated, then written as CSV) and
plants one fault at a known place. Expected rows are worked out from where
the fault was planted (header = row 1, so the i-th data line is row i + 2);
expected counts from the files themselves (a plain ``csv`` module count),
never from the loader. Every load is checked for rows read = rows loaded +
rows quarantined.
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.program import ProgramDataError, load, schema_for, simulate
from mentorkit.program.schema import TABLE_ORDER


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "program"
    simulate(mentees=40, comparison=30, seed=11, out=out)
    return out


@pytest.fixture()
def prog(clean_dir, tmp_path) -> Path:
    """A fresh, writable copy of the clean program."""
    dst = tmp_path / "program"
    shutil.copytree(clean_dir, dst)
    return dst


def data_rows(path: Path, encoding: str = "utf-8-sig") -> int:
    """Data records in a CSV file, counted with the csv module (the independent reference)."""
    with open(path, newline="", encoding=encoding) as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def set_cell(path: Path, data_index: int, column: str, value: str) -> None:
    """Set one cell (data_index 0 = first data row) with the csv module."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[data_index + 1][rows[0].index(column)] = value
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def lines_of(report) -> list[str]:
    return report.lines()


def assert_balanced(data, folder: Path | None = None) -> None:
    c = data.report.counts.set_index("table")
    assert (c["rows_read"] == c["rows_loaded"] + c["rows_quarantined"]).all(), c
    for t in TABLE_ORDER:
        assert len(getattr(data, t)) == (c.loc[t, "rows_loaded"] if t in c.index else 0)
    if folder is not None:
        for t in c.index:
            f = folder / f"{t}.csv"
            if f.exists() and f.stat().st_size:
                enc = "cp1252" if any("not UTF-8" in m for m in data.report.frame["message"]
                                      if isinstance(m, str)) and t == "comments" else "utf-8-sig"
                assert c.loc[t, "rows_read"] == data_rows(f, enc), t


def quarantine(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / "_quarantine" / f"{table}.csv", dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ clean data

def test_clean_program_loads_everything_and_round_trips(clean_dir, tmp_path):
    sim = simulate(mentees=40, comparison=30, seed=11)
    data = load(clean_dir, quarantine_dir=tmp_path / "q")
    assert data.report.ok and data.report.balanced
    assert not (tmp_path / "q").exists()          # nothing rejected, nothing written
    assert_balanced(data, clean_dir)
    for t in TABLE_ORDER:
        pd.testing.assert_frame_equal(getattr(sim, t).reset_index(drop=True), getattr(data, t), check_dtype=False)
        schema_for(t).validate(getattr(data, t), lazy=True)
    assert data.truth["seed"] == 11


def test_dtypes_are_normalised(clean_dir):
    data = load(clean_dir)
    p, s = data.participants, data.sessions
    assert str(p["hire_date"].dtype) == "datetime64[ns]"
    assert p["mentored"].dtype == bool and s["attended"].dtype == bool
    assert s["duration_min"].dtype == np.float64
    assert str(data.messages["sent_at"].dtype) == "datetime64[ns]"
    assert p["participant_id"].map(type).eq(str).all()


# ------------------------------------------------------------------ the faults, one by one

def test_missing_required_column_quarantines_the_file(prog):
    df = pd.read_csv(prog / "surveys.csv", dtype=str)
    df.drop(columns=["wave"]).to_csv(prog / "surveys.csv", index=False)
    data = load(prog)
    assert "surveys.csv:1:wave: required column is missing; every row is quarantined" in lines_of(data.report)
    assert data.report.rows_loaded["surveys"] == 0
    assert data.report.rows_quarantined["surveys"] == len(df)
    assert_balanced(data, prog)
    q = quarantine(prog, "surveys")
    assert len(q) == len(df) and q["reasons"].str.contains("wave: required column is missing").all()


def test_unknown_id_across_tables(prog):
    set_cell(prog / "surveys.csv", 4, "participant_id", "PNOBODY")
    data = load(prog)
    assert "surveys.csv:6:participant_id: unknown participant_id 'PNOBODY': not in participants.csv" \
        in lines_of(data.report)
    assert data.report.rows_quarantined["surveys"] == 1
    assert_balanced(data, prog)
    q = quarantine(prog, "surveys")
    assert q.loc[0, "source_row"] == "6" and q.loc[0, "participant_id"] == "PNOBODY"


def test_value_out_of_range_for_its_item(prog):
    df = pd.read_csv(prog / "surveys.csv")
    i = int(np.flatnonzero(df["item"].str.startswith("conf_").to_numpy())[3])
    j = int(np.flatnonzero(df["item"].str.startswith("career_").to_numpy())[0])
    set_cell(prog / "surveys.csv", i, "value", "11")           # 1-10 item
    set_cell(prog / "surveys.csv", j, "value", "8")            # 1-7 item
    data = load(prog)
    lines = lines_of(data.report)
    assert f"surveys.csv:{i + 2}:value: value 11 is out of range 1-10 for item {df.loc[i, 'item']}" in lines
    assert f"surveys.csv:{j + 2}:value: value 8 is out of range 1-7 for item {df.loc[j, 'item']}" in lines
    assert data.report.rows_quarantined["surveys"] == 2
    assert_balanced(data, prog)


def test_non_numeric_number(prog):
    df = pd.read_csv(prog / "sessions.csv")
    i = int(np.flatnonzero(df["attended"].to_numpy())[2])
    set_cell(prog / "sessions.csv", i, "duration_min", "45 min")
    data = load(prog)
    assert f"sessions.csv:{i + 2}:duration_min: '45 min' is not a number" in lines_of(data.report)
    assert data.report.rows_quarantined["sessions"] == 1
    assert_balanced(data, prog)


@pytest.mark.parametrize("table, key", [("participants", "participant_id"), ("outcomes", "participant_id"),
                                        ("pairs", "pair_id")])
def test_duplicate_ids_keep_the_first(prog, table, key):
    lines = read_lines(prog / f"{table}.csv")
    lines.insert(5, lines[2])                                   # data row 1 repeated as data row 4
    write_lines(prog / f"{table}.csv", lines)
    first = pd.read_csv(prog / f"{table}.csv", dtype=str).loc[1, key]
    data = load(prog)
    assert f"{table}.csv:6:{key}: duplicate {key}={first!r} (first seen in row 3)" in lines_of(data.report)
    assert data.report.rows_quarantined[table] == 1
    assert getattr(data, table)[key].is_unique
    assert_balanced(data, prog)


@pytest.mark.parametrize("value, message", [
    ("2021-02-30", "'2021-02-30' is not a valid date (expected YYYY-MM-DD)"),     # no such day
    ("2021-13-01", "'2021-13-01' is not a valid date (expected YYYY-MM-DD)"),     # no such month
    ("yesterday", "'yesterday' is not a valid date (expected YYYY-MM-DD)"),
    ("1850-06-01", "date 1850-06-01 is implausible (outside 1950-01-01 to 2100-12-31)"),
])
def test_unparsable_or_impossible_dates(prog, value, message):
    df = pd.read_csv(prog / "participants.csv", dtype=str)
    i = int(np.flatnonzero((df["role"] == "comparison").to_numpy())[0])   # no pairs hang off this person
    set_cell(prog / "participants.csv", i, "hire_date", value)
    data = load(prog)
    assert f"participants.csv:{i + 2}:hire_date: {message}" in lines_of(data.report)
    assert data.report.rows_quarantined["participants"] == 1
    # the person's survey answers, comments and outcome refer to a quarantined row now
    pid = df.loc[i, "participant_id"]
    surveys = pd.read_csv(prog / "surveys.csv", dtype=str)
    assert data.report.rows_quarantined["surveys"] == int((surveys["participant_id"] == pid).sum())
    assert data.report.rows_quarantined["outcomes"] == 1
    assert_balanced(data, prog)


def test_end_before_start_quarantines_the_pair_and_what_hangs_off_it(prog):
    pairs = pd.read_csv(prog / "pairs.csv", dtype=str)
    set_cell(prog / "pairs.csv", 3, "end_date", "2000-01-01")
    pid = pairs.loc[3, "pair_id"]
    data = load(prog)
    lines = lines_of(data.report)
    assert f"pairs.csv:5:end_date: end_date 2000-01-01 is before start_date {pairs.loc[3, 'start_date']}" in lines
    assert f"sessions.csv" in "".join(lines) and f"pair_id {pid!r} is in pairs.csv row 5, which was quarantined" \
        in "\n".join(lines)
    for child in ("sessions", "goals", "messages"):
        n = int((pd.read_csv(prog / f"{child}.csv", dtype=str)["pair_id"] == pid).sum())
        assert data.report.rows_quarantined[child] == n
    assert_balanced(data, prog)


def test_other_impossible_orders(prog):
    msgs = pd.read_csv(prog / "messages.csv", dtype=str)
    i = int(np.flatnonzero(msgs["replied_at"].notna().to_numpy())[0])
    set_cell(prog / "messages.csv", i, "replied_at", "2000-01-01 00:00:00")
    out = pd.read_csv(prog / "outcomes.csv", dtype=str)
    k = int(np.flatnonzero((out["exited"] == "False").to_numpy())[0])
    set_cell(prog / "outcomes.csv", k, "exited", "True")            # exited, but no exit date
    sess = pd.read_csv(prog / "sessions.csv", dtype=str)
    set_cell(prog / "sessions.csv", 0, "date", "2001-01-01")         # before the pair started
    data = load(prog)
    lines = lines_of(data.report)
    assert f"messages.csv:{i + 2}:replied_at: replied_at 2000-01-01 is before sent_at {msgs.loc[i, 'sent_at']}" \
        in lines
    assert f"outcomes.csv:{k + 2}:exit_date: exited is true but exit_date is empty" in lines
    start = pd.read_csv(prog / "pairs.csv", dtype=str).set_index("pair_id").loc[sess.loc[0, "pair_id"], "start_date"]
    assert f"sessions.csv:2:date: session date 2001-01-01 is before the pair's start_date {start}" in lines
    assert_balanced(data, prog)


def test_empty_file_and_header_only_file(prog):
    (prog / "messages.csv").write_bytes(b"")
    header = read_lines(prog / "goals.csv")[0]
    (prog / "goals.csv").write_text(header + "\n")
    data = load(prog)
    lines = lines_of(data.report)
    assert "messages.csv:-:-: file is empty (0 bytes)" in lines
    assert "goals.csv:-:-: file has a header but no data rows" in lines
    assert data.report.rows_read["messages"] == 0 and len(data.messages) == 0
    assert list(data.messages.columns)[:3] == ["pair_id", "sent_at", "replied_at"]
    assert_balanced(data)


def test_byte_order_mark_is_reported_and_harmless(prog, clean_dir):
    raw = (prog / "pairs.csv").read_bytes()
    (prog / "pairs.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    data = load(prog)
    assert "pairs.csv:-:-: file starts with a UTF-8 byte-order mark (BOM); read as UTF-8" in lines_of(data.report)
    assert data.report.n_errors == 0
    pd.testing.assert_frame_equal(data.pairs, load(clean_dir).pairs)
    assert_balanced(data, prog)


def test_latin1_file_is_decoded_and_reported(prog):
    df = pd.read_csv(prog / "comments.csv", dtype=str, keep_default_na=False)
    df.loc[0, "text"] = "Caf\u00e9 meetings in S\u00e3o Paulo helped"
    (prog / "comments.csv").write_bytes(df.to_csv(index=False).encode("latin-1"))
    data = load(prog)
    assert ("comments.csv:-:-: file is not UTF-8; read as Windows-1252 (save it as UTF-8 to avoid this)"
            in lines_of(data.report))
    assert data.comments.loc[0, "text"] == "Caf\u00e9 meetings in S\u00e3o Paulo helped"
    assert data.report.n_errors == 0
    assert data.report.rows_read["comments"] == data_rows(prog / "comments.csv", "latin-1")


def test_crlf_line_ends_are_reported_and_stripped(prog, clean_dir):
    raw = (prog / "sessions.csv").read_bytes()
    (prog / "sessions.csv").write_bytes(raw.replace(b"\n", b"\r\n"))
    data = load(prog)
    assert "sessions.csv:-:-: file has Windows (CRLF) line ends; read normally" in lines_of(data.report)
    assert not data.sessions["channel"].str.contains("\r").any()
    pd.testing.assert_frame_equal(data.sessions, load(clean_dir).sessions)
    assert_balanced(data, prog)


def test_stray_spaces_in_categories(prog):
    df = pd.read_csv(prog / "participants.csv", dtype=str)
    set_cell(prog / "participants.csv", 2, "role", df.loc[2, "role"] + " ")
    set_cell(prog / "pairs.csv", 0, "model", " " + pd.read_csv(prog / "pairs.csv", dtype=str).loc[0, "model"])
    data = load(prog)
    lines = lines_of(data.report)
    role = df.loc[2, "role"]
    assert f"participants.csv:4:role: stray spaces in {role + ' '!r} (read as {role!r})" in lines
    assert any(line.startswith("pairs.csv:2:model: stray spaces in ' ") for line in lines)
    assert data.report.n_errors == 0 and data.report.n_warnings == 2
    assert data.participants.loc[2, "role"] == role
    assert_balanced(data, prog)


def test_unknown_category_value(prog):
    set_cell(prog / "goals.csv", 1, "status", "Passed")
    data = load(prog)
    assert "goals.csv:3:status: 'Passed' is not one of: on track, behind, blocked" in lines_of(data.report)
    assert data.report.rows_quarantined["goals"] == 1


def test_row_with_too_many_cells_is_quarantined_with_its_text(prog):
    lines = read_lines(prog / "goals.csv")
    lines.insert(3, lines[3] + ",surplus")                       # becomes data row 3 (row 4)
    write_lines(prog / "goals.csv", lines)
    data = load(prog)
    assert "goals.csv:4:-: row has 7 cells but the header has 6" in lines_of(data.report)
    q = quarantine(prog, "goals")
    assert q.loc[0, "source_row"] == "4" and q.loc[0, "raw_line"].endswith(",surplus")
    # rows after it keep their own row numbers
    set_bad = pd.read_csv(prog / "goals.csv", dtype=str, on_bad_lines="skip")
    assert data.report.rows_read["goals"] == len(set_bad) + 1
    assert_balanced(data)


def test_every_problem_is_reported_not_just_the_first(prog):
    for i in (1, 4, 9):
        set_cell(prog / "surveys.csv", i, "value", "lots")
    set_cell(prog / "surveys.csv", 4, "wave", "later")               # a second problem in the same row
    data = load(prog)
    lines = lines_of(data.report)
    for i in (1, 4, 9):
        assert f"surveys.csv:{i + 2}:value: 'lots' is not a number" in lines
    assert "surveys.csv:6:wave: 'later' is not one of: pre, mid, post, 90-day" in lines
    assert data.report.rows_quarantined["surveys"] == 3
    q = quarantine(prog, "surveys").set_index("source_row")
    assert "value: 'lots' is not a number" in q.loc["6", "reasons"] and "wave: 'later'" in q.loc["6", "reasons"]


def test_multiline_cell_keeps_record_numbers(prog):
    df = pd.read_csv(prog / "comments.csv", dtype=str, keep_default_na=False)
    df.loc[1, "text"] = "first line\nsecond line"
    df.loc[3, "wave"] = "someday"
    df.to_csv(prog / "comments.csv", index=False)
    data = load(prog)
    assert "comments.csv:5:wave: 'someday' is not one of: pre, mid, post, 90-day" in lines_of(data.report)
    assert data.comments.loc[1, "text"] == "first line\nsecond line"


# ------------------------------------------------------------------ strict mode, quarantine, safety

def test_strict_mode_loads_nothing_and_writes_nothing(prog, tmp_path):
    set_cell(prog / "surveys.csv", 0, "value", "99")
    with pytest.raises(ProgramDataError) as exc:
        load(prog, strict=True, quarantine_dir=tmp_path / "q")
    report = exc.value.report
    assert exc.value.exit_code == 1
    assert "surveys.csv:2:value: value 99 is out of range 1-10" in "\n".join(report.lines())
    assert not (tmp_path / "q").exists() and not (prog / "_quarantine").exists()
    assert sum(report.rows_loaded.values()) == 0 and report.balanced


def test_strict_mode_refuses_warnings_too(prog):
    raw = (prog / "pairs.csv").read_bytes()
    (prog / "pairs.csv").write_bytes(raw.replace(b"\n", b"\r\n"))
    with pytest.raises(ProgramDataError):
        load(prog, strict=True)


def test_strict_mode_on_clean_data(clean_dir):
    assert load(clean_dir, strict=True).report.ok


def test_quarantine_text_is_spreadsheet_safe_and_comments_round_trip(prog):
    df = pd.read_csv(prog / "comments.csv", dtype=str, keep_default_na=False)
    df.loc[0, "text"] = "=HYPERLINK(\"http://example.com\")"
    df.loc[0, "wave"] = "never"                                   # quarantined, so written back out
    df.loc[1, "text"] = "'+1 agreed"                              # as mentorkit writes "+1 agreed"
    df.to_csv(prog / "comments.csv", index=False)
    data = load(prog)
    q = quarantine(prog, "comments")
    assert q.loc[0, "text"] == "'=HYPERLINK(\"http://example.com\")"
    assert data.comments.loc[0, "text"] == "+1 agreed"


def test_personal_data_columns_are_not_loaded_nor_quarantined(prog):
    df = pd.read_csv(prog / "participants.csv", dtype=str, keep_default_na=False)
    df.insert(1, "Email", [f"person{i}@example.com" for i in range(len(df))])
    df.insert(1, "Full Name", [f"Person {i}" for i in range(len(df))])
    df.loc[0, "mentored"] = "perhaps"
    df.to_csv(prog / "participants.csv", index=False)
    data = load(prog)
    lines = lines_of(data.report)
    assert any(line.startswith("participants.csv:1:Email: column 'Email' looks like personal data") for line in lines)
    assert any(line.startswith("participants.csv:1:Full Name: column 'Full Name'") for line in lines)
    assert "Email" not in data.participants.columns and "Full Name" not in data.participants.columns
    q = quarantine(prog, "participants")
    assert "Email" not in q.columns and "Full Name" not in q.columns


def test_personal_data_columns_found_by_name_pattern_and_by_content(prog):
    df = pd.read_csv(prog / "participants.csv", dtype=str, keep_default_na=False)
    n = len(df)
    df["Employee Name"] = [f"Person {i}" for i in range(n)]
    df["work_email"] = [f"p{i}@corp.example" for i in range(n)]
    df["Manager"] = ["Ann Lee"] * n
    df["extra_1"] = [f"q{i}@corp.example" for i in range(n)]            # no telling name: found by content
    df["extra_2"] = ["+44 20 7946 0%03d" % i for i in range(n)]
    df["owner"] = ["Bo Chen", "Priya Nair"] * (n // 2) + ["Bo Chen"] * (n % 2)
    df.loc[0, "mentored"] = "perhaps"                                   # a quarantined row
    df.to_csv(prog / "participants.csv", index=False)
    data = load(prog)
    lines = lines_of(data.report)
    for col in ("Employee Name", "work_email", "Manager", "extra_1", "extra_2", "owner"):
        assert any(f"participants.csv:1:{col}: column '{col}' looks like personal data" in line for line in lines), col
        assert col not in data.participants.columns
    q = quarantine(prog, "participants")
    assert len(q) == 1 and str(q.loc[0, "source_row"]) == "2" and "mentored" in q.loc[0, "reasons"]
    text = (prog / "_quarantine" / "participants.csv").read_text()
    assert "@corp.example" not in text and "Ann Lee" not in text and "7946" not in text and "Priya" not in text


def test_default_quarantine_folder_and_stale_files(prog):
    set_cell(prog / "surveys.csv", 0, "value", "0")
    data = load(prog)
    assert data.report.quarantine_files["surveys"] == prog / "_quarantine" / "surveys.csv"
    set_cell(prog / "surveys.csv", 0, "value", "5")
    assert load(prog).report.ok
    assert not (prog / "_quarantine" / "surveys.csv").exists()   # no stale rejects left behind


# ------------------------------------------------------------------ formats and mapping

def test_excel_and_parquet_files(prog):
    pairs = pd.read_csv(prog / "pairs.csv", dtype=str, keep_default_na=False)
    pairs.loc[2, "cadence"] = "fortnightly"
    pairs.to_excel(prog / "pairs.xlsx", index=False)
    (prog / "pairs.csv").unlink()
    msgs = load(prog).messages
    msgs.to_parquet(prog / "messages.parquet", index=False)
    (prog / "messages.csv").unlink()
    data = load(prog)
    assert "pairs.xlsx:4:cadence: 'fortnightly' is not one of: weekly, biweekly, monthly" in lines_of(data.report)
    assert data.report.rows_read["sessions"] == data_rows(prog / "sessions.csv")
    got = data.messages[~data.messages["pair_id"].eq(pairs.loc[2, "pair_id"])].reset_index(drop=True)
    want = msgs[~msgs["pair_id"].eq(pairs.loc[2, "pair_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert data.report.rows_read["pairs"] == len(pairs)
    assert_balanced(data)


def test_mapping_renames_and_recodes_an_export(prog, tmp_path):
    p = pd.read_csv(prog / "participants.csv", dtype=str, keep_default_na=False)
    p = p.rename(columns={"participant_id": "EmployeeNumber", "mentored": "InProgram"})
    p["InProgram"] = p["InProgram"].map({"True": "Yes", "False": "No"})
    p["hire_date"] = pd.to_datetime(p["hire_date"]).dt.strftime("%d/%m/%Y")
    p.to_csv(prog / "people.csv", index=False)
    (prog / "participants.csv").unlink()
    o = pd.read_csv(prog / "outcomes.csv", dtype=str, keep_default_na=False)
    o = o.rename(columns={"participant_id": "EmployeeNumber", "exited": "Attrition"})
    o["Attrition"] = o["Attrition"].map({"True": "Yes", "False": "No"})
    o.to_csv(prog / "outcomes.csv", index=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns: {EmployeeNumber: participant_id}\n"
        "tables:\n"
        "  participants:\n"
        "    file: people.csv\n"
        "    date_format: '%d/%m/%Y'\n"
        "    columns: {InProgram: mentored}\n"
        "    values: {mentored: {'Yes': true, 'No': false}}\n"
        "  outcomes:\n"
        "    columns: {Attrition: exited}\n"
        "    values: {exited: {Yes: true, No: false}}\n")   # unquoted: YAML booleans, still matched
    data = load(prog, mapping)
    assert data.report.ok, data.report.lines()
    assert data.participants["mentored"].sum() == (p["InProgram"] == "Yes").sum()
    assert data.outcomes["exited"].sum() == (o["Attrition"] == "Yes").sum()
    assert data.participants["hire_date"].iloc[0] == pd.to_datetime(p["hire_date"].iloc[0], format="%d/%m/%Y")
    assert_balanced(data)


def test_mapping_pseudonymises_ids_consistently(prog, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mapping = {"pseudonymise": ["participant_id", "mentor_id", "mentee_id", "sponsor_id"]}
    monkeypatch.delenv("MENTORKIT_SALT", raising=False)
    with pytest.raises(MentorkitError, match="MENTORKIT_SALT"):
        load(prog, mapping)
    monkeypatch.setenv("MENTORKIT_SALT", "test-salt-0123456789")
    data = load(prog, mapping)
    assert data.report.ok
    raw = pd.read_csv(prog / "participants.csv", dtype=str)
    assert not data.participants["participant_id"].isin(raw["participant_id"]).any()
    assert data.pairs["mentee_id"].isin(data.participants["participant_id"]).all()
    import hashlib
    import hmac
    expect = "P" + hmac.new(b"test-salt-0123456789", raw.loc[0, "participant_id"].encode(),
                            hashlib.sha256).hexdigest()[:12]
    assert data.participants.loc[0, "participant_id"] == expect


@pytest.mark.parametrize("text, match", [
    ("colums: {}\n", r"unknown key\(s\) \['colums'\]"),
    ("tables: {people: {file: x.csv}}\n", "tables.people: unknown table"),
    ("tables: {pairs: {fil: x.csv}}\n", r"tables.pairs: unknown key\(s\) \['fil'\]"),
    ("columns: [a, b]\n", "columns must be a mapping"),
    ("columns: {a: b\n", "not valid YAML"),
    ("item_ranges: {'eng_*': [5, 1]}\n", "low <= high"),
])
def test_bad_mapping_files_name_file_and_key(prog, tmp_path, text, match):
    m = tmp_path / "mapping.yaml"
    m.write_text(text)
    with pytest.raises(MentorkitError, match=match) as exc:
        load(prog, m)
    assert str(m) in str(exc.value)


def test_mapping_item_ranges_and_defaults(prog, tmp_path):
    s = pd.read_csv(prog / "surveys.csv", dtype=str)
    extra = s.iloc[:2].copy()
    extra["item"] = "eng_1"
    extra["value"] = ["4", "6"]
    pd.concat([s, extra]).to_csv(prog / "surveys.csv", index=False)
    pd.read_csv(prog / "sessions.csv", dtype=str).drop(columns=["channel"]).to_csv(prog / "sessions.csv", index=False)
    data = load(prog, {"item_ranges": {"eng_*": [1, 5]}, "tables": {"sessions": {"defaults": {"channel": "video"}}}})
    assert f"surveys.csv:{len(s) + 3}:value: value 6 is out of range 1-5 for item eng_1" in lines_of(data.report)
    assert data.report.rows_quarantined["surveys"] == 1
    assert (data.sessions["channel"] == "video").all()


# ------------------------------------------------------------------ unreadable paths

def test_unreadable_paths_raise_clear_errors(tmp_path):
    with pytest.raises(MentorkitError, match="no such folder"):
        load(tmp_path / "missing")
    (tmp_path / "file.csv").write_text("a\n1\n")
    with pytest.raises(MentorkitError, match="not a folder"):
        load(tmp_path / "file.csv")
    with pytest.raises(MentorkitError, match="no program data files found"):
        load(tmp_path)


def test_missing_table_file_is_a_problem_not_a_crash(prog):
    (prog / "goals.csv").unlink()
    data = load(prog)
    assert any(line.startswith("goals.csv:-:-: no file for table goals") for line in lines_of(data.report))
    assert len(data.goals) == 0 and data.report.rows_read["goals"] == 0


# ------------------------------------------------------------------ the counts always add up

@pytest.mark.parametrize("seed", range(6))
def test_counts_add_up_under_random_corruption(prog, seed):
    rng = np.random.default_rng(seed)
    junk = ["", "  ", "x", "-1", "99999", "2021-02-30", "=1+1", "P000", "True", "nan", "1e400"]
    broken_rows = {}
    for table in ("participants", "pairs", "sessions", "surveys", "outcomes", "messages"):
        df = pd.read_csv(prog / f"{table}.csv", dtype=str, keep_default_na=False)
        rows = rng.choice(len(df), size=min(5, len(df)), replace=False)
        for r in rows:
            df.iat[int(r), int(rng.integers(df.shape[1]))] = str(rng.choice(junk))
        df.to_csv(prog / f"{table}.csv", index=False)
        broken_rows[table] = len(df)
    data = load(prog)
    assert_balanced(data, prog)
    for table, n in broken_rows.items():
        assert data.report.rows_read[table] == n


def test_overview_groups_problems(prog):
    for i in (1, 4, 9):
        set_cell(prog / "surveys.csv", i, "value", "lots")
    set_cell(prog / "goals.csv", 0, "status", "done")
    ov = load(prog).report.overview()
    top = ov.iloc[0]
    assert (top["file"], top["column"], top["problems"], top["first_row"]) == ("surveys.csv", "value", 3, 3)
    assert ov["problems"].sum() == 4


def test_semicolon_and_tab_separated_files(prog):
    df = pd.read_csv(prog / "pairs.csv", dtype=str, keep_default_na=False)
    df.to_csv(prog / "pairs.csv", sep=";", index=False)
    goals = pd.read_csv(prog / "goals.csv", dtype=str, keep_default_na=False)
    goals.to_csv(prog / "goals.tsv", sep="\t", index=False)
    (prog / "goals.csv").unlink()
    data = load(prog)
    assert data.report.ok, data.report.lines()
    assert len(data.pairs) == len(df) and len(data.goals) == len(goals)


def test_corrupt_excel_file_is_a_problem(prog):
    (prog / "pairs.csv").unlink()
    (prog / "pairs.xlsx").write_bytes(b"this is not a workbook")
    data = load(prog)
    assert any(line.startswith("pairs.xlsx:-:-: cannot read the file as Excel") for line in lines_of(data.report))
    assert data.report.rows_read["pairs"] == 0 and data.report.balanced


def test_to_folder_round_trip(clean_dir, tmp_path):
    data = load(clean_dir)
    data.to_folder(tmp_path / "copy")
    again = load(tmp_path / "copy")
    assert again.report.ok and again.truth == data.truth
    for t in TABLE_ORDER:
        pd.testing.assert_frame_equal(getattr(data, t), getattr(again, t))


# ------------------------------------------------------------- unreadable files (issue 13 item 6)

def _cannot_read(data, file: str) -> list[str]:
    return [line for line in lines_of(data.report) if line.startswith(f"{file}:") and "cannot read" in line]


@pytest.mark.parametrize("damage, why", [
    ("garbage", "it is not a text file"),
    ("big_cell", "longer than 4 MiB"),
    ("long_line", "longer than 4 MiB"),
])
def test_an_unreadable_file_is_one_line_and_the_other_tables_load(prog, damage, why):
    import os

    p = prog / "comments.csv"
    if damage == "garbage":
        p.write_bytes(os.urandom(300_000))
    elif damage == "big_cell":
        lines = read_lines(p)
        lines[1] = lines[1].rsplit(",", 1)[0] + ',"' + "x" * (8 << 20) + '"'
        write_lines(p, lines)
    else:
        p.write_text(p.read_text(encoding="utf-8") + "a" * (50 << 20) + "\n", encoding="utf-8")
    data = load(prog)
    found = _cannot_read(data, "comments.csv")
    assert len(found) == 1 and why in found[0] and "Traceback" not in found[0], lines_of(data.report)
    assert "internal error" not in " ".join(lines_of(data.report))
    assert len(data.comments) == 0
    assert len(data.sessions) == data_rows(prog / "sessions.csv") and len(data.participants) > 0


def test_old_mac_line_ends_read(prog):
    p = prog / "sessions.csv"
    n = data_rows(p)
    p.write_bytes(p.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    data = load(prog)
    assert len(data.sessions) == n
    assert any("CR-only" in line for line in lines_of(data.report))


def test_a_header_wider_than_64_kb_is_read_whole(prog):
    p = prog / "goals.csv"
    with open(p, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    extra = [f"extra_column_number_{i}" for i in range(6000)]           # a header of about 150 KB
    rows = [rows[0] + extra] + [r + [""] * len(extra) for r in rows[1:]]
    with open(p, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert len(rows[0][-1]) and sum(len(x) + 1 for x in rows[0]) > 1 << 16
    data = load(prog)
    assert len(data.goals) == len(rows) - 1
    assert not any("cells but the header has" in line for line in lines_of(data.report))


def test_a_file_cut_inside_quotes_is_reported(prog):
    p = prog / "comments.csv"
    lines = read_lines(p)
    while lines and not lines[-1]:
        lines.pop()
    n = len(lines) - 1
    first = lines[-1].split(",")
    lines[-1] = ",".join(first[:2]) + ',"a comment, cut off in the mid'
    write_lines(p, lines)
    data = load(prog)
    hits = [line for line in lines_of(data.report) if "ends inside a quoted field" in line]
    assert hits and hits[0].startswith(f"comments.csv:{n + 1}:")
    assert len(data.comments) == n - 1


def test_many_duplicates_share_messages_and_the_quarantine_is_written_in_parts(prog, monkeypatch):
    """Rejected rows are kept as row numbers and reasons and the quarantine file is written a few rows
    at a time; the file is the same as the whole frame, in row order, with every rejected row once."""
    from mentorkit.program.loading import quarantine as qmod

    lines = read_lines(prog / "participants.csv")
    header, body = lines[0], [x for x in lines[1:] if x]
    grown = body + body[:5] * 4                               # 20 repeats of 5 ids
    grown.insert(7, grown[7] + ",surplus")                    # an unsplittable line between them
    write_lines(prog / "participants.csv", [header] + grown)
    set_cell(prog / "participants.csv", len(body) + 2, "hire_date", "soon")   # a repeat with two errors
    set_cell(prog / "participants.csv", len(body) + 2, "tenure_years", "many")
    made = []
    real = qmod._Quarantine.frames
    monkeypatch.setattr(qmod._Quarantine, "frames", lambda self, chunk=3: made.append(self) or real(self, chunk))
    data = load(prog)
    dup = data.report.frame[data.report.frame["message"].str.startswith("duplicate", na=False)]
    assert len(dup) == 19                                     # the repeat with bad cells is out already
    assert dup["message"].nunique() == 5
    assert len({id(m) for m in dup["message"]}) == 5          # one string per duplicated id, shared by its repeats
    q = quarantine(prog, "participants")
    whole = made[0].frame()
    assert len(q) == len(whole) == 21
    assert q["source_row"].tolist() == [str(r) for r in whole["source_row"]]
    assert q["source_row"].astype(int).is_monotonic_increasing
    assert q.loc[q["raw_line"] != "", "raw_line"].str.endswith(",surplus").tolist() == [True]
    both = q.set_index("source_row").loc[str(len(body) + 4), "reasons"]
    assert both.startswith("hire_date: 'soon' is not a valid date") and both.endswith("; tenure_years: 'many' is not a number")
    assert_balanced(data, prog)
