"""How every resilience record is written: the visible namesake found (and replaced only when
asked), the marked row stored, and the write audited with before and after.

Names of matrices and scenarios are unique per marking (polyinstantiation, docs/security.md):
only records the user may see are looked at, so neither the answer nor the rows touched depend
on a hidden record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, most_specific_first, restrict
from grandstrategy.core.errors import Conflict
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.models import Marked

R = TypeVar("R", bound=Marked)
Out = TypeVar("Out", bound=BaseModel)


def visible_namesakes(session: Session, user: Principal, model: type[R], name: str) -> list[R]:
    """The records named ``name`` that the user may see, the most highly marked first."""
    q = restrict(select(model), user).where(model.name == name)  # type: ignore[attr-defined]
    return list(session.execute(most_specific_first(q, model)).scalars())


def replaced(visible: list[Any], marking: Marking, what: str, name: str) -> Any | None:
    """Which visible record a save under ``name`` at ``marking`` replaces (None: a new one).

    The one at the same marking; else the only one the user sees (it is re-marked). Records
    the user cannot see never count: at a marking the user may read every record is visible,
    so a save never collides with a hidden one.
    """
    same = [r for r in visible if r.marking == marking]
    if same:
        return same[0]
    if len(visible) == 1:
        return visible[0]
    if visible:
        markings = ", ".join(str(r.marking) for r in visible)
        raise Conflict(
            _(
                "you see several {what} named {name!r} ({markings}); save with one of those "
                "markings to replace that one"
            ).format(what=what, name=name, markings=markings)
        )
    return None


def namesake(
    session: Session,
    user: Principal,
    model: type[R],
    *,
    name: str,
    marking: Marking,
    what: str,
    one: str,
    replace: bool,
) -> R | None:
    """The visible record a save replaces, None for a new one; :class:`Conflict` naming the
    ``replace`` field when there is one and the caller did not ask to replace it.

    ``what`` is the plural ("matrices"), ``one`` the singular ("a matrix"), translated."""
    row = replaced(visible_namesakes(session, user, model, name), marking, what, name)
    if row is not None and not replace:
        raise Conflict(
            _(
                "name: {one} named {name!r} exists ({marking}); replace it (replace) or "
                "choose another name"
            ).format(one=one, name=name, marking=row.marking)
        )
    return row


def snapshot(out: BaseModel) -> dict[str, Any]:
    """What the audit log keeps of a record (its time of change is the event's own)."""
    return out.model_dump(mode="json", exclude={"updated_at"})


def write(
    session: Session,
    *,
    user: Principal,
    row: R,
    marking: Marking,
    read: Callable[[R], Out],
    action: str,
    object_type: str,
    object_id: Any,
    before: dict[str, Any] | None = None,
    after_flush: Callable[[R], None] | None = None,
) -> Out:
    """Store ``row`` at ``marking`` and audit the write in the caller's transaction.

    ``after_flush`` runs once the row has its id (e.g. to switch off other active rows)."""
    row.marking = marking
    session.add(row)
    session.flush()
    if after_flush is not None:
        after_flush(row)
        session.flush()
    out = read(row)
    audit.record(
        session,
        actor=user,
        action=action,
        object_type=object_type,
        object_id=row.id if object_id is None else object_id,  # type: ignore[attr-defined]
        marking=marking,
        before=before,
        after=snapshot(out),
    )
    return out
