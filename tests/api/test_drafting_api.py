"""The drafting API: a round from opening to report, refusals, scoped participants, and a
lower-cleared reader who never learns of a contribution above their clearance."""

from __future__ import annotations

import pytest

from tests.helpers import PASSWORD, SECRET_TITLE, make_user

ALL = ["NATO", "EU", "NATIONAL-ONLY"]


@pytest.fixture
def login(client, session, loaded):
    def make(name: str, role: str, clearance: str = "UNCLASSIFIED", comps=None) -> dict:
        make_user(session, name, role, clearance, comps)
        session.commit()
        return token(name)

    def token(name: str, password: str = PASSWORD) -> dict:
        r = client.post("/api/auth/token", json={"username": name, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    make.token = token  # type: ignore[attr-defined]
    return make


@pytest.fixture
def team(client, login):
    heads = {
        "pen": login("pen", "pen-holder", "SECRET", ALL),
        "dept": login("dept", "contributor", "RESTRICTED"),
        "low": login("low", "contributor", "UNCLASSIFIED"),
    }
    r = client.post("/api/drafting/cycles", headers=heads["pen"],
                    json={"name": "nss-next", "pen_holder": "pen"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post("/api/drafting/rounds", headers=heads["pen"],
                    json={"name": "departments", "audience": "departments",
                          "marking": "RESTRICTED"})  # fmt: skip
    assert r.status_code == 201, r.text
    return heads


def test_a_round_from_contribution_to_report(client, team):
    pen, dept = team["pen"], team["dept"]
    r = client.get("/api/drafting/rounds/departments/draft", headers=dept)
    assert r.status_code == 200 and any(x["id"] == "deter" for x in r.json()["records"])
    r = client.post("/api/drafting/rounds/departments/contributions", headers=dept,
                    json={"on": "objectives/deter.title[0:8]", "text": "Say what credible means.",
                          "organisation": "Ministry of Defence"})  # fmt: skip
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["quote"] == "Credible"
    body = {"disposition": "partly", "reason": "Defined in the indicators."}
    r = client.post(f"/api/drafting/contributions/{cid}/decision", headers=dept, json=body)
    assert r.status_code == 403 and "may decide" in r.json()["detail"]
    r = client.post("/api/drafting/rounds/departments/close", headers=pen)
    assert r.status_code == 409 and "without a decision" in r.json()["detail"]
    assert [c["id"] for c in client.get("/api/drafting/queue", headers=pen).json()] == [cid]
    r = client.post(f"/api/drafting/contributions/{cid}/decision", headers=pen, json=body)
    assert r.status_code == 200 and r.json()["disposition"] == "partly"
    r = client.post("/api/drafting/rounds/departments/close", headers=pen)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = client.get("/api/drafting/rounds/departments/report", headers=dept)
    assert r.status_code == 200 and r.headers["x-marking"] == "RESTRICTED"
    assert "Say what credible means." in r.text and "Defined in the indicators." in r.text
    r = client.get("/api/drafting/cycles/nss-next/report?format=docx", headers=dept)
    assert r.status_code == 200 and r.content.startswith(b"PK")


def test_bad_input_is_named_never_a_500(client, team):
    pen, dept = team["pen"], team["dept"]
    r = client.post("/api/drafting/rounds", headers=pen, json={"name": "x", "audience": "all"})
    assert r.status_code == 422 and any("audience" in e for e in r.json()["errors"])
    r = client.post("/api/drafting/rounds/departments/contributions", headers=dept,
                    json={"on": "deter", "text": "x", "organisation": "M"})  # fmt: skip
    assert r.status_code == 422 and "anchor" in r.json()["detail"]
    r = client.get("/api/drafting/rounds/departments/report?format=odt", headers=dept)
    assert r.status_code == 422 and "format" in r.json()["detail"]
    r = client.post("/api/drafting/contributions/999/decision", headers=pen,
                    json={"disposition": "maybe", "reason": "x"})  # fmt: skip
    assert r.status_code == 422
    r = client.post("/api/drafting/cycles", headers=pen,
                    json={"name": "again", "pen_holder": "pen"})  # fmt: skip
    assert r.status_code == 409


def test_a_lower_cleared_reader_sees_nothing_above_clearance(client, team):
    pen, dept = team["pen"], team["dept"]
    for text, marking, who in (("Visible note.", "RESTRICTED", dept),
                               (f"About {SECRET_TITLE}.", "CONFIDENTIAL", pen)):  # fmt: skip
        r = client.post("/api/drafting/rounds/departments/contributions", headers=who,
                        json={"on": "objectives/deter", "text": text, "organisation": "X",
                              "marking": marking})  # fmt: skip
        assert r.status_code == 201, r.text
    hidden_id = r.json()["id"]  # the last one: CONFIDENTIAL
    listed = client.get("/api/drafting/contributions", headers=dept).json()
    assert [c["text"] for c in listed] == ["Visible note."]
    rd = client.get("/api/drafting/rounds/departments", headers=dept).json()
    assert rd["contributions"] == 1 and rd["undecided"] == 1
    assert client.get("/api/drafting/rounds/departments", headers=pen).json()["contributions"] == 2
    r = client.get("/api/drafting/rounds/departments/report", headers=dept)
    assert SECRET_TITLE not in r.text and "Visible note." in r.text
    assert client.get(f"/api/drafting/contributions/{hidden_id}", headers=dept).status_code == 404
    low = team["low"]
    assert client.get("/api/drafting/rounds", headers=low).json() == []
    assert client.get("/api/drafting/rounds/departments", headers=low).status_code == 404


def test_an_invited_participant_sees_only_their_round_until_it_closes(client, team, login):
    pen = team["pen"]
    r = client.post("/api/drafting/rounds", headers=pen,
                    json={"name": "roundtable", "audience": "roundtable"})  # fmt: skip
    assert r.status_code == 201
    r = client.post("/api/drafting/rounds/roundtable/participants", headers=pen,
                    json={"username": "ngo.rep", "organisation": "Peace Lab", "org_kind": "ngo",
                          "password": "a long enough secret"})  # fmt: skip
    assert r.status_code == 201, r.text
    guest = login.token("ngo.rep", "a long enough secret")
    assert [x["name"] for x in client.get("/api/drafting/rounds", headers=guest).json()] == [
        "roundtable"
    ]
    draft = client.get("/api/drafting/rounds/roundtable/draft", headers=guest).json()
    assert {x["marking"] for x in draft["records"]} == {"UNCLASSIFIED"}
    assert client.get("/api/drafting/rounds/departments/draft", headers=guest).status_code == 404
    assert client.get("/api/strategy/objectives", headers=guest).status_code == 403
    assert client.get("/api/drafting/cycles", headers=guest).json() == []
    r = client.post("/api/drafting/rounds/roundtable/contributions", headers=guest,
                    json={"on": "interests/safety", "text": "Add human security."})  # fmt: skip
    assert r.status_code == 201 and r.json()["organisation"] == "Peace Lab"
    cid = r.json()["id"]
    client.post(f"/api/drafting/contributions/{cid}/decision", headers=pen,
                json={"disposition": "defer", "reason": "For the review."})  # fmt: skip
    assert client.post("/api/drafting/rounds/roundtable/close", headers=pen).status_code == 200
    assert client.get("/api/drafting/rounds", headers=guest).status_code == 401
