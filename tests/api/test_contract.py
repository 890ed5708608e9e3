"""The authorisation contract, walked over every route of the OpenAPI document.

New routes are covered automatically: each must declare its action (``x-action``), and the
tests below call every one of them anonymously, with a role that lacks the action, and as a
user whose clearance is below the test's CONFIDENTIAL and NATO records.
"""

import io
import zipfile

import pytest

from grandstrategy.core.authz import registry
from tests.helpers import NATO_TITLE, SECRET_TITLE, small_package

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
