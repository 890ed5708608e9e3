"""Conversion between table rows and schema records, and the links between components."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Date, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, restrict
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy.models import ROWS, Component, Strategy
from grandstrategy.strategy.schemas import (
    COMPONENTS,
    Package,
    Period,
    StrategyMeta,
    _Record,
)
from grandstrategy.strategy.scope import display
from grandstrategy.strategy.vocabulary import english_singular

# field -> component it points to; "members" holds {"actor": id, "role": ...} items.
LINKS: dict[str, dict[str, str]] = {
    "actors": {"parent": "actors", "members": "actors"},
    "interests": {},
    "threats": {"authors": "actors", "interests": "interests"},
    "roles": {},
    "objectives": {
        "owner": "actors",
        "contributors": "actors",
        "parent": "objectives",
        "interests": "interests",
        "threats": "threats",
        "roles": "roles",
    },
    "capabilities": {"owner": "actors", "objectives": "objectives"},
}

# Component → its English singular ("objective"): the object type audit records name. A reader
# sees the component in their language through schemas.component_singular().
SINGULAR = english_singular()


def validation_message(exc: ValidationError) -> list[str]:
    """One line per problem: the field path and what is wrong."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        out.append(f"{loc}: {err['msg']}")
    return out


def check_component(component: str) -> str:
    from grandstrategy.core.errors import NotFound

    if component not in COMPONENTS:
        raise NotFound(
            _("unknown component {name!r}; known: {known}").format(
                name=component, known=", ".join(COMPONENTS)
            )
        )
    return component


def link_targets(component: str, data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, target component, id) for every link a record's data holds."""
    out: list[tuple[str, str, str]] = []
    for fld, target in LINKS[component].items():
        value = data.get(fld)
        if value is None:
            continue
        if fld == "members":
            out.extend((fld, target, m["actor"]) for m in value)
        elif isinstance(value, list):
            out.extend((fld, target, v) for v in value)
        else:
            out.append((fld, target, value))
    return out


def to_record(component: str, row: Component) -> _Record:
    """The row as a record with display ids, unfiltered (for frozen editions and tests)."""
    return COMPONENTS[component].model_validate(shown_ids(component, row_data(component, row)))


def apply_record(row: Component, record: _Record) -> None:
    """Copy a validated record onto its row (scalars typed, lists as JSON)."""
    table = type(row).__table__  # type: ignore[attr-defined]
    py = record.model_dump(mode="python")
    js = record.model_dump(mode="json")
    for name in type(record).model_fields:
        if name == "id":
            row.key = record.id
        elif name == "marking":
            row.marking = Marking.parse(record.marking)
        else:
            col = table.columns[name]
            value = py[name] if isinstance(col.type, Date) else js[name]
            setattr(row, name, value)


def new_row(component: str) -> Component:
    return ROWS[component]()


def dump(record: _Record | StrategyMeta) -> dict[str, Any]:
    return record.model_dump(mode="json")


def meta_of(s: Strategy) -> StrategyMeta:
    return StrategyMeta(
        id=display(s.key),
        title=s.title,
        country=s.country,
        edition=s.edition,
        period=Period(start=s.period_start, end=s.period_end),
        status=s.status,
        marking=str(s.marking),
        summary=s.summary,
        notice=s.notice,
        max_priorities=s.max_priorities,
        translations=s.translations or {},
    )


def apply_meta(s: Strategy, meta: StrategyMeta) -> None:
    if display(s.key or "") != meta.id:
        s.key = meta.id
    s.title = meta.title
    s.country = meta.country
    s.edition = meta.edition
    s.period_start = meta.period.start
    s.period_end = meta.period.end
    s.status = meta.status
    s.marking = Marking.parse(meta.marking)
    s.summary = meta.summary
    s.notice = meta.notice
    s.max_priorities = meta.max_priorities
    s.translations = meta.model_dump(mode="json")["translations"]


def row_data(component: str, row: Component) -> dict[str, Any]:
    """A row as internal data: JSON-ready fields, with internal keys in ``id`` and links.

    The fields are normalised through the component's schema (validated on display ids, as
    ``~`` is not allowed in ids), then the internal keys are put back.
    """
    raw: dict[str, Any] = {"id": row.key, "marking": str(row.marking)}
    for name in COMPONENTS[component].model_fields:
        if name not in ("id", "marking"):
            raw[name] = getattr(row, name)
    data = dump(COMPONENTS[component].model_validate(shown_ids(component, raw)))
    data["id"] = row.key
    for fld in LINKS[component]:
        data[fld] = raw[fld]
    return data


def shown_ids(component: str, data: dict[str, Any]) -> dict[str, Any]:
    """The same data with every internal key replaced by its display id."""
    out = dict(data)
    out["id"] = display(out["id"])
    for fld in LINKS[component]:
        value = out.get(fld)
        if value is None:
            continue
        if fld == "members":
            out[fld] = [{**m, "actor": display(m["actor"])} for m in value]
        elif isinstance(value, list):
            out[fld] = [display(v) for v in value]
        else:
            out[fld] = display(value)
    return out


def apply_data(row: Component, component: str, data: dict[str, Any]) -> None:
    """Write internal data onto its row: validated on display ids, stored with internal keys."""
    apply_record(row, COMPONENTS[component].model_validate(shown_ids(component, data)))
    row.key = data["id"]
    for fld in LINKS[component]:
        setattr(row, fld, data[fld])


def component_rows(
    session: Session, strategy: Strategy, component: str, user: Principal | None
) -> list[Component]:
    """The component's rows in order; restricted to what ``user`` may see unless None."""
    model = ROWS[component]
    q = select(model).where(model.strategy_id == strategy.id)
    if user is not None:
        q = restrict(q, user, model)
    return list(session.execute(q.order_by(model.position, model.id)).scalars())


def full_package(session: Session, s: Strategy) -> Package:
    """Everything, unfiltered, in display ids: for frozen editions (never shown as such)."""
    data: dict[str, Any] = {"strategy": meta_of(s)}
    for comp in COMPONENTS:
        data[comp] = [to_record(comp, r) for r in component_rows(session, s, comp, None)]
    return Package.model_validate(data)
