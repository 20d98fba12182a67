"""Power by simulation: how many mentees does a study need to detect the program's effect?

The question a study answers is whether mentees' confidence grows *more than* a comparison
group's, once the confounders of opting in are accounted for (see
:func:`mentorkit.analysis.outcomes.confidence_effect`). :func:`power_curve` asks the program
simulator (:func:`mentorkit.program.simulate`) for one large program per planted effect
size, then draws many studies of each size from it (``n`` mentees and ``ratio × n``
comparison-group members, at random) and runs the same adjusted regression on each: change
in mean confidence on being mentored plus prior engagement and log tenure. The share of
studies with ``p < alpha`` is the power. Drawing from one large simulated pool (20 times the
largest study at least) keeps a curve to a few seconds. Beside it, ``power_analytic`` is
the textbook two-sample t-test power at the pool's standardised adjusted effect: a check,
and a reminder of what the formula misses (mentees' changes vary more than the comparison
group's, because the gain grows with attendance).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mentorkit.analysis._common import survey_people, survey_waves
from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["effect_pool", "analytic_power", "paired_power", "paired_required_n", "power_from_pool", "power_curve", "required_n", "recovery", "power_figure"]


def effect_pool(data: ProgramData, *, prefix: str = "conf_", pre: str = "pre", post: str = "post") -> tuple[pd.DataFrame, list[str]]:
    """Everyone with both survey waves: change in mean confidence, group and confounders.

    Returns
    -------
    (pool, covariates)
        *pool* has ``participant_id, mentored, change`` (post minus pre of the mean over the
        items), ``pre`` (the pre-wave mean) and the covariate columns.

    Examples
    --------
    >>> from mentorkit.program import simulate
    >>> pool, cov = effect_pool(simulate(mentees=60, seed=1))
    >>> sorted(pool["mentored"].unique().tolist()), cov
    ([False, True], ['prior_engagement', 'log_tenure_years'])
    """
    from mentorkit.analysis.retention import DEFAULT_CONFOUNDERS, LOG_SCALE

    people = survey_people(data)
    wide = survey_waves(data, people, prefix=prefix, pre=pre, post=post, purpose=" for power")
    change = (wide[post] - wide[pre]).groupby(level="participant_id").mean().dropna()
    before = wide[pre].groupby(level="participant_id").mean().reindex(change.index)
    pool = pd.DataFrame({"participant_id": change.index, "change": change.to_numpy(),
                         "pre": before.to_numpy(),
                         "mentored": (people["role"].reindex(change.index) == "mentee").to_numpy()})
    cov = []
    for c in DEFAULT_CONFOUNDERS:
        if c in people.columns and people[c].reindex(change.index).notna().all():
            v = people[c].reindex(change.index).to_numpy(dtype=float)
            if c in LOG_SCALE:
                pool[LOG_SCALE[c]] = np.log(np.clip(v, 0.05, None))
                cov.append(LOG_SCALE[c])
            else:
                pool[c] = v
                cov.append(c)
    return pool, cov


def _p_values(y: np.ndarray, X: np.ndarray) -> float:
    """Two-sided p of the coefficient in column 1 of X (ordinary least squares)."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    dof = len(y) - X.shape[1]
    sigma2 = resid @ resid / dof
    xtx_inv = np.linalg.pinv(X.T @ X)
    se = np.sqrt(sigma2 * xtx_inv[1, 1])
    return float(2 * stats.t.sf(abs(beta[1] / se), dof)) if se > 0 else 1.0


def analytic_power(effect_size: float, n: int, m: int, alpha: float = 0.05) -> float:
    """Two-sided two-sample t-test power from the noncentral t distribution.

    Examples
    --------
    >>> round(analytic_power(0.5, 64, 64), 3)
    0.801
    """
    if not np.isfinite(effect_size):
        return float("nan")
    dof = n + m - 2
    nc = effect_size * np.sqrt(n * m / (n + m))
    crit = stats.t.ppf(1 - alpha / 2, dof)
    p = stats.nct.sf(crit, dof, nc) + stats.nct.cdf(-crit, dof, nc)
    if not np.isfinite(p):  # far in the tail the noncentral t fails; the normal limit is exact enough there
        p = stats.norm.sf(crit - nc) + stats.norm.cdf(-crit - nc)
    return float(min(p, 1.0))


