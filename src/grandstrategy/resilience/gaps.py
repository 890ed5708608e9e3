"""The gaps ranked by what they would cost the whole system (FORMULA), and strategy
objectives made from a gap (linked both ways)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.resilience import iim
from grandstrategy.resilience.assess import overview
from grandstrategy.resilience.checks import READ, catalogue, check_marking, sector_title
from grandstrategy.resilience.matrix_store import matrix_row, sector_matrix
from grandstrategy.resilience.models import GapObjective
from grandstrategy.resilience.schemas import GapObjectiveCreate, RankedGap

FORMULA = lazy(
    "For each baseline requirement, the gap g is the mean target level minus the mean current "
    "level of its assessed criteria (never below 0). That sector alone is then shocked in "
    "proportion to its gap, c* = g / 5 (a gap across the whole 0–5 scale would take it fully "
    "out of action), and the static inoperability input-output model spreads the shock over "
    "every sector through the active interdependency matrix: q = (I − A*)⁻¹ c*. The priority "
    "score is the inoperability the whole system then suffers, Σ q_j: the sector's own part "
    "plus the spillover onto the sectors that depend on it. Ties go to the larger gap. "
    "Without a matrix the score is the shock alone, with no spillover."
)


def gap_objectives(session: Session, *, user: Principal) -> dict[str, list[str]]:
    """Objective ids created from each requirement's gap, limited to the objectives of the
    current strategy the user may see (the link never discloses a hidden objective)."""
    from grandstrategy.strategy import service as strategy

    require(user, READ)
    try:
        s = strategy.current(session, user)
        visible = {r.id for r in strategy.list_records(session, user=user, component="objectives")}
    except (NotFound, Forbidden):
        return {}
    out: dict[str, list[str]] = {}
    q = select(GapObjective).where(GapObjective.strategy_key == s.key).order_by(GapObjective.id)
    for g in session.execute(q).scalars():
        if g.objective_id in visible:
            out.setdefault(g.requirement, []).append(g.objective_id)
    return out


def _reason(
    title: str, gap: float, own: float, spill: float, hit: list[tuple[str, float]], assessed: int
) -> str:
    if assessed == 0:
        return _("{title} has no assessment you can see yet: its gap is unknown.").format(
            title=title
        )
    if gap <= 0:
        return _("{title} meets its target on every assessed criterion: no gap to close.").format(
            title=title
        )
    text = _("a gap of {gap} levels shocks {title} by {share}").format(
        gap=f"{gap:.1f}", title=title, share=f"{gap / 5:.0%}"
    )
    if spill > 0 and hit:
        names = ", ".join(f"{sector_title(s)} {q:.1%}" for s, q in hit)
        share = spill / (own + spill)
        text += "; " + _("{share} of the resulting inoperability spills over ({names})").format(
            share=f"{share:.0%}", names=names
        )
    return text[0].upper() + text[1:] + "."


def rank(session: Session, *, user: Principal) -> list[RankedGap]:
    """Requirements ranked by the system-wide inoperability their gap would cause (FORMULA)."""
    require(user, READ)
    states = overview(session, user=user)
    try:
        m = sector_matrix(matrix_row(session, user, None))
    except NotFound:
        m = None
    made = gap_objectives(session, user=user)
    rows = []
    for st in states:
        gap = st.gap or 0.0
        shock = gap / 5.0
        if m is not None and st.requirement in m.names and gap > 0:
            i = m.index(st.requirement)
            q = iim.static_inoperability(m.values, m.vector({st.requirement: shock})).q
            own, total = float(q[i]), float(q.sum())
            others = [(s, float(q[j])) for j, s in enumerate(m.names) if j != i and q[j] > 5e-4]
            hit = sorted(others, key=lambda p: -p[1])[:3]
        else:
            own, total, hit = shock, shock, []
        rows.append(
            RankedGap(
                rank=0,
                requirement=st.requirement,
                title=st.title,
                current=st.current,
                target=st.target,
                gap=gap,
                shock=shock,
                system_inoperability=total,
                spillover=total - own,
                most_affected=hit,
                score=total,
                reason=_reason(st.title, gap, own, total - own, hit, st.assessed),
                objectives=made.get(st.requirement, []),
            )
        )
    rows.sort(key=lambda r: (-r.score, -r.gap, r.requirement))
    for n, r in enumerate(rows, 1):
        r.rank = n
    return rows


def objective_from_gap(
    session: Session, *, user: Principal, data: GapObjectiveCreate
) -> dict[str, Any]:
    """Create a strategy objective to close a requirement's gap, and link the two.

    Needs ``resilience.read`` and ``strategy.edit`` (the objective is a strategy record)."""
    from grandstrategy.strategy import service as strategy

    require(user, READ)
    require(user, "strategy.edit")
    gaps = {g.requirement: g for g in rank(session, user=user)}
    if data.requirement not in gaps:
        raise Invalid(
            _("unknown requirement {name!r}; known: {known}").format(
                name=data.requirement, known=", ".join(gaps)
            )
        )
    g = gaps[data.requirement]
    if g.gap <= 0:
        raise Invalid(_("{title} has no gap to close (current meets target)").format(title=g.title))
    # The objective is strategy content written in English: name the requirement in English.
    name = catalogue().sector(g.requirement).title.lower()
    title = data.title or f"Close the resilience gap in {name}"
    description = (
        f"Raise the maturity of {name} from {g.current:.1f} to {g.target:.1f} on the "
        f"0–5 scale (ranked {g.rank} of {len(gaps)} resilience gaps). {g.reason}"
    )
    record: dict[str, Any] = {
        "id": data.objective_id,
        "title": title,
        "description": description,
        "horizon": data.horizon,
        "owner": data.owner,
        "deadline": data.deadline,
        "interests": data.interests,
        "threats": data.threats,
        "parent": data.parent,
        "marking": data.marking,
        "indicators": [
            {
                "name": f"Mean maturity of {name}",
                "unit": "level (0–5)",
                "baseline": round(g.current or 0.0, 2),
                "target": round(g.target or 0.0, 2),
                "due": data.deadline,
            }
        ],
    }
    created = strategy.create_record(session, user=user, component="objectives", data=record)
    s = strategy.current(session, user)
    session.add(
        GapObjective(
            requirement=data.requirement,
            strategy_key=s.key,
            objective_id=data.objective_id,
            gap=g.gap,
            created_by=user.username,
        )
    )
    session.flush()
    audit.record(
        session,
        actor=user,
        action="resilience.objective",
        object_type="gap",
        object_id=data.requirement,
        marking=check_marking(user, data.marking),
        after={"objective": data.objective_id, "strategy": s.key, "gap": g.gap},
    )
    return created.model_dump(mode="json")
