"""The nudge outbox and mentor load, on a small program worked out by hand, sent to a real SMTP server.

The program, as of Tuesday 31 March 2026 (London and Berlin on summer time since 29 March,
New York since 8 March):

* A (m1 New York, e1 London), weekly, last attended session 2 February: ``no_session`` to
  the mentor, stage stalled (57 days). Three of m1's four messages this month reached e1
  on a weekend or at night (outside_hours).
* B (m2 Tokyo, e2 Kolkata), async, started 16 March: the mentee's last message was 17 March,
  ``silent_mentee`` to the mentee (14 days), stage kickoff; m2 answered her three messages
  after 72, 48 and 72 hours (slow_replies, median 72 h).
* C (m1 New York, e3 Berlin), ends 20 April: a goal blocked since 2 March
  (``goal_blocked`` to the mentor, 29 days) and a message from the mentor unanswered since
  25 March (``unanswered_message`` to the mentee); stage closing.
* D (m2, e4) ended in February: never nudged.
"""
from __future__ import annotations

import email
import socket
from datetime import datetime, timedelta, timezone
from email import policy
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import WorkingHours
from mentorkit.manage.load import mentor_load
from mentorkit.manage.outbox import draft_nudges, parse_smtp_url, starters
from mentorkit.manage.roster import RosterStore

D = pd.Timestamp
UTC = timezone.utc
NOW = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)
AS_OF = D("2026-03-31")
SENDER = "programme@example.org"


@pytest.fixture()
def program():
    participants = pd.DataFrame({
        "participant_id": ["m1", "m2", "e1", "e2", "e3", "e4"],
        "role": ["mentor", "mentor", "mentee", "mentee", "mentee", "mentee"],
        "timezone": ["America/New_York", "Asia/Tokyo", "Europe/London", "Asia/Kolkata", "Europe/Berlin",
                     "America/Sao_Paulo"],
        "capacity": [float("nan")] * 6,
    })
    pairs = pd.DataFrame({
        "pair_id": ["A", "B", "C", "D"], "mentor_id": ["m1", "m2", "m1", "m2"], "mentee_id": ["e1", "e2", "e3", "e4"],
        "model": ["one-to-one", "async", "one-to-one", "one-to-one"],
        "cadence": ["weekly", "weekly", "biweekly", "monthly"],
        "start_date": [D("2026-01-05"), D("2026-03-16"), D("2026-01-05"), D("2025-10-06")],
        "end_date": [pd.NaT, pd.NaT, D("2026-04-20"), D("2026-02-27")],
    })
    sessions = pd.DataFrame({
        "pair_id": ["A", "A", "C", "C", "D"],
        "date": [D("2026-01-19"), D("2026-02-02"), D("2026-03-09"), D("2026-03-23"), D("2026-02-20")],
        "attended": [True, True, True, True, True],
        "channel": ["video", "video", "phone", "video", "video"],
    })
    goals = pd.DataFrame({
        "pair_id": ["A", "C", "C", "C", "C"], "goal": ["Lead a retro", "Ship the pricing memo"] + ["Ship the pricing memo"] * 2 + ["Present <b>Q2</b>"],
        "status": ["on track", "blocked", "blocked", "blocked", "on track"],
        "done_date": [pd.NaT] * 5,
        "as_of": [D("2026-03-02"), D("2026-03-02"), D("2026-03-16"), D("2026-03-30"), D("2026-03-30")],
    })
    messages = pd.DataFrame({
        "pair_id": ["A", "A", "A", "A", "B", "B", "B", "C"],
        "sent_at": [D("2026-03-21 12:00"), D("2026-03-22 12:00"), D("2026-03-24 22:00"), D("2026-03-25 10:00"),
                    D("2026-03-16 09:00"), D("2026-03-16 12:00"), D("2026-03-17 08:00"), D("2026-03-25 10:00")],
        "replied_at": [D("2026-03-23 10:00"), D("2026-03-23 10:00"), D("2026-03-25 10:00"), D("2026-03-25 12:00"),
                       D("2026-03-19 09:00"), D("2026-03-18 12:00"), D("2026-03-20 08:00"), pd.NaT],
        "sender": ["mentor", "mentor", "mentor", "mentor", "mentee", "mentee", "mentee", "mentor"],
    })
    return SimpleNamespace(participants=participants, pairs=pairs, sessions=sessions, goals=goals, messages=messages)


