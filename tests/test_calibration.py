"""Reliability tables, ECE and the recalibration maps, checked against sklearn and hand counts."""
import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from mentorkit.calibration import (apply_platt, apply_temperature, expected_calibration_error, fit_platt,
                                   fit_temperature, reliability_table, top_label)


def test_ece_by_hand():
    # bins of width 0.5: (0, .5] holds 0.1 and 0.3 (mean 0.2, observed 0/2 = 0) -> gap 0.2
    # (.5, 1] holds 0.9 and 0.8 (mean 0.85, observed 2/2 = 1) -> gap 0.15; ECE = 0.5*0.2 + 0.5*0.15
    y, p = np.array([0, 1, 1, 0]), np.array([0.1, 0.9, 0.8, 0.3])
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(0.175)


def test_reliability_table_matches_sklearn_calibration_curve():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 2000)
    y = (rng.uniform(0, 1, 2000) < p ** 1.5).astype(int)
    table = reliability_table(y, p, n_bins=10)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(table["observed"], prob_true, atol=1e-12)
    np.testing.assert_allclose(table["mean_predicted"], prob_pred, atol=1e-12)
    assert table["n"].sum() == 2000


def test_a_calibrated_source_has_small_ece_and_a_skewed_one_does_not():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 20000)
    y = (rng.uniform(0, 1, 20000) < p).astype(int)
    assert expected_calibration_error(y, p) < 0.02
    assert expected_calibration_error(y, np.clip(p + 0.2, 0, 1)) > 0.1


def test_top_label_pairs():
    correct, conf = top_label(["a", "b", "b"], ["a", "b"], np.array([[0.7, 0.3], [0.9, 0.1], [0.2, 0.8]]))
    assert correct.tolist() == [1, 0, 1]
    assert conf.tolist() == [0.7, 0.9, 0.8]


def test_platt_recovers_a_known_distortion():
    rng = np.random.default_rng(2)
    z = rng.normal(0, 2, 20000)
    truth = 1 / (1 + np.exp(-z))
    y = (rng.uniform(0, 1, len(z)) < truth).astype(int)
    overconfident = 1 / (1 + np.exp(-3 * z))          # logits three times too large
    a, b = fit_platt(overconfident, y)
    assert a == pytest.approx(1 / 3, abs=0.03) and b == pytest.approx(0, abs=0.05)
    fixed = apply_platt(overconfident.reshape(-1, 1), [(a, b)])[:, 0]
    assert expected_calibration_error(y, fixed) < expected_calibration_error(y, overconfident) / 3


def test_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 1.5, (20000, 4))
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(4, p=row) for row in p])
    t = fit_temperature(logits * 2.0, y)              # scores twice too sharp: T should be about 2
    assert t == pytest.approx(2.0, rel=0.05)
    np.testing.assert_allclose(apply_temperature(logits * 2.0, 2.0), p, atol=1e-9)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="y_true has"):
        reliability_table([0, 1], [0.5])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        reliability_table([0, 1], [0.5, 1.5])
