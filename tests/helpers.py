"""Builders shared by the service, API, CLI and browser tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.users import add_user, find
from grandstrategy.strategy.schemas import Package

PASSWORD = "correct horse battery staple"
SECRET_TITLE = "Zebra counter-intelligence cell"  # the CONFIDENTIAL record: must never leak
NATO_TITLE = "Quokka alliance early warning"  # RESTRICTED//NATO: needs the NATO compartment


def make_user(
    session: Session,
    name: str,
    role: str,
    clearance: str = "UNCLASSIFIED",
    compartments: list[str] | None = None,
) -> Principal:
    add_user(
        session,
        user=Principal.operator("test"),
        username=name,
        password=PASSWORD,
        role=role,
        clearance=clearance,
        compartments=compartments or [],
    )
    u = find(session, name)
    assert u is not None
    return Principal.of(u)


def package_data() -> dict[str, Any]:
    return {
        "strategy": {
            "id": "testland-nss",
            "title": "National Security Strategy of Testland",
            "country": "Testland",
            "edition": "first",
            "period": {"start": "2026-01-01", "end": "2035-12-31"},
            "marking": "UNCLASSIFIED",
            "summary": "A small strategy for tests.",
        },
        "actors": [
            {
                "id": "council",
                "name": "Security Council",
                "kind": "council",
                "members": [{"actor": "defence", "role": "member"}],
            },
            {"id": "defence", "name": "Ministry of Defence", "kind": "ministry"},
            {"id": "intel", "name": "Intelligence Service", "kind": "agency"},
            {"id": "rival", "name": "Hostile state", "kind": "foreign-state"},
        ],
        "interests": [
            {"id": "safety", "title": "Safety of citizens", "statement": "People must be safe."},
            {"id": "democracy", "title": "Democracy", "statement": "Free elections matter."},
        ],
        "threats": [
            {
                "id": "invasion",
                "title": "Armed aggression",
                "kind": "threat",
                "category": "aggression",
                "authors": ["rival"],
                "horizon_years": 15,
                "likelihood": 2,
                "impact": 5,
                "interests": ["safety"],
            },
            {
                "id": "meddling",
                "title": "Election interference",
                "kind": "threat",
                "category": "subversion",
                "authors": ["rival"],
                "horizon_years": 5,
                "likelihood": 4,
                "impact": 3,
                "interests": ["democracy"],
            },
            {
                "id": "nato-tripwire",
                "title": NATO_TITLE,
                "kind": "threat",
                "category": "hybrid",
                "authors": ["rival"],
                "horizon_years": 5,
                "likelihood": 3,
                "impact": 3,
                "interests": ["safety"],
                "marking": "RESTRICTED//NATO",
            },
            {
                "id": "pandemic",
                "title": "Pandemic",
                "kind": "challenge",
                "category": "health",
                "horizon_years": 12,
                "likelihood": 3,
                "impact": 4,
                "black_swan": True,
                "interests": ["safety"],
            },
        ],
        "roles": [
            {
                "id": "ally",
                "name": "Reliable ally",
                "description": "Pulls its weight.",
                "posture": {"ally_independent": 2, "defensive_assertive": 3},
            },
        ],
        "objectives": [
            {
                "id": "deter",
                "title": "Credible deterrence",
                "horizon": 10,
                "owner": "defence",
                "deadline": "2035-06-30",
                "priority": True,
                "indicators": [{"name": "readiness", "unit": "%", "baseline": 60, "target": 90}],
                "interests": ["safety"],
                "threats": ["invasion", "pandemic", "nato-tripwire"],
                "roles": ["ally"],
            },
            {
                "id": "protect-elections",
                "title": "Protected elections",
                "horizon": 5,
                "owner": "intel",
                "deadline": "2029-05-01",
                "indicators": [{"name": "incidents detected", "unit": "count", "target": 10}],
                "interests": ["democracy"],
                "threats": ["meddling"],
                "roles": ["ally"],
            },
            {
                "id": "zebra-cell",
                "title": SECRET_TITLE,
                "horizon": 5,
                "owner": "intel",
                "deadline": "2028-12-31",
                "parent": "protect-elections",
                "indicators": [{"name": "cases", "unit": "count", "target": 5}],
                "interests": ["democracy"],
                "threats": ["meddling"],
                "roles": ["ally"],
                "marking": "CONFIDENTIAL",
            },
        ],
        "capabilities": [
            {
                "id": "army",
                "name": "Land forces",
                "kind": "military",
                "owner": "defence",
                "budget": [{"year": 2026, "amount": 1000000, "currency": "EUR"}],
                "personnel": [{"year": 2026, "fte": 5000}],
                "objectives": ["deter"],
            },
            {
                "id": "analysts",
                "name": "Analysts",
                "kind": "intelligence",
                "owner": "intel",
                "budget": [{"year": 2026, "amount": 200000, "currency": "EUR"}],
                "objectives": ["protect-elections"],
            },
        ],
    }


def small_package() -> Package:
    return Package.model_validate(package_data())


# The taxonomy's category ids (other tools and the evaluation files rely on them), in file order.
TAXONOMY_IDS = [
    "subversion",
    "coercion",
    "aggression",
    "cyber",
    "terrorism",
    "armed-conflict",
    "hybrid",
    "disinformation",
    "migration",
    "climate",
    "health",
    "economic",
    "resources",
    "crime-extremism",
    "nuclear",
    "none",
]

# Three small news items in three formats, for ingestion tests.
NEWS = {
    "cable.txt": "Undersea cable cut near Zeebrugge\n\nA data cable on the seabed off the Belgian "
    "coast was damaged on Tuesday. Investigators suspect sabotage by a vessel linked to Russia, "
    "which had loitered above the cable for hours with its anchor down.",
    "flood.md": "# Floods in Wallonia\n\nHeavy rain caused the Vesdre to burst its banks again. "
    "Climate scientists warn that such floods will become more frequent as the planet warms.",
    "cyber.html": "<html><head><title>Ransomware at hospital</title></head><body><nav>Home | "
    "News</nav><article><h1>Ransomware at hospital</h1><p>A ransomware attack paralysed the "
    "computer systems of a hospital in Antwerp. Hackers demanded a ransom in bitcoin and "
    "patients were diverted to other hospitals.</p></article><footer>© paper</footer></body>"
    "</html>",
}
