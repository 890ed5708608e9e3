"""Administrators manage accounts in the browser, with the CLI's rules, every change audited."""

import re

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.users import find
from tests.api.test_pages import csrf, login
from tests.helpers import make_user


def shown_password(html: str) -> str:
    m = re.search(r'data-testid="new-password">.*?<code>([^<]+)</code>', html, re.S)
    assert m, "no new password shown"
    return m.group(1)


def log_in_with(client, name: str, password: str) -> int:
    client.cookies.clear()
    form = client.get("/login")
    r = client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf(form.text)},
        follow_redirects=False,
    )
    return r.status_code


def test_admin_adds_a_user_who_can_then_log_in(client, session):
    make_user(session, "root", "admin", "SECRET", ["NATO"])
    session.commit()
    login(client, "root")
    listing = client.get("/admin/users")
    assert listing.status_code == 200 and "root" in listing.text
    r = client.post(
        "/admin/users",
        data={
            "username": "nadia",
            "display_name": "Nadia",
            "role": "analyst",
            "clearance": "CONFIDENTIAL",
            "compartments": ["NATO"],
            "csrf_token": csrf(listing.text),
        },
    )
    assert r.status_code == 200
    password = shown_password(r.text)
    account = find(session, "nadia")
    assert account is not None and account.role == "analyst"
    assert account.compartment_set == {"NATO"}
    events = audit.list_events(session, user=Principal.operator("t"), action="users.add")
    assert any(e.object_id == "nadia" for e in events)
    assert log_in_with(client, "nadia", password) == 303


def test_bad_input_names_the_problem_and_stores_nothing(client, session):
    make_user(session, "root", "admin", "SECRET")
    session.commit()
    login(client, "root")
    listing = client.get("/admin/users")
    r = client.post(
        "/admin/users",
        data={
            "username": "Bad Name!",
            "role": "analyst",
            "clearance": "RESTRICTED",
            "csrf_token": csrf(listing.text),
        },
    )
    assert r.status_code == 422 and "Bad Name!" in r.text
    assert find(session, "Bad Name!") is None


def test_lowering_clearance_and_reset_end_the_users_sessions(client, session):
    make_user(session, "root", "admin", "SECRET")
    make_user(session, "omar", "analyst", "SECRET")
    session.commit()
    login(client, "root")
    form = client.get("/admin/users/omar")
    assert form.status_code == 200
    r = client.post(
        "/admin/users/omar",
        data={
            "role": "analyst",
            "clearance": "RESTRICTED",
            "active": "yes",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert find(session, "omar").clearance == 1
    reset = client.post(
        "/admin/users/omar",
        data={"reset_password": "1", "csrf_token": csrf(client.get("/admin/users/omar").text)},
    )
    new = shown_password(reset.text)
    assert log_in_with(client, "omar", "not-the-new-one-at-all") != 303
    assert log_in_with(client, "omar", new) == 303


def test_non_admin_is_refused(client, session):
    make_user(session, "ana", "analyst", "SECRET")
    session.commit()
    login(client, "ana")
    assert client.get("/admin/users").status_code == 403
    assert "/admin/users" not in client.get("/help").text
