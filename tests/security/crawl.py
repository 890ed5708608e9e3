"""Walk every API route (from OpenAPI) and every page route (from the route table), GET only.

Path parameters are filled with the ids of planted records, visible and hidden alike; query
parameters a route requires get a plausible value, and search routes get a set of probes: the
words every sentinel shares with visible records, every sentinel token, wildcards and hostile
syntax. The result is a list of :class:`Hit` to check for leaks or to compare across databases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from tests.security.planters import MARKINGS, CrawlUser, Planted, token

COMPONENTS = ["actors", "interests", "threats", "roles", "objectives", "capabilities"]
SEARCH_PROBES = [
    "ransomware",
    "undersea cable sabotage",
    "water",
    "sntl*",
    "sntl",
    '"sntl" OR ransomware',
    "ransomware NOT hospital",
    "' OR 1=1 --",
    "NEAR(ransomware sntl)",
    "%",
    "*",
    *(token(m, "passage") for m, _ in MARKINGS),
]
EXPORT_FORMATS = ["json", "md", "html", "yaml"]
PARAM = r"\{(\w+)(?::\w+)?\}"
CYCLE = "nss-next"  # the drafting cycle of the baseline


@dataclass
class Hit:
    method: str
    template: str  # the route as declared
    url: str
    hidden: bool  # a path parameter names a record the user may not see
    status: int
    content_type: str
    text: str
    body: bytes


def api_routes(app: FastAPI) -> Iterator[tuple[str, dict[str, Any]]]:
    """GET operations of the OpenAPI document: (path, operation)."""
    for path, item in app.openapi()["paths"].items():
        if "get" in item:
            yield path, item["get"]


def page_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """GET routes left out of OpenAPI: the server-rendered pages."""
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if isinstance(route, APIRoute) and not route.include_in_schema and "GET" in route.methods:
            yield str(ctx.path), route


def _path_values(path: str, planted: Planted, user: CrawlUser) -> list[tuple[dict[str, str], bool]]:
    """Every assignment of the path's parameters worth trying, and whether it names a hidden
    record."""
    params = re.findall(PARAM, path)
    if not params:
        return [({}, False)]

    def both(kind: str) -> list[tuple[str, bool]]:
        return [(i, False) for i in planted.ids_for(kind, user, visible=True)] + [
            (i, True) for i in planted.ids_for(kind, user, visible=False)
        ]

    resilience = "/resilience" in path
    if "component" in params:
        out = []
        for component in COMPONENTS:
            if "rid" not in params:
                out.append(({"component": component}, False))
                continue
            for rid, hidden in both(f"strategy:{component}"):
                out.append(({"component": component, "rid": rid}, hidden))
        return out
    name = params[0]
    if name in ("rid", "requirement") and resilience:
        return [({name: "energy"}, False), ({name: "government"}, False)]
    if len(params) == 1:
        fixed = {
            "objective": [("deter", False)],
            "year": [("2026", False)],
            # derived records, numbered in the order they form: the same in every copy
            "story_id": [(str(i), False) for i in range(1, 7)],
            "brief_id": [("1", False), ("2", False)],
        }
        if name == "name" and "/cycles/" in path:
            fixed["name"] = [(CYCLE, False)]
        kinds = {
            "doc_id": "horizon:document",
            "passage_id": "horizon:passage",
            "objective": "strategy:objectives",
            "threat": "strategy:threats",
            "cid": "drafting:contribution",
            "name": "resilience:matrix"
            if "/matrices/" in path
            else "resilience:scenario"
            if resilience
            else "drafting:round"
            if "/rounds/" in path
            else "",
        }
        values = fixed.get(name, []) + (both(kinds[name]) if kinds.get(name) else [])
        if values:
            return [({name: v}, h) for v, h in values]
    # A route this crawler does not know yet: walk it once with a placeholder, so it is at
    # least checked for server errors and sentinels (teach _path_values its ids to do more).
    return [(dict.fromkeys(params, "1"), False)]


def _query_variants(path: str, required: dict[str, str]) -> list[dict[str, str]]:
    if "q" in required:
        return [{**required, "q": q} for q in SEARCH_PROBES]
    if path.endswith("/export"):
        return [{**required, "format": f} for f in EXPORT_FORMATS]
    if path.endswith("/documents") or path == "/horizon":
        return [required, {**required, "category": "cyber"}, {**required, "source": "sentinels"}]
    if path.endswith("/audit"):  # the planter's own entries: written while planting hidden ones
        return [required, {**required, "actor": "crawlplanter", "limit": "5000"}]
    if path.endswith("/compare"):
        scenarios = ",".join(token(m, "scenario") for m, _ in MARKINGS)
        return [required, {**required, "names": scenarios}, {**required, "scenario": scenarios}]
    return [required]


def _required_api(op: dict[str, Any]) -> dict[str, str]:
    out = {}
    for p in op.get("parameters", []):
        if p["in"] == "query" and p.get("required"):
            out[p["name"]] = "0" if p["schema"].get("type") == "integer" else "x"
    return out


def _required_page(route: APIRoute) -> dict[str, str]:
    return {f.alias: "x" for f in route.dependant.query_params if f.field_info.is_required()}


def requests(app: FastAPI, planted: Planted, user: CrawlUser) -> list[tuple[str, str, bool]]:
    """(template, url, hidden) of every request of one crawl, in a fixed order."""
    out = []
    routes: list[tuple[str, dict[str, str]]] = [(p, _required_api(op)) for p, op in api_routes(app)]
    routes += [(p, _required_page(r)) for p, r in page_routes(app)]
    for path, required in routes:
        for values, hidden in _path_values(path, planted, user):
            url = re.sub(PARAM, lambda m, v=values: v[m.group(1)], path)  # type: ignore[misc]
            for query in _query_variants(path, required):
                out.append((path, url + (f"?{urlencode(query)}" if query else ""), hidden))
    return out


def crawl(
    app: FastAPI,
    planted: Planted,
    user: CrawlUser,
    headers: dict[str, str],
    cookies: dict[str, str],
) -> list[Hit]:
    """Every request as ``user``: the API with its bearer token, pages with its session."""
    hits = []
    with TestClient(app, raise_server_exceptions=False) as client:  # a 500 is a finding
        client.cookies.update(cookies)
        for template, url, hidden in requests(app, planted, user):
            r = client.get(
                url,
                headers={**headers, "X-Request-ID": "crawler"},
                follow_redirects=False,
            )
            hits.append(
                Hit(
                    "GET",
                    template,
                    url,
                    hidden,
                    r.status_code,
                    r.headers.get("content-type", ""),
                    r.text,
                    r.content,
                )
            )
    return hits
