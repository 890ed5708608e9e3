"""Tables of the rolling analysis: stories, their lineage, alerts, briefs, assessments.

Restriction is built into the shape of the data rather than bolted on:

* a story member carries its document's marking, and a story's own marking is the marking
  of its founding document (a document only ever joins a story whose marking is at or below
  its own), so a reader who sees any member of a story sees the story, and what a story
  shows a reader (dates, size, languages, actors) is computed from the members they see;
* an alert is computed on the *view* of one marking (only the documents at or below it) and
  carries that marking, so an alert a reader sees never rests on a document they may not see;
* a brief is built from what its author sees and carries the highest marking it cites.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow


class Story(Marked, Base):
    """Documents that report one event. The marking is the founding document's."""

    __tablename__ = "horizon_stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoryMember(Marked, Base):
    """A document in a story, with what the clustering compared (kept so it is not redone)."""

    __tablename__ = "horizon_story_members"
    __table_args__ = (Index("ix_horizon_story_members_published", "published"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_stories.id"), nullable=False, index=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_documents.id"), nullable=False, unique=True
    )
    published: Mapped[dt.date] = mapped_column(Date, nullable=False)
    how: Mapped[str] = mapped_column(String(20), nullable=False)  # founded, near-duplicate, ...
    similarity: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)
    vector: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    actors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StoryEvent(Marked, Base):
    """One step of a story's lineage: born, grew, merged, split (marked like its cause)."""

    __tablename__ = "horizon_story_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    other_story_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Alert(Marked, Base):
    """A burst, an emerging issue or a convergence, found on the view of one marking."""

    __tablename__ = "horizon_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    category: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    actor: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    start: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    stories: Mapped[list[int]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="open")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AlertAction(Base):
    """An analyst's acknowledgement or dismissal of an alert, with the reason (append-only)."""

    __tablename__ = "horizon_alert_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_alerts.id"), nullable=False, index=True
    )
    verdict: Mapped[str] = mapped_column(String(12), nullable=False)
    reason: Mapped[str] = mapped_column(String(1000), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Brief(Marked, Base):
    """A frozen rolling brief: its sentences with their citations, kept as written."""

    __tablename__ = "horizon_briefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    since: Mapped[dt.date] = mapped_column(Date, nullable=False)
    until: Mapped[dt.date] = mapped_column(Date, nullable=False)
    categories: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    content: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
    support_rate: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)


class Assessment(Marked, Base):
    """A judgement issued by someone else (NATO, the EU, an ally, a think tank)."""

    __tablename__ = "horizon_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(200), nullable=False)
    issued: Mapped[dt.date] = mapped_column(Date, nullable=False)
    judgement: Mapped[str] = mapped_column(Text, nullable=False)
    confidence: Mapped[str] = mapped_column(String(20), nullable=False)
    threats: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    document_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
