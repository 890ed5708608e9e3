"""Inoperability input-output model: Monte Carlo and solver throughput.

Prints figures; never asserts on time. Each figure is the best of ``--repeat`` runs, on random
valid matrices (non-negative, spectral radius about ``--rho``). Usage:
    .venv/bin/python benchmarks/resilience.py [--runs 10000] [--sectors 64] [--dynamic-runs 1000]
        [--steps 365] [--dense-n 500] [--sparse-n 5000] [--density 0.01] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from grandstrategy.resilience import iim, monte_carlo
from grandstrategy.resilience.monte_carlo import Distribution


def random_matrix(n: int, density: float, rho: float, rng: np.random.Generator) -> np.ndarray:
    """Dense random A* with about ``density`` non-zero cells, scaled so that ρ(A*) ≈ ``rho``."""
    a = np.where(rng.random((n, n)) < density, rng.random((n, n)), 0.0)
    return a * (rho / iim.spectral_radius(a))


def random_sparse(n: int, density: float, rho: float, rng: np.random.Generator) -> sp.csr_matrix:
    a = sp.random(n, n, density=density, random_state=rng, format="csr")
    return a * (rho / iim.spectral_radius(a))


def best_of(repeat: int, task: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=10_000, help="static Monte Carlo runs")
    ap.add_argument("--sectors", type=int, default=64, help="sectors of the Monte Carlo matrix")
    ap.add_argument("--dynamic-runs", type=int, default=1_000)
    ap.add_argument("--steps", type=int, default=365, help="time points of a dynamic run")
    ap.add_argument("--dense-n", type=int, default=500)
    ap.add_argument("--sparse-n", type=int, default=5_000)
    ap.add_argument("--density", type=float, default=0.01, help="of the sparse matrix")
    ap.add_argument("--rho", type=float, default=0.8, help="spectral radius of the matrices")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2024)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rows: list[tuple[str, str, float, str]] = []

    n = args.sectors
    a = random_matrix(n, 0.3, args.rho, rng)
    shocks = {
        i: Distribution.triangular(0.0, 0.05, 0.3) if i % 2 else Distribution.beta(2, 8, 0, 0.5)
        for i in range(0, n, 4)
    }
    output = rng.uniform(1e3, 1e5, n)
    seconds = best_of(
        args.repeat,
        lambda: monte_carlo.monte_carlo_static(a, shocks, runs=args.runs, seed=1, output=output),
    )
    rows.append(("Monte Carlo, static", f"{args.runs:,} runs × {n}", seconds, "target ≤ 0.5 s"))
    draws = monte_carlo.draw_shocks(n, shocks, args.runs, np.random.default_rng(1))
    seconds = best_of(args.repeat, lambda: np.linalg.solve(np.eye(n) - a, draws))
    rows.append(("  of which the solve", f"{n} × {args.runs:,} RHS", seconds, "one LU"))

    k = iim.recovery_rates(rng.uniform(10, 120, n))
    for bands in (False, True):
        seconds = best_of(
            args.repeat,
            lambda bands=bands: monte_carlo.monte_carlo_dynamic(
                a,
                shocks,
                k,
                runs=args.dynamic_runs,
                steps=args.steps,
                shock_steps=30,
                seed=1,
                output=output,
                bands=bands,
            ),
        )
        size = f"{args.dynamic_runs:,} runs × {args.steps} steps × {n}"
        rows.append(("Monte Carlo, dynamic", size, seconds, "with bands" if bands else ""))

    dense = random_matrix(args.dense_n, 0.05, args.rho, rng)
    c = np.where(rng.random(args.dense_n) < 0.05, 0.2, 0.0)
    seconds = best_of(args.repeat, lambda: iim.static_inoperability(dense, c))
    rows.append(("static solve, dense", f"n = {args.dense_n:,}", seconds, "checks included"))
    seconds = best_of(args.repeat, lambda: iim.spectral_radius(dense))
    rows.append(("  spectral radius, dense", f"n = {args.dense_n:,}", seconds, ""))

    sparse = random_sparse(args.sparse_n, args.density, args.rho, rng)
    c = np.where(rng.random(args.sparse_n) < 0.01, 0.2, 0.0)
    nnz = f"n = {args.sparse_n:,}, {sparse.nnz:,} cells"
    row_max = float(sparse.sum(axis=1).max())
    note = "bound < 1" if row_max < 1 else f"max row sum {row_max:.2f}: solve-based test"
    seconds = best_of(args.repeat, lambda: iim.check_matrix(sparse))
    rows.append(("  check, sparse", nnz, seconds, note))
    for solver in ("iterative", "direct"):
        seconds = best_of(
            1 if solver == "direct" else args.repeat,
            lambda solver=solver: iim.static_inoperability(sparse, c, solver=solver),
        )
        label = "spsolve" if solver == "direct" else "GMRES"
        rows.append((f"static solve, sparse ({label})", nnz, seconds, "checks included"))

    width = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    print(f"{'task':<{width[0]}}  {'size':<{width[1]}}  {'seconds':>9}  note")
    for task, size, secs, note in rows:
        print(f"{task:<{width[0]}}  {size:<{width[1]}}  {secs:>9.4f}  {note}")


if __name__ == "__main__":
    main()
