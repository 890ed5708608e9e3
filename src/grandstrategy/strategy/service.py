"""The strategy service: the only entry the web and CLI adapters call.

Every function is keyword-only, takes an explicit session and the acting principal, checks
the action with :func:`require`, reads only through :func:`restrict`, and records an audit
event for every write. Every write also bumps the strategy's version and appends revisions
(see ``versions.py``), so the whole history can be replayed and diffed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import lint as lint_mod
from grandstrategy.strategy import trace as trace_mod
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.records import (
    SINGULAR,
    apply_meta,
    apply_record,
    check_component,
    dump,
    link_targets,
    meta_of,
    new_row,
    redact,
    restore_hidden,
    to_record,
    visible_keys,
)
from grandstrategy.strategy.schemas import COMPONENTS, Package, StrategyMeta, _Record
from grandstrategy.strategy.versions import bump, revise


class StrategyRead(BaseModel):
    meta: StrategyMeta
    version: int


@dataclass
class ImportReport:
    key: str
    version: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    per_component: dict[str, int] = field(default_factory=dict)


def validation_message(exc: ValidationError) -> list[str]:
    """One line per problem: the field path and what is wrong."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        out.append(f"{loc}: {err['msg']}")
    return out


def current(session: Session, user: Principal, key: str | None = None) -> Strategy:
    """The strategy named by key, or the newest one the user can see that is not superseded."""
    q = restrict(select(Strategy), user)
    if key:
        s = session.execute(q.where(Strategy.key == key)).scalar()
        if s is None:
            raise NotFound(f"strategy {key!r} not found")
        return s
    q = q.where(Strategy.status != "superseded").order_by(Strategy.id.desc())
    s = session.execute(q).scalars().first()
    if s is None:
        raise NotFound("no strategy yet: import one with 'grandstrategy strategy import PATH'")
    return s


def list_strategies(session: Session, *, user: Principal) -> list[StrategyRead]:
    require(user, "strategy.read")
    rows = session.execute(restrict(select(Strategy), user).order_by(Strategy.id)).scalars()
    return [StrategyRead(meta=meta_of(s), version=s.version) for s in rows]


def get_strategy(session: Session, *, user: Principal, key: str | None = None) -> StrategyRead:
    require(user, "strategy.read")
    s = current(session, user, key)
    audit.record_read(session, user, s, "strategy", s.key)
    return StrategyRead(meta=meta_of(s), version=s.version)


def _rows(
    session: Session, strategy: Strategy, component: str, user: Principal | None
) -> list[Component]:
    model = ROWS[component]
    q = select(model).where(model.strategy_id == strategy.id)
    if user is not None:
        q = restrict(q, user, model)
    return list(session.execute(q.order_by(model.position, model.id)).scalars())


def _row(session: Session, strategy: Strategy, component: str, rid: str) -> Component | None:
    model = ROWS[component]
    q = select(model).where(model.strategy_id == strategy.id, model.key == rid)
    return session.execute(q).scalar()


def _visible_row(
    session: Session, user: Principal, strategy: Strategy, component: str, rid: str
) -> Component:
    row = _row(session, strategy, component, rid)
    if row is None or not user.can_read(row.marking):
        raise NotFound(f"{SINGULAR[component]} {rid!r} not found")
    return row


def _present(component: str, row: Component, keep: dict[str, set[str]]) -> _Record:
    """The record as this reader may see it: links to hidden records removed."""
    data = redact(component, dump(to_record(component, row)), keep)
    return COMPONENTS[component].model_validate(data)


def list_records(
    session: Session, *, user: Principal, component: str, key: str | None = None
) -> list[_Record]:
    require(user, "strategy.read")
    check_component(component)
    s = current(session, user, key)
    keep = visible_keys(session, s, user)
    return [_present(component, r, keep) for r in _rows(session, s, component, user)]


def get_record(
    session: Session, *, user: Principal, component: str, rid: str, key: str | None = None
) -> _Record:
    require(user, "strategy.read")
    check_component(component)
    s = current(session, user, key)
    row = _visible_row(session, user, s, component, rid)
    audit.record_read(session, user, row, SINGULAR[component], rid)
    return _present(component, row, visible_keys(session, s, user))


def _validate(component: str, data: dict[str, Any]) -> _Record:
    try:
        return COMPONENTS[component].model_validate(data)
    except ValidationError as exc:
        raise Invalid(f"invalid {SINGULAR[component]}", details=validation_message(exc)) from None


def _check_links(
    session: Session, user: Principal, s: Strategy, component: str, rec: _Record
) -> None:
    """Interactive writes may only link to records that exist and that the user can see."""
    problems = []
    for fld, target, rid in link_targets(component, dump(rec)):
        row = _row(session, s, target, rid)
        if row is None or not user.can_read(row.marking):
            problems.append(f"{fld}: no {SINGULAR[target]} with id {rid!r}")
    if problems:
        raise Invalid(
            f"{SINGULAR[component]} {rec.id!r} links to unknown records", details=problems
        )


