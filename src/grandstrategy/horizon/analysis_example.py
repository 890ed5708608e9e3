"""The rolling analysis in the illustrative installation.

After the example documents: a short burst of reports on one actor in two grey-zone
categories (so the alerts show a convergence), partners' strategy excerpts (so partners
can be compared), two external assessments that differ on one threat, and a frozen brief.
All texts are illustrative and written by us.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core.authz import Principal
from grandstrategy.core.db import unit_of_work
from grandstrategy.horizon import assessments, brief_service, pipeline
from grandstrategy.horizon.analysis_models import Assessment
from grandstrategy.horizon.ingest.readers import read_path
from grandstrategy.horizon.watch_example import load_watch_example

ASSESSMENTS = [
    {
        "issuer": "NATO Joint Intelligence and Security Division (illustrative)",
        "issued": dt.date(2026, 10, 1),
        "judgement": "Hybrid operations against Allied critical infrastructure are highly likely "
        "to intensify over the next twelve months. Sabotage of undersea cables and energy "
        "links is the most likely form.",
        "confidence": "high",
        "threats": ["hybrid"],
        "marking": "RESTRICTED//NATO",
    },
    {
        "issuer": "Brussels Institute for Security Studies (illustrative)",
        "issued": dt.date(2026, 10, 20),
        "judgement": "The evidence that recent cable incidents were deliberate remains thin. "
        "Most damage is consistent with accidents by poorly maintained ships, and hybrid "
        "intent should not be assumed without forensic proof.",
        "confidence": "moderate",
        "threats": ["hybrid"],
        "marking": "UNCLASSIFIED",
    },
]


def _path(name: str) -> Path:
    return Path(str(resources.files("grandstrategy.examples").joinpath("horizon", name)))


def load_analysis_example(factory: sessionmaker[Session], *, user: Principal) -> dict[str, Any]:
    """Load the analysis example once (nothing is done when assessments exist already)."""
    with factory() as s:
        if s.execute(select(func.count()).select_from(Assessment)).scalar_one():
            return {}
    out: dict[str, Any] = {}
    for name in ("campaign.jsonl", "partners.jsonl"):
        if _path(name).is_file():
            out[name] = pipeline.ingest(
                factory, user=user, items=read_path(_path(name)), source="example"
            ).ingested
    with unit_of_work(factory) as s:
        for a in ASSESSMENTS:
            assessments.add_assessment(s, user=user, **a)  # type: ignore[arg-type]
        out["watches"] = load_watch_example(s, user=user)  # after the alerts: reviews open
        # after the watchlists: the brief's sections are the watched threats
        out["brief"] = brief_service.build(s, user=user, since="30d")["id"]
    return out
