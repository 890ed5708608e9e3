"""Input-output tables and their maths: Z (what each industry buys from each), x (output)
and final demand, read from the OECD layout or the iotables example layout; the demand-side
A* = x̂⁻¹ Z of Santos and Haimes, Leontief's coefficients and inverse; and the proof that an
aggregation from industries to the catalogue's sectors uses every industry exactly once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grandstrategy.resilience import stability
from grandstrategy.resilience.matrix_files import MatrixFileError, csv_rows, number, read_file

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]

_INDUSTRY = re.compile(r"^D\d")  # OECD industry columns: D01 … D97T98


# --- input-output maths -------------------------------------------------------------------


def _inverse_output(output: ArrayLike, n: int) -> Vector:
    x = np.asarray(output, dtype=np.float64)
    if x.shape != (n,) or not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError(f"output x must be {n} finite, non-negative numbers")
    inverse = np.zeros(n)
    np.divide(1.0, x, out=inverse, where=x > 0)
    return inverse


def interdependency_from_flows(flows: ArrayLike, output: ArrayLike) -> Grid:
    """Demand-side A* = x̂⁻¹ Z, i.e. a*_ij = z_ij / x_i; a row with x_i = 0 is set to 0.

    z_ij is what j buys from i; when j's activity falls by q_j it buys z_ij q_j less and i
    loses that share of its output. A sector with no output has nothing to lose (q_i = 0).
    """
    z = np.asarray(flows, dtype=np.float64)
    return _inverse_output(output, z.shape[0])[:, None] * z


def technical_coefficients(flows: ArrayLike, output: ArrayLike) -> Grid:
    """Leontief's A = Z x̂⁻¹, i.e. a_ij = z_ij / x_j: inputs from i per unit of j's output."""
    z = np.asarray(flows, dtype=np.float64)
    return z * _inverse_output(output, z.shape[0])[None, :]


def leontief_inverse(a: ArrayLike) -> Grid:
    """L = (I − A)⁻¹ = I + A + A² + … (A checked like A*, cells of 1 or more allowed)."""
    m = np.asarray(a, dtype=np.float64)
    stability.check_matrix(m, allow_large_cells=True)
    return np.asarray(np.linalg.inv(np.eye(m.shape[0]) - m), dtype=np.float64)


def output_multipliers(a: ArrayLike) -> Vector:
    """Output multipliers Σ_i l_ij: the column sums of L (total output per unit of demand)."""
    return np.asarray(leontief_inverse(a).sum(axis=0), dtype=np.float64)


def demand_perturbation(demand_loss: ArrayLike, output: ArrayLike) -> Vector:
    """c*_i = Δf_i / x_i: a fall Δf_i in final demand as a fraction of output (0 if x_i = 0)."""
    df = np.asarray(demand_loss, dtype=np.float64)
    return df * _inverse_output(output, df.shape[0])


# --- input-output tables ------------------------------------------------------------------


@dataclass(frozen=True)
class IOTable:
    """An input-output table: ``flows[i, j]`` = z_ij, what industry j buys from industry i;
    ``output`` = x; ``final_demand`` = each final-use column by name."""

    codes: tuple[str, ...]
    flows: Grid
    output: Vector
    final_demand: dict[str, Vector]
    source: str
    layout: str
    sha256: str


def _parse_oecd(rows: list[tuple[int, list[str]]], source: str, sha: str) -> IOTable:
    _, header = rows[0]
    by_label = {cells[0].strip(): (line, cells) for line, cells in rows[1:]}
    columns = [h.strip() for h in header]
    codes = [c for c in columns[1:] if _INDUSTRY.match(c)]
    finals = [c for c in columns[1:] if c and not _INDUSTRY.match(c)]

    def row_values(label: str, names: Sequence[str]) -> Vector:
        if label not in by_label:
            raise MatrixFileError(source, f"no row {label!r} in the OECD layout")
        line, cells = by_label[label]
        if len(cells) != len(columns):
            raise MatrixFileError(
                source, f"{len(cells)} cells, the header has {len(columns)}", line=line
            )
        picks = [columns.index(name) for name in names]
        return np.array(
            [number(cells[k], source, line, k + 1, f"{label}/{columns[k]}") for k in picks]
        )

    flows = np.stack([row_values("TTL_" + code[1:], codes) for code in codes])
    demand_rows = np.stack([row_values("TTL_" + code[1:], finals) for code in codes])
    return IOTable(
        codes=tuple(codes),
        flows=flows,
        output=row_values("OUTPUT", codes),
        final_demand={name: demand_rows[:, k] for k, name in enumerate(finals)},
        source=source,
        layout=f"OECD input-output table, {len(codes)} industries (Z: TTL_xx × Dxx, x: OUTPUT)",
        sha256=sha,
    )


def _parse_iotables_example(rows: list[tuple[int, list[str]]], source: str, sha: str) -> IOTable:
    columns = [h.strip() for h in rows[0][1]]
    at = {name: k for k, name in enumerate(columns)}
    absent = {"t_rows2", "quadrant", "iotables_row"} - set(at)
    if absent:
        raise MatrixFileError(source, f"missing columns: {', '.join(sorted(absent))}", line=1)
    body = [
        (line, {name: cells[k] if k < len(cells) else "" for name, k in at.items()})
        for line, cells in rows[1:]
    ]
    products = [
        r for _, r in body if r["quadrant"].strip() == "10" and r["iotables_row"] != "total"
    ]
    codes = [r["iotables_row"].strip() for r in products]
    missing = [c for c in codes if c not in at]
    if missing:
        raise MatrixFileError(source, f"product columns missing: {', '.join(missing)}")
    first_final = max(at[c] for c in codes) + 1
    finals = [c for c in columns[first_final:] if c != "output_bp"]
    lines = {r["t_rows2"].strip(): line for line, r in body}
    records = {r["t_rows2"].strip(): r for _, r in body}
    if "P1" not in records:
        raise MatrixFileError(source, "no row 'P1' (output at basic prices)")

    def values(label: str, names: Sequence[str]) -> Vector:
        rec, line = records[label], lines[label]
        return np.array([number(rec[c], source, line, at[c] + 1, f"{label}/{c}") for c in names])

    labels = [r["t_rows2"].strip() for r in products]
    return IOTable(
        codes=tuple(codes),
        flows=np.stack([values(label, codes) for label in labels]),
        output=values("P1", codes),
        final_demand={c: np.array([values(label, [c])[0] for label in labels]) for c in finals},
        source=source,
        layout="iotables example table (Eurostat Manual layout; Z = product rows, x = P1 row)",
        sha256=sha,
    )


def read_io_table(path: Path) -> IOTable:
    """Read an input-output table: the OECD layout (first header cell empty, rows ``TTL_xx``,
    ``OUTPUT``) or the iotables example layout (``t_rows2`` header, ``P1`` output row)."""
    data, sha = read_file(path)
    rows = csv_rows(data, str(path))
    first = rows[0][1][0].strip() if rows[0][1] else ""
    if first == "":
        return _parse_oecd(rows, str(path), sha)
    if first == "t_rows2":
        return _parse_iotables_example(rows, str(path), sha)
    raise MatrixFileError(str(path), "not a known input-output layout (OECD or iotables)", line=1)


@dataclass(frozen=True)
class CodeAccounting:
    """Proof that an aggregation uses every industry of a table exactly once."""

    assignment: dict[str, str]  # industry code → sector id, in table order
    unassigned: tuple[str, ...]  # in the table, in no sector
    not_in_table: tuple[str, ...]  # listed by a sector, absent from the table
    duplicated: tuple[str, ...]  # listed by more than one sector
    output_by_sector: dict[str, float]
    table_output: float

    @property
    def complete(self) -> bool:
        """Every code accounted for once, and the sectors' output adds up to the table's."""
        balanced = abs(sum(self.output_by_sector.values()) - self.table_output) <= 1e-6 * max(
            1.0, abs(self.table_output)
        )
        return not (self.unassigned or self.not_in_table or self.duplicated) and balanced

    def problems(self) -> list[str]:
        out = [f"industry {c} is assigned to no sector" for c in self.unassigned]
        out += [f"industry {c} is not in the table" for c in self.not_in_table]
        return out + [f"industry {c} is assigned to more than one sector" for c in self.duplicated]

    def lines(self) -> list[str]:
        """One line per sector: its codes and output, then the total against the table's."""
        out = []
        for sector, total in self.output_by_sector.items():
            codes = [c for c, s in self.assignment.items() if s == sector]
            out.append(f"{sector}: output {total:,.1f} from {', '.join(codes) or 'no industry'}")
        out.append(
            f"{len(self.assignment)} codes, output {sum(self.output_by_sector.values()):,.1f} "
            f"of the table's {self.table_output:,.1f}"
        )
        return out + self.problems()


def account_codes(table: IOTable, groups: Mapping[str, Sequence[str]]) -> CodeAccounting:
    """Check ``groups`` (sector id → industry codes) against a table's codes."""
    owners: dict[str, list[str]] = {}
    for sector, codes in groups.items():
        for code in codes:
            owners.setdefault(code, []).append(sector)
    position = {c: k for k, c in enumerate(table.codes)}
    output = {
        sector: float(sum(table.output[position[c]] for c in codes if c in position))
        for sector, codes in groups.items()
    }
    return CodeAccounting(
        assignment={c: owners[c][0] for c in table.codes if c in owners},
        unassigned=tuple(c for c in table.codes if c not in owners),
        not_in_table=tuple(c for c in owners if c not in position),
        duplicated=tuple(c for c, s in owners.items() if len(s) > 1),
        output_by_sector=output,
        table_output=float(table.output.sum()),
    )
