"""The authorisation contract, walked over every route of the OpenAPI document.

New routes are covered automatically: each must declare its action (``x-action``), and the
tests below call every one of them anonymously, with a role that lacks the action, and as a
user whose clearance is below the test's CONFIDENTIAL and NATO records.
"""

import io
import re
import zipfile

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from grandstrategy.core.authz import registry
from tests.helpers import NATO_TITLE, PASSWORD, SECRET_TITLE, make_user, small_package

HIDDEN = [SECRET_TITLE, "zebra-cell", NATO_TITLE, "nato-tripwire"]
ALL_COMPARTMENTS = ["NATO", "EU", "NATIONAL-ONLY"]


def operations(client):
    spec = client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def fill(path: str, rid: str = "deter") -> str:
    return path.replace("{component}", "objectives").replace("{rid}", rid)


def body_for(method: str, path: str):
    if method in ("GET", "DELETE"):
        return None
    if path.endswith("/import"):
        return small_package().model_dump(mode="json")
    if path.endswith("/freeze"):
        return {"status": "approved"}
    return {}


def required_query(op) -> dict:
    """Plausible values for a route's required query parameters, from its OpenAPI entry."""
    out = {}
    for p in op.get("parameters", []):
        if p["in"] == "query" and p.get("required"):
            out[p["name"]] = 0 if p["schema"].get("type") == "integer" else "x"
    return out


def call(client, method, path, op, headers=None):
    return client.request(
        method, fill(path), json=body_for(method, path), headers=headers, params=required_query(op)
    )


def test_every_route_declares_its_action(client):
    actions = set(registry().actions) | {"public", "authenticated"}
    for method, path, op in operations(client):
        assert op.get("x-action") in actions, f"{method} {path} declares no known x-action"


def test_anonymous_gets_401_everywhere_but_public_routes(client, loaded):
    for method, path, op in operations(client):
        if op["x-action"] == "public":
            continue
        r = call(client, method, path, op)
        assert r.status_code == 401, f"{method} {path}: {r.status_code}"
        assert r.headers.get("www-authenticate") == "Bearer"


def test_role_lacking_the_action_gets_403(client, loaded, token_for):
    reg = registry()
    headers_by_role = {}
    for method, path, op in operations(client):
        action = op["x-action"]
        if action in ("public", "authenticated"):
            continue
        role = next(r for r in reg.roles if action not in reg.role_actions(r))
        if role not in headers_by_role:
            headers_by_role[role] = token_for(role, "SECRET", ALL_COMPARTMENTS)
        r = call(client, method, path, op, headers=headers_by_role[role])
        assert r.status_code == 403, f"{method} {path} as {role}: {r.status_code} {r.text}"


def test_hidden_record_is_404_never_403(client, loaded, token_for):
    low = token_for("admin", "UNCLASSIFIED")  # every action, lowest clearance
    for method, path, op in operations(client):
        if "{rid}" not in path:
            continue
        for rid in ("zebra-cell", "no-such-record"):
            r = client.request(
                method,
                fill(path, rid),
                json=body_for(method, path),
                headers=low,
                params=required_query(op),
            )
            assert r.status_code == 404, f"{method} {path} {rid}: {r.status_code}"
    r = client.get("/api/strategy/threats/nato-tripwire", headers=low)
    assert r.status_code == 404


def test_hidden_records_never_appear_in_any_list_count_or_export(client, loaded, token_for):
    low = token_for("admin", "RESTRICTED")  # cleared for RESTRICTED, but not NATO
    checked = 0
    for method, path, op in operations(client):
        if method != "GET" or "{" in path or op["x-action"] == "public":
            continue
        variants = [required_query(op)]
        if path.endswith("/export"):
            variants = [{"format": f} for f in ("json", "md", "html", "yaml")]
        for params in variants:
            r = client.get(path, headers=low, params=params)
            assert r.status_code == 200, f"GET {path} {params}: {r.status_code} {r.text}"
            text = r.text if params.get("format") != "yaml" else _unzip(r.content)
            for marker in HIDDEN:
                assert marker not in text, f"GET {path} {params} leaks {marker!r}"
            checked += 1
    for component in ("objectives", "threats"):
        r = client.get(f"/api/strategy/{component}", headers=low)
        assert all(rec["id"] not in HIDDEN for rec in r.json())
        checked += 1
    assert checked >= 12


