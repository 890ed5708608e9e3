"""The secretariat's delivery forms, through the pages: a deployment added and corrected, a
capability target recorded; a refused form comes back naming the field, with what was typed."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from grandstrategy.delivery import service
from tests.helpers import PASSWORD, make_user


@pytest.fixture
def browser(app, session, loaded):
    """A logged-in analyst (the secretariat: delivery.manage) and their form token."""
    make_user(session, "sam", "analyst", "RESTRICTED")
    session.commit()
    b = TestClient(app)
    r = b.post("/login", data={"username": "sam", "password": PASSWORD,
                               "csrf_token": _csrf(b.get("/login").text)},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return b, _csrf(b.get("/delivery/deployments/new").text)


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m
    return m.group(1)


DEPLOYMENT = {
    "key": "baltic-air",
    "name": "Baltic air policing",
    "framework": "NATO",
    "theatre": "Lithuania",
    "personnel": "90",
    "annual_cost": "12,5",
    "start": "2025-01-01",
    "end": "",
    "objectives": "deter",
    "marking_level": "UNCLASSIFIED",
}


def test_a_deployment_is_added_then_corrected(browser, session, operator):
    b, token = browser
    r = b.post("/delivery/deployments/new", data={**DEPLOYMENT, "csrf_token": token},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    assert "Baltic" in b.get(r.headers["location"]).text
    (d,) = service.deployments(session, user=operator)
    assert (d.annual_cost, d.objectives, d.end) == (12.5, ["deter"], None)
    form = b.get("/delivery/deployments/baltic-air/edit").text
    assert 'value="Lithuania"' in form and "readonly" in form
    r = b.post("/delivery/deployments/baltic-air/edit", data={
        **DEPLOYMENT, "theatre": "Estonia", "end": "2026-12-31", "csrf_token": token},
        follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    session.expire_all()
    (d,) = service.deployments(session, user=operator)
    assert (d.theatre, d.end.isoformat()) == ("Estonia", "2026-12-31")


def test_a_refused_deployment_names_the_field_and_keeps_what_was_typed(browser):
    b, token = browser
    bad = {**DEPLOYMENT, "personnel": "many", "end": "2024-01-01", "csrf_token": token}
    r = b.post("/delivery/deployments/new", data=bad)
    assert r.status_code == 422
    assert "Personnel (personnel)" in r.text
    assert 'value="many"' in r.text and 'value="Lithuania"' in r.text
    assert re.search(r'<option value="deter"\s+selected', r.text)
    r = b.post("/delivery/deployments/new", data={**bad, "personnel": "90"})
    assert r.status_code == 422 and "cannot end before it starts" in r.text
    assert b.get("/delivery/deployments/nothing/edit").status_code == 404


def test_a_capability_target_is_recorded_and_corrected(browser, session, operator):
    b, token = browser
    data = {"capability": "army", "measure": "units", "year": "2026", "target": "12",
            "delivered": "10", "spend": "", "marking_level": "UNCLASSIFIED",
            "csrf_token": token}  # fmt: skip
    r = b.post("/delivery/capabilities/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    form = b.get("/delivery/capabilities/new?capability=army&measure=units&year=2026").text
    assert 'value="12"' in form and 'value="10"' in form
    r = b.post("/delivery/capabilities/new", data={**data, "delivered": "11"},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    (c,) = service.capability_values(session, user=operator)
    assert (c.targets, c.delivered, c.spend) == ([12.0], [11.0], [None])
    r = b.post("/delivery/capabilities/new", data={**data, "target": "-3", "year": "3000"})
    assert r.status_code == 422
    assert "Target (target)" in r.text and "Year (year)" in r.text and 'value="-3"' in r.text
    r = b.post("/delivery/capabilities/new", data={**data, "capability": "nothing"})
    assert r.status_code == 422 and "Capability (capability): no capability" in r.text


def test_a_reader_gets_no_form(client, session, loaded):
    make_user(session, "rita", "reader")
    session.commit()
    client.post("/login", data={"username": "rita", "password": PASSWORD,
                                    "csrf_token": _csrf(client.get("/login").text)},
                    follow_redirects=False)  # fmt: skip
    assert client.get("/delivery/deployments/new").status_code == 403