def _check_marking(user: Principal, marking: str) -> Marking:
    m = Marking.parse(marking)
    if not user.can_read(m):
        raise Invalid(f"marking {m} is above your own clearance; you could not read the record")
    return m


def _touch(session: Session, s: Strategy, user: Principal) -> int:
    """Start a change set: a new version; an edit of a frozen strategy reopens the draft."""
    version = bump(s)
    if s.status != "draft":
        before = dump(meta_of(s))
        s.status = "draft"
        revise(session, s, version, "strategy", s.key, "update", before, dump(meta_of(s)), user)
    return version


def create_record(
    session: Session,
    *,
    user: Principal,
    component: str,
    data: dict[str, Any],
    key: str | None = None,
) -> _Record:
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    rec = _validate(component, data)
    _check_marking(user, rec.marking)
    if _row(session, s, component, rec.id) is not None:
        raise Conflict(f"a {SINGULAR[component]} with id {rec.id!r} already exists")
    _check_links(session, user, s, component, rec)
    row = new_row(component)
    row.strategy_id = s.id
    row.position = len(_rows(session, s, component, None))
    apply_record(row, rec)
    session.add(row)
    version = _touch(session, s, user)
    revise(session, s, version, component, rec.id, "create", None, dump(rec), user)
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
    """Apply field changes to one record. ``base_version`` guards against lost updates."""
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    row = _visible_row(session, user, s, component, rid)
    if base_version is not None and base_version != s.version:
        raise Conflict(
            f"the strategy changed since you opened it (version {base_version}, now "
            f"{s.version}); reload and apply your change again"
        )
    old = to_record(component, row)
    if "id" in changes and changes["id"] != rid:
        raise Invalid("id cannot be changed; create a new record and delete this one")
    keep = visible_keys(session, s, user)
    seen = redact(component, dump(old), keep)
    edited = _validate(component, {**seen, **changes})
    _check_marking(user, edited.marking)
    _check_links(session, user, s, component, edited)
    rec = _validate(component, restore_hidden(component, dump(old), dump(edited), keep))
    if dump(rec) == dump(old):
        return edited
    before_marking = row.marking
    apply_record(row, rec)
    version = _touch(session, s, user)
    revise(session, s, version, component, rid, "update", dump(old), dump(rec), user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.update",
        object_type=SINGULAR[component],
        object_id=rid,
        marking=before_marking.join(row.marking),
        before=dump(old),
        after=dump(rec),
    )
    return edited


def delete_record(
    session: Session, *, user: Principal, component: str, rid: str, key: str | None = None
) -> None:
    require(user, "strategy.edit")
    check_component(component)
    s = current(session, user, key)
    row = _visible_row(session, user, s, component, rid)
    linkers = []
    for comp in COMPONENTS:
        for other in _rows(session, s, comp, user):
            rec = dump(to_record(comp, other))
            if any(t == component and i == rid for _, t, i in link_targets(comp, rec)):
                linkers.append(f"{SINGULAR[comp]} {other.key}")
    if linkers:
        raise Conflict(
            f"{SINGULAR[component]} {rid!r} is still linked from other records; unlink it first",
            details=linkers,
        )
    old = to_record(component, row)
    session.delete(row)
    version = _touch(session, s, user)
    revise(session, s, version, component, rid, "delete", dump(old), None, user)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.delete",
        object_type=SINGULAR[component],
        object_id=rid,
        marking=row.marking,
        before=dump(old),
    )


def update_meta(
    session: Session, *, user: Principal, changes: dict[str, Any], key: str | None = None
) -> StrategyMeta:
    require(user, "strategy.edit")
    s = current(session, user, key)
    old = meta_of(s)
    if "id" in changes and changes["id"] != s.key:
        raise Invalid("the strategy's id cannot be changed")
    if "status" in changes and changes["status"] != old.status.value:
        raise Invalid("status changes through 'strategy freeze' (approve, publish)")
    try:
        meta = StrategyMeta.model_validate({**dump(old), **changes})
    except ValidationError as exc:
        raise Invalid("invalid strategy", details=validation_message(exc)) from None
    _check_marking(user, meta.marking)
    if dump(meta) == dump(old):
        return old
    apply_meta(s, meta)
    version = _touch(session, s, user)
    revise(session, s, version, "strategy", s.key, "update", dump(old), dump(meta_of(s)), user)
    audit.record(
        session,
        actor=user,
        action="strategy.update",
        object_type="strategy",
        object_id=s.key,
        marking=s.marking,
        before=dump(old),
        after=dump(meta_of(s)),
    )
    return meta_of(s)


