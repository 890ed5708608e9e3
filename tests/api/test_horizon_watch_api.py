"""Watchlists over HTTP: set and read, a threat's signals, a passage's trace, review items;
bad input is 422 naming it, roles are 403, what a reader may not see is 404 or absent."""

import datetime as dt
import json

from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import set_actors
from grandstrategy.core.users import find
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.analysis_models import Alert
from tests.helpers import PASSWORD, SECRET_TITLE, make_user
from tests.service.test_horizon_stories import doc

TANKS = "Russian tank columns massed near the border of Estonia; the alliance raised readiness."
HIDDEN = "A covert source reports that Russian officers planned the sabotage of the port."


def test_set_read_trace_and_restriction(client, factory, session, operator, loaded, token_for):
    pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Tanks", TANKS, 2), doc("Secret plot", HIDDEN, 3, "SECRET")],
    )
    analyst = token_for("analyst", "SECRET")
    r = client.put(
        "/api/horizon/watch/threats/meddling",
        json={"actors": ["state:RU"], "terms": ["tank columns"]},
        headers=analyst,
    )
    assert r.status_code == 200, r.text
    assert r.json()["actors"] == ["state:RU"] and r.json()["marking"] == "UNCLASSIFIED"
    bad = client.put(
        "/api/horizon/watch/threats/meddling", json={"places": ["atlantis"]}, headers=analyst
    )
    assert bad.status_code == 422 and "atlantis" in bad.text
    assert (
        client.put(
            "/api/horizon/watch/threats/meddling", json={"terms": "tanks"}, headers=analyst
        ).status_code
        == 422
    )
    council = token_for("council-member", "SECRET")
    assert (
        client.put(
            "/api/horizon/watch/threats/meddling", json={"terms": ["x1"]}, headers=council
        ).status_code
        == 403
    )
    low = token_for("analyst")
    sig = client.get("/api/horizon/watch/threats/meddling", headers=low).json()
    assert [m["story"]["title"] for m in sig["stories"]] == ["Tanks"]
    assert "Secret plot" not in json.dumps(sig)
    high = client.get("/api/horizon/watch/threats/meddling", headers=analyst).json()
    assert {m["story"]["title"] for m in high["stories"]} == {"Tanks", "Secret plot"}
    assert client.get("/api/horizon/watch/threats/nato-tripwire", headers=low).status_code == 404
    assert [w["threat"] for w in client.get("/api/horizon/watch", headers=low).json()] == [
        "meddling"
    ]
    doc_id = client.get("/api/horizon/documents", headers=low).json()["documents"][0]["id"]
    passage = client.get(f"/api/horizon/documents/{doc_id}", headers=low).json()["passages"][0]
    trace = client.get(f"/api/horizon/watch/passages/{passage['id']}", headers=low).json()
    [threat] = trace["threats"]
    assert [o["id"] for o in threat["objectives"]] == ["protect-elections"]
    assert SECRET_TITLE not in json.dumps(trace)
    full = client.get(f"/api/horizon/watch/passages/{passage['id']}", headers=analyst).json()
    assert {o["id"] for o in full["threats"][0]["objectives"]} == {
        "protect-elections",
        "zebra-cell",
    }
    assert client.get("/api/horizon/watch/passages/0", headers=low).status_code == 404
    reader = token_for("reader")
    assert client.get("/api/horizon/watch", headers=reader).status_code == 403


def test_review_items_over_http(client, session, operator, loaded, token_for):
    alert = Alert(
        key="k",
        kind="burst",
        category="subversion",
        actor="",
        start=dt.date(2026, 3, 2),
        score=4.0,
        stories=[],
    )
    alert.marking = Marking.parse("UNCLASSIFIED")
    session.add(alert)
    make_user(session, "ivan", "contributor", "RESTRICTED")
    u = find(session, "ivan")
    set_actors(session, u.id, ["intel"])
    session.commit()
    analyst = token_for("analyst")
    r = client.put(
        "/api/horizon/watch/threats/meddling", json={"categories": ["subversion"]}, headers=analyst
    )
    assert r.status_code == 200, r.text
    tok = client.post("/api/auth/token", json={"username": "ivan", "password": PASSWORD}).json()
    ivan = {"Authorization": f"Bearer {tok['access_token']}"}
    [item] = client.get("/api/horizon/watch/reviews", headers=ivan).json()
    assert (item["owner"], item["threat"], item["can_close"]) == ("intel", "meddling", True)
    assert client.get("/api/horizon/watch/reviews?status=maybe", headers=ivan).status_code == 422
    assert (
        client.post(
            f"/api/horizon/watch/reviews/{item['id']}/close", json={"note": ""}, headers=ivan
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/horizon/watch/reviews/{item['id']}/close", json={"note": "x"}, headers=analyst
        ).status_code
        == 403
    )  # the secretariat sees it, but only intel closes it
    unknown = client.post(
        "/api/horizon/watch/reviews/987654/close", json={"note": "x"}, headers=ivan
    )
    assert unknown.status_code == 404  # an unknown id, as a hidden one: not found
    done = client.post(
        f"/api/horizon/watch/reviews/{item['id']}/close", json={"note": "Briefed."}, headers=ivan
    )
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = client.post(
        f"/api/horizon/watch/reviews/{item['id']}/close", json={"note": "x"}, headers=ivan
    )
    assert again.status_code == 409
    closed = client.get("/api/horizon/watch/reviews?status=all", headers=ivan).json()
    assert [c["note"] for c in closed] == ["Briefed."]
    reader = token_for("reader")
    assert client.get("/api/horizon/watch/reviews", headers=reader).status_code == 403
