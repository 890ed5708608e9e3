"""The audit log: typed events, append-only, hash-chained.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's own canonical
content (sequence number, time, actor, request id, action, object, marking, before, after)::

    hash_n = sha256(hash_{n-1} + canonical_json(content_n))

with ``hash_0`` the genesis value below. The head (last seq and hash) is kept in its own row
and moved in the same transaction as every append, so deleting the newest entries is caught
too. :func:`verify` walks the chain in ``seq`` order and names the first entry that breaks it.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.markings import UNCLASSIFIED, Marking, scheme
from grandstrategy.core.models import AuditEvent, AuditHead, Marked

GENESIS = "0" * 64
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _content(ev: AuditEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at,
        "actor": ev.actor,
        "request_id": ev.request_id,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "marking_level": ev.marking_level,
        "marking_compartments": ev.marking_compartments,
        "before": ev.before,
        "after": ev.after,
    }


def entry_hash(prev_hash: str, ev: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(_content(ev))).encode("utf-8")).hexdigest()


def record(
    session: Session,
    *,
    actor: Principal | str,
    action: str,
    object_type: str = "",
    object_id: Any = "",
    marking: Marking = UNCLASSIFIED,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    """Append one event in the caller's transaction (it commits or rolls back with the write)."""
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    ev = AuditEvent(
        seq=head.seq + 1,
        at=datetime.now(UTC).isoformat(timespec="microseconds"),
        actor=actor if isinstance(actor, str) else actor.username,
        request_id=request_id_var.get(),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        marking_level=marking.level,
        marking_compartments=marking.column_compartments,
        before=canonical(before),
        after=canonical(after),
        prev_hash=head.hash,
    )
    ev.hash = entry_hash(head.hash, ev)
    session.add(ev)
    head.seq = ev.seq
    head.hash = ev.hash
    session.flush()
    return ev


@dataclass(frozen=True)
class Event:
    """One event for :func:`record_many` (the arguments of :func:`record`)."""

    actor: Principal | str
    action: str
    object_type: str = ""
    object_id: Any = ""
    marking: Marking = UNCLASSIFIED
    before: Any = None
    after: Any = None


def record_many(session: Session, events: Sequence[Event]) -> int:
    """Append several events in the caller's transaction, chained exactly as :func:`record`
    would chain them one by one, with one multi-row INSERT and one move of the head.

    For batch work (ingestion writes one event per document): the per-event cost of
    ``record`` is a head read and two row writes. Returns the last sequence number written.
    """
    head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    if not events:
        return head.seq
    seq, prev = head.seq, head.hash
    request_id = request_id_var.get()
    rows: list[dict[str, Any]] = []
    for e in events:
        seq += 1
        ev = AuditEvent(
            seq=seq,
            at=datetime.now(UTC).isoformat(timespec="microseconds"),
            actor=e.actor if isinstance(e.actor, str) else e.actor.username,
            request_id=request_id,
            action=e.action,
            object_type=e.object_type,
            object_id=str(e.object_id),
            marking_level=e.marking.level,
            marking_compartments=e.marking.column_compartments,
            before=canonical(e.before),
            after=canonical(e.after),
            prev_hash=prev,
        )
        prev = entry_hash(prev, ev)
        rows.append({col: getattr(ev, col) for col in _COLUMNS} | {"hash": prev})
    session.execute(insert(AuditEvent), rows)
    head.seq, head.hash = seq, prev
    session.flush()
    return seq


_COLUMNS = (
    "seq",
    "at",
    "actor",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "marking_level",
    "marking_compartments",
    "before",
    "after",
    "prev_hash",
)


def record_read(session: Session, user: Principal, obj: Marked, object_type: str, oid: Any) -> None:
    """Reads of records at or above the audited level (CONFIDENTIAL by default) are logged."""
    if obj.marking.level >= scheme().audit_read_index:
        record(
            session,
            actor=user,
            action="read",
            object_type=object_type,
            object_id=oid,
            marking=obj.marking,
        )


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str = ""


def verify(session: Session) -> Verification:
    """Walk the chain; report the first entry that was changed, removed, added or moved."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).scalars()
    for ev in rows:
        count += 1
        if ev.seq != expected_seq:
            why = "missing entry before it" if ev.seq > expected_seq else "duplicate or moved"
            return Verification(False, count, ev.seq, ev.id, f"sequence {ev.seq}: {why}")
        if ev.prev_hash != prev:
            return Verification(False, count, ev.seq, ev.id, "link to previous entry broken")
        if entry_hash(prev, ev) != ev.hash:
            return Verification(False, count, ev.seq, ev.id, "content changed")
        prev = ev.hash
        expected_seq += 1
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != prev:
        return Verification(
            False,
            count,
            expected_seq,
            None,
            f"chain ends at {expected_seq - 1}, head at {head_seq}",
        )
    return Verification(True, count)


def list_events(
    session: Session,
    *,
    user: Principal,
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Audit entries, newest first, limited to what the reader's clearance covers."""
    require(user, "audit.read")
    q = select(AuditEvent)
    q = restrict(q, user, AuditEvent)  # type: ignore[arg-type]
    if actor:
        q = q.where(AuditEvent.actor == actor)
    if action:
        q = q.where(AuditEvent.action.startswith(action))
    if since:
        q = q.where(AuditEvent.at >= since.astimezone(UTC).isoformat(timespec="microseconds"))
    q = q.order_by(AuditEvent.seq.desc()).limit(limit)
    return list(session.execute(q).scalars())
