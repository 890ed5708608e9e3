"""The resilience rules through the API and the pages alike: replace only when asked,
activation, and the same message for the same wrong scenario or consequence grid."""

from __future__ import annotations

import html

import pytest

from grandstrategy.resilience import service
from tests.api.test_resilience_api import SCENARIO_FORM, data, officer_on, token_of

__all__ = ["data"]  # the fixture, shared with the API tests

SECTORS = ["energy", "transport", "health"]
A_STAR = [[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.25, 0.1, 0.0]]


def _matrix(name: str, **more) -> dict:
    return {"name": name, "sectors": SECTORS, "values": A_STAR, **more}


def test_api_replaces_a_matrix_or_scenario_only_when_asked(client, token_for):
    officer = token_for("resilience-officer")
    assert (
        client.post("/api/resilience/matrices", json=_matrix("m"), headers=officer).status_code
        == 201
    )
    r = client.post("/api/resilience/matrices", json=_matrix("m"), headers=officer)
    assert r.status_code == 409 and "name: a matrix named 'm' exists" in r.json()["detail"]
    r = client.post("/api/resilience/matrices", json=_matrix("m", replace=True), headers=officer)
    assert r.status_code == 201 and "replace" not in r.json()
    body = {"name": "s", "title": "Blackout", "shocks": {"energy": 0.3}}
    assert client.post("/api/resilience/scenarios", json=body, headers=officer).status_code == 201
    r = client.post("/api/resilience/scenarios", json=body, headers=officer)
    assert r.status_code == 409 and "replace" in r.json()["detail"]
    r = client.post("/api/resilience/scenarios", json={**body, "replace": True}, headers=officer)
    assert r.status_code == 201


def test_api_activates_a_matrix(client, token_for):
    officer = token_for("resilience-officer")
    for name in ("first", "second"):
        client.post("/api/resilience/matrices", json=_matrix(name), headers=officer)
    assert client.get("/api/resilience/matrices/active", headers=officer).json()["name"] == "first"
    r = client.post("/api/resilience/matrices/second/activate", headers=officer)
    assert r.status_code == 200 and r.json()["active"] is True
    assert client.get("/api/resilience/matrices/active", headers=officer).json()["name"] == "second"
    assert client.post("/api/resilience/matrices/nope/activate", headers=officer).status_code == 404
    reader = token_for("analyst")
    assert client.post("/api/resilience/matrices/first/activate", headers=reader).status_code == 403


def test_api_stores_a_matrix_from_consequence_scores(client, token_for):
    officer = token_for("resilience-officer")
    body = {"name": "w", "sectors": ["energy", "transport"], "scores": [[0, 3], [5, 0]]}
    r = client.post("/api/resilience/matrices/from-scores", json=body, headers=officer)
    assert r.status_code == 201, r.text
    assert r.json()["values"] == [[0.0, 0.2], [0.6, 0.0]]
    r = client.post("/api/resilience/matrices/from-scores", json=body, headers=officer)
    assert r.status_code == 409


def _page_problems(text: str) -> str:
    return html.unescape(text.split('role="alert"')[1].split("</div>")[0])


@pytest.mark.parametrize(
    ("form", "body"),
    [
        ({"shock.transport": "150"}, {"shocks": {"transport": 1.5}}),
        ({"shock.transport": "lots"}, {"shocks": {"transport": "lots"}}),
        ({"shock.transport": "0"}, {"shocks": {"transport": 0}}),
        ({"recovery.transport": "-2"}, {"recovery_days": {"transport": -2}}),
        ({"shock_days": "4000"}, {"shock_steps": 4000}),
        ({"days": "0"}, {"steps": 1}),
        ({"matrix": "atlantis"}, {"matrix": "atlantis"}),
    ],
)
def test_a_wrong_scenario_gets_the_same_message_from_page_and_api(
    client, session, token_for, data, form, body
):
    api = {
        "name": "rail-strike",
        "title": "Strike",
        "matrix": "demo",
        "shocks": {"transport": 0.5},
        **body,
    }
    r = client.post("/api/resilience/scenarios", json=api, headers=token_for("resilience-officer"))
    assert r.status_code == 422, r.text
    said = " ".join([r.json()["detail"], *r.json().get("errors", [])])
    officer_on(client, session)
    token = token_of(client, "/resilience/scenarios/new")
    page = client.post(
        "/resilience/scenarios/new", data={**SCENARIO_FORM, **form, "csrf_token": token}
    )
    assert page.status_code == 422
    shown = _page_problems(page.text)
    message = shown.split("</li>")[0].split("): ", 1)[-1].removeprefix("<p>")
    if "<li>" not in shown:  # a service refusal: the whole message
        message = shown.split("<p>")[1].split("</p>")[0]
    assert message and message in said, (message, said)


def test_a_wrong_grid_gets_the_same_message_from_page_and_api(client, session, token_for, data):
    body = {"name": "w", "sectors": ["energy", "transport"], "scores": [[0, "9"], [0, 0]]}
    headers = token_for("resilience-officer")
    r = client.post("/api/resilience/matrices/from-scores", json=body, headers=headers)
    assert r.status_code == 422
    officer_on(client, session)
    token = token_of(client, "/resilience/matrix")
    form = {
        "csrf_token": token,
        "name": "w",
        "include": ["energy", "transport"],
        "score.energy.transport": "9",
    }
    page = client.post("/resilience/matrix/scores", data=form)
    assert page.status_code == 422
    message = "consequence score [energy, transport] = '9' is not an integer from 0 to 5"
    assert message in r.json()["detail"] and message in html.unescape(page.text)


def test_page_activation_uses_the_service(client, session, operator, data):
    officer_on(client, session)
    token = token_of(client, "/resilience/matrix")
    r = client.post("/resilience/matrix/activate", data={"csrf_token": token, "name": "nope"})
    assert r.status_code == 404
    client.post(
        "/resilience/matrix/scores",
        data={"csrf_token": token, "name": "other", "include": ["energy"]},
    )
    assert service.get_matrix(session, user=operator).name == "demo"
    r = client.post(
        "/resilience/matrix/activate",
        data={"csrf_token": token, "name": "other"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "flash=" in r.headers["location"]
    session.expire_all()
    assert service.get_matrix(session, user=operator).name == "other"
