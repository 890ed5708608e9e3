"""Tables of the watchlists that tie the strategy's threats to the horizon scan.

A threat may have several watchlist entries, one per marking (polyinstantiation, as for
documents): a classified entry can add the actors or terms that may not be named at a lower
marking, and setting the entry at one marking never reveals or touches another. A reader's
watchlist for a threat is the union of the entries they may read.

A review item is opened for the owner of an objective that addresses a watched threat when
an alert concerns that threat: one per alert, threat and owner. It carries the highest
marking of what it rests on (the alert, the watchlist entry, the threat, the objective).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow


class Watch(Marked, Base):
    """One watchlist entry of a threat (``threat`` is the threat's id in ``strategy``)."""

    __tablename__ = "horizon_watches"
    __table_args__ = (
        UniqueConstraint(
            "strategy",
            "threat",
            "marking_level",
            "marking_compartments",
            name="uq_horizon_watches_threat_marking",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy: Mapped[str] = mapped_column(String(100), nullable=False)
    threat: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    categories: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    actors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    places: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    terms: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    updated_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WatchReview(Marked, Base):
    """A review item: an alert on a watched threat, for one owner of an objective countering it."""

    __tablename__ = "horizon_watch_reviews"
    __table_args__ = (
        UniqueConstraint(
            "alert_id", "strategy", "threat", "owner", name="uq_horizon_watch_reviews_alert"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_alerts.id"), nullable=False, index=True
    )
    strategy: Mapped[str] = mapped_column(String(100), nullable=False)
    threat: Mapped[str] = mapped_column(String(100), nullable=False)
    owner: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    objectives: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    note: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    closed_by: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
