"""Reading the CSV files a matrix comes from: the bytes and their hash, the rows, the numbers,
and the bare format experts edit (first row ``sector,NAME1,NAME2,…``, then one row per
sector starting with its name; row i, column j holds a cell, a blank cell means 0). Every
error names the file, the line and the column."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from grandstrategy.resilience.stability import MatrixError

Grid = NDArray[np.float64]


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


def read_file(path: Path) -> tuple[bytes, str]:
    """The bytes of a file and their SHA-256, or a :class:`MatrixFileError` saying why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MatrixFileError(str(path), f"cannot read: {exc.strerror}") from exc
    return data, hashlib.sha256(data).hexdigest()


def number(cell: str, source: str, line: int, col: int, what: str) -> float:
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


def csv_rows(data: bytes, source: str) -> list[tuple[int, list[str]]]:
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


def parse_bare(data: bytes, source: str) -> tuple[tuple[str, ...], Grid, dict[str, int]]:
    """Names, values (rows in header order) and the line of each sector's row."""
    rows = csv_rows(data, source)
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
            values[i, j] = number(cell, source, line, j + 2, f"[{name}, {names[j]}]")
    missing = [nm for nm in names if nm not in lines]
    if missing:
        raise MatrixFileError(source, f"no row for {', '.join(missing)}")
    return tuple(names), values, lines


def locate(
    exc: MatrixError, source: str, names: Sequence[str], lines: dict[str, int]
) -> MatrixError:
    """Point a cell error at its line and column in the file."""
    if exc.row is None or exc.row not in lines:
        return MatrixFileError(source, str(exc))
    col = list(names).index(exc.column) + 2 if exc.column and exc.column in names else None
    return MatrixFileError(
        source, str(exc), line=lines[exc.row], field=col, row=exc.row, column=exc.column
    )
