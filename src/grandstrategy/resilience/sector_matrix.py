"""Where the interdependency matrix A* comes from, and the record of how it was made.

A :class:`SectorMatrix` is sector names, the n × n array A* (row i = the sector affected,
column j = the sector it depends on) and a provenance dict. It is always usable by the model:
construction runs :func:`~grandstrategy.resilience.iim.check_matrix`. Three ways to build one:

* a bare CSV file, as experts edit it: first row ``sector,NAME1,NAME2,…``, then one row per
  sector starting with its name; row i, column j holds a*_ij (a blank cell means 0);
* experts' 0–5 consequence scores, converted by the catalogue's documented rule;
* an input-output table: A* = x̂⁻¹ Z, the demand-side IIM of Santos and Haimes (a*_ij =
  z_ij / x_i, the share of sector i's output bought by sector j, which i loses when j's
  activity falls), optionally aggregated from industries to the catalogue's sectors.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grandstrategy.resilience import iim
from grandstrategy.resilience.catalogue import Catalogue, load_catalogue
from grandstrategy.resilience.consequence import consequence_grid
from grandstrategy.resilience.io_tables import (
    IOTable,
    account_codes,
    interdependency_from_flows,
    read_io_table,
)
from grandstrategy.resilience.matrix_files import locate, parse_bare, read_file
from grandstrategy.resilience.stability import MatrixError

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]

ORIENTATION = (
    "row i = affected sector, column j = the sector it depends on; from an input-output "
    "table a*_ij = z_ij / x_i (demand-side IIM: the share of i's output that j buys)"
)


def _provenance(method: str, source: str, **more: Any) -> dict[str, Any]:
    """The provenance every matrix carries: how, from what, in which orientation, when."""
    built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {"method": method, "source": source, **more, "orientation": ORIENTATION, "built": built}


# --- the matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorMatrix:
    """Sector names, A* (read-only) and how it was built.

    ``output`` (x per sector) is kept when the source had it, for economic losses.
    ``allow_large_cells`` accepts a*_ij ≥ 1 (see :func:`iim.check_matrix`).
    """

    names: tuple[str, ...]
    values: Grid
    provenance: dict[str, Any] = field(default_factory=dict)
    output: Vector | None = None
    allow_large_cells: bool = False

    def __post_init__(self) -> None:
        names = tuple(str(n).strip() for n in self.names)
        if any(not n for n in names):
            raise MatrixError("every sector needs a name")
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise MatrixError(f"sector names must be unique; repeated: {', '.join(twice)}")
        values = np.array(self.values, dtype=np.float64)
        if values.shape != (len(names), len(names)):
            raise MatrixError(f"{len(names)} names for a matrix of shape {values.shape}")
        iim.check_matrix(values, names, allow_large_cells=self.allow_large_cells)
        values.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "provenance", dict(self.provenance))
        if self.output is not None:
            out = np.array(self.output, dtype=np.float64)
            if out.shape != (len(names),) or not np.all(np.isfinite(out)) or np.any(out < 0):
                raise MatrixError("output must be one finite, non-negative number per sector")
            out.setflags(write=False)
            object.__setattr__(self, "output", out)

    @property
    def spectral_radius(self) -> float:
        return iim.spectral_radius(self.values)

    def index(self, name: str) -> int:
        """The position of a sector; :class:`MatrixError` listing the names otherwise."""
        try:
            return self.names.index(name)
        except ValueError:
            raise MatrixError(f"unknown sector {name!r}; known: {', '.join(self.names)}") from None

    def vector(self, values: Mapping[str, float]) -> Vector:
        """A per-sector vector (e.g. c*) from ``{name: value}``; absent sectors get 0."""
        out = np.zeros(len(self.names))
        for name, value in values.items():
            out[self.index(name)] = float(value)
        return out

    def to_csv_text(self) -> str:
        """The bare CSV format; numbers written so that reading them back is exact."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["sector", *self.names])
        for name, row in zip(self.names, self.values, strict=True):
            writer.writerow([name, *(repr(float(v)) for v in row)])
        return buffer.getvalue()

    def write_csv(self, path: Path) -> None:
        path.write_text(self.to_csv_text(), encoding="utf-8")

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON: sector names, matrix rows, outputs and provenance."""
        return {
            "sectors": list(self.names),
            "values": self.values.tolist(),
            "outputs": None if self.output is None else self.output.tolist(),
            "provenance": self.provenance,
        }

    @classmethod
    def read_csv(cls, path: Path, *, allow_large_cells: bool = False) -> SectorMatrix:
        """Read the bare CSV format (see the module docstring)."""
        data, _ = read_file(path)
        return cls.from_csv_bytes(data, source=str(path), allow_large_cells=allow_large_cells)

    @classmethod
    def from_csv_bytes(
        cls, data: bytes, *, source: str = "<matrix>", allow_large_cells: bool = False
    ) -> SectorMatrix:
        """Parse the bare CSV format; errors name the line and column."""
        names, values, lines = parse_bare(data, source)
        provenance = _provenance("csv", source, source_sha256=hashlib.sha256(data).hexdigest())
        try:
            return cls(names, values, provenance, allow_large_cells=allow_large_cells)
        except MatrixError as exc:
            raise locate(exc, source, names, lines) from None

    @classmethod
    def from_consequence(
        cls,
        names: Sequence[str],
        scores: ArrayLike | Sequence[Sequence[object]],
        *,
        catalogue: Catalogue | None = None,
        source: str = "experts",
    ) -> SectorMatrix:
        """A* from experts' 0–5 consequence scores (row i = affected, column j = cause),
        converted cell by cell with the catalogue's rule (``consequence_scale``). A score may
        be text ("3", as a form sends it; blank counts as 0); every wrong cell is named."""
        cat = catalogue or load_catalogue()
        rule = np.array([lv.a_star for lv in cat.consequence_scale])
        grid = consequence_grid(names, scores, top=len(rule) - 1)
        provenance = _provenance(
            "expert-consequence-scale",
            source,
            rule={str(k): float(v) for k, v in enumerate(rule)},
            scores=grid.astype(int).tolist(),
        )
        return cls(tuple(names), rule[grid.astype(int)], provenance)

    @classmethod
    def read_consequence_csv(
        cls, path: Path, *, catalogue: Catalogue | None = None
    ) -> SectorMatrix:
        """The bare CSV format holding 0–5 consequence scores instead of a*_ij."""
        names, scores, lines = parse_bare(read_file(path)[0], str(path))
        try:
            return cls.from_consequence(names, scores, catalogue=catalogue, source=str(path))
        except MatrixError as exc:
            raise locate(exc, str(path), names, lines) from None

    @classmethod
    def from_io(
        cls,
        path: Path,
        *,
        aggregate: bool = False,
        catalogue: Catalogue | None = None,
        allow_large_cells: bool = False,
    ) -> SectorMatrix:
        """A* = x̂⁻¹ Z from an input-output table file (see :func:`read_io_table`), per
        industry or, with ``aggregate``, per catalogue sector (flows and outputs summed
        first, then divided)."""
        table = read_io_table(path)
        groups = (catalogue or load_catalogue()).groups() if aggregate else None
        return cls.from_table(table, groups=groups, allow_large_cells=allow_large_cells)

    @classmethod
    def from_table(
        cls,
        table: IOTable,
        *,
        groups: Mapping[str, Sequence[str]] | None = None,
        allow_large_cells: bool = False,
    ) -> SectorMatrix:
        """A* from an :class:`IOTable`; ``groups`` (sector → codes) aggregates it first, and
        must account for every code exactly once."""
        provenance = _provenance(
            "input-output", table.source, source_sha256=table.sha256, layout=table.layout
        )
        warnings: list[str] = []
        flows, output, names = table.flows, table.output, table.codes
        for code, x, sold in zip(names, output, flows.sum(axis=1), strict=True):
            if x <= 0:
                warnings.append(
                    f"{code} has zero output (its row of flows sums to {sold:.1f}): "
                    + ("its flows count with its sector" if groups else "its A* row is set to 0")
                )
        if groups is not None:
            accounting = account_codes(table, groups)
            if not accounting.complete:
                raise MatrixError(
                    "the aggregation does not account for every industry: "
                    + "; ".join(accounting.problems() or accounting.lines()[-1:])
                )
            member = np.array(
                [[accounting.assignment[c] == g for c in table.codes] for g in groups]
            )
            weights = member.astype(np.float64)
            flows, output, names = weights @ flows @ weights.T, weights @ output, tuple(groups)
            provenance["aggregation"] = {g: list(codes) for g, codes in groups.items()}
            provenance["accounting"] = accounting.lines()
            warnings += [
                f"{g} has zero output: its A* row is set to 0"
                for g, x in zip(names, output, strict=True)
                if x <= 0
            ]
        a_star = interdependency_from_flows(flows, output)
        large = np.argwhere(a_star >= 1)
        if allow_large_cells and large.size:
            warnings.append(f"{len(large)} cells are ≥ 1 (largest {a_star.max():.3f})")
        provenance["warnings"] = warnings
        try:
            built = cls(names, a_star, provenance, output, allow_large_cells)
        except MatrixError as exc:
            if exc.row is None or exc.column is None:
                raise
            i = names.index(exc.row)
            if a_star[i, names.index(exc.column)] < 1:
                raise
            raise MatrixError(
                f"{exc}; {exc.row} sells {flows[i].sum() / output[i]:.2f} times its output to "
                "other sectors (the table's rows include imported products); aggregate the "
                "table, or accept such cells with allow_large_cells",
                row=exc.row,
                column=exc.column,
            ) from None
        built.provenance["spectral_radius"] = built.spectral_radius
        return built
