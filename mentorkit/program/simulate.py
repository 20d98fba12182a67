"""A realistic mentoring program, simulated with known truth.

:func:`simulate` writes (and returns) a complete program in the data model of
:mod:`mentorkit.program.schema`, deterministic by seed. What it models:

* **Cohorts** of 12, 16, 20 or 26 weeks (12 weeks to 6 months), starting
  every 8 weeks.
* **Selection**: a workforce pool in which the chance of opting in rises with
  prior engagement and falls with tenure (a logistic model, scaled by
  ``selection_strength``). Mentees are opt-ins, the comparison group is drawn
  from those who did not opt in, so naive mentee-vs-comparison differences
  are biased (engagement also raises confidence growth, promotion and
  retention). ``truth.json`` states the direction and size of that bias.
* **Models and matching**: one-to-one, group (groups of 5-15, one
  facilitator), peer, reverse (a junior mentor) and async; mentors of the
  individual models have a capacity of 5-10 and take on 50-100% of it.
* **Time zones**: people work 09:00-17:00 in real IANA zones; mentors are
  matched across regions 30% of the time. The overlap of working hours
  (standard offsets) lowers a pair's attendance:
  ``p = attendance * (1 - tz_penalty * (1 - overlap / 8))``, with a
  Beta(20 p, 20 (1 - p)) spread between pairs.
* **Check-ins** every 7, 14 or 28 days (weekly / biweekly / monthly) from
  the start until the end (6 per 12 weeks at the default biweekly cadence),
  all planned ones recorded, attended or not.
* **Messages** with reply times log-normal around ``reply_median_hours``
  (30 h by default, so about 70% are answered within the 48-hour norm),
  longer for pairs far apart; about 8% are never answered.
* **Goals** (1-3 per mentee) with a status snapshot every four weeks that
  drifts between on track, behind and blocked (a Markov chain that good
  attendance steadies), some completed.
* **Surveys** in four waves (mentees: pre, mid, post, 90-day; the
  comparison group: pre and post only) with five 1-10 confidence items
  ``conf_<skill>``, and for mentees at mid and post the mentoring-functions
  scale (career, psychosocial, role modelling; three 1-7 items each).
* **Outcomes** over 24 months from each person's index date (the cohort
  start) for mentees and the comparison group: exit (exponential hazard),
  promotion (logistic), salary change.
* **Comments**: free text at mid and post from varied phrase pools (some
  name people, one carries an HTML ``<script>`` snippet, some start with
  ``=``, ``+``, ``-`` or ``@``) to exercise redaction and escaping.

Planted effects (written to ``truth.json``):

* ``confidence_effect_d``: mentoring raises each confidence item at post by
  d latent pre-wave standard deviations (1.6 scale points) for a mentee with
  the mean number of attended sessions;
* ``dose_response_per_session``: each attended session above (below) that
  mean adds (removes) this many SDs;
* ``retention_hazard_ratio``: the exit hazard of mentees relative to
  comparable non-mentored people;
* ``promotion_odds_ratio``: the odds of promotion within 24 months;
* with ``practice=True``, ``practice_per_attempt`` and ``practice_per_10_points``: the rise of a
  mentee's mean confidence change per practice attempt of their mentor and per 10 points of the
  mentor's mean practice score, with mentor tenure and cohort as planted confounders (the
  practice log is ``data.practice`` and ``practice_attempts.csv``).

Example
-------
>>> from mentorkit.program import simulate
>>> data = simulate(mentees=60, seed=1)
>>> int((data.participants["role"] == "mentee").sum()), data.truth["seed"]
(60, 1)
"""
from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.program.data import ProgramData, ValidationReport
from mentorkit.program.schema import (CADENCE_DAYS, CADENCES, CONFIDENCE_ITEMS, FUNCTION_SUBSCALES, MODELS,
                                      SKILLS, TABLE_ORDER)

__all__ = ["simulate", "SimulationSettings", "DEFAULTS", "REGIONS", "COHORT_WEEKS", "FOLLOW_UP_MONTHS", "PRACTICE_FILE"]

COHORT_WEEKS = (12, 16, 20, 26)
FOLLOW_UP_MONTHS = 24
COHORT_SPACING_DAYS = 56
#: region: (share of the workforce, {IANA zone: share within the region})
REGIONS: dict[str, tuple[float, dict[str, float]]] = {
    "North America": (0.34, {"America/New_York": 0.35, "America/Chicago": 0.25, "America/Denver": 0.1,
                             "America/Los_Angeles": 0.2, "America/Toronto": 0.1}),
    "Europe": (0.30, {"Europe/London": 0.3, "Europe/Berlin": 0.25, "Europe/Paris": 0.2, "Europe/Madrid": 0.1,
                      "Europe/Warsaw": 0.15}),
    "Asia-Pacific": (0.20, {"Asia/Singapore": 0.3, "Asia/Kolkata": 0.3, "Asia/Tokyo": 0.15,
                            "Australia/Sydney": 0.15, "Asia/Manila": 0.1}),
    "Latin America": (0.10, {"America/Sao_Paulo": 0.5, "America/Mexico_City": 0.3, "America/Bogota": 0.2}),
    "Africa & Middle East": (0.06, {"Africa/Johannesburg": 0.3, "Africa/Lagos": 0.25, "Asia/Dubai": 0.25,
                                    "Africa/Nairobi": 0.2}),
}
DEPARTMENTS = ("Engineering", "Sales", "Operations", "Customer Success", "Finance", "Marketing", "Product",
               "People & HR", "Legal", "Research")
_DEPT_SHARE = (0.24, 0.16, 0.14, 0.1, 0.08, 0.08, 0.08, 0.05, 0.03, 0.04)

DEFAULTS = dict(
    comparison=None, cohorts=None, start="2022-01-10",
    confidence_effect_d=0.5, dose_response_per_session=0.05, retention_hazard_ratio=0.7,
    promotion_odds_ratio=1.3, attendance=0.85, tz_penalty=0.3, selection_strength=1.0,
    model_mix={"one-to-one": 0.4, "group": 0.2, "peer": 0.15, "reverse": 0.1, "async": 0.15},
    cadence_mix={"weekly": 0.1, "biweekly": 0.6, "monthly": 0.3},
    reply_median_hours=30.0, baseline_exit_rate=0.15, cross_region_share=0.3,
)

_LATENT_SD = 1.6           # latent SD of a confidence item at pre (scale points)
_SKILL_MEANS = np.array([5.2, 5.6, 4.8, 4.9, 5.3])
_ENGAGE_GROWTH = 0.25      # SDs of extra confidence growth per SD of prior engagement
_TREND = 0.10              # SDs of growth everyone shows between pre and post
_EXIT_BETA = {"prior_engagement": -0.5, "log_tenure": -0.3}
_PROMO_BETA = {"intercept": math.log(0.15 / 0.85), "prior_engagement": 0.4, "log_tenure": -0.2}
_OPT_IN_BETA = {"prior_engagement": 1.0, "log_tenure": -0.6}
_LOG_TENURE_MEAN = 1.3
_REF_DATE = pd.Timestamp("2023-03-01")

_STREAMS = ("pool", "cohort", "match", "mentors", "ids", "sessions", "goals", "messages", "surveys",
            "outcomes", "comments", "equity", "sponsorship", "practice")   # new streams go last: old ones stay as they were

#: self-described gender and ethnicity of the workforce (shares), for the equity lens
GENDERS = {"woman": 0.48, "man": 0.49, "non-binary": 0.03}
ETHNICITIES = {"Asian": 0.15, "Black": 0.13, "Hispanic or Latino": 0.17, "White": 0.50, "Multiple or other": 0.05}
#: chance a mentee is offered each kind of sponsorship at least once during the program, and the planted gaps
_SPONSOR_RATE = {"stretch assignment": 0.45, "introduction": 0.60, "promotion nomination": 0.30}
_SPONSOR_GAPS = (
    {"kind": "promotion nomination", "breakdown": "gender", "group": "woman", "reference": "man", "rate": 0.20},
    {"kind": "stretch assignment", "breakdown": "gender × ethnicity", "group": "woman × Black",
     "reference": "man × White", "rate": 0.25},
)


# ------------------------------------------------------------------ helpers

def _offsets() -> dict[str, float]:
    import zoneinfo
    ref = _REF_DATE.to_pydatetime()
    out = {}
    for _, (_, zones) in REGIONS.items():
        for z in zones:
            out[z] = ref.replace(tzinfo=zoneinfo.ZoneInfo(z)).utcoffset().total_seconds() / 3600
    return out


def _overlap_hours(off_a: np.ndarray, off_b: np.ndarray) -> np.ndarray:
    """Overlap of two 09:00-17:00 working days, from UTC offsets in hours."""
    d = np.abs(off_a - off_b) % 24
    d = np.minimum(d, 24 - d)
    return np.clip(8 - d, 0, 8)


