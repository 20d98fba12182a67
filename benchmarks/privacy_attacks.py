"""Replay the differencing attacks of issue 13 on a program with a one-person cohort, before and after.

The program is the bundled sample with one mentee moved into a cohort of her own
("C99-solo"). An attacker downloads every export for "All" and for every other cohort the
filter offers, and subtracts: pre/post answers (n and means per skill), the retention table
(people who left), the survival-curve export (people at risk per month), comment-search
counts, and the health dashboard's monthly sessions. "Before" replays the old rule (hide a
selection only when it is itself small; every cohort is a filter option); "after" drives the
dashboards as they are now (mentorkit.privacy's query-level rule).

Run: ``python benchmarks/privacy_attacks.py`` (prints what each attack recovered).
"""
from __future__ import annotations

import dataclasses
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SOLO = "C99-solo"
WORDS: tuple[str, ...] = ("mentor", "feedback", "time", "great", "goal")   # replaced by the solo's own words


def solo_program(min_size: int = 5):
    """The sample with one mentee (with pre and post answers, a comment and an exit) in a cohort alone."""
    import mentorkit.datasets as ds

    d = ds.load("program_sample")
    s = d.surveys
    both = set(s.loc[s["wave"] == "pre", "participant_id"]) & set(s.loc[s["wave"] == "post", "participant_id"])
    left = set(d.outcomes.loc[d.outcomes["exited"].astype(bool), "participant_id"])
    commented = set(d.comments["participant_id"])
    mentees = d.participants.loc[d.participants["role"] == "mentee", "participant_id"]
    pick = sorted((set(mentees) & both & commented & left) or (set(mentees) & both & commented))[0]
    parts = d.participants.copy()
    parts.loc[parts["participant_id"] == pick, "cohort"] = SOLO
    return dataclasses.replace(d, participants=parts), pick


def truth(data, pid: str) -> dict:
    """What the attacker wants: the person's answers per item and wave, and whether she left."""
    s = data.surveys[data.surveys["participant_id"] == pid]
    o = data.outcomes[data.outcomes["participant_id"] == pid].iloc[0]
    words = sorted({w.lower() for t in data.comments.loc[data.comments["participant_id"] == pid, "text"]
                    for w in re.findall(r"[A-Za-z]{5,}", t)})
    return {"answers": s.set_index(["wave", "item"])["value"].to_dict(), "exited": bool(o["exited"]),
            "words": tuple(words[:8])}


# ------------------------------------------------------------------ the views

def naive_views(data, min_size: int = 5) -> dict:
    """The old dashboards: every cohort an option; only a selection that is itself small shows nothing."""
    from mentorkit.analysis.outcomes import program_prepost
    from mentorkit.analysis.retention import program_retention
    from mentorkit.privacy import redact_text
    from mentorkit.analysis.engagement import default_as_of, monthly_attendance
    from mentorkit.analysis.retention import survival_curves
    from mentorkit.program.select import date_window
    from mentorkit.program.select import select_cohort as filter_cohort
    from mentorkit.program.select import select_pairs as filter_program

    cohorts = sorted(data.participants.loc[data.participants["role"] == "mentee", "cohort"].dropna().unique())
    redacted = pd.Series(redact_text(data.comments["text"].tolist()), index=data.comments.index)
    end = default_as_of(data)
    out = {}
    for opt in ["All"] + cohorts:
        sub = filter_cohort(data, None if opt == "All" else opt)
        people = sub.participants["role"].isin(["mentee", "comparison"]).sum()
        view = {}
        if people >= min_size:
            view["pre-post change"] = program_prepost(sub, min_size=min_size)
            view["retention"] = program_retention(sub, min_size=min_size)
            view["survival curves"] = survival_curves(sub, min_size=min_size)
            from mentorkit.analysis.equity import equity_gaps
            view["equity gaps"] = equity_gaps(sub, min_size=min_size)
            text = redacted.reindex(sub.comments.index)
            if sub.comments["participant_id"].nunique() >= min_size:
                view["comment counts"] = {w: int(text.str.contains(w, case=False, regex=False).sum()) for w in WORDS}
        hsel = filter_program(data, cohort=None if opt == "All" else opt)
        win = date_window(hsel, hsel.pairs["start_date"].min() if len(hsel.pairs) else end, end)
        if len(win.pairs) >= min_size:
            view["monthly attendance"] = monthly_attendance(win, end, min_size=min_size)
        out[opt] = view
    return out


def guarded_views(data, min_size: int = 5) -> dict:
    """The dashboards as they are: every option their cohort filters offer, the tables they export."""
    from mentorkit.widgets.health import ProgramHealth
    from mentorkit.widgets.outcomes import OutcomesROI

    dash = OutcomesROI(data, min_size=min_size)
    out = {}
    for opt in dash.cohort.options:
        dash.cohort.value = opt
        view = {k: v for k, v in dash.tables().items()}
        if view:
            counts = {}
            for w in WORDS:
                dash.comment_search.value = w
                m = re.search(r"(\d+) comment\(s\)", dash.comment_list.value)
                counts[w] = int(m.group(1)) if m else (0 if "No comment matches" in dash.comment_list.value else None)
            dash.comment_search.value = ""
            if all(v is not None for v in counts.values()):
                view["comment counts"] = counts
        out[opt] = view
    health = ProgramHealth(data, min_size=min_size)
    for opt in health.cohort.options:
        health.cohort.value = opt
        t = health.tables().get("monthly attendance")
        if t is not None:
            out.setdefault(opt, {})["monthly attendance"] = t
    return out


