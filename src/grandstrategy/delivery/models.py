"""Delivery tables: check-ins, milestones, judgements, comments, stocktake packs, the
deployments register with its yearly review rounds, and capability targets.

Objectives live in the strategy; delivery records name them by the strategy's id and the
objective's id (``strategy_key``, ``objective``), so a record outlives edits to the objective
and a five-yearly review can still read it. Check-ins and judgements are append-only: the
current state is the latest row the reader may see, the history is every row.
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
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow


class ObjectiveRecord(Marked):
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_key: Mapped[str] = mapped_column(String(80), nullable=False)
    objective: Mapped[str] = mapped_column(String(80), nullable=False)


class CheckIn(ObjectiveRecord, Base):
    """The owner's report: status, indicator values (each with its date), narrative, evidence."""

    __tablename__ = "delivery_checkins"
    __table_args__ = (Index("ix_delivery_checkins_objective", "strategy_key", "objective"),)

    status: Mapped[str] = mapped_column(String(20), nullable=False)
    values: Mapped[list[dict[str, object]]] = mapped_column(JSON, nullable=False, default=list)
    narrative: Mapped[str] = mapped_column(Text, nullable=False, default="")
    evidence: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    next_milestone: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    next_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    reported_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    reporter: Mapped[str] = mapped_column(String(100), nullable=False)
    actor: Mapped[str] = mapped_column(String(80), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Milestone(ObjectiveRecord, Base):
    """A dated step; with an indicator and a value it bends that indicator's planned path."""

    __tablename__ = "delivery_milestones"
    __table_args__ = (Index("ix_delivery_milestones_objective", "strategy_key", "objective"),)

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    due: Mapped[dt.date] = mapped_column(Date, nullable=False)
    indicator: Mapped[str | None] = mapped_column(String(200), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Judgement(ObjectiveRecord, Base):
    """The secretariat's view of the likelihood of delivery, with its reason."""

    __tablename__ = "delivery_judgements"
    __table_args__ = (Index("ix_delivery_judgements_objective", "strategy_key", "objective"),)

    rating: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    judged_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    judge: Mapped[str] = mapped_column(String(100), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Comment(ObjectiveRecord, Base):
    """A contributor's remark on an objective's delivery."""

    __tablename__ = "delivery_comments"
    __table_args__ = (Index("ix_delivery_comments_objective", "strategy_key", "objective"),)

    text: Mapped[str] = mapped_column(Text, nullable=False)
    author: Mapped[str] = mapped_column(String(100), nullable=False)
    actor: Mapped[str] = mapped_column(String(80), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Pack(Marked, Base):
    """A stocktake pack as issued: what each objective stood at, so the next one can say what
    changed. Its marking is the highest of what it contained."""

    __tablename__ = "delivery_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_key: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    as_of: Mapped[dt.date] = mapped_column(Date, nullable=False)
    rows: Mapped[list[dict[str, object]]] = mapped_column(JSON, nullable=False, default=list)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Deployment(Marked, Base):
    """An operational deployment abroad."""

    __tablename__ = "delivery_deployments"
    # Keys are unique per marking (polyinstantiation): a key held by a deployment hidden from
    # a user never blocks theirs, so "taken" reveals nothing.
    __table_args__ = (
        UniqueConstraint(
            "key",
            "marking_level",
            "marking_compartments",
            name="uq_delivery_deployments_key_marking",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    framework: Mapped[str] = mapped_column(String(20), nullable=False)
    theatre: Mapped[str] = mapped_column(String(200), nullable=False)
    personnel: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    annual_cost: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    objectives: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    threats: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReviewRound(Marked, Base):
    """The yearly review of the deployments, signed off by the named departments."""

    __tablename__ = "delivery_review_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    departments: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Proposal(Marked, Base):
    """Continue, end or reorient a deployment, or start a new one for a crisis scenario."""

    __tablename__ = "delivery_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_review_rounds.id"), nullable=False, index=True
    )
    deployment: Mapped[str | None] = mapped_column(String(80), nullable=True)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    rationale: Mapped[str] = mapped_column(Text, nullable=False)
    scenario: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SignOff(Marked, Base):
    """One department's sign-off of a review round."""

    __tablename__ = "delivery_signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_review_rounds.id"), nullable=False, index=True
    )
    department: Mapped[str] = mapped_column(String(80), nullable=False)
    signed_by: Mapped[str] = mapped_column(String(100), nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CapabilityTarget(Marked, Base):
    """What a capability should deliver in a year (units, readiness, personnel), what it
    delivered, and what was spent on it."""

    __tablename__ = "delivery_capability_targets"
    __table_args__ = (Index("ix_delivery_capability_targets_cap", "capability", "measure", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    capability: Mapped[str] = mapped_column(String(80), nullable=False)
    measure: Mapped[str] = mapped_column(String(20), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    target: Mapped[float] = mapped_column(Float, nullable=False)
    delivered: Mapped[float | None] = mapped_column(Float, nullable=True)
    spend: Mapped[float | None] = mapped_column(Float, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(100), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