def _ids(rng: np.random.Generator, n: int, prefix: str, digits: int) -> np.ndarray:
    top = 16 ** digits
    vals = rng.integers(0, top, size=n, dtype=np.int64)
    while len(np.unique(vals)) < n:   # astronomically rare: redraw the repeats
        _, first = np.unique(vals, return_index=True)
        dup = np.setdiff1d(np.arange(n), first)
        vals[dup] = rng.integers(0, top, size=len(dup), dtype=np.int64)
    return np.array([f"{prefix}{v:0{digits}x}" for v in vals.tolist()], dtype=object)


def _choice(rng: np.random.Generator, options, probs, size) -> np.ndarray:
    options = list(options)
    p = np.asarray(probs, dtype=float)
    p = p / p.sum()
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def _split_groups(n: int, rng: np.random.Generator, lo: int = 5, hi: int = 15) -> list[int]:
    """Group sizes in [lo, hi] that add up to n (n >= lo)."""
    sizes: list[int] = []
    left = n
    while left > 0:
        if left <= hi:
            sizes.append(left)
            break
        s = int(rng.integers(lo, hi + 1))
        if left - s < lo:
            s = left - lo
        sizes.append(s)
        left -= s
    return sizes


def _weekday(dates: np.ndarray) -> np.ndarray:
    """Move Saturdays to Friday and Sundays to Monday (datetime64[D])."""
    dow = (dates.astype("datetime64[D]").view(np.int64) + 3) % 7   # Monday = 0
    return dates + np.where(dow == 5, -1, np.where(dow == 6, 1, 0)).astype("timedelta64[D]")


def _to_ns(a: np.ndarray) -> np.ndarray:
    return a.astype("datetime64[ns]")


def _check_mix(name: str, mix: dict, allowed) -> dict:
    unknown = set(mix) - set(allowed)
    if unknown:
        raise MentorkitError(f"{name}: unknown key(s) {sorted(unknown)}; allowed: {list(allowed)}")
    if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        raise MentorkitError(f"{name}: shares must be non-negative and not all zero")
    return {k: float(mix.get(k, 0.0)) for k in allowed}


# ------------------------------------------------------------------ stages

def _pool(rng, n_mentees: int, n_comp: int, strength: float):
    """Draw a workforce and split it into opt-ins (mentees) and the comparison group."""
    size = int(max(n_mentees / 0.12, n_comp / 0.6)) + 200
    while True:
        z = rng.standard_normal(size)
        log_t = np.clip(rng.normal(_LOG_TENURE_MEAN, 0.8, size), np.log(0.2), np.log(35))
        lt = log_t - _LOG_TENURE_MEAN
        logit = -1.1 + strength * (_OPT_IN_BETA["prior_engagement"] * z + _OPT_IN_BETA["log_tenure"] * lt)
        opt_in = rng.random(size) < 1 / (1 + np.exp(-logit))
        ins, outs = np.flatnonzero(opt_in), np.flatnonzero(~opt_in)
        if len(ins) >= n_mentees and len(outs) >= n_comp:
            break
        size *= 2
    idx = np.concatenate([ins[:n_mentees], outs[:n_comp]])
    regions = list(REGIONS)
    region = _choice(rng, regions, [REGIONS[r][0] for r in regions], size)[idx]
    tz = np.empty(len(idx), dtype=object)
    for r in regions:
        m = region == r
        zones = REGIONS[r][1]
        tz[m] = _choice(rng, list(zones), list(zones.values()), int(m.sum()))
    dept = _choice(rng, DEPARTMENTS, _DEPT_SHARE, len(idx))
    return {
        "prior_engagement": z[idx], "log_tenure": log_t[idx], "region": region, "timezone": tz,
        "department": dept, "pool_size": size, "opt_in_rate": float(opt_in.mean()),
    }


@dataclass(frozen=True)
class SimulationSettings:
    """Everything a simulated program is made from; the same settings give byte-identical files.

    Attributes
    ----------
    mentees : int
        Number of mentees (at least 10).
    seed : int
        Random seed.
    comparison : int, optional
        Size of the non-mentored comparison group (default: as many as mentees).
    cohorts : int, optional
        Number of cohorts (default ``min(12, ceil(mentees / 100))``).
    start : str
        Start date of the first cohort (cohorts start every 8 weeks).
    confidence_effect_d, dose_response_per_session, retention_hazard_ratio, promotion_odds_ratio : float
        The planted effects (see the module docstring).
    attendance : float
        Attendance probability of a pair whose working hours fully overlap.
    tz_penalty : float
        Share of attendance lost by a pair with no overlap at all.
    selection_strength : float
        Scales the opt-in model (0 = mentees and comparison group alike).
    model_mix, cadence_mix : dict, optional
        Shares of mentoring models and of check-in cadences.
    reply_median_hours : float
        Median reply time of messages within a time zone.
    baseline_exit_rate : float
        Yearly exit probability of an average non-mentored person.
    cross_region_share : float
        Share of mentors matched from a region other than their mentees'.
    practice : bool
        Also simulate the mentors' practice log (``data.practice``; ``practice_attempts.csv``
        when writing) and plant its relation to their mentees' confidence gain (see
        :func:`_practice`; off by default, so the other tables stay as they were).
    practice_per_attempt, practice_per_10_points : float
        The planted relation: extra rise of a mentee's mean ``conf_*`` change (post minus pre,
        scale points) per practice attempt of their mentor before the pair ended, and per 10
        points of the mentor's mean practice score (mentors who practised).

    >>> SimulationSettings(mentees=50).checked().comparison
    50
    >>> SimulationSettings(mentees=5).checked()
    Traceback (most recent call last):
    ...
    mentorkit.errors.MentorkitError: simulate: mentees must be at least 10, got 5
    """

    mentees: int = 600
    seed: int = 0
    comparison: int | None = None
    cohorts: int | None = None
    start: str = "2022-01-10"
    confidence_effect_d: float = 0.5
    dose_response_per_session: float = 0.05
    retention_hazard_ratio: float = 0.7
    promotion_odds_ratio: float = 1.3
    attendance: float = 0.85
    tz_penalty: float = 0.3
    selection_strength: float = 1.0
    model_mix: dict | None = None
    cadence_mix: dict | None = None
    reply_median_hours: float = 30.0
    baseline_exit_rate: float = 0.15
    cross_region_share: float = 0.3
    practice: bool = False
    practice_per_attempt: float = 0.03
    practice_per_10_points: float = 0.2

    def checked(self) -> "SimulationSettings":
        """These settings with the defaults filled in, or a :class:`MentorkitError` naming the bad field
        (its ``field`` attribute holds the name, so a front can say which of its options it was)."""
        def bad(field: str, message: str) -> MentorkitError:
            err = MentorkitError(f"simulate: {field} {message}")
            err.field = field
            return err

        if self.mentees < 10:
            raise bad("mentees", f"must be at least 10, got {self.mentees}")
        comparison = self.mentees if self.comparison is None else int(self.comparison)
        if comparison < 0:
            raise bad("comparison", f"must be 0 or more, got {comparison}")
        for name, lo, hi in (("attendance", 0.01, 1.0), ("tz_penalty", 0.0, 1.0),
                             ("retention_hazard_ratio", 0.05, 20.0), ("promotion_odds_ratio", 0.05, 20.0),
                             ("baseline_exit_rate", 0.001, 0.9), ("cross_region_share", 0.0, 1.0),
                             ("reply_median_hours", 0.1, 1000.0), ("selection_strength", 0.0, 10.0)):
            v = getattr(self, name)
            if not lo <= v <= hi:
                raise bad(name, f"must be between {lo} and {hi}, got {v}")
        try:
            start = str(np.datetime64(pd.Timestamp(self.start).date(), "D"))
        except (ValueError, TypeError):
            raise bad("start", f"must be a date like 2022-01-10, got {self.start!r}") from None
        if self.practice:
            for name in ("practice_per_attempt", "practice_per_10_points"):
                v = getattr(self, name)
                if not -2.0 <= v <= 2.0:
                    raise bad(name, f"must be between -2 and 2 scale points, got {v}")
        cohorts = int(self.cohorts) if self.cohorts else min(12, max(1, math.ceil(self.mentees / 100)))
        if cohorts < 1:
            raise bad("cohorts", f"must be at least 1, got {self.cohorts}")
        return dataclasses.replace(
            self, comparison=comparison, cohorts=cohorts, start=start,
            model_mix=_check_mix("model_mix", self.model_mix or DEFAULTS["model_mix"], MODELS),
            cadence_mix=_check_mix("cadence_mix", self.cadence_mix or DEFAULTS["cadence_mix"], CADENCES))


