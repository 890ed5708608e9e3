"""The resilience rules every adapter shares, on both backends: a stored name is replaced only
when asked, activation is a service call that touches only what the user sees, scenario and
consequence-grid input is refused with one message."""

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from grandstrategy.core.audit import AuditEvent
from grandstrategy.core.errors import Conflict, Invalid
from grandstrategy.resilience import service
from grandstrategy.resilience.models import Matrix, Scenario
from grandstrategy.resilience.schemas import (
    ConsequenceMatrixCreate,
    MatrixCreate,
    ScenarioCreate,
)
from tests.helpers import make_user

SECTORS = ["energy", "transport", "health"]
A_STAR = [[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.25, 0.1, 0.0]]


def matrix(name: str, **more) -> MatrixCreate:
    return MatrixCreate(name=name, sectors=SECTORS, values=A_STAR, **more)


def scenario(name: str, **more) -> ScenarioCreate:
    return ScenarioCreate(**{"name": name, "title": "Blackout", "shocks": {"energy": 0.3}, **more})


@pytest.fixture
def restricted(session):
    return make_user(session, "rita", "resilience-officer", "RESTRICTED")


@pytest.fixture
def secret_plan(session, operator):
    """A SECRET matrix named 'plan-b', active, with a SECRET scenario of the same name."""
    service.save_matrix(
        session, user=operator, data=matrix("plan-b", marking="SECRET", active=True)
    )
    service.save_scenario(
        session, user=operator, data=scenario("plan-b", matrix="plan-b", marking="SECRET")
    )
    session.flush()
    return session.execute(select(Matrix).where(Matrix.name == "plan-b")).scalar_one()


def test_a_matrix_name_is_replaced_only_when_asked(session, operator):
    service.save_matrix(session, user=operator, data=matrix("m"))
    changed = [[0.0, 0.1, 0.1], [0.1, 0.0, 0.1], [0.1, 0.1, 0.0]]
    with pytest.raises(Conflict, match=r"name: a matrix named 'm' exists .*replace"):
        service.save_matrix(
            session, user=operator, data=matrix("m").model_copy(update={"values": changed})
        )
    assert service.get_matrix(session, user=operator, name="m").values == A_STAR
    data = matrix("m", replace=True).model_copy(update={"values": changed})
    assert service.save_matrix(session, user=operator, data=data).values == changed
    assert len(service.list_matrices(session, user=operator)) == 1
    grid = ConsequenceMatrixCreate(name="m", sectors=["energy"], scores=[[0]])
    with pytest.raises(Conflict, match="replace"):
        service.save_consequence_matrix(session, user=operator, data=grid)


def test_a_scenario_name_is_replaced_only_when_asked(session, operator):
    service.save_matrix(session, user=operator, data=matrix("m", active=True))
    service.save_scenario(session, user=operator, data=scenario("s"))
    with pytest.raises(Conflict, match=r"name: a scenario named 's' exists .*replace"):
        service.save_scenario(session, user=operator, data=scenario("s"))
    saved = service.save_scenario(
        session, user=operator, data=scenario("s", replace=True, title="Longer blackout")
    )
    assert saved.title == "Longer blackout"
    with pytest.raises(Invalid, match="matrix: no stored matrix is named 'atlantis'"):
        service.save_scenario(session, user=operator, data=scenario("t", matrix="atlantis"))


def test_activate_switches_the_active_matrix_and_is_audited(session, operator):
    service.save_matrix(session, user=operator, data=matrix("first"))
    service.save_matrix(session, user=operator, data=matrix("second"))
    assert service.get_matrix(session, user=operator).name == "first"
    out = service.activate_matrix(session, user=operator, name="second")
    assert out.active and service.get_matrix(session, user=operator).name == "second"
    assert [m.name for m in service.list_matrices(session, user=operator) if m.active] == ["second"]
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "resilience.matrix.activate")
    ).scalar_one()
    assert event.object_id == "second"
    with pytest.raises(Exception, match="matrix 'nope' not found"):
        service.activate_matrix(session, user=operator, name="nope")


