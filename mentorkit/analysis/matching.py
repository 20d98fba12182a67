"""Mentor-mentee matching: an explained fit score, optimal assignment with capacities, checks.

The people table has one row per person:

==============  =============================================================
column          meaning
==============  =============================================================
person_id       an id (pseudonymous)
role            ``mentor`` or ``mentee``
goals           mentees: what they want to work on (free text)
expertise       mentors: what they can help with (free text)
timezone        IANA time zone, e.g. ``Europe/Berlin``
work_start      local start of the working day, hour 0-24 (e.g. 9 or 8.5)
work_end        local end of the working day, hour 0-24 (after work_start)
feedback_style  mentees: the feedback they prefer; mentors: the way they give it
                (``direct``, ``gentle`` or ``flexible``)
capacity        mentors: how many mentees they can take (5-10 by default)
==============  =============================================================

The fit of a mentee and a mentor is a weighted sum of three parts, each between 0 and 1:

* ``goal_fit``: ``goal_similarity`` divided by the highest similarity in the pool, so the
  best-matched goals count fully however long the texts are; ``goal_similarity`` is the
  cosine similarity of the mentee's goals and the mentor's expertise
  in a TF-IDF space (words and word pairs, stop words removed, light stemming so that
  "negotiate" meets "negotiating") fitted on everyone's text;
* ``overlap_score``: shared working hours (both in UTC on a reference date, so time zones
  and daylight saving are handled) divided by ``min_overlap_hours`` and capped at 1;
* ``style_match``: 1 when the feedback styles agree or either is ``flexible``, else 0.

Mentors are expanded into one slot per unit of capacity and mentees are assigned to slots by
:func:`scipy.optimize.linear_sum_assignment`, maximising the total fit.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from mentorkit.analysis._common import require_columns
from mentorkit.errors import MentorkitError

__all__ = ["MatchResult", "DEFAULT_WEIGHTS", "PEOPLE_COLUMNS", "check_people", "score_matrix",
           "match", "blocking_pairs", "rematch_suggestions", "example_people", "stem"]

PEOPLE_COLUMNS = ["person_id", "role", "goals", "expertise", "timezone", "work_start", "work_end",
                  "feedback_style", "capacity"]
DEFAULT_WEIGHTS: dict[str, float] = {"goals": 0.6, "hours": 0.25, "style": 0.15}
STYLES = ("direct", "gentle", "flexible")
_EPS = 1e-9
_WORD = re.compile(r"[a-z][a-z0-9+#]*")
_SUFFIXES = ("ations", "ation", "ships", "ship", "ments", "ment", "ings", "ing", "ers", "er", "ies", "es", "ed",
             "ly", "s")


def stem(word: str) -> str:
    """A light suffix-stripping stem, so "negotiate" and "negotiating" meet (crude, on purpose).

    Examples
    --------
    >>> [stem(w) for w in ["negotiate", "negotiating", "leadership", "leading", "dashboards"]]
    ['negotiat', 'negotiat', 'lead', 'lead', 'dashboard']
    """
    for _ in range(2):
        for suf in _SUFFIXES:
            if word.endswith(suf) and len(word) - len(suf) >= 4:
                word = word[: -len(suf)] + ("y" if suf == "ies" else "")
                break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _analyzer(surface: dict[str, str]):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def analyse(text: str) -> list[str]:
        words = [w for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]
        stems = []
        for w in words:
            s = stem(w)
            surface.setdefault(s, w)
            stems.append(s)
        return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:])]

    return analyse


@dataclass
class MatchResult:
    """What :func:`match` found.

    Attributes
    ----------
    pairs : DataFrame
        One row per assigned pair: ids, ``score`` and its breakdown (each part and its
        weighted contribution) and the terms the goals and expertise share.
    unmatched : DataFrame
        Mentees left without a mentor, with the reason.
    blocking : DataFrame
        Mentee-mentor pairs not matched together who would both rather be (see
        :func:`blocking_pairs`); empty when the matching is stable.
    rejected : DataFrame
        Input rows that could not be used, with their row number and reason.
    scores : DataFrame
        The full long table of candidate scores (``mentee_id, mentor_id, score, ...``).
    """

    pairs: pd.DataFrame
    unmatched: pd.DataFrame
    blocking: pd.DataFrame
    rejected: pd.DataFrame
    scores: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """One-row overview: counts, mean score and the number of blocking pairs."""
        return pd.DataFrame([{"pairs": len(self.pairs), "unmatched": len(self.unmatched),
                              "mean_score": float(self.pairs["score"].mean()) if len(self.pairs) else np.nan,
                              "blocking_pairs": len(self.blocking), "rejected_rows": len(self.rejected)}])


def check_people(people: pd.DataFrame, *, capacity_range: tuple[int, int] = (5, 10),
                 where: str = "people") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate a people table and split it into usable and rejected rows.

    Returns
    -------
    (clean, rejected)
        *clean* has numeric hours and capacities and lower-case roles and styles;
        *rejected* keeps the original rows with ``row`` (1-based) and ``reason``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"person_id": ["a", "b"], "role": ["mentor", "boss"], "goals": ["", "x"],
    ...                   "expertise": ["sql", ""], "timezone": ["UTC", "UTC"], "work_start": [9, 9],
    ...                   "work_end": [17, 17], "feedback_style": ["direct", "gentle"], "capacity": [5, None]})
    >>> ok, bad = check_people(p)
    >>> bad["reason"].tolist()
    ["role must be 'mentor' or 'mentee', got 'boss'"]
    """
    require_columns(people, PEOPLE_COLUMNS, where)
    df = people.copy()
    reasons = pd.Series("", index=df.index, dtype=object)

    def flag(mask, text) -> None:
        mask = pd.Series(mask, index=df.index).fillna(False).astype(bool)
        for i in df.index[mask & (reasons == "")]:
            reasons[i] = text(i) if callable(text) else text

    df["role"] = df["role"].astype("string").str.strip().str.lower()
    flag(~df["role"].isin(["mentor", "mentee"]), lambda i: f"role must be 'mentor' or 'mentee', got {people.loc[i, 'role']!r}")
    flag(df["person_id"].isna(), "person_id is missing")
    flag(df["person_id"].duplicated(keep="first"), lambda i: f"person_id {df.loc[i, 'person_id']!r} appears more than once")
    for c in ("work_start", "work_end"):
        v = pd.to_numeric(df[c], errors="coerce")
        flag(v.isna() | (v < 0) | (v > 24), lambda i, c=c: f"{c} must be an hour between 0 and 24, got {people.loc[i, c]!r}")
        df[c] = v
    flag(df["work_end"] <= df["work_start"], "work_end must be later than work_start")

    def tz_ok(name) -> bool:
        try:
            ZoneInfo(str(name))
            return True
        except (ZoneInfoNotFoundError, ValueError):
            return False

    flag(~df["timezone"].map(tz_ok), lambda i: f"timezone {people.loc[i, 'timezone']!r} is not a known IANA time zone")
    df["feedback_style"] = df["feedback_style"].astype("string").str.strip().str.lower()
    flag(~df["feedback_style"].isin(STYLES),
         lambda i: f"feedback_style must be one of {', '.join(STYLES)}, got {people.loc[i, 'feedback_style']!r}")
    is_mentor = df["role"] == "mentor"
    cap = pd.to_numeric(df["capacity"], errors="coerce")
    lo, hi = capacity_range
    flag(is_mentor & (cap.isna() | (cap % 1 != 0) | (cap < lo) | (cap > hi)),
         lambda i: f"capacity must be a whole number from {lo} to {hi} for a mentor, got {people.loc[i, 'capacity']!r}")
    for col, role in (("goals", "mentee"), ("expertise", "mentor")):
        text = df[col].astype("string").fillna("").str.strip()
        flag((df["role"] == role) & (text == ""), f"{col} is empty for a {role}")
        df[col] = text
    df["capacity"] = cap
    bad = reasons != ""
    rejected = people[bad].copy()
    rejected.insert(0, "reason", reasons[bad])
    rejected.insert(0, "row", np.flatnonzero(bad.to_numpy()) + 1)
    clean = df[~bad].reset_index(drop=True)
    clean.loc[clean["role"] == "mentor", "capacity"] = clean.loc[clean["role"] == "mentor", "capacity"].astype(int)
    return clean, rejected


