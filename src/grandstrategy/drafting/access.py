"""Who may do what in a drafting cycle, and which rounds and contributions a user may see.

Actions come from the roles (``drafting.read``, ``.contribute``, ``.decide``, ``.approve``);
on top of them the cycle names people: exactly one pen-holder, a team, and the drafters the
pen-holder delegated decisions to. An invited participant (role ``participant``) sees only
the rounds they were invited to, and only while those rounds are open.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Forbidden, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.drafting.models import Contribution, Cycle, Participant, Round, TeamMember

PARTICIPANT = "participant"
OPEN_CYCLE = ("drafting", "approved")


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def is_participant(user: Principal) -> bool:
    return user.role == PARTICIPANT


def round_open(r: Round, on: dt.date | None = None) -> bool:
    """Open: not closed, and its closing date (if any) not passed."""
    return r.status == "open" and (r.until is None or (on or today()) <= r.until)


def team(session: Session, cycle: Cycle) -> list[TeamMember]:
    q = select(TeamMember).where(TeamMember.cycle_id == cycle.id).order_by(TeamMember.id)
    return list(session.execute(q).scalars())


def on_team(session: Session, user: Principal, cycle: Cycle) -> bool:
    return user.username == cycle.pen_holder or any(
        m.username == user.username for m in team(session, cycle)
    )


def may_decide(session: Session, user: Principal, cycle: Cycle) -> bool:
    if not user.active:
        return False
    if user.username == cycle.pen_holder:
        return "drafting.decide" in user.actions
    return any(m.username == user.username and m.may_decide for m in team(session, cycle))


def require_team(session: Session, user: Principal, cycle: Cycle) -> None:
    require(user, "drafting.read")
    if not on_team(session, user, cycle):
        raise Forbidden(
            _("only the pen-holder ({p}) and the drafting team may do this").format(
                p=cycle.pen_holder
            )
        )


def require_decider(session: Session, user: Principal, cycle: Cycle) -> None:
    require(user, "drafting.read")
    if not may_decide(session, user, cycle):
        raise Forbidden(
            _("only the pen-holder ({p}) or a drafter they delegated to may decide").format(
                p=cycle.pen_holder
            )
        )


def cycles_query(user: Principal) -> Select[Cycle]:
    return restrict(select(Cycle), user)


def current_cycle(session: Session, user: Principal, name: str | None = None) -> Cycle:
    """The named cycle, or the newest one the user may see."""
    require(user, "drafting.read")
    if is_participant(user):
        raise NotFound(_("no drafting cycle found"))
    q = cycles_query(user)
    if name:
        c = session.execute(q.where(Cycle.name == name).order_by(Cycle.id.desc())).scalars().first()
        if c is None:
            raise NotFound(_("drafting cycle {n!r} not found").format(n=name))
        return c
    c = session.execute(q.order_by(Cycle.id.desc())).scalars().first()
    if c is None:
        raise NotFound(_("no drafting cycle yet: start one with 'grandstrategy drafting start'"))
    return c


def rounds_query(user: Principal) -> Select[Round]:
    """Rounds the user may see: by marking, and for participants only their open rounds."""
    q = restrict(select(Round), user)
    if is_participant(user):
        invited = select(Participant.round_id).where(Participant.username == user.username)
        q = q.where(Round.id.in_(invited), Round.status == "open")
        q = q.where(or_(Round.until.is_(None), Round.until >= today()))
    return q


def get_round(session: Session, user: Principal, name: str) -> Round:
    require(user, "drafting.read")
    q = rounds_query(user).where(Round.name == name).order_by(Round.id.desc())
    r = session.execute(q).scalars().first()
    if r is None:
        raise NotFound(_("round {n!r} not found").format(n=name))
    return r


def get_round_by_id(session: Session, rid: int) -> Round:
    """A round already known to be visible (through one of its contributions)."""
    r = session.get(Round, rid)
    if r is None:
        raise NotFound(_("round not found"))
    return r


def contributions_query(
    session: Session, user: Principal, r: Round | None = None
) -> Select[Contribution]:
    """Contributions the user may see.

    Restricted by marking; a participant sees only their own, in rounds still open to them;
    a contribution held for moderation (or rejected at it) is seen only by its author and the
    drafting team.
    """
    q = restrict(select(Contribution), user)
    q = q.where(Contribution.round_id.in_(rounds_query(user).with_only_columns(Round.id)))
    if r is not None:
        q = q.where(Contribution.round_id == r.id)
    if is_participant(user):
        return q.where(Contribution.author == user.username)
    team_cycles = [
        c.id for c in session.execute(cycles_query(user)).scalars() if on_team(session, user, c)
    ]
    team_rounds = select(Round.id).where(Round.cycle_id.in_(team_cycles))
    return q.where(
        or_(
            Contribution.status == "published",
            Contribution.author == user.username,
            Contribution.round_id.in_(team_rounds),
        )
    )


def get_contribution(session: Session, user: Principal, cid: int) -> Contribution:
    require(user, "drafting.read")
    c = session.execute(contributions_query(session, user).where(Contribution.id == cid)).scalar()
    if c is None:
        raise NotFound(_("contribution {n} not found").format(n=cid))
    return c


def undecided_clause() -> object:
    return (Contribution.disposition.is_(None)) & (Contribution.status != "rejected")
