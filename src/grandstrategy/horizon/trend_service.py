"""Story counts per category, actor and their pairs, per day or week, for one reader.

Counts are of stories (events), dated by their first report the reader may see, and built
only from the members the reader may read: a hidden document never adds a story, moves its
date or gives it a category in anyone's counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.horizon import trends
from grandstrategy.horizon.story_service import StorySummary, summaries

BY = ("category", "actor", "category,actor")
INTERVALS = ("day", "week")


@dataclass
class Series:
    key: str  # "cyber", "state:RU" or "cyber|state:RU"
    total: int
    periods: list[dt.date]
    counts: list[int]
    bursts: list[trends.Burst]


def keys_of(s: StorySummary, by: str) -> list[str]:
    if by == "category":
        return list(s.categories)
    if by == "actor":
        return list(s.actors)
    return [f"{c}|{a}" for c in s.categories for a in s.actors]


def series_of(stories: list[StorySummary], by: str) -> dict[str, list[StorySummary]]:
    out: dict[str, list[StorySummary]] = {}
    for s in stories:
        for k in keys_of(s, by):
            out.setdefault(k, []).append(s)
    return out


def compute(
    stories: list[StorySummary], *, by: str, interval: str = "day", top: int = 20
) -> list[Series]:
    """Daily (or weekly) story counts and bursts per key, the busiest keys first."""
    if by not in BY:
        raise Invalid(
            _("--by must be one of {choices}, not {value!r}").format(
                choices=", ".join(BY), value=by
            )
        )
    if interval not in INTERVALS:
        raise Invalid(_("--interval must be day or week, not {value!r}").format(value=interval))
    if not stories:
        return []
    start = min(s.first for s in stories)
    end = max(s.first for s in stories)
    out = []
    for key, group in series_of(stories, by).items():
        counts = trends.daily([s.first for s in group], start, end)
        found = trends.bursts(counts, start)
        if interval == "week":
            periods, values = trends.weekly(counts, start)
        else:
            periods = [start + dt.timedelta(days=i) for i in range(len(counts))]
            values = counts
        out.append(Series(key, len(group), periods, [int(v) for v in values], found))
    out.sort(key=lambda s: (-s.total, s.key))
    return out[:top]


def trend_series(
    session: Session,
    *,
    user: Principal,
    by: str = "category",
    interval: str = "day",
    since: dt.date | None = None,
    top: int = 20,
) -> list[Series]:
    """The reader's story counts per key and period, with the bursts found in them."""
    require(user, "horizon.read")
    stories = summaries(session, user)
    if since:
        stories = [s for s in stories if s.first >= since]
    return compute(stories, by=by, interval=interval, top=top)