def _utc_interval(tz: str, start: float, end: float, day: _dt.date) -> tuple[float, float]:
    base = _dt.datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
    off = base.utcoffset().total_seconds() / 3600
    return start - off, end - off


def _overlap_hours(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hours shared by intervals a (M×2) and b (R×2), allowing wrap-around across UTC midnight."""
    best = np.zeros((len(a), len(b)))
    for shift in (-24.0, 0.0, 24.0):
        lo = np.maximum(a[:, None, 0], b[None, :, 0] + shift)
        hi = np.minimum(a[:, None, 1], b[None, :, 1] + shift)
        best += np.clip(hi - lo, 0, None)
    return best


def score_matrix(mentees: pd.DataFrame, mentors: pd.DataFrame, *, weights: Mapping[str, float] | None = None,
                 min_overlap_hours: float = 4.0, reference_date: _dt.date = _dt.date(2025, 3, 17),
                 n_shared_terms: int = 3) -> pd.DataFrame:
    """Fit score of every mentee with every mentor, with its breakdown.

    Parameters
    ----------
    mentees, mentors : DataFrame
        Rows of a checked people table (see :func:`check_people`).
    weights : mapping
        Weights of ``goals``, ``hours`` and ``style`` (default :data:`DEFAULT_WEIGHTS`);
        they are rescaled to sum to 1 so the score stays between 0 and 1.
    min_overlap_hours : float
        Shared working hours that count as a full overlap.
    reference_date : date
        The day on which time zone offsets are taken (daylight saving differs by date).

    Returns
    -------
    DataFrame
        Long table ``mentee_id, mentor_id, score, goal_similarity, goal_fit, hours_overlap,
        overlap_score, style_match, goals_part, hours_part, style_part, shared_terms``.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"person_id": ["m1"], "goals": ["public speaking"], "timezone": ["UTC"],
    ...                   "work_start": [9], "work_end": [17], "feedback_style": ["direct"]})
    >>> b = pd.DataFrame({"person_id": ["M1"], "expertise": ["public speaking coach"], "timezone": ["UTC"],
    ...                   "work_start": [9], "work_end": [17], "feedback_style": ["flexible"]})
    >>> s = score_matrix(a, b)
    >>> float(s["hours_overlap"].iloc[0]), float(s["style_match"].iloc[0])
    (8.0, 1.0)
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = set(w) - set(DEFAULT_WEIGHTS)
    if unknown:
        raise MentorkitError(f"matching weights: unknown part(s) {sorted(unknown)}; use goals, hours, style")
    w = {k: float(w.get(k, 0.0)) for k in DEFAULT_WEIGHTS}
    total = sum(w.values())
    if total <= 0 or any(v < 0 for v in w.values()):
        raise MentorkitError(f"matching weights must be non-negative and not all zero, got {w}")
    w = {k: v / total for k, v in w.items()}

    surface: dict[str, str] = {}
    vec = TfidfVectorizer(analyzer=_analyzer(surface), sublinear_tf=True, min_df=1)
    texts = pd.concat([mentees["goals"], mentors["expertise"]]).astype(str).tolist()
    try:
        X = vec.fit_transform(texts)
    except ValueError:  # every text is a stop word
        X = None
    M, R = len(mentees), len(mentors)
    if X is not None:
        A, B = X[:M], X[M:]
        sim = (A @ B.T).toarray()
        terms = np.asarray([" ".join(surface.get(p, p) for p in f.split(" "))
                            for f in vec.get_feature_names_out()])
    else:
        sim = np.zeros((M, R))
    sim = np.clip(sim, 0, 1)
    top = sim.max() if sim.size else 0.0
    fit = sim / top if top > 0 else sim

    def intervals(df):
        return np.array([_utc_interval(tz, s, e, reference_date)
                         for tz, s, e in zip(df["timezone"], df["work_start"], df["work_end"])]).reshape(-1, 2)

    hours = _overlap_hours(intervals(mentees), intervals(mentors))
    overlap = np.clip(hours / float(min_overlap_hours), 0, 1)
    sa = mentees["feedback_style"].to_numpy(dtype=object)[:, None]
    sb = mentors["feedback_style"].to_numpy(dtype=object)[None, :]
    style = ((sa == sb) | (sa == "flexible") | (sb == "flexible")).astype(float)
    score = w["goals"] * fit + w["hours"] * overlap + w["style"] * style

    shared = np.full((M, R), "", dtype=object)
    if X is not None and n_shared_terms:
        A = A.tocsr()
        B = B.tocsr()
        for i in range(M):
            ai = A[i]
            if ai.nnz == 0:
                continue
            for j in np.flatnonzero(sim[i] > 0):
                prod = ai.multiply(B[j]).tocoo()
                order = np.argsort(-prod.data)[:n_shared_terms]
                shared[i, j] = ", ".join(terms[prod.col[order]])
    mi, rj = np.meshgrid(np.arange(M), np.arange(R), indexing="ij")
    return pd.DataFrame({
        "mentee_id": mentees["person_id"].to_numpy()[mi.ravel()],
        "mentor_id": mentors["person_id"].to_numpy()[rj.ravel()],
        "score": score.ravel(), "goal_similarity": sim.ravel(), "goal_fit": fit.ravel(),
        "hours_overlap": hours.ravel(), "overlap_score": overlap.ravel(), "style_match": style.ravel(),
        "goals_part": (w["goals"] * fit).ravel(), "hours_part": (w["hours"] * overlap).ravel(),
        "style_part": (w["style"] * style).ravel(), "shared_terms": shared.ravel(),
    })


