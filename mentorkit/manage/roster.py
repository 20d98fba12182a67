"""The roster: contact details of mentors and mentees, in a store of their own.

Program data (:mod:`mentorkit.program`) knows people only by id. Names, e-mail addresses,
chat handles and working hours come from the organisation's export (an HR or directory
extract, CSV or Excel) into a :class:`RosterStore`: SQLite by default (the ``roster_db``
setting, ``MENTORKIT_ROSTER_DB``), any SQLAlchemy URL for a team server, as for the
practice log. They never enter an analysis frame; the operational views (the outbox, the
planner, mentor load) look them up by id at the last step.

The export
----------
One row per person. Columns (headers matched without regard to case, spaces, ``_`` or
``-``; common aliases such as ``E-mail address`` or ``Slack`` are understood, others can be
named with ``columns={"Header in file": "email"}``):

==================  ========  ===========================================================
column              required  what
==================  ========  ===========================================================
``participant_id``  yes       the id the program data uses for this person
``name``            yes       how the person is addressed in a nudge
``email``           yes       where nudges go
``chat_handle``     no        a chat handle such as ``@ana.k``
``timezone``        yes       IANA name (``Europe/Berlin``)
``working_hours``   no        ``Mon-Fri 09:00-17:00``, ``Tue 14:00-16:00`` (see :mod:`.hours`);
                              empty means Mon-Fri 09:00-17:00
==================  ========  ===========================================================

Every problem is reported as ``FILE:ROW:COLUMN: message`` (row 1 is the header); a row with
a problem is kept, with its reasons, in :attr:`RosterImport.rejected`, and only valid rows
are stored. Rows read always equal rows stored plus rows rejected.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.headerregistry import Address
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, delete, insert, select

from mentorkit.errors import MentorkitError
from mentorkit.manage.hours import DEFAULT_HOURS, WorkingHours, zone
from mentorkit.store import open_engine, resolve_url, retry, safe_url

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["ROSTER_COLUMNS", "SENT_COLUMNS", "Problem", "RosterImport", "RosterStore", "read_export", "check_email", "hours_of",
           "simulate_roster", "contacts_table", "sent_table"]

ROSTER_COLUMNS = ["participant_id", "name", "email", "chat_handle", "timezone", "working_hours"]
_REQUIRED = ("participant_id", "name", "email", "timezone")
_ALIASES = {
    "participant_id": ("participantid", "id", "employeeid", "personid", "staffid", "participant"),
    "name": ("name", "fullname", "displayname", "preferredname"),
    "email": ("email", "emailaddress", "mail", "workemail"),
    "chat_handle": ("chathandle", "handle", "chat", "slack", "slackhandle", "teams", "teamshandle"),
    "timezone": ("timezone", "tz", "zone", "timezonename"),
    "working_hours": ("workinghours", "hours", "availability", "available"),
}

metadata = MetaData()
contacts_table = Table(
    "contacts", metadata,
    Column("participant_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=False),
    Column("chat_handle", String(100), nullable=False, default=""),
    Column("timezone", String(64), nullable=False),
    Column("working_hours", String(400), nullable=False, default=""),
    Column("source", String(400), nullable=False, default=""),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)
#: every nudge that went out (or was exported to be sent), for the quiet period and "nudged 3 days ago"
sent_table = Table(
    "nudges_sent", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pair_id", String(64), nullable=False, index=True),
    Column("rule", String(40), nullable=False),
    Column("recipient_id", String(64), nullable=False),
    Column("recipient_email", String(320), nullable=False),
    Column("subject", Text, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("message_id", String(200), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False, index=True),
)
SENT_COLUMNS = ["pair_id", "rule", "recipient_id", "recipient_email", "subject", "channel", "message_id", "sent_at"]


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(header).strip().lower())


def check_email(address: str) -> str:
    """*address* trimmed, or a :class:`MentorkitError` saying what is wrong with it.

    >>> check_email(" ana.k@example.org ")
    'ana.k@example.org'
    >>> check_email("ana.k@example")
    Traceback (most recent call last):
    ...
    mentorkit.errors.MentorkitError: 'ana.k@example' is not an e-mail address: the domain has no dot
    """
    text = str(address).strip()
    if not text:
        raise MentorkitError("the e-mail address is empty")
    if any(c.isspace() for c in text) or text.count("@") != 1:
        raise MentorkitError(f"{text!r} is not an e-mail address: it needs one @ and no spaces")
    local, domain = text.split("@")
    if not local or not domain:
        raise MentorkitError(f"{text!r} is not an e-mail address: it needs a name before the @ and a domain after it")
    try:
        addr = Address(addr_spec=text)
    except (ValueError, IndexError, TypeError) as exc:
        raise MentorkitError(f"{text!r} is not an e-mail address: {exc}") from None
    if not addr.username or "." not in addr.domain or addr.domain.startswith(".") or addr.domain.endswith("."):
        raise MentorkitError(f"{text!r} is not an e-mail address: the domain has no dot")
    return text


@dataclass(frozen=True)
class Problem:
    """One problem in an export, at a file, row (1 = the header) and column."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row if self.row is not None else ''}:{self.column or ''}: {self.message}"


