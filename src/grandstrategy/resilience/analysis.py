"""Scenarios (shocks run through the IIM), the ranked gaps, and objectives made from gaps.

A scenario shocks some sectors: c*_i is the share of sector i's output lost directly, lost
at once (q(0) = c*) and held for ``shock_steps`` days while the cascade spreads through A*;
then the perturbation ends and every sector recovers at the rate its recovery time implies
(k_i = 1 − 0.01^(1/T_i): a sector on its own falls to 1 % of its inoperability after T_i days).
The run reports, per sector, the static equilibrium with the shock held, the peak and the
cumulative inoperability (inoperability-days) of the dynamic model over ``steps`` days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _, lazy
from grandstrategy.core.markings import combine
from grandstrategy.resilience import iim, upsert
from grandstrategy.resilience.access import (
    ASSESS,
    READ,
    catalogue,
    check_marking,
    most_specific_first,
    sector_title,
)
from grandstrategy.resilience.assess import overview
from grandstrategy.resilience.matrices import matrix_row, sector_matrix
from grandstrategy.resilience.models import GapObjective, Matrix, Scenario
from grandstrategy.resilience.schemas import (
    GapObjectiveCreate,
    RankedGap,
    ScenarioCreate,
    ScenarioRead,
    ScenarioRun,
    ScenarioUncertainty,
    SectorOutcome,
    SectorSpread,
)

DEFAULT_RECOVERY_DAYS = 30.0  # a sector a scenario says nothing about falls to 1 % in a month
MAX_COMPARE = 8

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


# --- scenarios --------------------------------------------------------------------------------


def _scenario_read(session: Session, row: Scenario) -> ScenarioRead:
    matrix = session.get(Matrix, row.matrix_id) if row.matrix_id is not None else None
    return ScenarioRead(
        id=row.id,
        name=row.name,
        title=row.title,
        description=row.description,
        matrix=matrix.name if matrix is not None else None,
        shocks=dict(row.shocks),
        shock_steps=row.shock_steps,
        steps=row.steps,
        recovery_days=dict(row.recovery_days),
        marking=str(row.marking),
        created_by=row.created_by,
        updated_at=row.updated_at,
    )


def _scenario_row(session: Session, user: Principal, name: str) -> Scenario:
    q = restrict(select(Scenario), user).where(Scenario.name == name)
    row = session.execute(most_specific_first(q, Scenario).limit(1)).scalar()
    if row is None:
        raise NotFound(_("scenario {name!r} not found").format(name=name))
    return row


def _check_sectors(sectors: list[str], what: str, names: dict[str, float]) -> None:
    unknown = sorted(set(names) - set(sectors))
    if unknown:
        raise Invalid(
            _("{what} names sectors the matrix does not have: {unknown}; known: {known}").format(
                what=what, unknown=", ".join(unknown), known=", ".join(sectors)
            )
        )


def save_scenario(session: Session, *, user: Principal, data: ScenarioCreate) -> ScenarioRead:
    """Store a named scenario; its sectors must exist in its matrix, and a scenario of that
    name the user sees is replaced only with ``data.replace`` (else :class:`Conflict`)."""
    require(user, ASSESS)
    marking = check_marking(user, data.marking)
    try:
        matrix = matrix_row(session, user, data.matrix)
    except NotFound as exc:
        if data.matrix is None:
            raise
        raise Invalid(
            _("matrix: no stored matrix is named {name!r}").format(name=data.matrix)
        ) from exc
    _check_sectors(matrix.sectors, "the shock", data.shocks)
    _check_sectors(matrix.sectors, "the recovery times", data.recovery_days)
    row = upsert.namesake(
        session,
        user,
        Scenario,
        name=data.name,
        marking=marking,
        what=_("scenarios"),
        one=_("a scenario"),
        replace=data.replace,
    )
    before = None if row is None else upsert.snapshot(_scenario_read(session, row))
    if row is None:
        row = Scenario(name=data.name, created_by=user.username)
    row.title, row.description = data.title, data.description
    row.matrix_id = matrix.id if data.matrix is not None else None
    row.shocks, row.recovery_days = dict(data.shocks), dict(data.recovery_days)
    row.shock_steps, row.steps = data.shock_steps, data.steps
    row.updated_at = dt.datetime.now(dt.UTC)
    return upsert.write(
        session,
        user=user,
        row=row,
        marking=marking,
        read=lambda r: _scenario_read(session, r),
        action="resilience.scenario",
        object_type="scenario",
        object_id=data.name,
        before=before,
    )


def list_scenarios(session: Session, *, user: Principal) -> list[ScenarioRead]:
    require(user, READ)
    rows = session.execute(restrict(select(Scenario), user).order_by(Scenario.name)).scalars()
    return [_scenario_read(session, r) for r in rows]


def get_scenario(session: Session, *, user: Principal, name: str) -> ScenarioRead:
    require(user, READ)
    row = _scenario_row(session, user, name)
    audit.record_read(session, user, row, "scenario", name)
    return _scenario_read(session, row)


def run_scenario(session: Session, *, user: Principal, name: str) -> ScenarioRun:
    """Run a scenario on its matrix (or the active one): static equilibrium and the cascade."""
    require(user, READ)
    row = _scenario_row(session, user, name)
    matrix = (
        session.execute(restrict(select(Matrix), user).where(Matrix.id == row.matrix_id)).scalar()
        if row.matrix_id is not None
        else matrix_row(session, user, None)
    )
    if matrix is None:  # the scenario's matrix is above the user's clearance
        raise NotFound(_("scenario {name!r} not found").format(name=name))
    audit.record_read(session, user, row, "scenario", name)
    m = sector_matrix(matrix)
    _check_sectors(list(m.names), "the shock", row.shocks)
    c = m.vector(row.shocks)
    days = np.array([row.recovery_days.get(s, DEFAULT_RECOVERY_DAYS) for s in m.names])
    k = iim.recovery_rates(days)
    static = iim.static_inoperability(m.values, c, output=m.output)
    dyn = iim.dynamic_inoperability(
        m.values, c, k, steps=row.steps, shock_steps=row.shock_steps, q0=c, output=m.output
    )
    outcomes = [
        SectorOutcome(
            sector=s,
            shock=float(c[i]),
            static=float(static.q[i]),
            peak=float(dyn.peak[i]),
            cumulative=float(dyn.cumulative[i]),
            recovery_rate=float(k[i]),
            recovery_days=iim.recovery_time(float(k[i])),
        )
        for i, s in enumerate(m.names)
    ]
    return ScenarioRun(
        scenario=row.name,
        title=row.title,
        matrix=matrix.name,
        sectors=list(m.names),
        steps=row.steps,
        shock_steps=row.shock_steps,
        outcomes=outcomes,
        trajectory=np.round(dyn.trajectory, 6).tolist(),
        total_cumulative=float(dyn.cumulative.sum()),
        marking=str(combine([row.marking, matrix.marking])),
    )


def uncertainty(
    session: Session,
    *,
    user: Principal,
    name: str,
    runs: int = 10_000,
    spread: float = 0.5,
    seed: int = 0,
) -> ScenarioUncertainty:
    """How sure is the equilibrium? Each shock drawn from a triangular distribution around
    its value (± ``spread`` of it), ``runs`` draws solved at once, seeded, percentiles."""
    if not 1 <= runs <= 1_000_000:
        raise Invalid(_("runs must be between 1 and 1,000,000; got {n}").format(n=runs))
    if not 0 <= spread <= 1:
        raise Invalid(_("spread must be between 0 and 1; got {value}").format(value=spread))
    run = run_scenario(session, user=user, name=name)
    matrix = matrix_row(session, user, run.matrix)
    m = sector_matrix(matrix)
    bounds: dict[int, tuple[float, float]] = {}
    shocks: dict[int, iim.Distribution] = {}
    for sector, value in _scenario_row(session, user, name).shocks.items():
        i = m.index(sector)
        low, high = value * (1 - spread), min(1.0, value * (1 + spread))
        bounds[i] = (low, high)
        shocks[i] = iim.Distribution.triangular(low, value, high)
    pct = (5.0, 50.0, 95.0)
    mc = iim.monte_carlo_static(
        m.values, shocks, runs=runs, seed=seed, output=m.output, percentiles=pct
    )
    keys = [f"p{int(p)}" for p in pct]
    draws = iim.draw_shocks(len(m.names), shocks, runs, np.random.default_rng(seed))
    totals = np.minimum(np.linalg.solve(np.eye(len(m.names)) - m.values, draws), 1.0).sum(axis=0)
    return ScenarioUncertainty(
        scenario=name,
        matrix=run.matrix,
        runs=runs,
        spread=spread,
        seed=seed,
        sectors=[
            SectorSpread(
                sector=s,
                shock_low=bounds.get(i, (0.0, 0.0))[0],
                shock_high=bounds.get(i, (0.0, 0.0))[1],
                q={k: float(mc.q[j, i]) for j, k in enumerate(keys)},
                failed_share=float(mc.capped_share[i]),
            )
            for i, s in enumerate(m.names)
        ],
        total={k: float(v) for k, v in zip(keys, np.percentile(totals, pct), strict=True)},
        loss=None
        if mc.total_loss is None
        else {k: float(v) for k, v in zip(keys, mc.total_loss, strict=True)},
        marking=run.marking,
    )


def compare_scenarios(session: Session, *, user: Principal, names: list[str]) -> list[ScenarioRun]:
    """Several runs side by side, in the order given."""
    if not names:
        raise Invalid(_("name at least one scenario to compare"))
    if len(names) > MAX_COMPARE:
        raise Invalid(
            _("compare at most {max} scenarios at once; got {n}").format(
                max=MAX_COMPARE, n=len(names)
            )
        )
    return [run_scenario(session, user=user, name=n) for n in dict.fromkeys(names)]


# --- gaps ranked ------------------------------------------------------------------------------


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
