"""``grandstrategy resilience iim``: the inoperability input-output model on a bare CSV.

Works with no database: the analyst hands it a matrix file and shocks, and gets each sector's
inoperability (static), or its trajectory and cumulative inoperability (dynamic).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.resilience import service


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
    m: service.SectorMatrix, values: Sequence[str], what: str, default: float | None
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


def iim_command(
    matrix: Path = typer.Option(
        ..., "--matrix", help="Bare CSV: 'sector,NAME1,NAME2,...' then one row per sector."
    ),
    shocks: list[str] = typer.Option(
        ..., "--shock", help="SECTOR=VALUE: the share of output lost directly (0–1); repeat."
    ),
    dynamic: bool = typer.Option(False, "--dynamic", help="Run the dynamic model over time."),
    steps: int = typer.Option(
        100, "--steps", help="Dynamic: number of time points, t = 0 included."
    ),
    recovery: list[str] = typer.Option(
        None, "--recovery", help="Dynamic: recovery rate k (0–1) for all, or SECTOR=K; repeat."
    ),
    recovery_time: list[str] = typer.Option(
        None,
        "--recovery-time",
        help="Dynamic: steps to fall to 1 % (sets k = 1 − 0.01^(1/T)), for all or SECTOR=T.",
    ),
    shock_steps: int = typer.Option(
        None, "--shock-steps", help="Dynamic: apply the shock in the first S updates (default all)."
    ),
    allow_large_cells: bool = typer.Option(
        False, "--allow-large-cells", help="Accept cells a*_ij ≥ 1 (spectral radius still < 1)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Inoperability of every sector when some are shocked: q = (I − A*)⁻¹ c* (static), or
    q(t+1) = q(t) + K (A* q(t) + c* − q(t)) over time (--dynamic). No database needed.

    Example: grandstrategy resilience iim --matrix a.csv --shock energy=0.3 --json
    """
    m = service.SectorMatrix.read_csv(matrix, allow_large_cells=allow_large_cells)
    c = m.vector(parse_pairs(shocks, "shock"))
    static = service.static_inoperability(
        m.values, c, names=m.names, allow_large_cells=allow_large_cells
    )
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
        return _show_static(result, as_json)
    if bool(recovery) == bool(recovery_time):
        raise Invalid(_("--dynamic needs either --recovery K or --recovery-time T (not both)"))
    if recovery:
        k = per_sector(m, recovery, "--recovery", None)
    else:
        k = service.recovery_rates(per_sector(m, recovery_time, "--recovery-time", None))
    run = service.dynamic_inoperability(
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
    _show_dynamic(result, as_json)


def _show_static(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(result)
    rows = [
        (
            n,
            f"{result['shock'][n]:.4f}",
            f"{q:.4f}" + (" " + _("(capped)") if n in result["capped"] else ""),
        )
        for n, q in result["static"].items()
    ]
    print_table(rows, [_("sector"), _("shock c*"), _("inoperability q")], title=_("Static IIM"))
    console.print(
        _("spectral radius of A*: {radius}; total inoperability Σq = {total}").format(
            radius=f"{result['spectral_radius']:.4f}",
            total=f"{sum(result['static'].values()):.4f}",
        )
    )


def _show_dynamic(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(result)
    rows = [
        (
            n,
            f"{result['shock'][n]:.4f}",
            f"{result['recovery_rate'][n]:.4f}",
            f"{result['peak'][n]:.4f}",
            f"{result['inoperability'][n]:.4f}",
            f"{result['cumulative'][n]:.3f}",
            f"{result['static'][n]:.4f}",
        )
        for n in result["sectors"]
    ]
    last = result["steps"] - 1
    print_table(
        rows,
        [_("sector"), _("shock"), "k", _("peak q"), f"q(t={last})", "∫q dt", _("static q")],
        title=_("Dynamic IIM: {steps} time points, shock in {shock}").format(
            steps=result["steps"], shock=result["shock_steps"]
        ),
    )
