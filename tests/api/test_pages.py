"""Server-rendered pages: login, CSRF, banners, errors, edit forms."""

import re

from tests.helpers import PASSWORD, SECRET_TITLE, make_user


def csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF field"
    return m.group(1)


def login(client, name: str) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_login_needs_csrf_token(client, session):
    make_user(session, "lena", "reader")
    session.commit()
    client.get("/login")
    r = client.post("/login", data={"username": "lena", "password": PASSWORD})
    assert r.status_code == 403 and "security token" in r.text


def test_pages_redirect_to_login_and_session_cookie_is_strict(client, session, loaded):
    assert client.get("/strategy", follow_redirects=False).headers["location"].startswith("/login")
    make_user(session, "mona", "reader")
    session.commit()
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": "mona", "password": PASSWORD, "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_overview_shows_banner_and_hides_what_reader_may_not_see(client, session, loaded):
    make_user(session, "nils", "reader")
    session.commit()
    login(client, "nils")
    html = client.get("/strategy").text
    assert html.count('data-testid="banner-') == 2 and ">UNCLASSIFIED<" in html
    assert SECRET_TITLE not in html
    assert client.get("/strategy/objectives/zebra-cell").status_code == 404
    assert "Edit" not in client.get("/strategy/objectives/deter").text


def test_cleared_user_sees_the_highest_marking_in_the_banner(client, session, loaded):
    make_user(session, "omar", "council-member", "SECRET", ["NATO"])
    session.commit()
    login(client, "omar")
    html = client.get("/strategy/objectives/zebra-cell").text
    assert SECRET_TITLE in html and ">CONFIDENTIAL<" in html


def test_drafter_edits_through_the_form(client, session, loaded):
    make_user(session, "pia", "drafter")
    session.commit()
    login(client, "pia")
    form = client.get("/strategy/objectives/deter/edit").text
    assert 'name="deadline"' in form
    data = {
        "csrf_token": csrf(form),
        "title": "Credible deterrence",
        "horizon": "10",
        "owner": "defence",
        "deadline": "2034-03-01",
        "status": "on-track",
        "indicators": "readiness | % | 60 | 90",
        "interests": "safety",
        "threats": ["invasion", "pandemic"],
        "roles": "ally",
        "priority": "on",
        "marking_level": "UNCLASSIFIED",
        "base_version": form.split('name="base_version" value="')[1].split('"')[0],
    }
    r = client.post("/strategy/objectives/deter/edit", data=data, follow_redirects=True)
    assert r.status_code == 200 and "2034-03-01" in r.text
    assert "<b>Deadline</b>: " in client.get("/strategy/history").text  # the form's label


def test_form_error_is_shown_and_nothing_is_lost(client, session, loaded):
    make_user(session, "quin", "drafter")
    session.commit()
    login(client, "quin")
    form = client.get("/strategy/interests/safety/edit").text
    r = client.post(
        "/strategy/interests/safety/edit",
        data={
            "csrf_token": csrf(form),
            "title": "",
            "statement": "x",
            "marking_level": "UNCLASSIFIED",
        },
    )
    assert r.status_code == 422 and "title" in r.text
    assert "Safety of citizens" in client.get("/strategy/interests/safety").text


def test_error_pages(client, session, loaded):
    make_user(session, "rolf", "reader")
    session.commit()
    login(client, "rolf")
    r = client.get("/no/such/page")
    assert r.status_code == 404 and 'data-testid="banner-top"' in r.text
    assert client.get("/audit").status_code == 403


def test_help_documents_roles_and_actions(client, session):
    make_user(session, "sven", "reader")
    session.commit()
    login(client, "sven")
    html = client.get("/help").text
    for word in ("pen-holder", "strategy.edit", "CONFIDENTIAL", "objective-no-owner"):
        assert word in html
