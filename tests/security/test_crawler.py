"""The marking crawler: every route, as every clearance, over sentinel records.

Two checks per (user, route):

* ``test_route_leaks_nothing``: over the database holding every sentinel, no response carries
  a sentinel the user may not read, no hidden record answers anything but 404, nothing
  answers a server error.
* ``test_route_counts_only_what_the_user_sees``: the same requests against the copy of the
  database that holds only what the user may see (same ids) give the same answers: totals,
  facets, scores, charts, lint findings and pages may not depend on hidden records.

Known leaks, owned by others and being fixed, are listed in :data:`KNOWN` and marked
``xfail(strict=True)``: once fixed, the xfail fails, and the entry is removed.
"""

from __future__ import annotations

import html
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit

import pytest

from grandstrategy.core.config import Settings
from grandstrategy.web.app import create_app
from tests.security.conftest import USERS, World
from tests.security.crawl import Hit, api_routes, crawl, page_routes
from tests.security.planters import MARKINGS, PLANTERS, CrawlUser, slug

SLUGS = {slug(m): m for m, _ in MARKINGS}
FOUND = re.compile(r"sntl([a-y]*)(z?)")
VOLATILE_KEYS = {"took_ms", "seq"}  # audit sequence numbers are global (docs/security.md)
TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
CSRF = re.compile(r'(name="csrf_token" value=")[^"]+"')

# (check, user or "*", route) → why it is known to fail; see the module docstring.
# Documented as not protected by markings (docs/security.md, "What markings protect"): the
# audit log's length. The chain is verified whole, so its count includes hidden entries.
DOCUMENTED: dict[tuple[str, str, str], str] = {
    (
        "count",
        "*",
        "/api/audit/verify",
    ): "the audit chain's length is not marked (docs/security.md)",
    ("count", "*", "/audit"): "the audit chain's length is not marked (docs/security.md)",
}
KNOWN: dict[tuple[str, str, str], str] = {}


def _routes() -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="gs-routes-"))
    settings = Settings(db=f"sqlite:///{folder / 'r.db'}", data_dir=folder, secret_key="r" * 40)
    app = create_app(settings)
    return sorted({p for p, _ in api_routes(app)} | {p for p, _ in page_routes(app)})


ROUTES = _routes()


def _cases(check: str) -> list[Any]:
    out = []
    for u in USERS:
        for route in ROUTES:
            reason = KNOWN.get((check, u.name, route)) or KNOWN.get((check, "*", route))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            if (check, "*", route) in DOCUMENTED:
                marks = [pytest.mark.skip(reason=DOCUMENTED[(check, "*", route)])]
            out.append(pytest.param(u, route, marks=marks, id=f"{u.name}-{route}"))
    return out


_cache: dict[tuple[str, str], list[Hit]] = {}


def crawled(world: World, which: str, user: CrawlUser) -> list[Hit]:
    """One crawl per (database, user), shared by the tests."""
    key = (which, user.name)
    if key not in _cache:
        site = (world.full if which == "full" else world.below)[user.name]
        _cache[key] = crawl(
            site.app, world.planted, user, world.headers[user.name], world.cookies[user.name]
        )
    return _cache[key]


def _echoes(hit: Hit) -> list[str]:
    """What the user typed, which a response may repeat: path segments and query values."""
    parts = urlsplit(hit.url)
    values = [v for vs in parse_qs(parts.query).values() for v in vs]
    values += [unquote(s) for s in parts.path.split("/") if s.startswith("sntl")]
    forms = [f(v) for v in values for f in (str, html.escape, quote, quote_plus)]
    return sorted(set(forms), key=len, reverse=True)


def sentinels_in(hit: Hit, user: CrawlUser) -> set[str]:
    """Sentinel markings in a response that the user may not read."""
    text = hit.text.lower()
    for echo in _echoes(hit):
        text = text.replace(echo.lower(), " ")
    leaked = set()
    for m in FOUND.finditer(text):
        frag, whole = m.group(1), m.group(2)
        candidates = [s for s in SLUGS if (s == frag if whole else s.startswith(frag) and frag)]
        if candidates and all(not user.sees(SLUGS[s]) for s in candidates):
            leaked.add(SLUGS[candidates[0]] if whole else f"{frag}…")
    return leaked


