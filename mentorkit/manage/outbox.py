"""The nudge outbox: a draft message for every pair that needs a nudge, to the right person.

From the nudge rules of :func:`mentorkit.analysis.engagement.nudges` plus one of its own:

==================  ==============  =====================================================
rule                goes to         what it asks for
==================  ==============  =====================================================
``no_session``      the mentor      to set the next meeting (two suggested slots)
``goal_blocked``    the mentor      a short call to unblock the goal (two suggested slots)
``unanswered_...``  who owes reply  to answer the lingering message
``silent_mentee``   the mentee      the async weekly update (async pairs only: no message
                                    from the mentee for more than ``async_update_days``)
==================  ==============  =====================================================

Each draft names the reason, carries a conversation starter for the pair's stage (kickoff,
mid, stalled, closing; ``data/starters.yaml``, with its data card) and, for meeting nudges,
two slots inside both people's working hours (:func:`mentorkit.manage.planner.suggest_slots`),
in each person's local time.

The manager reviews the drafts, edits or drops any, and then sends them by SMTP
(:meth:`Outbox.send`, to the ``smtp_url`` setting) or exports them as ``.eml`` files and a
mail-merge CSV (:meth:`Outbox.export`). Every nudge that goes out is logged in the roster
store; a pair nudged within the quiet period (``nudge_quiet_days``, default 7) is held back,
and :attr:`Outbox.held` says when it was last nudged. A message the server refuses, an
invalid address or an unreachable server is reported per message, and only messages the
server accepted are logged as sent.
"""
from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pandas as pd
import yaml

from mentorkit import config
from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import DEFAULT_HOURS, zone
from mentorkit.manage.planner import Person, suggest_slots
from mentorkit.manage.roster import RosterStore, check_email, hours_of

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["Outbox", "draft_nudges", "sender_address", "starters", "stage_of", "parse_smtp_url", "DRAFT_COLUMNS", "RESULT_COLUMNS",
           "STAGES", "MEETING_RULES"]

STAGES = ("kickoff", "mid", "stalled", "closing")
MEETING_RULES = ("no_session", "goal_blocked")
KICKOFF_DAYS = 28
CLOSING_DAYS = 28
STALLED_SESSION_DAYS = 42
STALLED_BLOCKED_DAYS = 28
DRAFT_COLUMNS = ["draft_id", "pair_id", "rule", "stage", "recipient_id", "recipient_role", "other_id", "to_name",
                 "to_email", "subject", "body", "reason", "starter", "slot_1", "slot_2", "problem"]
RESULT_COLUMNS = ["draft_id", "pair_id", "to_email", "status", "detail"]


@lru_cache(maxsize=1)
def starters() -> dict:
    """The conversation starters: ``{stage: {"mentor": [...], "mentee": [...]}}``."""
    raw = yaml.safe_load(resources.files("mentorkit.manage").joinpath("data", "starters.yaml").read_text("utf-8"))
    out = {}
    for stage in STAGES:
        entry = (raw.get("stages") or {}).get(stage)
        if not entry or not entry.get("mentor") or not entry.get("mentee"):
            raise MentorkitError(f"starters.yaml: stage {stage!r} needs starters for mentor and mentee")
        out[stage] = {"mentor": list(entry["mentor"]), "mentee": list(entry["mentee"])}
    return out


def _pick(options: list[str], key: str) -> str:
    return options[int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % len(options)]