def paired_power(effect_size: float, n: int, alpha: float = 0.05, *, alternative: str = "two-sided") -> float:
    """Power of a paired (or one-sample) t-test: *n* people, effect in SD-of-the-differences units (d_z).

    For a pre/post design on the same people the test sees ``d_z = mean change / SD of the
    changes``; this is the power of ``paired_change``'s t-test at that effect. From the
    noncentral t with ``n - 1`` degrees of freedom and noncentrality ``d_z √n``.

    Parameters
    ----------
    alternative : {"two-sided", "larger", "smaller"}

    Examples
    --------
    >>> round(paired_power(0.5, 34), 3)
    0.808
    """
    if alternative not in ("two-sided", "larger", "smaller"):
        raise MentorkitError(f"power: alternative must be two-sided, larger or smaller, got {alternative!r}")
    if not np.isfinite(effect_size):
        return float("nan")
    n = int(n)
    if n < 2:
        raise MentorkitError(f"power: a paired test needs at least 2 people, got {n}")
    dof = n - 1
    nc = effect_size * np.sqrt(n)
    if alternative == "two-sided":
        crit = stats.t.ppf(1 - alpha / 2, dof)
        p = stats.nct.sf(crit, dof, nc) + stats.nct.cdf(-crit, dof, nc)
    elif alternative == "larger":
        p = stats.nct.sf(stats.t.ppf(1 - alpha, dof), dof, nc)
    else:
        p = stats.nct.cdf(stats.t.ppf(alpha, dof), dof, nc)
    return float(min(p, 1.0))


def paired_required_n(effect_size: float, target: float = 0.8, alpha: float = 0.05, *,
                      alternative: str = "two-sided", max_n: int = 100_000) -> int:
    """Smallest number of people for which :func:`paired_power` reaches *target*.

    Examples
    --------
    >>> paired_required_n(0.5)
    34
    """
    if not 0 < target < 1:
        raise MentorkitError(f"power: target must be between 0 and 1, got {target}")
    if not np.isfinite(effect_size) or effect_size == 0:
        raise MentorkitError(f"power: the effect size must be a non-zero number, got {effect_size}")
    lo, hi = 2, 2
    while paired_power(effect_size, hi, alpha, alternative=alternative) < target:
        lo, hi = hi, hi * 2
        if hi > max_n:
            raise MentorkitError(f"power: more than {max_n} people would be needed for d_z = {effect_size}")
    while lo < hi:
        mid = (lo + hi) // 2
        if paired_power(effect_size, mid, alpha, alternative=alternative) >= target:
            hi = mid
        else:
            lo = mid + 1
    return int(lo)


def power_from_pool(pool: pd.DataFrame, sizes: Sequence[int], *, covariates: Sequence[str] = (), ratio: float = 1.0,
                    n_sims: int = 500, alpha: float = 0.05, seed: int = 0) -> pd.DataFrame:
    """Power of the adjusted mentored-vs-comparison test at each study size, drawing from *pool*.

    Parameters
    ----------
    pool : DataFrame
        ``change`` (outcome), ``mentored`` (bool) and the *covariates*, one row per person.
    sizes : list of int
        Numbers of mentees per study.
    ratio : float
        Comparison-group members per mentee.
    n_sims : int
        Studies drawn per size; the Monte Carlo standard error is ``sqrt(p(1-p)/n_sims)``.

    Returns
    -------
    DataFrame
        ``n, n_comparison, power, mc_se, power_analytic, effect_size, d_pre`` per size.
        ``effect_size`` is the pool's adjusted effect over the residual SD of the change
        (the scale the test sees, on which ``power_analytic`` is computed); ``d_pre`` is the
        same effect in the conventional Cohen's d units, over the pooled SD of the outcome
        at the pre wave (when the pool has a ``pre`` column).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> m = np.repeat([True, False], 4000)
    >>> pool = pd.DataFrame({"mentored": m, "change": rng.normal(0, 1, 8000) + 0.5 * m})
    >>> c = power_from_pool(pool, [64], n_sims=400)
    >>> bool(abs(c["power"].iloc[0] - c["power_analytic"].iloc[0]) < 0.07)
    True
    """
    sizes = [int(n) for n in sizes]
    covariates = list(covariates)
    y_all = pool["change"].to_numpy(dtype=float)
    t_all = pool["mentored"].to_numpy(dtype=bool)
    X_all = np.column_stack([np.ones(len(pool)), t_all.astype(float)]
                            + [pool[c].to_numpy(dtype=float) for c in covariates])
    treated, control = np.flatnonzero(t_all), np.flatnonzero(~t_all)
    n_ctrl = [max(2, int(round(ratio * n))) for n in sizes]
    if min(sizes) < 3:
        raise MentorkitError(f"power: every study needs at least 3 mentees, got {sizes}")
    if max(sizes) > len(treated) or max(n_ctrl) > len(control):
        raise MentorkitError(f"power: the pool has {len(treated)} mentees and {len(control)} comparison members, "
                             f"too few for studies of {max(sizes)} and {max(n_ctrl)}")
    beta, *_ = np.linalg.lstsq(X_all, y_all, rcond=None)
    resid_sd = float(np.std(y_all - X_all @ beta, ddof=X_all.shape[1]))
    effect_size = float(beta[1] / resid_sd) if resid_sd > 0 else np.nan
    if "pre" in pool.columns:
        pre = pool["pre"].to_numpy(dtype=float)
        sd_pre = float(np.sqrt((np.nanvar(pre[t_all], ddof=1) + np.nanvar(pre[~t_all], ddof=1)) / 2))
        d_pre = float(beta[1] / sd_pre) if sd_pre > 0 else np.nan
    else:
        d_pre = np.nan
    rng = np.random.default_rng(seed)
    rows = []
    for n, m in zip(sizes, n_ctrl):
        hits = 0
        for _ in range(n_sims):
            idx = np.concatenate([rng.choice(treated, n, replace=False), rng.choice(control, m, replace=False)])
            hits += _p_values(y_all[idx], X_all[idx]) < alpha
        power = hits / n_sims
        rows.append({"n": n, "n_comparison": m, "power": power, "mc_se": float(np.sqrt(power * (1 - power) / n_sims)),
                     "power_analytic": analytic_power(effect_size, n, m, alpha),
                     "effect_size": effect_size, "d_pre": d_pre})
    return pd.DataFrame(rows)