def _unzip(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode() for n in zf.namelist())


@pytest.mark.parametrize("cleared", [True, False])
def test_the_cleared_see_what_the_others_do_not(client, loaded, token_for, cleared):
    headers = token_for("reader", "SECRET" if cleared else "UNCLASSIFIED", ALL_COMPARTMENTS)
    r = client.get("/api/strategy/objectives/zebra-cell", headers=headers)
    assert r.status_code == (200 if cleared else 404)


# --- Page routes: the same contract, walked through the app's route table -------------------

PAGE_PARAMS = {
    "component": "objectives",
    "rid": "deter",
    "doc_id": "1",
    "passage_id": "1",
    "name": "x",
    "requirement": "energy",
}


def page_routes(app):
    """(method, path, action) of every route left out of OpenAPI: the server-rendered pages."""
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not isinstance(route, APIRoute) or route.include_in_schema:
            continue
        action = (route.openapi_extra or {}).get("x-action")
        for method in sorted(ctx.methods or ()):
            if method != "HEAD":
                yield method, ctx.path, action


def fill_page(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: PAGE_PARAMS.get(m.group(1), "1"), path)


def page_login(app, session, role: str) -> TestClient:
    """A browser (its own cookie jar) logged in as a fresh user of ``role``."""
    name = f"page{role.replace('-', '')}"
    make_user(session, name, role, "SECRET", ALL_COMPARTMENTS)
    session.commit()
    browser = TestClient(app)
    form = browser.get("/login").text
    r = browser.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": _csrf(form)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return browser


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF field"
    return m.group(1)


def test_every_page_route_declares_its_action(app):
    actions = set(registry().actions) | {"public", "authenticated"}
    routes = list(page_routes(app))
    assert len(routes) >= 40  # the walk found the pages
    undeclared = [f"{m} {p}" for m, p, a in routes if a not in actions]
    assert not undeclared, "page routes without a known action (use page_needs): " + ", ".join(
        undeclared
    )


def test_anonymous_visitor_is_sent_to_login_from_every_page(app, client, loaded):
    walked = 0
    for method, path, action in page_routes(app):
        if action == "public":
            continue
        r = client.request(method, fill_page(path), follow_redirects=False)
        where = r.headers.get("location", "")
        assert r.status_code == 303 and where.startswith("/login?next="), (
            f"{method} {path}: {r.status_code} {where}"
        )
        walked += 1
    assert walked >= 35


def test_page_refused_to_a_role_lacking_the_action(app, session, loaded):
    """Each page answers the 403 page, with a valid form token, to a role without its action."""
    reg = registry()
    browsers: dict[str, tuple[TestClient, str]] = {}
    walked = 0
    for method, path, action in page_routes(app):
        if action in ("public", "authenticated", None):
            continue
        role = next(r for r in reg.roles if action not in reg.role_actions(r))
        if role not in browsers:
            browser = page_login(app, session, role)
            browsers[role] = (browser, _csrf(browser.get("/help").text))
        browser, token = browsers[role]
        data = {"csrf_token": token} if method == "POST" else None
        r = browser.request(method, fill_page(path), data=data, follow_redirects=False)
        assert r.status_code == 403, f"{method} {path} as {role}: {r.status_code}"
        assert "text/html" in r.headers["content-type"], f"{method} {path}: not the 403 page"
        walked += 1
    assert walked >= 35


def test_a_role_with_the_action_is_not_refused(app, session, loaded):
    """The control for the test above: the pages open to a role that holds every action."""
    browser = page_login(app, session, "admin")
    for method, path, action in page_routes(app):
        if method != "GET" or action in ("public", None):
            continue
        r = browser.get(fill_page(path), follow_redirects=False)
        assert r.status_code != 403, f"GET {path} as admin: 403"
