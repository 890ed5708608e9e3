"""Import of a strategy package, and keeping hidden links consistent when records go.

An import touches only what the importer may see. Each record of the package is matched to
the record the importer sees under that id; an id they do not see makes a new record (under
a scoped internal key if a hidden record holds the id, see ``scope.py``); records they see
that the package leaves out are deleted. Records they cannot see are never matched, changed,
deleted or counted, and their markings are never touched. The report counts visible records
only, and the version it gives is the importer's own (``versions.local_version``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.records import (
    LINKS,
    SINGULAR,
    apply_data,
    apply_meta,
    dump,
    link_targets,
    meta_of,
    new_row,
    row_data,
)
from grandstrategy.strategy.schemas import (
    COMPONENTS,
    Package,
    StrategyMeta,
    _Record,
    component_singular,
)
from grandstrategy.strategy.scope import SEP, View, display, new_key, strategy_keys
from grandstrategy.strategy.translations import TRANSLATABLE, settle
from grandstrategy.strategy.versions import local_version, revise


@dataclass
class ImportReport:
    key: str
    version: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    per_component: dict[str, int] = field(default_factory=dict)


def check_marking(user: Principal, marking: str) -> Marking:
    m = Marking.parse(marking)
    if not user.can_read(m):
        raise Invalid(
            _("marking {m} is above your own clearance; you could not read the record").format(m=m)
        )
    return m


def find_strategy(session: Session, user: Principal, key: str) -> Strategy | None:
    """The visible strategy with display id ``key``: the original holder first, else the oldest."""
    q = restrict(select(Strategy), user).where(
        or_(Strategy.key == key, Strategy.key.startswith(key + SEP, autoescape=True))
    )
    found = sorted(session.execute(q).scalars(), key=lambda s: (s.key != key, s.id))
    return found[0] if found else None


def package_problems(package: Package) -> list[str]:
    """Ids used twice, and links naming no record of the package.

    A package is the whole strategy as its importer sees it, so every link names a record in
    it; a link to anything else would be a link to nothing, or to something hidden.
    """
    problems = []
    ids = {c: [r.id for r in getattr(package, c)] for c in COMPONENTS}
    for comp, rids in ids.items():
        for rid in sorted({r for r in rids if rids.count(r) > 1}):
            problems.append(
                _("{comp}: id {rid!r} appears twice; ids must be unique").format(comp=comp, rid=rid)
            )
    for comp, rec in package.records():
        for fld, target, rid in link_targets(comp, dump(rec)):
            if rid not in ids[target]:
                msg = _("{comp} {rec}: {field} names {rid!r}, which is no {what} of the package")
                problems.append(
                    msg.format(
                        comp=comp, rec=rec.id, field=fld, rid=rid, what=component_singular(target)
                    )
                )
    return problems


def unlink_hidden(
    session: Session,
    s: Strategy,
    view: View,
    component: str,
    key: str,
    version: int,
    user: Principal,
) -> None:
    """Remove links to a record being deleted from the records the deleting user cannot see.

    Each change is revised and audited at the hidden record's own marking: readers cleared
    for it see who removed the link and why; the deleting user sees nothing of it.
    """
    for comp, model in ROWS.items():
        rows = session.execute(select(model).where(model.strategy_id == s.id)).scalars()
        for row in rows:
            if not view.hidden(comp, row.key):
                continue
            old = row_data(comp, row)
            if not any(t == component and i == key for _f, t, i in link_targets(comp, old)):
                continue
            new = _without(comp, old, component, key)
            apply_data(row, comp, new)
            revise(session, s, version, comp, row.key, "update", old, new, user)
            audit.record(
                session,
                actor=user,
                action="strategy.update",
                object_type=SINGULAR[comp],
                object_id=display(row.key),
                marking=row.marking,
                before=old,
                after={**new, "note": "link removed: the linked record was deleted"},
            )


def _without(comp: str, data: dict[str, Any], component: str, key: str) -> dict[str, Any]:
    out = dict(data)
    for fld, target in LINKS[comp].items():
        value = out.get(fld)
        if target != component or value is None:
            continue
        if fld == "members":
            out[fld] = [m for m in value if m["actor"] != key]
        elif isinstance(value, list):
            out[fld] = [v for v in value if v != key]
        elif value == key:
            out[fld] = None
    return out


def import_package(session: Session, *, user: Principal, package: Package) -> ImportReport:
    """Create the strategy, or bring the one the importer sees (same id) in line with the package.

    One import is one change set (one version). Visible records absent from the package are
    deleted; unchanged records are left alone, so re-importing the same package changes
    nothing.
    """
    require(user, "strategy.edit")
    check_marking(user, package.strategy.marking)
    for _comp, rec in package.records():
        check_marking(user, rec.marking)
    problems = package_problems(package)
    if problems:
        raise Invalid(_("the package has {n} problem(s)").format(n=len(problems)), details=problems)
    s = find_strategy(session, user, package.strategy.id)
    created_strategy = s is None
    old_meta = dump(meta_of(s)) if s is not None else None
    meta = StrategyMeta.model_validate(
        settle(TRANSLATABLE["strategy"], old_meta, dump(package.strategy))
    )
    if s is None:
        s = Strategy(version=0)
        apply_meta(s, meta)
        s.key = new_key(strategy_keys(session), package.strategy.id)
        session.add(s)
        session.flush()
    version = s.version + 1
    changed = created_strategy
    if created_strategy:
        revise(session, s, version, "strategy", s.key, "create", None, dump(meta), user)
    elif dump(meta_of(s)) != dump(meta):
        before = dump(meta_of(s))
        apply_meta(s, meta)
        revise(session, s, version, "strategy", s.key, "update", before, dump(meta_of(s)), user)
        changed = True
    view = View(session, s, user)
    report = ImportReport(key=package.strategy.id, version=0)
    names: dict[str, dict[str, str]] = {}
    for comp in COMPONENTS:
        names[comp] = {}
        for rec in getattr(package, comp):
            key = view.resolve(comp, rec.id)
            if key is None:
                key = new_key(view.taken(comp), rec.id)
                view.add(comp, key)
            names[comp][rec.id] = key
    for comp in COMPONENTS:
        incoming: list[_Record] = getattr(package, comp)
        report.per_component[comp] = len(incoming)
        model = ROWS[comp]
        q = restrict(select(model).where(model.strategy_id == s.id), user, model)
        mine: dict[str, Component] = {r.key: r for r in session.execute(q).scalars()}
        keep = set(names[comp].values())
        for pos, rec in enumerate(incoming):
            row = mine.get(names[comp][rec.id])
            old = row_data(comp, row) if row is not None else None
            data = view.internalise(comp, dump(rec), LINKS, old=old, names=names)
            data = settle(TRANSLATABLE[comp], old, data)
            data["id"] = names[comp][rec.id]
            if row is None:
                row = new_row(comp)
                row.strategy_id = s.id
                row.position = pos
                apply_data(row, comp, data)
                session.add(row)
                revise(session, s, version, comp, row.key, "create", None, data, user)
                report.created += 1
                changed = True
                continue
            if old == data and row.position == pos:
                report.unchanged += 1
                continue
            row.position = pos
            if old != data:
                apply_data(row, comp, data)
                revise(session, s, version, comp, row.key, "update", old, data, user)
                report.updated += 1
                changed = True
            else:
                report.unchanged += 1
        for key, row in mine.items():
            if key in keep:
                continue
            unlink_hidden(session, s, view, comp, key, version, user)
            revise(session, s, version, comp, key, "delete", row_data(comp, row), None, user)
            session.delete(row)
            view.remove(comp, key)
            report.deleted += 1
            changed = True
    if changed:
        s.version = version
    session.flush()
    report.version = local_version(session, s, user)
    audit.record(
        session,
        actor=user,
        action="strategy.import",
        object_type="strategy",
        object_id=package.strategy.id,
        marking=package.highest_marking(),
        after={k: v for k, v in report.__dict__.items() if k != "per_component"},
    )
    return report
