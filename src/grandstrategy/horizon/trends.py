"""Trends and bursts over daily story counts (pure numpy; no database).

News has a weekly rhythm (fewer stories at weekends), so "more than usual" must be judged
against the usual for that weekday. The baseline for day t is the mean daily count over the
previous ``HISTORY`` days times the weekday's factor::

    λ_t = max(FLOOR, mean(x[t-H : t]) · f[weekday(t)])
    f[w] = (n_w + 1) / (n̄ + 1)      (n_w: stories on weekday w before t, n̄ their mean)

A burst is a run of days where the stories of the last ``WINDOW`` days are improbably many
under a Poisson with that baseline: P(X ≥ Σx | Σλ) < ``P_MAX`` and Σx ≥ ``MIN_STORIES``.
Its score is −log10 of the smallest such probability. The floor keeps a first appearance
(no history) from scoring infinitely; with it, a handful of stories on something never seen
is a burst, which is what an emerging issue looks like in counts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

HISTORY = 28
WINDOW = 3
FLOOR = 0.05
P_MAX = 1e-4
MIN_STORIES = 3


@dataclass(frozen=True)
class Burst:
    start: dt.date
    end: dt.date
    detected: dt.date  # the first day the burst could be called (its alert's day)
    score: float
    stories: int  # stories in the burst's days


def daily(dates: Iterable[dt.date], start: dt.date, end: dt.date) -> np.ndarray:
    """Counts per day from ``start`` to ``end`` inclusive."""
    out = np.zeros((end - start).days + 1, dtype=np.int64)
    for d in dates:
        if start <= d <= end:
            out[(d - start).days] += 1
    return out


def weekly(counts: np.ndarray, start: dt.date) -> tuple[list[dt.date], np.ndarray]:
    """Sum daily counts into ISO weeks (each labelled by its Monday)."""
    monday0 = start - dt.timedelta(days=start.weekday())
    weeks: dict[dt.date, int] = {}
    for i, c in enumerate(counts):
        day = start + dt.timedelta(days=i)
        wk = monday0 + dt.timedelta(days=7 * ((day - monday0).days // 7))
        weeks[wk] = weeks.get(wk, 0) + int(c)
    labels = sorted(weeks)
    return labels, np.array([weeks[w] for w in labels], dtype=np.int64)


def baseline(counts: np.ndarray, start: dt.date, history: int = HISTORY) -> np.ndarray:
    """Expected count per day from the days before it, with weekly seasonality (above).

    Day t's level is the mean of the ``history`` days before it, scaled by how its weekday
    fared so far against the average weekday. Computed with running sums (a Python loop of
    slices here took most of an ingest's time on a long archive); same figures."""
    n = len(counts)
    out = np.full(n, FLOOR, dtype=np.float64)
    if n < 2:
        return out
    c = np.asarray(counts, dtype=np.int64)
    before = np.concatenate(([0], np.cumsum(c)))  # before[t]: the days before t
    t = np.arange(1, n)
    lo = np.maximum(0, t - history)
    level = (before[t] - before[lo]) / (t - lo)
    same_weekday = np.zeros(n, dtype=np.int64)  # earlier days on t's weekday
    for r in range(7):
        col = c[r::7]
        same_weekday[r::7] = np.cumsum(col) - col
    factor = (same_weekday[t] + 1.0) / (before[t] / 7 + 1.0)
    out[1:] = np.maximum(FLOOR, level * factor)
    return out


def bursts(
    counts: np.ndarray,
    start: dt.date,
    *,
    window: int = WINDOW,
    p_max: float = P_MAX,
    min_stories: int = MIN_STORIES,
) -> list[Burst]:
    """Runs of days whose last ``window`` days hold improbably many stories (above)."""
    expected = baseline(counts, start)
    flagged: list[tuple[int, float]] = []
    upto = np.concatenate(([0], np.cumsum(counts)))
    days = np.arange(len(counts))
    in_window = upto[days + 1] - upto[np.maximum(0, days - window + 1)]
    for day in np.flatnonzero((in_window >= min_stories) & (np.asarray(counts) > 0)):
        t = int(day)
        lo = max(0, t - window + 1)
        p = upper_tail(int(in_window[t]), float(expected[lo : t + 1].sum()))
        if p < p_max:
            flagged.append((t, -np.log10(max(p, 1e-300))))
    out: list[Burst] = []
    run: list[tuple[int, float]] = []
    for t, s in [*flagged, (len(counts) + 2 * window, 0.0)]:  # the last closes the run
        if run and t - run[-1][0] > window:
            first = max(0, run[0][0] - window + 1)
            while counts[first] == 0:
                first += 1
            last = run[-1][0]
            out.append(
                Burst(
                    start=start + dt.timedelta(days=first),
                    end=start + dt.timedelta(days=last),
                    detected=start + dt.timedelta(days=run[0][0]),
                    score=round(max(v for _, v in run), 2),
                    stories=int(counts[first : last + 1].sum()),
                )
            )
            run = []
        run.append((t, s))
    return out


def upper_tail(x: int, lam: float) -> float:
    """P(X ≥ x) for X ~ Poisson(lam), summed from x upwards in logs (exact where it
    matters: small probabilities, which 1 − CDF would round away)."""
    if x <= 0:
        return 1.0
    log_pmf = -lam + x * math.log(lam) - math.lgamma(x + 1)
    total, k = 0.0, x
    while True:
        term = math.exp(log_pmf)
        total += term
        k += 1
        log_pmf += math.log(lam) - math.log(k)
        if term < total * 1e-12 or k > x + 10_000:
            return min(1.0, total)


def overlapping(a: Burst, b: Burst, slack: int = 7) -> bool:
    """Whether two bursts happen at the same time (within ``slack`` days)."""
    return a.start <= b.end + dt.timedelta(days=slack) and b.start <= a.end + dt.timedelta(
        days=slack
    )