def import_package(session: Session, *, user: Principal, package: Package) -> ImportReport:
    """Create the strategy, or bring an existing one (same id) in line with the package.

    One import is one change set (one version). Records absent from the package are deleted;
    unchanged records are left alone, so re-importing the same package changes nothing.
    """
    require(user, "strategy.edit")
    _check_marking(user, package.strategy.marking)
    for _comp, rec in package.records():
        _check_marking(user, rec.marking)
    s = session.execute(select(Strategy).where(Strategy.key == package.strategy.id)).scalar()
    if s is not None and not user.can_read(s.marking):
        raise Conflict(f"strategy id {package.strategy.id!r} is taken")
    report = ImportReport(key=package.strategy.id, version=0)
    created_strategy = s is None
    if s is None:
        s = Strategy(version=0)
        apply_meta(s, package.strategy)
        session.add(s)
        session.flush()
    version = s.version + 1
    changed = created_strategy
    if created_strategy:
        revise(session, s, version, "strategy", s.key, "create", None, dump(package.strategy), user)
    elif dump(meta_of(s)) != dump(package.strategy):
        before = dump(meta_of(s))
        apply_meta(s, package.strategy)
        revise(
            session, s, version, "strategy", s.key, "update", before, dump(package.strategy), user
        )
        changed = True
    for comp in COMPONENTS:
        incoming: list[_Record] = getattr(package, comp)
        seen = set()
        existing = {r.key: r for r in _rows(session, s, comp, None)}
        report.per_component[comp] = len(incoming)
        for pos, rec in enumerate(incoming):
            if rec.id in seen:
                raise Invalid(f"{comp}: id {rec.id!r} appears twice; ids must be unique")
            seen.add(rec.id)
            row = existing.get(rec.id)
            if row is None:
                row = new_row(comp)
                row.strategy_id = s.id
                row.position = pos
                apply_record(row, rec)
                session.add(row)
                revise(session, s, version, comp, rec.id, "create", None, dump(rec), user)
                report.created += 1
                changed = True
                continue
            old = to_record(comp, row)
            if dump(old) == dump(rec) and row.position == pos:
                report.unchanged += 1
                continue
            row.position = pos
            apply_record(row, rec)
            if dump(old) != dump(rec):
                revise(session, s, version, comp, rec.id, "update", dump(old), dump(rec), user)
                report.updated += 1
                changed = True
            else:
                report.unchanged += 1
        for rid, row in existing.items():
            if rid not in seen:
                revise(
                    session, s, version, comp, rid, "delete", dump(to_record(comp, row)), None, user
                )
                session.delete(row)
                report.deleted += 1
                changed = True
    if changed:
        s.version = version
    report.version = s.version
    session.flush()
    audit.record(
        session,
        actor=user,
        action="strategy.import",
        object_type="strategy",
        object_id=s.key,
        marking=package.highest_marking(),
        after={k: v for k, v in report.__dict__.items() if k != "per_component"},
    )
    return report


def load_package(
    session: Session,
    *,
    user: Principal,
    key: str | None = None,
    max_marking: str | None = None,
) -> Package:
    """The whole strategy as the user may see it, optionally capped at a marking.

    ``withheld`` counts the records the user could see but that are above the cap; records the
    user cannot see at all are neither shown nor counted.
    """
    require(user, "strategy.read")
    s = current(session, user, key)
    cap = Marking.parse(max_marking) if max_marking else None
    if cap is not None and not (s.marking <= cap):
        raise Invalid(f"the strategy itself is marked {s.marking}, above {cap}")
    data: dict[str, Any] = {"strategy": meta_of(s)}
    withheld = 0
    included: dict[str, list[Component]] = {}
    for comp in COMPONENTS:
        included[comp] = []
        for row in _rows(session, s, comp, user):
            if cap is not None and not (row.marking <= cap):
                withheld += 1
                continue
            included[comp].append(row)
    keep = {c: {r.key for r in rows} for c, rows in included.items()}
    for comp, rows in included.items():
        data[comp] = [redact(comp, dump(to_record(comp, r)), keep) for r in rows]
    pkg = Package.model_validate(data)
    pkg.withheld = withheld
    pkg.max_marking = str(cap) if cap is not None else None
    return pkg


def full_package(session: Session, s: Strategy) -> Package:
    """Everything, unfiltered: for lint and for frozen editions (never shown as such)."""
    data: dict[str, Any] = {"strategy": meta_of(s)}
    for comp in COMPONENTS:
        data[comp] = [to_record(comp, r) for r in _rows(session, s, comp, None)]
    return Package.model_validate(data)


def lint_strategy(
    session: Session, *, user: Principal, key: str | None = None
) -> list[lint_mod.Finding]:
    """Lint the whole strategy, but report only findings on records the user can see."""
    require(user, "strategy.read")
    s = current(session, user, key)
    pkg = full_package(session, s)
    visible = {(c, r.id) for c, r in pkg.records() if user.can_read(Marking.parse(r.marking))}
    return [
        f
        for f in lint_mod.lint(pkg)
        if f.component == "strategy" or (f.component, f.record_id) in visible
    ]


def trace_strategy(
    session: Session, *, user: Principal, key: str | None = None
) -> trace_mod.TraceReport:
    """The traceability chain built from what the user may see."""
    return trace_mod.build(load_package(session, user=user, key=key))
