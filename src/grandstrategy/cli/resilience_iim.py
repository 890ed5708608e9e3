"""``grandstrategy resilience iim``: the inoperability input-output model on a bare CSV.

Works with no database: the analyst hands it a matrix file and shocks, and gets each sector's
inoperability (static), or its trajectory and cumulative inoperability (dynamic).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.core import formats
    from grandstrategy.resilience import service
else:
    formats = lazy.module("grandstrategy.core.formats")
    service = lazy.module("grandstrategy.resilience.service")


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
    result = service.run_iim_file(
        matrix,
        shocks=shocks,
        dynamic=dynamic,
        steps=steps,
        recovery=recovery,
        recovery_time=recovery_time,
        shock_steps=shock_steps,
        allow_large_cells=allow_large_cells,
    )
    if not dynamic:
        return _show_static(result, as_json)
    _show_dynamic(result, as_json)


def _show_static(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(result)
    rows = [
        (
            n,
            formats.number(result["shock"][n], 4),
            formats.number(q, 4) + (" " + _("(capped)") if n in result["capped"] else ""),
        )
        for n, q in result["static"].items()
    ]
    print_table(rows, [_("sector"), _("shock c*"), _("inoperability q")], title=_("Static IIM"))
    console.print(
        _("spectral radius of A*: {radius}; total inoperability Σq = {total}").format(
            radius=formats.number(result["spectral_radius"], 4),
            total=formats.number(sum(result["static"].values()), 4),
        )
    )


def _show_dynamic(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(result)
    rows = [
        (
            n,
            formats.number(result["shock"][n], 4),
            formats.number(result["recovery_rate"][n], 4),
            formats.number(result["peak"][n], 4),
            formats.number(result["inoperability"][n], 4),
            formats.number(result["cumulative"][n], 3),
            formats.number(result["static"][n], 4),
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
