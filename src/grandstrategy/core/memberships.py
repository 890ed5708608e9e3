"""Which actors a user belongs to: a ministry's staff report for the objectives it owns.

A user may belong to several actors (a liaison officer, a joint unit). The link names the
actor by its id in the strategy (``defence``, ``foreign-affairs``); core knows no strategy, so
only the id's form is checked here, and a capability that resolves actors checks the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.db import Base
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.users import find

ACTOR_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class UserActor(Base):
    """One membership: user ``user_id`` belongs to the actor ``actor``."""

    __tablename__ = "user_actors"
    __table_args__ = (UniqueConstraint("user_id", "actor", name="uq_user_actors_user_actor"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(80), nullable=False, index=True)


def check_actors(actors: Iterable[str]) -> list[str]:
    """Sorted, unique actor ids, or Invalid naming the first malformed one."""
    out = sorted({a.strip() for a in actors})
    for a in out:
        if not ACTOR_RE.match(a):
            raise Invalid(
                _("actor {actor!r}: an actor id is lower-case letters, digits and '-'").format(
                    actor=a
                )
            )
    return out


def actors_of(session: Session, user_id: int | None) -> list[str]:
    """The actors the user belongs to (none for the local operator, who has no account)."""
    if user_id is None:
        return []
    q = select(UserActor.actor).where(UserActor.user_id == user_id).order_by(UserActor.actor)
    return list(session.execute(q).scalars())


def set_actors(session: Session, user_id: int, actors: Iterable[str]) -> list[str]:
    """Replace the user's memberships; returns the new list."""
    wanted = check_actors(actors)
    session.execute(delete(UserActor).where(UserActor.user_id == user_id))
    for a in wanted:
        session.add(UserActor(user_id=user_id, actor=a))
    session.flush()
    return wanted


def members_of(session: Session, actor: str) -> list[int]:
    """The ids of the users who belong to ``actor``."""
    q = select(UserActor.user_id).where(UserActor.actor == actor).order_by(UserActor.user_id)
    return list(session.execute(q).scalars())


def set_user_actors(
    session: Session, *, actor: Principal, username: str, actors: Iterable[str]
) -> list[str]:
    """Replace a user's memberships (``users add/set --actor``); audited with before/after."""
    require(actor, "users.manage")
    u = find(session, username)
    if u is None:
        raise NotFound(_("user {name!r} not found").format(name=username))
    before = actors_of(session, u.id)
    after = set_actors(session, u.id, actors)
    audit.record(
        session,
        actor=actor,
        action="users.actors",
        object_type="user",
        object_id=username,
        before={"actors": before},
        after={"actors": after},
    )
    return after
