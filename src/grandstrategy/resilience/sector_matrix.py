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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from grandstrategy.core.i18n import _
from grandstrategy.resilience import iim
from grandstrategy.resilience.catalogue import Catalogue, load_catalogue
from grandstrategy.resilience.iim import MatrixError

Vector = NDArray[np.float64]
Grid = NDArray[np.float64]

ORIENTATION = (
    "row i = affected sector, column j = the sector it depends on; from an input-output "
    "table a*_ij = z_ij / x_i (demand-side IIM: the share of i's output that j buys)"
)
_INDUSTRY = re.compile(r"^D\d")  # OECD industry columns: D01 … D97T98


class MatrixFileError(MatrixError):
    """A matrix or table file is malformed; the message gives the file, line and column."""

    def __init__(
        self,
        source: str,
        message: str,
        *,
        line: int | None = None,
        field: int | None = None,
        row: str | None = None,
        column: str | None = None,
    ) -> None:
        where = source + (f", line {line}" if line else "") + (f", column {field}" if field else "")
        super().__init__(f"{where}: {message}", row=row, column=column)
        self.line = line
        self.field = field


def _provenance(method: str, source: str, **more: Any) -> dict[str, Any]:
    """The provenance every matrix carries: how, from what, in which orientation, when."""
    built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return {"method": method, "source": source, **more, "orientation": ORIENTATION, "built": built}


def _read(path: Path) -> tuple[bytes, str]:
    """The bytes of a file and their SHA-256, or a :class:`MatrixFileError` saying why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MatrixFileError(str(path), f"cannot read: {exc.strerror}") from exc
    return data, hashlib.sha256(data).hexdigest()


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
    iim.check_matrix(m, allow_large_cells=True)
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


def _number(cell: str, source: str, line: int, col: int, what: str) -> float:
    text = cell.strip()
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        msg = f"{what}: {cell!r} is not a number"
        raise MatrixFileError(source, msg, line=line, field=col) from None
    if not np.isfinite(value):
        raise MatrixFileError(source, f"{what}: {cell!r} is not finite", line=line, field=col)
    return value


def _rows(data: bytes, source: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of the non-blank rows of a CSV file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MatrixFileError(source, f"not UTF-8 text ({exc.reason})") from exc
    reader = csv.reader(io.StringIO(text))
    out: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                out.append((reader.line_num, cells))
    except csv.Error as exc:
        raise MatrixFileError(source, f"not valid CSV: {exc}", line=reader.line_num) from exc
    if not out:
        raise MatrixFileError(source, "the file is empty")
    return out


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
            [_number(cells[k], source, line, k + 1, f"{label}/{columns[k]}") for k in picks]
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
        return np.array([_number(rec[c], source, line, at[c] + 1, f"{label}/{c}") for c in names])

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
    data, sha = _read(path)
    rows = _rows(data, str(path))
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
        data, _ = _read(path)
        return cls.from_csv_bytes(data, source=str(path), allow_large_cells=allow_large_cells)

    @classmethod
    def from_csv_bytes(
        cls, data: bytes, *, source: str = "<matrix>", allow_large_cells: bool = False
    ) -> SectorMatrix:
        """Parse the bare CSV format; errors name the line and column."""
        names, values, lines = _parse_bare(data, source)
        provenance = _provenance("csv", source, source_sha256=hashlib.sha256(data).hexdigest())
        try:
            return cls(names, values, provenance, allow_large_cells=allow_large_cells)
        except MatrixError as exc:
            raise _locate(exc, source, names, lines) from None

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
        names, scores, lines = _parse_bare(_read(path)[0], str(path))
        try:
            return cls.from_consequence(names, scores, catalogue=catalogue, source=str(path))
        except MatrixError as exc:
            raise _locate(exc, str(path), names, lines) from None

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


def _parse_bare(data: bytes, source: str) -> tuple[tuple[str, ...], Grid, dict[str, int]]:
    """Names, values (rows in header order) and the line of each sector's row."""
    rows = _rows(data, source)
    head_line, header = rows[0]
    if header[0].strip().lower() != "sector":
        raise MatrixFileError(
            source,
            f"the header must start with 'sector'; got {header[0]!r}",
            line=head_line,
            field=1,
        )
    names = [h.strip() for h in header[1:]]
    for k, name in enumerate(names):
        if not name:
            raise MatrixFileError(source, "empty sector name", line=head_line, field=k + 2)
        if name in names[:k]:
            raise MatrixFileError(
                source, f"sector {name!r} named twice", line=head_line, field=k + 2
            )
    n = len(names)
    if n == 0:
        raise MatrixFileError(source, "the header names no sector", line=head_line)
    values = np.zeros((n, n))
    lines: dict[str, int] = {}
    for line, cells in rows[1:]:
        name = cells[0].strip()
        if len(cells) != n + 1:
            raise MatrixFileError(
                source,
                f"{len(cells)} cells, expected {n + 1} (the name and one per sector)",
                line=line,
            )
        if name not in names:
            raise MatrixFileError(
                source, f"unknown sector {name!r} (not in the header)", line=line, field=1
            )
        if name in lines:
            raise MatrixFileError(
                source, f"second row for {name!r} (first on line {lines[name]})", line=line, field=1
            )
        lines[name] = line
        i = names.index(name)
        for j, cell in enumerate(cells[1:]):
            values[i, j] = _number(cell, source, line, j + 2, f"[{name}, {names[j]}]")
    missing = [nm for nm in names if nm not in lines]
    if missing:
        raise MatrixFileError(source, f"no row for {', '.join(missing)}")
    return tuple(names), values, lines


def _locate(
    exc: MatrixError, source: str, names: Sequence[str], lines: dict[str, int]
) -> MatrixError:
    """Point a cell error at its line and column in the file."""
    if exc.row is None or exc.row not in lines:
        return MatrixFileError(source, str(exc))
    col = list(names).index(exc.column) + 2 if exc.column and exc.column in names else None
    return MatrixFileError(
        source, str(exc), line=lines[exc.row], field=col, row=exc.row, column=exc.column
    )