@dataclass
class RosterImport:
    """What an export gave: the valid contacts, the rejected rows with reasons, every problem."""

    contacts: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> str:
        head = (f"{self.rows_read} row(s) read: {len(self.contacts)} valid, {len(self.rejected)} rejected")
        return "\n".join([head, *map(str, self.problems)])


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            sep = "\t" if suffix == ".tsv" else ","
            try:
                return pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
            except UnicodeDecodeError:
                raise MentorkitError(f"{path}: the file is not UTF-8 text (save the export as UTF-8 CSV)") from None
        if suffix in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise MentorkitError(f"{path}: the file is empty (no header, no rows)") from None
    except pd.errors.ParserError as exc:
        raise MentorkitError(f"{path}: cannot read the file as CSV: {' '.join(str(exc).split())}") from None
    except (OSError, ValueError) as exc:
        raise MentorkitError(f"{path}: cannot read the file: {exc}") from None
    raise MentorkitError(f"{path}: unsupported file type {suffix!r}; use .csv, .tsv or .xlsx")


def read_export(path: str | os.PathLike, *, columns: Mapping[str, str] | None = None,
                known_ids: Iterable[str] | None = None) -> RosterImport:
    """Read and check the organisation's contact export.

    Parameters
    ----------
    path : path
        A CSV, TSV or Excel file, one row per person.
    columns : dict, optional
        Header in the file -> roster column, for headers the aliases do not cover.
    known_ids : iterable of str, optional
        The participant ids of the program; a row for anyone else is rejected.

    Returns
    -------
    RosterImport

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "staff.csv"
    >>> _ = p.write_text("Employee ID,Full name,E-mail address,Time zone\\n"
    ...                  "P1,Ana Kovac,ana@example.org,Europe/Zagreb\\nP2,Bo Li,bo@example,Asia/Shanghai\\n")
    >>> r = read_export(p)
    >>> len(r.contacts), [str(x).split(":", 1)[1] for x in r.problems]
    (1, ["3:email: 'bo@example' is not an e-mail address: the domain has no dot"])
    """
    path = Path(path)
    if not path.exists():
        raise MentorkitError(f"{path}: roster export not found")
    raw = _read_table(path)
    fname = str(path)
    problems: list[Problem] = []
    # map headers
    wanted = {_norm(k): v for k, v in (columns or {}).items()}
    rename: dict[str, str] = {}
    for h in raw.columns:
        n = _norm(h)
        target = wanted.get(n) or next((c for c, al in _ALIASES.items() if n in al), None)
        if target and target not in rename.values():
            rename[h] = target
    df = raw.rename(columns=rename)
    missing = [c for c in _REQUIRED if c not in df.columns]
    rows_read = len(df)
    if missing:
        for c in missing:
            problems.append(Problem(fname, 1, c, f"required column {c!r} is missing (headers: "
                                    f"{', '.join(map(str, raw.columns))})"))
        rejected = raw.assign(row=np.arange(2, rows_read + 2), reason=f"missing column(s): {', '.join(missing)}")
        return RosterImport(pd.DataFrame(columns=ROSTER_COLUMNS), rejected, problems, rows_read)
    for c in ROSTER_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df = df[ROSTER_COLUMNS].apply(lambda s: s.astype(str).str.strip())
    known = set(map(str, known_ids)) if known_ids is not None else None
    reasons: list[list[str]] = [[] for _ in range(rows_read)]

    def bad(i: int, col: str, message: str) -> None:
        problems.append(Problem(fname, i + 2, col, message))
        reasons[i].append(f"{col}: {message}")

    first_seen: dict[str, int] = {}
    zones_ok: dict[str, str | None] = {}
    hours_norm: dict[str, str | Exception] = {}
    for i, row in enumerate(df.itertuples(index=False)):
        pid = row.participant_id
        if not pid:
            bad(i, "participant_id", "empty")
        elif pid in first_seen:
            bad(i, "participant_id", f"{pid!r} appears again (first on row {first_seen[pid] + 2})")
        else:
            first_seen[pid] = i
            if known is not None and pid not in known:
                bad(i, "participant_id", f"{pid!r} is not a participant of this program")
        if not row.name:
            bad(i, "name", "empty")
        try:
            check_email(row.email)
        except MentorkitError as exc:
            bad(i, "email", str(exc))
        if row.timezone not in zones_ok:
            try:
                zone(row.timezone) if row.timezone else None
                zones_ok[row.timezone] = None if row.timezone else "empty"
            except MentorkitError as exc:
                zones_ok[row.timezone] = str(exc)
        if zones_ok[row.timezone]:
            bad(i, "timezone", zones_ok[row.timezone])
        wh = row.working_hours
        if wh and wh not in hours_norm:
            try:
                hours_norm[wh] = str(WorkingHours.parse(wh))
            except MentorkitError as exc:
                hours_norm[wh] = exc
        if wh and isinstance(hours_norm[wh], Exception):
            bad(i, "working_hours", str(hours_norm[wh]))
    rejected_mask = np.array([bool(r) for r in reasons], dtype=bool)
    good = df[~rejected_mask].copy()
    good["working_hours"] = good["working_hours"].map(lambda v: hours_norm.get(v, "") if v else "")
    rejected = raw[rejected_mask].copy()
    rejected.insert(0, "row", np.flatnonzero(rejected_mask) + 2)
    rejected["reason"] = ["; ".join(r) for r, m in zip(reasons, rejected_mask) if m]
    return RosterImport(good.reset_index(drop=True), rejected.reset_index(drop=True), problems, rows_read)


