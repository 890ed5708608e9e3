"""The cascade from national objectives to departmental ones (see ``derive.py``), for lint
and trace.

Both are built from what the reader may see (``user``), or from everything (``user`` None)
for lint's check of findings that depend on hidden records: a finding the reader gets but
that does not hold once hidden records count is marked as depending on them, naming none.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.i18n import _
from grandstrategy.strategy import derive
from grandstrategy.strategy.derive import NATIONAL, NATIONAL_ONLY_RULES, national_strategy
from grandstrategy.strategy.findings import _ORDER, ERROR, Finding, _finding, label
from grandstrategy.strategy.models import Component, ObjectiveRow, Strategy
from grandstrategy.strategy.records import component_rows, to_record
from grandstrategy.strategy.scope import display
from grandstrategy.strategy.trace import CascadeRow


def _served_keys(session: Session, derived: list[Strategy], user: Principal | None) -> set[str]:
    out: set[str] = set()
    for s in derived:
        for r in component_rows(session, s, "objectives", user):
            assert isinstance(r, ObjectiveRow)
            if r.serves is not None:
                out.add(r.serves)
    return out


def _unserved(session: Session, nat: Strategy, user: Principal | None) -> list[Finding]:
    derived = derive.visible_derived(session, user, nat)
    if not derived:
        return []
    served = _served_keys(session, derived, user)
    out = []
    for r in component_rows(session, nat, "objectives", user):
        if r.key in served:
            continue
        rec = to_record("objectives", r)
        out.append(
            _finding(
                "objective-no-department",
                "objectives",
                rec.id,
                _("{record} is served by no departmental objective").format(
                    record=label("objectives", rec)
                ),
                _(
                    "Add an objective serving it to the departmental strategy of the actor "
                    "that delivers it."
                ),
            )
        )
    return out


def _serving_nothing(
    session: Session, s: Strategy, nat: Strategy | None, user: Principal | None
) -> list[Finding]:
    visible: set[str] = set()
    if nat is not None:
        visible = {r.key for r in component_rows(session, nat, "objectives", user)}
    out = []
    for r in component_rows(session, s, "objectives", user):
        assert isinstance(r, ObjectiveRow)
        if r.serves is not None and r.serves in visible:
            continue
        rec = to_record("objectives", r)
        out.append(
            _finding(
                "serves-unknown",
                "objectives",
                rec.id,
                _("{record} serves no objective of the national strategy").format(
                    record=label("objectives", rec)
                ),
                _("Name in serves the national objective this objective contributes to."),
            )
        )
    return out


def lint_findings(
    session: Session, s: Strategy, user: Principal | None, findings: list[Finding]
) -> list[Finding]:
    """The strategy's findings with the cascade's (``user`` None: everything, unrestricted).

    For the national strategy: a warning for each national objective no departmental
    objective serves, once a derived strategy exists. For a derived strategy: an error for
    each objective that serves no national objective, and no threat rules (it has no threats).
    """
    if s.kind == NATIONAL:
        extra = _unserved(session, s, user)
    else:
        nat = session.get(Strategy, s.derives_from) if s.derives_from is not None else None
        if nat is not None and user is not None and not user.can_read(nat.marking):
            nat = None
        findings = [f for f in findings if f.rule not in NATIONAL_ONLY_RULES]
        extra = _serving_nothing(session, s, nat, user)
    return sorted(
        [*findings, *extra],
        key=lambda f: (f.severity != ERROR, _ORDER.get(f.component, len(_ORDER)), f.record_id),
    )


def cascade_rows(session: Session, nat: Strategy, user: Principal) -> list[CascadeRow]:
    """National objective → the departmental objectives serving it, as the user sees them.

    Empty until the user may see a derived strategy; a national objective nothing serves
    gets one row with no departmental objective."""
    if nat.kind != NATIONAL:
        return []
    derived = derive.visible_derived(session, user, nat)
    if not derived:
        return []
    serving: dict[str, list[tuple[Strategy, Component]]] = {}
    for s in derived:
        for r in component_rows(session, s, "objectives", user):
            assert isinstance(r, ObjectiveRow)
            if r.serves is not None:
                serving.setdefault(r.serves, []).append((s, r))
    out = []
    for n in component_rows(session, nat, "objectives", user):
        head = (display(n.key), str(getattr(n, "title", "")))
        found = serving.get(n.key, [])
        if not found:
            out.append(CascadeRow(*head, None, None, None, None, "", str(n.marking)))
        for s, r in found:
            out.append(
                CascadeRow(
                    *head,
                    display(s.key),
                    s.kind,
                    s.actor,
                    display(r.key),
                    str(getattr(r, "title", "")),
                    str(n.marking.join(r.marking)),
                )
            )
    return out


def cascade(session: Session, *, user: Principal, national: str | None = None) -> list[CascadeRow]:
    require(user, "strategy.read")
    return cascade_rows(session, national_strategy(session, user, national), user)
