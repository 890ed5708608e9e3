"""The pieces of training made faster: Platt's sigmoid by Newton's method, the dual solver,
and tuning's macro-F1 for every threshold at once; each gives what the slower way gave."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from grandstrategy.horizon.classify import evaluate, fit
from grandstrategy.horizon.classify.labels import with_none_fallback


def _reference_platt(f: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    calibration = pytest.importorskip("sklearn.calibration")
    fit = getattr(calibration, "_sigmoid_calibration", None)
    if fit is None:
        pytest.skip("scikit-learn no longer has _sigmoid_calibration")
    a, b = fit(f, y)
    return float(a), float(b)


@pytest.mark.parametrize("seed", range(5))
def test_platt_reaches_scikit_learns_sigmoid(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(400) < 0.1).astype(int)
    f = rng.normal(size=400) * 2 + y * rng.normal(3, 1, size=400) - 1.5
    if seed == 4:
        f *= 25  # large decision values
    a, b = fit.platt(f, y)
    ra, rb = _reference_platt(f, y)
    assert a == pytest.approx(ra, abs=1e-5) and b == pytest.approx(rb, abs=1e-5)
    assert a < 0  # a higher decision value means a higher probability


def test_platt_separable_and_degenerate_inputs_stay_finite() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    a, b = fit.platt(np.array([-3.0, -2, -1, 1, 2, 3]), y)
    assert np.isfinite([a, b]).all() and a < 0
    a, b = fit.platt(np.zeros(6), y)  # no information: the smoothed base rate
    assert a == pytest.approx(0.0, abs=1e-9)
    assert 1 / (1 + np.exp(b)) == pytest.approx(0.5)


def test_dual_solver_finds_the_primal_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((60, 300)) * (rng.random((60, 300)) < 0.05)
    y = (x[:, :10].sum(axis=1) > 0.2).astype(int)
    args = {"solver": "liblinear", "class_weight": "balanced", "C": 30.0, "tol": 1e-8}
    primal = LogisticRegression(**args, max_iter=10_000).fit(x, y)
    dual = LogisticRegression(**args, dual=True, max_iter=10_000).fit(x, y)
    assert np.allclose(primal.coef_, dual.coef_, atol=1e-3 * np.abs(primal.coef_).max())


@pytest.mark.parametrize("none_col", [None, 4])
def test_macro_f1_by_threshold_is_macro_f1_at_each_threshold(none_col: int | None) -> None:
    rng = np.random.default_rng(1)
    for _ in range(5):
        gold = rng.random((150, 5)) < 0.25
        gold[:, 1] = False  # a category without support counts in neither
        scores = rng.random((150, 5))
        at_once = evaluate._macro_f1_by_threshold(gold, scores, none_col)
        one_by_one = [
            evaluate.macro_f1(gold, with_none_fallback(scores >= t, none_col))
            for t in evaluate.THRESHOLDS
        ]
        assert np.allclose(at_once, one_by_one, rtol=0, atol=1e-12)
