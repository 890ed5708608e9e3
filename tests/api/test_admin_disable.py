"""An administrator disables an account and changes its compartments in the browser: the user
can no longer log in, and the audit log names who did what."""

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.users import find
from tests.api.test_admin_pages import log_in_with
from tests.api.test_pages import csrf, login
from tests.helpers import PASSWORD, make_user


def test_disabled_account_cannot_log_in_and_the_change_is_audited(client, session):
    make_user(session, "root", "admin", "SECRET", ["NATO"])
    make_user(session, "ines", "analyst", "SECRET", ["NATO"])
    session.commit()
    assert log_in_with(client, "ines", PASSWORD) == 303
    login(client, "root")
    form = client.get("/admin/users/ines")
    r = client.post(
        "/admin/users/ines",
        data={
            "role": "reader",
            "clearance": "SECRET",
            "compartments": ["EU"],
            "active": "no",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    account = find(session, "ines")
    assert account is not None and not account.active
    assert account.role == "reader" and account.compartment_set == {"EU"}
    events = audit.list_events(session, user=Principal.operator("t"), action="users.set")
    assert any(e.object_id == "ines" and e.actor == "root" for e in events)
    assert log_in_with(client, "ines", PASSWORD) != 303


def test_unknown_role_is_refused_and_nothing_changes(client, session):
    make_user(session, "root", "admin", "SECRET")
    make_user(session, "ines", "analyst", "SECRET")
    session.commit()
    login(client, "root")
    form = client.get("/admin/users/ines")
    r = client.post(
        "/admin/users/ines",
        data={
            "role": "emperor",
            "clearance": "SECRET",
            "active": "yes",
            "csrf_token": csrf(form.text),
        },
    )
    assert r.status_code == 422 and "emperor" in r.text
    assert find(session, "ines").role == "analyst"
