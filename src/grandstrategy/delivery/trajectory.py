"""Planned paths of indicators and where the measured values stand against them (pure).

The plan runs from the baseline b at the start t₀ (the strategy's approval) to the target T
at the due date t₁. Without milestones it is the straight line

    p(t) = b + (T − b) · (t − t₀) / (t₁ − t₀),   t₀ ≤ t ≤ t₁

(p(t) = b before t₀ and T after t₁). Milestones that name the indicator with a planned value
add knots (tₖ, vₖ): the plan is then the piecewise-linear curve through (t₀, b), the knots in
date order and (t₁, T).

A measured value a at date t is compared with p(t) along the direction of travel
d = sign(T − b), with a tolerance of ``TOLERANCE`` × |T − b|:

    d · (a − p(t)) >  tol  → ahead
    d · (a − p(t)) < −tol  → behind
    otherwise              → on

An objective's trajectory is the worst of its indicators' (behind < on < ahead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

TOLERANCE = 0.05
ORDER = {"behind": 0, "on": 1, "ahead": 2}


def _days(dates: Sequence[dt.date]) -> np.ndarray:
    return np.array([d.toordinal() for d in dates], dtype=float)


def knots(
    start: dt.date,
    baseline: float,
    due: dt.date,
    target: float,
    milestones: Sequence[tuple[dt.date, float]] = (),
) -> list[tuple[dt.date, float]]:
    """The plan's corners: start, the milestones strictly between start and due, due."""
    inner = sorted((d, v) for d, v in milestones if start < d < due)
    return [(start, baseline), *inner, (due, target)]


def planned(plan: Sequence[tuple[dt.date, float]], when: Sequence[dt.date]) -> np.ndarray:
    """p(t) at each date: linear between knots, flat before the first and after the last."""
    xs = _days([d for d, _ in plan])
    ys = np.array([v for _, v in plan], dtype=float)
    return np.asarray(np.interp(_days(when), xs, ys), dtype=float)


def position(actual: float, expected: float, baseline: float, target: float) -> str:
    """ahead / on / behind the planned value, along the direction from baseline to target."""
    span = target - baseline
    if span == 0:
        diff = actual - expected
        return "on" if abs(diff) <= TOLERANCE * max(abs(target), 1.0) else "behind"
    direction = float(np.sign(span))
    lead = direction * (actual - expected)
    tol = TOLERANCE * abs(span)
    if lead > tol:
        return "ahead"
    if lead < -tol:
        return "behind"
    return "on"


def worst(positions: Sequence[str | None]) -> str | None:
    """The objective's trajectory: its worst indicator (None when none was measured)."""
    known = [p for p in positions if p is not None]
    return min(known, key=ORDER.__getitem__) if known else None


def sample_dates(start: dt.date, due: dt.date, extra: Sequence[dt.date] = ()) -> list[dt.date]:
    """Dates to draw a plan at: start, due, every knot or measurement between them."""
    return sorted({start, due, *(d for d in extra if start <= d <= due)})
