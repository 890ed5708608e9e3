"""Sentinel records, one small planter per capability, each at every marking and compartment.

A sentinel is a greppable token that names its own marking (``sntlsecretnatozthreat``): if it
shows up in a response to a user who may not read that marking, something leaked. Planters go
through the public API as an administrator cleared for everything, so they keep working
whatever a capability does inside. A new capability adds one function decorated with
:func:`planter`; the crawler then walks its routes with its sentinels in place.

Planted today: strategy (every component), horizon (documents, passages, verdicts), horizon
analysis (one unclassified brief; stories form from the documents), resilience (assessment,
autonomy, matrix, scenario), delivery (check-in, judgement, milestone, comment on a visible
objective), drafting (round, contribution), horizon watchlists (an entry per marking).
TODO(coordinator): still without planters, as they were being built while this was written:
delivery deployments, reviews and proposals; drafting cycles (the baseline has one, unmarked);
horizon alerts, assessments and partners' strategies. Their routes are walked all the same,
with placeholder ids where the crawler does not know theirs (crawl._path_values).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from grandstrategy.core.markings import Marking, readable, scheme

# (marking, tier): each tier is visible to one more crawl user (see conftest.USERS); tier 4 is
# visible to none of them. Every compartment appears, alone and above the users' clearance.
MARKINGS: list[tuple[str, int]] = [
    ("UNCLASSIFIED", 0),
    ("RESTRICTED", 1),
    ("CONFIDENTIAL", 2),
    ("SECRET", 3),
    ("SECRET//EU", 3),
    ("CONFIDENTIAL//NATIONAL-ONLY", 3),
    ("UNCLASSIFIED//NATO", 4),
    ("RESTRICTED//NATO", 4),
    ("SECRET//EU/NATO", 4),
]
TIERS = sorted({t for _, t in MARKINGS})
TOKEN = re.compile(r"sntl([a-z]+?)z([a-z]+)")
# Words every sentinel text shares with the visible ones: searches and facets over them must
# not change with what the searcher cannot see.
SHARED_TEXT = (
    "Ransomware attack on the hospital network, and sabotage of an undersea cable near the "
    "port by a vessel linked to a hostile state."
)


def slug(marking: str) -> str:
    return re.sub(r"[^a-z]", "", marking.lower())


def token(marking: str, kind: str) -> str:
    """The sentinel for one record: its marking and its kind, in lower-case letters only."""
    return f"sntl{slug(marking)}z{re.sub(r'[^a-z]', '', kind)}"


@dataclass(frozen=True)
class CrawlUser:
    """A user the crawler acts as: every action (admin role), limited by clearance only."""

    name: str
    clearance: str
    compartments: tuple[str, ...] = ()
    tier: int = 0  # the highest tier of sentinels this user may read

    def sees(self, marking: str) -> bool:
        level = scheme().level_index(self.clearance)
        return readable(Marking.parse(marking), level, frozenset(self.compartments))


@dataclass
class Planted:
    """What was planted: each sentinel's marking, and the ids routes take, by kind."""

    markings: dict[str, str] = field(default_factory=dict)  # slug → marking
    ids: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # kind → [(id, marking)]

    def keep(self, kind: str, rid: object, marking: str) -> None:
        self.ids.setdefault(kind, []).append((str(rid), marking))

    def ids_for(self, kind: str, user: CrawlUser, *, visible: bool) -> list[str]:
        return [rid for rid, m in self.ids.get(kind, []) if user.sees(m) is visible]

    def marking_of(self, slug_: str) -> str | None:
        return self.markings.get(slug_)


@dataclass
class Plant:
    """One planting call: the marking to plant at, an API client and the record keeper."""

    client: TestClient
    headers: dict[str, str]
    marking: str
    planted: Planted

    def token(self, kind: str) -> str:
        self.planted.markings[slug(self.marking)] = self.marking
        return token(self.marking, kind)

    def keep(self, kind: str, rid: object) -> None:
        self.planted.keep(kind, rid, self.marking)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        r = self.client.request(method, path, headers=self.headers, **kwargs)
        assert r.status_code in (200, 201), f"planting {method} {path}: {r.status_code} {r.text}"
        return r.json()


PLANTERS: dict[str, Callable[[Plant], None]] = {}


def planter(name: str) -> Callable[[Callable[[Plant], None]], Callable[[Plant], None]]:
    def register(fn: Callable[[Plant], None]) -> Callable[[Plant], None]:
        PLANTERS[name] = fn
        return fn

    return register


# --- strategy: one record of each component, linked to visible ones --------------------------


def _strategy_records(p: Plant) -> dict[str, dict[str, Any]]:
    t = p.token
    m = p.marking
    return {
        "actors": {"id": t("actorid"), "name": t("actor"), "kind": "agency", "marking": m},
        "interests": {
            "id": t("interestid"),
            "title": f"{t('interest')} interest",
            "statement": f"{t('interest')} must be protected.",
            "marking": m,
        },
        "threats": {
            "id": t("threatid"),
            "title": f"{t('threat')} sabotage",
            "kind": "threat",
            "category": "hybrid",
            "authors": ["rival"],
            "horizon_years": 15,
            "likelihood": 5,
            "impact": 5,
            "black_swan": True,
            "interests": ["safety"],
            "marking": m,
        },
        "roles": {
            "id": t("roleid"),
            "name": t("role"),
            "description": f"{t('role')} posture.",
            "posture": {"ally_independent": 4, "defensive_assertive": 4},
            "marking": m,
        },
        "objectives": {
            "id": t("objectiveid"),
            "title": f"{t('objective')} cell",
            "horizon": 5,
            "owner": "defence",
            "deadline": "2029-12-31",
            "priority": True,
            "parent": "deter",
            "indicators": [{"name": t("indicator"), "unit": "count", "target": 3}],
            "interests": ["safety"],
            "threats": ["invasion"],
            "roles": ["ally"],
            "marking": m,
        },
        "capabilities": {
            "id": t("capabilityid"),
            "name": t("capability"),
            "kind": "intelligence",
            "owner": "intel",
            "budget": [{"year": 2026, "amount": 7777777, "currency": "EUR"}],
            "objectives": ["deter"],
            "marking": m,
        },
    }