# -------------------------------------------------------------------- attacks

def _residual(views: dict, table: str, keys: list[str], count: str, values: list[str], *,
              missing_is_zero: bool = True) -> pd.DataFrame:
    """All minus the sum of every other option, per row key: people left over and their sums.

    A row an option does not have at all counts as zero people (a month without sessions)
    when *missing_is_zero*; a row it shows hidden (NaN) makes the difference unknown."""
    if "All" not in views or table not in views["All"]:
        return pd.DataFrame()
    def frame(t):
        t = t.copy()
        for v in values:
            t[f"sum_{v}"] = t[v].astype(float) * t[count].astype(float)
        return t.set_index(keys)[[count] + [f"sum_{v}" for v in values]].astype(float)
    whole = frame(views["All"][table])
    parts = [frame(v[table]) for k, v in views.items() if k != "All" and table in v]
    if not parts:
        return pd.DataFrame()
    aligned = []
    for p in parts:
        q = p.reindex(whole.index)
        if missing_is_zero:
            q.loc[~whole.index.isin(p.index)] = 0.0   # an option without the row: nobody there
        aligned.append(q)
    parts = aligned
    total = sum(parts)   # NaN where any option hid the row: not computable
    return whole - total


def attack(views: dict, min_size: int = 5, solo: dict | None = None) -> dict:
    """Run every differencing attack on *views*; count the rows that give away a small group."""
    found = {}
    pp = _residual(views, "pre-post change", ["group", "skill"], "n", ["mean_pre", "mean_post"])
    small = pp[(pp["n"] >= 0.5) & (pp["n"] < min_size)] if len(pp) else pp
    found["pre/post rows giving a small group's means"] = int(len(small))
    exact = 0
    if solo is not None and len(small):
        for (group, skill), r in small[small["n"].round() == 1].iterrows():
            item = f"conf_{skill}"
            if (abs(r["sum_mean_pre"] - solo["answers"].get(("pre", item), np.nan)) < 1e-6 and
                    abs(r["sum_mean_post"] - solo["answers"].get(("post", item), np.nan)) < 1e-6):
                exact += 1
    found["skills where one person's exact pre and post answers came out"] = exact
    ret = _residual(views, "retention", ["method"], "n_group", [])
    ev = _residual(views, "retention", ["method"], "events_group", [])
    leak = 0
    if len(ret):
        leak = int(((ret["n_group"] >= 0.5) & (ret["n_group"] < min_size) & ev["events_group"].notna()).sum())
    found["retention rows telling whether a small group left"] = leak
    sc = _residual(views, "survival curves", ["method", "group", "time"], "at_risk", [], missing_is_zero=False)
    found["survival-curve steps giving a small group's exits"] = int(((sc["at_risk"] >= 0.5) &
                                                                       (sc["at_risk"] < min_size)).sum()) if len(sc) else 0
    # comment counts: what "All" finds beyond the options that answered belongs to the options that did not
    found["comment searches attributing comments to a small group"] = 0
    if "All" in views and "comment counts" in views["All"]:
        others = [v["comment counts"] for k, v in views.items() if k != "All" and "comment counts" in v]
        diff = {w: views["All"]["comment counts"][w] - sum(o[w] for o in others) for w in WORDS}
        found["comment searches attributing comments to a small group"] = sum(1 for w in WORDS if diff[w] > 0)
    eq = _residual(views, "equity gaps", ["family", "measure", "breakdown", "group"], "n_group", ["value_group"])
    found["equity rows giving a small group's outcome"] = int(((eq["n_group"] >= 0.5) & (eq["n_group"] < min_size)
                                                               ).sum()) if len(eq) else 0
    ma = _residual(views, "monthly attendance", ["month"], "pairs", ["attendance_rate"])
    found["months giving a small group's sessions"] = int(((ma["pairs"] >= 0.5) & (ma["pairs"] < min_size)).sum()) \
        if len(ma) else 0
    return found


def main() -> None:
    from mentorkit.privacy import filter_options

    global WORDS
    data, pid = solo_program()
    solo = truth(data, pid)
    WORDS = solo["words"] or WORDS
    t0 = time.perf_counter()
    before = attack(naive_views(data), solo=solo)
    t_before = time.perf_counter() - t0
    t0 = time.perf_counter()
    after = attack(guarded_views(data), solo=solo)
    t_after = time.perf_counter() - t0
    p = data.participants[data.participants["role"].isin(["mentee", "comparison"])]
    opts = filter_options(p["cohort"].reset_index(drop=True), 5, people=p["participant_id"].tolist())
    print(f"program: bundled sample, one mentee moved to cohort {SOLO} (she left: {solo['exited']}); minimum group 5")
    print(f"cohort options after: {opts.options} ({SOLO} -> {opts.mapping[SOLO]!r})")
    print(f"{'attack':64s} {'before':>7s} {'after':>6s}")
    for k in before:
        print(f"{k:64s} {before[k]:7d} {after[k]:6d}")
    print(f"time to build every view: before {t_before:.1f} s, after {t_after:.1f} s "
          f"(ratio {t_after / max(t_before, 1e-9):.2f})")


if __name__ == "__main__":
    main()
