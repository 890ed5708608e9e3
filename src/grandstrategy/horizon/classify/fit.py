"""Fitting one category of the learned classifier: a logistic regression and Platt's sigmoid
fitted on cross-validated decision values of the passages (``learn.train`` calls it)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import expit  # type: ignore[import-untyped]

MAX_ITER = 1000  # liblinear's dual solver on short taxonomy examples may need more than 100
MIN_CLASS = 3  # positives and negatives needed for 3-fold calibration


def constant(p: float) -> tuple[float, float]:
    """Sigmoid parameters (a, b) that give probability ``p`` whatever the decision value."""
    return 0.0, math.log((1.0 - p) / p)


def fit_category(
    x: Any, y: np.ndarray, n_real: int, *, seed: int, c: float
) -> tuple[Any, float, float]:
    """Fit one category: the logistic regression on all rows and the Platt parameters (a, b)
    fitted on 3-fold cross-validated decision values of the first ``n_real`` rows (the
    passages; the taxonomy examples after them are in every fold's training rows, never
    scored): the probabilities are then calibrated for passages, which the model is asked
    about, not for term lists. Where the passages hold too few positives or negatives for
    three folds, every row is cross-validated instead. One linear model, not an average of
    three, so prediction stays a single product."""
    from sklearn.base import clone  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    lr = LogisticRegression(
        solver="liblinear",
        dual=True,  # same optimum; faster with more features than examples
        class_weight="balanced",
        C=c,
        random_state=seed,
        max_iter=MAX_ITER,
    )
    pos = int(y[:n_real].sum())
    scored = n_real if min(pos, n_real - pos) >= MIN_CLASS else len(y)
    always = np.arange(scored, len(y))  # rows trained on in every fold
    decision = np.zeros(scored)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    for tr, te in cv.split(np.zeros((scored, 1)), y[:scored]):
        rows = np.concatenate([tr, always])
        decision[te] = clone(lr).fit(x[rows], y[rows]).decision_function(x[te])
    a, b = platt(decision, y[:scored])
    return lr.fit(x, y), a, b


def platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid ``p = 1 / (1 + exp(a·f + b))`` for decision values ``f`` and 0/1
    labels ``y``: the log-loss against Platt's smoothed targets, minimised by Newton's method
    with a backtracking line search (two parameters: a handful of steps, well under a
    millisecond; scikit-learn's sigmoid calibration reaches the same optimum by a general
    solver, tens of times slower)."""
    f = np.asarray(decision, dtype=np.float64)
    pos = np.asarray(y) > 0
    n1 = int(pos.sum())
    n0 = len(f) - n1
    target = np.where(pos, (n1 + 1.0) / (n1 + 2.0), 1.0 / (n0 + 2.0))
    a, b = 0.0, math.log((n0 + 1.0) / (n1 + 1.0))

    def loss(a: float, b: float) -> float:
        z = a * f + b
        return float(np.sum(np.logaddexp(0.0, z) - (1.0 - target) * z))

    current = loss(a, b)
    for _step in range(100):
        p = expit(-(a * f + b))
        d = target - p
        grad = np.array([d @ f, d.sum()])
        w = p * (1.0 - p)
        hess = np.array([[w @ (f * f), w @ f], [w @ f, w.sum()]]) + 1e-12 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        decrease = float(grad @ step)
        if decrease < 1e-12:
            break
        s = 1.0
        while s > 1e-10:
            na, nb = a - s * float(step[0]), b - s * float(step[1])
            new = loss(na, nb)
            if new <= current - 1e-4 * s * decrease:
                break
            s /= 2
        else:
            break
        a, b, current = na, nb, new
    return a, b
