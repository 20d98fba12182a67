"""Engagement: are pairs meeting, moving their goals and answering messages? Who needs a nudge?

Works on a :class:`mentorkit.program.ProgramData` (tables ``pairs``, ``sessions``, ``goals``,
``messages`` and ``participants``). Everything is measured up to an *as of* date, by default
the latest date anywhere in the activity tables, so the same data always gives the same
answer.

Definitions
-----------
* **attendance rate**: attended sessions / planned sessions (rows of ``sessions``) up to
  the as-of date.
* **check-ins against the plan**: attended sessions / the check-ins the cadence promises
  between the pair's start and the earlier of its end and the as-of date
  (``days / CADENCE_DAYS[cadence]``).
* **goal completion**: goals with a ``done_date`` / goals, from each goal's latest status
  snapshot; the status mix is over goals still open.
* **reply time**: hours from ``sent_at`` to ``replied_at``; a message counts as answered
  within the norm when the reply came within 48 hours.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from mentorkit.analysis._common import require_columns
from mentorkit.privacy import suppress
from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["NudgeRules", "as_of_date", "default_as_of", "pair_engagement", "engagement_summary", "nudges",
           "monthly_attendance", "reply_time_bands", "overlap_bands", "REPLY_NORM_HOURS", "BREAKDOWNS",
           "REPLY_BANDS", "OVERLAP_BANDS"]

#: the asynchronous reply norm, in hours
REPLY_NORM_HOURS = 48.0
#: columns an engagement summary may be broken down by (pairs: model, cadence; mentee: the rest)
BREAKDOWNS = ("model", "cadence", "cohort", "region", "department")
#: reply-time bands in hours: (label, low inclusive, high exclusive)
REPLY_BANDS = (("under 12 h", 0, 12), ("12-24 h", 12, 24), ("24-48 h", 24, 48), ("48-72 h", 48, 72),
               ("72 h-1 week", 72, 168), ("over 1 week", 168, np.inf))
#: working-hours overlap bands in hours: (label, low inclusive, high exclusive)
OVERLAP_BANDS = (("none", 0, 0.5), ("under 2 h", 0.5, 2), ("2-4 h", 2, 4), ("4-6 h", 4, 6),
                 ("6-8 h", 6, 8), ("full day", 8, 25))
_DEFAULT_CADENCE_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 28}


@dataclass(frozen=True)
class NudgeRules:
    """When a pair needs a nudge. Set a threshold to ``None`` to switch its rule off.

    Examples
    --------
    >>> NudgeRules(no_session_days=30).no_session_days
    30
    """

    no_session_days: float | None = 21
    goal_blocked_days: float | None = 14
    unanswered_hours: float | None = 48

    def describe(self) -> dict:
        return asdict(self)


def _cadence_days() -> dict:
    try:
        from mentorkit.program.schema import CADENCE_DAYS
        return dict(CADENCE_DAYS)
    except ImportError:  # pragma: no cover - the program package is always installed with this one
        return dict(_DEFAULT_CADENCE_DAYS)


def as_of_date(data: ProgramData) -> pd.Timestamp:
    """The latest date in the activity tables (sessions, goals, messages).

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> isinstance(as_of_date(ds.load("program_sample")), pd.Timestamp)
    True
    """
    candidates = []
    for table, cols in (("sessions", ["date"]), ("goals", ["as_of", "done_date"]),
                        ("messages", ["sent_at", "replied_at"])):
        df = getattr(data, table, None)
        if df is None:
            continue
        for c in cols:
            if c in df.columns and len(df):
                m = pd.to_datetime(df[c]).max()
                if pd.notna(m):
                    candidates.append(m)
    if not candidates:
        raise MentorkitError("engagement: no dated activity (sessions, goals or messages) to measure from")
    return max(candidates).normalize()


def _latest_goal_snapshots(goals: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per (pair, goal): the latest snapshot on or before *as_of*, with ``blocked_since``.

    ``blocked_since`` is the date of the first snapshot of the current unbroken run of
    ``blocked`` statuses (missing when the goal is not blocked, or has no snapshot dates).
    """
    g = goals
    has_dates = "as_of" in g.columns and g["as_of"].notna().any()
    if has_dates:
        g = g[g["as_of"].isna() | (g["as_of"] <= as_of)]
    pc = pd.factorize(g["pair_id"])[0]
    gc = pd.factorize(g["goal"])[0]
    if has_dates:
        t = g["as_of"].to_numpy(dtype="datetime64[ns]").view(np.int64)
        order = np.lexsort((t, gc, pc))
    else:
        order = np.lexsort((np.arange(len(g)), gc, pc))
    g = g.iloc[order]
    pc, gc = pc[order], gc[order]
    status = g["status"].to_numpy()
    new_goal = np.r_[True, (pc[1:] != pc[:-1]) | (gc[1:] != gc[:-1])]
    new_run = new_goal | np.r_[True, status[1:] != status[:-1]]
    run_id = np.cumsum(new_run) - 1
    last = np.r_[new_goal[1:], True]
    latest = g[last].copy()
    if has_dates:
        run_start = g["as_of"].to_numpy()[np.flatnonzero(new_run)]
        latest["status_since"] = run_start[run_id[last]]
    else:
        latest["status_since"] = pd.NaT
    latest["blocked_since"] = latest["status_since"].where(latest["status"] == "blocked")
    return latest


