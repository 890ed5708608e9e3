"""Consultation rounds: opening one on a draft snapshot, inviting scoped participants,
closing it once every contribution has a decision (participants' accounts lapse then).

Called through :mod:`grandstrategy.drafting.service`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Conflict, Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.users import add_user, find, set_user
from grandstrategy.drafting import access
from grandstrategy.drafting.models import Contribution, Cycle, Participant, Round
from grandstrategy.drafting.reading import (
    round_read,
)
from grandstrategy.drafting.schemas import (
    ParticipantCreate,
    ParticipantRead,
    RoundCreate,
    RoundRead,
)
from grandstrategy.strategy import service as strategy_service


def _system(user: Principal, why: str) -> Principal:
    """The drafting service acting on the user's behalf where the user's role alone could
    not (scoped participant accounts); the audit names both."""
    return Principal.operator(f"{user.username} ({why})")


def open_round(
    session: Session, *, user: Principal, data: RoundCreate, cycle: str | None = None
) -> RoundRead:
    """Consult one audience on the current draft, frozen as the round's snapshot."""
    c = access.current_cycle(session, user, cycle)
    access.require_team(session, user, c)
    if c.status != "drafting":
        raise Invalid(
            _("cycle {n} is {s}; rounds open only while drafting").format(n=c.name, s=c.status)
        )
    marking = Marking.parse(data.marking)
    if not user.can_read(marking):
        raise Invalid(_("marking {m} is above your own clearance").format(m=marking))
    if data.until is not None and data.until < access.today():
        raise Invalid(_("--until {d} is in the past").format(d=data.until))
    taken = restrict(select(Round.id), user, Round).where(Round.name == data.name)
    if session.execute(taken).first() is not None:
        raise Conflict(_("the round name {n!r} is taken").format(n=data.name))
    pkg = strategy_service.load_package(
        session, user=user, key=c.strategy_key, max_marking=str(marking)
    )
    strategy = strategy_service.current(session, user, c.strategy_key)
    r = Round(
        cycle_id=c.id,
        name=data.name,
        audience=data.audience,
        version=strategy.version,
        until=data.until,
        status="open",
        snapshot=pkg.model_dump(mode="json"),
        opened_by=user.username,
    )
    r.marking = marking
    session.add(r)
    session.flush()
    out = round_read(session, user, r)
    audit.record(
        session,
        actor=user,
        action="drafting.round-open",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after=out.model_dump(mode="json", exclude={"contributions", "undecided"}),
    )
    return out


def list_rounds(session: Session, *, user: Principal, cycle: str | None = None) -> list[RoundRead]:
    require(user, "drafting.read")
    q = access.rounds_query(user)
    if cycle:
        q = q.where(Round.cycle_id == access.current_cycle(session, user, cycle).id)
    return [round_read(session, user, r) for r in session.execute(q.order_by(Round.id)).scalars()]


def get_round(session: Session, *, user: Principal, name: str) -> RoundRead:
    return round_read(session, user, access.get_round(session, user, name))


def invite(
    session: Session,
    *,
    user: Principal,
    round: str,
    data: ParticipantCreate,
    password: str | None = None,
) -> ParticipantRead:
    """A scoped account for someone outside the administration: it sees this round's draft
    at the round's marking, contributes, and lapses when the round closes or expires."""
    r = access.get_round(session, user, round)
    c = session.get(Cycle, r.cycle_id)
    assert c is not None
    access.require_team(session, user, c)
    if not access.round_open(r):
        raise Invalid(_("round {n} is closed").format(n=r.name))
    existing = find(session, data.username)
    made = None
    system = _system(user, "drafting invitation")
    if existing is None:
        made = password or secrets.token_urlsafe(12)
        add_user(
            session,
            user=system,
            username=data.username,
            password=made,
            role=access.PARTICIPANT,
            clearance=r.marking.level_name,
            compartments=sorted(r.marking.compartments),
            display_name=data.display_name or data.username,
        )
    elif existing.role != access.PARTICIPANT:
        raise Conflict(
            _(
                "{u} already has an account ({r}); people inside the administration "
                "contribute with their own account"
            ).format(u=data.username, r=existing.role)
        )
    else:
        level = max(existing.clearance, r.marking.level)
        comps = sorted(existing.compartment_set | r.marking.compartments)
        set_user(
            session,
            user=system,
            username=data.username,
            active=True,
            clearance=Marking(level).level_name,
            compartments=comps,
        )
    if (
        session.execute(
            select(Participant).where(
                Participant.round_id == r.id, Participant.username == data.username
            )
        ).scalar()
        is not None
    ):
        raise Conflict(_("{u} is already invited to {n}").format(u=data.username, n=r.name))
    session.add(
        Participant(
            round_id=r.id,
            username=data.username,
            organisation=data.organisation,
            org_kind=data.org_kind,
            invited_by=user.username,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=user,
        action="drafting.invite",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after={
            "username": data.username,
            "organisation": data.organisation,
            "org_kind": data.org_kind,
        },
    )
    return ParticipantRead(
        username=data.username,
        round=r.name,
        organisation=data.organisation,
        org_kind=data.org_kind,
        password=made,
    )


def close_round(session: Session, *, user: Principal, name: str) -> RoundRead:
    """Close a round once every contribution has a decision; participants' accounts lapse."""
    r = access.get_round(session, user, name)
    cycle = session.get(Cycle, r.cycle_id)
    assert cycle is not None
    access.require_team(session, user, cycle)
    if r.status != "open":
        raise Invalid(_("round {n} is already closed").format(n=name))
    pending = session.execute(
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.round_id == r.id,
            access.undecided_clause(),  # type: ignore[arg-type]
        )
    ).scalar_one()
    if pending:
        shown = [
            str(c.id)
            for c in session.execute(
                access.contributions_query(session, user, r).where(access.undecided_clause())  # type: ignore[arg-type]
            ).scalars()
        ]
        raise Conflict(
            _("round {n} cannot close: contributions are still without a decision").format(n=name),
            details=[_("undecided: {ids}").format(ids=", ".join(shown))] if shown else [],
        )
    r.status, r.closed_at = "closed", dt.datetime.now(dt.UTC)
    session.flush()
    _lapse_participants(session, user, r)
    audit.record(
        session,
        actor=user,
        action="drafting.round-close",
        object_type="round",
        object_id=r.name,
        marking=r.marking,
        after={"status": "closed"},
    )
    return round_read(session, user, r)


def _lapse_participants(session: Session, user: Principal, r: Round) -> None:
    """Disable the accounts of participants who have no other open round."""
    for p in session.execute(select(Participant).where(Participant.round_id == r.id)).scalars():
        others = session.execute(
            select(Round)
            .join(Participant, Participant.round_id == Round.id)
            .where(Participant.username == p.username, Round.id != r.id)
        ).scalars()
        if any(access.round_open(o) for o in others):
            continue
        u = find(session, p.username)
        if u is not None and u.active and u.role == access.PARTICIPANT:
            set_user(session, user=_system(user, "round closed"), username=p.username, active=False)
