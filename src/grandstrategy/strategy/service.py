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

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit, i18n
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import cascade as cascade_mod
from grandstrategy.strategy import lint as lint_mod
from grandstrategy.strategy import memo, publish
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
from grandstrategy.strategy.editing import (
    create_record,
    current,
    delete_record,
    get_record,
    update_meta,
    update_record,
)
from grandstrategy.strategy.importer import (
    ImportReport,
    find_strategy,
    import_package,
)
from grandstrategy.strategy.lint import RULES as LINT_RULES
from grandstrategy.strategy.lint import summary as lint_summary
from grandstrategy.strategy.models import Component, Strategy
from grandstrategy.strategy.package import json_schemas, read_package, read_package_zip
from grandstrategy.strategy.publish import FORMATS, Export
from grandstrategy.strategy.records import (
    LINKS,
    SINGULAR,
    check_component,
    full_package,
    link_targets,
    meta_of,
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
)
from grandstrategy.strategy.scope import View, display
from grandstrategy.strategy.trace import build as build_trace
from grandstrategy.strategy.trace import to_csv as trace_csv
from grandstrategy.strategy.trace import to_json as trace_json
from grandstrategy.strategy.versions import (
    EditionRead,
    RecordDiff,
    RevisionRead,
    diff,
    editions,
    freeze,
    history,
    local_version,
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
    "create_record",
    "current",
    "delete_record",
    "departmental_objectives",
    "derive",
    "derived_strategies",
    "diff",
    "editions",
    "find_strategy",
    "freeze",
    "get_record",
    "history",
    "import_package",
    "json_schemas",
    "link_targets",
    "lint_summary",
    "list_records",
    "read_package",
    "read_package_zip",
    "risk_matrix_svg",
    "trace_csv",
    "trace_json",
    "update_meta",
    "update_objective",
    "update_record",
    "validation_message",
    "visible_versions",
]


class StrategyRead(BaseModel):
    meta: StrategyMeta
    version: int


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
    memo_key = ("package", memo.fingerprint(session, s), memo.view_of(user), str(cap))
    return memo.copied(memo_key, lambda: _package(session, s, user, cap))


def list_records(
    session: Session, *, user: Principal, component: str, key: str | None = None
) -> list[Any]:
    """One component's records as the user sees them (from the package kept for this version
    and view: the same records, in the same order, as reading the component alone)."""
    require(user, "strategy.read")
    check_component(component)
    return list(getattr(load_package(session, user=user, key=key), component))


def _package(session: Session, s: Strategy, user: Principal, cap: Marking | None) -> Package:
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
    memo_key = ("lint", memo.fingerprint(session, s), memo.view_of(user), i18n.current())
    return list(
        memo.cached((*memo_key, tuple(languages)), lambda: _lint(session, s, user, languages))
    )


def _lint(
    session: Session, s: Strategy, user: Principal, languages: Sequence[str]
) -> list[lint_mod.Finding]:
    mine = lint_mod.lint(load_package(session, user=user, key=s.key), languages=languages)
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
    s = current(session, user, key)

    def build() -> trace_mod.TraceReport:
        report = trace_mod.build(load_package(session, user=user, key=s.key))
        return replace(report, cascade=cascade_mod.cascade_rows(session, s, user))

    memo_key = ("trace", memo.fingerprint(session, s), memo.view_of(user), i18n.current())
    return memo.copied(memo_key, build)
