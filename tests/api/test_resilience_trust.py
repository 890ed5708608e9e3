"""Resilience input and existence oracles: ragged matrices, names held by hidden records,
activation of a matrix next to one the user cannot see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grandstrategy.resilience import service
from grandstrategy.resilience.models import Matrix, Scenario
from grandstrategy.resilience.schemas import MatrixCreate, ScenarioCreate

SECTORS = ["energy", "transport", "health"]
A_STAR = [[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.25, 0.1, 0.0]]
HIDDEN = "SECRET"


def _matrix(name: str, *, marking: str = "UNCLASSIFIED", active: bool = False) -> dict:
    return {
        "name": name,
        "sectors": SECTORS,
        "values": A_STAR,
        "marking": marking,
        "active": active,
    }


@pytest.fixture
def hidden(session, operator):
    """A SECRET matrix, active, and a SECRET scenario on it: both named 'plan-b'."""
    service.save_matrix(
        session, user=operator, data=MatrixCreate(**_matrix("plan-b", marking=HIDDEN, active=True))
    )
    service.save_scenario(
        session,
        user=operator,
        data=ScenarioCreate(
            name="plan-b",
            title="Walrus contingency",
            matrix="plan-b",
            shocks={"energy": 0.5},
            marking=HIDDEN,
        ),
    )
    session.commit()


def test_ragged_values_answer_422_naming_the_row(client, token_for):
    officer = token_for("resilience-officer")
    body = _matrix("ragged") | {"values": [[0.0, 0.1, 0.0], [0.2, 0.0], [0.0, 0.0, 0.0]]}
    r = client.post("/api/resilience/matrices", json=body, headers=officer)
    assert r.status_code == 422, r.text
    assert "row 2 (transport) has 2 values; need 3" in " ".join(r.json()["errors"])
    short = _matrix("short") | {"values": [[0.0, 0.1, 0.0]]}
    r = client.post("/api/resilience/matrices", json=short, headers=officer)
    assert r.status_code == 422
    assert "values has 1 rows; the 3 sectors need 3" in " ".join(r.json()["errors"])


def test_matrix_name_held_by_a_hidden_matrix_is_free(client, token_for, session, hidden):
    low = token_for("resilience-officer")
    r = client.post("/api/resilience/matrices", json=_matrix("plan-b"), headers=low)
    assert r.status_code == 201, r.text
    assert r.json()["marking"] == "UNCLASSIFIED"
    # Both exist; each user sees the one at the highest marking they may read.
    assert client.get("/api/resilience/matrices/plan-b", headers=low).json()["marking"] == (
        "UNCLASSIFIED"
    )
    high = token_for("resilience-officer", HIDDEN)
    assert client.get("/api/resilience/matrices/plan-b", headers=high).json()["marking"] == HIDDEN
    names = [m.marking_level for m in session.execute(select(Matrix)).scalars()]
    assert len(names) == 2


def test_scenario_name_held_by_a_hidden_scenario_is_free(client, token_for, hidden):
    low = token_for("resilience-officer")
    assert (
        client.post("/api/resilience/matrices", json=_matrix("mine"), headers=low).status_code
        == 201
    )
    body = {
        "name": "plan-b",
        "title": "Port strike",
        "matrix": "mine",
        "shocks": {"transport": 0.2},
    }
    r = client.post("/api/resilience/scenarios", json=body, headers=low)
    assert r.status_code == 201, r.text
    assert client.get("/api/resilience/scenarios/plan-b", headers=low).json()["title"] == (
        "Port strike"
    )
    high = token_for("resilience-officer", HIDDEN)
    seen = client.get("/api/resilience/scenarios/plan-b", headers=high).json()
    assert seen["title"] == "Walrus contingency"


def test_activating_a_matrix_leaves_hidden_matrices_alone(client, token_for, session, hidden):
    low = token_for("resilience-officer")
    r = client.post("/api/resilience/matrices", json=_matrix("open", active=True), headers=low)
    assert r.status_code == 201
    secret = session.execute(select(Matrix).where(Matrix.marking_level > 0)).scalar_one()
    session.refresh(secret)
    assert secret.active, "a user without clearance switched off a SECRET matrix"
    # For the low user the new matrix is the active one; the cleared user still has theirs.
    assert client.get("/api/resilience/matrices/active", headers=low).json()["name"] == "open"
    high = token_for("resilience-officer", HIDDEN)
    active = client.get("/api/resilience/matrices/active", headers=high).json()
    assert (active["name"], active["marking"]) == ("plan-b", HIDDEN)


def test_first_visible_matrix_becomes_active_whatever_is_hidden(client, token_for, hidden):
    """Whether a new matrix becomes active must not reveal that a hidden one is active."""
    low = token_for("resilience-officer")
    r = client.post("/api/resilience/matrices", json=_matrix("first"), headers=low)
    assert r.json()["active"] is True
    assert client.get("/api/resilience/indices", headers=low).json()[0]["sector"] == "energy"


def test_several_visible_namesakes_need_a_marking(client, token_for, session, hidden):
    high = token_for("resilience-officer", HIDDEN)
    low = token_for("resilience-officer")
    assert (
        client.post("/api/resilience/matrices", json=_matrix("plan-b"), headers=low).status_code
        == 201
    )
    # The cleared user sees both: saving at a third marking is ambiguous, and says which exist.
    r = client.post(
        "/api/resilience/matrices", json=_matrix("plan-b", marking="RESTRICTED"), headers=high
    )
    assert r.status_code == 409
    assert "UNCLASSIFIED" in r.json()["detail"] and HIDDEN in r.json()["detail"]
    # At one of the two markings it replaces that one only, when asked to.
    r = client.post("/api/resilience/matrices", json=_matrix("plan-b"), headers=high)
    assert r.status_code == 409 and "replace" in r.json()["detail"]
    body = _matrix("plan-b") | {"replace": True}
    r = client.post("/api/resilience/matrices", json=body, headers=high)
    assert r.status_code == 201
    assert session.execute(select(Scenario)).scalars().all()  # the hidden scenario is intact


@pytest.mark.parametrize(
    "path", [f"/api/horizon/documents/{2**70}", f"/api/horizon/passages/{2**64}/explain"]
)
def test_ids_beyond_64_bits_are_the_callers_mistake(client, token_for, path):
    """The driver cannot bind such a number: that must read as bad input, not a crash."""
    r = client.get(path, headers=token_for("admin", HIDDEN))
    assert r.status_code in (404, 422), r.text
