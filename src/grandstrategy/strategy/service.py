"""The strategy service: the only entry the web and CLI adapters call.

Every function is keyword-only, takes an explicit session and the acting principal, checks
the action with :func:`require`, reads only through :func:`restrict`, and records an audit
event for every write. Every write also bumps the strategy's version and appends revisions
(see ``versions.py``), so the whole history can be replayed and diffed.

Records are addressed by display id and stored under internal keys (``scope.py``): a user
never collides with, links to, or learns of a record they may not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Conflict, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import cascade as cascade_mod
from grandstrategy.strategy import derive as derive_mod
from grandstrategy.strategy import lint as lint_mod
from grandstrategy.strategy import publish
from grandstrategy.strategy import trace as trace_mod
from grandstrategy.strategy.cascade import cascade
from grandstrategy.strategy.charts import risk_matrix_svg
from grandstrategy.strategy.derive import KINDS as DERIVED_KINDS
from grandstrategy.strategy.derive import (
    DepartmentalObjective,
    DerivedRead,
    add_objective,
    departmental_objectives,
    derive,
    derived_strategies,
    update_objective,
)
from grandstrategy.strategy.importer import (
    ImportReport,
    check_marking,
    find_strategy,
    import_package,
    unlink_hidden,
)
from grandstrategy.strategy.lint import RULES as LINT_RULES
from grandstrategy.strategy.lint import summary as lint_summary
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.package import json_schemas, read_package, read_package_zip
from grandstrategy.strategy.publish import FORMATS, Export
from grandstrategy.strategy.records import (
    LINKS,
    SINGULAR,
    apply_data,
    apply_meta,
    check_component,
    dump,
    full_package,
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
    Package,
    StrategyMeta,
    _Record,
    component_singular,
)
from grandstrategy.strategy.scope import View, display, new_key
from grandstrategy.strategy.trace import build as build_trace
from grandstrategy.strategy.trace import to_csv as trace_csv
from grandstrategy.strategy.trace import to_json as trace_json
from grandstrategy.strategy.translations import TRANSLATABLE, settle
from grandstrategy.strategy.versions import (
    EditionRead,
    RecordDiff,
    RevisionRead,
    bump,
    diff,
    editions,
    freeze,
    history,
    local_version,
    revise,
    visible_versions,
)

# Besides its own functions, the service names what the adapters (CLI, API, pages) and other
# capabilities need from the pure modules behind it, so that they import this module only
# (checked by lint-imports, see pyproject.toml).
__all__ = [
    "DERIVED_KINDS",
    "FORMATS",
    "LINKS",
    "LINT_RULES",
    "SINGULAR",
    "DepartmentalObjective",
    "DerivedRead",
    "EditionRead",
    "Export",
    "ImportReport",
    "RecordDiff",
    "RevisionRead",
    "add_objective",
    "build_trace",
    "cascade",
    "check_component",
    "departmental_objectives",
    "derive",
    "derived_strategies",
    "diff",
    "editions",
    "find_strategy",
    "freeze",
    "history",
    "import_package",
    "json_schemas",
    "link_targets",
    "lint_summary",
    "read_package",
    "read_package_zip",
    "risk_matrix_svg",
    "trace_csv",
    "trace_json",
    "update_objective",
    "validation_message",
    "visible_versions",
]


class StrategyRead(BaseModel):
    meta: StrategyMeta
    version: int


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


def version_of(session: Session, *, user: Principal, strategy: Strategy) -> int:
    """The strategy's version as this user counts it: only change sets they may see."""
    return local_version(session, strategy, user)


def list_strategies(session: Session, *, user: Principal) -> list[StrategyRead]:
    require(user, "strategy.read")
    rows = session.execute(restrict(select(Strategy), user).order_by(Strategy.id)).scalars()
    return [StrategyRead(meta=meta_of(s), version=local_version(session, s, user)) for s in rows]


def get_strategy(session: Session, *, user: Principal, key: str | None = None) -> StrategyRead:
    require(user, "strategy.read")
    s = current(session, user, key)
    audit.record_read(session, user, s, "strategy", display(s.key))
    return StrategyRead(meta=meta_of(s), version=local_version(session, s, user))


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


