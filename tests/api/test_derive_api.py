"""Departmental strategies over the API: members derive and add objectives serving national
ones, others get 403, a hidden derived strategy is 404, the cascade hides what it must."""

from __future__ import annotations

import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.memberships import set_user_actors
from tests.helpers import PASSWORD, SECRET_TITLE, make_user


@pytest.fixture
def login(client, session):
    def make(name, role, actors=(), clearance="UNCLASSIFIED"):
        make_user(session, name, role, clearance)
        set_user_actors(session, actor=Principal.operator("t"), username=name, actors=actors)
        session.commit()
        r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return make


def test_member_derives_adds_and_edits_non_member_is_refused(client, loaded, login):
    dora = login("dora", "contributor", ["defence"])
    ivan = login("ivan", "contributor", ["intel"])
    r = client.post("/api/strategy/derived", json={"actor": "defence"}, headers=ivan)
    assert r.status_code == 403 and "only members of defence" in r.json()["detail"]
    r = client.post("/api/strategy/derived", json={"actor": "defence"}, headers=dora)
    assert r.status_code == 201, r.text
    key = r.json()["id"]
    body = {"id": "brigade", "title": "Brigade ready", "horizon": 5, "serves": "deter"}
    r = client.post(f"/api/strategy/derived/{key}/objectives", json=body, headers=dora)
    assert r.status_code == 201, r.text
    assert r.json()["serves"] == "deter"
    r = client.post(f"/api/strategy/derived/{key}/objectives", json={**body, "id": "x",
                    "serves": "nothing"}, headers=dora)  # fmt: skip
    assert r.status_code == 422 and "serves" in r.text
    r = client.patch(f"/api/strategy/derived/{key}/objectives/brigade",
                     json={"serves": "protect-elections"}, headers=ivan)  # fmt: skip
    assert r.status_code == 403
    r = client.patch(f"/api/strategy/derived/{key}/objectives/brigade",
                     json={"serves": "protect-elections"}, headers=dora)  # fmt: skip
    assert r.status_code == 200 and r.json()["serves"] == "protect-elections"
    listed = client.get("/api/strategy/derived", headers=ivan).json()
    assert [(d["id"], d["objectives"]) for d in listed] == [(key, 1)]
    one = client.get(f"/api/strategy/derived/{key}", headers=ivan).json()
    assert [o["id"] for o in one["objectives"]] == ["brigade"]
    # the national strategy stays the current one
    assert client.get("/api/strategy", headers=ivan).json()["meta"]["id"] == "testland-nss"
    cascade = client.get("/api/strategy/cascade", headers=ivan).json()
    assert ("protect-elections", "brigade") in {(c["national_id"], c["objective_id"])
                                                for c in cascade}  # fmt: skip
    trace = client.get("/api/strategy/trace", headers=ivan).json()
    assert trace["cascade"] == cascade


def test_lower_cleared_reader_sees_no_hidden_cascade(client, loaded, login, operator, session):
    from grandstrategy.strategy import service

    key = service.derive(session, user=operator, actor="intel").id
    service.add_objective(session, user=operator, key=key, data={
        "id": "cells", "title": "Walrus cells", "horizon": 5, "serves": "zebra-cell"})  # fmt: skip
    hidden = service.derive(session, user=operator, actor="defence", marking="CONFIDENTIAL").id
    session.commit()
    low = login("lou", "reader")
    for path in ("/api/strategy/derived", "/api/strategy/cascade", "/api/strategy/lint",
                 "/api/strategy/trace", f"/api/strategy/derived/{key}"):  # fmt: skip
        r = client.get(path, headers=low)
        assert r.status_code == 200, path
        assert "zebra" not in r.text and SECRET_TITLE not in r.text and hidden not in r.text
    one = client.get(f"/api/strategy/derived/{key}", headers=low).json()
    assert one["objectives"][0]["serves"] is None
    assert client.get(f"/api/strategy/derived/{hidden}", headers=low).status_code == 404


def test_the_departmental_pages(client, loaded, operator, session, login):
    from grandstrategy.strategy import service

    key = service.derive(session, user=operator, actor="defence").id
    service.add_objective(session, user=operator, key=key, data={
        "id": "brigade", "title": "Brigade ready", "horizon": 5, "serves": "deter"})  # fmt: skip
    session.commit()
    make_user(session, "pam", "reader")
    session.commit()
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/login", data={"username": "pam", "password": PASSWORD,
                                    "csrf_token": token}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    html = client.get("/strategy/departmental").text
    assert "Ministry of Defence: departmental strategy" in html and "Brigade ready" in html
    assert "served by no departmental objective" in html
    html = client.get(f"/strategy/departmental/{key}").text
    assert "Brigade ready" in html and "Credible deterrence" in html
    assert client.get("/strategy/departmental/nothing").status_code == 404
    assert "Departmental cascade" in client.get("/strategy/trace").text
