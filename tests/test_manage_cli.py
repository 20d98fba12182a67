"""`mentorkit roster | plan | nudges`: exit codes, one-line errors, files that read back."""
from __future__ import annotations

import email
import socket
from email import policy

import icalendar
import pandas as pd
import pytest
from aiosmtpd.controller import Controller

import mentorkit.datasets as ds
from mentorkit.cli import main
from mentorkit.manage.roster import RosterStore, simulate_roster

AS_OF = "2022-09-01"      # cohorts 1-5 of the sample are running


def run(capsys, *argv):
    code = main(list(argv))
    cap = capsys.readouterr()
    return code, cap.out, cap.err


@pytest.fixture(scope="module")
def roster_file(tmp_path_factory):
    data = ds.load("program_sample")
    r = simulate_roster(data, seed=9)
    r.loc[4, "email"] = "broken@"
    r.loc[7, "timezone"] = "Atlantis/Capital"
    path = tmp_path_factory.mktemp("export") / "staff.csv"
    r.to_csv(path, index=False)
    return path, r


@pytest.fixture()
def db(tmp_path, roster_file, capsys):
    url = f"sqlite:///{tmp_path / 'roster.sqlite'}"
    code, out, err = run(capsys, "roster", str(roster_file[0]), "--db", url, "--program", "program_sample")
    assert code == 1, err                                   # two rows have problems
    assert f"{roster_file[0]}:6:email:" in out and f"{roster_file[0]}:9:timezone:" in out
    assert f"{len(roster_file[1])} row(s) read: {len(roster_file[1]) - 2} valid, 2 rejected" in out
    return url


def test_plan_writes_a_calendar_that_reads_back(db, tmp_path, capsys):
    pairs = ds.load("program_sample").pairs
    ids = pairs.loc[pairs["model"] == "one-to-one", "pair_id"].head(3).tolist()
    out_file = tmp_path / "schedule.ics"
    code, out, err = run(capsys, "plan", "program_sample", *[a for p in ids for a in ("--pair", p)],
                         "--roster", db, "--out", str(out_file))
    assert code == 0, err
    cal = icalendar.Calendar.from_ical(out_file.read_bytes())
    events = list(cal.walk("VEVENT"))
    n = int(out.strip().splitlines()[-1].split()[1])
    assert n == len(events) > 0 and f"for {len(ids)} pair(s)" in out
    assert {str(e["SUMMARY"]).split("(")[1].rstrip(")") for e in events} <= set(ids)
    assert {str(e["DTSTART"].params["TZID"]) for e in events} <= {str(z["TZID"]) for z in cal.walk("VTIMEZONE")}


def test_plan_errors_are_one_line(db, tmp_path, capsys):
    code, out, err = run(capsys, "plan", "program_sample", "--pair", "R-none", "--roster", db,
                         "--out", str(tmp_path / "x.ics"))
    assert code == 2 and "pair id(s) not in the program: R-none" in err and "Traceback" not in err
    code, out, err = run(capsys, "plan", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x.ics"))
    assert code == 2 and "no such folder" in err


def test_nudges_export_then_send_then_quiet(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MENTORKIT_NUDGE_FROM", "programme@example.org")
    code, out, err = run(capsys, "nudges", "program_sample", "--roster", db, "--as-of", AS_OF,
                         "--export", str(tmp_path / "out"))
    emls = sorted((tmp_path / "out" / "eml").glob("*.eml"))
    merge = pd.read_csv(tmp_path / "out" / "mail_merge.csv", keep_default_na=False)
    assert len(emls) == len(merge) > 0
    assert code == (1 if (tmp_path / "out" / "not_exported.csv").exists() else 0)
    first = email.message_from_bytes(emls[0].read_bytes(), policy=policy.default)
    assert first["From"] == "programme@example.org" and first["Subject"]
    # send to a real local SMTP server
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope.rcpt_tos[0])
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("MENTORKIT_SMTP_URL", f"smtp://127.0.0.1:{port}")
        code, out, err = run(capsys, "nudges", "program_sample", "--roster", db, "--as-of", AS_OF, "--send")
    finally:
        controller.stop()
    sent = RosterStore(db).sent()
    assert len(received) == len(sent) > 0
    assert f"sent {len(sent)} of" in out
    assert sorted(received) == sorted(sent["recipient_email"])
    # everything sent is now in its quiet period
    code, out, err = run(capsys, "nudges", "program_sample", "--roster", db, "--as-of", AS_OF)
    assert code == 0 and f"{len(sent)} nudge(s) held back by the quiet period" in out


def test_nudges_without_a_sender_stop_before_any_work(db, capsys, monkeypatch):
    monkeypatch.delenv("MENTORKIT_NUDGE_FROM", raising=False)
    code, out, err = run(capsys, "nudges", "program_sample", "--roster", db, "--send")
    assert code == 2 and "MENTORKIT_NUDGE_FROM" in err and out == ""