def stage_of(engagement: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """The programme stage of each pair (index as *engagement*), by the rules in the data card."""
    start = engagement["start_date"]
    end = engagement["end_date"]
    since_session = (as_of - engagement["last_session"].fillna(start)).dt.days
    blocked = (as_of - engagement["blocked_since"]).dt.days.fillna(0)
    stage = np.where((as_of - start).dt.days <= KICKOFF_DAYS, "kickoff",
                     np.where(end.notna() & ((end - as_of).dt.days <= CLOSING_DAYS), "closing",
                              np.where((since_session >= STALLED_SESSION_DAYS) | (blocked >= STALLED_BLOCKED_DAYS),
                                       "stalled", "mid")))
    return pd.Series(stage, index=engagement.index, name="stage")


def _silent_mentees(data: ProgramData, engagement: pd.DataFrame, as_of: pd.Timestamp, days: float) -> pd.DataFrame:
    act = engagement[engagement["active"] & (engagement["model"] == "async")]
    m = data.messages
    # the async pairs first (one hash pass over the messages), then the cheap tests on what is left
    m = m[m["pair_id"].isin(act["pair_id"].to_numpy())]
    if "sender" in m.columns:
        m = m[(m["sender"] == "mentee") & (m["sent_at"] <= as_of + pd.Timedelta(days=1))]
    last = m.groupby("pair_id")["sent_at"].max()
    since = act["pair_id"].map(last).fillna(act["start_date"])
    gap = (as_of + pd.Timedelta(days=1) - since).dt.days
    hit = gap > days
    f = act.loc[hit, ["pair_id", "mentor_id", "mentee_id"]].assign(
        rule="silent_mentee", threshold=f"{days:g} days", since=since[hit], days=gap[hit].astype(int))
    f["detail"] = "no async update from the mentee for " + f["days"].astype(str) + " days"
    return f


def _owes_reply(data: ProgramData, pairs: pd.Series) -> pd.Series:
    """For each pair, who should answer the oldest unanswered message ("mentor" or "mentee")."""
    m = data.messages
    if "sender" not in m.columns:
        return pd.Series("mentor", index=pairs.index)
    open_ = m[m["replied_at"].isna()]  # few messages are unanswered: test the pairs on those only
    open_ = open_[open_["pair_id"].isin(pairs.to_numpy())].sort_values("sent_at")
    first_sender = open_.groupby("pair_id")["sender"].first()
    owes = pairs.map(first_sender).map({"mentee": "mentor", "mentor": "mentee"}).fillna("mentor")
    return owes


def _first_name(name: str) -> str:
    return str(name).split()[0] if str(name).strip() else "there"


def _local(ts: datetime, tz: str) -> str:
    t = ts.astimezone(zone(tz))
    return f"{t:%a %d %b %H:%M} ({t.tzname()})"


_REASONS = {
    "no_session": "your pair has not met for {days} days ({detail})",
    "goal_blocked": "{detail}",
    "unanswered_message": "{detail}; the oldest has waited {days} days",
    "silent_mentee": "{detail} (the programme asks for one each week)",
}
_ASKS = {
    "no_session": "Could you pick one of these times, or suggest another, and send an invitation?",
    "goal_blocked": "A short call could get it moving again. Could you pick one of these times, or suggest another?",
    "unanswered_message": "Could you reply when you can? A two-line answer is enough to keep things moving.",
    "silent_mentee": "Could you send this week's update? Progress, a challenge and a reflection are plenty.",
}
_SUBJECTS = {
    "no_session": "Time to set your next mentoring call",
    "goal_blocked": "A goal has been blocked for a while",
    "unanswered_message": "A message in your mentoring pair is waiting for a reply",
    "silent_mentee": "Your weekly mentoring update",
}


@dataclass
class Outbox:
    """Drafted nudges, those held back by the quiet period, and what happened when sending."""

    drafts: pd.DataFrame
    held: pd.DataFrame
    as_of: pd.Timestamp
    results: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=RESULT_COLUMNS))

    def __len__(self) -> int:
        return len(self.drafts)

    # ------------------------------------------------------------ review
    def _row(self, draft_id: str) -> int:
        idx = np.flatnonzero(self.drafts["draft_id"].to_numpy() == draft_id)
        if not len(idx):
            raise MentorkitError(f"outbox: no draft {draft_id!r}")
        return int(idx[0])

    def edit(self, draft_id: str, *, subject: str | None = None, body: str | None = None,
             to_email: str | None = None) -> None:
        """Change a draft's subject, body or address before sending."""
        i = self._row(draft_id)
        for col, value in (("subject", subject), ("body", body), ("to_email", to_email)):
            if value is not None:
                if not str(value).strip():
                    raise MentorkitError(f"outbox: draft {draft_id}: the {col.replace('_', ' ')} cannot be empty")
                self.drafts.iat[i, self.drafts.columns.get_loc(col)] = str(value)
        if to_email is not None:
            self.drafts.iat[i, self.drafts.columns.get_loc("problem")] = ""

    def drop(self, draft_id: str) -> None:
        """Take a draft out of the outbox (it is not sent and not logged)."""
        self.drafts = self.drafts.drop(index=self.drafts.index[self._row(draft_id)]).reset_index(drop=True)

    # ------------------------------------------------------------ messages
    def message(self, draft_id: str, *, sender: str | None = None) -> EmailMessage:
        """The e-mail for one draft."""
        r = self.drafts.iloc[self._row(draft_id)]
        return _email(r, sender or sender_address())

    # ------------------------------------------------------------ send
    def send(self, store: RosterStore, smtp_url: str | None = None, *, sender: str | None = None,
             draft_ids=None, timeout: float = 10.0) -> pd.DataFrame:
        """Send drafts by SMTP; log each one the server accepted; return a result per message.

        Parameters
        ----------
        store : RosterStore
            Where sent nudges are logged.
        smtp_url : str, optional
            ``smtp://[user:password@]host[:port]`` (``?starttls=true`` to upgrade),
            ``smtps://...`` for TLS from the start; default the ``smtp_url`` setting.
        sender : str, optional
            The From address; default the ``nudge_from`` setting.
        draft_ids : list, optional
            Only these drafts (default all).

        Returns
        -------
        DataFrame
            ``draft_id, pair_id, to_email, status, detail``: status ``sent`` or ``failed``,
            detail naming what went wrong.
        """
        url = smtp_url or config.get("smtp_url")
        if not url:
            raise MentorkitError("outbox: no mail server configured: set MENTORKIT_SMTP_URL (or smtp_url in "
                                 "mentorkit.toml), or export the drafts as .eml files instead")
        sender = check_email(sender or sender_address())
        target = parse_smtp_url(url)
        todo = self.drafts if draft_ids is None else self.drafts[self.drafts["draft_id"].isin(list(draft_ids))]
        results: list[dict] = []
        ready = []
        for r in todo.itertuples(index=False):
            problem = _problem(r)
            if problem:
                results.append(_result(r, "failed", problem))
            else:
                ready.append(r)
        if ready:
            try:
                client = _connect(target, timeout)
            except (OSError, smtplib.SMTPException) as exc:
                why = f"mail server {target['display']} unreachable: {_why(exc)}"
                results += [_result(r, "failed", why) for r in ready]
                ready = []
            else:
                try:
                    for k, r in enumerate(ready):
                        msg = _email(r, sender)
                        try:
                            refused = client.send_message(msg)
                        except smtplib.SMTPRecipientsRefused as exc:
                            code, text = next(iter(exc.recipients.values()))
                            results.append(_result(r, "failed", f"server refused the address: {code} {_text(text)}"))
                            continue
                        except smtplib.SMTPResponseException as exc:
                            results.append(_result(r, "failed", f"server refused the message: {exc.smtp_code} "
                                                   f"{_text(exc.smtp_error)}"))
                            continue
                        except (smtplib.SMTPServerDisconnected, OSError) as exc:
                            why = f"mail server {target['display']} closed the connection: {_why(exc)}"
                            results += [_result(x, "failed", why) for x in ready[k:]]
                            break
                        if refused:
                            results.append(_result(r, "failed", f"server refused the address: {refused}"))
                            continue
                        store.log_sent([_log_row(r, "smtp", msg["Message-ID"])])
                        results.append(_result(r, "sent", f"accepted by {target['display']}"))
                finally:
                    try:
                        client.quit()
                    except (smtplib.SMTPException, OSError):
                        pass
        out = pd.DataFrame(results, columns=RESULT_COLUMNS)
        self.results = out
        sent_ids = set(out.loc[out["status"] == "sent", "draft_id"])
        self.drafts = self.drafts[~self.drafts["draft_id"].isin(sent_ids)].reset_index(drop=True)
        return out

    # ------------------------------------------------------------ export
    def export(self, folder: str | os.PathLike, *, sender: str | None = None) -> dict[str, Path]:
        """Write one ``.eml`` file per draft and ``mail_merge.csv`` into *folder*.

        Drafts with a problem (no roster entry, invalid address) are left out of the ``.eml``
        files and listed in ``not_exported.csv`` with the reason. Nothing is logged as sent:
        call :meth:`record_sent` once the messages have gone out.
        """
        from mentorkit import privacy
        folder = Path(folder)
        eml = folder / "eml"
        eml.mkdir(parents=True, exist_ok=True)
        sender = check_email(sender or sender_address())
        ok_rows, bad_rows = [], []
        for r in self.drafts.itertuples(index=False):
            problem = _problem(r)
            if problem:
                bad_rows.append({"draft_id": r.draft_id, "pair_id": r.pair_id, "reason": problem})
                continue
            (eml / f"{r.draft_id}.eml").write_bytes(bytes(_email(r, sender)))
            ok_rows.append(r)
        merge = pd.DataFrame([{c: getattr(r, c) for c in ("draft_id", "pair_id", "rule", "to_name", "to_email",
                                                          "subject", "body", "slot_1", "slot_2")} for r in ok_rows],
                             columns=["draft_id", "pair_id", "rule", "to_name", "to_email", "subject", "body",
                                      "slot_1", "slot_2"])
        paths = {"eml": eml, "mail_merge": privacy.to_csv_safe(merge, folder / "mail_merge.csv")}
        if bad_rows:
            paths["not_exported"] = privacy.to_csv_safe(pd.DataFrame(bad_rows), folder / "not_exported.csv")
        return paths

    def record_sent(self, store: RosterStore, draft_ids, *, channel: str = "eml") -> int:
        """Log drafts sent outside mentorkit (after an export) so the quiet period applies to them."""
        ids = list(draft_ids)
        rows = self.drafts[self.drafts["draft_id"].isin(ids)]
        missing = sorted(set(ids) - set(rows["draft_id"]))
        if missing:
            raise MentorkitError(f"outbox: no draft(s) {', '.join(missing[:5])}")
        n = store.log_sent([_log_row(r, channel, "") for r in rows.itertuples(index=False)])
        self.drafts = self.drafts[~self.drafts["draft_id"].isin(ids)].reset_index(drop=True)
        return n


