"""Hostile writes and bodies: a low user probing for what they cannot see.

Each probe runs as the UNCLASSIFIED crawl user against its own copy of the sentinel database
(writes must not disturb the crawls). A probe fails when the answer depends on a hidden record
(a 409 or "duplicate" where a fresh name would succeed, a 403 instead of 404), when a hidden
record changes, when a sentinel shows, or on a server error.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import PLANTER, USERS, World
from tests.security.planters import MARKINGS, SHARED_TEXT, slug, token

LOW = USERS[0]  # UNCLASSIFIED, no compartments
HIDDEN = "SECRET//EU/NATO"  # a marking no crawl user reads
HOSTILE_QUERIES = [
    "x" * 500,
    '"' * 50,
    "AND OR NOT NEAR( ) * ^ : -",
    "\u202e\u0000\ufeffsntl",
    "ransomware\x00secret",
    "' ; DROP TABLE documents; --",
    "{{7*7}}<script>alert(1)</script>",
    "sntl* OR sntl",
]


@pytest.fixture
def probe(world: World, tmp_path: Path) -> Iterator[TestClient]:
    """A fresh copy of the full sentinel database for each probe: probes write."""
    site = world.full[LOW.name].copy_to(tmp_path / "db")
    with TestClient(site.app) as client:
        client.headers.update(world.headers[LOW.name])
        yield client


def _as_planter(world: World, client: TestClient, path: str) -> Any:
    r = client.get(path, headers=world.headers[PLANTER.name])
    assert r.status_code == 200, r.text
    return r.json()


def _no_sentinel(text: str, echo: str = "") -> None:
    """No sentinel the low user may not read, once what they typed is taken out."""
    shown = text.lower().replace(echo.lower(), " ") if echo else text.lower()
    for m, _ in MARKINGS:
        if not LOW.sees(m):
            assert f"sntl{slug(m)}z" not in shown, f"shows a {m} sentinel"


def _fresh_vs_hidden(probe: TestClient, path: str, make: Any, hidden_name: str) -> None:
    """The same write, with a fresh name and with a hidden record's name, answers alike."""
    fresh = probe.post(path, json=make("sntlprobezfresh"))
    hidden = probe.post(path, json=make(hidden_name))
    assert fresh.status_code < 500 and hidden.status_code < 500, hidden.text
    assert hidden.status_code == fresh.status_code, (
        f"POST {path}: a fresh name answers {fresh.status_code}, a hidden record's name "
        f"{hidden.status_code}: {hidden.text[:200]}"
    )
    _no_sentinel(hidden.text, hidden_name)


def test_a_hidden_strategy_id_is_no_oracle(world, probe):
    def threat(rid: str) -> dict[str, Any]:
        return {
            "id": rid,
            "title": "Probe",
            "kind": "challenge",
            "category": "health",
            "horizon_years": 5,
            "likelihood": 1,
            "impact": 1,
            "interests": ["safety"],
        }

    hidden = token(HIDDEN, "threatid")
    _fresh_vs_hidden(probe, "/api/strategy/threats", threat, hidden)
    kept = _as_planter(world, probe, f"/api/strategy/threats/{hidden}")
    assert kept["marking"] == HIDDEN and token(HIDDEN, "threat") in kept["title"]


def test_a_hidden_scenario_name_is_no_oracle(world, probe):
    def scenario(name: str) -> dict[str, Any]:
        return {"name": name, "title": "Probe", "shocks": {"energy": 0.1}}

    hidden = token(HIDDEN, "scenarioid")
    _fresh_vs_hidden(probe, "/api/resilience/scenarios", scenario, hidden)
    kept = _as_planter(world, probe, f"/api/resilience/scenarios/{hidden}")
    assert kept["marking"] == HIDDEN and kept["title"].startswith(token(HIDDEN, "scenario"))


def test_a_hidden_matrix_name_is_no_oracle(world, probe):
    def matrix(name: str) -> dict[str, Any]:
        return {"name": name, "sectors": ["energy"], "values": [[0.0]]}

    hidden = token(HIDDEN, "matrixid")
    _fresh_vs_hidden(probe, "/api/resilience/matrices", matrix, hidden)
    kept = _as_planter(world, probe, f"/api/resilience/matrices/{hidden}")
    assert kept["marking"] == HIDDEN


