import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, TooManyAttempts, Unauthenticated
from grandstrategy.core.users import (
    authenticate,
    find,
    list_users,
    login_token,
    resolve_token,
    revoke_token,
    set_user,
)
from tests.helpers import PASSWORD, make_user


def test_add_list_and_duplicate(session, operator):
    make_user(session, "anna", "analyst", "SECRET", ["NATO"])
    users = {u.username: u for u in list_users(session, user=operator)}
    assert users["anna"].clearance == "SECRET" and users["anna"].compartments == ["NATO"]
    with pytest.raises(Conflict):
        make_user(session, "anna", "analyst")


def test_password_is_hashed_with_argon2(session):
    from grandstrategy.core.users import find

    make_user(session, "bob", "reader")
    u = find(session, "bob")
    assert (
        u is not None and u.password_hash.startswith("$argon2") and PASSWORD not in u.password_hash
    )


def test_bad_inputs_are_named(session, operator):
    with pytest.raises(Invalid, match="unknown role"):
        make_user(session, "carl", "emperor")
    with pytest.raises(Invalid, match="unknown marking level"):
        make_user(session, "carl", "reader", "COSMIC")
    with pytest.raises(Invalid, match="username"):
        make_user(session, "Bad Name", "reader")


def test_only_user_managers_manage_users(session):
    reader = make_user(session, "rita", "reader")
    with pytest.raises(Forbidden):
        list_users(session, user=reader)


def test_login_throttled_after_repeated_failures(session, settings):
    make_user(session, "dora", "reader")
    for _ in range(settings.max_failures_per_user):
        with pytest.raises(Unauthenticated):
            authenticate(session, settings, username="dora", password="wrong", address="1.2.3.4")
    with pytest.raises(TooManyAttempts):
        authenticate(session, settings, username="dora", password=PASSWORD, address="1.2.3.4")


def test_tokens_resolve_until_revoked_or_user_disabled(session, settings, operator):
    make_user(session, "eve", "reader")
    tok = login_token(session, settings, username="eve", password=PASSWORD, address="a")
    user, _ = resolve_token(session, tok.access_token, kind="api")
    assert user.username == "eve"
    revoke_token(session, tok.access_token, kind="api")
    with pytest.raises(Unauthenticated):
        resolve_token(session, tok.access_token, kind="api")
    tok2 = login_token(session, settings, username="eve", password=PASSWORD, address="a")
    set_user(session, user=operator, username="eve", active=False)
    with pytest.raises(Unauthenticated):
        resolve_token(session, tok2.access_token, kind="api")
    with pytest.raises(Unauthenticated):
        authenticate(session, settings, username="eve", password=PASSWORD, address="a")


def test_failed_login_is_audited(session, settings):
    from grandstrategy.core import audit

    make_user(session, "finn", "reader")
    with pytest.raises(Unauthenticated):
        authenticate(session, settings, username="finn", password="nope", address="9.9.9.9")
    events = audit.list_events(session, user=Principal.operator(), action="auth.login_failed")
    assert events and events[0].object_id == "finn"


def test_password_reset_by_an_administrator_ends_sessions_and_tokens(session, settings, operator):
    from grandstrategy.core.users import issue_token

    u = make_user(session, "gus", "analyst")
    api = login_token(session, settings, username="gus", password=PASSWORD, address="a")
    web, _ = issue_token(session, find(session, "gus"), kind="web", hours=1)
    set_user(session, user=operator, username=u.username, password="a fresh long password")
    for raw, kind in ((api.access_token, "api"), (web, "web")):
        with pytest.raises(Unauthenticated):
            resolve_token(session, raw, kind=kind)


def test_changing_ones_own_password_ends_every_session(session, settings):
    from grandstrategy.core.users import change_password

    me = make_user(session, "hana", "reader")
    first = login_token(session, settings, username="hana", password=PASSWORD, address="a")
    second = login_token(session, settings, username="hana", password=PASSWORD, address="b")
    n = change_password(
        session, settings, user=me, old=PASSWORD, new="another long secret", address="a"
    )
    assert n == 2
    for tok in (first, second):
        with pytest.raises(Unauthenticated):
            resolve_token(session, tok.access_token, kind="api")
    with pytest.raises(Unauthenticated):
        change_password(session, settings, user=me, old=PASSWORD, new="x" * 12, address="a")
    with pytest.raises(Invalid, match="differ"):
        change_password(
            session,
            settings,
            user=me,
            old="another long secret",
            new="another long secret",
            address="a",
        )
