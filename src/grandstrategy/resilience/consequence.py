"""Experts' 0–5 consequence scores: each cell read as a whole number in range, every wrong
cell named (row, column and value). The catalogue's rule turns the grid into A*
(``SectorMatrix.from_consequence``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grandstrategy.core.i18n import _
from grandstrategy.resilience.stability import MatrixError

Grid = NDArray[np.float64]


def _score(cell: object, top: int) -> int | None:
    """A consequence score as a whole number from 0 to ``top``, None when it is not one."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, str):
        text = cell.strip() or "0"
        value: float = int(text) if text.isdigit() and len(text) < 4 else -1
    elif isinstance(cell, int | float | np.integer | np.floating):
        value = float(cell)
    else:
        return None
    return int(value) if float(value).is_integer() and 0 <= value <= top else None


def _shown(cell: object) -> str:
    if isinstance(cell, int | float | np.integer | np.floating) and not isinstance(cell, bool):
        return f"{float(cell):g}"
    return repr(cell)


def consequence_grid(
    names: Sequence[str], scores: ArrayLike | Sequence[Sequence[object]], *, top: int = 5
) -> Grid:
    """The n × n grid of consequence scores (0 to ``top``), or :class:`MatrixError` naming
    every cell that is not a whole number in range (the first one as its row and column)."""
    n = len(names)
    rows = [list(r) for r in scores]  # type: ignore[union-attr, arg-type]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise MatrixError(
            _("{n} sectors need a {n} × {n} grid of scores, one row per sector").format(n=n)
        )
    grid = np.zeros((n, n))
    problems: list[str] = []
    first: tuple[str, str] | None = None
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            value = _score(cell, top)
            if value is None:
                first = first or (names[i], names[j])
                problems.append(
                    _(
                        "consequence score [{row}, {column}] = {value} is not an integer "
                        "from 0 to {top}"
                    ).format(row=names[i], column=names[j], value=_shown(cell), top=top)
                )
            else:
                grid[i, j] = value
    if first is not None:
        raise MatrixError(
            "; ".join(problems) if len(problems) == 1 else _("the scores are not valid"),
            row=first[0],
            column=first[1],
            details=problems if len(problems) > 1 else None,
        )
    return grid
