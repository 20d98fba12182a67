"""Internal consistency of multi-item survey scales (Cronbach's alpha with Feldt's interval)."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from mentorkit.analysis._common import require_columns, unique_values, wide_values
from mentorkit.errors import MentorkitError

__all__ = ["cronbach_alpha", "scale_reliability", "find_scales"]

_SCALE_ITEM = re.compile(r"^(?P<scale>[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*)_(?P<num>\d+)$")


def cronbach_alpha(items: pd.DataFrame, *, confidence: float = 0.95) -> dict:
    """Cronbach's alpha of a set of items, with Feldt's confidence interval.

    Parameters
    ----------
    items : DataFrame
        One row per respondent, one column per item. Respondents with any missing item are
        left out (listwise deletion).
    confidence : float
        Coverage of the interval.

    Returns
    -------
    dict
        ``n`` (respondents used), ``k`` (items), ``alpha``, ``ci_low``, ``ci_high``. The
        interval is Feldt, Woodruff & Salih (1987): ``1 - (1 - alpha) * F`` at the two tail
        quantiles of an F distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})
    >>> round(cronbach_alpha(x)["alpha"], 3)
    0.954
    """
    data = items.apply(pd.to_numeric, errors="coerce").dropna()
    n, k = data.shape
    out = dict(n=int(n), k=int(k), alpha=np.nan, ci_low=np.nan, ci_high=np.nan)
    if k < 2 or n < 2:
        return out
    x = data.to_numpy(dtype=float)
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return out
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total_var)
    lo_q, hi_q = 0.5 - confidence / 2, 0.5 + confidence / 2
    df1, df2 = n - 1, (n - 1) * (k - 1)
    out.update(alpha=float(alpha),
               ci_low=float(1 - (1 - alpha) * stats.f.ppf(hi_q, df1, df2)),
               ci_high=float(1 - (1 - alpha) * stats.f.ppf(lo_q, df1, df2)))
    return out


def find_scales(item_names: Sequence[str], *, min_items: int = 2,
                exclude_prefixes: Sequence[str] = ("conf_",)) -> dict[str, list[str]]:
    """Group item names of the form ``<scale>_<number>`` into scales.

    Examples
    --------
    >>> find_scales(["career_1", "career_2", "career_3", "conf_sbi", "nps"])
    {'career': ['career_1', 'career_2', 'career_3']}
    """
    scales: dict[str, list[str]] = {}
    for name in sorted(set(map(str, item_names)), key=lambda s: (s.rsplit("_", 1)[0], len(s), s)):
        if any(name.startswith(p) for p in exclude_prefixes):
            continue
        m = _SCALE_ITEM.match(name)
        if m:
            scales.setdefault(m["scale"], []).append(name)
    return {s: v for s, v in scales.items() if len(v) >= min_items}


def scale_reliability(surveys: pd.DataFrame, *, scales: Mapping[str, Sequence[str]] | None = None,
                      waves: Sequence[str] | None = None, confidence: float = 0.95,
                      id_col: str = "participant_id", wave_col: str = "wave", item_col: str = "item",
                      value_col: str = "value") -> pd.DataFrame:
    """Cronbach's alpha of every multi-item scale, per survey wave.

    Parameters
    ----------
    surveys : DataFrame
        Long survey answers (participant, wave, item, value).
    scales : mapping, optional
        Scale name to its item names; by default found from names like ``career_1``
        (see :func:`find_scales`).
    waves : list of str, optional
        Waves to report; by default every wave in which the scale was asked.

    Returns
    -------
    DataFrame
        Columns ``scale, wave, k, n, alpha, ci_low, ci_high``, one row per scale and wave.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(p, "post", f"career_{i}", v) for p, vals in enumerate([[1, 2, 1], [3, 3, 4], [5, 4, 5]])
    ...         for i, v in enumerate(vals, start=1)]
    >>> s = pd.DataFrame(rows, columns=["participant_id", "wave", "item", "value"])
    >>> scale_reliability(s)[["scale", "wave", "k", "n"]]
        scale  wave  k  n
    0  career  post  3  3
    """
    require_columns(surveys, [id_col, wave_col, item_col, value_col], "surveys")
    present = set(unique_values(surveys[item_col]))
    if scales is None:
        scales = find_scales(present)
        if not scales:
            raise MentorkitError(f"surveys: no multi-item scale found in column {item_col!r} "
                                 "(expected item names like 'career_1', 'career_2')")
    wanted = sorted({i for v in scales.values() for i in v})
    if waves is None:
        sub = surveys[item_col].isin(wanted)
        wave_order = unique_values(surveys.loc[sub, wave_col])
    else:
        wave_order = list(waves)
    ids, values = wide_values(surveys, id_col=id_col, item_col=item_col, wave_col=wave_col, value_col=value_col,
                              items=wanted, waves=wave_order)
    col = {item: i for i, item in enumerate(wanted)}
    rows = []
    for scale, its in scales.items():
        missing = [i for i in its if i not in present]
        if missing:
            raise MentorkitError(f"surveys: scale {scale!r} names item(s) {missing} that never appear in column {item_col!r}")
        for w, wave in enumerate(wave_order):
            block = values[:, [col[i] for i in its], w]
            block = block[~np.isnan(block).all(axis=1)]
            if not len(block):
                continue
            rows.append({"scale": scale, "wave": wave,
                         **cronbach_alpha(pd.DataFrame(block, columns=list(its)), confidence=confidence)})
    out = pd.DataFrame(rows, columns=["scale", "wave", "n", "k", "alpha", "ci_low", "ci_high"])
    return out[["scale", "wave", "k", "n", "alpha", "ci_low", "ci_high"]]