def _assign_optimal(S: np.ndarray, cap: np.ndarray) -> np.ndarray:
    from scipy.optimize import linear_sum_assignment

    slots = np.repeat(np.arange(S.shape[1]), cap)
    if len(slots) == 0:
        return np.full(S.shape[0], -1)
    rows, cols = linear_sum_assignment(-S[:, slots])
    out = np.full(S.shape[0], -1)
    out[rows] = slots[cols]
    return out


def _assign_greedy(S: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Best remaining pair first: with one shared score this is stable (no blocking pairs)."""
    out = np.full(S.shape[0], -1)
    left = cap.astype(int).copy()
    order = np.argsort(-S, axis=None, kind="stable")
    for flat in order:
        i, j = divmod(int(flat), S.shape[1])
        if out[i] == -1 and left[j] > 0:
            out[i] = j
            left[j] -= 1
    return out


def blocking_pairs(S: np.ndarray, assignment: np.ndarray, capacity: np.ndarray) -> pd.DataFrame:
    """Unmatched mentee-mentor pairs who would both rather be together.

    A mentee prefers a mentor when their score beats the mentee's current one (any score
    beats having no mentor); the mentor prefers the mentee when they still have room, or
    when the score beats that of their weakest current mentee.

    Parameters
    ----------
    S : array (mentees × mentors)
        Fit scores.
    assignment : array of int
        Mentor index of each mentee, -1 if unmatched.
    capacity : array of int
        Capacity of each mentor.

    Returns
    -------
    DataFrame
        ``mentee, mentor, score, mentee_current, mentor_weakest`` (positions), empty when stable.

    Examples
    --------
    >>> import numpy as np
    >>> S = np.array([[0.9, 0.1], [0.8, 0.2]])
    >>> len(blocking_pairs(S, np.array([1, 0]), np.array([1, 1])))
    1
    """
    M, R = S.shape
    cur = np.where(assignment >= 0, S[np.arange(M), np.clip(assignment, 0, None)], -np.inf)
    load = np.bincount(assignment[assignment >= 0], minlength=R)
    weakest = np.full(R, -np.inf)
    for j in range(R):
        if load[j] >= capacity[j]:
            weakest[j] = S[assignment == j, j].min() if load[j] else np.inf
    block = (S > cur[:, None] + _EPS) & (S > weakest[None, :] + _EPS)
    block[np.arange(M), np.clip(assignment, 0, None)] &= assignment < 0
    i, j = np.nonzero(block)
    return pd.DataFrame({"mentee": i, "mentor": j, "score": S[i, j], "mentee_current": cur[i],
                         "mentor_weakest": weakest[j]})


def match(people: pd.DataFrame, *, weights: Mapping[str, float] | None = None, method: str = "optimal",
          capacity_range: tuple[int, int] = (5, 10), min_overlap_hours: float = 4.0,
          reference_date: _dt.date = _dt.date(2025, 3, 17), where: str = "people") -> MatchResult:
    """Assign mentees to mentors, respecting capacities, and explain every pair.

    Parameters
    ----------
    people : DataFrame
        The people table described in the module docstring.
    method : {"optimal", "stable"}
        ``optimal`` maximises the total score (linear_sum_assignment over capacity slots);
        ``stable`` takes the best remaining pair first, which leaves no blocking pair but may
        lower the total.
    capacity_range : (int, int)
        Allowed mentor capacities; rows outside are rejected.

    Returns
    -------
    MatchResult

    Examples
    --------
    >>> from mentorkit.analysis.matching import match, example_people
    >>> r = match(example_people())
    >>> r.summary()[["unmatched", "rejected_rows"]].to_dict("records")
    [{'unmatched': 0, 'rejected_rows': 0}]
    """
    if method not in ("optimal", "stable"):
        raise MentorkitError(f"matching method must be 'optimal' or 'stable', got {method!r}")
    clean, rejected = check_people(people, capacity_range=capacity_range, where=where)
    mentees = clean[clean["role"] == "mentee"].reset_index(drop=True)
    mentors = clean[clean["role"] == "mentor"].reset_index(drop=True)
    if mentees.empty or mentors.empty:
        raise MentorkitError(f"{where}: need at least one usable mentee and one usable mentor "
                             f"(found {len(mentees)} mentee(s), {len(mentors)} mentor(s), {len(rejected)} rejected row(s))")
    scores = score_matrix(mentees, mentors, weights=weights, min_overlap_hours=min_overlap_hours,
                          reference_date=reference_date)
    M, R = len(mentees), len(mentors)
    S = scores["score"].to_numpy().reshape(M, R)
    cap = mentors["capacity"].to_numpy(dtype=int)
    assignment = _assign_optimal(S, cap) if method == "optimal" else _assign_greedy(S, cap)
    idx = np.flatnonzero(assignment >= 0)
    pairs = scores.iloc[idx * R + assignment[idx]].reset_index(drop=True)
    unmatched = pd.DataFrame({"mentee_id": mentees.loc[assignment < 0, "person_id"].to_numpy(),
                              "reason": f"all {int(cap.sum())} mentor places are taken"})
    b = blocking_pairs(S, assignment, cap)
    blocking = pd.DataFrame({"mentee_id": mentees["person_id"].to_numpy()[b["mentee"]],
                             "mentor_id": mentors["person_id"].to_numpy()[b["mentor"]],
                             "score": b["score"], "mentee_current_score": b["mentee_current"],
                             "mentor_weakest_score": b["mentor_weakest"]})
    return MatchResult(pairs=pairs, unmatched=unmatched, blocking=blocking, rejected=rejected, scores=scores)


REMATCH_COLUMNS = ["mentee_id", "current_mentor_id", "current_score", "rank", "kind", "suggested_mentor_id",
                   "score", "gain", "swap_with", "other_change", "goal_similarity", "hours_overlap", "style_match",
                   "shared_terms"]


def rematch_suggestions(people: pd.DataFrame, pairs: pd.DataFrame, poor_fit: Sequence, *, k: int = 3,
                        max_other_loss: float = 0.1, weights: Mapping[str, float] | None = None,
                        capacity_range: tuple[int, int] = (5, 10), min_overlap_hours: float = 4.0) -> pd.DataFrame:
    """Other mentors for mentees who answered that the fit is poor.

    The answer says something the score did not capture, so the current pair is ruled out
    and the other mentors are ranked by their score with the mentee. Each suggestion is

    * ``move``: the mentor still has room under their capacity, or
    * ``swap``: the mentor is full, and one of their mentees would take the freed place with
      the current mentor; the one who loses least is proposed, and swaps that cost them more
      than *max_other_loss* are left out (``other_change`` is their change in score).

    An assignment from :func:`match` is already optimal, so a suggestion can score below the
    current pair (``gain`` < 0): it trades the model's view for what the mentee reported.

    Parameters
    ----------
    people : DataFrame
        The people table.
    pairs : DataFrame
        Current pairs, columns ``mentee_id`` and ``mentor_id``.
    poor_fit : list
        Mentee ids who answered that the fit is poor.
    k : int
        Suggestions per mentee.

    Returns
    -------
    DataFrame
        ``REMATCH_COLUMNS``; ``kind = "none"`` when no mentor can be offered.

    Examples
    --------
    >>> from mentorkit.analysis.matching import match, example_people
    >>> people = example_people()
    >>> pairs = match(people).pairs
    >>> s = rematch_suggestions(people, pairs, [pairs["mentee_id"].iloc[0]], k=2)
    >>> s["rank"].tolist()
    [1, 2]
    """
    require_columns(pairs, ["mentee_id", "mentor_id"], "pairs")
    clean, _ = check_people(people, capacity_range=capacity_range)
    mentees = clean[clean["role"] == "mentee"].reset_index(drop=True)
    mentors = clean[clean["role"] == "mentor"].reset_index(drop=True)
    unknown = [m for m in poor_fit if m not in set(pairs["mentee_id"])]
    if unknown:
        raise MentorkitError(f"rematch: mentee id(s) {unknown[:5]} are not in the pairs table")
    scores = score_matrix(mentees, mentors, weights=weights, min_overlap_hours=min_overlap_hours)
    S = scores.set_index(["mentee_id", "mentor_id"])
    load = pairs["mentor_id"].value_counts()
    room = mentors.set_index("person_id")["capacity"].sub(load, fill_value=0)
    current = dict(zip(pairs["mentee_id"], pairs["mentor_id"]))
    by_mentor: dict = {}
    for mentee, mentor in current.items():
        by_mentor.setdefault(mentor, []).append(mentee)
    unhappy = set(poor_fit)
    rows = []
    for m in poor_fit:
        a = current[m]
        cur = float(S.loc[(m, a), "score"])
        options = []
        for b in mentors["person_id"]:
            if b == a:
                continue
            r = S.loc[(m, b)]
            if room.get(b, 0) > 0:
                options.append(("move", b, r, None, np.nan))
                continue
            changes = [(float(S.loc[(m2, a), "score"] - S.loc[(m2, b), "score"]), m2)
                       for m2 in by_mentor.get(b, []) if m2 not in unhappy]
            if changes:
                change, m2 = max(changes)
                if change >= -max_other_loss:
                    options.append(("swap", b, r, m2, change))
        options.sort(key=lambda o: (-float(o[2]["score"]), o[0] != "move"))
        if not options:
            rows.append({"mentee_id": m, "current_mentor_id": a, "current_score": cur, "rank": np.nan,
                         "kind": "none", "suggested_mentor_id": None, "score": np.nan, "gain": np.nan,
                         "swap_with": None, "other_change": np.nan, "goal_similarity": np.nan,
                         "hours_overlap": np.nan, "style_match": np.nan, "shared_terms": ""})
            continue
        for rank, (kind, b, r, m2, change) in enumerate(options[:k], start=1):
            rows.append({"mentee_id": m, "current_mentor_id": a, "current_score": cur, "rank": rank, "kind": kind,
                         "suggested_mentor_id": b, "score": float(r["score"]), "gain": float(r["score"]) - cur,
                         "swap_with": m2, "other_change": change, "goal_similarity": float(r["goal_similarity"]),
                         "hours_overlap": float(r["hours_overlap"]), "style_match": float(r["style_match"]),
                         "shared_terms": r["shared_terms"]})
    return pd.DataFrame(rows, columns=REMATCH_COLUMNS)


def example_people() -> pd.DataFrame:
    """The shipped example people table (``datasets/matching_example/people.csv``)."""
    from pathlib import Path

    here = Path(__file__).resolve()
    for base in (here.parents[2] / "datasets" / "matching_example", here.parent.parent / "data" / "matching_example"):
        path = base / "people.csv"
        if path.exists():
            return pd.read_csv(path)
    raise MentorkitError("the matching example (datasets/matching_example/people.csv) is not installed")
