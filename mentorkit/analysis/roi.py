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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

__all__ = ["Range", "fully_loaded_costs", "retention_benefit", "roi", "roi_table", "ROI_COLUMNS"]

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
    return round(float(x), 2)


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


ROI_COLUMNS = ["scenario", "n_mentees", "retention_improvement", "cost_mentor_time", "cost_mentee_time",
               "cost_platform", "cost_admin", "cost_other", "costs", "benefit_retention", "benefit_salary",
               "benefit_other", "benefits", "net_benefit", "roi_pct", "bcr"]


def roi_table(*, n_mentees: int, replacement_cost, retention_improvement, mentor_hours, hourly_rate,
              platform_cost=0.0, admin_cost=0.0, mentee_hours=0.0, mentee_rate=0.0, other_costs=0.0,
              salary_base=0.0, salary_growth_gain=0.0, value_per_salary_dollar=1.0,
              other_benefits=0.0) -> pd.DataFrame:
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
    """
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
        b_ret = retention_benefit(n_mentees, v["replacement_cost"], v["retention_improvement"])
        b_sal = _money(n_mentees * v["salary_base"] * v["salary_growth_gain"] * v["value_per_salary_dollar"])
        b_other = _money(v["other_benefits"])
        benefits = _money(b_ret + b_sal + b_other)
        rows.append({"scenario": scenario, "n_mentees": int(n_mentees),
                     "retention_improvement": v["retention_improvement"],
                     "cost_mentor_time": c_mentor, "cost_mentee_time": c_mentee,
                     "cost_platform": _money(v["platform_cost"]), "cost_admin": _money(v["admin_cost"]),
                     "cost_other": _money(v["other_costs"]), "costs": costs,
                     "benefit_retention": b_ret, "benefit_salary": b_sal, "benefit_other": b_other,
                     "benefits": benefits, **roi(benefits, costs)})
    return pd.DataFrame(rows, columns=ROI_COLUMNS)
