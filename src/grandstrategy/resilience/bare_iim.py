"""The inoperability input-output model on a bare matrix file, without a database.

The library behind ``grandstrategy resilience iim``: it reads the matrix, parses the shocks and
recovery options as the analyst typed them, runs the static (and, if asked, dynamic) model and
returns one plain result, which the CLI prints as a table or JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.resilience.iim import dynamic_inoperability, recovery_rates, static_inoperability
from grandstrategy.resilience.sector_matrix import SectorMatrix


def parse_pairs(values: Sequence[str], what: str) -> dict[str, float]:
    """``["energy=0.3", "health=0.1"]`` → ``{"energy": 0.3, "health": 0.1}``."""
    out: dict[str, float] = {}
    for item in values:
        name, sep, number = item.rpartition("=")
        if not sep or not name.strip():
            raise Invalid(
                _("{what} {item!r} must look like SECTOR=VALUE").format(what=what, item=item)
            )
        try:
            out[name.strip()] = float(number)
        except ValueError:
            raise Invalid(
                _("{what} {item!r}: {number!r} is not a number").format(
                    what=what, item=item, number=number
                )
            ) from None
    return out


def per_sector(
    m: SectorMatrix, values: Sequence[str], what: str, default: float | None
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """One number for every sector (``0.2``) or ``SECTOR=VALUE`` pairs (others: default)."""
    if len(values) == 1 and "=" not in values[0]:
        try:
            return np.full(len(m.names), float(values[0]))
        except ValueError:
            raise Invalid(
                _("{what} {value!r} is not a number").format(what=what, value=values[0])
            ) from None
    pairs = parse_pairs(values, what)
    missing = [n for n in m.names if n not in pairs]
    if missing and default is None:
        raise Invalid(
            _("{what} is missing for: {sectors} (or give one number for all)").format(
                what=what, sectors=", ".join(missing)
            )
        )
    out = np.full(len(m.names), default if default is not None else 0.0)
    for name, v in pairs.items():
        out[m.index(name)] = v
    return out


def run_iim_file(
    matrix: Path,
    *,
    shocks: Sequence[str],
    dynamic: bool = False,
    steps: int = 100,
    recovery: Sequence[str] | None = None,
    recovery_time: Sequence[str] | None = None,
    shock_steps: int | None = None,
    allow_large_cells: bool = False,
) -> dict[str, Any]:
    """Static inoperability q = (I − A*)⁻¹ c* of every sector, and with ``dynamic`` its
    trajectory q(t+1) = q(t) + K (A* q(t) + c* − q(t)); bad options raise ``Invalid``."""
    m = SectorMatrix.read_csv(matrix, allow_large_cells=allow_large_cells)
    c = m.vector(parse_pairs(shocks, "shock"))
    static = static_inoperability(m.values, c, names=m.names, allow_large_cells=allow_large_cells)
    result: dict[str, Any] = {
        "matrix": str(matrix),
        "sectors": list(m.names),
        "shock": dict(zip(m.names, c.tolist(), strict=True)),
        "spectral_radius": m.spectral_radius,
        "static": dict(zip(m.names, static.q.tolist(), strict=True)),
        "capped": [n for n, cap in zip(m.names, static.capped, strict=True) if cap],
    }
    if not dynamic:
        if recovery or recovery_time or shock_steps is not None:
            raise Invalid(_("--recovery, --recovery-time and --shock-steps need --dynamic"))
        result["inoperability"] = result["static"]
        return result
    if bool(recovery) == bool(recovery_time):
        raise Invalid(_("--dynamic needs either --recovery K or --recovery-time T (not both)"))
    if recovery:
        k = per_sector(m, recovery, "--recovery", None)
    else:
        k = recovery_rates(per_sector(m, recovery_time or [], "--recovery-time", None))
    run = dynamic_inoperability(
        m.values,
        c,
        k,
        steps=steps,
        shock_steps=shock_steps,
        names=m.names,
        allow_large_cells=allow_large_cells,
    )
    result.update(
        steps=steps,
        shock_steps=steps - 1 if shock_steps is None else shock_steps,
        recovery_rate=dict(zip(m.names, k.tolist(), strict=True)),
        inoperability=dict(zip(m.names, run.trajectory[-1].tolist(), strict=True)),
        peak=dict(zip(m.names, run.peak.tolist(), strict=True)),
        cumulative=dict(zip(m.names, run.cumulative.tolist(), strict=True)),
        trajectory=run.trajectory.tolist(),
    )
    return result
