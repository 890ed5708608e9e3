"""External assessments: judgements issued by others (NATO, the EU, an ally, a think tank).

Kept as their own records — issuer, date, judgement, confidence, the threats concerned,
marking — so the secretariat can set its own reading beside theirs, and cite them in briefs
with their issuer. Where two issuers judge one threat differently, both are shown together,
never averaged into one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon.analysis_models import Assessment
from grandstrategy.horizon.taxonomy import load_taxonomy

CONFIDENCE = ("low", "moderate", "high")


@dataclass
class AssessmentView:
    id: int
    issuer: str
    issued: dt.date
    judgement: str
    confidence: str
    threats: list[str]
    marking: str
    document_id: int | None


def _view(a: Assessment) -> AssessmentView:
    return AssessmentView(
        a.id,
        a.issuer,
        a.issued,
        a.judgement,
        a.confidence,
        list(a.threats),
        str(a.marking),
        a.document_id,
    )


def add_assessment(
    session: Session,
    *,
    user: Principal,
    issuer: str,
    issued: dt.date,
    judgement: str,
    confidence: str,
    threats: list[str],
    marking: str | None = None,
    document_id: int | None = None,
) -> AssessmentView:
    """Record an assessment issued by someone else (entered, or taken from a document)."""
    require(user, "horizon.ingest")
    issuer, judgement = issuer.strip(), judgement.strip()
    if not issuer or not judgement:
        raise Invalid(_("an assessment needs an issuer and a judgement"))
    if confidence not in CONFIDENCE:
        raise Invalid(
            _("confidence must be one of {choices}, not {value!r}").format(
                choices=", ".join(CONFIDENCE), value=confidence
            )
        )
    known = set(load_taxonomy().ids())
    unknown = [t for t in threats if t not in known]
    if not threats or unknown:
        raise Invalid(
            _("unknown threat categories: {names}").format(
                names=", ".join(unknown) or _("(none given)")
            )
        )
    mark = Marking.parse(marking)
    if not user.can_read(mark):
        raise Invalid(_("marking {marking} is above your clearance").format(marking=mark))
    row = Assessment(
        issuer=issuer[:200],
        issued=issued,
        judgement=judgement,
        confidence=confidence,
        threats=sorted(set(threats)),
        document_id=document_id,
        created_by=user.username,
    )
    row.marking = mark
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="horizon.assessment.add",
        object_type="assessment",
        object_id=row.id,
        marking=mark,
        after={"issuer": row.issuer, "issued": issued.isoformat(), "threats": row.threats},
    )
    return _view(row)


def list_assessments(
    session: Session, *, user: Principal, threat: str | None = None
) -> list[AssessmentView]:
    """Assessments the user may read, newest first; those on one threat if given."""
    require(user, "horizon.read")
    rows = session.execute(
        restrict(select(Assessment), user).order_by(Assessment.issued.desc(), Assessment.id)
    ).scalars()
    return [_view(a) for a in rows if threat is None or threat in a.threats]


def by_threat(session: Session, *, user: Principal) -> dict[str, dict[str, object]]:
    """Per threat: its assessments, and whether issuers differ (confidence or judgement)."""
    out: dict[str, dict[str, object]] = {}
    for a in list_assessments(session, user=user):
        for t in a.threats:
            entry = out.setdefault(t, {"assessments": [], "differ": False})
            items: list[AssessmentView] = entry["assessments"]  # type: ignore[assignment]
            items.append(a)
    for entry in out.values():
        items = entry["assessments"]  # type: ignore[assignment]
        latest: dict[str, AssessmentView] = {}
        for a in items:
            latest.setdefault(a.issuer, a)
        views = list(latest.values())
        entry["differ"] = len(views) >= 2 and len({(v.confidence, v.judgement) for v in views}) > 1
    return out