def test_every_capability_planted_its_sentinels(world):
    kinds = set(world.planted.ids)
    assert {"strategy:objectives", "horizon:document", "resilience:scenario"} <= kinds
    assert set(PLANTERS) >= {"strategy", "horizon", "resilience"}
    for kind, ids in world.planted.ids.items():
        if kind.startswith("horizon:") and kind not in ("horizon:document", "horizon:passage"):
            continue  # derived records (briefs, stories) take the marking of their sources
        assert {m for _, m in ids} == {m for m, _ in MARKINGS}, f"{kind} misses a marking"


@pytest.mark.parametrize("user", USERS, ids=lambda u: u.name)
def test_the_crawler_finds_what_each_user_may_see(world, user):
    """The control: every sentinel a user may read turns up somewhere in their crawl, and
    visible records open; without it, a crawl that reached nothing would pass."""
    hits = crawled(world, "full", user)
    seen = set()
    for hit in hits:
        seen |= {m.group(1) for m in FOUND.finditer(hit.text.lower()) if m.group(2)}
    expected = {s for s, m in SLUGS.items() if user.sees(m)}
    assert expected <= seen, f"never shown to {user.name}: {sorted(expected - seen)}"
    opened = [h for h in hits if not h.hidden and "{" in h.template and h.status == 200]
    assert len(opened) >= 20


@pytest.mark.parametrize(("user", "route"), _cases("leak"))
def test_route_leaks_nothing(world, user, route):
    problems = []
    for hit in crawled(world, "full", user):
        if hit.template != route:
            continue
        if hit.status >= 500:
            problems.append(f"{hit.url}: server error {hit.status}")
        if hit.hidden and hit.status != 404:
            problems.append(f"{hit.url}: a hidden record answers {hit.status}, not 404")
        leaked = sentinels_in(hit, user)
        if leaked:
            problems.append(f"{hit.url}: shows {', '.join(sorted(leaked))}")
    assert not problems, f"as {user.name} ({user.clearance}):\n" + "\n".join(problems[:8])


def normalise(hit: Hit) -> Any:
    """A response without what legitimately differs between two databases and two runs."""
    if hit.body[:2] == b"PK":  # a zip (the YAML package): its members, not their timestamps
        with zipfile.ZipFile(io.BytesIO(hit.body)) as zf:
            return {n: zf.read(n).decode("utf-8", "replace") for n in sorted(zf.namelist())}
    if "json" in hit.content_type:
        try:
            return _drop_volatile(json.loads(hit.text))
        except ValueError:
            pass
    return CSRF.sub(r"\1…", TIME.sub("<time>", hit.text))


def _drop_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_drop_volatile(v) for v in value]
    if isinstance(value, str):
        return TIME.sub("<time>", value)
    return value


def first_difference(a: Any, b: Any, where: str = "") -> str:
    """Where two normalised responses first differ, in a few words."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if a.get(k) != b.get(k):
                return first_difference(a.get(k), b.get(k), f"{where}.{k}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{where}[{i}]")
    if isinstance(a, str) and isinstance(b, str) and "\n" in a:
        for la, lb in zip(a.splitlines(), b.splitlines(), strict=False):
            if la != lb:
                return f"{where}: {la.strip()[:120]!r} ≠ {lb.strip()[:120]!r}"
    return f"{where or 'body'}: {str(a)[:120]!r} ≠ {str(b)[:120]!r}"


@pytest.mark.parametrize(("user", "route"), _cases("count"))
def test_route_counts_only_what_the_user_sees(world, user, route):
    full = [h for h in crawled(world, "full", user) if h.template == route]
    below = [h for h in crawled(world, "below", user) if h.template == route]
    assert [h.url for h in full] == [h.url for h in below]
    problems = []
    for a, b in zip(full, below, strict=True):
        if a.status != b.status:
            problems.append(f"{a.url}: {a.status} with hidden records, {b.status} without")
            continue
        na, nb = normalise(a), normalise(b)
        if na != nb:
            problems.append(f"{a.url}: {first_difference(na, nb)}")
    assert not problems, (
        f"as {user.name} ({user.clearance}), answers change with records they cannot see "
        "(left: with them, right: without):\n" + "\n".join(problems[:6])
    )
