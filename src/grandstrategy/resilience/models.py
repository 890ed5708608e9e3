"""Resilience tables: assessments, autonomy choices, interdependency matrices, scenarios.

Assessments and autonomy choices are append-only: the current state of a criterion is its
latest assessment, and the history is every row. Matrices and scenarios are named records
that can be replaced; each change is audited with before and after.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
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


class Assessment(Marked, Base):
    """A maturity level (0–5) for one criterion of one baseline requirement, with evidence."""

    __tablename__ = "resilience_assessments"
    __table_args__ = (
        Index("ix_resilience_assessments_req", "requirement", "criterion", "assessed_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement: Mapped[str] = mapped_column(String(40), nullable=False)
    criterion: Mapped[str] = mapped_column(String(60), nullable=False)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    target: Mapped[int] = mapped_column(Integer, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    links: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    assessor: Mapped[str] = mapped_column(String(100), nullable=False)
    assessed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AutonomyChoice(Marked, Base):
    """How much autonomy to seek for one requirement along one dimension, and why."""

    __tablename__ = "resilience_autonomy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    dimension: Mapped[str] = mapped_column(String(20), nullable=False)
    choice: Mapped[str] = mapped_column(String(20), nullable=False)
    rationale: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by: Mapped[str] = mapped_column(String(100), nullable=False)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Matrix(Marked, Base):
    """An interdependency matrix A* over named sectors, with where it came from."""

    __tablename__ = "resilience_matrices"
    # Names are unique per marking (polyinstantiation): one never collides with a name that
    # only a record hidden from one holds.
    __table_args__ = (
        UniqueConstraint(
            "name", "marking_level", "marking_compartments", name="uq_resilience_matrices_name"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    sectors: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    values: Mapped[list[list[float]]] = mapped_column(JSON, nullable=False)
    outputs: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)
    provenance: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Scenario(Marked, Base):
    """A named shock: initial perturbation per sector, its duration and recovery assumptions."""

    __tablename__ = "resilience_scenarios"
    __table_args__ = (
        UniqueConstraint(
            "name", "marking_level", "marking_compartments", name="uq_resilience_scenarios_name"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    matrix_id: Mapped[int | None] = mapped_column(ForeignKey("resilience_matrices.id"))
    shocks: Mapped[dict[str, float]] = mapped_column(JSON, nullable=False)
    shock_steps: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    steps: Mapped[int] = mapped_column(Integer, nullable=False, default=61)
    recovery_days: Mapped[dict[str, float]] = mapped_column(JSON, nullable=False, default=dict)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GapObjective(Base):
    """A strategy objective created to close a requirement's gap: the link both ways."""

    __tablename__ = "resilience_gap_objectives"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    strategy_key: Mapped[str] = mapped_column(String(100), nullable=False)
    objective_id: Mapped[str] = mapped_column(String(100), nullable=False)
    gap: Mapped[float] = mapped_column(Float, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