def power_curve(effect_d: float | Sequence[float], sizes: Sequence[int], *, n_sims: int = 500, alpha: float = 0.05,
                ratio: float = 1.0, seed: int = 0, pool_size: int | None = None, simulate: Callable | None = None,
                progress: bool = False, **simulate_kwargs) -> pd.DataFrame:
    """Power curve(s) of a mentored-vs-comparison study, by simulation with the program simulator.

    Parameters
    ----------
    effect_d : float or list of float
        Planted confidence effect(s) in SD units, passed to the simulator as
        ``confidence_effect_d``.
    sizes : list of int
        Numbers of mentees per study.
    ratio : float
        Comparison-group members per mentee.
    pool_size : int, optional
        Mentees (and comparison members) in each simulated pool; default 20 × the largest
        study, at least 2,000.
    simulate : callable, optional
        ``simulate(mentees=..., comparison=..., seed=..., confidence_effect_d=..., **simulate_kwargs)``
        returning a ProgramData; default :func:`mentorkit.program.simulate`.
    progress : bool
        Show a progress bar over the effect sizes.

    Returns
    -------
    DataFrame
        ``effect_d, n, n_comparison, power, mc_se, power_analytic, effect_size, d_pre``.
        Three effect sizes, in three units: ``effect_d`` is what was planted (SD units of
        one survey item at the pre wave, the simulator's ``confidence_effect_d``);
        ``d_pre`` is the measured adjusted effect in the conventional Cohen's d units (the
        pooled pre-wave SD of the outcome, the mean over the items); ``effect_size`` is the
        same effect over the residual SD of the change scores, the scale the test sees.
        Change scores vary much less than levels, so ``effect_size`` is far larger than the
        other two (a planted 0.5 is near 1.8 there); quote ``d_pre`` when comparing with
        published effect sizes.

    Examples
    --------
    >>> c = power_curve(0.4, [20, 80], n_sims=100)
    >>> bool(c["power"].iloc[1] > c["power"].iloc[0])
    True
    """
    if simulate is None:
        from mentorkit.program import simulate as simulate  # noqa: PLW0127 - the program simulator
    effects = [float(effect_d)] if np.isscalar(effect_d) else [float(e) for e in effect_d]
    pool_size = pool_size or max(2000, 20 * max(int(n) for n in sizes))
    frames = []
    iterator = effects
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(effects, desc="power: simulated programs", unit="effect")
    for k, eff in enumerate(iterator):
        data = simulate(mentees=pool_size, comparison=int(np.ceil(pool_size * ratio)), seed=seed + 1000 * k,
                        confidence_effect_d=eff, **simulate_kwargs)
        pool, cov = effect_pool(data)
        frames.append(power_from_pool(pool, sizes, covariates=cov, ratio=ratio, n_sims=n_sims, alpha=alpha,
                                      seed=seed + k).assign(effect_d=eff))
    out = pd.concat(frames, ignore_index=True)
    return out[["effect_d", "n", "n_comparison", "power", "mc_se", "power_analytic", "effect_size", "d_pre"]]


