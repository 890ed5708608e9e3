"""The delivery JSON API: check-ins by members only, judgements by the secretariat, the
dashboard without hidden objectives, the budget against Allies, clear errors."""

from __future__ import annotations

import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.memberships import set_user_actors
from tests.helpers import PASSWORD, SECRET_TITLE, make_user

ROW_KEYS = {"objective", "owner", "owner_status", "rating", "trajectory", "deadline", "overdue"}


@pytest.fixture
def login(client, session):
    """login(name, role, actors, clearance) -> headers of a fresh user in those actors."""

    def make(name, role, actors=(), clearance="UNCLASSIFIED"):
        make_user(session, name, role, clearance)
        set_user_actors(session, actor=Principal.operator("t"), username=name, actors=actors)
        session.commit()
        r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return make


CHECKIN = {"status": "at-risk", "values": [{"name": "readiness", "value": 66}],
           "narrative": "Two units short", "reported_on": "2026-06-01"}  # fmt: skip


def test_member_checks_in_and_non_member_is_refused(client, loaded, login):
    dora = login("dora", "contributor", ["defence"])
    ivan = login("ivan", "contributor", ["intel"])
    r = client.post("/api/delivery/objectives/deter/checkins", json=CHECKIN, headers=dora)
    assert r.status_code == 201, r.text
    assert (r.json()["actor"], r.json()["values"][0]["on"]) == ("defence", "2026-06-01")
    r = client.post("/api/delivery/objectives/deter/checkins", json=CHECKIN, headers=ivan)
    assert r.status_code == 403
    assert "only members of defence" in r.json()["detail"]


def test_judgement_needs_the_secretariat_and_disagreement_shows(client, loaded, login):
    dora = login("dora", "contributor", ["defence"])
    sam = login("sam", "analyst")
    client.post("/api/delivery/objectives/deter/checkins", headers=dora,
                json={**CHECKIN, "status": "on-track"})  # fmt: skip
    body = {"rating": "red", "reason": "Budget frozen"}
    r = client.post("/api/delivery/objectives/deter/judgements", json=body, headers=dora)
    assert r.status_code == 403
    r = client.post("/api/delivery/objectives/deter/judgements", json=body, headers=sam)
    assert r.status_code == 201, r.text
    rows = client.get("/api/delivery/dashboard", headers=sam).json()
    deter = next(x for x in rows if x["objective"] == "deter")
    assert set(deter) >= ROW_KEYS
    assert (deter["owner_status"], deter["rating"], deter["disagreement"]) == (
        "on-track", "red", True)  # fmt: skip
    red = client.get("/api/delivery/dashboard", params={"rating": "red"}, headers=sam).json()
    assert [x["objective"] for x in red] == ["deter"]


def test_lower_cleared_reader_sees_no_hidden_objective(client, loaded, login, operator, session):
    from grandstrategy.delivery import service
    from grandstrategy.delivery.schemas import CheckInCreate

    service.check_in(session, user=operator, objective="zebra-cell",
                     data=CheckInCreate(status="off-track", narrative="Zebra late"))  # fmt: skip
    session.commit()
    low = login("cm", "council-member", clearance="RESTRICTED")
    r = client.get("/api/delivery/dashboard", headers=low)
    assert r.status_code == 200
    assert "zebra-cell" not in r.text and SECRET_TITLE not in r.text
    assert client.get("/api/delivery/objectives/zebra-cell", headers=low).status_code == 404
    high = login("boss", "council-member", clearance="SECRET")
    r = client.get("/api/delivery/objectives/zebra-cell", headers=high)
    assert r.status_code == 200 and r.json()["row"]["owner_status"] == "off-track"


def test_bad_input_is_422_or_404_never_500(client, loaded, login):
    dora = login("dora", "contributor", ["defence"])
    bad = {**CHECKIN, "status": "splendid"}
    r = client.post("/api/delivery/objectives/deter/checkins", json=bad, headers=dora)
    assert r.status_code == 422 and "status" in str(r.json()["errors"])
    bad = {**CHECKIN, "values": [{"name": "speed", "value": 1}]}
    r = client.post("/api/delivery/objectives/deter/checkins", json=bad, headers=dora)
    assert r.status_code == 422 and "speed" in r.json()["detail"]
    r = client.post("/api/delivery/objectives/nope/checkins", json=CHECKIN, headers=dora)
    assert r.status_code == 404
    r = client.get("/api/delivery/dashboard", params={"rating": "purple"}, headers=dora)
    assert r.status_code == 422


def test_what_i_owe(client, loaded, login):
    dora = login("dora", "contributor", ["defence"])
    r = client.get("/api/delivery/owed", params={"on": "2026-05-01", "cycle_days": 90},
                   headers=dora)  # fmt: skip
    assert [(o["objective"], o["days_late"]) for o in r.json()] == [("deter", 30)]


def test_budget_history_and_path(client, login):
    cm = login("cm", "council-member")
    h = client.get("/api/delivery/budget/history", params={"country": "BEL"}, headers=cm).json()
    assert h["iso3"] == "BEL" and h["years"][-1]["share_of_gdp_percent"] == 1.286805534
    params = {"country": "BEL", "from": 2024, "target": 2.0, "by": 2030, "hold": "real",
              "gdp_shock": "2027:-5"}  # fmt: skip
    shocked = client.get("/api/delivery/budget/path", params=params, headers=cm).json()["years"]
    unshocked = {k: v for k, v in params.items() if k != "gdp_shock"}
    plain = client.get("/api/delivery/budget/path", params=unshocked, headers=cm).json()
    y = 3  # 2027
    assert set(shocked[y]) == {"year", "gdp_index", "spending_index", "share_of_gdp_percent"}
    ratio = shocked[y]["share_of_gdp_percent"] / plain["years"][y]["share_of_gdp_percent"]
    assert ratio == pytest.approx(1 / 0.95)
    r = client.get("/api/delivery/budget/path", params={**params, "gdp_shock": "soon"},
                   headers=cm)  # fmt: skip
    assert r.status_code == 422 and "YEAR:PCT" in r.json()["detail"]
    r = client.get("/api/delivery/budget/history", params={"country": "ISL"}, headers=cm)
    assert r.status_code == 404
    reader = login("rd", "reader")
    assert client.get("/api/delivery/budget/history", headers=reader).status_code == 403


def test_a_deployment_names_only_known_objectives_and_hides_links_from_lower_readers(
    client, loaded, login
):
    sec = login("sec", "analyst", clearance="SECRET")
    body = {"key": "efp", "name": "Battlegroup", "framework": "NATO", "theatre": "Lithuania",
            "personnel": 100, "annual_cost": 10, "start": "2020-01-01",
            "objectives": ["deter", "nope"]}  # fmt: skip
    r = client.post("/api/delivery/deployments", json=body, headers=sec)
    assert r.status_code == 422 and "nope" in r.json()["detail"]
    body["objectives"] = ["deter", "zebra-cell"]
    assert client.post("/api/delivery/deployments", json=body, headers=sec).status_code == 201
    low = login("cm", "council-member", clearance="RESTRICTED")
    r = client.get("/api/delivery/deployments/efp", headers=low)
    assert r.status_code == 200 and r.json()["objectives"] == ["deter"]
    assert "zebra" not in client.get("/api/delivery/deployments", headers=low).text
