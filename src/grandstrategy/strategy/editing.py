"""Reading and editing a strategy's records, as the service offers it: the current strategy
for a reader, records listed and read as the reader may see them (display ids, links to
hidden records removed), and created, changed or deleted with the drafting cycle's say, a
new version, revisions and an audit event. Only ``service.py`` imports this module."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.strategy import derive as derive_mod
from grandstrategy.strategy.importer import (
    check_marking,
    find_strategy,
    unlink_hidden,
)
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.records import (
    LINKS,
    SINGULAR,
    apply_data,
    apply_meta,
    check_component,
    dump,
    link_targets,
    meta_of,
    new_row,
    row_data,
    validation_message,
)
from grandstrategy.strategy.records import (
    component_rows as _rows,
)
from grandstrategy.strategy.schemas import (
    COMPONENTS,
    StrategyMeta,
    _Record,
    component_singular,
)
from grandstrategy.strategy.scope import View, display, new_key
from grandstrategy.strategy.translations import TRANSLATABLE, settle
from grandstrategy.strategy.versions import (
    local_version,
    revise,
    touch,
)


def current(session: Session, user: Principal, key: str | None = None) -> Strategy:
    """The strategy named by key, or the newest national one the user can see that is not
    superseded (never a departmental strategy: see derive.py)."""
    if key:
        found = find_strategy(session, user, key)
        if found is None:
            raise NotFound(_("strategy {key!r} not found").format(key=key))
        return found
    q = restrict(select(Strategy), user)
    q = q.where(Strategy.status != "superseded", Strategy.kind == derive_mod.NATIONAL)
    q = q.order_by(Strategy.id.desc())
    s = session.execute(q).scalars().first()
    if s is None:
        raise NotFound(_("no strategy yet: import one with 'grandstrategy strategy import PATH'"))
    return s


def _row(session: Session, strategy: Strategy, component: str, key: str) -> Component | None:
    model = ROWS[component]
    q = select(model).where(model.strategy_id == strategy.id, model.key == key)
    return session.execute(q).scalar()


def _visible_row(session: Session, view: View, s: Strategy, component: str, rid: str) -> Component:
    key = view.resolve(component, rid)
    row = _row(session, s, component, key) if key is not None else None
    if row is None:
        what = component_singular(component)
        raise NotFound(_("{what} {rid!r} not found").format(what=what, rid=rid))
    return row


def _present(view: View, component: str, row: Component) -> _Record:
    """The record as this reader may see it: display ids, links to hidden records removed."""
    data = view.present(component, row_data(component, row), LINKS)
    return COMPONENTS[component].model_validate(data)


def get_record(
    session: Session, *, user: Principal, component: str, rid: str, key: str | None = None
) -> _Record:
    require(user, "strategy.read")
    check_component(component)
    s = current(session, user, key)
    view = View.kept(session, s, user)
    row = _visible_row(session, view, s, component, rid)
    audit.record_read(session, user, row, SINGULAR[component], rid)
    return _present(view, component, row)


def _validate(component: str, data: dict[str, Any]) -> _Record:
    try:
        return COMPONENTS[component].model_validate(data)
    except ValidationError as exc:
        raise Invalid(
            _("invalid {what}").format(what=component_singular(component)),
            details=validation_message(exc),
        ) from None


def _check_links(view: View, component: str, rec: _Record) -> None:
    """Interactive writes may only link to records that exist and that the user can see."""
    problems = []
    for fld, target, rid in link_targets(component, dump(rec)):
        if view.resolve(target, rid) is None:
            problems.append(
                _("{field}: no {what} with id {rid!r}").format(
                    field=fld, what=component_singular(target), rid=rid
                )
            )
    if problems:
        raise Invalid(
            _("{what} {rid!r} links to unknown records").format(
                what=component_singular(component), rid=rec.id
            ),
            details=problems,
        )


def _drafting_allows(session: Session, s: Strategy, user: Principal) -> None:
    """While a drafting cycle is open, only its pen-holder and team edit (drafting decides)."""
    from grandstrategy.drafting.service import check_editor

    check_editor(session, user=user, strategy_key=display(s.key))


def create_record(
    session: Session,
    *,
    user: Principal,
    component: str,
    data: dict[str, Any],
    key: str | None = None,
) -> _Record:
    """Create a record. Only records the user can see make an id "taken" (see scope.py)."""
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    _drafting_allows(session, s, user)
    rec = _validate(component, data)
    marking = check_marking(user, rec.marking)
    view = View(session, s, user)
    if view.resolve(component, rec.id) is not None:
        raise Conflict(
            _("a {what} with id {rid!r} already exists").format(
                what=component_singular(component), rid=rec.id
            )
        )
    _check_links(view, component, rec)
    stored = settle(TRANSLATABLE[component], None, view.internalise(component, dump(rec), LINKS))
    stored["id"] = new_key(view.taken(component), rec.id)
    row = new_row(component)
    row.strategy_id = s.id
    row.position = len(_rows(session, s, component, None))
    apply_data(row, component, stored)
    session.add(row)
    version = touch(session, s, user, marking)
    revise(session, s, version, component, row.key, "create", None, stored, user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.create",
        object_type=SINGULAR[component],
        object_id=rec.id,
        marking=row.marking,
        after=dump(rec),
    )
    return rec


def update_record(
    session: Session,
    *,
    user: Principal,
    component: str,
    rid: str,
    changes: dict[str, Any],
    key: str | None = None,
    base_version: int | None = None,
) -> _Record:
    """Apply field changes to one record. ``base_version`` (the user's own version number,
    as they were shown it) guards against lost updates."""
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    _drafting_allows(session, s, user)
    view = View(session, s, user)
    row = _visible_row(session, view, s, component, rid)
    now = local_version(session, s, user) if base_version is not None else None
    if base_version is not None and base_version != now:
        raise Conflict(
            _(
                "the strategy changed since you opened it (version {base}, now {now}); "
                "reload and apply your change again"
            ).format(base=base_version, now=now)
        )
    old = row_data(component, row)
    if "id" in changes and changes["id"] != rid:
        raise Invalid(_("id cannot be changed; create a new record and delete this one"))
    seen = view.present(component, old, LINKS)
    edited = _validate(component, {**seen, **changes})
    marking = check_marking(user, edited.marking)
    _check_links(view, component, edited)
    stored = view.internalise(component, dump(edited), LINKS, old=old)
    stored = settle(TRANSLATABLE[component], old, stored)
    stored["id"] = row.key
    if stored == old:
        return edited
    before_marking = row.marking
    apply_data(row, component, stored)
    version = touch(session, s, user, before_marking.join(marking))
    revise(session, s, version, component, row.key, "update", old, stored, user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.update",
        object_type=SINGULAR[component],
        object_id=rid,
        marking=before_marking.join(row.marking),
        before=view.present(component, old, LINKS),
        after=dump(edited),
    )
    return edited


def delete_record(
    session: Session, *, user: Principal, component: str, rid: str, key: str | None = None
) -> None:
    """Delete a record no record the user can see links to.

    Links from records the user cannot see are removed with it (revised and audited at
    their own marking), so hidden records stay consistent and the user learns nothing of
    them: refusing would tell them that something hidden depends on the record.
    """
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    _drafting_allows(session, s, user)
    view = View(session, s, user)
    row = _visible_row(session, view, s, component, rid)
    linkers = []
    for comp in COMPONENTS:
        for other in _rows(session, s, comp, user):
            data = row_data(comp, other)
            if any(t == component and i == row.key for _f, t, i in link_targets(comp, data)):
                linkers.append(f"{SINGULAR[comp]} {display(other.key)}")
    if linkers:
        raise Conflict(
            _("{what} {rid!r} is still linked from other records; unlink it first").format(
                what=component_singular(component), rid=rid
            ),
            details=linkers,
        )
    old = row_data(component, row)
    version = touch(session, s, user, row.marking)
    unlink_hidden(session, s, view, component, row.key, version, user)
    session.delete(row)
    revise(session, s, version, component, row.key, "delete", old, None, user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.delete",
        object_type=SINGULAR[component],
        object_id=rid,
        marking=row.marking,
        before=view.present(component, old, LINKS),
    )


def update_meta(
    session: Session, *, user: Principal, changes: dict[str, Any], key: str | None = None
) -> StrategyMeta:
    require(user, "strategy.edit")
    s = current(session, user, key)
    _drafting_allows(session, s, user)
    old = meta_of(s)
    if "id" in changes and changes["id"] != old.id:
        raise Invalid(_("the strategy's id cannot be changed"))
    if "status" in changes and changes["status"] != old.status:
        raise Invalid(_("status changes through 'strategy freeze' (approve, publish)"))
    try:
        meta = StrategyMeta.model_validate({**dump(old), **changes})
        meta = StrategyMeta.model_validate(settle(TRANSLATABLE["strategy"], dump(old), dump(meta)))
    except ValidationError as exc:
        raise Invalid(_("invalid strategy"), details=validation_message(exc)) from None
    marking = check_marking(user, meta.marking)
    if dump(meta) == dump(old):
        return old
    apply_meta(s, meta)
    version = touch(session, s, user, marking)
    revise(session, s, version, "strategy", s.key, "update", dump(old), dump(meta_of(s)), user)
    audit.record(
        session,
        actor=user,
        action="strategy.update",
        object_type="strategy",
        object_id=old.id,
        marking=s.marking,
        before=dump(old),
        after=dump(meta_of(s)),
    )
    return meta_of(s)
