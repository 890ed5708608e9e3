"""Scenarios: named shocks run through the IIM, compared, and their uncertainty.

A scenario shocks some sectors: c*_i is the share of sector i's output lost directly, lost
at once (q(0) = c*) and held for ``shock_steps`` days while the cascade spreads through A*;
then the perturbation ends and every sector recovers at the rate its recovery time implies
(k_i = 1 − 0.01^(1/T_i): a sector on its own falls to 1 % of its inoperability after T_i days).
The run reports, per sector, the static equilibrium with the shock held, the peak and the
cumulative inoperability (inoperability-days) of the dynamic model over ``steps`` days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import combine
from grandstrategy.resilience import iim, monte_carlo, upsert
from grandstrategy.resilience.checks import (
    ASSESS,
    READ,
    check_marking,
    most_specific_first,
)
from grandstrategy.resilience.matrix_store import matrix_row, sector_matrix
from grandstrategy.resilience.models import Matrix, Scenario
from grandstrategy.resilience.schemas import (
    ScenarioCreate,
    ScenarioRead,
    ScenarioRun,
    ScenarioUncertainty,
    SectorOutcome,
    SectorSpread,
)

DEFAULT_RECOVERY_DAYS = 30.0  # a sector a scenario says nothing about falls to 1 % in a month
MAX_COMPARE = 8


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
    shocks: dict[int, monte_carlo.Distribution] = {}
    for sector, value in _scenario_row(session, user, name).shocks.items():
        i = m.index(sector)
        low, high = value * (1 - spread), min(1.0, value * (1 + spread))
        bounds[i] = (low, high)
        shocks[i] = monte_carlo.Distribution.triangular(low, value, high)
    pct = (5.0, 50.0, 95.0)
    mc = monte_carlo.monte_carlo_static(
        m.values, shocks, runs=runs, seed=seed, output=m.output, percentiles=pct
    )
    keys = [f"p{int(p)}" for p in pct]
    draws = monte_carlo.draw_shocks(len(m.names), shocks, runs, np.random.default_rng(seed))
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
