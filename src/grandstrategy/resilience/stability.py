"""Whether an interdependency matrix A* can be used by the IIM: square, finite, 0 ≤ a*_ij < 1
and a spectral radius ρ(A*) below 1 (else shocks would grow without end); a
:class:`MatrixError` names the offending cell or the row to lower."""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
import scipy.sparse.linalg as spla  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray

from grandstrategy.core.errors import Invalid

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]
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


def _square(a_star: ArrayLike) -> Grid:
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