class RosterStore:
    """Contact details and the log of nudges sent, in their own database.

    Parameters
    ----------
    url : str or path, optional
        An SQLAlchemy URL or an SQLite file path; default the ``roster_db`` setting.

    Examples
    --------
    >>> import tempfile, os
    >>> store = RosterStore(os.path.join(tempfile.mkdtemp(), "roster.sqlite"))
    >>> frame = pd.DataFrame([{"participant_id": "P1", "name": "Ana Kovac", "email": "ana@example.org",
    ...                        "chat_handle": "", "timezone": "Europe/Zagreb", "working_hours": ""}])
    >>> store.upsert(frame, source="doctest")
    1
    >>> store.contacts()[["participant_id", "name"]].values.tolist()
    [['P1', 'Ana Kovac']]
    """

    def __init__(self, url: str | os.PathLike | None = None):
        self.url = resolve_url(url, setting="roster_db")
        self.engine, self.is_sqlite = open_engine(self.url, "roster")
        self._retry(lambda: metadata.create_all(self.engine), "create the tables")

    def __repr__(self) -> str:
        return f"RosterStore({safe_url(self.url)!r})"

    def close(self) -> None:
        self.engine.dispose()

    def _retry(self, work, what: str):
        return retry(work, f"roster {safe_url(self.url)}: could not {what}")

    # ------------------------------------------------------------ contacts
    def import_export(self, path: str | os.PathLike, **kwargs) -> RosterImport:
        """Read the export (:func:`read_export`), store its valid rows, return the import report."""
        result = read_export(path, **kwargs)
        self.upsert(result.contacts, source=Path(path).name)
        return result

    def upsert(self, contacts: pd.DataFrame, *, source: str = "") -> int:
        """Store checked contacts (columns :data:`ROSTER_COLUMNS`), replacing anyone already there."""
        if contacts.empty:
            return 0
        now = datetime.now(timezone.utc)
        rows = [dict(zip(ROSTER_COLUMNS, r), source=source, imported_at=now)
                for r in contacts[ROSTER_COLUMNS].astype(str).itertuples(index=False)]
        ids = [r["participant_id"] for r in rows]

        def work() -> int:
            with self.engine.begin() as conn:
                for k in range(0, len(ids), 500):
                    conn.execute(delete(contacts_table).where(contacts_table.c.participant_id.in_(ids[k:k + 500])))
                conn.execute(insert(contacts_table), rows)
            return len(rows)
        return self._retry(work, f"store {len(rows)} contact(s)")

    def contacts(self, ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Contacts (columns :data:`ROSTER_COLUMNS`), all or those with the given ids."""
        t = contacts_table
        stmt = select(*[t.c[c] for c in ROSTER_COLUMNS]).order_by(t.c.participant_id)
        with self.engine.connect() as conn:
            if ids is None:
                rows = conn.execute(stmt).all()
            else:
                wanted = list(dict.fromkeys(map(str, ids)))
                rows = []
                for k in range(0, len(wanted), 500):
                    rows += conn.execute(stmt.where(t.c.participant_id.in_(wanted[k:k + 500]))).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=ROSTER_COLUMNS)

    def __len__(self) -> int:
        from sqlalchemy import func
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(contacts_table)).scalar_one())

    # ------------------------------------------------------------ nudges sent
    def log_sent(self, rows: list[dict]) -> int:
        """Record nudges that went out (keys :data:`SENT_COLUMNS`)."""
        if not rows:
            return 0
        clean = [{c: r[c] for c in SENT_COLUMNS} for r in rows]

        def work() -> int:
            with self.engine.begin() as conn:
                conn.execute(insert(sent_table), clean)
            return len(clean)
        return self._retry(work, f"log {len(clean)} sent nudge(s)")

    def sent(self, pair_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The nudges sent, oldest first (columns :data:`SENT_COLUMNS`)."""
        t = sent_table
        stmt = select(*[t.c[c] for c in SENT_COLUMNS]).order_by(t.c.sent_at, t.c.id)
        if pair_ids is not None:
            stmt = stmt.where(t.c.pair_id.in_(list(map(str, pair_ids))))
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=SENT_COLUMNS)
        df["sent_at"] = pd.to_datetime(df["sent_at"], utc=True)
        return df

    def last_nudged(self) -> pd.Series:
        """When each pair was last nudged (UTC), indexed by pair id."""
        df = self.sent()
        if df.empty:
            return pd.Series(dtype="datetime64[ns, UTC]", name="last_nudged")
        return df.groupby("pair_id")["sent_at"].max().rename("last_nudged")