def pair_engagement(data: ProgramData, *, as_of: pd.Timestamp | str | None = None,
                    reply_norm_hours: float = REPLY_NORM_HOURS) -> pd.DataFrame:
    """Engagement measures for every pair.

    Parameters
    ----------
    data : ProgramData
        The program.
    as_of : date, optional
        Measure up to this date (default :func:`as_of_date`).

    Returns
    -------
    DataFrame
        One row per pair: ``pair_id, mentor_id, mentee_id, model, cadence, active,
        sessions_planned, sessions_attended, attendance_rate, checkins_expected,
        checkins_vs_plan, last_session, goals, goals_done, goals_on_track, goals_behind,
        goals_blocked, messages, replied, median_reply_hours, replied_within_norm,
        unanswered_overdue``.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> pe = pair_engagement(ds.load("program_sample"))
    >>> bool(pe["attendance_rate"].between(0, 1).all())
    True
    """
    pairs = data.pairs
    require_columns(pairs, ["pair_id", "mentor_id", "mentee_id", "model", "cadence", "start_date", "end_date"], "pairs")
    require_columns(data.sessions, ["pair_id", "date", "attended"], "sessions")
    require_columns(data.goals, ["pair_id", "goal", "status", "done_date"], "goals")
    require_columns(data.messages, ["pair_id", "sent_at", "replied_at"], "messages")
    as_of = as_of_date(data) if as_of is None else pd.Timestamp(as_of)
    now = as_of + pd.Timedelta(days=1)          # the end of the as-of day
    out = pairs[["pair_id", "mentor_id", "mentee_id", "model", "cadence", "start_date", "end_date"]].reset_index(drop=True)
    n = len(out)
    index = pd.Index(out["pair_id"])
    out["active"] = (out["start_date"] <= as_of) & (out["end_date"].isna() | (out["end_date"] >= as_of))

    def count(codes: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
        ok = codes >= 0 if mask is None else (codes >= 0) & mask
        return np.bincount(codes[ok], minlength=n)

    def latest(codes: np.ndarray, values: pd.Series, mask: np.ndarray, how: str = "max") -> pd.Series:
        ok = (codes >= 0) & mask & values.notna().to_numpy()
        agg = pd.Series(values.to_numpy()[ok]).groupby(codes[ok]).agg(how)
        return agg.reindex(np.arange(n)).set_axis(out.index)

    s = data.sessions
    sc = index.get_indexer(s["pair_id"])
    in_time = (s["date"] <= as_of).to_numpy()
    attended = s["attended"].to_numpy(dtype=bool)
    out["sessions_planned"] = count(sc, in_time)
    out["sessions_attended"] = count(sc, in_time & attended)
    out["attendance_rate"] = out["sessions_attended"] / out["sessions_planned"].replace(0, np.nan)
    out["last_session"] = latest(sc, s["date"], in_time & attended)

    cad = out["cadence"].map(_cadence_days()).astype(float)
    end = out["end_date"].where(out["end_date"].notna() & (out["end_date"] < as_of), as_of)
    days = (end - out["start_date"]).dt.days.clip(lower=0).astype(float)
    out["checkins_expected"] = days / cad
    out["checkins_vs_plan"] = out["sessions_attended"] / out["checkins_expected"].replace(0, np.nan)

    latest_goals = _latest_goal_snapshots(data.goals, as_of)
    gc = index.get_indexer(latest_goals["pair_id"])
    done = (latest_goals["done_date"].notna() & (latest_goals["done_date"] <= as_of)).to_numpy()
    status = latest_goals["status"].to_numpy()
    out["goals"] = count(gc)
    out["goals_done"] = count(gc, done)
    for st, col in (("on track", "goals_on_track"), ("behind", "goals_behind"), ("blocked", "goals_blocked")):
        out[col] = count(gc, ~done & (status == st))
    out["blocked_since"] = latest(gc, latest_goals["blocked_since"], ~done & (status == "blocked"), "min")

    m = data.messages
    mc = index.get_indexer(m["pair_id"])
    sent = m["sent_at"]
    sent_ok = (sent <= now).to_numpy()
    replied_by = (m["replied_at"].notna() & (m["replied_at"] <= now)).to_numpy()
    hours = ((m["replied_at"] - sent).dt.total_seconds() / 3600).to_numpy()
    out["messages"] = count(mc, sent_ok)
    out["replied"] = count(mc, sent_ok & replied_by)
    rep = sent_ok & replied_by & (mc >= 0)
    out["median_reply_hours"] = (pd.Series(hours[rep]).groupby(mc[rep]).median()
                                 .reindex(np.arange(n)).set_axis(out.index))
    out["replied_within_norm"] = count(mc, rep & (hours <= reply_norm_hours))
    age = ((now - sent).dt.total_seconds() / 3600).to_numpy()
    overdue = sent_ok & ~replied_by & (age > reply_norm_hours)
    out["unanswered_overdue"] = count(mc, overdue)
    out["oldest_unanswered"] = latest(mc, sent, overdue, "min")
    return out


def nudges(data: ProgramData, *, rules: NudgeRules | None = None, as_of: pd.Timestamp | str | None = None,
           engagement: pd.DataFrame | None = None) -> pd.DataFrame:
    """Active pairs that need a nudge, one row per pair and rule that fired.

    Rules (thresholds from *rules*): ``no_session`` (no attended session for more than
    ``no_session_days`` days, counted from the pair's start if they never met),
    ``goal_blocked`` (a goal blocked for more than ``goal_blocked_days`` days; needs
    the goal snapshots' ``as_of`` dates), ``unanswered_message`` (a message unanswered for
    more than ``unanswered_hours`` hours).

    Returns
    -------
    DataFrame
        ``pair_id, mentor_id, mentee_id, rule, threshold, since, days, detail``.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> n = nudges(ds.load("program_sample"))
    >>> set(n["rule"]) <= {"no_session", "goal_blocked", "unanswered_message"}
    True
    """
    rules = rules or NudgeRules()
    as_of = as_of_date(data) if as_of is None else pd.Timestamp(as_of)
    pe = pair_engagement(data, as_of=as_of) if engagement is None else engagement
    act = pe[pe["active"]]
    frames = []
    if rules.no_session_days is not None:
        since = act["last_session"].fillna(act["start_date"])
        days = (as_of - since).dt.days
        hit = days > rules.no_session_days
        f = act.loc[hit, ["pair_id", "mentor_id", "mentee_id"]].assign(
            rule="no_session", threshold=f"{rules.no_session_days:g} days", since=since[hit],
            days=days[hit].astype(int))  # whole days ("42 days", not "42.0 days")
        f["detail"] = np.where(act.loc[hit, "last_session"].isna(), "no session attended since the pair started",
                               "last attended session " + f["days"].astype(str) + " days ago")
        frames.append(f)
    if rules.goal_blocked_days is not None:
        since = act["blocked_since"]
        days = (as_of - since).dt.days
        hit = since.notna() & (days > rules.goal_blocked_days)
        f = act.loc[hit, ["pair_id", "mentor_id", "mentee_id"]].assign(
            rule="goal_blocked", threshold=f"{rules.goal_blocked_days:g} days", since=since[hit],
            days=days[hit].astype(int))
        f["detail"] = (act.loc[hit, "goals_blocked"].astype(str) + " goal(s) blocked, the oldest for "
                       + f["days"].astype(str) + " days")
        frames.append(f)
    if rules.unanswered_hours is not None:
        since = act["oldest_unanswered"]
        hours = (as_of + pd.Timedelta(days=1) - since).dt.total_seconds() / 3600
        hit = since.notna() & (hours > rules.unanswered_hours)
        f = act.loc[hit, ["pair_id", "mentor_id", "mentee_id"]].assign(
            rule="unanswered_message", threshold=f"{rules.unanswered_hours:g} hours", since=since[hit],
            days=(hours[hit] // 24).astype(int))
        f["detail"] = (act.loc[hit, "unanswered_overdue"].astype(str) + " message(s) unanswered for more than "
                       + f"{rules.unanswered_hours:g} hours")
        frames.append(f)
    cols = ["pair_id", "mentor_id", "mentee_id", "rule", "threshold", "since", "days", "detail"]
    if not frames:
        return pd.DataFrame(columns=cols)
    out = pd.concat(frames, ignore_index=True)[cols]
    return out.sort_values(["rule", "days", "pair_id"], ascending=[True, False, True], kind="stable").reset_index(drop=True)


SUMMARY_COLUMNS = ["group_by", "group", "n_pairs", "sessions_planned", "sessions_attended", "attendance_rate",
                   "checkins_per_pair", "planned_checkins_per_pair", "checkins_vs_plan", "goals", "goal_completion",
                   "share_on_track", "share_behind", "share_blocked", "messages", "median_reply_hours",
                   "share_replied_within_48h", "pairs_needing_nudge"]


def _summarise(pe: pd.DataFrame, flagged: set) -> dict:
    planned = pe["sessions_planned"].sum()
    attended = pe["sessions_attended"].sum()
    open_goals = pe[["goals_on_track", "goals_behind", "goals_blocked"]].sum()
    n_open = open_goals.sum()
    msgs = pe["messages"].sum()
    return {
        "n_pairs": int(len(pe)), "sessions_planned": int(planned), "sessions_attended": int(attended),
        "attendance_rate": attended / planned if planned else np.nan,
        "checkins_per_pair": attended / len(pe) if len(pe) else np.nan,
        "planned_checkins_per_pair": pe["checkins_expected"].sum() / len(pe) if len(pe) else np.nan,
        "checkins_vs_plan": attended / pe["checkins_expected"].sum() if pe["checkins_expected"].sum() else np.nan,
        "goals": int(pe["goals"].sum()),
        "goal_completion": pe["goals_done"].sum() / pe["goals"].sum() if pe["goals"].sum() else np.nan,
        "share_on_track": open_goals["goals_on_track"] / n_open if n_open else np.nan,
        "share_behind": open_goals["goals_behind"] / n_open if n_open else np.nan,
        "share_blocked": open_goals["goals_blocked"] / n_open if n_open else np.nan,
        "messages": int(msgs),
        "median_reply_hours": np.nan,  # filled by the caller from message-level data
        "share_replied_within_48h": pe["replied_within_norm"].sum() / msgs if msgs else np.nan,
        "pairs_needing_nudge": int(pe["pair_id"].isin(flagged).sum()),
    }


def engagement_summary(data: ProgramData, *, by: str | None = None, as_of: pd.Timestamp | str | None = None,
                       rules: NudgeRules | None = None, min_size: int | None = None) -> pd.DataFrame:
    """Program-level engagement, overall and optionally broken down by a group column.

    Parameters
    ----------
    data : ProgramData
    by : str, optional
        One of :data:`BREAKDOWNS`: ``model`` or ``cadence`` of the pair, or the mentee's
        ``cohort``, ``region`` or ``department``. Groups with fewer pairs than the minimum
        group size are suppressed (:func:`mentorkit.privacy.suppress_small_cells`).
    rules : NudgeRules, optional
        Thresholds for ``pairs_needing_nudge``.

    Returns
    -------
    DataFrame
        The columns in ``SUMMARY_COLUMNS``: the first row is the whole program
        (``group_by = "all"``), then one row per group. Share of replies within the norm is
        over all messages sent (unanswered ones count as not within the norm).

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> t = engagement_summary(ds.load("program_sample"), by="model")
    >>> t["group_by"].iloc[0]
    'all'
    """
    as_of = as_of_date(data) if as_of is None else pd.Timestamp(as_of)
    now = as_of + pd.Timedelta(days=1)
    pe = pair_engagement(data, as_of=as_of)
    flagged = set(nudges(data, rules=rules, as_of=as_of, engagement=pe)["pair_id"])
    m = data.messages
    mc = pd.Index(pe["pair_id"]).get_indexer(m["pair_id"])
    answered = (m["sent_at"] <= now) & m["replied_at"].notna() & (m["replied_at"] <= now)
    hours = ((m["replied_at"] - m["sent_at"]).dt.total_seconds() / 3600).where(answered).to_numpy()
    overall = {"group_by": "all", "group": "all", **_summarise(pe, flagged)}
    overall["median_reply_hours"] = float(np.nanmedian(hours)) if np.isfinite(hours).any() else np.nan
    if by is None:
        return pd.DataFrame([overall], columns=SUMMARY_COLUMNS).assign(suppressed=False, suppression="")
    if by not in BREAKDOWNS:
        raise MentorkitError(f"engagement: cannot break down by {by!r}; choose one of {', '.join(BREAKDOWNS)}")
    if by in ("model", "cadence"):
        key = pe[by]
    else:
        require_columns(data.participants, ["participant_id", by], "participants")
        key = pe["mentee_id"].map(data.participants.drop_duplicates("participant_id").set_index("participant_id")[by])
    key = key.fillna("(missing)").astype(str)
    codes, levels = pd.factorize(key, sort=True)
    ok = (mc >= 0) & np.isfinite(hours)
    med = pd.Series(hours[ok]).groupby(codes[mc[ok]]).median()
    groups = []
    for k, level in enumerate(levels):
        part = pe[codes == k]
        r = {"group_by": by, "group": level, **_summarise(part, flagged)}
        r["median_reply_hours"] = float(med.get(k, np.nan))
        groups.append(r)
    table = pd.DataFrame(groups, columns=SUMMARY_COLUMNS)
    table = suppress(table, "n_pairs", by=["group"], min_size=min_size,
                     value_cols=[c for c in SUMMARY_COLUMNS if c not in ("group_by", "group", "n_pairs")])
    return pd.concat([pd.DataFrame([overall], columns=SUMMARY_COLUMNS).assign(suppressed=False, suppression=""), table],
                     ignore_index=True)


def default_as_of(data: ProgramData) -> pd.Timestamp:
    """The latest activity date, moved back to the last day a pair was running if all had ended.

    A program export usually runs up to today; the bundled sample ends after its last
    cohort, when no pair is active any more, so "today" there is the last day of a pair.

    >>> import mentorkit.datasets as ds
    >>> d = ds.load("program_sample")
    >>> default_as_of(d) <= as_of_date(d)
    True
    """
    latest = as_of_date(data)
    ends = data.pairs["end_date"]
    if len(ends) and ends.notna().all() and ends.max() < latest:
        return pd.Timestamp(ends.max()).normalize()
    return latest


def monthly_attendance(data: ProgramData, end, *, min_size: int | None = None) -> pd.DataFrame:
    """Sessions planned and attended per calendar month up to *end*, months with few pairs suppressed.

    Returns ``month, pairs, planned, attended, attendance_rate, suppressed``.
    """
    cols = ["month", "pairs", "planned", "attended", "attendance_rate", "suppressed"]
    s = data.sessions[data.sessions["date"] <= pd.Timestamp(end)]
    if s.empty:
        return pd.DataFrame(columns=cols)
    month = s["date"].dt.to_period("M").astype(str)
    t = s.groupby(month).agg(pairs=("pair_id", "nunique"), planned=("attended", "size"),
                             attended=("attended", "sum")).reset_index(names="month")
    t["attendance_rate"] = t["attended"] / t["planned"]
    t = t.astype({"planned": float, "attended": float, "pairs": float})
    return suppress(t, "pairs", by=["month"], min_size=min_size, reason=False,
                    value_cols=["planned", "attended", "attendance_rate"])[cols]


def reply_time_bands(data: ProgramData, end, *, min_size: int | None = None) -> pd.DataFrame:
    """Messages per reply-time band (:data:`REPLY_BANDS`, plus ``unanswered``), bands with few pairs suppressed.

    Returns ``band, pairs, messages, share, suppressed`` (share of all messages sent by *end*).
    """
    end = pd.Timestamp(end) + pd.Timedelta(days=1)
    m = data.messages[data.messages["sent_at"] <= end]
    hours = (m["replied_at"] - m["sent_at"]).dt.total_seconds() / 3600
    hours = hours.where(m["replied_at"] <= end)
    labels = np.full(len(m), "unanswered", dtype=object)
    for label, lo, hi in REPLY_BANDS:
        labels[((hours >= lo) & (hours < hi)).to_numpy()] = label
    order = [b[0] for b in REPLY_BANDS] + ["unanswered"]
    g = pd.DataFrame({"band": labels, "pair_id": m["pair_id"].to_numpy()})
    t = g.groupby("band").agg(pairs=("pair_id", "nunique"), messages=("pair_id", "size"))
    t = t.reindex(order, fill_value=0).reset_index()
    t["share"] = t["messages"] / max(len(m), 1)
    t = t.astype({"pairs": float, "messages": float})
    return suppress(t, "pairs", by=["band"], min_size=min_size, reason=False, value_cols=["messages", "share"])


def overlap_bands(engagement: pd.DataFrame, pairs: pd.DataFrame, *, min_size: int | None = None) -> pd.DataFrame:
    """Pairs and their attendance per band of working-hours overlap (:data:`OVERLAP_BANDS`), small bands suppressed.

    *engagement* is :func:`pair_engagement`'s table. Returns ``overlap, pairs,
    attendance_rate, checkins_vs_plan, suppressed``; empty when the data has no ``overlap_hours``.
    """
    cols = ["overlap", "pairs", "attendance_rate", "checkins_vs_plan", "suppressed"]
    if "overlap_hours" not in pairs.columns or pairs["overlap_hours"].isna().all():
        return pd.DataFrame(columns=cols)
    e = engagement.merge(pairs[["pair_id", "overlap_hours"]], on="pair_id", how="left")
    e = e[e["overlap_hours"].notna()]
    rows = []
    for label, lo, hi in OVERLAP_BANDS:
        part = e[(e["overlap_hours"] >= lo) & (e["overlap_hours"] < hi)]
        planned, attended = part["sessions_planned"].sum(), part["sessions_attended"].sum()
        expected = part["checkins_expected"].sum()
        rows.append({"overlap": label, "pairs": float(len(part)),
                     "attendance_rate": attended / planned if planned else np.nan,
                     "checkins_vs_plan": attended / expected if expected else np.nan})
    t = pd.DataFrame(rows)
    t = t[t["pairs"] > 0].reset_index(drop=True)
    return suppress(t, "pairs", by=["overlap"], min_size=min_size, reason=False,
                    value_cols=["attendance_rate", "checkins_vs_plan"])