def _problem(r) -> str:
    """Why draft *r* cannot go out (no roster entry, an invalid address), or ``""``."""
    if r.problem:
        return r.problem
    try:
        check_email(r.to_email)
    except MentorkitError as exc:
        return f"invalid address: {exc}"
    return ""


def sender_address() -> str:
    value = config.get("nudge_from")
    if not value:
        raise MentorkitError("outbox: no sender address: set MENTORKIT_NUDGE_FROM (or nudge_from in mentorkit.toml)")
    return str(value)


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _why(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _result(r, status: str, detail: str) -> dict:
    return {"draft_id": r.draft_id, "pair_id": r.pair_id, "to_email": r.to_email, "status": status, "detail": detail}


def _log_row(r, channel: str, message_id: str) -> dict:
    return {"pair_id": r.pair_id, "rule": r.rule, "recipient_id": r.recipient_id, "recipient_email": r.to_email,
            "subject": r.subject, "channel": channel, "message_id": message_id or "",
            "sent_at": datetime.now(timezone.utc)}


def _email(r, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = f"{r.to_name} <{r.to_email}>" if r.to_name else r.to_email
    msg["Subject"] = r.subject
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg["X-Mentorkit-Pair"] = str(r.pair_id)
    msg["X-Mentorkit-Rule"] = str(r.rule)
    msg.set_content(r.body)
    return msg


def parse_smtp_url(url: str) -> dict:
    """Host, port, TLS mode and credentials from an SMTP URL.

    >>> t = parse_smtp_url("smtp://nudges:s3cret@mail.example.org:2525?starttls=true")
    >>> t["host"], t["port"], t["tls"], t["user"], t["display"]
    ('mail.example.org', 2525, 'starttls', 'nudges', 'mail.example.org:2525')
    """
    parts = urlsplit(str(url))
    if parts.scheme not in ("smtp", "smtps"):
        raise MentorkitError(f"outbox: the mail server URL must start with smtp:// or smtps://, got {parts.scheme!r}")
    if not parts.hostname:
        raise MentorkitError("outbox: the mail server URL has no host name")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise MentorkitError("outbox: the mail server URL has a port that is not a number") from None
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    tls = "tls" if parts.scheme == "smtps" else ("starttls" if query.get("starttls", "").lower() in
                                                 ("1", "true", "yes") else "none")
    return {"host": parts.hostname, "port": port, "tls": tls, "user": unquote(parts.username or "") or None,
            "password": unquote(parts.password or "") or None, "display": f"{parts.hostname}:{port}"}


def _connect(target: dict, timeout: float) -> smtplib.SMTP:
    if target["tls"] == "tls":
        client = smtplib.SMTP_SSL(target["host"], target["port"], timeout=timeout,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(target["host"], target["port"], timeout=timeout, local_hostname="mentorkit.localhost")
        if target["tls"] == "starttls":
            client.starttls(context=ssl.create_default_context())
    if target["user"]:
        client.login(target["user"], target["password"] or "")
    return client


# ------------------------------------------------------------------ drafting

def draft_nudges(data: ProgramData, contacts: pd.DataFrame | RosterStore | None = None, *, rules=None,
                 as_of: pd.Timestamp | str | None = None, quiet_days: int | None = None,
                 sent: pd.DataFrame | None = None, now: datetime | None = None,
                 async_update_days: float = 10, slot_minutes: int = 45, progress: bool = False) -> Outbox:
    """Draft a nudge for every pair and rule that fired, except pairs nudged within the quiet period.

    Parameters
    ----------
    data : ProgramData
    contacts : DataFrame or RosterStore, optional
        The roster (names, addresses, working hours). A draft whose recipient is not in it
        carries a ``problem`` and is not sent.
    rules : NudgeRules, optional
    as_of : date, optional
        Measure the program up to this date (default its latest activity).
    quiet_days : int, optional
        Days after a nudge before the same pair is nudged again (default the
        ``nudge_quiet_days`` setting, 7).
    sent : DataFrame, optional
        The log of nudges sent (default read from *contacts* when it is a store).
    now : datetime, optional
        The moment the quiet period is measured from, and after which slots are suggested
        (default the current time; slots start no earlier than the day after *as_of*).

    Returns
    -------
    Outbox
    """
    from mentorkit.analysis.engagement import as_of_date, nudges, pair_engagement
    as_of = as_of_date(data) if as_of is None else pd.Timestamp(as_of)
    quiet = config.get("nudge_quiet_days") if quiet_days is None else int(quiet_days)
    now = now or datetime.now(timezone.utc)
    store = contacts if isinstance(contacts, RosterStore) else None
    if store is not None:
        sent = store.sent() if sent is None else sent
        contacts = store.contacts()
    pe = pair_engagement(data, as_of=as_of)
    flagged = pd.concat([nudges(data, rules=rules, as_of=as_of, engagement=pe),
                         _silent_mentees(data, pe, as_of, async_update_days)], ignore_index=True)
    stage = stage_of(pe, as_of).set_axis(pe["pair_id"])
    flagged["stage"] = flagged["pair_id"].map(stage)
    # who gets it
    role = pd.Series("mentor", index=flagged.index)
    role[flagged["rule"] == "silent_mentee"] = "mentee"
    um = flagged["rule"] == "unanswered_message"
    role[um] = _owes_reply(data, flagged.loc[um, "pair_id"])
    flagged["recipient_role"] = role
    flagged["recipient_id"] = np.where(role == "mentor", flagged["mentor_id"], flagged["mentee_id"])
    flagged["other_id"] = np.where(role == "mentor", flagged["mentee_id"], flagged["mentor_id"])
    # quiet period
    if sent is not None and len(sent):
        last = sent.groupby("pair_id")["sent_at"].max()
        flagged["last_nudged"] = flagged["pair_id"].map(last)
    else:
        flagged["last_nudged"] = pd.NaT
    flagged["last_nudged"] = pd.to_datetime(flagged["last_nudged"], utc=True)
    recent = flagged["last_nudged"].notna() & (flagged["last_nudged"] > pd.Timestamp(now) - pd.Timedelta(days=quiet))
    held = flagged[recent].copy()
    held["days_since_nudge"] = (pd.Timestamp(now) - held["last_nudged"]).dt.days
    held = held[["pair_id", "rule", "recipient_id", "last_nudged", "days_since_nudge"]].reset_index(drop=True)
    todo = flagged[~recent].reset_index(drop=True)
    # contacts
    meet = todo[todo["rule"].isin(list(MEETING_RULES))]
    people = data.participants[data.participants["participant_id"].isin(
        pd.unique(np.concatenate([meet["recipient_id"].to_numpy(), meet["other_id"].to_numpy()])))]
    tz = dict(zip(people["participant_id"], people["timezone"]))
    if contacts is not None and len(contacts):
        # only the people these drafts name: dicts and working hours for them, not the whole roster
        needed = pd.unique(np.concatenate([todo["recipient_id"].to_numpy(), todo["other_id"].to_numpy()]))
        c = contacts[contacts["participant_id"].isin(needed)]
        c = c.drop_duplicates("participant_id").set_index("participant_id")
        names, emails = c["name"].to_dict(), c["email"].to_dict()
        hours = dict(zip(c.index, hours_of(c.reset_index())))
        tz_roster = c["timezone"].to_dict()
    else:
        names, emails, hours, tz_roster = {}, {}, {}, {}
    pick = starters()
    slot_after = max(pd.Timestamp(now).tz_convert("UTC") if pd.Timestamp(now).tzinfo else
                     pd.Timestamp(now).tz_localize("UTC"),
                     (as_of + pd.Timedelta(days=1)).tz_localize("UTC")).to_pydatetime()
    rows = []
    items = todo.itertuples(index=False)
    if progress:
        from tqdm.auto import tqdm
        items = tqdm(items, total=len(todo), desc="drafting nudges", unit="nudge")
    for k, r in enumerate(items):
        rid, oid = r.recipient_id, r.other_id
        problem = "" if rid in emails else f"{rid} is not in the roster (no name or address to send to)"
        to_name = names.get(rid, "")
        other = names.get(oid, "your mentee" if r.recipient_role == "mentor" else "your mentor")
        reason = _REASONS[r.rule].format(days=r.days, detail=r.detail)
        starter = _pick(pick[r.stage][r.recipient_role], f"{r.pair_id}:{r.rule}")
        slots: list[datetime] = []
        slot_lines = []
        if r.rule in MEETING_RULES:
            me = Person(rid, tz_roster.get(rid) or tz.get(rid, "UTC"), hours.get(rid, DEFAULT_HOURS))
            them = Person(oid, tz_roster.get(oid) or tz.get(oid, "UTC"), hours.get(oid, DEFAULT_HOURS))
            slots = suggest_slots([me, them], slot_after, n=2, minutes=slot_minutes)
            for s in slots:
                slot_lines.append(f"  - {_local(s, me.timezone)} your time, {_local(s, them.timezone)} for "
                                  f"{other}")
            if not slots:
                slot_lines.append("  (your working hours and theirs do not meet in the next two weeks: "
                                  "agree a time outside them, or keep to async updates)")
        body = [f"Hi {_first_name(to_name) if to_name else 'there'},", "",
                f"A nudge from the mentoring programme about your pair with {other}: {reason}.", "",
                _ASKS[r.rule]]
        if slot_lines:
            body += ["", f"Times inside both your working hours ({slot_minutes} minutes):", *slot_lines]
        body += ["", f"An idea to start the conversation: {starter}", "",
                 "Thank you for the time you give to mentoring.", "The mentoring programme team"]
        rows.append({
            "draft_id": f"N{k + 1:06d}", "pair_id": r.pair_id, "rule": r.rule, "stage": r.stage,
            "recipient_id": rid, "recipient_role": r.recipient_role, "other_id": oid, "to_name": to_name,
            "to_email": emails.get(rid, ""), "subject": _SUBJECTS[r.rule], "body": "\n".join(body),
            "reason": reason, "starter": starter,
            "slot_1": slots[0].isoformat() if len(slots) > 0 else "",
            "slot_2": slots[1].isoformat() if len(slots) > 1 else "", "problem": problem,
        })
    drafts = pd.DataFrame(rows, columns=DRAFT_COLUMNS)
    return Outbox(drafts, held, as_of)
