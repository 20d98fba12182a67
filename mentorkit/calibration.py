"""Does a detector's confidence mean what it says? Reliability tables, expected calibration
error, and the two small recalibration maps the detectors use.

* :func:`reliability_table` -- the data of a reliability curve: the predictions cut into
  equal-width probability bins; per bin the mean predicted probability and the share of
  items that really were positive (or, for a multi-class label, really were that label).
* :func:`expected_calibration_error` -- the bin-size-weighted mean gap between the two
  (ECE, Naeini et al. 2015): 0 is perfectly calibrated.
* :func:`fit_platt` / :func:`apply_platt` -- a logistic map of a probability's log-odds
  (Platt scaling), fitted on out-of-fold predictions, for one-vs-rest components.
* :func:`fit_temperature` / :func:`apply_temperature` -- one temperature dividing the logits
  of a multinomial model (Guo et al. 2017), fitted the same way.

>>> import numpy as np
>>> round(expected_calibration_error(np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3])), 3)
0.175
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["reliability_table", "expected_calibration_error", "top_label", "fit_platt", "apply_platt",
           "fit_temperature", "apply_temperature", "reliability_figure", "N_BINS"]

N_BINS = 10
_EPS = 1e-6


def _bins(proba: np.ndarray, n_bins: int) -> np.ndarray:
    # bin k holds (k/n, (k+1)/n]; 0 goes to the first bin (as sklearn's calibration_curve)
    return np.clip(np.ceil(proba * n_bins).astype(int) - 1, 0, n_bins - 1)


def reliability_table(y_true: Sequence[int], proba: Sequence[float], n_bins: int = N_BINS) -> pd.DataFrame:
    """One row per non-empty bin: bin, lower, upper, n, mean_predicted, observed.

    *y_true* is 0/1 (was the item positive / was the prediction right), *proba* the
    predicted probability of that.

    >>> reliability_table([0, 1, 1], [0.2, 0.7, 0.75], n_bins=2)[["n", "observed"]].values.tolist()
    [[1.0, 0.0], [2.0, 1.0]]
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(proba, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"y_true has {y.shape} values but proba has {p.shape}")
    if len(p) and (p.min() < 0 or p.max() > 1):
        raise ValueError("probabilities must lie in [0, 1]")
    b = _bins(p, n_bins)
    rows = []
    for k in range(n_bins):
        m = b == k
        if m.any():
            rows.append({"bin": k, "lower": k / n_bins, "upper": (k + 1) / n_bins, "n": float(m.sum()),
                         "mean_predicted": float(p[m].mean()), "observed": float(y[m].mean())})
    return pd.DataFrame(rows, columns=["bin", "lower", "upper", "n", "mean_predicted", "observed"])


def expected_calibration_error(y_true: Sequence[int], proba: Sequence[float], n_bins: int = N_BINS) -> float:
    """ECE: sum over bins of (bin share) x |observed - mean predicted| (equal-width bins)."""
    t = reliability_table(y_true, proba, n_bins)
    if t.empty:
        return 0.0
    return float((t.n / t.n.sum() * (t.observed - t.mean_predicted).abs()).sum())


def top_label(y_true: Sequence[str], classes: Sequence[str], proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(correct, confidence) of a multi-class model's top label: the pair whose reliability is
    the label's calibration.

    >>> top_label(["a", "b"], ["a", "b"], np.array([[0.8, 0.2], [0.6, 0.4]]))
    (array([1, 0]), array([0.8, 0.6]))
    """
    proba = np.asarray(proba, dtype=float)
    k = proba.argmax(axis=1)
    pred = np.asarray(classes)[k]
    return (pred == np.asarray(y_true)).astype(int), proba[np.arange(len(k)), k]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def fit_platt(proba: Sequence[float], y: Sequence[int]) -> tuple[float, float]:
    """(a, b) so that ``sigmoid(a * logit(p) + b)`` matches the observed rate (maximum likelihood,
    a little L2 regularisation so a clean split cannot run off to infinity)."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y, dtype=int)
    if y.min() == y.max():
        return 1.0, 0.0
    z = _logit(np.asarray(proba, dtype=float)).reshape(-1, 1)
    m = LogisticRegression(C=100.0, solver="lbfgs", max_iter=1000).fit(z, y)
    return float(m.coef_[0, 0]), float(m.intercept_[0])


def apply_platt(proba: np.ndarray, ab: Sequence[Sequence[float]]) -> np.ndarray:
    """Apply one (a, b) per column of *proba* (items x components)."""
    proba = np.asarray(proba, dtype=float)
    out = np.empty_like(proba)
    for j, (a, b) in enumerate(ab):
        out[:, j] = 1.0 / (1.0 + np.exp(-(a * _logit(proba[:, j]) + b)))
    return out


def fit_temperature(logits: np.ndarray, y_index: Sequence[int]) -> float:
    """The temperature T > 0 minimising the log loss of ``softmax(logits / T)``."""
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    z = np.asarray(logits, dtype=float)
    idx = np.asarray(y_index, dtype=int)

    def loss(log_t: float) -> float:
        ls = log_softmax(z / np.exp(log_t), axis=1)
        return float(-ls[np.arange(len(idx)), idx].mean())

    res = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(res.x))


def apply_temperature(logits: np.ndarray, temperature: float) -> np.ndarray:
    from scipy.special import softmax

    return softmax(np.asarray(logits, dtype=float) / temperature, axis=1)


def reliability_figure(tables: dict[str, pd.DataFrame], title: str = "Reliability"):
    """A plotly reliability curve: mean predicted probability (x) against the observed rate (y)
    per bin, one line per table, marker size by the number of items, and the diagonal of a
    perfectly calibrated model. *tables* maps a legend name to a :func:`reliability_table`."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfectly calibrated",
                             line={"dash": "dash", "color": "#999"}))
    for name, t in tables.items():
        size = 6 + 14 * np.sqrt(t["n"] / max(1.0, float(t["n"].max())))
        fig.add_trace(go.Scatter(x=t["mean_predicted"], y=t["observed"], mode="lines+markers", name=name,
                                 marker={"size": size}, text=[f"n={int(n)}" for n in t["n"]]))
    fig.update_layout(title=title, xaxis_title="mean predicted probability", yaxis_title="observed share",
                      xaxis_range=[0, 1], yaxis_range=[0, 1], width=560, height=460)
    return fig