@pytest.fixture()
def store(tmp_path):
    s = RosterStore(tmp_path / "roster.sqlite")
    s.upsert(pd.DataFrame({
        "participant_id": ["m1", "m2", "e1", "e2", "e3"],
        "name": ["Dana Reyes", "Kenji Mori", "Sam Okoro", "Priya Nair", "Lena Vogel"],
        "email": ["dana@example.org", "kenji@example.org", "sam@example.org", "priya@example.org", "lena@example.org"],
        "chat_handle": [""] * 5,
        "timezone": ["America/New_York", "Asia/Tokyo", "Europe/London", "Asia/Kolkata", "Europe/Berlin"],
        "working_hours": ["", "", "", "", "Tue 14:00-16:00; Thu 09:00-12:00"],
    }))
    return s


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self, refuse: str = "refused@example.org"):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture()
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{controller.port}", inbox
    finally:
        controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _drafts(program, store, **kw):
    return draft_nudges(program, store, as_of=AS_OF, now=NOW, **kw)


def test_a_draft_per_flagged_pair_to_the_right_person(program, store):
    ob = _drafts(program, store)
    got = ob.drafts.set_index(["pair_id", "rule"])[["recipient_id", "stage", "to_email"]].sort_index()
    assert got.to_dict("index") == {
        ("A", "no_session"): {"recipient_id": "m1", "stage": "stalled", "to_email": "dana@example.org"},
        ("B", "silent_mentee"): {"recipient_id": "e2", "stage": "kickoff", "to_email": "priya@example.org"},
        ("C", "goal_blocked"): {"recipient_id": "m1", "stage": "closing", "to_email": "dana@example.org"},
        ("C", "unanswered_message"): {"recipient_id": "e3", "stage": "closing", "to_email": "lena@example.org"},
    }
    a = ob.drafts.set_index("rule").loc["no_session"]
    assert a["body"].startswith("Hi Dana,")
    assert "Sam Okoro" in a["body"] and "57 days" in a["reason"]
    assert a["starter"] in starters()["stalled"]["mentor"] and a["starter"] in a["body"]
    b = ob.drafts.set_index("rule").loc["silent_mentee"]
    assert "14 days" in b["reason"] and b["slot_1"] == "" and b["starter"] in starters()["kickoff"]["mentee"]
    assert not ob.drafts["problem"].any()


def test_meeting_nudges_carry_two_slots_inside_both_peoples_hours(program, store):
    ob = _drafts(program, store)
    a = ob.drafts.set_index("rule").loc["no_session"]
    # from 1 April both New York (EDT, 13-21 UTC) and London (BST, 08-16 UTC) are on summer time
    assert (a["slot_1"], a["slot_2"]) == ("2026-04-01T13:00:00+00:00", "2026-04-02T13:00:00+00:00")
    assert "Wed 01 Apr 09:00 (EDT) your time, Wed 01 Apr 14:00 (BST) for Sam Okoro" in a["body"]
    # Lena works Tue 14-16 and Thu 09-12 in Berlin (CEST): Tue 12-14 UTC meets New York's 13:00
    c = ob.drafts.set_index("rule").loc["goal_blocked"]
    assert (c["slot_1"], c["slot_2"]) == ("2026-04-07T13:00:00+00:00", "2026-04-14T13:00:00+00:00")
    for slot in (c["slot_1"], c["slot_2"]):
        start = datetime.fromisoformat(slot)
        berlin = start.astimezone(ZoneInfo("Europe/Berlin"))
        assert WorkingHours.parse("Tue 14:00-16:00").contains(berlin.weekday(), berlin.hour * 60 + berlin.minute)
        assert WorkingHours.parse("Tue 14:00-16:00").contains(berlin.weekday(), berlin.hour * 60 + berlin.minute + 44)