def hours_of(contacts: pd.DataFrame) -> pd.Series:
    """Each contact's :class:`WorkingHours` (Mon-Fri 09:00-17:00 where none are stated)."""
    cache: dict[str, WorkingHours] = {}

    def one(text: str) -> WorkingHours:
        if not text:
            return DEFAULT_HOURS
        if text not in cache:
            cache[text] = WorkingHours.parse(text)
        return cache[text]
    return contacts["working_hours"].fillna("").map(one)


# ------------------------------------------------------------ simulated roster

_FIRST = ("Ana", "Bilal", "Chiara", "Dmitri", "Efua", "Farah", "Goran", "Hina", "Ines", "Jonas", "Kemi", "Lukas",
          "Maya", "Nikhil", "Olga", "Pedro", "Quynh", "Rania", "Sven", "Tariq", "Uma", "Vera", "Wen", "Ximena",
          "Yusuf", "Zofia", "Amara", "Bruno", "Camille", "Deniz", "Elif", "Felipe", "Gita", "Hugo", "Ivy", "Joon")
_LAST = ("Kovac", "Haddad", "Moretti", "Volkov", "Mensah", "Rahimi", "Petrovic", "Qureshi", "Duarte", "Weber",
         "Adeyemi", "Fischer", "Sato", "Bose", "Ivanova", "Alves", "Nguyen", "Saleh", "Lindqvist", "Aziz", "Rao",
         "Novak", "Zhang", "Ortiz", "Demir", "Wojcik", "Okoro", "Costa", "Laurent", "Yilmaz", "Kaya", "Ramos")
_HOURS = (("Mon-Fri 09:00-17:00", 0.55), ("Mon-Fri 08:00-16:00", 0.15), ("Mon-Fri 10:00-18:00", 0.1),
          ("Mon-Thu 09:00-17:00", 0.08), ("Mon-Fri 07:30-15:30", 0.07), ("Tue 14:00-16:00; Thu 09:00-12:00", 0.05))


def simulate_roster(data: ProgramData, *, seed: int = 0) -> pd.DataFrame:
    """A fictional roster export for a (simulated) program: every mentor and mentee.

    Names are drawn from short lists written for mentorkit, addresses are at the reserved
    ``example.org`` domain, time zones are the participants' own, and working hours are
    common office patterns (one in twenty states only two short windows, "Tue 14:00-16:00;
    Thu 09:00-12:00"). No row describes a real person.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> r = simulate_roster(ds.load("program_sample"), seed=1)
    >>> list(r.columns) == ROSTER_COLUMNS, bool(r["email"].str.endswith("@example.org").all())
    (True, True)
    """
    p = data.participants
    people = p[p["role"].isin(["mentor", "mentee"])]
    rng = np.random.default_rng(seed)
    n = len(people)
    first = np.array(_FIRST, dtype=object)[rng.integers(len(_FIRST), size=n)]
    last = np.array(_LAST, dtype=object)[rng.integers(len(_LAST), size=n)]
    serial = np.arange(1, n + 1).astype(str)
    names = first + " " + last
    email = (pd.Series(first).str.lower() + "." + pd.Series(last).str.lower() + "." + serial + "@example.org")
    handle = "@" + pd.Series(first).str.lower() + pd.Series(last).str[0].str.lower() + serial
    hours = np.array([h for h, _ in _HOURS], dtype=object)[
        rng.choice(len(_HOURS), size=n, p=np.array([w for _, w in _HOURS]) / sum(w for _, w in _HOURS))]
    return pd.DataFrame({"participant_id": people["participant_id"].to_numpy(), "name": names,
                         "email": email.to_numpy(), "chat_handle": handle.to_numpy(),
                         "timezone": people["timezone"].to_numpy(), "working_hours": hours})