@planter("strategy")
def plant_strategy(p: Plant) -> None:
    for component, record in _strategy_records(p).items():
        p.call("POST", f"/api/strategy/{component}", json=record)
        p.keep(f"strategy:{component}", record["id"])


# --- horizon: a document (its passages), a verdict on a passage ------------------------------


@planter("horizon")
def plant_horizon(p: Plant) -> None:
    text = (
        f"{p.token('document')} report\n\n{p.token('passage')} {SHARED_TEXT}\n\n"
        f"{p.token('passage')} Floods and drought strain the water supply; {SHARED_TEXT}"
    )
    body = p.call(
        "POST",
        "/api/horizon/documents",
        files={"file": (f"{p.token('file')}.txt", io.BytesIO(text.encode()), "text/plain")},
        data={"marking": p.marking, "source": "sentinels"},
    )
    for doc_id in body["document_ids"]:
        p.keep("horizon:document", doc_id)
        doc = p.call("GET", f"/api/horizon/documents/{doc_id}")
        for passage in doc["passages"]:
            p.keep("horizon:passage", passage["id"])
        first = doc["passages"][0]["id"]
        p.call(
            "POST",
            "/api/horizon/labels",
            json={"passage_id": first, "category": "cyber", "verdict": "confirm"},
        )


# --- resilience: an assessment, an autonomy choice, a matrix, a scenario ---------------------


@planter("resilience")
def plant_resilience(p: Plant) -> None:
    p.call(
        "PUT",
        "/api/resilience/autonomy",
        json={
            "requirement": "energy",
            "dimension": "production",
            "choice": "partner",
            "rationale": f"{p.token('autonomy')} rationale",
            "marking": p.marking,
        },
    )
    p.call(
        "POST",
        "/api/resilience/assessments",
        json={
            "requirement": "energy",
            "criterion": "diversity",
            "level": 0,
            "target": 5,
            "evidence": f"{p.token('assessment')} evidence",
            "marking": p.marking,
        },
    )
    name = p.token("matrixid")
    p.call(
        "POST",
        "/api/resilience/matrices",
        json={
            "name": name,
            "sectors": ["energy", "transport"],
            "values": [[0.0, 0.4], [0.3, 0.0]],
            "provenance": {"source": p.token("matrix")},
            "marking": p.marking,
        },
    )
    p.keep("resilience:matrix", name)
    scenario = p.token("scenarioid")
    p.call(
        "POST",
        "/api/resilience/scenarios",
        json={
            "name": scenario,
            "title": f"{p.token('scenario')} blackout",
            "description": f"{p.token('description')} cascade",
            "shocks": {"energy": 0.9},
            "marking": p.marking,
        },
    )
    p.keep("resilience:scenario", scenario)


# --- delivery: on a visible objective, a check-in, a judgement, a milestone, a comment ---------


@planter("delivery")
def plant_delivery(p: Plant) -> None:
    base = "/api/delivery/objectives/deter"
    m = p.marking
    p.call(
        "POST",
        f"{base}/checkins",
        json={"status": "off-track", "narrative": p.token("checkin"), "marking": m},
    )
    p.call(
        "POST",
        f"{base}/judgements",
        json={"rating": "red", "reason": p.token("judgement"), "marking": m},
    )
    p.call(
        "POST",
        f"{base}/milestones",
        json={"title": p.token("milestone"), "due": "2027-06-30", "marking": m},
    )
    p.call("POST", f"{base}/comments", json={"text": p.token("comment"), "marking": m})


# --- drafting: a consultation round (in the baseline's cycle), a contribution ----------------


@planter("drafting")
def plant_drafting(p: Plant) -> None:
    name = p.token("roundid")
    p.call(
        "POST",
        "/api/drafting/rounds",
        json={"name": name, "audience": "departments", "marking": p.marking},
    )
    p.keep("drafting:round", name)
    body = p.call(
        "POST",
        f"/api/drafting/rounds/{name}/contributions",
        json={
            "on": "objectives/deter",
            "organisation": "Ministry of Defence",
            "org_kind": "department",
            "text": f"{p.token('contribution')} {SHARED_TEXT}",
            "marking": p.marking,
        },
    )
    p.keep("drafting:contribution", body["id"])


# --- horizon analysis: a brief, made before anything is hidden ------------------------------


@planter("horizon-analysis")
def plant_horizon_analysis(p: Plant) -> None:
    """Briefs and stories are derived: they take the markings of what they are made from, so a
    planter cannot choose them. One brief is frozen at the first tier, so the brief routes have
    something to show; hidden documents in stories are caught by the sentinels and counts."""
    if p.marking == MARKINGS[0][0]:
        p.call("POST", "/api/horizon/briefs", json={"since": "3650d"})


# --- horizon watchlists: an entry at every marking, on a visible threat and on the sentinel one


@planter("horizon-watch")
def plant_horizon_watch(p: Plant) -> None:
    """A visible threat gets one watchlist entry per marking (each with its own sentinel
    term), and the sentinel threat of the marking is watched at its own marking."""
    for threat in ("meddling", p.token("threatid")):
        p.call(
            "PUT",
            f"/api/horizon/watch/threats/{threat}",
            json={"terms": [p.token("watchterm"), "undersea cable"], "marking": p.marking},
        )
        p.keep("horizon:watch", threat)
