"""The resilience service on both backends: assessments, autonomy, matrices, scenarios, ranks."""

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import select

from grandstrategy.core.audit import AuditEvent
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.resilience import example, iim, service
from grandstrategy.resilience.schemas import (
    AssessmentCreate,
    AutonomyCreate,
    GapObjectiveCreate,
    MatrixCreate,
    ScenarioCreate,
)
from grandstrategy.strategy import service as strategy
from tests.helpers import make_user, small_package

SECTORS = ["government", "energy", "movement", "food-water", "health", "communications",
           "transport"]  # fmt: skip


def assess(session, user, req, crit, level, target, on, marking="UNCLASSIFIED"):
    data = AssessmentCreate(
        requirement=req,
        criterion=crit,
        level=level,
        target=target,
        assessed_on=on,
        evidence=f"{req}/{crit} at {level}",
        marking=marking,
    )
    return service.record_assessment(session, user=user, data=data)


def small_matrix(session, user, name="m", active=True, marking="UNCLASSIFIED"):
    """Energy feeds everything (column 1 is heavy); the rest barely depend on each other."""
    a = np.full((7, 7), 0.01)
    a[:, 1] = 0.3
    a[1, 1] = 0.05
    return service.save_matrix(
        session,
        user=user,
        data=MatrixCreate(
            name=name,
            sectors=SECTORS,
            values=a.tolist(),
            provenance={"method": "test"},
            active=active,
            marking=marking,
        ),
    )


def test_latest_assessment_is_current_and_history_makes_the_trend(session, operator):
    assess(session, operator, "energy", "stocks", 1, 4, dt.date(2025, 1, 1))
    assess(session, operator, "energy", "restoration", 3, 4, dt.date(2025, 1, 1))
    assess(session, operator, "energy", "stocks", 3, 4, dt.date(2026, 1, 1))
    energy = next(r for r in service.overview(session, user=operator) if r.requirement == "energy")
    stocks = next(c for c in energy.criteria if c.criterion == "stocks")
    assert stocks.level == 3 and stocks.assessed_on == dt.date(2026, 1, 1)
    assert energy.current == 3.0 and energy.target == 4.0 and energy.gap == 1.0
    assert energy.assessed == 2 and len(energy.criteria) == 5
    assert energy.trend == [(dt.date(2025, 1, 1), 2.0), (dt.date(2026, 1, 1), 3.0)]
    history = service.assessments(session, user=operator, requirement="energy")
    assert [a.level for a in history] == [3, 3, 1]  # newest first


def test_bad_assessments_are_refused_with_the_reason(session, operator):
    with pytest.raises(Invalid, match="unknown requirement 'banking'"):
        assess(session, operator, "banking", "x", 1, 2, None)
    with pytest.raises(Invalid, match="unknown criterion 'nope' of energy"):
        assess(session, operator, "energy", "nope", 1, 2, None)
    with pytest.raises(Invalid, match="future"):
        assess(session, operator, "energy", "stocks", 1, 2, dt.date.today() + dt.timedelta(9))
    analyst = make_user(session, "ana", "analyst", "RESTRICTED")
    with pytest.raises(Forbidden):
        assess(session, analyst, "energy", "stocks", 1, 2, None)
    officer = make_user(session, "off", "resilience-officer", "RESTRICTED")
    with pytest.raises(Invalid, match="above your own clearance"):
        assess(session, officer, "energy", "stocks", 1, 2, None, marking="SECRET")
    assert service.assessments(session, user=operator) == []


def test_users_only_see_assessments_within_their_clearance(session, operator):
    assess(session, operator, "government", "host-nation", 1, 5, dt.date(2025, 1, 1))
    assess(session, operator, "government", "host-nation", 4, 5, dt.date(2026, 1, 1), "SECRET")
    low = make_user(session, "low", "analyst", "RESTRICTED")
    history = service.assessments(session, user=low, requirement="government")
    assert [a.level for a in history] == [1]
    gov = next(r for r in service.overview(session, user=low) if r.requirement == "government")
    assert gov.current == 1.0  # the SECRET update is not even reflected in the mean
    gov_top = next(
        r for r in service.overview(session, user=operator) if r.requirement == "government"
    )
    assert gov_top.current == 4.0