def list_records(
    session: Session, *, user: Principal, component: str, key: str | None = None
) -> list[_Record]:
    require(user, "strategy.read")
    check_component(component)
    s = current(session, user, key)
    view = View(session, s, user)
    return [_present(view, component, r) for r in _rows(session, s, component, user)]


def get_record(
    session: Session, *, user: Principal, component: str, rid: str, key: str | None = None
) -> _Record:
    require(user, "strategy.read")
    check_component(component)
    s = current(session, user, key)
    view = View(session, s, user)
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


def _touch(session: Session, s: Strategy, user: Principal, marking: Marking) -> int:
    """Start a change set: a new version; an edit of a frozen strategy reopens the draft.

    The reopening is revised at the edit's marking too, so that readers who cannot see the
    edit see no change set for it (the status itself is the strategy's, and reads draft).
    """
    version = bump(s)
    if s.status != "draft":
        before = dump(meta_of(s))
        s.status = "draft"
        revise(
            session, s, version, "strategy", s.key, "update", before, dump(meta_of(s)), user,
            at_least=marking,
        )  # fmt: skip
    return version


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
    version = _touch(session, s, user, marking)
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
    version = _touch(session, s, user, before_marking.join(marking))
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
    version = _touch(session, s, user, row.marking)
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
    version = _touch(session, s, user, marking)
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
    view = View(session, s, user)
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
        data[comp] = [view.present(comp, row_data(comp, r), LINKS, keep) for r in rows]
    pkg = Package.model_validate(data)
    pkg.withheld = withheld
    pkg.max_marking = str(cap) if cap is not None else None
    return pkg


def export(
    session: Session,
    *,
    user: Principal,
    fmt: str,
    max_marking: str | None = None,
    key: str | None = None,
    lang: str | None = None,
) -> Export:
    """Render the strategy as the user may see it, capped at ``max_marking`` if given.

    The export carries the highest marking of what it contains, and is audited. Editions
    are in ``lang`` (default: the current interface language), see ``publish.py``.
    """
    require(user, "strategy.export")
    publish.check_format(fmt)
    publish.check_language(lang)
    pkg = load_package(session, user=user, key=key, max_marking=max_marking)
    return publish.export_package(
        session, user=user, pkg=pkg, fmt=fmt, max_marking=max_marking, lang=lang
    )


def lint_strategy(
    session: Session,
    *,
    user: Principal,
    key: str | None = None,
    languages: Sequence[str] | None = None,
) -> list[lint_mod.Finding]:
    """Lint the strategy as the user may see it.

    Findings come from the user's own view (records they may see, links to hidden records
    removed), so they name nothing hidden. A finding that does not hold once hidden records
    are counted (an interest served only by a hidden objective) says that it depends on
    records above the user's clearance, naming none of them. Translations are checked in
    ``languages``, by default the content languages of the settings.
    """
    require(user, "strategy.read")
    if languages is None:
        from grandstrategy.core.config import load_settings

        languages = load_settings().content_languages
    s = current(session, user, key)
    mine = lint_mod.lint(load_package(session, user=user, key=key), languages=languages)
    hidden_too = lint_mod.lint(full_package(session, s), languages=languages)
    mine = cascade_mod.lint_findings(session, s, user, mine)  # the departmental cascade
    hidden_too = cascade_mod.lint_findings(session, s, None, hidden_too)
    whole = {(f.rule, f.component, f.record_id) for f in hidden_too}
    note = _("this depends on records above your clearance")
    return [
        f
        if (f.rule, f.component, f.record_id) in whole
        else replace(f, message=f"{f.message} ({note})", depends_on_hidden=True)
        for f in mine
    ]


def trace_strategy(
    session: Session, *, user: Principal, key: str | None = None
) -> trace_mod.TraceReport:
    """The traceability chain built from what the user may see, with the departmental cascade."""
    report = trace_mod.build(load_package(session, user=user, key=key))
    cascade_rows = cascade_mod.cascade_rows(session, current(session, user, key), user)
    return replace(report, cascade=cascade_rows)
