"""Strategy tables.

Each component table mirrors its pydantic schema in ``schemas.py``: scalar fields are typed
columns of the same name, lists (links, indicators, budget lines, memberships) are JSON
columns. ``key`` is the record's internal key (its id, scoped when a hidden record holds the
same id: see ``scope.py``), unique within its strategy; links hold internal keys too;
``position`` keeps the author's order. History is append-only in ``strategy_revisions``;
frozen versions (approved, published) are snapshots in ``strategy_editions``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow

# An id is at most 80 characters; an internal key may add "~" and a token (see scope.py).
KEY_LEN = 100


class Strategy(Marked, Base):
    __tablename__ = "strategies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    country: Mapped[str] = mapped_column(String(100), nullable=False)
    edition: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    period_start: Mapped[dt.date] = mapped_column(Date, nullable=False)
    period_end: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    notice: Mapped[str] = mapped_column(Text, nullable=False, default="")
    max_priorities: Mapped[int] = mapped_column(Integer, nullable=False, default=10)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # language -> field -> {"text", "source_hash"}: see strategy/translations.py
    translations: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # national (the default), departmental or annual-statement: see derive.py. A derived
    # strategy names the national strategy it derives from (row id) and the actor it is for.
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="national")
    derives_from: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str | None] = mapped_column(String(80), nullable=True)


class Component(Marked):
    """Columns every component record has."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LEN), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # language -> field -> {"text", "source_hash"}: see strategy/translations.py
    translations: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)

    @declared_attr
    def strategy_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("strategies.id"), nullable=False, index=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("strategy_id", "key", name=f"uq_{cls.__tablename__}_key"),)  # type: ignore[attr-defined]

    @property
    def label(self) -> str:
        return str(getattr(self, "title", None) or getattr(self, "name", None) or self.key)


class ActorRow(Component, Base):
    __tablename__ = "strategy_actors"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    parent: Mapped[str | None] = mapped_column(String(KEY_LEN), nullable=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    members: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False, default=list)


class InterestRow(Component, Base):
    __tablename__ = "strategy_interests"
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    statement: Mapped[str] = mapped_column(Text, nullable=False)


class ThreatRow(Component, Base):
    __tablename__ = "strategy_threats"
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    authors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    horizon_years: Mapped[int] = mapped_column(Integer, nullable=False)
    likelihood: Mapped[int | None] = mapped_column(Integer, nullable=True)
    impact: Mapped[int | None] = mapped_column(Integer, nullable=True)
    black_swan: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    vulnerability: Mapped[str | None] = mapped_column(Text, nullable=True)
    interests: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


class RoleRow(Component, Base):
    __tablename__ = "strategy_roles"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    posture: Mapped[dict[str, int | None]] = mapped_column(JSON, nullable=False, default=dict)


class ObjectiveRow(Component, Base):
    __tablename__ = "strategy_objectives"
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    horizon: Mapped[int] = mapped_column(Integer, nullable=False)
    owner: Mapped[str | None] = mapped_column(String(KEY_LEN), nullable=True, index=True)
    contributors: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    priority: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="planned")
    parent: Mapped[str | None] = mapped_column(String(KEY_LEN), nullable=True)
    indicators: Mapped[list[dict[str, object]]] = mapped_column(JSON, nullable=False, default=list)
    interests: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    threats: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    # In a derived strategy: the internal key of the national objective this one serves.
    serves: Mapped[str | None] = mapped_column(String(KEY_LEN), nullable=True)


class CapabilityRow(Component, Base):
    __tablename__ = "strategy_capabilities"
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    owner: Mapped[str | None] = mapped_column(String(KEY_LEN), nullable=True, index=True)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    budget: Mapped[list[dict[str, object]]] = mapped_column(JSON, nullable=False, default=list)
    personnel: Mapped[list[dict[str, object]]] = mapped_column(JSON, nullable=False, default=list)
    objectives: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


ROWS: dict[str, type[Component]] = {
    "actors": ActorRow,
    "interests": InterestRow,
    "threats": ThreatRow,
    "roles": RoleRow,
    "objectives": ObjectiveRow,
    "capabilities": CapabilityRow,
}


class Revision(Marked, Base):
    """One change to one record (or to the strategy itself: component ``strategy``).

    The marking is the higher of the record's markings before and after the change, so a
    reader never learns of a change to something above their clearance.
    """

    __tablename__ = "strategy_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    component: Mapped[str] = mapped_column(String(20), nullable=False)
    key: Mapped[str] = mapped_column(String(KEY_LEN), nullable=False)
    op: Mapped[str] = mapped_column(String(10), nullable=False)  # create, update, delete
    before: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    # The fields an update changed, comma-separated: tells most changes a reader sees apart
    # without reading before/after (only a change of links alone needs the reader's view).
    fields: Mapped[str] = mapped_column(Text, nullable=False, default="")


class Edition(Marked, Base):
    """A version frozen as an edition: approved, published or superseded."""

    __tablename__ = "strategy_editions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    strategy_id: Mapped[int] = mapped_column(
        ForeignKey("strategies.id"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
