"""Interdependent-network percolation (Buldyrev et al. 2010; Gao et al. 2011): a pure model of
how failures cascade between fully coupled Erdős–Rényi networks, kept beside the IIM as a
cross-check of its published examples (tests/data/input-output).

P∞ = p [1 − exp(−k P∞)]^n for n coupled networks of mean degree k; n = 1 is ordinary percolation.
"""

from __future__ import annotations

import math

import scipy.optimize as sopt  # type: ignore[import-untyped]


def percolation_threshold(mean_degree: float, *, networks: int = 2) -> tuple[float, float]:
    """(p_c, P∞(p_c)) for ``networks`` = n fully coupled Erdős–Rényi networks of mean degree k,
    whose giant component solves P∞ = p (1 − e^(−k P∞))ⁿ (Buldyrev et al. 2010; Gao et al.
    2011): with u = k P∞, p = u / (k (1 − e^(−u))ⁿ) is least where eᵘ = 1 + n u, and below that
    p the networks collapse at once. For n = 1 the transition is continuous at p_c = 1/k."""
    if mean_degree <= 0 or networks < 1:
        raise ValueError("need a positive mean degree and at least one network")
    if networks == 1:
        return 1.0 / mean_degree, 0.0
    n = networks
    u = float(sopt.brentq(lambda v: math.exp(v) - 1.0 - n * v, math.log(n), 2.0 * n + 2.0))
    return u / (mean_degree * (1.0 - math.exp(-u)) ** n), u / mean_degree


def percolation_giant_component(p: float, mean_degree: float, *, networks: int = 2) -> float:
    """P∞(p): the largest solution of P∞ = p (1 − e^(−k P∞))ⁿ, 0 below the threshold."""
    if not 0 <= p <= 1:
        raise ValueError(f"p is a fraction of nodes kept; got {p}")
    p_c, jump = percolation_threshold(mean_degree, networks=networks)
    if p < p_c or p == 0:
        return 0.0
    if p == p_c:
        return jump
    k, n = mean_degree, networks
    root = sopt.brentq(lambda u: u - k * p * (1.0 - math.exp(-u)) ** n, max(jump * k, 1e-12), k * p)
    return float(root) / k