def test_a_restricted_user_activating_never_touches_a_secret_namesake(
    session, operator, restricted, secret_plan
):
    service.save_matrix(session, user=restricted, data=matrix("plan-b", marking="RESTRICTED"))
    service.save_matrix(session, user=restricted, data=matrix("other"))
    out = service.activate_matrix(session, user=restricted, name="plan-b")
    assert (out.name, out.marking, out.active) == ("plan-b", "RESTRICTED", True)
    session.refresh(secret_plan)
    assert secret_plan.active and secret_plan.marking_level > 1  # untouched, still active
    mine = service.get_matrix(session, user=restricted)
    assert (mine.name, mine.marking) == ("plan-b", "RESTRICTED")
    theirs = service.get_matrix(session, user=operator)
    assert (theirs.name, theirs.marking) == ("plan-b", "SECRET")
    event = session.execute(
        select(AuditEvent).where(AuditEvent.action == "resilience.matrix.activate")
    ).scalar_one()
    assert "SECRET" not in str(event.before) + str(event.after)


def test_a_restricted_user_replacing_never_touches_a_secret_namesake(
    session, operator, restricted, secret_plan
):
    before = (secret_plan.values, secret_plan.updated_at)
    # The SECRET matrix and scenario are not there for this user: the names are free.
    service.save_matrix(session, user=restricted, data=matrix("plan-b"))
    service.save_matrix(session, user=restricted, data=matrix("plan-b", replace=True))
    service.save_scenario(session, user=restricted, data=scenario("plan-b", matrix="plan-b"))
    service.save_scenario(
        session, user=restricted, data=scenario("plan-b", matrix="plan-b", replace=True)
    )
    session.refresh(secret_plan)
    assert (secret_plan.values, secret_plan.updated_at) == before and secret_plan.active
    rows = session.execute(select(Matrix).where(Matrix.name == "plan-b")).scalars().all()
    assert sorted(r.marking_level for r in rows) == [0, secret_plan.marking_level]
    scenarios = session.execute(select(Scenario).where(Scenario.name == "plan-b")).scalars()
    assert sorted(s.title for s in scenarios) == ["Blackout", "Blackout"]
    assert service.get_scenario(session, user=operator, name="plan-b").marking == "SECRET"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"shocks": {"energy": 1.5}}, "shock on energy must be a share between 0 and 1"),
        ({"shocks": {"energy": "lots"}}, "shock on energy: 'lots' is not a number"),
        ({"shocks": {"energy": 0}}, "give at least one sector a shock above 0 %"),
        ({"recovery_days": {"energy": 0}}, "recovery time of energy must be above 0 days"),
        ({"shock_steps": -3}, "a whole number of days from 0 to 3650; got -3"),
        ({"steps": 0}, "a whole number of days from 1 to 3650; got -1"),
    ],
)
def test_scenario_input_is_refused_with_one_message(change, message):
    with pytest.raises(ValidationError, match=message):
        ScenarioCreate(**{"name": "s", "title": "t", "shocks": {"energy": 0.3}, **change})


def test_a_consequence_grid_names_every_bad_cell(session, operator):
    data = ConsequenceMatrixCreate(
        name="w", sectors=["energy", "transport"], scores=[["0", "9"], ["x", 3]]
    )
    with pytest.raises(Invalid) as exc:
        service.save_consequence_matrix(session, user=operator, data=data)
    assert exc.value.details == [
        "consequence score [energy, transport] = '9' is not an integer from 0 to 5",
        "consequence score [transport, energy] = 'x' is not an integer from 0 to 5",
    ]
    ok = data.model_copy(update={"scores": [["", "3"], [5, 0]]})
    saved = service.save_consequence_matrix(session, user=operator, data=ok)
    assert saved.values == [[0.0, 0.2], [0.6, 0.0]] and saved.provenance["scores"] == [
        [0, 3],
        [5, 0],
    ]
    with pytest.raises(ValidationError, match="2 sectors need a 2 × 2 grid"):
        ConsequenceMatrixCreate(name="w", sectors=["energy", "transport"], scores=[[0, 1]])
