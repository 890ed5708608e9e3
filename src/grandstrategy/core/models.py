"""Core tables: users, tokens, login failures, the audit log. Only portable column types."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.markings import Marking


def utcnow() -> datetime:
    return datetime.now(UTC)


class Marked:
    """Mixin for every record a user can read: exactly one marking, stored in two columns."""

    @declared_attr
    def marking_level(cls) -> Mapped[int]:
        return mapped_column(Integer, nullable=False, default=0, index=True)

    @declared_attr
    def marking_compartments(cls) -> Mapped[str]:
        return mapped_column(String(400), nullable=False, default="|")

    @property
    def marking(self) -> Marking:
        return Marking.from_columns(self.marking_level, self.marking_compartments)

    @marking.setter
    def marking(self, value: Marking) -> None:
        self.marking_level = value.level
        self.marking_compartments = value.column_compartments


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(40), nullable=False)
    clearance: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    compartments: Mapped[str] = mapped_column(String(400), nullable=False, default="|")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The interface language the user chose ('' = follow the browser, then the site default).
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="", server_default="")

    @property
    def compartment_set(self) -> frozenset[str]:
        return frozenset(c for c in self.compartments.split("|") if c)


class Token(Base):
    """A bearer token (API) or a web session. Only the SHA-256 of the secret is stored."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # "api" or "web"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    """One entry of the append-only, hash-chained audit log."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    at: Mapped[str] = mapped_column(String(40), nullable=False)  # ISO 8601, UTC, hashed as text
    actor: Mapped[str] = mapped_column(String(100), nullable=False, index=True)
    request_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    object_type: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    object_id: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    marking_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    marking_compartments: Mapped[str] = mapped_column(String(400), nullable=False, default="|")
    before: Mapped[str] = mapped_column(Text, nullable=False, default="null")
    after: Mapped[str] = mapped_column(Text, nullable=False, default="null")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # HMAC of ``hash`` under the audit key ``key_id`` (a file outside the database).
    key_id: Mapped[str] = mapped_column(String(16), nullable=False, default="", server_default="")
    mac: Mapped[str] = mapped_column(String(64), nullable=False, default="", server_default="")

    @property
    def marking(self) -> Marking:
        return Marking.from_columns(self.marking_level, self.marking_compartments)


class AuditHead(Base):
    """The chain's head (last seq and hash), updated with every append.

    Without it, deleting the newest entries would leave a shorter chain that still verifies.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)
    key_id: Mapped[str] = mapped_column(String(16), nullable=False, default="", server_default="")
    mac: Mapped[str] = mapped_column(String(64), nullable=False, default="", server_default="")
