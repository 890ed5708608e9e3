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
else with a :class:`MatrixError`. Randomness only comes from an explicit seed.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
import scipy.sparse.linalg as spla  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray

from grandstrategy.core.errors import Invalid

Vector = NDArray[np.float64]
Matrix = NDArray[np.float64]
Solver = Literal["direct", "iterative"]

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)
_DENSE_EIGEN_LIMIT = 300  # below this, dense eigenvalues are cheaper than ARPACK
# Bounded effort: ARPACK gives up fast when eigenvalues crowd the spectral circle (then dense).
_ARPACK: dict[str, Any] = {"ncv": 40, "maxiter": 100, "tol": 1e-10, "return_eigenvectors": False}


class MatrixError(Invalid, ValueError):
    """A* cannot be used by the model, or a file holding one is malformed; the message says
    what is wrong, and ``row``/``column`` name the offending cell when there is one."""

    def __init__(
        self,
        message: str,
        *,
        row: str | None = None,
        column: str | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.row, self.column = row, column


def _label(names: Sequence[str] | None, i: int) -> str:
    return names[i] if names is not None else f"index {i}"


def _square(a_star: ArrayLike) -> Matrix:
    a = np.asarray(a_star, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise MatrixError(f"A* must be a non-empty square matrix; got shape {a.shape}")
    return a


def _vector(
    values: ArrayLike, n: int, what: str, *, low: float = 0.0, high: float = math.inf
) -> Vector:
    v = np.asarray(values, dtype=np.float64)
    if v.shape != (n,):
        raise ValueError(f"{what} must have one value per sector ({n}); got shape {v.shape}")
    if not np.all(np.isfinite(v)) or np.any(v < low) or np.any(v > high):
        bad = int(np.flatnonzero(~np.isfinite(v) | (v < low) | (v > high))[0])
        raise ValueError(f"{what}[{bad}] = {v[bad]} is outside [{low}, {high}]")
    return v


def spectral_radius(a_star: ArrayLike | sp.spmatrix) -> float:
    """ρ(A*) = max |λ| over the eigenvalues λ of A*: by ARPACK for a large sparse A*, densely
    where ARPACK does not converge (several eigenvalues of nearly the same modulus)."""
    if sp.issparse(a_star):
        sparse: Any = a_star
        if sparse.shape[0] > _DENSE_EIGEN_LIMIT:
            with contextlib.suppress(spla.ArpackNoConvergence):
                top = spla.eigs(sparse.astype(float), 1, **_ARPACK)
                return float(np.abs(top).max())
        a_star = sparse.toarray()
    return float(np.abs(np.linalg.eigvals(_square(a_star))).max())


def _settles(a_star: Any) -> bool:
    """Whether ρ(A*) < 1 for a non-negative A*, by one solve instead of eigenvalues:
    (I − A*) y = 1 has a solution y > 0 exactly then (y = 1 + A*1 + A*²1 + … ≥ 1; conversely
    A*y = y − 1 < y bounds ρ below 1)."""
    n = a_star.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a singular I − A* warns and gives NaN: refused
        if not sp.issparse(a_star):
            y = np.linalg.solve(np.eye(n) - a_star, np.ones(n))
        else:
            system = (sp.identity(n, format="csc") - a_star).tocsc()
            y, info = spla.gmres(system, np.ones(n), rtol=1e-10, atol=0.0, maxiter=500)
            y = spla.spsolve(system, np.ones(n)) if info != 0 else y
    return bool(np.all(np.isfinite(y)) and np.all(y > 0.5))


def check_matrix(
    a_star: ArrayLike | sp.spmatrix,
    names: Sequence[str] | None = None,
    *,
    allow_large_cells: bool = False,
) -> None:
    """Refuse an A* the model cannot use with a :class:`MatrixError` naming the problem. Checks,
    in order: square and non-empty; ``names`` (if given) one per sector; every cell
    finite; every a*_ij ≥ 0; every a*_ij < 1 (skipped with ``allow_large_cells``: the algebra
    only needs ρ < 1, and an input-output table whose rows include imports can give a small
    industry cells above 1); ρ(A*) < 1. For a non-negative matrix ρ ≤ min(max row sum, max
    column sum); past that cheap bound, one solve decides (see ``_settles``).
    """
    sparse = sp.issparse(a_star)
    if sparse:
        shape: tuple[int, ...] = tuple(np.shape(a_star))
        if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 0:
            raise MatrixError(f"A* must be a non-empty square matrix; got shape {shape}")
        coo: Any = sp.coo_matrix(a_star, dtype=np.float64)
        coo.sum_duplicates()
        cells = np.asarray(coo.data, dtype=np.float64)
        n = int(coo.shape[0])

        def cell(k: int) -> tuple[int, int]:
            return int(coo.row[k]), int(coo.col[k])

    else:
        dense = _square(a_star)
        cells = dense.ravel()
        n = dense.shape[0]

        def cell(k: int) -> tuple[int, int]:
            return k // n, k % n

    if names is not None and len(names) != n:
        raise MatrixError(f"{len(names)} sector names for a {n} × {n} matrix")
    for bad, what in (
        (~np.isfinite(cells), "is not a finite number"),
        (cells < 0, "is negative (a dependence is a fraction between 0 and 1)"),
        (None if allow_large_cells else cells >= 1, "is ≥ 1 (a dependence must be below 1)"),
    ):
        if bad is not None and bad.any():
            k = int(np.flatnonzero(bad)[0])
            i, j = cell(k)
            row, col = _label(names, i), _label(names, j)
            raise MatrixError(f"a*[{row}, {col}] = {cells[k]} {what}", row=row, column=col)
    if sparse:
        row_sums = np.bincount(coo.row, weights=cells, minlength=n)
        col_sums = np.bincount(coo.col, weights=cells, minlength=n)
    else:
        row_sums, col_sums = dense.sum(axis=1), dense.sum(axis=0)
    with contextlib.suppress(np.linalg.LinAlgError):
        if min(row_sums.max(), col_sums.max()) < 1 or _settles(coo if sparse else dense):
            return
    heavy = np.argsort(-row_sums)[:3]
    listed = ", ".join(f"{_label(names, int(i))} ({row_sums[i]:.3g})" for i in heavy)
    raise MatrixError(
        f"the spectral radius of A* is {spectral_radius(a_star):.4f} ≥ 1: the cascade never "
        f"settles and (I − A*) has no non-negative inverse; lower the largest dependences "
        f"(largest row sums: {listed})"
    )


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

    trajectory: Matrix
    cumulative: Vector
    peak: Vector
    loss: float | None = None


def _steps(
    a: Matrix,
    k: Vector,
    q0: Matrix,
    shock_at: Callable[[int], Matrix | None],
    steps: int,
    clip: bool,
) -> Iterator[Matrix]:
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
) -> tuple[Matrix, Vector, int]:
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
) -> Matrix:
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
    q: Matrix
    mean_q: Vector
    capped_share: Vector
    loss_by_sector: Matrix | None = None
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
    cumulative: Matrix
    peak: Matrix
    final: Matrix
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
    band_rows: list[Matrix] = []
    cumulative = np.zeros((n, runs))
    peak = np.zeros((n, runs))
    previous: Matrix | None = None
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
