"""Return on investment of a mentoring program, the Phillips way.

Fully loaded costs (everyone's time at its rate, the platform, administration) are set
against monetised benefits (replacement costs avoided by better retention, salary growth
taken as a proxy for added value, other gains someone has put a number on):

* ``ROI % = (benefits - costs) / costs × 100``
* ``benefit-cost ratio = benefits / costs``

Each input may be a single number or a ``(low, expected, high)`` triple. The *low* scenario
takes every benefit input at its low value and every cost input at its high value (the
conservative reading Phillips recommends); the *high* scenario does the opposite.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["RETENTION_READINGS", "Range", "costed_hours", "fully_loaded_costs", "retention_benefit", "roi", "roi_table", "ROI_COLUMNS", "RoiAssumptions",
           "program_hours", "retention_improvement", "salary_gain", "program_roi"]

Number = Union[int, float]


@dataclass(frozen=True)
class Range:
    """A quantity known only within bounds: ``low <= expected <= high``.

    Examples
    --------
    >>> Range.of((0.1, 0.18, 0.25)).expected
    0.18
    >>> Range.of(5).low
    5.0
    """

    low: float
    expected: float
    high: float

    @classmethod
    def of(cls, value: "Range | Number | Sequence[Number]", name: str = "value") -> "Range":
        if isinstance(value, Range):
            r = value
        elif isinstance(value, (int, float, np.integer, np.floating)):
            r = cls(float(value), float(value), float(value))
        else:
            vals = [float(v) for v in value]
            if len(vals) != 3:
                raise MentorkitError(f"{name}: give one number or three (low, expected, high), got {len(vals)}")
            r = cls(*vals)
        if not (r.low <= r.expected <= r.high) or not all(np.isfinite([r.low, r.expected, r.high])):
            raise MentorkitError(f"{name}: need finite low <= expected <= high, got {r.low}, {r.expected}, {r.high}")
        return r

    def pick(self, scenario: str, *, benefit: bool) -> float:
        """The value used in *scenario* (``low``/``expected``/``high``) for a benefit or cost input."""
        if scenario == "expected":
            return self.expected
        conservative = scenario == "low"
        if benefit:
            return self.low if conservative else self.high
        return self.high if conservative else self.low


def _money(x: float) -> float:
    return round(float(x), 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def fully_loaded_costs(mentor_hours: float, hourly_rate: float, *, platform: float = 0.0, admin: float = 0.0,
                       mentee_hours: float = 0.0, mentee_rate: float = 0.0, other: float = 0.0) -> float:
    """Everything the program costs, people's time included.

    Examples
    --------
    >>> fully_loaded_costs(400, 75, platform=10_000, admin=10_000)
    50000.0
    """
    parts = dict(mentor_hours=mentor_hours, hourly_rate=hourly_rate, platform=platform, admin=admin,
                 mentee_hours=mentee_hours, mentee_rate=mentee_rate, other=other)
    for k, v in parts.items():
        if not np.isfinite(v) or v < 0:
            raise MentorkitError(f"ROI: {k} must be a non-negative number, got {v!r}")
    return _money(mentor_hours * hourly_rate + mentee_hours * mentee_rate + platform + admin + other)


def retention_benefit(n_mentees: float, replacement_cost: float, retention_improvement: float) -> float:
    """Replacement cost avoided: mentees × cost of replacing one leaver × fewer leavers (a proportion).

    Examples
    --------
    >>> retention_benefit(50, 60_000, 0.18)
    540000.0
    """
    return _money(n_mentees * replacement_cost * retention_improvement)


def roi(benefits: float, costs: float) -> dict:
    """ROI percentage, benefit-cost ratio and net benefit.

    Examples
    --------
    >>> roi(540_000, 50_000)
    {'net_benefit': 490000.0, 'roi_pct': 980.0, 'bcr': 10.8}
    """
    if not costs > 0:
        raise MentorkitError(f"ROI: costs must be positive to compute a return, got {costs!r}")
    net = _money(benefits - costs)
    return {"net_benefit": net, "roi_pct": net * 100 / costs, "bcr": benefits / costs}


ROI_COLUMNS = ["scenario", "n_mentees", "retention_improvement", "leavers_avoided", "cost_mentor_time",
               "cost_mentee_time", "cost_platform", "cost_admin", "cost_other", "costs", "benefit_retention",
               "benefit_salary", "benefit_other", "benefits", "net_benefit", "roi_pct", "bcr", "retention_reading",
               "time_costs"]

#: the two readings of the retention benefit :func:`roi_table` supports, and their labels
RETENTION_READINGS = {
    "replacement": "replacement cost per leaver avoided: mentees × retention improvement = leavers avoided, "
                   "× the cost of replacing one leaver",
    "salary": "salary × retention improvement: mentees × average salary × retention improvement (the worked "
              "example's reading; one year's salary stands for the cost of a leaver)",
}


def roi_table(*, n_mentees: int, retention_improvement, mentor_hours, hourly_rate, replacement_cost=0.0,
              platform_cost=0.0, admin_cost=0.0, mentee_hours=0.0, mentee_rate=0.0, other_costs=0.0,
              salary_base=0.0, salary_growth_gain=0.0, value_per_salary_dollar=1.0,
              other_benefits=0.0, retention_reading: str = "replacement", time_costs_known: bool = True
              ) -> pd.DataFrame:
    """ROI in a low, expected and high scenario.

    Parameters
    ----------
    n_mentees : int
        People mentored.
    replacement_cost : number or (low, expected, high)
        Cost of replacing one person who leaves (recruiting, onboarding, lost output).
    retention_improvement : number or (low, expected, high)
        Reduction in the proportion of mentees who leave, attributable to the program
        (0.18 = 18 percentage points). Use an estimate that accounts for selection, such as
        the propensity-weighted difference.
    mentor_hours, hourly_rate : number or (low, expected, high)
        Mentor time spent on the program and its fully loaded hourly cost.
    platform_cost, admin_cost, other_costs : number or (low, expected, high)
        Software and administration for the program period.
    mentee_hours, mentee_rate : number or (low, expected, high)
        Mentee time, when it is counted as a cost.
    salary_base, salary_growth_gain : number or (low, expected, high)
        Average mentee salary and the extra salary growth attributable to the program (a
        proportion); ``n_mentees × salary_base × salary_growth_gain × value_per_salary_dollar``
        is counted as value added.
    other_benefits : number or (low, expected, high)
        Any other monetised gain.
    retention_reading : {"replacement", "salary"}
        How the retention benefit is read (:data:`RETENTION_READINGS`). ``replacement``:
        leavers avoided (``n_mentees × retention_improvement``) times *replacement_cost*.
        ``salary``: ``n_mentees × salary_base × retention_improvement``, the guide's worked
        example ("50 mentees × $60,000 × 18% = $540,000"); *replacement_cost* is then not
        used, and the salary is not also counted as salary growth (give
        ``salary_growth_gain=0``). The label is in ``retention_reading``.
    time_costs_known : bool
        False when there is no session data: mentor and mentee time are then *unknown*, not
        zero. Their cost columns are NaN, ``costs`` holds the known costs only, ``time_costs``
        says "unknown" and the ROI is an upper bound.

    Returns
    -------
    DataFrame
        One row per scenario (``low``, ``expected``, ``high``) with the columns in
        :data:`ROI_COLUMNS`.

    Examples
    --------
    The worked example: 50 mentees, $60,000 to replace a leaver, 18 points better retention,
    $50,000 fully loaded cost.

    >>> t = roi_table(n_mentees=50, replacement_cost=60_000, retention_improvement=0.18,
    ...               mentor_hours=400, hourly_rate=75, platform_cost=10_000, admin_cost=10_000)
    >>> t.loc[t.scenario == "expected", ["benefits", "costs", "roi_pct"]].to_dict("records")
    [{'benefits': 540000.0, 'costs': 50000.0, 'roi_pct': 980.0}]

    The same figures read as salary × retention improvement:

    >>> t = roi_table(n_mentees=50, salary_base=60_000, retention_improvement=0.18, retention_reading="salary",
    ...               mentor_hours=400, hourly_rate=75, platform_cost=10_000, admin_cost=10_000)
    >>> float(t.loc[1, "roi_pct"]), t.loc[1, "retention_reading"][:30]
    (980.0, 'salary × retention improvement')
    """
    if retention_reading not in RETENTION_READINGS:
        raise MentorkitError(f"ROI: retention_reading must be one of {', '.join(RETENTION_READINGS)}, "
                             f"got {retention_reading!r}")
    if not (isinstance(n_mentees, (int, np.integer)) or float(n_mentees).is_integer()) or n_mentees < 0:
        raise MentorkitError(f"ROI: n_mentees must be a whole non-negative number, got {n_mentees!r}")
    benefit_inputs = dict(replacement_cost=replacement_cost, retention_improvement=retention_improvement,
                          salary_base=salary_base, salary_growth_gain=salary_growth_gain,
                          value_per_salary_dollar=value_per_salary_dollar, other_benefits=other_benefits)
    cost_inputs = dict(mentor_hours=mentor_hours, hourly_rate=hourly_rate, platform_cost=platform_cost,
                       admin_cost=admin_cost, mentee_hours=mentee_hours, mentee_rate=mentee_rate,
                       other_costs=other_costs)
    ranges = {k: Range.of(v, k) for k, v in {**benefit_inputs, **cost_inputs}.items()}
    rows = []
    for scenario in ("low", "expected", "high"):
        v = {k: r.pick(scenario, benefit=k in benefit_inputs) for k, r in ranges.items()}
        c_mentor = _money(v["mentor_hours"] * v["hourly_rate"])
        c_mentee = _money(v["mentee_hours"] * v["mentee_rate"])
        costs = fully_loaded_costs(v["mentor_hours"], v["hourly_rate"], platform=v["platform_cost"],
                                   admin=v["admin_cost"], mentee_hours=v["mentee_hours"],
                                   mentee_rate=v["mentee_rate"], other=v["other_costs"])
        per_leaver = v["salary_base"] if retention_reading == "salary" else v["replacement_cost"]
        b_ret = retention_benefit(n_mentees, per_leaver, v["retention_improvement"])
        b_sal = _money(n_mentees * v["salary_base"] * v["salary_growth_gain"] * v["value_per_salary_dollar"])
        b_other = _money(v["other_benefits"])
        benefits = _money(b_ret + b_sal + b_other)
        if not time_costs_known:
            costs = _money(costs - c_mentor - c_mentee)
            c_mentor = c_mentee = float("nan")
        rows.append({"scenario": scenario, "n_mentees": int(n_mentees),
                     "retention_improvement": v["retention_improvement"],
                     "leavers_avoided": n_mentees * v["retention_improvement"],
                     "cost_mentor_time": c_mentor, "cost_mentee_time": c_mentee,
                     "cost_platform": _money(v["platform_cost"]), "cost_admin": _money(v["admin_cost"]),
                     "cost_other": _money(v["other_costs"]), "costs": costs,
                     "benefit_retention": b_ret, "benefit_salary": b_sal, "benefit_other": b_other,
                     "benefits": benefits, **roi(benefits, costs),
                     "retention_reading": RETENTION_READINGS[retention_reading],
                     "time_costs": "counted" if time_costs_known else
                     "unknown (no session data): ROI counts the other costs only and is an upper bound"})
    return pd.DataFrame(rows, columns=ROI_COLUMNS)


@dataclass(frozen=True)
class RoiAssumptions:
    """Money figures the program data does not hold. Replace them with your organisation's.

    Every field may be one number or a ``(low, expected, high)`` triple. The defaults are
    placeholders chosen to be plausible for a mid-size knowledge-work employer, not facts.

    Attributes
    ----------
    replacement_cost : cost of replacing one leaver (recruiting, onboarding, lost output).
    mentor_rate, mentee_rate : fully loaded cost of an hour of mentor / mentee time.
    mentor_prep_ratio : mentor preparation and follow-up hours per session hour.
    platform_cost_per_mentee : software cost per mentee for the program period.
    admin_cost_per_pair : coordinator time per pair (matching, check-ins, reporting).
    salary_base : average mentee salary, to turn extra salary growth into money.
    value_per_salary_dollar : value counted per dollar of extra salary growth (the low
        scenario counts none: a raise is a cost until someone shows the added output).
    other_benefits : any other monetised gain, in total.
    horizon_months : benefits counted over this period (Phillips counts the first year).
    """

    replacement_cost: object = (45_000.0, 60_000.0, 75_000.0)
    mentor_rate: object = (60.0, 75.0, 90.0)
    mentee_rate: object = (40.0, 50.0, 60.0)
    mentor_prep_ratio: float = 0.25
    platform_cost_per_mentee: object = 120.0
    admin_cost_per_pair: object = 150.0
    salary_base: object = 65_000.0
    value_per_salary_dollar: object = (0.0, 1.0, 1.0)
    other_benefits: object = 0.0
    horizon_months: float = 12.0


def _scale(value, factor: float):
    r = Range.of(value)
    return (r.low * factor, r.expected * factor, r.high * factor)


def program_hours(data: ProgramData) -> dict:
    """Mentor and mentee session hours from attended sessions.

    A group session counts once for the mentor (sessions of the same mentor, group and
    date are one meeting) and once for each mentee who attended.

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> h = program_hours(ds.load("program_sample"))
    >>> h["mentor_hours"] <= h["mentee_hours"]
    True
    """
    s = data.sessions
    pairs = data.pairs
    att = s["attended"].to_numpy(dtype=bool)
    pos = pd.Index(pairs["pair_id"]).get_indexer(s["pair_id"].to_numpy()[att])
    known = pos >= 0
    pos = pos[known]
    minutes = np.nan_to_num(s["duration_min"].to_numpy(dtype=float)[att][known])
    mentor = pd.factorize(pairs["mentor_id"])[0][pos]
    meeting_key = pairs["group_id"].fillna(pairs["pair_id"]) if "group_id" in pairs.columns else pairs["pair_id"]
    key = pd.factorize(meeting_key)[0][pos]
    day = s["date"].to_numpy(dtype="datetime64[ns]")[att][known].view(np.int64)
    first = ~pd.DataFrame({"m": mentor, "k": key, "d": day}).duplicated().to_numpy()
    return {"mentor_hours": float(minutes[first].sum() / 60), "mentee_hours": float(minutes.sum() / 60),
            "sessions_attended": int(len(minutes)), "mentor_meetings": int(first.sum())}


def costed_hours(data: ProgramData, assumptions: RoiAssumptions | None = None) -> dict:
    """The hours the ROI costs: mentor session hours plus preparation (``mentor_prep_ratio``), mentee hours.

    The one place the hours rule is written; :func:`program_roi` and the dashboard's ROI
    calculator both start from it.

    >>> import mentorkit.datasets as ds
    >>> d = ds.load("program_sample")
    >>> h, c = program_hours(d), costed_hours(d, RoiAssumptions(mentor_prep_ratio=0.5))
    >>> bool(abs(c["mentor_hours"] - 1.5 * h["mentor_hours"]) < 1e-9), c["mentee_hours"] == h["mentee_hours"]
    (True, True)
    """
    a = assumptions or RoiAssumptions()
    h = program_hours(data)
    return {"mentor_hours": h["mentor_hours"] * (1 + a.mentor_prep_ratio), "mentee_hours": h["mentee_hours"]}


def retention_improvement(data: ProgramData, *, horizon_months: float = 12.0, retention: pd.DataFrame | None = None,
                          covariates: Sequence[str] | None = None, _prepared: tuple | None = None) -> dict:
    """Fewer leavers per mentee within the horizon, with a low-high range, from the retention analysis.

    Takes the comparison group's Kaplan-Meier retention at the horizon (propensity-weighted
    when possible) and the hazard ratio of mentoring: under proportional hazards the
    mentored retention is ``S0 ** HR``, so the improvement is ``S0 ** HR - S0``; the
    hazard ratio's 95% limits give the low and high values.

    Returns
    -------
    dict
        ``low, expected, high, method, hr, s0, basis`` (a sentence for the report).
    """
    from lifelines import KaplanMeierFitter

    from mentorkit.analysis.retention import program_retention

    table = program_retention(data, covariates=covariates) if retention is None else retention
    method = "ipw" if (table["method"] == "ipw").any() else "naive"
    row = table[table["method"] == method].iloc[0]
    frame, cov, w_all = _prepared if _prepared is not None else _prepare(data, covariates)
    w = w_all if method == "ipw" else None
    ctrl = ~frame["mentored"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines warns about non-integer (propensity) weights
        kmf = KaplanMeierFitter().fit(frame.loc[ctrl, "duration_months"], frame.loc[ctrl, "event"],
                                      weights=None if w is None else w[ctrl])
    s0 = float(kmf.survival_function_at_times(horizon_months).iloc[0])
    hr, lo, hi = float(row["hr"]), float(row["ci_low"]), float(row["ci_high"])
    gain = lambda h: s0 ** h - s0  # noqa: E731
    basis = (f"{method} hazard ratio {hr:.2f} (95% CI {lo:.2f}-{hi:.2f}) applied to the comparison group's "
             f"{horizon_months:g}-month retention of {s0:.1%}")
    if method == "naive":
        basis += " (naive: no covariates for propensity weighting, so selection is not accounted for)"
    return {"low": gain(hi), "expected": gain(hr), "high": gain(lo), "method": method, "hr": hr, "s0": s0,
            "basis": basis}


def _prepare(data: ProgramData, covariates):
    """The retention frame, its covariates and propensity weights (None without covariates)."""
    from mentorkit.analysis.retention import propensity_weights, retention_frame

    frame, cov = retention_frame(data, covariates=covariates)
    w = propensity_weights(frame, "mentored", cov, treated=True) if cov and frame["mentored"].nunique() == 2 else None
    return frame, cov, w


def salary_gain(data: ProgramData, *, retention_method: str = "ipw", covariates: Sequence[str] | None = None,
                _prepared: tuple | None = None) -> dict:
    """Extra salary growth of mentees over the comparison group (a proportion), with its 95% CI.

    A weighted least-squares regression of ``salary_change_pct`` on being mentored, with the
    propensity weights when covariates exist (HC1 robust errors).
    """
    import statsmodels.api as sm

    frame, cov, w_all = _prepared if _prepared is not None else _prepare(data, covariates)
    sal = data.outcomes.drop_duplicates("participant_id").set_index("participant_id")["salary_change_pct"]
    frame = frame.assign(salary_change_pct=sal.reindex(frame["participant_id"]).to_numpy())
    keep = frame["salary_change_pct"].notna().to_numpy()
    frame = frame[keep]
    if frame["mentored"].nunique() < 2:
        return {"low": 0.0, "expected": 0.0, "high": 0.0}
    w = w_all[keep] if (w_all is not None and retention_method == "ipw") else None
    X = sm.add_constant(frame["mentored"].astype(float).to_numpy())
    fit = sm.WLS(frame["salary_change_pct"].to_numpy(float), X,
                 weights=np.ones(len(frame)) if w is None else w.to_numpy()).fit(cov_type="HC1")
    est = float(fit.params[1]) / 100
    lo, hi = (np.asarray(fit.conf_int()[1]) / 100).tolist()
    return {"low": lo, "expected": est, "high": hi}


def program_roi(data: ProgramData, assumptions: RoiAssumptions | None = None, *, retention: pd.DataFrame | None = None,
                covariates: Sequence[str] | None = None) -> pd.DataFrame:
    """Phillips ROI of a program from its data plus money assumptions.

    Costs: mentor hours (sessions plus preparation) and mentee hours at their rates, the
    platform per mentee, administration per pair. Benefits over ``horizon_months``: avoided
    replacement costs (:func:`retention_improvement`), extra salary growth
    (:func:`salary_gain`, valued per ``value_per_salary_dollar``) and other gains.

    Without session data the time costs are unknown, not zero (``time_costs`` says so and
    ``costs`` holds the known costs only).

    Returns
    -------
    DataFrame
        :func:`roi_table`'s columns plus ``basis`` (where the retention figure comes from).

    Examples
    --------
    >>> import mentorkit.datasets as ds
    >>> program_roi(ds.load("program_sample"))["scenario"].tolist()
    ['low', 'expected', 'high']
    """
    a = assumptions or RoiAssumptions()
    parts = data.participants
    n_mentees = int((parts["role"] == "mentee").sum())
    n_pairs = int(len(data.pairs))
    hours = costed_hours(data, a)
    time_known = len(data.sessions) > 0
    prepared = _prepare(data, covariates)
    ret = retention_improvement(data, horizon_months=a.horizon_months, retention=retention, covariates=covariates,
                                _prepared=prepared)
    sal = salary_gain(data, retention_method=ret["method"], covariates=covariates, _prepared=prepared)
    sal_range = (min(sal["low"], sal["expected"]), sal["expected"], max(sal["high"], sal["expected"]))
    t = roi_table(
        n_mentees=n_mentees, replacement_cost=a.replacement_cost,
        retention_improvement=(ret["low"], ret["expected"], ret["high"]),
        mentor_hours=hours["mentor_hours"], hourly_rate=a.mentor_rate,
        mentee_hours=hours["mentee_hours"], mentee_rate=a.mentee_rate,
        platform_cost=_scale(a.platform_cost_per_mentee, n_mentees), admin_cost=_scale(a.admin_cost_per_pair, n_pairs),
        salary_base=a.salary_base, salary_growth_gain=sal_range, value_per_salary_dollar=a.value_per_salary_dollar,
        other_benefits=a.other_benefits, time_costs_known=time_known)
    t["horizon_months"] = a.horizon_months
    t["basis"] = ret["basis"]
    return t
