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
from grandstrategy.core.markings import Marking, combine
from grandstrategy.resilience import iim, upsert
from grandstrategy.resilience.checks import (
    ASSESS,
    READ,
    check_marking,
    most_specific_first,
    sector_title,
)
from grandstrategy.resilience.models import Matrix
from grandstrategy.resilience.schemas import (
    ConsequenceMatrixCreate,
    MatrixCreate,
    MatrixRead,
    SectorIndex,
)
from grandstrategy.resilience.sector_matrix import SectorMatrix

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
    """Store a named matrix after checking it (0 ≤ a*_ij < 1, ρ(A*) < 1); a matrix of that
    name the user sees is replaced only with ``data.replace`` (else :class:`Conflict`).

    The first matrix the user can see, or one saved with ``active``, becomes the active matrix
    that scenarios and the ranking use by default. Names are unique per marking, and making a
    matrix active only deactivates the matrices the user can see: nothing here depends on, or
    changes, a record hidden from the user.
    """
    require(user, ASSESS)
    marking = check_marking(user, data.marking)
    values = np.array(data.values, dtype=np.float64)
    checked = SectorMatrix(tuple(data.sectors), values, data.provenance, _vector(data.outputs))
    return _store(
        session, user, data.name, checked, marking, active=data.active, replace=data.replace
    )


def save_consequence_matrix(
    session: Session, *, user: Principal, data: ConsequenceMatrixCreate
) -> MatrixRead:
    """Store a matrix built from experts' 0–5 consequence scores (the catalogue's rule turns
    each score into a*_ij); the same checks and replace rule as :func:`save_matrix`."""
    require(user, ASSESS)
    marking = check_marking(user, data.marking)
    built = SectorMatrix.from_consequence(data.sectors, data.scores, source=data.source)
    return _store(
        session, user, data.name, built, marking, active=data.active, replace=data.replace
    )


def _store(
    session: Session,
    user: Principal,
    name: str,
    checked: SectorMatrix,
    marking: Marking,
    *,
    active: bool,
    replace: bool,
) -> MatrixRead:
    row = upsert.namesake(
        session,
        user,
        Matrix,
        name=name,
        marking=marking,
        what=_("matrices"),
        one=_("a matrix"),
        replace=replace,
    )
    before = None if row is None else upsert.snapshot(_matrix_read(row))
    if row is None:
        row = Matrix(name=name, created_by=user.username)
    row.sectors = list(checked.names)
    row.values = checked.values.tolist()
    row.outputs = None if checked.output is None else checked.output.tolist()
    row.provenance = checked.provenance
    row.updated_at = dt.datetime.now(dt.UTC)

    def activate(saved: Matrix) -> None:
        others = _active_others(session, user, saved)
        if active or not others:
            _switch(others, saved)

    return upsert.write(
        session,
        user=user,
        row=row,
        marking=marking,
        read=_matrix_read,
        action="resilience.matrix",
        object_type="matrix",
        object_id=name,
        before=before,
        after_flush=activate,
    )


def _active_others(session: Session, user: Principal, row: Matrix) -> list[Matrix]:
    """The active matrices other than ``row`` that the user can see (only those are switched)."""
    q = restrict(select(Matrix), user).where(Matrix.active.is_(True), Matrix.id != row.id)
    return list(session.execute(q).scalars())


def _switch(others: list[Matrix], row: Matrix) -> None:
    for other in others:
        other.active = False
    row.active = True


def activate_matrix(session: Session, *, user: Principal, name: str) -> MatrixRead:
    """Make a stored matrix the active one: of the matrices named ``name`` the user sees, the
    most highly marked. Only active matrices the user can see are switched off, so a hidden
    matrix (active or a namesake) is never touched; the change is audited."""
    require(user, ASSESS)
    row = matrix_row(session, user, name)
    others = _active_others(session, user, row)
    before = {"active": row.active, "switched_off": sorted(o.name for o in others)}
    _switch(others, row)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="resilience.matrix.activate",
        object_type="matrix",
        object_id=row.name,
        marking=combine([row.marking, *(o.marking for o in others)]),
        before=before,
        after={"active": True},
    )
    return _matrix_read(row)


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
