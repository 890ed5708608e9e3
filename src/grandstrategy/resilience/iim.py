"""The inoperability input-output model (IIM): how a loss of function in one sector cascades.

Pure numpy in, numpy out. Notation, used in every docstring:

* ``n`` sectors; ``A*`` (``a_star``) the n × n interdependency matrix. Row i is the sector that
  is affected, column j the sector it depends on: losing a fraction q_j of sector j's function
  costs sector i a further a*_ij q_j. Built from an input-output table it is the demand-side
  matrix A* = x̂⁻¹ Z (a*_ij = z_ij / x_i: the share of i's output that j buys, which i loses
  when j stops buying).
* ``c*`` (``c_star``) the fraction of each sector's demand or function lost directly, in [0, 1];
  ``q`` the inoperability, the fraction of its normal function each sector loses, in [0, 1];
  ``x`` the output of each sector (money per unit of time); the economic loss is x̂ᵀq.

The model needs A* square, finite, 0 ≤ a*_ij < 1 and ρ(A*) < 1 (then (I − A*)⁻¹ = I + A* +
A*² + … exists and is non-negative: the cascade settles); :func:`check_matrix` refuses anything
else with a :class:`MatrixError` (resilience/stability.py). Uncertainty: resilience/monte_carlo.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
import scipy.sparse.linalg as spla  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray

from grandstrategy.resilience.stability import MatrixError as MatrixError  # re-exported
from grandstrategy.resilience.stability import _square, _vector
from grandstrategy.resilience.stability import check_matrix as check_matrix  # re-exported
from grandstrategy.resilience.stability import spectral_radius as spectral_radius  # re-exported

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]
Solver = Literal["direct", "iterative"]

# Bounded effort: ARPACK gives up fast when eigenvalues crowd the spectral circle (then dense).
_ARPACK: dict[str, Any] = {"ncv": 40, "maxiter": 100, "tol": 1e-10, "return_eigenvectors": False}


# --- static model -------------------------------------------------------------------------


@dataclass(frozen=True)
class StaticResult:
    """One static equilibrium: ``q`` as reported (capped at 1 when asked), ``q_raw`` the linear
    solution, ``capped`` the sectors the cap changed; with outputs, ``loss_by_sector`` = x_i q_i
    and ``loss`` = x̂ᵀq (from ``q``)."""

    q: Vector
    q_raw: Vector
    capped: NDArray[np.bool_]
    loss: float | None = None
    loss_by_sector: Vector | None = None

    @property
    def any_capped(self) -> bool:
        """Whether at least one sector failed completely (raw q_i > 1, reported as 1)."""
        return bool(self.capped.any())


def _solve_sparse(a_star: sp.spmatrix, rhs: Vector, solver: Solver) -> Vector:
    system = (sp.identity(a_star.shape[0], format="csc") - sp.csc_matrix(a_star)).tocsc()
    if solver == "direct":
        return np.asarray(spla.spsolve(system, rhs), dtype=np.float64)
    # ρ(A*) < 1 keeps I − A* well conditioned, so GMRES converges in a few dozen iterations.
    q, info = spla.gmres(system, rhs, rtol=1e-12, atol=0.0, restart=200, maxiter=1000)
    if info != 0:
        raise MatrixError(f"the iterative solver did not converge (GMRES info = {info})")
    return np.asarray(q, dtype=np.float64)


def static_inoperability(
    a_star: ArrayLike | sp.spmatrix,
    c_star: ArrayLike,
    *,
    output: ArrayLike | None = None,
    cap: bool = True,
    names: Sequence[str] | None = None,
    allow_large_cells: bool = False,
    solver: Solver = "direct",
) -> StaticResult:
    """Static IIM: q = (I − A*)⁻¹ c*, then q_i := min(q_i, 1) when ``cap`` (total failure).

    A dense A* is solved by LU (numpy); a scipy.sparse A* by ``spsolve`` (``solver="direct"``)
    or by GMRES (``solver="iterative"``, much faster when the LU fills in, as on random
    graphs). The cap is applied after solving, as the published examples do: a capped sector
    still passes on its uncapped inoperability. With outputs x, loss = x̂ᵀq = Σ x_i q_i.
    """
    check_matrix(a_star, names, allow_large_cells=allow_large_cells)
    n = int(np.shape(a_star)[0])
    c = _vector(c_star, n, "c*", high=1.0)
    if sp.issparse(a_star):
        q_raw = _solve_sparse(a_star, c, solver)
    else:
        q_raw = np.asarray(np.linalg.solve(np.eye(n) - _square(a_star), c), dtype=np.float64)
    capped = q_raw > 1.0 if cap else np.zeros(n, dtype=bool)
    q = np.minimum(q_raw, 1.0) if cap else q_raw.copy()
    if output is None:
        return StaticResult(q=q, q_raw=q_raw, capped=capped)
    by_sector = _vector(output, n, "output x") * q
    return StaticResult(q, q_raw, capped, float(by_sector.sum()), by_sector)


# --- indices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indices:
    """How exposed each sector is (dependency) and how far its failure spreads (influence).

    Following Setola et al. (2009), each is the mean over the n − 1 other sectors, diagonal
    left out: first order from A* (direct effects), overall from L = (I − A*)⁻¹, whose
    off-diagonal l_ij adds every indirect path j → … → i.
    """

    dependency: Vector
    influence: Vector
    overall_dependency: Vector
    overall_influence: Vector


def interdependency_indices(
    a_star: ArrayLike, names: Sequence[str] | None = None, *, allow_large_cells: bool = False
) -> Indices:
    """Dependency δ_i = Σ_{j≠i} a*_ij / (n − 1) (row), influence ι_j = Σ_{i≠j} a*_ij / (n − 1)
    (column); the overall indices are the same sums over L = (I − A*)⁻¹. All 0 when n = 1."""
    check_matrix(a_star, names, allow_large_cells=allow_large_cells)
    a = _square(a_star)
    n = a.shape[0]
    off = np.asarray(a - np.diag(np.diag(a)), dtype=np.float64)
    big = np.linalg.inv(np.eye(n) - a)
    big_off = big - np.diag(np.diag(big))
    scale = 1.0 / (n - 1) if n > 1 else 0.0
    return Indices(
        dependency=off.sum(axis=1) * scale,
        influence=off.sum(axis=0) * scale,
        overall_dependency=big_off.sum(axis=1) * scale,
        overall_influence=big_off.sum(axis=0) * scale,
    )


# --- dynamic model ------------------------------------------------------------------------


def recovery_rates(recovery_time: ArrayLike, *, remaining: float = 0.01) -> Vector:
    """k_i from the time T_i (in steps) sector i needs to fall to ``remaining`` of its start.

    For an uncoupled sector with no shock the update gives q(t) = (1 − k)ᵗ q(0), so
    q(T) = 0.01 q(0) when k = 1 − 0.01^(1/T) (example E4d gives K directly). The continuous
    DIIM's k = ln(100)/T would overshoot with unit steps, and exceed 1 when T < 4.6. T = ∞: k = 0.
    """
    t = np.asarray(recovery_time, dtype=np.float64)
    if not 0 < remaining < 1:
        raise ValueError(f"remaining must be between 0 and 1; got {remaining}")
    if np.any(np.isnan(t)) or np.any(t <= 0):
        raise ValueError("recovery times must be positive numbers of steps")
    with np.errstate(divide="ignore"):
        return np.asarray(1.0 - remaining ** (1.0 / t), dtype=np.float64)


def recovery_time(rate: float, *, remaining: float = 0.01) -> float | None:
    """The steps a sector with rate k needs to fall to ``remaining`` of its start: the inverse
    of ``recovery_rates``, T = ln(remaining) / ln(1 − k); None when k is not in (0, 1)."""
    return math.log(remaining) / math.log(1 - rate) if 0 < rate < 1 else None


@dataclass(frozen=True)
class DynamicResult:
    """One dynamic run: ``trajectory[t, i]`` = q_i(t) for t = 0 … N − 1, ``cumulative`` =
    ∫ q_i dt (trapezoid, dt = 1 step), ``peak`` = max_t q_i(t), ``loss`` = Σ x_i ∫ q_i dt."""

    trajectory: Grid
    cumulative: Vector
    peak: Vector
    loss: float | None = None


def _steps(
    a: Grid,
    k: Vector,
    q0: Grid,
    shock_at: Callable[[int], Grid | None],
    steps: int,
    clip: bool,
) -> Iterator[Grid]:
    """Yield q(0) … q(N − 1), each (n, runs), with the update rewritten as
    q(t) = [I − K (I − A*)] q(t − 1) + K c*(t): one matrix product a step."""
    q, kk, step = q0, k[:, None], np.eye(a.shape[0]) - k[:, None] * (np.eye(a.shape[0]) - a)
    yield q
    for t in range(1, steps):
        q = step @ q
        shock = shock_at(t)
        if shock is not None:
            q += kk * shock
        if clip:
            np.clip(q, 0.0, 1.0, out=q)
        yield q


def _dynamic_setup(
    a_star: ArrayLike,
    rates: ArrayLike,
    steps: int,
    shock_steps: int | None,
    names: Sequence[str] | None,
    allow_large_cells: bool,
) -> tuple[Grid, Vector, int]:
    check_matrix(a_star, names, allow_large_cells=allow_large_cells)
    a = _square(a_star)
    k = _vector(rates, a.shape[0], "recovery rates k", high=1.0)
    if steps < 1:
        raise ValueError(f"steps is the number of time points including t = 0; got {steps}")
    window = steps - 1 if shock_steps is None else shock_steps
    if window < 0:
        raise ValueError(f"shock_steps must not be negative; got {shock_steps}")
    return a, k, window


def dynamic_inoperability(
    a_star: ArrayLike,
    c_star: ArrayLike,
    rates: ArrayLike,
    *,
    steps: int,
    shock_steps: int | None = None,
    q0: ArrayLike | None = None,
    output: ArrayLike | None = None,
    clip: bool = True,
    names: Sequence[str] | None = None,
    allow_large_cells: bool = False,
) -> DynamicResult:
    """Discrete dynamic IIM: q(t) = q(t − 1) + K [A* q(t − 1) + c*(t) − q(t − 1)], K = diag(k).

    ``steps`` N is the number of time points including t = 0 (row 0 is q0, default 0), so
    there are N − 1 updates. A 1-D ``c_star`` is applied in the first S = ``shock_steps``
    updates (t = 1 … S, default all: the window [0, S] of the stigrs/diim example E4d), then
    is 0; a 2-D ``c_star`` (N − 1, n) gives c*(t) in row t − 1. q is clipped to [0, 1] after
    each update when ``clip``. With the shock held, q tends to the static (I − A*)⁻¹ c*.
    """
    a, k, window = _dynamic_setup(a_star, rates, steps, shock_steps, names, allow_large_cells)
    n = a.shape[0]
    c = np.asarray(c_star, dtype=np.float64)
    if c.ndim == 2:
        if shock_steps is not None:
            raise ValueError("shock_steps only applies to a constant c*; a schedule sets its own")
        if c.shape != (steps - 1, n):
            raise ValueError(f"a c* schedule needs shape ({steps - 1}, {n}); got {c.shape}")
        if not np.all(np.isfinite(c)) or c.min(initial=0) < 0 or c.max(initial=0) > 1:
            raise ValueError("every c*(t) must lie in [0, 1]")
        schedule = c
    else:
        c = _vector(c, n, "c*", high=1.0)
        schedule = np.zeros((steps - 1, n))
        schedule[: min(window, steps - 1)] = c
    start = np.zeros(n) if q0 is None else _vector(q0, n, "q0", high=1.0)
    path = _steps(a, k, start[:, None].copy(), lambda t: schedule[t - 1][:, None], steps, clip)
    trajectory = np.stack([q[:, 0].copy() for q in path])
    cumulative = np.asarray(np.trapezoid(trajectory, axis=0), dtype=np.float64)
    loss = None if output is None else float(_vector(output, n, "output x") @ cumulative)
    return DynamicResult(trajectory, cumulative, trajectory.max(axis=0), loss)