def test_a_hidden_round_name_is_no_oracle(world, probe):
    def round_(name: str) -> dict[str, Any]:
        return {"name": name, "audience": "public"}

    _fresh_vs_hidden(probe, "/api/drafting/rounds", round_, token(HIDDEN, "roundid"))


def test_uploading_a_hidden_documents_text_is_not_a_duplicate(world, probe):
    text = (
        f"{token(HIDDEN, 'document')} report\n\n{token(HIDDEN, 'passage')} {SHARED_TEXT}\n\n"
        f"{token(HIDDEN, 'passage')} Floods and drought strain the water supply; {SHARED_TEXT}"
    )
    r = probe.post(
        "/api/horizon/documents",
        files={"file": ("probe.txt", io.BytesIO(text.encode()), "text/plain")},
        data={"source": "sentinels"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["duplicates"] == 0 and r.json()["ingested"] == 1, r.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/horizon/labels", lambda pid, _o: {"passage_id": int(pid), "category": "cyber"}),
        (
            "/api/delivery/objectives/{objective}/comments",
            lambda _p, _o: {"text": "probe"},
        ),
        (
            "/api/delivery/objectives/{objective}/checkins",
            lambda _p, _o: {"status": "on-track"},
        ),
    ],
    ids=["label", "comment", "checkin"],
)
def test_writes_on_hidden_records_answer_404(world, probe, path, body):
    passage = world.planted.ids_for("horizon:passage", LOW, visible=False)[0]
    objective = world.planted.ids_for("strategy:objectives", LOW, visible=False)[0]
    r = probe.post(path.format(objective=objective), json=body(passage, objective))
    assert r.status_code == 404, f"{path}: {r.status_code} {r.text[:200]}"


def test_importing_over_hidden_ids_leaves_them_alone(world, probe):
    """Issue 9, item 1: the import cannot touch, lower, delete or count hidden records."""
    exported = probe.get("/api/strategy/export", params={"format": "json"})
    assert exported.status_code == 200, exported.text
    package = exported.json()
    hidden_id = token(HIDDEN, "threatid")
    package["threats"].append(
        {
            "id": hidden_id,
            "title": "Overwritten",
            "kind": "challenge",
            "category": "health",
            "horizon_years": 5,
            "likelihood": 1,
            "impact": 1,
            "interests": ["safety"],
        }
    )
    r = probe.post("/api/strategy/import", json=package)
    assert r.status_code < 500, r.text
    _no_sentinel(r.text, hidden_id)
    kept = _as_planter(world, probe, f"/api/strategy/threats/{hidden_id}")
    assert kept["marking"] == HIDDEN and kept["title"] != "Overwritten"
    for m in ("RESTRICTED//NATO", "SECRET"):
        still = probe.get(
            f"/api/strategy/objectives/{token(m, 'objectiveid')}",
            headers=world.headers[PLANTER.name],
        )
        assert still.status_code == 200, f"import deleted the hidden {m} objective"


@pytest.mark.parametrize("q", HOSTILE_QUERIES, ids=range(len(HOSTILE_QUERIES)))
def test_hostile_searches_answer_cleanly(probe, q):
    for path in ("/api/horizon/search", "/horizon/search"):
        r = probe.get(path, params={"q": q}, follow_redirects=False)
        assert r.status_code < 500, f"{path} q={q!r}: {r.status_code}"
        if path.startswith("/api/"):
            assert r.status_code in (200, 422), r.text
            if r.status_code == 200:
                _no_sentinel(r.text, q)


@pytest.mark.parametrize(
    "body",
    [{"since": "9999d"}, {"categories": ["nuclear", "x" * 200]}, {"since": "-1d"}, {}],
    ids=["far", "unknown-category", "negative", "empty"],
)
def test_hostile_brief_requests_answer_cleanly(probe, body):
    r = probe.post("/api/horizon/briefs", json=body)
    assert r.status_code < 500, r.text
    _no_sentinel(r.text)
