"""The rolling analysis over HTTP: stories, trends, alerts, briefs; bad input; restriction."""

import json

from grandstrategy.horizon import pipeline
from tests.service.test_horizon_stories import CABLE, FLOOD, doc


def ingest(factory, operator, docs):
    pipeline.ingest(factory, user=operator, items=docs)


def test_stories_trends_alerts_and_briefs(client, factory, operator, token_for):
    ingest(
        factory,
        operator,
        [
            doc("Cable cut", CABLE, 2),
            doc("Cable cut again", CABLE + " Finland detained the ship.", 3),
            doc("Floods", FLOOD, 3),
            doc("Secret cable report", CABLE + " We know who ordered it.", 4, "SECRET"),
        ],
    )
    analyst = token_for("analyst")
    stories = client.get("/api/horizon/stories", headers=analyst).json()
    assert sorted(s["size"] for s in stories) == [1, 2]  # the SECRET report is not counted
    assert all(s["marking"] == "UNCLASSIFIED" for s in stories)
    cable = next(s for s in stories if s["size"] == 2)
    one = client.get(f"/api/horizon/stories/{cable['id']}", headers=analyst).json()
    assert [m["title"] for m in one["members"]] == ["Cable cut", "Cable cut again"]
    assert "We know" not in json.dumps(one)
    weekly = client.get(
        "/api/horizon/trends", params={"by": "category", "interval": "week"}, headers=analyst
    )
    assert weekly.status_code == 200 and weekly.json()
    bad = client.get("/api/horizon/trends", params={"by": "region"}, headers=analyst)
    assert bad.status_code in (400, 422) and "--by" in bad.text
    assert client.get("/api/horizon/alerts", headers=analyst).json() == []
    assert (
        client.get("/api/horizon/alerts", params={"kind": "nope"}, headers=analyst).status_code
        == 422
    )
    made = client.post("/api/horizon/briefs", json={"since": "7d"}, headers=analyst)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["marking"] == "UNCLASSIFIED" and body["support_rate"] == 1.0
    assert "We know" not in json.dumps(body)
    assert client.post(
        "/api/horizon/briefs", json={"since": "soon"}, headers=analyst
    ).status_code in (400, 422)
    kept = client.get(f"/api/horizon/briefs/{body['id']}", headers=analyst).json()
    assert kept["sections"] == body["sections"]
    council = token_for("council-member")
    assert client.post("/api/horizon/briefs", json={}, headers=council).status_code == 403
    assert [b["id"] for b in client.get("/api/horizon/briefs", headers=council).json()] == [
        body["id"]
    ]
    reader = token_for("reader")
    assert client.get("/api/horizon/stories", headers=reader).status_code == 403


def test_assessments_and_partners(client, factory, operator, token_for):
    analyst = token_for("analyst")
    body = {
        "issuer": "Allied service",
        "issued": "2026-10-01",
        "judgement": "Sabotage of cables is likely to intensify.",
        "confidence": "high",
        "threats": ["hybrid"],
    }
    assert client.post("/api/horizon/assessments", json=body, headers=analyst).status_code == 201
    other = {**body, "issuer": "Think tank", "confidence": "low", "judgement": "Accidents, mostly."}
    assert client.post("/api/horizon/assessments", json=other, headers=analyst).status_code == 201
    bad = client.post(
        "/api/horizon/assessments", json={**body, "threats": ["weather"]}, headers=analyst
    )
    assert bad.status_code in (400, 422) and "weather" in bad.text
    secret = {**body, "issuer": "Secret source", "marking": "SECRET"}
    assert client.post("/api/horizon/assessments", json=secret, headers=analyst).status_code in (
        400,
        422,
    )
    got = client.get(
        "/api/horizon/assessments", params={"threat": "hybrid"}, headers=analyst
    ).json()
    assert {a["issuer"] for a in got} == {"Allied service", "Think tank"}
    cmp = client.get("/api/horizon/partners/compare", headers=analyst)
    assert cmp.status_code == 200 and cmp.json()["profiles"] == []


def test_unknown_and_hidden_story_alert_and_brief_ids_answer_404(
    client, factory, operator, session, token_for
):
    from grandstrategy.horizon import brief_service, story_service

    ingest(factory, operator, [doc("Secret cable report", CABLE, 4, "SECRET")])
    secret_story = story_service.list_stories(session, user=operator)[0].id
    secret_brief = brief_service.build(session, user=operator, since="7d")["id"]
    session.commit()
    low = token_for("admin", "UNCLASSIFIED")  # every action, lowest clearance
    for sid in (secret_story, 987654):
        r = client.get(f"/api/horizon/stories/{sid}", headers=low)
        assert r.status_code == 404 and "Secret" not in r.text
    for bid in (secret_brief, 987654):
        assert client.get(f"/api/horizon/briefs/{bid}", headers=low).status_code == 404
    r = client.post(
        "/api/horizon/alerts/987654/verdict",
        json={"verdict": "dismissed", "reason": "x"},
        headers=low,
    )
    assert r.status_code == 404
