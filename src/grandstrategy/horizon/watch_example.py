"""Watchlists in the illustrative installation: three threats of the example strategy watched.

Set after the example documents and alerts, so the threat pages show stories and alerts at
once and the alerts on watched threats open review items for their owners. One entry is
RESTRICTED: it adds a term that only cleared readers see on the threat's watchlist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import NotFound
from grandstrategy.horizon.watch_models import Watch
from grandstrategy.horizon.watch_service import set_watch

WATCHES: list[dict[str, Any]] = [
    {
        "threat": "cyber",
        "categories": ["cyber"],
        "actors": ["state:RU", "state:CN"],
        "terms": ["ransomware", "DDoS"],
    },
    {
        "threat": "hybrid",
        "categories": ["hybrid"],
        "actors": ["org:wagner"],
        "places": ["state:BY"],
        "terms": ["undersea cable", "sabotage"],
    },
    {
        "threat": "hybrid",
        "terms": ["anchor dragging"],
        "marking": "RESTRICTED",
    },
    {
        "threat": "disinformation",
        "categories": ["disinformation"],
        "terms": ["deepfake", "troll farm", "Doppelganger"],
    },
]


def load_watch_example(session: Session, *, user: Principal) -> int:
    """Set the example watchlists once (none when any exists, or the strategy lacks the
    threats); how many entries were set."""
    if session.execute(select(func.count()).select_from(Watch)).scalar_one():
        return 0
    done = 0
    for w in WATCHES:
        try:
            set_watch(session, user=user, **w)
        except NotFound:  # no strategy, or not the example's
            continue
        done += 1
    return done
