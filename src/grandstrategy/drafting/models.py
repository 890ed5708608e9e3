"""Drafting tables.

A *cycle* prepares the next edition of the strategy under exactly one pen-holder; its team
may edit and, when delegated, decide. A *round* consults one audience on one draft version,
whose text is kept as a snapshot at the round's marking, so participants read exactly what
was put to them. Each *contribution* is anchored to a record or a span of its text and ends
with a reasoned decision. The launch pack built at publication is kept as files.

Cycle and round names are not unique in the table: a name is refused only when the user can
see a cycle or round that holds it, so that trying a name never reveals a hidden one. A user
who sees two with one name gets the newest.
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
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow


class Cycle(Marked, Base):
    __tablename__ = "drafting_cycles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    strategy_key: Mapped[str] = mapped_column(String(80), nullable=False)
    base_version: Mapped[int] = mapped_column(Integer, nullable=False)
    pen_holder: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="drafting")
    decision: Mapped[str] = mapped_column(Text, nullable=False, default="")
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TeamMember(Base):
    """A drafter on the cycle's team; ``may_decide`` when the pen-holder delegated to them."""

    __tablename__ = "drafting_team"
    __table_args__ = (UniqueConstraint("cycle_id", "username", name="uq_drafting_team_member"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("drafting_cycles.id"), nullable=False, index=True
    )
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    may_decide: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Round(Marked, Base):
    __tablename__ = "drafting_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("drafting_cycles.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    audience: Mapped[str] = mapped_column(String(20), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    snapshot: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False)
    opened_by: Mapped[str] = mapped_column(String(100), nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Participant(Base):
    """An invited person outside the administration: a scoped account for one round."""

    __tablename__ = "drafting_participants"
    __table_args__ = (UniqueConstraint("round_id", "username", name="uq_drafting_participant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("drafting_rounds.id"), nullable=False, index=True
    )
    username: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    org_kind: Mapped[str] = mapped_column(String(20), nullable=False)
    invited_by: Mapped[str] = mapped_column(String(100), nullable=False)
    invited_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Contribution(Marked, Base):
    __tablename__ = "drafting_contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("drafting_rounds.id"), nullable=False, index=True
    )
    author: Mapped[str] = mapped_column(String(100), nullable=False)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    org_kind: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    component: Mapped[str] = mapped_column(String(20), nullable=False)
    record_key: Mapped[str] = mapped_column(String(80), nullable=False)
    field: Mapped[str | None] = mapped_column(String(40), nullable=True)
    span_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    span_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quote: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    proposal: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="published")
    moderation_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    moderated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    disposition: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    change_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LaunchFile(Marked, Base):
    """One file of the launch pack built when the cycle's edition was published."""

    __tablename__ = "drafting_launch_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("drafting_cycles.id"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    media_type: Mapped[str] = mapped_column(String(120), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