def test_writes_are_audited(session, operator):
    row = assess(session, operator, "health", "surge", 2, 4, None)
    events = session.execute(
        select(AuditEvent).where(AuditEvent.action == "resilience.assess")
    ).scalars()
    assert [e.object_id for e in events] == [str(row.id)]


def test_autonomy_keeps_the_latest_choice(session, operator):
    for choice in ("national", "eu"):
        service.set_autonomy(
            session,
            user=operator,
            data=AutonomyCreate(
                requirement="energy", dimension="production", choice=choice, rationale="why"
            ),
        )
    (only,) = service.autonomy(session, user=operator)
    assert only.choice == "eu" and only.dimension == "production"


def test_matrix_is_checked_and_one_is_active(session, operator):
    first = small_matrix(session, operator, "first", active=False)
    assert first.active  # the first matrix stored becomes the active one
    second = small_matrix(session, operator, "second", active=True)
    assert second.active and not service.get_matrix(session, user=operator, name="first").active
    assert service.get_matrix(session, user=operator).name == "second"
    unstable = MatrixCreate(name="bad", sectors=["a", "b"], values=[[0.6, 0.5], [0.5, 0.6]])
    with pytest.raises(Invalid, match="spectral radius"):
        service.save_matrix(session, user=operator, data=unstable)
    assert [m.name for m in service.list_matrices(session, user=operator)] == ["first", "second"]
    with pytest.raises(NotFound):
        service.get_matrix(session, user=operator, name="nope")


def test_indices_show_energy_as_the_most_influential(session, operator):
    small_matrix(session, operator)
    ix = {i.sector: i for i in service.indices(session, user=operator)}
    assert max(ix.values(), key=lambda i: i.overall_influence).sector == "energy"
    assert ix["energy"].dependency < ix["health"].dependency


def test_scenario_run_starts_at_the_shock_and_recovers(session, operator):
    small_matrix(session, operator)
    service.save_scenario(
        session,
        user=operator,
        data=ScenarioCreate(
            name="blackout",
            title="Blackout",
            shocks={"energy": 0.4},
            shock_steps=3,
            steps=31,
            recovery_days={"energy": 10},
        ),
    )
    run = service.run_scenario(session, user=operator, name="blackout")
    assert len(run.trajectory) == 31 and run.sectors == SECTORS
    energy = next(o for o in run.outcomes if o.sector == "energy")
    assert run.trajectory[0][1] == pytest.approx(0.4)
    assert energy.peak >= 0.4 and run.trajectory[-1][1] < 0.05
    m = service.get_matrix(session, user=operator)
    static = iim.static_inoperability(np.array(m.values), [0, 0.4, 0, 0, 0, 0, 0]).q
    assert energy.static == pytest.approx(static[1])
    health = next(o for o in run.outcomes if o.sector == "health")
    assert health.shock == 0 and health.peak > 0.05  # the cascade reached it
    with pytest.raises(Invalid, match="sectors the matrix does not have: banking"):
        service.save_scenario(
            session,
            user=operator,
            data=ScenarioCreate(name="x", title="X", shocks={"banking": 0.1}),
        )


def test_hidden_scenarios_do_not_exist_for_low_users(session, operator):
    small_matrix(session, operator)
    secret = ScenarioCreate(name="s", title="S", shocks={"energy": 0.1}, marking="SECRET")
    service.save_scenario(session, user=operator, data=secret)
    low = make_user(session, "low2", "analyst", "RESTRICTED")
    assert service.list_scenarios(session, user=low) == []
    with pytest.raises(NotFound):
        service.run_scenario(session, user=low, name="s")
    with pytest.raises(NotFound):
        service.compare_scenarios(session, user=low, names=["s"])


