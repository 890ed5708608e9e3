"""Departmental strategies and annual statements, derived from the national strategy.

A derived strategy is a strategy of its own (a row in ``strategies``) with ``kind``
``departmental`` or ``annual-statement``; it names the national strategy it derives from and
the actor it is for (``defence``). It starts with a copy of that actor, which owns its
objectives, and each of its objectives *serves* one objective of the national strategy: the
cascade from what the nation wants to what each department does about it.

Who writes a derived strategy: the members of its actor (with a role that may report or edit),
the pen-holder (``strategy.publish``) and the secretariat (``delivery.manage``). Everything
else follows the strategy's rules: markings on every record, each write revised and audited,
reads restricted to what the reader may see. The national strategy stays the current one
(``service.current`` never picks a derived strategy).

``serves`` holds the internal key of the national objective (see ``scope.py``) and is shown
to a reader only when they may see that objective. It is kept out of the revisions (their
marking is the departmental objective's, not the national one's); each change of it is
audited, at the higher of the two objectives' markings. Lint and trace of the cascade are in
``cascade.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import actors_of
from grandstrategy.strategy.importer import check_marking, find_strategy
from grandstrategy.strategy.models import Component, ObjectiveRow, Strategy
from grandstrategy.strategy.records import (
    LINKS,
    apply_data,
    apply_meta,
    component_rows,
    dump,
    link_targets,
    meta_of,
    new_row,
    row_data,
    validation_message,
)
from grandstrategy.strategy.schemas import Objective, Period, Slug, StrategyMeta
from grandstrategy.strategy.scope import View, display, new_key, strategy_keys
from grandstrategy.strategy.translations import TRANSLATABLE, settle
from grandstrategy.strategy.versions import bump, local_version, revise, touch

NATIONAL = "national"
KINDS = ("departmental", "annual-statement")
# Strategy-level lint rules about threats: a derived strategy has no threats of its own.
NATIONAL_ONLY_RULES = frozenset({"no-long-horizon", "no-black-swan"})


class DerivedRead(BaseModel):
    """A derived strategy as a reader sees it."""

    id: str
    title: str
    kind: str
    actor: str
    national: str
    status: str
    marking: str
    period: Period
    version: int
    objectives: int  # the objectives the reader may see


class DepartmentalObjective(Objective):
    """An objective of a derived strategy: an objective, plus the national one it serves."""

    serves: Slug | None = Field(
        default=None, description="id of the national objective this objective serves"
    )


@dataclass(frozen=True)
class _Derived:
    strategy: Strategy
    national: Strategy | None  # None when the reader may not see it (or it is gone)


# --- finding strategies ---------------------------------------------------------------------


def national_strategy(session: Session, user: Principal, key: str | None = None) -> Strategy:
    """The national strategy named by ``key``, or the newest the user may see (not superseded)."""
    if key:
        found = find_strategy(session, user, key)
        if found is None or found.kind != NATIONAL:
            raise NotFound(_("national strategy {key!r} not found").format(key=key))
        return found
    q = restrict(select(Strategy), user).where(
        Strategy.kind == NATIONAL, Strategy.status != "superseded"
    )
    s = session.execute(q.order_by(Strategy.id.desc())).scalars().first()
    if s is None:
        raise NotFound(_("no strategy yet: import one with 'grandstrategy strategy import PATH'"))
    return s


def _derived(session: Session, user: Principal, key: str) -> _Derived:
    s = find_strategy(session, user, key)
    if s is None or s.kind not in KINDS:
        raise NotFound(_("departmental strategy {key!r} not found").format(key=key))
    nat = session.get(Strategy, s.derives_from) if s.derives_from is not None else None
    if nat is not None and not user.can_read(nat.marking):
        nat = None
    return _Derived(s, nat)


def visible_derived(session: Session, user: Principal | None, nat: Strategy) -> list[Strategy]:
    q = select(Strategy).where(Strategy.derives_from == nat.id, Strategy.kind.in_(KINDS))
    if user is not None:
        q = restrict(q, user)
    return list(session.execute(q.order_by(Strategy.id)).scalars())


# --- who may write --------------------------------------------------------------------------


def _is_operator(user: Principal) -> bool:
    return user.user_id is None and "*" in user.compartments


def may_write(session: Session, user: Principal, actor: str | None) -> bool:
    """Members of the actor (who may report or edit), the pen-holder, the secretariat."""
    if not user.active:
        return False
    if _is_operator(user):
        return True
    acts = user.actions
    if "strategy.publish" in acts or "delivery.manage" in acts:
        return True
    if actor is None or not acts & {"strategy.edit", "delivery.report"}:
        return False
    return actor in actors_of(session, user.user_id)


def _require_writer(session: Session, user: Principal, actor: str | None) -> None:
    require(user, "strategy.read")
    if not may_write(session, user, actor):
        raise Forbidden(
            _(
                "only members of {actor}, the pen-holder and the secretariat may write "
                "its departmental strategy"
            ).format(actor=actor or "—")
        )


# --- reading --------------------------------------------------------------------------------


def _read(session: Session, user: Principal, s: Strategy, national: str) -> DerivedRead:
    meta = meta_of(s)
    return DerivedRead(
        id=meta.id,
        title=meta.title,
        kind=s.kind,
        actor=s.actor or "",
        national=national,
        status=meta.status,
        marking=meta.marking,
        period=meta.period,
        version=local_version(session, s, user),
        objectives=len(component_rows(session, s, "objectives", user)),
    )


def derived_strategies(
    session: Session, *, user: Principal, national: str | None = None
) -> list[DerivedRead]:
    """The strategies derived from the national one that the user may see, oldest first."""
    require(user, "strategy.read")
    nat = national_strategy(session, user, national)
    return [_read(session, user, s, display(nat.key)) for s in visible_derived(session, user, nat)]


def _serves_shown(d: _Derived, user: Principal, session: Session, row: ObjectiveRow) -> str | None:
    """The national objective a row serves, as the reader sees it (None when hidden)."""
    if row.serves is None:
        return None
    if d.national is None:
        return None
    hit = session.execute(
        select(ObjectiveRow).where(
            ObjectiveRow.strategy_id == d.national.id, ObjectiveRow.key == row.serves
        )
    ).scalar()
    if hit is not None and not user.can_read(hit.marking):
        return None
    return display(row.serves)


def _present(
    session: Session, user: Principal, d: _Derived, view: View, row: Component
) -> DepartmentalObjective:
    assert isinstance(row, ObjectiveRow)
    data = view.present("objectives", row_data("objectives", row), LINKS)
    data["serves"] = _serves_shown(d, user, session, row)
    return DepartmentalObjective.model_validate(data)


def departmental_objectives(
    session: Session, *, user: Principal, key: str
) -> tuple[DerivedRead, list[DepartmentalObjective]]:
    """A derived strategy and its objectives, as the user may see them."""
    require(user, "strategy.read")
    d = _derived(session, user, key)
    audit.record_read(session, user, d.strategy, "strategy", display(d.strategy.key))
    view = View(session, d.strategy, user)
    rows = component_rows(session, d.strategy, "objectives", user)
    national = display(d.national.key) if d.national is not None else ""
    return (
        _read(session, user, d.strategy, national),
        [_present(session, user, d, view, r) for r in rows],
    )


# --- writing --------------------------------------------------------------------------------


def _default_id(national: str, actor: str, kind: str, year: int) -> str:
    base = f"{actor}-{national}" if kind == "departmental" else f"{actor}-statement-{year}"
    return base[:80].rstrip("-")


def _shared_translations(nat: Strategy, kind: str) -> dict[str, Any]:
    """The national strategy's translations of the texts a derived one copies (country, and
    the edition of a departmental strategy): their source texts are the same."""
    copied = ("country", "edition") if kind == "departmental" else ("country",)
    out: dict[str, Any] = {}
    for lang, per in (nat.translations or {}).items():
        if isinstance(per, dict):
            kept = {f: t for f, t in per.items() if f in copied}
            if kept:
                out[lang] = kept
    return out


def derive(
    session: Session,
    *,
    user: Principal,
    actor: str,
    kind: str = "departmental",
    title: str | None = None,
    rid: str | None = None,
    marking: str | None = None,
    year: int | None = None,
    national: str | None = None,
) -> DerivedRead:
    """Start a departmental strategy (or an annual statement) of ``actor`` from the national one.

    A departmental strategy covers the national period; an annual statement covers one
    calendar year (default: this year) within it. An actor has one departmental strategy per
    national strategy, and one annual statement a year, among those the user may see. The
    derived strategy is marked at least as high as the national one.
    """
    if kind not in KINDS:
        raise Invalid(
            _("kind {kind!r}: choose one of {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
    _require_writer(session, user, actor)
    nat = national_strategy(session, user, national)
    nview = View(session, nat, user)
    akey = nview.resolve("actors", actor)
    if akey is None:
        raise NotFound(_("actor {actor!r} not found in the national strategy").format(actor=actor))
    actor_row = next(r for r in component_rows(session, nat, "actors", user) if r.key == akey)
    start, end = nat.period_start, nat.period_end
    year = year if year is not None else dt.date.today().year
    if kind == "annual-statement":
        if not (start.year <= year <= end.year):
            raise Invalid(
                _("year {year} is outside the national strategy's period {start}–{end}").format(
                    year=year, start=start.year, end=end.year
                )
            )
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for other in visible_derived(session, user, nat):
        same_year = kind == "departmental" or other.period_start.year == year
        if other.actor == actor and other.kind == kind and same_year:
            raise Conflict(
                _("{actor} already has one: {rid}").format(actor=actor, rid=display(other.key))
            )
    name = str(getattr(actor_row, "name", actor))
    if title is None:
        title = (
            _("{actor}: departmental strategy").format(actor=name)
            if kind == "departmental"
            else _("{actor}: annual statement {year}").format(actor=name, year=year)
        )
    sid = rid or _default_id(display(nat.key), actor, kind, year)
    if find_strategy(session, user, sid) is not None:
        raise Conflict(_("a strategy with id {rid!r} already exists").format(rid=sid))
    wanted = Marking.parse(marking) if marking else nat.marking
    mark = check_marking(user, str(wanted.join(nat.marking)))
    try:
        meta = StrategyMeta(
            id=sid,
            title=title,
            country=nat.country,
            edition=str(year) if kind == "annual-statement" else nat.edition,
            period=Period(start=start, end=end),
            marking=str(mark),
            max_priorities=nat.max_priorities,
            translations=_shared_translations(nat, kind),
        )
    except ValidationError as exc:
        raise Invalid(_("invalid strategy"), details=validation_message(exc)) from None
    s = Strategy(version=0, kind=kind, derives_from=nat.id, actor=actor)
    apply_meta(s, meta)
    s.key = new_key(strategy_keys(session), sid)
    session.add(s)
    session.flush()
    version = bump(s)
    revise(session, s, version, "strategy", s.key, "create", None, dump(meta), user)
    # The actor, copied: it owns the derived strategy's objectives.
    copied = {
        **row_data("actors", actor_row),
        "id": actor,
        "parent": None,
        "members": [],
        "marking": str(actor_row.marking.join(mark)),
    }
    arow = new_row("actors")
    arow.strategy_id = s.id
    arow.position = 0
    apply_data(arow, "actors", copied)
    session.add(arow)
    revise(session, s, version, "actors", arow.key, "create", None, copied, user)
    session.flush()
    after = {**dump(meta), "kind": kind, "actor": actor, "national": display(nat.key)}
    audit.record(
        session,
        actor=user,
        action="strategy.derive",
        object_type="strategy",
        object_id=sid,
        marking=s.marking,
        after=after,
    )
    return _read(session, user, s, display(nat.key))


def _validate(data: dict[str, Any]) -> DepartmentalObjective:
    try:
        return DepartmentalObjective.model_validate(data)
    except ValidationError as exc:
        raise Invalid(_("invalid objective"), details=validation_message(exc)) from None


def _served(session: Session, user: Principal, d: _Derived, serves: str | None) -> Component:
    """The national objective ``serves`` names for this user, or Invalid naming the field."""
    if not serves:
        raise Invalid(_("serves: name the national objective this objective serves"))
    if d.national is not None:
        key = View(session, d.national, user).resolve("objectives", serves)
        if key is not None:
            q = select(ObjectiveRow).where(
                ObjectiveRow.strategy_id == d.national.id, ObjectiveRow.key == key
            )
            row = session.execute(q).scalar()
            if row is not None:
                return row
    raise Invalid(_("serves: no national objective with id {rid!r}").format(rid=serves))


def _check_links(view: View, rec: DepartmentalObjective) -> None:
    """Links of a departmental objective name records of its own strategy."""
    data = rec.model_dump(mode="json", exclude={"serves"})
    problems = [
        _("{field}: no {what} with id {rid!r} in this strategy").format(
            field=fld, what=target, rid=rid
        )
        for fld, target, rid in link_targets("objectives", data)
        if view.resolve(target, rid) is None
    ]
    if problems:
        raise Invalid(
            _("objective {rid!r} links to unknown records").format(rid=rec.id), details=problems
        )


def _objective_row(session: Session, s: Strategy, key: str) -> ObjectiveRow | None:
    q = select(ObjectiveRow).where(ObjectiveRow.strategy_id == s.id, ObjectiveRow.key == key)
    return session.execute(q).scalar()


def add_objective(
    session: Session, *, user: Principal, key: str, data: dict[str, Any]
) -> DepartmentalObjective:
    """Add an objective to a derived strategy; ``serves`` names the national objective.

    The owner defaults to the strategy's actor."""
    d = _derived(session, user, key)
    s = d.strategy
    _require_writer(session, user, s.actor)
    rec = _validate({"owner": s.actor, **data})
    served = _served(session, user, d, rec.serves)
    mark = check_marking(user, rec.marking)
    view = View(session, s, user)
    if view.resolve("objectives", rec.id) is not None:
        raise Conflict(_("an objective with id {rid!r} already exists").format(rid=rec.id))
    _check_links(view, rec)
    plain = rec.model_dump(mode="json", exclude={"serves"})
    stored = settle(TRANSLATABLE["objectives"], None, view.internalise("objectives", plain, LINKS))
    stored["id"] = new_key(view.taken("objectives"), rec.id)
    row = ObjectiveRow()
    row.strategy_id = s.id
    row.position = len(component_rows(session, s, "objectives", None))
    apply_data(row, "objectives", stored)
    row.serves = served.key
    session.add(row)
    version = touch(session, s, user, mark)
    revise(session, s, version, "objectives", row.key, "create", None, stored, user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.create",
        object_type="objective",
        object_id=rec.id,
        marking=row.marking.join(served.marking),
        after={**rec.model_dump(mode="json"), "strategy": display(s.key)},
    )
    return _present(session, user, d, view, row)