def required_n(curve: pd.DataFrame, target: float = 0.8, *, column: str = "power") -> pd.DataFrame:
    """Smallest number of mentees reaching *target* power, per effect size (linear interpolation).

    Returns ``effect_d, n_required`` (NaN when the curve never reaches the target).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"effect_d": 0.5, "n": [20, 30, 40], "power": [0.6, 0.76, 0.88]})
    >>> required_n(c)["n_required"].tolist()
    [34.0]
    """
    if "effect_d" not in curve.columns:
        curve = curve.assign(effect_d=np.nan)
    rows = []
    for eff, part in curve.groupby("effect_d", dropna=False, sort=True):
        part = part.sort_values("n")
        n, p = part["n"].to_numpy(float), part[column].to_numpy(float)
        above = np.flatnonzero(p >= target)
        if not len(above):
            val = np.nan
        elif above[0] == 0:
            val = n[0]
        else:
            i = above[0]
            val = float(np.ceil(n[i - 1] + (target - p[i - 1]) * (n[i] - n[i - 1]) / (p[i] - p[i - 1])))
        rows.append({"effect_d": eff, "n_required": val})
    return pd.DataFrame(rows)


def recovery(seeds: Sequence[int] = range(5), *, mentees: int = 800, progress: bool = False,
             **simulate_kwargs) -> pd.DataFrame:
    """Simulate a program per seed and check the analyses against the planted truth.

    Returns
    -------
    DataFrame
        One row per seed: the planted ``confidence_effect_d`` and ``retention_hazard_ratio``;
        the adjusted confidence ``d`` with its CI and whether it covers the truth; the naive
        ``d``; the propensity-weighted and the naive hazard ratios with their CIs and coverage.

    Examples
    --------
    >>> r = recovery([0], mentees=200)
    >>> r.columns[:3].tolist()
    ['seed', 'true_d', 'd']
    """
    from mentorkit.analysis.outcomes import confidence_effect
    from mentorkit.analysis.retention import program_retention
    from mentorkit.program import simulate

    rows = []
    iterator = list(seeds)
    if progress:
        from tqdm.auto import tqdm
        iterator = tqdm(iterator, desc="recovery: simulated programs", unit="seed")
    for seed in iterator:
        data = simulate(mentees=mentees, seed=int(seed), **simulate_kwargs)
        truth = data.truth
        eff = confidence_effect(data).set_index("skill").loc["all"]
        ret = program_retention(data).set_index("method")
        ipw, naive = ret.loc["ipw"], ret.loc["naive"]
        d_true, hr_true = truth["confidence_effect_d"], truth["retention_hazard_ratio"]
        rows.append({
            "seed": int(seed), "true_d": d_true, "d": eff["d"], "d_ci_low": eff["d_ci_low"], "d_ci_high": eff["d_ci_high"],
            "d_covered": bool(eff["d_ci_low"] <= d_true <= eff["d_ci_high"]), "d_naive": eff["d_naive"],
            "true_hr": hr_true, "hr_ipw": ipw["hr"], "hr_ipw_ci_low": ipw["ci_low"], "hr_ipw_ci_high": ipw["ci_high"],
            "hr_ipw_covered": bool(ipw["ci_low"] <= hr_true <= ipw["ci_high"]),
            "hr_naive": naive["hr"], "hr_naive_ci_low": naive["ci_low"], "hr_naive_ci_high": naive["ci_high"],
            "hr_naive_covered": bool(naive["ci_low"] <= hr_true <= naive["ci_high"]),
        })
    return pd.DataFrame(rows)


def power_figure(curve: pd.DataFrame, target: float = 0.8):
    """A plotly chart of power against the number of mentees, one line per effect size."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for eff, part in curve.groupby("effect_d", sort=True):
        part = part.sort_values("n")
        fig.add_trace(go.Scatter(x=part["n"], y=part["power"], mode="lines+markers", name=f"d = {eff:g}",
                                 error_y=dict(type="data", array=1.96 * part["mc_se"], visible=True)))
    fig.add_hline(y=target, line_dash="dash", annotation_text=f"{target:.0%} power")
    fig.update_layout(title="Power to detect the program's effect on confidence (by simulation)",
                      xaxis_title="mentees (and as many comparison-group members)", yaxis_title="power",
                      yaxis_range=[0, 1.02], height=420)
    return fig
