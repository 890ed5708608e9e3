"""The JSON API as a client uses it: tokens, records, lint, trace, export, errors."""

from tests.helpers import PASSWORD, make_user


def test_token_issue_use_and_revoke(client, session, loaded):
    make_user(session, "tina", "drafter", "RESTRICTED")
    session.commit()
    r = client.post("/api/auth/token", json={"username": "tina", "password": PASSWORD})
    body = r.json()
    assert r.status_code == 200 and body["token_type"] == "bearer" and body["expires_at"]
    h = {"Authorization": f"Bearer {body['access_token']}"}
    assert client.get("/api/me", headers=h).json()["clearance"] == "RESTRICTED"
    assert client.delete("/api/auth/token", headers=h).status_code == 204
    assert client.get("/api/me", headers=h).status_code == 401


def test_wrong_password_is_401_and_throttled(client, session, settings):
    make_user(session, "ugo", "reader")
    session.commit()
    codes = [
        client.post("/api/auth/token", json={"username": "ugo", "password": "bad"}).status_code
        for _ in range(settings.max_failures_per_user + 1)
    ]
    assert codes[:-1] == [401] * settings.max_failures_per_user and codes[-1] == 429


def test_update_and_read_back(client, loaded, token_for):
    h = token_for("drafter")
    r = client.patch("/api/strategy/objectives/deter", json={"deadline": "2033-01-01"}, headers=h)
    assert r.status_code == 200 and r.json()["deadline"] == "2033-01-01"
    hist = client.get("/api/strategy/history", params={"id": "deter"}, headers=h).json()
    assert hist[0]["changes"][0]["field"] == "deadline"


def test_invalid_input_names_the_field_and_keeps_the_record(client, loaded, token_for):
    h = token_for("drafter")
    r = client.patch("/api/strategy/objectives/deter", json={"horizon": "soon"}, headers=h)
    assert r.status_code == 422 and any("horizon" in e for e in r.json()["errors"])
    assert client.get("/api/strategy/objectives/deter", headers=h).json()["horizon"] == 10


def test_stale_edit_is_refused(client, loaded, token_for):
    h = token_for("drafter")
    r = client.patch(
        "/api/strategy/roles/ally", params={"base_version": 0}, json={"description": "x"}, headers=h
    )
    assert r.status_code == 409


def test_lint_and_trace(client, loaded, token_for):
    h = token_for("reader", "SECRET", ["NATO"])
    lint = client.get("/api/strategy/lint", headers=h).json()
    assert lint["summary"]["errors"] == 0
    trace = client.get("/api/strategy/trace", headers=h).json()
    assert any(r["capability_id"] == "army" for r in trace["rows"])


def test_export_carries_its_marking(client, loaded, token_for):
    h = token_for("council-member", "SECRET", ["NATO"])
    full = client.get("/api/strategy/export", params={"format": "md"}, headers=h)
    assert full.headers["x-marking"] == "CONFIDENTIAL//NATO"
    public = client.get(
        "/api/strategy/export", params={"format": "md", "max_marking": "UNCLASSIFIED"}, headers=h
    )
    assert public.headers["x-marking"] == "UNCLASSIFIED"


def test_unknown_component_and_oversized_request(client, loaded, token_for, settings):
    h = token_for("reader")
    assert client.get("/api/strategy/weapons", headers=h).status_code == 422
    big = "x" * (settings.max_upload_bytes + 1)
    r = client.post(
        "/api/strategy/import", content=big, headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_health_and_docs(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/static-api/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text  # no network at run time
    assert client.get("/static-api/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/api-docs.js").status_code == 200
    assert "unsafe-inline" not in docs.headers["Content-Security-Policy"].split("script-src")[1]