def update_objective(
    session: Session, *, user: Principal, key: str, rid: str, changes: dict[str, Any]
) -> DepartmentalObjective:
    """Change fields of a departmental objective, ``serves`` included."""
    d = _derived(session, user, key)
    s = d.strategy
    _require_writer(session, user, s.actor)
    view = View(session, s, user)
    okey = view.resolve("objectives", rid)
    row = _objective_row(session, s, okey) if okey is not None else None
    if row is None:
        raise NotFound(_("objective {rid!r} not found").format(rid=rid))
    if "id" in changes and changes["id"] != rid:
        raise Invalid(_("id cannot be changed; create a new record and delete this one"))
    seen = _present(session, user, d, view, row)
    edited = _validate({**seen.model_dump(mode="json"), **changes})
    mark = check_marking(user, edited.marking)
    if "serves" in changes or row.serves is None or seen.serves is not None:
        served = _served(session, user, d, edited.serves)
        new_serves = served.key
    else:  # the row serves an objective the user may not see, and they leave it alone
        new_serves = row.serves
    _check_links(view, edited)
    old = row_data("objectives", row)
    plain = edited.model_dump(mode="json", exclude={"serves"})
    stored = view.internalise("objectives", plain, LINKS, old=old)
    stored = settle(TRANSLATABLE["objectives"], old, stored)
    stored["id"] = row.key
    if stored == old and new_serves == row.serves:
        return seen
    before_marking, before_serves = row.marking, row.serves
    if stored != old:
        apply_data(row, "objectives", stored)
        version = touch(session, s, user, before_marking.join(mark))
        revise(session, s, version, "objectives", row.key, "update", old, stored, user)
    row.serves = new_serves
    session.flush()
    served_marking = _national_marking(session, d, {before_serves, new_serves})
    audit.record(
        session,
        actor=user,
        action="strategy.update",
        object_type="objective",
        object_id=rid,
        marking=before_marking.join(row.marking).join(served_marking),
        before=seen.model_dump(mode="json"),
        after={**edited.model_dump(mode="json"), "strategy": display(s.key)},
    )
    return _present(session, user, d, view, row)


def _national_marking(session: Session, d: _Derived, keys: set[str | None]) -> Marking:
    m = d.strategy.marking
    if d.national is None:
        return m
    for k in keys - {None}:
        hit = _objective_row(session, d.national, str(k))
        if hit is not None:
            m = m.join(hit.marking)
    return m