def test_send_over_a_real_smtp_server_logs_and_starts_the_quiet_period(program, store, smtp_server):
    url, inbox = smtp_server
    ob = _drafts(program, store)
    first = ob.drafts["draft_id"].iloc[0]
    ob.edit(first, subject="Edited subject", body="Edited body, kept as written.")
    results = ob.send(store, url, sender=SENDER)
    assert results["status"].tolist() == ["sent"] * 4
    assert len(inbox.messages) == 4
    got = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert set(got) == {"dana@example.org", "priya@example.org", "lena@example.org"}
    edited = [m for m in inbox.messages if m["Subject"] == "Edited subject"]
    assert len(edited) == 1 and edited[0].get_content().strip() == "Edited body, kept as written."
    assert all(m["From"] == SENDER and m["X-Mentorkit-Pair"] in {"A", "B", "C"} for m in inbox.messages)
    log = store.sent()
    assert len(log) == 4 and set(log["channel"]) == {"smtp"}
    assert set(log["message_id"]) == {m["Message-ID"] for m in inbox.messages}
    assert ob.drafts.empty
    # within the quiet period nothing is drafted again; after it, everything is
    again = draft_nudges(program, store, as_of=AS_OF, now=datetime.now(UTC) + timedelta(days=3))
    assert again.drafts.empty and len(again.held) == 4
    assert set(again.held["days_since_nudge"]) == {3}
    later = draft_nudges(program, store, as_of=AS_OF, now=datetime.now(UTC) + timedelta(days=8))
    assert len(later.drafts) == 4
    shorter = draft_nudges(program, store, as_of=AS_OF, now=datetime.now(UTC) + timedelta(days=3), quiet_days=2)
    assert len(shorter.drafts) == 4


def test_bad_addresses_and_refusals_are_reported_per_message_and_not_logged(program, store, smtp_server):
    url, inbox = smtp_server
    ob = _drafts(program, store)
    ids = ob.drafts["draft_id"].tolist()
    ob.edit(ids[0], to_email="not an address")
    ob.edit(ids[1], to_email="refused@example.org")
    results = ob.send(store, url, sender=SENDER).set_index("draft_id")
    assert results.loc[ids[0], "status"] == "failed" and "invalid address" in results.loc[ids[0], "detail"]
    assert results.loc[ids[1], "status"] == "failed"
    assert "550" in results.loc[ids[1], "detail"] and "no such mailbox" in results.loc[ids[1], "detail"]
    assert (results.loc[ids[2:], "status"] == "sent").all()
    assert len(inbox.messages) == 2
    assert sorted(store.sent()["recipient_email"]) == sorted(results.loc[ids[2:], "to_email"])
    assert ob.drafts["draft_id"].tolist() == ids[:2]            # the failed ones stay in the outbox


def test_unreachable_server_marks_nothing_sent(program, store):
    port = _free_port()                            # closed again: nothing listens there
    ob = _drafts(program, store)
    results = ob.send(store, f"smtp://127.0.0.1:{port}", sender=SENDER, timeout=3)
    assert (results["status"] == "failed").all() and len(results) == 4
    assert results["detail"].str.contains(f"mail server 127.0.0.1:{port} unreachable").all()
    assert store.sent().empty and len(ob.drafts) == 4


def test_configuration_problems_are_clear(program, store, monkeypatch):
    ob = _drafts(program, store)
    monkeypatch.delenv("MENTORKIT_SMTP_URL", raising=False)
    with pytest.raises(MentorkitError, match="no mail server configured"):
        ob.send(store, sender=SENDER)
    with pytest.raises(MentorkitError, match="smtp:// or smtps://"):
        parse_smtp_url("http://mail.example.org")
    with pytest.raises(MentorkitError, match="no draft"):
        ob.edit("N999999", body="x")
    with pytest.raises(MentorkitError, match="cannot be empty"):
        ob.edit(ob.drafts["draft_id"].iloc[0], body=" ")


