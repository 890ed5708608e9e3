"""Assessments of the baseline requirements (append-only) and the autonomy choices.

The current state of a criterion is its latest assessment the user may see; the history is
every row. A requirement's level is the mean of its assessed criteria, its gap the mean target
minus that level (never below 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.resilience import upsert
from grandstrategy.resilience.checks import (
    ASSESS,
    READ,
    catalogue,
    check_marking,
    check_requirement,
)
from grandstrategy.resilience.models import Assessment, AutonomyChoice
from grandstrategy.resilience.schemas import (
    AssessmentCreate,
    AssessmentRead,
    AutonomyCreate,
    AutonomyRead,
    CriterionState,
    RequirementState,
)


def _assessment_read(row: Assessment) -> AssessmentRead:
    return AssessmentRead(
        id=row.id,
        requirement=row.requirement,
        criterion=row.criterion,
        level=row.level,
        target=row.target,
        evidence=row.evidence,
        links=list(row.links),
        assessed_on=row.assessed_on,
        assessor=row.assessor,
        marking=str(row.marking),
    )


# --- assessments ------------------------------------------------------------------------------


def record_assessment(
    session: Session, *, user: Principal, data: AssessmentCreate
) -> AssessmentRead:
    """Append an assessment of one criterion; the latest one is the criterion's current state."""
    require(user, ASSESS)
    check_requirement(data.requirement, data.criterion)
    marking = check_marking(user, data.marking)
    on = data.assessed_on or dt.date.today()
    if on > dt.date.today():
        raise Invalid(_("assessed_on {date} is in the future").format(date=on))
    row = Assessment(
        requirement=data.requirement,
        criterion=data.criterion,
        level=data.level,
        target=data.target,
        evidence=data.evidence,
        links=list(data.links),
        assessor=user.username,
        assessed_on=on,
    )
    return upsert.write(
        session,
        user=user,
        row=row,
        marking=marking,
        read=_assessment_read,
        action="resilience.assess",
        object_type="assessment",
        object_id=None,  # the new row's id
    )


def assessments(
    session: Session,
    *,
    user: Principal,
    requirement: str | None = None,
    criterion: str | None = None,
) -> list[AssessmentRead]:
    """The assessment history the user may see, newest first."""
    require(user, READ)
    q = restrict(select(Assessment), user)
    if requirement is not None:
        check_requirement(requirement, criterion)
        q = q.where(Assessment.requirement == requirement)
    if criterion is not None:
        q = q.where(Assessment.criterion == criterion)
    q = q.order_by(Assessment.assessed_on.desc(), Assessment.id.desc())
    return [_assessment_read(r) for r in session.execute(q).scalars()]


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if values else None


def overview(session: Session, *, user: Principal) -> list[RequirementState]:
    """Each requirement's criteria (latest visible assessment), means, gap and trend."""
    require(user, READ)
    rows = session.execute(
        restrict(select(Assessment), user).order_by(Assessment.assessed_on, Assessment.id)
    ).scalars()
    by_req: dict[str, list[Assessment]] = {}
    for r in rows:
        by_req.setdefault(r.requirement, []).append(r)
    out = []
    for sector in catalogue().requirements:
        history = by_req.get(sector.id, [])
        latest: dict[str, Assessment] = {}
        trend: list[tuple[dt.date, float]] = []
        for r in history:  # oldest first: the state after each date is the trend
            latest[r.criterion] = r
            mean = float(np.mean([a.level for a in latest.values()]))
            if trend and trend[-1][0] == r.assessed_on:
                trend[-1] = (r.assessed_on, mean)
            else:
                trend.append((r.assessed_on, mean))
        criteria = []
        for c in sector.criteria:
            a = latest.get(c.id)
            criteria.append(
                CriterionState(
                    criterion=c.id,
                    title=c.label(),
                    level=a.level if a else None,
                    target=a.target if a else None,
                    assessed_on=a.assessed_on if a else None,
                    assessor=a.assessor if a else None,
                    evidence=a.evidence if a else "",
                )
            )
        assessed = [latest[c.id] for c in sector.criteria if c.id in latest]
        current = _mean([a.level for a in assessed])
        target = _mean([a.target for a in assessed])
        gap = None if current is None or target is None else max(0.0, target - current)
        out.append(
            RequirementState(
                requirement=sector.id,
                title=sector.label(),
                criteria=criteria,
                current=current,
                target=target,
                gap=gap,
                assessed=len(assessed),
                trend=trend,
            )
        )
    return out


# --- autonomy ---------------------------------------------------------------------------------


def _autonomy_read(row: AutonomyChoice) -> AutonomyRead:
    return AutonomyRead.model_validate(
        {
            "requirement": row.requirement,
            "dimension": row.dimension,
            "choice": row.choice,
            "rationale": row.rationale,
            "marking": str(row.marking),
            "decided_by": row.decided_by,
            "decided_at": row.decided_at,
        }
    )


def set_autonomy(session: Session, *, user: Principal, data: AutonomyCreate) -> AutonomyRead:
    """Record how much autonomy to seek for a requirement along one dimension (kept in history)."""
    require(user, ASSESS)
    check_requirement(data.requirement)
    marking = check_marking(user, data.marking)
    before = next(
        (
            a
            for a in autonomy(session, user=user)
            if a.requirement == data.requirement and a.dimension == data.dimension
        ),
        None,
    )
    row = AutonomyChoice(
        requirement=data.requirement,
        dimension=data.dimension,
        choice=data.choice,
        rationale=data.rationale,
        decided_by=user.username,
    )
    return upsert.write(
        session,
        user=user,
        row=row,
        marking=marking,
        read=_autonomy_read,
        action="resilience.autonomy",
        object_type="autonomy",
        object_id=f"{data.requirement}/{data.dimension}",
        before=before.model_dump(mode="json") if before else None,
    )


def autonomy(session: Session, *, user: Principal) -> list[AutonomyRead]:
    """The current choice per requirement and dimension (the latest the user may see)."""
    require(user, READ)
    q = restrict(select(AutonomyChoice), user).order_by(AutonomyChoice.id)
    latest: dict[tuple[str, str], AutonomyChoice] = {}
    for row in session.execute(q).scalars():
        latest[(row.requirement, row.dimension)] = row
    order = {s.id: i for i, s in enumerate(catalogue().requirements)}
    dims = {"decision": 0, "expertise": 1, "production": 2}
    keys = sorted(latest, key=lambda k: (order.get(k[0], 99), dims.get(k[1], 9)))
    return [_autonomy_read(latest[k]) for k in keys]
