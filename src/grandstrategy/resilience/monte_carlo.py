"""How sure is a result? Shocks drawn from distributions, many runs of the IIM solved at
once from an explicit seed, and percentiles of what they give."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grandstrategy.resilience.iim import _dynamic_setup, _steps
from grandstrategy.resilience.stability import _square, _vector, check_matrix

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]
DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
# Bounded effort: ARPACK gives up fast when eigenvalues crowd the spectral circle (then dense).
_ARPACK: dict[str, Any] = {"ncv": 40, "maxiter": 100, "tol": 1e-10, "return_eigenvectors": False}


# --- Monte Carlo --------------------------------------------------------------------------


ShockKind = Literal["fixed", "uniform", "triangular", "beta"]


@dataclass(frozen=True)
class Distribution:
    """Where one sector's shock c*_i is drawn from, within [low, high] ⊆ [0, 1]: ``fixed``
    (low = high), ``uniform``, ``triangular`` (an expert's lowest, most likely ``mode`` and
    highest value) or ``beta`` (low + (high − low) · B, B ~ Beta(a, b)); built by
    :meth:`fixed`, :meth:`uniform`, :meth:`triangular` or :meth:`beta`."""

    kind: ShockKind
    low: float
    high: float
    mode: float | None = None
    a: float | None = None
    b: float | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.high <= 1.0:
            raise ValueError(f"a shock needs 0 ≤ low ≤ high ≤ 1; got {self}")
        if self.kind == "fixed" and self.low != self.high:
            raise ValueError(f"a fixed shock has low = high; got {self}")
        if self.kind == "triangular" and not (
            self.mode is not None and self.low <= self.mode <= self.high
        ):
            raise ValueError(f"a triangular shock needs low ≤ mode ≤ high; got {self}")
        if self.kind == "beta" and not (self.a and self.b and self.a > 0 and self.b > 0):
            raise ValueError(f"a beta shock needs a > 0 and b > 0; got {self}")

    @classmethod
    def fixed(cls, value: float) -> Distribution:
        return cls("fixed", value, value)

    @classmethod
    def uniform(cls, low: float, high: float) -> Distribution:
        return cls("uniform", low, high)

    @classmethod
    def triangular(cls, low: float, mode: float, high: float) -> Distribution:
        return cls("triangular", low, high, mode=mode)

    @classmethod
    def beta(cls, a: float, b: float, low: float = 0.0, high: float = 1.0) -> Distribution:
        return cls("beta", low, high, a=a, b=b)

    def sample(self, rng: np.random.Generator, size: int) -> Vector:
        """``size`` independent draws."""
        if self.kind == "fixed" or self.low == self.high:
            return np.full(size, self.low)
        if self.kind == "uniform":
            return rng.uniform(self.low, self.high, size)
        if self.kind == "triangular":
            return rng.triangular(self.low, float(self.mode or 0.0), self.high, size)
        shape = (float(self.a or 1.0), float(self.b or 1.0))
        return self.low + (self.high - self.low) * rng.beta(*shape, size)


def draw_shocks(
    n: int, shocks: Mapping[int, Distribution], runs: int, rng: np.random.Generator
) -> Grid:
    """C (n × runs): row i drawn from ``shocks[i]`` (0 where absent), sectors in index order
    so that a seed gives the same draws whatever the order of the mapping."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1; got {runs}")
    out = np.zeros((n, runs))
    for i in sorted(shocks):
        if not 0 <= i < n:
            raise ValueError(f"shock on sector index {i}, but there are {n} sectors")
        out[i] = shocks[i].sample(rng, runs)
    return out


@dataclass(frozen=True)
class MonteCarloResult:
    """Static Monte Carlo: row p of ``q`` (and of ``loss_by_sector``) is percentile
    ``percentiles[p]`` per sector; ``total_loss[p]`` that percentile of x̂ᵀq over the runs;
    ``capped_share[i]`` the share of runs in which sector i failed completely."""

    percentiles: tuple[float, ...]
    q: Grid
    mean_q: Vector
    capped_share: Vector
    loss_by_sector: Grid | None = None
    total_loss: Vector | None = None