def simulate(settings: SimulationSettings | None = None, out: str | os.PathLike | None = None, *,
             format: str = "csv", progress: bool = False, **changes) -> ProgramData:
    """Simulate a mentoring program; write it to *out* when given (through :meth:`ProgramData.to_folder`).

    Parameters
    ----------
    settings : SimulationSettings, optional
        What to simulate (default :class:`SimulationSettings`).
    out : path-like, optional
        Folder to write one CSV (or Parquet) file per table plus ``truth.json``.
    format : {"csv", "parquet"}
        File format when writing.
    progress : bool
        Show a progress bar.
    **changes
        Fields of *settings* to change, by name (``simulate(mentees=50, seed=3)``).

    Returns
    -------
    ProgramData
        The program, with ``truth`` holding the planted effects.

    >>> simulate(mentees=20, seed=1).pairs.shape[0]
    20
    """
    unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(SimulationSettings)})
    if unknown:
        raise MentorkitError(f"simulate: unknown setting(s) {', '.join(unknown)}; the settings are the fields of "
                             "SimulationSettings")
    if format not in ("csv", "parquet"):
        raise MentorkitError(f"simulate: format must be csv or parquet, got {format!r}")
    s = dataclasses.replace(settings or SimulationSettings(), **changes).checked()
    mentees, seed, comparison, n_cohorts = s.mentees, s.seed, s.comparison, s.cohorts
    start_day = np.datetime64(s.start, "D")
    confidence_effect_d, dose_response_per_session = s.confidence_effect_d, s.dose_response_per_session
    retention_hazard_ratio, promotion_odds_ratio = s.retention_hazard_ratio, s.promotion_odds_ratio
    attendance, tz_penalty, selection_strength = s.attendance, s.tz_penalty, s.selection_strength
    model_mix, cadence_mix, reply_median_hours = s.model_mix, s.cadence_mix, s.reply_median_hours
    baseline_exit_rate, cross_region_share = s.baseline_exit_rate, s.cross_region_share
    practice, practice_per_attempt, practice_per_10_points = (s.practice, s.practice_per_attempt,
                                                              s.practice_per_10_points)
    # truth.json names the practice settings only when practice is simulated, so programs without it
    # keep the files they had
    options = {f.name: getattr(s, f.name) for f in dataclasses.fields(s) if not f.name.startswith("practice")}
    if practice:
        options.update(practice=True, practice_per_attempt=practice_per_attempt,
                       practice_per_10_points=practice_per_10_points)

    rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS)))))
    from tqdm.auto import tqdm
    bar = tqdm(total=10 + (len(TABLE_ORDER) if out else 0), desc="simulating", unit="step", disable=not progress)

    def step(label: str) -> None:
        bar.set_postfix_str(label)
        bar.update(1)

    offsets = _offsets()
    # ---------------------------------------------------------- people
    pool = _pool(rngs["pool"], mentees, comparison, selection_strength)
    n_people = mentees + comparison
    is_mentee = np.arange(n_people) < mentees
    r = rngs["cohort"]
    cohort_weeks = r.choice(COHORT_WEEKS, size=n_cohorts)
    cohort_start = start_day + np.arange(n_cohorts) * COHORT_SPACING_DAYS
    cohort_end = cohort_start + (cohort_weeks * 7).astype("timedelta64[D]")
    cohort_label = np.array([f"C{k + 1:02d}-{pd.Timestamp(d):%Y-%m}" for k, d in enumerate(cohort_start)],
                            dtype=object)
    person_cohort = np.concatenate([r.permutation(np.arange(mentees) % n_cohorts),
                                    r.permutation(np.arange(comparison) % n_cohorts)])
    ids_rng = rngs["ids"]
    person_id = _ids(ids_rng, n_people, "P", 12)
    step("people")

    # ---------------------------------------------------------- models and matching
    rm = rngs["match"]
    m_idx = np.flatnonzero(is_mentee)
    model = _choice(rm, MODELS, [model_mix[m] for m in MODELS], mentees)
    for k in range(n_cohorts):   # too few for a group in a cohort: they go one-to-one
        g = (person_cohort[m_idx] == k) & (model == "group")
        if 0 < g.sum() < 5:
            model[g] = "one-to-one"
    region_of = pool["region"]
    pair_mentee, pair_mentor, pair_group, mentor_rows = [], [], [], []
    # mentor rows: (cohort, model, region, capacity)
    n_mentors = 0
    region_names = list(REGIONS)
    region_p = np.array([REGIONS[x][0] for x in region_names])
    region_p = region_p / region_p.sum()
    group_counter = 0
    for k in range(n_cohorts):
        for mdl in MODELS:
            block = m_idx[(person_cohort[m_idx] == k) & (model == mdl)]
            if len(block) == 0:
                continue
            # sort by region (random order inside a region) so most mentors share their mentees' region
            block = block[np.lexsort((rm.random(len(block)), pd.factorize(region_of[block], sort=True)[0]))]
            if mdl == "group":
                sizes = _split_groups(len(block), rm)
                caps = [np.nan] * len(sizes)
            else:
                sizes, caps = [], []
                left = len(block)
                while left > 0:
                    cap = int(rm.integers(5, 11))
                    load = max(1, int(round(cap * rm.uniform(0.5, 1.0))))
                    load = min(load, left)
                    sizes.append(load)
                    caps.append(cap)
                    left -= load
            bounds = np.cumsum([0] + sizes)
            for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
                members = block[a:b]
                home = region_of[members[0]]
                reg = home if rm.random() >= cross_region_share else region_names[rm.choice(len(region_names),
                                                                                         p=region_p)]
                mentor_rows.append((k, mdl, reg, caps[j]))
                pair_mentee.append(members)
                pair_mentor.append(np.full(len(members), n_mentors))
                if mdl == "group":
                    pair_group.append(np.full(len(members), group_counter))
                    group_counter += 1
                else:
                    pair_group.append(np.full(len(members), -1))
                n_mentors += 1
    pair_mentee = np.concatenate(pair_mentee)
    pair_mentor = np.concatenate(pair_mentor)
    pair_group = np.concatenate(pair_group)
    n_pairs = len(pair_mentee)
    step("matching")

    # ---------------------------------------------------------- mentors
    rmen = rngs["mentors"]
    men_cohort = np.array([x[0] for x in mentor_rows], dtype=np.int64)
    men_model = np.array([x[1] for x in mentor_rows], dtype=object)
    men_region = np.array([x[2] for x in mentor_rows], dtype=object)
    men_capacity = np.array([x[3] for x in mentor_rows], dtype=float)
    men_tz = np.empty(n_mentors, dtype=object)
    for reg in region_names:
        m = men_region == reg
        zones = REGIONS[reg][1]
        men_tz[m] = _choice(rmen, list(zones), list(zones.values()), int(m.sum()))
    men_log_t = np.where(men_model == "reverse", rmen.normal(np.log(1.5), 0.35, n_mentors),
                         np.where(men_model == "peer", rmen.normal(_LOG_TENURE_MEAN, 0.6, n_mentors),
                                  rmen.normal(np.log(10), 0.45, n_mentors)))
    men_log_t = np.clip(men_log_t, np.log(0.3), np.log(38))
    men_engage = rmen.normal(0.3, 1.0, n_mentors)
    men_dept = _choice(rmen, DEPARTMENTS, _DEPT_SHARE, n_mentors)
    mentor_id = _ids(ids_rng, n_mentors, "P", 12)
    # mentor and person ids must not collide
    taken = pd.Index(person_id)
    clash = pd.Index(mentor_id).isin(taken)
    while clash.any():
        mentor_id[clash] = _ids(ids_rng, int(clash.sum()), "P", 12)
        clash = pd.Index(mentor_id).isin(taken) | pd.Index(mentor_id).duplicated()
    step("mentors")

    # ---------------------------------------------------------- pairs
    pc = person_cohort[pair_mentee]
    p_start = cohort_start[pc]
    p_end = cohort_end[pc]
    p_days = (p_end - p_start).astype(np.int64)
    p_model = model[pair_mentee]            # mentees are the first `mentees` people
    cad_choices = np.array(CADENCES, dtype=object)
    cad_p = np.array([cadence_mix[c] for c in CADENCES])
    cadence = cad_choices[rm.choice(3, size=n_pairs, p=cad_p / cad_p.sum())]
    if group_counter:   # one cadence per group
        gcad = cad_choices[rm.choice(3, size=group_counter, p=cad_p / cad_p.sum())]
        gm = pair_group >= 0
        cadence[gm] = gcad[pair_group[gm]]
    cad_days = np.array([CADENCE_DAYS[c] for c in cadence], dtype=np.int64)
    n_planned = -(-p_days // cad_days)       # ceil
    off_mentee = np.array([offsets[z] for z in pool["timezone"][pair_mentee]])
    off_mentor = np.array([offsets[z] for z in men_tz[pair_mentor]])
    overlap = _overlap_hours(off_mentee, off_mentor)
    pair_id = _ids(ids_rng, n_pairs, "R", 10)
    group_id = _ids(ids_rng, group_counter, "G", 8) if group_counter else np.array([], dtype=object)
    p_group_id = np.where(pair_group >= 0, group_id[np.maximum(pair_group, 0)] if group_counter else None, None)
    step("pairs")

    # ---------------------------------------------------------- sessions
    rs = rngs["sessions"]
    mean_p = attendance * (1 - tz_penalty * (1 - overlap / 8))
    kappa = 20.0
    p_pair = rs.beta(np.maximum(mean_p * kappa, 1e-3), np.maximum((1 - mean_p) * kappa, 1e-3))
    # schedule: groups share dates; others their own
    unit = np.where(pair_group >= 0, pair_group, group_counter + np.arange(n_pairs))   # schedule unit per pair
    u_ids, u_first = np.unique(unit, return_index=True)
    u_n = n_planned[u_first]
    u_rep = np.repeat(np.arange(len(u_ids)), u_n)
    u_k = np.arange(u_rep.size) - np.repeat(np.cumsum(u_n) - u_n, u_n)
    jitter = np.where(u_k == 0, 0, np.clip(np.rint(rs.normal(0, 1.2, u_rep.size)), -2, 2)).astype(np.int64)
    u_dates = p_start[u_first][u_rep] + (u_k * cad_days[u_first][u_rep] + jitter).astype("timedelta64[D]")
    u_dates = _weekday(u_dates)
    u_dates = np.maximum(u_dates, p_start[u_first][u_rep])
    # expand to pairs
    unit_pos = np.searchsorted(u_ids, unit)
    order = np.argsort(unit_pos, kind="stable")
    starts = np.concatenate([[0], np.cumsum(u_n)])
    s_pair = np.repeat(order, u_n[unit_pos[order]])
    s_idx = _ranges(starts[unit_pos[order]], u_n[unit_pos[order]])
    s_date = u_dates[s_idx]
    tidy = np.lexsort((s_date, s_pair))
    s_pair, s_date = s_pair[tidy], s_date[tidy]
    s_att = rs.random(s_pair.size) < p_pair[s_pair]
    s_model = p_model[s_pair]
    dur = np.where(s_model == "group", rs.normal(75, 12, s_pair.size),
                   np.where(s_model == "async", rs.normal(20, 5, s_pair.size), rs.normal(45, 10, s_pair.size)))
    lo = np.where(s_model == "group", 30, np.where(s_model == "async", 10, 15))
    hi = np.where(s_model == "group", 120, np.where(s_model == "async", 45, 90))
    dur = np.clip(np.rint(dur / 5) * 5, lo, hi)
    s_dur = np.where(s_att, dur, np.nan)
    same_tz = (off_mentee == off_mentor)[s_pair]
    u = rs.random(s_pair.size)
    s_channel = np.where(s_model == "group", "video",
                         np.where(s_model == "async", np.where(u < 0.7, "chat", "video"),
                                  np.where(same_tz & (u < 0.3), "in person",
                                           np.where(u < 0.8, "video", "phone")))).astype(object)
    attended_per_pair = np.bincount(s_pair, weights=s_att, minlength=n_pairs)
    step("sessions")

    # ---------------------------------------------------------- goals
    goals = _goals(rngs["goals"], n_pairs, p_start, p_end, p_days, p_pair)
    step("goals")

    # ---------------------------------------------------------- messages
    messages = _messages(rngs["messages"], p_model, p_start, p_days, off_mentee, off_mentor, overlap,
                         reply_median_hours)
    step("messages")

    # ---------------------------------------------------------- surveys and outcomes
    z = pool["prior_engagement"]
    lt = pool["log_tenure"] - _LOG_TENURE_MEAN
    att_person = np.zeros(n_people)
    att_person[pair_mentee] = attended_per_pair
    mean_att = float(attended_per_pair.mean())
    rate_person = np.zeros(n_people)
    rate_person[pair_mentee] = attended_per_pair / np.maximum(n_planned, 1)
    p_start_person = cohort_start[person_cohort]
    p_end_person = cohort_end[person_cohort]
    extra_gain, practice_log, practice_truth = None, None, None
    if practice:
        practice_log, men_gain, practice_truth = _practice(
            rngs["practice"], mentor_id, np.round(np.exp(men_log_t), 1), men_cohort, n_cohorts,
            cohort_start, cohort_end, practice_per_attempt, practice_per_10_points)
        extra_gain = np.zeros(n_people)
        extra_gain[pair_mentee] = men_gain[pair_mentor]
    surveys, conf_truth = _surveys(rngs["surveys"], is_mentee, z, att_person, mean_att, rate_person,
                                   p_start_person, p_end_person, confidence_effect_d, dose_response_per_session,
                                   extra_gain)
    out_tab, exit_truth = _outcomes(rngs["outcomes"], is_mentee, z, lt, cohort_start[person_cohort],
                                    retention_hazard_ratio, promotion_odds_ratio, baseline_exit_rate)
    step("surveys and outcomes")

    # ---------------------------------------------------------- comments
    comments = _comments(rngs["comments"], surveys, is_mentee, overlap, pair_mentee, p_model, n_people)
    step("comments")

    # ---------------------------------------------------------- equity: demographics and sponsorship
    req = rngs["equity"]
    gender = _choice(req, list(GENDERS), list(GENDERS.values()), n_people)
    ethnicity = _choice(req, list(ETHNICITIES), list(ETHNICITIES.values()), n_people)
    level = np.clip(np.rint(1.6 + 0.45 * pool["log_tenure"] + req.normal(0, 0.7, n_people)), 1, 6)
    men_gender = _choice(req, list(GENDERS), list(GENDERS.values()), n_mentors)
    men_ethnicity = _choice(req, list(ETHNICITIES), list(ETHNICITIES.values()), n_mentors)
    men_level = np.clip(np.rint(np.where(men_model == "reverse", 1.5, 2.4 + 0.6 * men_log_t)
                                + req.normal(0, 0.6, n_mentors)), 1, 8)
    sponsorship, sponsor_truth = _sponsorship(rngs["sponsorship"], is_mentee, gender, ethnicity, pair_mentee,
                                              pair_mentor, p_start, p_end)
    step("sponsorship")

    # ---------------------------------------------------------- tables
    tenure = np.exp(pool["log_tenure"])
    hire = (p_start_person - np.rint(tenure * 365.25).astype("timedelta64[D]"))
    men_tenure = np.exp(men_log_t)
    men_start = cohort_start[men_cohort]
    men_hire = men_start - np.rint(men_tenure * 365.25).astype("timedelta64[D]")
    people = pd.DataFrame({
        "participant_id": person_id,
        "role": np.where(is_mentee, "mentee", "comparison").astype(object),
        "cohort": cohort_label[person_cohort],
        "region": pool["region"], "timezone": pool["timezone"], "department": pool["department"],
        "hire_date": _to_ns(hire), "exit_date": out_tab["exit_date"],
        "mentored": is_mentee,
        "tenure_years": np.round(tenure, 1), "prior_engagement": np.round(z, 2),
        "capacity": np.nan, "index_date": _to_ns(p_start_person),
        "gender": gender, "ethnicity": ethnicity, "level": level,
    })
    mentors_df = pd.DataFrame({
        "participant_id": mentor_id, "role": "mentor", "cohort": cohort_label[men_cohort],
        "region": men_region, "timezone": men_tz, "department": men_dept,
        "hire_date": _to_ns(men_hire), "exit_date": pd.NaT, "mentored": False,
        "tenure_years": np.round(men_tenure, 1), "prior_engagement": np.round(men_engage, 2),
        "capacity": men_capacity, "index_date": _to_ns(men_start),
        "gender": men_gender, "ethnicity": men_ethnicity, "level": men_level,
    })
    participants = pd.concat([people, mentors_df], ignore_index=True)
    participants["exit_date"] = participants["exit_date"].astype("datetime64[ns]")
    pairs = pd.DataFrame({
        "pair_id": pair_id, "mentor_id": mentor_id[pair_mentor], "mentee_id": person_id[pair_mentee],
        "model": p_model, "cadence": cadence, "start_date": _to_ns(p_start), "end_date": _to_ns(p_end),
        "group_id": p_group_id, "planned_sessions": n_planned.astype(float), "overlap_hours": overlap,
    })
    sessions = pd.DataFrame({
        "pair_id": pair_id[s_pair], "date": _to_ns(s_date), "attended": s_att, "duration_min": s_dur,
        "channel": s_channel,
    })
    goals_df = pd.DataFrame({
        "pair_id": pair_id[goals["pair"]], "goal": goals["goal"], "status": goals["status"],
        "due_date": _to_ns(goals["due"]), "done_date": goals["done"], "as_of": _to_ns(goals["as_of"]),
    })
    messages_df = pd.DataFrame({
        "pair_id": pair_id[messages["pair"]], "sent_at": messages["sent"], "replied_at": messages["replied"],
        "sender": messages["sender"],
    })
    surveys_df = pd.DataFrame({
        "participant_id": person_id[surveys["person"]], "wave": surveys["wave"], "item": surveys["item"],
        "value": surveys["value"].astype(float), "responded_at": _to_ns(surveys["responded_at"]),
    })
    outcomes_df = pd.DataFrame({
        "participant_id": person_id, "promoted": out_tab["promoted"],
        "salary_change_pct": out_tab["salary_change_pct"], "exited": out_tab["exited"],
        "exit_date": out_tab["exit_date"], "index_date": _to_ns(cohort_start[person_cohort]),
        "followup_end": out_tab["followup_end"],
    })
    comments_df = pd.DataFrame({
        "participant_id": person_id[comments["person"]], "wave": comments["wave"], "text": comments["text"],
    })
    sponsorship_df = pd.DataFrame({
        "participant_id": person_id[sponsorship["person"]],
        "sponsor_id": np.where(sponsorship["mentor"] >= 0, mentor_id[np.maximum(sponsorship["mentor"], 0)], None),
        "date": _to_ns(sponsorship["date"]), "kind": sponsorship["kind"], "outcome": sponsorship["outcome"],
    })
    truth = _truth(options, conf_truth, exit_truth, pool, is_mentee, mean_att, sessions, pairs, participants,
                   surveys_df, comments_df)
    truth["sponsorship"] = sponsor_truth
    if practice_truth is not None:
        truth["practice"] = practice_truth
    data = ProgramData(participants=participants, pairs=pairs, sessions=sessions, goals=goals_df,
                       messages=messages_df, surveys=surveys_df, outcomes=outcomes_df, comments=comments_df,
                       sponsorship=sponsorship_df, report=ValidationReport(), source=None, truth=truth,
                       practice=practice_log)
    if out is not None:
        data.source = data.to_folder(out, format, on_table=lambda t: step(f"wrote {t}"))
    bar.close()
    return data


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenate ``arange(s, s + n)`` for each start s and length n, vectorised."""
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offs = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return np.arange(total) + offs


# ------------------------------------------------------------------ goals

GOAL_TEXTS = (
    "Lead a cross-team project from kickoff to delivery",
    "Present quarterly results to the leadership team",
    "Build relationships with peers in another region",
    "Prepare a promotion case with concrete evidence",
    "Get better at giving direct, specific feedback",
    "Delegate one recurring task and coach the person taking it",
    "Map the skills needed for a move into product management",
    "Run a retrospective that ends in agreed actions",
    "Negotiate scope with a demanding stakeholder",
    "Publish an internal write-up of a recent piece of work",
    "Mentor an intern through their first project",
    "Learn the basics of budgeting for a team",
    "Speak up earlier in meetings with senior colleagues",
    "Set up a weekly planning routine and keep it for a month",
    "Find a sponsor for a stretch assignment",
    "Finish a certification relevant to the current role",
    "Reduce context switching by blocking focus time",
    "Handle a difficult conversation with a direct report",
)
_STATES = np.array(["on track", "behind", "blocked"], dtype=object)


def _goals(rng, n_pairs: int, p_start, p_end, p_days, p_pair) -> dict:
    n_goals = 1 + rng.binomial(2, 0.4, n_pairs)
    pair = np.repeat(np.arange(n_pairs), n_goals)
    rank = np.arange(pair.size) - np.repeat(np.cumsum(n_goals) - n_goals, n_goals)
    offset = rng.integers(0, len(GOAL_TEXTS), n_pairs)
    text_idx = (offset[pair] + rank) % len(GOAL_TEXTS)   # consecutive texts: distinct within a pair
    goal = np.asarray(GOAL_TEXTS, dtype=object)[text_idx]
    g = pair.size
    days = p_days[pair]
    n_snap = np.maximum(1, days // 28)
    due = p_start[pair] + np.rint(days * rng.uniform(0.6, 1.15, g)).astype("timedelta64[D]")
    steadiness = np.clip((p_pair[pair] - 0.5) / 0.5, 0, 1)   # 0 (poor attendance) .. 1 (perfect)
    state = np.where(rng.random(g) < 0.8, 0, np.where(rng.random(g) < 0.75, 1, 2))
    alive = np.ones(g, dtype=bool)
    done_date = np.full(g, np.datetime64("NaT"), dtype="datetime64[D]")
    rows_goal, rows_status, rows_asof, rows_done = [], [], [], []
    smax = int(n_snap.max())
    for s in range(1, smax + 1):
        if s > 1:
            u = rng.random(g)
            to_behind = 0.18 - 0.10 * steadiness
            to_blocked = 0.06 - 0.03 * steadiness
            recover = 0.25 + 0.25 * steadiness
            unblock = 0.15 + 0.2 * steadiness
            new = state.copy()
            on = state == 0
            new[on & (u < to_behind)] = 1
            new[on & (u >= to_behind) & (u < to_behind + to_blocked)] = 2
            be = state == 1
            new[be & (u < recover)] = 0
            new[be & (u >= recover) & (u < recover + 0.1)] = 2
            bl = state == 2
            new[bl & (u < unblock)] = 0
            new[bl & (u >= unblock) & (u < unblock + 0.3)] = 1
            state = new
        active = alive & (s <= n_snap)
        if not active.any():
            continue
        as_of = p_start[pair] + np.timedelta64(28 * s, "D")
        finish = active & (state == 0) & (rng.random(g) < 0.08 + 0.12 * steadiness)
        idx = np.flatnonzero(active)
        dd = np.full(g, np.datetime64("NaT"), dtype="datetime64[D]")
        dd[finish] = as_of[finish] - rng.integers(0, 14, int(finish.sum())).astype("timedelta64[D]")
        done_date[finish] = dd[finish]
        rows_goal.append(idx)
        rows_status.append(_STATES[state[idx]])
        rows_asof.append(as_of[idx])
        rows_done.append(done_date[idx])
        alive &= ~finish
    gi = np.concatenate(rows_goal)
    order = np.lexsort((np.concatenate(rows_asof), gi))
    return {
        "pair": pair[gi][order], "goal": goal[gi][order], "status": np.concatenate(rows_status)[order],
        "due": due[gi][order], "done": _to_ns(np.concatenate(rows_done)[order]),
        "as_of": np.concatenate(rows_asof)[order],
    }


# ------------------------------------------------------------------ messages

def _messages(rng, p_model, p_start, p_days, off_mentee, off_mentor, overlap, median_h: float) -> dict:
    weeks = p_days / 7
    rate = np.where(p_model == "async", 2.5, 0.4)
    count = rng.poisson(rate * weeks)
    pair = np.repeat(np.arange(len(count)), count)
    n = pair.size
    from_mentee = rng.random(n) < 0.55
    day = p_start[pair] + np.floor(rng.random(n) * p_days[pair]).astype(np.int64).astype("timedelta64[D]")
    day = _weekday(day)
    local_h = rng.uniform(9, 17.5, n)
    off = np.where(from_mentee, off_mentee[pair], off_mentor[pair])
    sent = day.astype("datetime64[m]") + np.rint((local_h - off) * 60).astype(np.int64).astype("timedelta64[m]")
    gap = 8 - overlap[pair]
    delay_h = np.exp(rng.normal(np.log(median_h), 0.9, n)) * (1 + 0.04 * gap)
    answered = rng.random(n) < (0.92 - 0.05 * gap / 8)
    replied = sent + np.rint(delay_h * 60).astype(np.int64).astype("timedelta64[m]")
    replied = np.where(answered, replied, np.datetime64("NaT"))
    order = np.lexsort((sent, pair))
    return {
        "pair": pair[order], "sent": _to_ns(sent[order]), "replied": _to_ns(replied[order]),
        "sender": np.where(from_mentee, "mentee", "mentor").astype(object)[order],
    }


# ------------------------------------------------------------------ surveys

_RESPONSE = {"mentee": {"pre": 0.95, "mid": 0.75, "post": 0.8, "90-day": 0.6},
             "comparison": {"pre": 0.85, "post": 0.7}}
_RESPONSE_ENGAGEMENT = 0.3   # log-odds of answering a wave per SD of prior engagement
_FUNC_MEAN = 4.8
_FUNC_SD = 1.1


def _surveys(rng, is_mentee, z, att, mean_att, rate, start, end, d: float, dose: float, extra_gain=None):
    n = len(is_mentee)
    k = len(SKILLS)
    b = rng.standard_normal(n)
    e = rng.standard_normal((n, k))
    y_pre = _SKILL_MEANS[None, :] + _LATENT_SD * (0.75 * b[:, None] + np.sqrt(1 - 0.75 ** 2) * e)
    growth = _LATENT_SD * (_TREND + _ENGAGE_GROWTH * z)
    gain = np.where(is_mentee, _LATENT_SD * (d + dose * (att - mean_att)), 0.0)
    if extra_gain is not None:   # the planted practice relation and its confounders (scale points)
        gain = gain + np.where(is_mentee, extra_gain, 0.0)
    noise = lambda: _LATENT_SD * 0.45 * rng.standard_normal((n, k))  # noqa: E731
    latent = {
        "pre": y_pre,
        "mid": y_pre + 0.5 * (growth + gain)[:, None] + noise(),
        "post": y_pre + (growth + gain)[:, None] + noise(),
        "90-day": y_pre + (1.1 * growth + 0.85 * gain)[:, None] + noise(),
    }
    # mentoring functions: mentor fit + attendance, three subscales of three items (1-7)
    fit = rng.standard_normal(n)
    rate_z = (rate - rate[is_mentee].mean()) / max(rate[is_mentee].std(), 1e-9) if is_mentee.any() else rate
    funcs = {}
    for wave, shift in (("mid", 0.0), ("post", 0.1)):
        cols = {}
        for sub, items in FUNCTION_SUBSCALES.items():
            f = 0.55 * fit + 0.3 * rate_z + 0.6 * rng.standard_normal(n) + shift
            for it in items:
                v = _FUNC_MEAN + _FUNC_SD * (f + 0.55 * rng.standard_normal(n))
                cols[it] = np.clip(np.rint(v), 1, 7)
        funcs[wave] = cols
    days = ((end - start).astype(np.int64))
    when = {
        "pre": start - rng.integers(1, 11, n).astype("timedelta64[D]"),
        "mid": start + (days // 2 + rng.integers(-5, 6, n)).astype("timedelta64[D]"),
        "post": end + rng.integers(0, 15, n).astype("timedelta64[D]"),
        "90-day": end + (90 + rng.integers(0, 15, n)).astype("timedelta64[D]"),
    }
    persons, waves, items, values, dates = [], [], [], [], []
    for wave in ("pre", "mid", "post", "90-day"):
        p_m = _RESPONSE["mentee"][wave]
        p_c = _RESPONSE["comparison"].get(wave, 0.0)
        base = np.where(is_mentee, p_m, p_c)
        logit = np.log(np.clip(base, 1e-6, 1 - 1e-6) / np.clip(1 - base, 1e-6, 1)) + _RESPONSE_ENGAGEMENT * z
        responds = (rng.random(n) < 1 / (1 + np.exp(-logit))) & (base > 0)
        who = np.flatnonzero(responds)
        vals = np.clip(np.rint(latent[wave][who]), 1, 10)
        persons.append(np.repeat(who, k))
        waves.append(np.full(who.size * k, wave, dtype=object))
        items.append(np.tile(np.array(CONFIDENCE_ITEMS, dtype=object), who.size))
        values.append(vals.reshape(-1))
        dates.append(np.repeat(when[wave][who], k))
        if wave in funcs:
            mwho = who[is_mentee[who]]
            names = list(funcs[wave])
            mat = np.column_stack([funcs[wave][it][mwho] for it in names])
            persons.append(np.repeat(mwho, len(names)))
            waves.append(np.full(mwho.size * len(names), wave, dtype=object))
            items.append(np.tile(np.array(names, dtype=object), mwho.size))
            values.append(mat.reshape(-1))
            dates.append(np.repeat(when[wave][mwho], len(names)))
    person = np.concatenate(persons)
    order = np.argsort(person, kind="stable")
    out = {"person": person[order], "wave": np.concatenate(waves)[order], "item": np.concatenate(items)[order],
           "value": np.concatenate(values)[order], "responded_at": np.concatenate(dates)[order]}
    truth = {"latent_sd": _LATENT_SD, "mean_growth_sd_mentees": float((growth[is_mentee] / _LATENT_SD).mean())
             if is_mentee.any() else None,
             "mean_growth_sd_comparison": float((growth[~is_mentee] / _LATENT_SD).mean()) if (~is_mentee).any()
             else None}
    return out, truth


# ------------------------------------------------------------------ outcomes

def _outcomes(rng, is_mentee, z, lt, index_day, hr: float, promo_or: float, exit_rate: float):
    n = len(is_mentee)
    lam0 = -math.log(1 - exit_rate) / 12            # per month
    lin = _EXIT_BETA["prior_engagement"] * z + _EXIT_BETA["log_tenure"] * lt
    lam = lam0 * np.exp(lin + np.log(hr) * is_mentee)
    t = rng.exponential(1 / lam)
    exited = t < FOLLOW_UP_MONTHS
    index = pd.DatetimeIndex(_to_ns(index_day))
    follow_end = np.asarray((index + pd.DateOffset(months=FOLLOW_UP_MONTHS)).to_numpy(dtype="datetime64[ns]"))
    exit_day = _to_ns(index_day + np.maximum(1, np.rint(np.minimum(t, FOLLOW_UP_MONTHS) * 30.4375)).astype(
        "timedelta64[D]"))   # at least one day after the index date
    exit_day = np.minimum(exit_day, follow_end)
    exit_date = np.where(exited, exit_day, np.datetime64("NaT"))
    logit = (_PROMO_BETA["intercept"] + _PROMO_BETA["prior_engagement"] * z + _PROMO_BETA["log_tenure"] * lt
             + np.log(promo_or) * is_mentee)
    promoted = (rng.random(n) < 1 / (1 + np.exp(-logit))) & ~(exited & (t < 6))
    frac = np.minimum(t, FOLLOW_UP_MONTHS) / FOLLOW_UP_MONTHS
    salary = (2.5 + 0.6 * z + rng.normal(0, 2.0, n) + promoted * rng.normal(9, 2.5, n)) * frac
    truth = {
        "expected_exit_24m_without_mentoring": {
            "mentee": float((1 - np.exp(-FOLLOW_UP_MONTHS * lam0 * np.exp(lin[is_mentee]))).mean())
            if is_mentee.any() else None,
            "comparison": float((1 - np.exp(-FOLLOW_UP_MONTHS * lam0 * np.exp(lin[~is_mentee]))).mean())
            if (~is_mentee).any() else None,
        },
        "expected_exit_24m_mentees_with_mentoring":
            float((1 - np.exp(-FOLLOW_UP_MONTHS * lam0 * np.exp(lin[is_mentee]) * hr)).mean())
            if is_mentee.any() else None,
        "baseline_monthly_hazard": lam0,
    }
    return {"exited": exited, "exit_date": exit_date.astype("datetime64[ns]"), "promoted": promoted,
            "salary_change_pct": np.round(salary, 1), "followup_end": follow_end}, truth


# ------------------------------------------------------------------ comments

_NAMES = ("Priya Raman", "Tomasz Nowak", "Aisha Bello", "Daniel Okafor", "Mei Lin", "Carlos Mendoza",
          "Sofia Rossi", "James Whitaker", "Fatima Haddad", "Kenji Watanabe", "Elena Petrova", "Lucas Silva",
          "Grace Mwangi", "Oliver Bennett", "Ananya Iyer", "Hannah Schmidt")
_CITIES = ("Singapore", "Toronto", "Berlin", "Sao Paulo", "Sydney", "Nairobi", "Chicago", "Warsaw")
_OPENERS = ("", "", "", "Honestly, ", "Overall, ", "To be fair, ", "In short: ", "Looking back, ")
_THEMES: dict[str, tuple[str, ...]] = {
    "scheduling": (
        "finding a slot that worked in both time zones was hard; we often met at 7am my time.",
        "my mentor is in {city}, so our calls kept landing at the end of my day.",
        "we rescheduled more often than we met because of the time difference.",
        "the overlap in our working hours was about an hour, which made regular check-ins tough.",
        "daylight saving changes threw our meeting times off twice.",
        "- scheduling across time zones was the main obstacle for us.",
    ),
    "useful": (
        "the sessions helped me prepare for my promotion conversation.",
        "I finally have a clear plan for the next year of my career.",
        "practising feedback with my mentor made a real difference in my team.",
        "I feel much more confident presenting to senior people now.",
        "the introductions to people in other teams were the most valuable part.",
        "=) really enjoyed it and would sign up again.",
    ),
    "fit": (
        "{name} was a great match; they had done the role I want next.",
        "my mentor {name} listened well and asked hard questions.",
        "I did not feel we were a good match, our backgrounds were too different.",
        "it took a few sessions before I trusted my mentor enough to be open.",
        "I would have liked a mentor from my own function.",
        "{first} always came prepared and followed up on what we agreed.",
    ),
    "goals": (
        "setting goals in the first session kept us focused.",
        "our goals drifted and by the middle we were just chatting.",
        "one of my goals got blocked by a reorganisation, which was frustrating.",
        "tracking goals in the shared sheet made progress visible.",
        "+1 for the goal check-ins, they kept me honest.",
    ),
    "async": (
        "the async messages worked better than calls for us.",
        "replies sometimes took several days, which slowed things down.",
        "@mentor-team the message threads were easy to keep up with.",
        "writing things down between sessions helped me think.",
    ),
    "group": (
        "hearing from peers in the group was as useful as the facilitator.",
        "the group was too big for everyone to get airtime.",
        "{name} ran the group sessions really well.",
    ),
    "general": (
        "more structure in the first month would help.",
        "I would recommend the program to colleagues.",
        "the program was useful but the time commitment was higher than expected.",
        "- not enough time to prepare between sessions.",
    ),
}
_CLOSERS = ("", "", "", " Thanks to the organisers.", " Would join again.", " Please keep running it.",
            " More sessions next time, please.")
_SCRIPT_COMMENT = "Loved the sessions <script>alert(1)</script> and the async threads."


def _comments(rng, surveys: dict, is_mentee, overlap, pair_mentee, p_model, n_people) -> dict:
    ov_person = np.full(n_people, 8.0)
    ov_person[pair_mentee] = overlap
    model_person = np.full(n_people, "none", dtype=object)
    model_person[pair_mentee] = p_model
    # one comment opportunity per mentee response at mid or post
    first = np.r_[True, (surveys["person"][1:] != surveys["person"][:-1]) |
                  (surveys["wave"][1:] != surveys["wave"][:-1])]
    resp_person = surveys["person"][first]
    resp_wave = surveys["wave"][first]
    ok = np.isin(resp_wave, ["mid", "post"]) & is_mentee[resp_person]
    resp_person, resp_wave = resp_person[ok], resp_wave[ok]
    take = rng.random(resp_person.size) < 0.3
    person, wave = resp_person[take], resp_wave[take]
    texts = []
    themes = list(_THEMES)
    for i, p in enumerate(person.tolist()):
        w = np.array([3.0 if ov_person[p] < 4 else 0.6, 2.0, 1.5, 1.2,
                      2.0 if model_person[p] == "async" else 0.3,
                      2.0 if model_person[p] == "group" else 0.0, 1.0])
        theme = themes[rng.choice(len(themes), p=w / w.sum())]
        core = _THEMES[theme][rng.integers(len(_THEMES[theme]))]
        name = _NAMES[rng.integers(len(_NAMES))]
        core = core.format(name=name, first=name.split()[0], city=_CITIES[rng.integers(len(_CITIES))])
        if core[0] in "=-+@":
            text = core + _CLOSERS[rng.integers(len(_CLOSERS))]
        else:
            opener = _OPENERS[rng.integers(len(_OPENERS))]
            body = core if opener else core[0].upper() + core[1:]
            text = opener + body + _CLOSERS[rng.integers(len(_CLOSERS))]
        texts.append(text)
    if texts:
        texts[int(rng.integers(len(texts)))] = _SCRIPT_COMMENT
    return {"person": person, "wave": wave, "text": np.asarray(texts, dtype=object)}


# ------------------------------------------------------------------ practice

#: file name of the simulated practice log (the columns of ``PracticeLog.export_csv``, no transcript)
PRACTICE_FILE = "practice_attempts.csv"
_PRACTICE_SCENARIOS = ("recognition_good_work", "written_recap", "tense_disagreement", "kickoff_agreement",
                       "availability_boundaries", "low_engagement", "feedback_preference", "reverse_mentoring")
#: confounders of practice and mentee gain (scale points): per 10 years of mentor tenure, per cohort step
_PRACTICE_TENURE_GAIN = 0.15
_PRACTICE_COHORT_GAIN = 0.08
_PRACTICE_SCORE_CENTRE = 65.0
#: SD of a mentor's own effect on their mentees' gain (scale points): what the random intercept captures
_PRACTICE_MENTOR_SD = 0.2


def _practice(rng, mentor_id, tenure, men_cohort, n_cohorts, cohort_start, cohort_end, per_attempt: float,
              per_10: float):
    """Mentors' practice attempts, and the extra confidence gain of their mentees (scale points).

    Practice is not randomised here either: mentors with longer tenure practise less, later cohorts
    (the platform is newer to them) practise more, and both tenure and cohort also move mentees'
    gain (:data:`_PRACTICE_TENURE_GAIN`, :data:`_PRACTICE_COHORT_GAIN`), so a comparison that
    does not adjust for them is biased. On top comes the planted relation: ``per_attempt`` per
    attempt finished before the cohort ended, and ``per_10`` per 10 points of the mentor's mean
    score over those attempts (centred at 65; mentors who did not practise get no score term).
    Each mentor also makes a few attempts after the cohort ended, which change nothing, and has
    an effect of their own on their mentees (SD :data:`_PRACTICE_MENTOR_SD`), unrelated to practice.
    """
    m = len(mentor_id)
    step = (men_cohort - (n_cohorts - 1) / 2) if n_cohorts > 1 else np.zeros(m)
    lam = np.exp(np.log(6.0) + 0.15 * step - 0.5 * (tenure - 10) / 10)
    practises = rng.random(m) < 0.8
    n_in = np.where(practises, rng.poisson(lam), 0)
    n_after = rng.poisson(1.0, m)
    level = np.clip(rng.normal(_PRACTICE_SCORE_CENTRE, 10, m), 20, 95)
    rows = []
    start_days = cohort_start[men_cohort].astype("datetime64[s]")
    end_days = cohort_end[men_cohort].astype("datetime64[s]")
    mean_score = np.full(m, np.nan)
    for k in range(m):
        span = int((end_days[k] - start_days[k]).astype(np.int64)) + 42 * 86400
        when_in = start_days[k] - np.timedelta64(42 * 86400, "s") + np.sort(
            rng.integers(0, span, n_in[k])).astype("timedelta64[s]")
        when_after = end_days[k] + np.sort(rng.integers(86400, 60 * 86400, n_after[k])).astype("timedelta64[s]")
        scores = np.round(np.clip(level[k] + rng.normal(0, 8, n_in[k] + n_after[k]), 0, 100), 1)
        if n_in[k]:
            mean_score[k] = scores[:n_in[k]].mean()
        for when, score in zip(np.concatenate([when_in, when_after]), scores):
            rows.append((mentor_id[k], _PRACTICE_SCENARIOS[int(rng.integers(len(_PRACTICE_SCENARIOS)))],
                         int(rng.integers(0, 10000)), float(score), when))
    quality = rng.normal(0, _PRACTICE_MENTOR_SD, m)     # how good a mentor is, apart from practice
    gain = (per_attempt * n_in + per_10 * np.where(n_in > 0, (mean_score - _PRACTICE_SCORE_CENTRE) / 10, 0.0)
            + _PRACTICE_TENURE_GAIN * (tenure - 10) / 10 + _PRACTICE_COHORT_GAIN * step + quality)
    log = pd.DataFrame(rows, columns=["trainee", "scenario", "seed", "score", "finished_at"])
    log = log.sort_values(["finished_at", "trainee"], kind="stable").reset_index(drop=True)
    finished = pd.to_datetime(log["finished_at"]).dt.tz_localize("UTC")
    log["started_at"] = finished - pd.Timedelta(minutes=14)
    log["finished_at"] = finished
    log.insert(0, "attempt_id", np.arange(1, len(log) + 1))
    log["rubric_version"] = "2026.1"
    log["outcome"] = np.where(log["score"] >= 75, "resolved", np.where(log["score"] >= 50, "partly_resolved",
                                                                        "stalled"))
    log["tier"] = np.where(log["score"] >= 90, "Exemplary", np.where(
        log["score"] >= 75, "Proficient", np.where(log["score"] >= 50, "Developing", "Beginning")))
    log["turns"] = 3 + (log["seed"] % 3)
    truth = {
        "practice_per_attempt": per_attempt,
        "practice_per_10_points": per_10,
        "definition": ("extra rise of a mentee's mean conf_* change from pre to post (scale points) per practice "
                       "attempt their mentor finished before the pair's end date, and per 10 points of the "
                       "mentor's mean score over those attempts (mentors who practised; centred at 65); half of "
                       "it at mid, 85% at 90-day. Rounding and clipping to 1-10 shrink it slightly."),
        "confounders": {
            "mentor_tenure_gain_per_10_years": _PRACTICE_TENURE_GAIN,
            "cohort_gain_per_step": _PRACTICE_COHORT_GAIN,
            "note": ("longer-tenured mentors practise less and later cohorts more; both also move mentees' gain, "
                     "so the practice relation is recovered only when adjusted for mentor tenure and cohort"),
        },
        "mentor_effect_sd": _PRACTICE_MENTOR_SD,
        "mentors_practised": int((n_in > 0).sum()),
        "attempts_before_end": int(n_in.sum()),
        "attempts_after_end": int(n_after.sum()),
        "trainee_ids": "the mentor's participant_id (the program's ids are pseudonyms already)",
    }
    return log, gain, truth


def _attempts_export(log: pd.DataFrame) -> pd.DataFrame:
    """The practice log in the columns of ``PracticeLog.export_csv`` (times as ISO text)."""
    out = log[["attempt_id", "trainee", "scenario", "rubric_version", "seed", "outcome", "score", "tier", "turns",
               "started_at", "finished_at"]].copy()
    for c in ("started_at", "finished_at"):
        out[c] = out[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


# ------------------------------------------------------------------ truth

def _sponsorship(rng, is_mentee, gender, ethnicity, pair_mentee, pair_mentor, p_start, p_end) -> tuple[dict, dict]:
    """Sponsorship offered to mentees during their program, by their mentor, with the planted gaps.

    Each mentee is offered each kind at least once with the rate of :data:`_SPONSOR_RATE`,
    except the groups of :data:`_SPONSOR_GAPS`, who get the lower planted rate; an offered
    kind comes 1 + Poisson(0.3) times. Dates fall inside the mentee's (first) pair.
    """
    first = pd.Series(np.arange(len(pair_mentee))).groupby(pair_mentee).first()
    mentees = np.flatnonzero(is_mentee)
    pair_of = first.reindex(mentees).to_numpy()
    has_pair = ~np.isnan(pair_of)
    pair_of = np.where(has_pair, pair_of, 0).astype(np.int64)
    people, mentors, dates, kinds = [], [], [], []
    rates_truth = []
    for kind, base in _SPONSOR_RATE.items():
        rate = np.full(len(mentees), base)
        for gap in _SPONSOR_GAPS:
            if gap["kind"] != kind:
                continue
            if gap["breakdown"] == "gender":
                hit = gender[mentees] == gap["group"]
            else:
                g, e = gap["group"].split(" × ")
                hit = (gender[mentees] == g) & (ethnicity[mentees] == e)
            rate[hit] = gap["rate"]
        offered = (rng.random(len(mentees)) < rate) & has_pair
        times = np.where(offered, 1 + rng.poisson(0.3, len(mentees)), 0)
        who = np.repeat(mentees, times)
        pr = np.repeat(pair_of, times)
        span = (p_end[pr] - p_start[pr]).astype(np.int64)
        day = p_start[pr] + (rng.random(len(who)) * np.maximum(span, 1)).astype(np.int64).astype("timedelta64[D]")
        people.append(who)
        mentors.append(np.where(rng.random(len(who)) < 0.85, pair_mentor[pr], -1))
        dates.append(day)
        kinds.append(np.full(len(who), kind, dtype=object))
        rates_truth.append({"kind": kind, "rate": base})
    person = np.concatenate(people)
    order = np.lexsort((np.concatenate(dates), person))
    kind = np.concatenate(kinds)[order]
    outcome = _choice(rng, ["accepted", "declined", "pending"], [0.75, 0.1, 0.15], len(person))
    table = {"person": person[order], "mentor": np.concatenate(mentors)[order],
             "date": np.concatenate(dates)[order], "kind": kind, "outcome": outcome}
    truth = {
        "rates": _SPONSOR_RATE,
        "planted_gaps": [dict(g, difference=round(g["rate"] - _SPONSOR_RATE[g["kind"]], 10)) for g in _SPONSOR_GAPS],
        "definition": ("chance that a mentee is offered each kind of sponsorship at least once during the program "
                       "(by their mentor 85% of the time); the planted gaps lower it for the named group, so "
                       "group minus reference is 'difference' (the reference group keeps the base rate)"),
    }
    return table, truth


def _truth(options, conf_truth, exit_truth, pool, is_mentee, mean_att, sessions, pairs, participants,
           surveys, comments) -> dict:
    z = pool["prior_engagement"]
    mz = float(z[is_mentee].mean())
    cz = float(z[~is_mentee].mean()) if (~is_mentee).any() else None
    mt = float(np.exp(pool["log_tenure"][is_mentee]).mean())
    ct = float(np.exp(pool["log_tenure"][~is_mentee]).mean()) if (~is_mentee).any() else None
    conf_bias = None if cz is None else _ENGAGE_GROWTH * (mz - cz)
    ex = exit_truth["expected_exit_24m_without_mentoring"]
    from mentorkit import __version__
    return {
        "generator": "mentorkit.program.simulate",
        "mentorkit_version": __version__,
        "seed": options["seed"],
        "options": options,
        "confidence_effect_d": options["confidence_effect_d"],
        "confidence_effect_definition": (
            "mentoring raises each conf_* item at post by d latent pre-wave SDs (latent_sd scale points) for a "
            "mentee with mean_attended_sessions; half of it at mid and 85% at 90-day. Rounding to whole numbers "
            "and clipping to 1-10 shrink the observed d by about 2%."),
        "dose_response_per_session": options["dose_response_per_session"],
        "dose_response_definition": "extra SDs of confidence gain per attended session above the mean",
        "mean_attended_sessions": mean_att,
        "retention_hazard_ratio": options["retention_hazard_ratio"],
        "retention_definition": (
            "exit hazard of mentees relative to non-mentored people with the same prior_engagement and tenure; "
            "exponential times from index_date, censored at followup_end (24 months)"),
        "promotion_odds_ratio": options["promotion_odds_ratio"],
        "outcome_models": {
            "exit_log_hazard": {"prior_engagement": _EXIT_BETA["prior_engagement"],
                                "log_tenure_centred": _EXIT_BETA["log_tenure"], "mentored": "log(hr)",
                                "baseline_monthly_hazard": exit_truth["baseline_monthly_hazard"]},
            "promotion_logit": {"intercept": _PROMO_BETA["intercept"],
                                "prior_engagement": _PROMO_BETA["prior_engagement"],
                                "log_tenure_centred": _PROMO_BETA["log_tenure"], "mentored": "log(odds ratio)"},
            "log_tenure_centre": _LOG_TENURE_MEAN,
        },
        "selection": {
            "opt_in_logit": {"intercept": -1.1,
                             "prior_engagement": _OPT_IN_BETA["prior_engagement"] * options["selection_strength"],
                             "log_tenure_centred": _OPT_IN_BETA["log_tenure"] * options["selection_strength"]},
            "pool_opt_in_rate": pool["opt_in_rate"],
            "mean_prior_engagement": {"mentee": mz, "comparison": cz},
            "mean_tenure_years": {"mentee": mt, "comparison": ct},
        },
        "naive_bias": {
            "direction": ("naive mentee-vs-comparison comparisons overstate the benefit of mentoring"
                          if conf_bias is not None and conf_bias > 0 else
                          "naive comparisons understate the benefit of mentoring" if conf_bias is not None and
                          conf_bias < 0 else "none expected"),
            "confidence_change_bias_sd": conf_bias,
            "confidence_note": ("prior engagement raises confidence growth by "
                                f"{_ENGAGE_GROWTH} SD per SD; mentees differ in mean engagement"),
            "expected_exit_24m_without_mentoring": ex,
            "expected_exit_24m_mentees_with_mentoring": exit_truth["expected_exit_24m_mentees_with_mentoring"],
            "retention_note": ("even without mentoring, mentees would exit at the 'mentee' rate above and the "
                               "comparison group at the 'comparison' rate; the difference is selection, not effect"),
        },
        "confidence_scale": {"items": list(CONFIDENCE_ITEMS), "range": [1, 10], "latent_sd": conf_truth["latent_sd"],
                             "waves": {"mentee": ["pre", "mid", "post", "90-day"], "comparison": ["pre", "post"]}},
        "functions_scale": {"subscales": {k: list(v) for k, v in FUNCTION_SUBSCALES.items()}, "range": [1, 7],
                            "waves": ["mid", "post"], "who": "mentees"},
        "survey_response": {
            "rates": _RESPONSE,
            "engagement_logit_per_sd": _RESPONSE_ENGAGEMENT,
            "note": ("response rises with prior engagement, so complete-case comparisons carry a small "
                     "non-response bias; adjusting for prior_engagement removes it"),
        },
        "follow_up_months": FOLLOW_UP_MONTHS,
        "attendance_rate": float(sessions["attended"].mean()) if len(sessions) else None,
        "counts": {
            "mentees": int(is_mentee.sum()), "comparison": int((~is_mentee).sum()),
            "mentors": int((participants["role"] == "mentor").sum()), "pairs": len(pairs),
            "sessions": len(sessions), "survey_answers": len(surveys), "comments": len(comments),
        },
    }
