"""The roster: reading the organisation's export, every problem by file/row/column, the store."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

import mentorkit.datasets as ds
from mentorkit.errors import MentorkitError
from mentorkit.manage.roster import ROSTER_COLUMNS, RosterStore, read_export, simulate_roster

EXPORT = """Employee ID,Full Name,E-mail address,Slack,Time zone,Availability,Department
P1,Ana Kovac,ana.kovac@example.org,@ana.k,Europe/Zagreb,Mon-Fri 08:00-16:00,Finance
P2,Bilal Haddad,bilal@example,@bilal,Asia/Dubai,,Sales
P3,,chiara@example.org,,Europe/Rome,Tue 14:00-16:00,Legal
P4,Dmitri Volkov,dmitri@example.org,,Mars/Olympus,Mon-Fri 09:00-17:00,IT
P1,Ana Again,ana2@example.org,,Europe/Zagreb,,Finance
P5,Efua Mensah,efua@example.org,@efua,Africa/Accra,Mon-Fri 17:00-09:00,Ops
P6,Farah Rahimi,farah rahimi@example.org,,Asia/Kabul,thursday 9:00-12:00,HR
P7,Goran Petrovic,goran@example.org,,Europe/Belgrade,,IT
"""


@pytest.fixture()
def export(tmp_path):
    p = tmp_path / "staff.csv"
    p.write_text(EXPORT, encoding="utf-8")
    return p


def test_export_rows_checked_and_reported_by_row_and_column(export):
    r = read_export(export)
    assert r.rows_read == 8 == len(r.contacts) + len(r.rejected)
    assert r.contacts["participant_id"].tolist() == ["P1", "P7"]
    assert r.contacts.columns.tolist() == ROSTER_COLUMNS
    assert r.contacts.set_index("participant_id").at["P1", "chat_handle"] == "@ana.k"
    assert r.contacts.set_index("participant_id").at["P1", "working_hours"] == "Mon-Fri 08:00-16:00"
    where = {(p.row, p.column) for p in r.problems}
    assert where == {(3, "email"), (4, "name"), (5, "timezone"), (6, "participant_id"), (7, "working_hours"),
                     (8, "email")}
    msgs = {str(p) for p in r.problems}
    assert f"{export}:3:email: 'bilal@example' is not an e-mail address: the domain has no dot" in msgs
    assert any("'Mars/Olympus' is not an IANA time zone" in m for m in msgs)
    assert any(":6:participant_id: 'P1' appears again (first on row 2)" in m for m in msgs)
    assert any("ends before it starts" in m for m in msgs)
    assert any("needs one @ and no spaces" in m for m in msgs)
    # rejected rows are kept whole, with the row number and the reasons
    assert r.rejected["row"].tolist() == [3, 4, 5, 6, 7, 8]
    assert r.rejected.set_index("row").at[4, "reason"] == "name: empty"
    assert "Department" in r.rejected.columns
    assert "6 rejected" in r.report().splitlines()[0]


def test_known_ids_and_explicit_column_names(tmp_path):
    p = tmp_path / "hr.csv"
    p.write_text("Worker,Display,Addr,Zone\nP1,Ana,ana@example.org,UTC\nQ9,Zed,zed@example.org,UTC\n")
    r = read_export(p, columns={"Worker": "participant_id", "Display": "name", "Addr": "email"},
                    known_ids={"P1"})
    assert r.contacts["participant_id"].tolist() == ["P1"]
    assert [(x.row, x.column) for x in r.problems] == [(3, "participant_id")]
    assert "not a participant of this program" in r.problems[0].message


def test_missing_columns_reject_every_row(tmp_path):
    p = tmp_path / "hr.csv"
    p.write_text("id,name\nP1,Ana\nP2,Bo\n")
    r = read_export(p)
    assert r.contacts.empty and len(r.rejected) == 2 == r.rows_read
    assert {(x.row, x.column) for x in r.problems} == {(1, "email"), (1, "timezone")}


def test_unreadable_exports_get_one_clear_error(tmp_path):
    with pytest.raises(MentorkitError, match="roster export not found"):
        read_export(tmp_path / "nope.csv")
    (tmp_path / "latin.csv").write_bytes("participant_id,name,email,timezone\nP1,Jos\xe9,j@example.org,UTC\n"
                                         .encode("latin-1"))
    with pytest.raises(MentorkitError, match="not UTF-8"):
        read_export(tmp_path / "latin.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(MentorkitError, match="empty"):
        read_export(tmp_path / "empty.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(MentorkitError, match="unsupported file type"):
        read_export(tmp_path / "x.json")


def test_excel_export(tmp_path):
    p = tmp_path / "staff.xlsx"
    pd.DataFrame({"participant_id": ["P1"], "name": ["Ana"], "email": ["ana@example.org"],
                  "timezone": ["Europe/Zagreb"]}).to_excel(p, index=False)
    assert read_export(p).contacts["name"].tolist() == ["Ana"]


def test_store_imports_replaces_and_logs(export, tmp_path):
    store = RosterStore(tmp_path / "roster.sqlite")
    r = store.import_export(export)
    assert len(store) == 2
    assert store.contacts(["P7"])["name"].tolist() == ["Goran Petrovic"]
    # a later export replaces the person, not duplicates them
    again = tmp_path / "again.csv"
    again.write_text("participant_id,name,email,timezone\nP7,Goran P.,goran.p@example.org,Europe/Belgrade\n")
    store.import_export(again)
    assert len(store) == 2
    assert store.contacts(["P7"])[["name", "email"]].values.tolist() == [["Goran P.", "goran.p@example.org"]]
    # the same URL opened again (another kernel) sees the same rows
    other = RosterStore(f"sqlite:///{tmp_path / 'roster.sqlite'}")
    assert other.contacts()["participant_id"].tolist() == ["P1", "P7"]
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    store.log_sent([{"pair_id": "R1", "rule": "no_session", "recipient_id": "P1", "recipient_email": "a@example.org",
                     "subject": "s", "channel": "smtp", "message_id": "<1@x>", "sent_at": t0},
                    {"pair_id": "R1", "rule": "no_session", "recipient_id": "P1", "recipient_email": "a@example.org",
                     "subject": "s", "channel": "smtp", "message_id": "<2@x>", "sent_at": t0 + timedelta(days=2)}])
    assert other.last_nudged().to_dict() == {"R1": pd.Timestamp(t0 + timedelta(days=2))}
    assert len(r.problems) == 6


def test_store_url_errors_are_clear():
    with pytest.raises(MentorkitError, match="roster: cannot open nota://"):
        RosterStore("nota://")


def test_simulated_roster_covers_mentors_and_mentees_and_reads_back(tmp_path):
    data = ds.load("program_sample")
    roster = simulate_roster(data, seed=3)
    people = data.participants[data.participants["role"].isin(["mentor", "mentee"])]
    assert sorted(roster["participant_id"]) == sorted(people["participant_id"])
    assert roster.equals(simulate_roster(data, seed=3))
    path = tmp_path / "roster.csv"
    roster.to_csv(path, index=False)
    back = read_export(path, known_ids=data.participants["participant_id"])
    assert back.ok and len(back.contacts) == len(roster)
    # contact details never enter the analysis frames
    for frame in (data.participants, data.pairs, data.messages):
        assert not {"name", "email", "chat_handle", "working_hours"} & set(frame.columns)
