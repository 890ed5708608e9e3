"""Trust at the HTTP edge: one read event per response showing classified records, no caching
of classified replies, a password change ends every session and token."""

import json
import re

import pytest
from sqlalchemy import select

from grandstrategy.core.models import AuditEvent
from tests.helpers import PASSWORD, SECRET_TITLE, make_user


def login(client, name: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "login page has no CSRF field"
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def read_events(session, response):
    rid = response.headers["x-request-id"]
    q = select(AuditEvent).where(AuditEvent.request_id == rid, AuditEvent.action == "read")
    return list(session.execute(q).scalars())


def listed(event) -> set[tuple[str, str]]:
    return {(r["type"], r["marking"]) for r in json.loads(event.after)["records"]}


@pytest.mark.parametrize(
    "path",
    [
        "/api/strategy/objectives",
        "/api/strategy/trace",
        "/api/strategy/lint",
        "/api/strategy/export",
        "/api/strategy/objectives/zebra-cell",
    ],
)
def test_a_response_showing_a_classified_record_writes_one_read_event(
    client, session, loaded, token_for, path
):
    h = token_for("analyst", "SECRET")
    r = client.get(path, headers=h)
    assert r.status_code == 200, r.text
    events = read_events(session, r)
    assert len(events) == 1, [e.after for e in events]
    ev = events[0]
    assert ev.actor.startswith("analyst") and ev.object_id == f"GET {path}"
    assert ("strategy_objectives", "CONFIDENTIAL") in listed(ev)
    assert ev.marking_level >= 2  # the event is as classified as what it lists


def test_reads_below_the_audited_level_write_no_read_event(client, session, loaded, token_for):
    h = token_for("analyst", "RESTRICTED", ["NATO"])
    r = client.get("/api/strategy/objectives", headers=h)
    assert r.status_code == 200 and SECRET_TITLE not in r.text
    assert read_events(session, r) == []


def test_a_page_showing_a_classified_record_writes_one_read_event(client, session, loaded):
    make_user(session, "pia", "analyst", "SECRET")
    session.commit()
    login(client, "pia")
    r = client.get("/strategy/objectives")
    assert r.status_code == 200 and SECRET_TITLE in r.text
    events = read_events(session, r)
    assert len(events) == 1 and events[0].actor == "pia"
    assert ("strategy_objectives", "CONFIDENTIAL") in listed(events[0])


def test_classified_replies_are_never_cached(client, session, loaded, token_for):
    h = token_for("analyst", "SECRET")
    assert client.get("/api/strategy/objectives/zebra-cell", headers=h).headers[
        "cache-control"
    ] == ("no-store")
    make_user(session, "quin", "analyst", "SECRET")
    session.commit()
    login(client, "quin")
    page = client.get("/strategy/objectives/zebra-cell")
    assert SECRET_TITLE in page.text and page.headers["cache-control"] == "no-store"


def _token(client, name, password=PASSWORD):
    r = client.post("/api/auth/token", json={"username": name, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_password_change_ends_every_session_and_token(client, session):
    make_user(session, "rita", "analyst", "SECRET")
    session.commit()
    stolen = _token(client, "rita")  # a token someone else got hold of
    mine = _token(client, "rita")
    login(client, "rita")  # and a web session
    assert client.get("/help", follow_redirects=False).status_code == 200
    new = "a much longer new secret"
    r = client.post(
        "/api/auth/password", json={"old_password": PASSWORD, "new_password": new}, headers=mine
    )
    assert r.status_code == 200 and r.json()["revoked"] == 3, r.text
    assert client.get("/api/me", headers=stolen).status_code == 401
    assert client.get("/api/me", headers=mine).status_code == 401
    assert client.get("/help", follow_redirects=False).status_code == 303  # back to login
    assert client.get("/api/me", headers=_token(client, "rita", new)).status_code == 200


def test_password_change_needs_the_current_password(client, session):
    make_user(session, "sven", "reader")
    session.commit()
    h = _token(client, "sven")
    r = client.post(
        "/api/auth/password",
        json={"old_password": "not my password", "new_password": "another long one"},
        headers=h,
    )
    assert r.status_code == 403 and "current password" in r.json()["detail"]
    assert client.get("/api/me", headers=h).status_code == 200  # nothing was revoked
    short = client.post(
        "/api/auth/password", json={"old_password": PASSWORD, "new_password": "short"}, headers=h
    )
    assert short.status_code == 422 and "too short" in short.json()["detail"]


def test_audit_verify_reads_keys_rotated_since_the_server_started(
    client, session, settings, token_for
):
    from grandstrategy.core import audit
    from grandstrategy.core.auditkeys import Keyring

    h = token_for("auditor")
    ring = Keyring.load(settings.audit_key_path)  # the command line, in another process
    ring.rotate()
    session.info[audit.KEYRING] = ring
    audit.record(session, actor="cli:ops", action="test.after_rotation")
    session.commit()
    body = client.get("/api/audit/verify", headers=h).json()
    assert body["ok"] and body["signed"] == body["entries"] >= 3, body


def test_reading_classified_audit_entries_is_itself_audited(client, session, loaded, token_for):
    reader = token_for("analyst", "SECRET")
    client.get("/api/strategy/objectives/zebra-cell", headers=reader)  # a CONFIDENTIAL entry
    auditor = token_for("auditor", "SECRET")
    r = client.get("/api/audit", params={"action": "read"}, headers=auditor)
    assert r.status_code == 200 and r.json()
    (event,) = read_events(session, r)
    assert ("audit_events", "CONFIDENTIAL") in listed(event)
