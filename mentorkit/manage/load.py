"""Mentor load: mentors with too many mentees, pairs messaging outside agreed hours, slow replies.

Three rules, each flag naming its rule, threshold and the value found:

* ``over_capacity``: a mentor with more active mentees than the capacity (the
  ``mentor_capacity`` setting, default 10; a mentor's own ``capacity`` in the participants
  table is their limit when it is lower). Group mentees count one each.
* ``outside_hours``: a pair where at least ``outside_min`` messages (default 3) in the last
  ``window_days`` (default 28) reached the other person outside their working hours (the
  roster's ``working_hours`` in their time zone; Mon-Fri 09:00-17:00 when none are stated),
  the "I'm not available nights or weekends" a pair agreed on.
* ``slow_replies``: a mentor whose median reply to their mentees' messages in the last
  ``reply_days`` (default 56) took longer than 48 hours, over at least ``min_replies``
  replies (default 3).

Examples
--------
>>> import mentorkit.datasets as ds
>>> flags = mentor_load(ds.load("program_sample"), as_of="2022-10-01")
>>> set(flags["rule"]) <= {"over_capacity", "outside_hours", "slow_replies"}
True
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from mentorkit import config
from mentorkit.manage.hours import DEFAULT_HOURS, WorkingHours

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["mentor_load", "outside_hours", "LOAD_COLUMNS"]

LOAD_COLUMNS = ["mentor_id", "pair_id", "rule", "threshold", "value", "detail"]


def outside_hours(sent_at: pd.Series, tz: pd.Series, hours: pd.Series) -> np.ndarray:
    """Whether each UTC time in *sent_at* falls outside the working hours (*hours*, in zone *tz*) of its row."""
    out = np.zeros(len(sent_at), dtype=bool)
    keys = pd.DataFrame({"tz": tz.astype(str).to_numpy(), "h": hours.map(str).to_numpy()})
    t = pd.DatetimeIndex(pd.to_datetime(sent_at.to_numpy()))
    if t.tz is None:
        t = t.tz_localize("UTC")
    for (zname, _), idx in keys.groupby(["tz", "h"], sort=False).indices.items():
        wh: WorkingHours = hours.iloc[idx[0]]
        local = t[idx].tz_convert(zname)
        wd = local.weekday.to_numpy()
        minute = (local.hour * 60 + local.minute).to_numpy()
        inside = np.zeros(len(idx), dtype=bool)
        for d, s, e in wh.windows:
            inside |= (wd == d) & (minute >= s) & (minute < e)
        out[idx] = ~inside
    return out


def mentor_load(data: ProgramData, contacts: pd.DataFrame | None = None, *, as_of=None, capacity: int | None = None,
                window_days: int = 28, outside_min: int = 3, reply_days: int = 56, reply_hours: float = 48.0,
                min_replies: int = 3) -> pd.DataFrame:
    """Flags of the three load rules (module notes), one row per mentor (or pair) and rule.

    Returns
    -------
    DataFrame
        ``mentor_id, pair_id, rule, threshold, value, detail`` (``pair_id`` empty for the
        mentor-level rules).
    """
    from mentorkit.analysis.engagement import as_of_date
    from mentorkit.manage.roster import hours_of
    as_of = as_of_date(data) if as_of is None else pd.Timestamp(as_of)
    cap = int(config.get("mentor_capacity") if capacity is None else capacity)
    pairs = data.pairs
    active = pairs[(pairs["start_date"] <= as_of) & (pairs["end_date"].isna() | (pairs["end_date"] >= as_of))]
    frames = []
    # over capacity
    load = active.groupby("mentor_id")["mentee_id"].nunique()
    part = data.participants.set_index("participant_id")
    own = part["capacity"] if "capacity" in part.columns else pd.Series(dtype=float)
    limit = pd.Series(cap, index=load.index, dtype=float)
    stated = own.reindex(load.index)
    limit = limit.where(stated.isna() | (stated >= cap), stated)
    over = load[load > limit]
    if len(over):
        frames.append(pd.DataFrame({
            "mentor_id": over.index, "pair_id": "", "rule": "over_capacity",
            "threshold": [f"{int(limit[m])} mentees" for m in over.index], "value": over.to_numpy().astype(float),
            "detail": [f"{int(n)} active mentees, capacity {int(limit[m])}" for m, n in over.items()]}))
    # messages outside the recipient's hours
    m = data.messages
    lo = as_of + pd.Timedelta(days=1) - pd.Timedelta(days=window_days)
    recent = m[(m["sent_at"] >= lo) & (m["sent_at"] < as_of + pd.Timedelta(days=1)) & m["pair_id"].isin(set(active["pair_id"]))]
    if len(recent) and "sender" in recent.columns:
        ap = active.set_index("pair_id")
        recipient = np.where(recent["sender"].to_numpy() == "mentee", recent["pair_id"].map(ap["mentor_id"]),
                             recent["pair_id"].map(ap["mentee_id"]))
        recipient = pd.Series(recipient, index=recent.index)
        tz = recipient.map(part["timezone"]).fillna("UTC")
        hours = pd.Series([DEFAULT_HOURS] * len(recipient), index=recent.index, dtype=object)
        if contacts is not None and len(contacts):
            c = contacts.drop_duplicates("participant_id").set_index("participant_id")
            by_id = dict(zip(c.index, hours_of(c.reset_index())))
            tz = recipient.map(c["timezone"]).fillna(tz)
            hours = recipient.map(lambda pid: by_id.get(pid, DEFAULT_HOURS))
        outside = outside_hours(recent["sent_at"], tz, hours)
        counts = pd.Series(outside, index=recent.index).groupby(recent["pair_id"]).agg(["sum", "size"])
        hit = counts[counts["sum"] >= outside_min]
        if len(hit):
            frames.append(pd.DataFrame({
                "mentor_id": hit.index.map(ap["mentor_id"]), "pair_id": hit.index, "rule": "outside_hours",
                "threshold": f"{outside_min} messages in {window_days} days", "value": hit["sum"].astype(float).to_numpy(),
                "detail": [f"{int(s)} of {int(n)} messages in the last {window_days} days arrived outside the "
                           "recipient's working hours" for s, n in zip(hit["sum"], hit["size"])]}))
    # slow replies by mentors
    lo = as_of + pd.Timedelta(days=1) - pd.Timedelta(days=reply_days)
    mm = m[(m["sent_at"] >= lo) & m["replied_at"].notna() & (m["replied_at"] <= as_of + pd.Timedelta(days=1))]
    if "sender" in mm.columns:
        mm = mm[mm["sender"] == "mentee"]
    mm = mm[mm["pair_id"].isin(set(active["pair_id"]))]
    if len(mm):
        mentor = mm["pair_id"].map(pairs.set_index("pair_id")["mentor_id"])
        h = (mm["replied_at"] - mm["sent_at"]).dt.total_seconds() / 3600
        g = h.groupby(mentor).agg(["median", "size"])
        slow = g[(g["size"] >= min_replies) & (g["median"] > reply_hours)]
        if len(slow):
            frames.append(pd.DataFrame({
                "mentor_id": slow.index, "pair_id": "", "rule": "slow_replies", "threshold": f"{reply_hours:g} hours",
                "value": slow["median"].round(1).to_numpy(),
                "detail": [f"median reply {md:.0f} hours over {int(n)} replies in the last {reply_days} days"
                           for md, n in zip(slow["median"], slow["size"])]}))
    if not frames:
        return pd.DataFrame(columns=LOAD_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[LOAD_COLUMNS]
    return out.sort_values(["rule", "value", "mentor_id"], ascending=[True, False, True], kind="stable").reset_index(drop=True)