def test_rank_follows_the_documented_formula(session, operator):
    small_matrix(session, operator)
    assess(session, operator, "energy", "stocks", 2, 4, None)  # gap 2 on energy
    assess(session, operator, "health", "surge", 1, 4, None)  # gap 3 on health
    assess(session, operator, "transport", "alternatives", 3, 3, None)  # no gap
    ranked = service.rank(session, user=operator)
    m = np.array(service.get_matrix(session, user=operator).values)
    expect = {}
    for sector, gap in (("energy", 2.0), ("health", 3.0)):
        c = np.zeros(7)
        c[SECTORS.index(sector)] = gap / 5
        expect[sector] = float(np.linalg.solve(np.eye(7) - m, c).sum())
    by = {g.requirement: g for g in ranked}
    assert by["energy"].score == pytest.approx(expect["energy"])
    assert by["health"].score == pytest.approx(expect["health"])
    # energy's smaller gap cascades further than health's larger one
    assert expect["energy"] > expect["health"]
    assert [g.requirement for g in ranked[:2]] == ["energy", "health"]
    assert by["energy"].spillover > by["health"].spillover
    assert by["transport"].score == 0 and "no gap" in by["transport"].reason
    assert "spills over" in by["energy"].reason
    assert [g.rank for g in ranked] == list(range(1, 8))


def test_rank_without_a_matrix_uses_the_gap_alone(session, operator):
    assess(session, operator, "energy", "stocks", 2, 4, None)
    top = service.rank(session, user=operator)[0]
    assert top.requirement == "energy" and top.score == pytest.approx(0.4)
    assert top.spillover == 0


def test_a_gap_becomes_a_linked_strategy_objective(session, operator):
    strategy.import_package(session, user=operator, package=small_package())
    small_matrix(session, operator)
    assess(session, operator, "energy", "stocks", 2, 4, None)
    data = GapObjectiveCreate(
        requirement="energy",
        objective_id="energy-stocks",
        owner="defence",
        deadline=dt.date(2030, 12, 31),
        interests=["safety"],
        threats=["invasion"],
    )
    made = service.objective_from_gap(session, user=operator, data=data)
    assert made["id"] == "energy-stocks" and "2.0 to 4.0" in made["description"]
    obj = strategy.get_record(session, user=operator, component="objectives", rid="energy-stocks")
    assert obj.owner == "defence" and obj.indicators[0].target == 4.0
    energy = next(g for g in service.rank(session, user=operator) if g.requirement == "energy")
    assert energy.objectives == ["energy-stocks"]
    no_gap = data.model_copy(update={"requirement": "movement", "objective_id": "m"})
    with pytest.raises(Invalid, match="no gap"):
        service.objective_from_gap(session, user=operator, data=no_gap)
    officer = make_user(session, "off2", "resilience-officer", "RESTRICTED")
    with pytest.raises(Forbidden):
        service.objective_from_gap(session, user=officer, data=data)


def test_example_aggregates_the_belgian_table_and_loads_everything(session, operator):
    report = example.load_example(session, user=operator)
    assert report is not None and report.scenarios == 5 and report.assessments >= 34
    assert example.load_example(session, user=operator) is None  # only once
    m = service.get_matrix(session, user=operator)
    assert m.name == "belgium-2020" and m.sectors[:7] == SECTORS
    assert 0 < m.spectral_radius < 1
    assert m.provenance["accounting"][-1].startswith("50 codes")
    assert "OECD" in str(m.provenance["source"])
    names = {s.name for s in service.list_scenarios(session, user=operator)}
    assert {"grid-cyber-attack", "pandemic-wave", "mass-movement", "antwerp-port-disruption",
            "brussels-host-infrastructure"} == names  # fmt: skip
    runs = service.compare_scenarios(
        session, user=operator, names=["grid-cyber-attack", "antwerp-port-disruption"]
    )
    assert all(r.total_cumulative > 0 for r in runs)
    assert all(r.assessed == len(r.criteria) for r in service.overview(session, user=operator))


def test_an_unassessed_requirement_says_so(session, operator):
    assess(session, operator, "energy", "stocks", 2, 4, None, marking="SECRET")
    low = make_user(session, "low3", "analyst", "RESTRICTED")
    energy = next(g for g in service.rank(session, user=low) if g.requirement == "energy")
    assert energy.gap == 0 and "no assessment you can see" in energy.reason