def monte_carlo_static(
    a_star: ArrayLike,
    shocks: Mapping[int, Distribution],
    *,
    runs: int,
    seed: int | np.random.Generator,
    output: ArrayLike | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    cap: bool = True,
    names: Sequence[str] | None = None,
    allow_large_cells: bool = False,
) -> MonteCarloResult:
    """Draw C = [c*⁽¹⁾ … c*⁽ᴺ⁾] and solve (I − A*) Q = C for all runs with one LU
    factorisation; Q capped at 1 as in :func:`static_inoperability`, then summarised."""
    check_matrix(a_star, names, allow_large_cells=allow_large_cells)
    a = _square(a_star)
    n = a.shape[0]
    shocks_drawn = draw_shocks(n, shocks, runs, np.random.default_rng(seed))
    q = np.linalg.solve(np.eye(n) - a, shocks_drawn)
    capped = q > 1.0
    if cap:
        np.minimum(q, 1.0, out=q)
    pct = tuple(float(p) for p in percentiles)
    q_pct = np.percentile(q, pct, axis=1)
    loss_by_sector = total_loss = None
    if output is not None:
        x = _vector(output, n, "output x")
        loss_by_sector = q_pct * x[None, :]
        total_loss = np.asarray(np.percentile(x @ q, pct), dtype=np.float64)
    return MonteCarloResult(
        pct, q_pct, q.mean(axis=1), capped.mean(axis=1), loss_by_sector, total_loss
    )


@dataclass(frozen=True)
class DynamicMonteCarloResult:
    """Dynamic Monte Carlo: percentiles (rows) per sector (columns) of ∫ q_i dt, of the peak
    and of the final q; ``total_loss`` = percentiles of Σ x_i ∫ q_i dt; ``bands[p, t, i]`` the
    percentile of q_i(t) at each time point (when asked for)."""

    percentiles: tuple[float, ...]
    cumulative: Grid
    peak: Grid
    final: Grid
    total_loss: Vector | None = None
    bands: NDArray[np.float64] | None = None


def monte_carlo_dynamic(
    a_star: ArrayLike,
    shocks: Mapping[int, Distribution],
    rates: ArrayLike,
    *,
    runs: int,
    steps: int,
    seed: int | np.random.Generator,
    shock_steps: int | None = None,
    output: ArrayLike | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    bands: bool = False,
    clip: bool = True,
    names: Sequence[str] | None = None,
    allow_large_cells: bool = False,
) -> DynamicMonteCarloResult:
    """The update of :func:`dynamic_inoperability` run for all runs at once on an n × runs
    state, each run with its own constant c* drawn once and applied in the first S updates.
    The trapezoid integral is accumulated step by step, so memory stays O(n × runs)."""
    a, k, window = _dynamic_setup(a_star, rates, steps, shock_steps, names, allow_large_cells)
    n = a.shape[0]
    drawn = draw_shocks(n, shocks, runs, np.random.default_rng(seed))
    pct = tuple(float(p) for p in percentiles)
    band_rows: list[Grid] = []
    cumulative = np.zeros((n, runs))
    peak = np.zeros((n, runs))
    previous: Grid | None = None
    q = start = np.zeros((n, runs))
    for q in _steps(a, k, start, lambda t: drawn if t <= window else None, steps, clip):
        if previous is not None:
            cumulative += 0.5 * (previous + q)
        np.maximum(peak, q, out=peak)
        previous = q
        if bands:
            band_rows.append(np.percentile(q, pct, axis=1))
    total = None
    if output is not None:
        total = np.asarray(np.percentile(_vector(output, n, "output x") @ cumulative, pct))
    return DynamicMonteCarloResult(
        percentiles=pct,
        cumulative=np.percentile(cumulative, pct, axis=1),
        peak=np.percentile(peak, pct, axis=1),
        final=np.percentile(q, pct, axis=1),
        total_loss=total,
        bands=np.stack(band_rows, axis=1) if bands else None,
    )