def test_missing_roster_entry_is_a_problem_not_a_send(program, store, smtp_server):
    url, inbox = smtp_server
    d_row = program.pairs["pair_id"] == "D"
    program.pairs.loc[d_row, "end_date"] = pd.NaT                # D active again, with a mentor not in the roster
    program.pairs.loc[d_row, "mentor_id"] = "m9"
    ob = _drafts(program, store)
    d = ob.drafts[ob.drafts["pair_id"] == "D"]
    assert len(d) == 1 and d["problem"].str.contains("m9 is not in the roster").all()
    results = ob.send(store, url, sender=SENDER).set_index("pair_id")
    assert (results.loc[["D"], "status"] == "failed").all()
    assert "D" not in set(store.sent()["pair_id"])


def test_export_eml_and_mail_merge(program, store, tmp_path):
    ob = _drafts(program, store)
    ob.edit(ob.drafts["draft_id"].iloc[0], to_email="broken@")
    paths = ob.export(tmp_path / "out", sender=SENDER)
    files = sorted(paths["eml"].glob("*.eml"))
    assert len(files) == 3
    parsed = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert {m["To"].addresses[0].addr_spec for m in parsed} <= {"dana@example.org", "priya@example.org",
                                                                "lena@example.org"}
    merge = pd.read_csv(paths["mail_merge"], keep_default_na=False)
    assert len(merge) == 3 and {"to_name", "to_email", "subject", "body", "slot_1"} <= set(merge.columns)
    assert pd.read_csv(paths["not_exported"])["reason"].str.contains("invalid address").all()
    assert store.sent().empty                       # exporting is not sending
    n = ob.record_sent(store, merge["draft_id"])
    assert n == 3 and set(store.sent()["channel"]) == {"eml"}


def test_mentor_load_flags_each_rule(program, store):
    flags = mentor_load(program, store.contacts(), as_of=AS_OF, capacity=1)
    by_rule = {r: f for r, f in flags.groupby("rule")}
    assert set(by_rule) == {"over_capacity", "outside_hours", "slow_replies"}
    # m1 has two active mentees (A, C); m2 one (D has ended)
    assert by_rule["over_capacity"][["mentor_id", "value"]].values.tolist() == [["m1", 2.0]]
    # A: Sat 21 Mar 12:00 and Sun 22 Mar 12:00 UTC are a weekend in London, Tue 24 Mar 22:00 GMT is
    # night. B: e2's messages at 09:00, 12:00 and 08:00 UTC reach Tokyo at 18:00, 21:00 and 17:00 JST,
    # each after m2's working day (09:00-17:00) has ended
    oh = by_rule["outside_hours"]
    assert oh[["mentor_id", "pair_id", "value"]].values.tolist() == [["m1", "A", 3.0], ["m2", "B", 3.0]]
    assert oh["detail"].iloc[0].startswith("3 of 4 messages")
    # replies after 72, 48 and 72 hours: median 72 (statistics.median([72, 48, 72]))
    assert by_rule["slow_replies"][["mentor_id", "value"]].values.tolist() == [["m2", 72.0]]
    default = mentor_load(program, store.contacts(), as_of=AS_OF)
    assert "over_capacity" not in set(default["rule"])
    program.participants.loc[program.participants["participant_id"] == "m1", "capacity"] = 1.0
    own = mentor_load(program, store.contacts(), as_of=AS_OF)
    assert own.loc[own["rule"] == "over_capacity", "detail"].tolist() == ["2 active mentees, capacity 1"]
    # a stricter threshold finds nothing outside hours
    assert "outside_hours" not in set(mentor_load(program, store.contacts(), as_of=AS_OF, outside_min=4)["rule"])
