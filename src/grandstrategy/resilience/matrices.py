"""Interdependency matrices A*: stored, checked, one active; sector indices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import NotFound
from grandstrategy.core.i18n import _
from grandstrategy.resilience import iim
from grandstrategy.resilience.access import (
    ASSESS,
    READ,
    check_marking,
    most_specific_first,
    replaced,
    sector_title,
)
from grandstrategy.resilience.matrix import SectorMatrix
from grandstrategy.resilience.models import Matrix
from grandstrategy.resilience.schemas import MatrixCreate, MatrixRead, SectorIndex

# --- matrices ---------------------------------------------------------------------------------


def _matrix_read(row: Matrix) -> MatrixRead:
    return MatrixRead(
        id=row.id,
        name=row.name,
        sectors=list(row.sectors),
        values=[list(r) for r in row.values],
        outputs=None if row.outputs is None else list(row.outputs),
        provenance=dict(row.provenance),
        active=row.active,
        marking=str(row.marking),
        created_by=row.created_by,
        updated_at=row.updated_at,
        spectral_radius=iim.spectral_radius(np.array(row.values, dtype=np.float64)),
    )


def matrix_row(session: Session, user: Principal, name: str | None) -> Matrix:
    """A matrix by name, or the active one: of those the user sees, the most highly marked."""
    q = most_specific_first(restrict(select(Matrix), user), Matrix).limit(1)
    if name is None:
        row = session.execute(q.where(Matrix.active.is_(True))).scalar()
        if row is None:
            raise NotFound(
                _(
                    "no active interdependency matrix: build one with "
                    "'grandstrategy resilience matrix from-io TABLE.csv --aggregate --save NAME'"
                )
            )
        return row
    row = session.execute(q.where(Matrix.name == name)).scalar()
    if row is None:
        raise NotFound(_("matrix {name!r} not found").format(name=name))
    return row


def _vector(values: list[float] | None) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    return None if values is None else np.array(values, dtype=np.float64)


def sector_matrix(row: Matrix) -> SectorMatrix:
    return SectorMatrix(
        tuple(row.sectors), np.array(row.values), dict(row.provenance), _vector(row.outputs)
    )


def save_matrix(session: Session, *, user: Principal, data: MatrixCreate) -> MatrixRead:
    """Store (or replace) a named matrix after checking it (0 ≤ a*_ij < 1, ρ(A*) < 1).

    The first matrix the user can see, or one saved with ``active``, becomes the active matrix
    that scenarios and the ranking use by default. Names are unique per marking, and making a
    matrix active only deactivates the matrices the user can see: nothing here depends on, or
    changes, a record hidden from the user.
    """
    require(user, ASSESS)
    marking = check_marking(user, data.marking)
    values = np.array(data.values, dtype=np.float64)
    checked = SectorMatrix(tuple(data.sectors), values, data.provenance, _vector(data.outputs))
    visible = restrict(select(Matrix), user)
    same_name = session.execute(
        most_specific_first(visible.where(Matrix.name == data.name), Matrix)
    )
    row = replaced(list(same_name.scalars()), marking, _("matrices"), data.name)
    before: dict[str, Any] | None = None
    if row is not None:
        before = _matrix_read(row).model_dump(mode="json", exclude={"updated_at"})
    else:
        row = Matrix(name=data.name, created_by=user.username)
        session.add(row)
    row.sectors = list(checked.names)
    row.values = checked.values.tolist()
    row.outputs = None if checked.output is None else checked.output.tolist()
    row.provenance = checked.provenance
    row.marking = marking
    row.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    others = list(
        session.execute(visible.where(Matrix.active.is_(True), Matrix.id != row.id)).scalars()
    )
    if data.active or not others:
        for other in others:
            other.active = False
        row.active = True
    session.flush()
    out = _matrix_read(row)
    audit.record(
        session,
        actor=user,
        action="resilience.matrix",
        object_type="matrix",
        object_id=data.name,
        marking=marking,
        before=before,
        after=out.model_dump(mode="json", exclude={"updated_at"}),
    )
    return out


def get_matrix(session: Session, *, user: Principal, name: str | None = None) -> MatrixRead:
    require(user, READ)
    row = matrix_row(session, user, name)
    audit.record_read(session, user, row, "matrix", row.name)
    return _matrix_read(row)


def list_matrices(session: Session, *, user: Principal) -> list[MatrixRead]:
    require(user, READ)
    rows = session.execute(restrict(select(Matrix), user).order_by(Matrix.name)).scalars()
    return [_matrix_read(r) for r in rows]


def indices(session: Session, *, user: Principal, matrix: str | None = None) -> list[SectorIndex]:
    """Dependency and influence of each sector of a matrix (the active one by default)."""
    require(user, READ)
    row = matrix_row(session, user, matrix)
    ix = iim.interdependency_indices(np.array(row.values), row.sectors)
    return [
        SectorIndex(
            sector=name,
            title=sector_title(name),
            dependency=float(ix.dependency[i]),
            influence=float(ix.influence[i]),
            overall_dependency=float(ix.overall_dependency[i]),
            overall_influence=float(ix.overall_influence[i]),
        )
        for i, name in enumerate(row.sectors)
    ]
