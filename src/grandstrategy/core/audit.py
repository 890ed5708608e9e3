"""The audit log: typed events, append-only, hash-chained.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's own canonical
content (sequence number, time, actor, request id, action, object, marking, before, after)::

    hash_n = sha256(hash_{n-1} + canonical_json(content_n))

with ``hash_0`` the genesis value below. The head (last seq and hash) is kept in its own row
and moved in the same transaction as every append, so deleting the newest entries is caught
too. :func:`verify` walks the chain in ``seq`` order and names the first entry that breaks it.

A hash chain can be recomputed by whoever can write the table, so every entry and the head are
also signed with a keyed MAC whose key lives in a file outside the database
(:mod:`grandstrategy.core.auditkeys`), and the head can be exported as a signed checkpoint that
a later :func:`verify` compares against (deleting the newest entries is then caught even when
the head is rewound to an earlier signed state). The keyring in use is the session's
(``session.info["audit_keyring"]``), else the one the program installed with
:func:`use_keyring` at start (the web app and the CLI do); without one, entries are chained but
not signed, and :func:`verify` reports that once the key exists.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import readlog
from grandstrategy.core.auditkeys import Keyring, checkpoint_signed, make_checkpoint
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.bulkwrite import insert_rows
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import UNCLASSIFIED, Marking, scheme
from grandstrategy.core.models import AuditEvent, AuditHead, Marked

GENESIS = "0" * 64
KEYRING = "audit_keyring"
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_installed: list[Keyring] = []


def use_keyring(ring: Keyring | None) -> None:
    """Install the process's audit keyring (None removes it); sessions may override it."""
    _installed[:] = [ring] if ring is not None else []


def keyring_of(session: Session) -> Keyring | None:
    found = session.info.get(KEYRING)
    if isinstance(found, Keyring):
        return found
    return _installed[0] if _installed else None


def open_keyring(path: Path) -> Keyring:
    """The key file at ``path``, created (0600) with a first key when missing."""
    return Keyring.open_or_create(path)


def _sign(
    session: Session, head: AuditHead, events: list[AuditEvent] | list[dict[str, Any]]
) -> None:
    """Sign new entries (objects or row dicts) and the head with the current key, if any."""
    ring = keyring_of(session)
    if ring is None:
        return
    if ring.sealed_from < 0:  # the first signed entry: everything after it must be signed
        first = events[0]
        seq = first["seq"] if isinstance(first, dict) else first.seq
        prev = first["prev_hash"] if isinstance(first, dict) else first.prev_hash
        ring.seal(seq - 1, prev)
    key = ring.current
    for ev in events:
        if isinstance(ev, dict):
            ev["key_id"], ev["mac"] = key.id, ring.event_mac(key, ev["hash"])
        else:
            ev.key_id, ev.mac = key.id, ring.event_mac(key, ev.hash)
    head.key_id, head.mac = key.id, ring.head_mac(key, head.seq, head.hash)


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
    _sign(session, head, [ev])
    session.flush()
    readlog.note_write(session, marking)
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
        rows.append(_content(ev) | {"prev_hash": ev.prev_hash, "hash": prev})
    head.seq, head.hash = seq, prev
    _sign(session, head, rows)
    insert_rows(session, AuditEvent, rows)
    session.flush()
    for e in events:
        readlog.note_write(session, e.marking)
    return seq


def record_read(session: Session, user: Principal, obj: Marked, object_type: str, oid: Any) -> None:
    """Reads of records at or above the audited level (CONFIDENTIAL by default) are logged.

    Inside a request (a read collector on the session) the record joins the request's one
    ``read`` event; elsewhere it gets an event of its own.
    """
    if readlog.note_instance(session, obj):
        return
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
    signed: int = 0  # entries whose MAC was checked and holds
    unsigned: int = 0  # entries from before the audit key existed (chained only)
    checkpoint: int | None = None  # the count of the checkpoint compared against, if any


def _bad(count: int, ev: AuditEvent | None, seq: int | None, why: str, **kw: Any) -> Verification:
    return Verification(False, count, seq, ev.id if ev else None, why, **kw)


def verify(
    session: Session, *, keyring: Keyring | None = None, checkpoint: dict[str, Any] | None = None
) -> Verification:
    """Walk the chain; report the first entry that was changed, removed, added or moved.

    With a keyring (default: the session's), every entry after the key was made must carry a
    MAC that holds, and so must the head. With a checkpoint (see :func:`checkpoint`), the log
    must still reach the checkpoint's count with the same hash there.
    """
    ring = keyring or keyring_of(session)
    if keyring is None and ring is not None and ring.path is not None and ring.path.exists():
        ring = Keyring.load(ring.path)  # keys rotated by another process since this one began
    if checkpoint is not None and checkpoint_signed(ring, checkpoint) is False:
        return Verification(False, 0, None, None, _("checkpoint signature does not hold"))
    prev, expected_seq, count, signed, unsigned = GENESIS, 1, 0, 0, 0
    cp_seq = checkpoint["count"] if checkpoint else None
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id)).scalars()
    for ev in rows:
        count += 1
        if ev.seq != expected_seq:
            why = _("missing entry before it") if ev.seq > expected_seq else _("duplicate or moved")
            return _bad(count, ev, ev.seq, _("sequence {seq}: {why}").format(seq=ev.seq, why=why))
        if ev.prev_hash != prev:
            return _bad(count, ev, ev.seq, _("link to previous entry broken"))
        if entry_hash(prev, ev) != ev.hash:
            return _bad(count, ev, ev.seq, _("content changed"))
        if ring is not None:
            if ev.mac:
                held = ring.check(ev.key_id, f"event:{ev.hash}", ev.mac)
                if held is None:
                    return _bad(
                        count,
                        ev,
                        ev.seq,
                        _("signed with unknown audit key {key!r}").format(key=ev.key_id),
                    )
                if not held:
                    return _bad(
                        count, ev, ev.seq, _("MAC does not hold: entry forged or rechained")
                    )
                signed += 1
            elif 0 <= ring.sealed_from < ev.seq:
                return _bad(count, ev, ev.seq, _("entry not signed though the audit key existed"))
            else:
                unsigned += 1
            if ev.seq == ring.sealed_from and ring.sealed_hash and ev.hash != ring.sealed_hash:
                return _bad(count, ev, ev.seq, _("entries before the audit key was made changed"))
        if cp_seq == ev.seq and checkpoint and ev.hash != checkpoint["hash"]:
            return _bad(
                count, ev, ev.seq, _("entry differs from the checkpoint"), checkpoint=cp_seq
            )
        prev = ev.hash
        expected_seq += 1
    last = expected_seq - 1
    kw: dict[str, Any] = {"signed": signed, "unsigned": unsigned, "checkpoint": cp_seq}
    if ring is not None and ring.sealed_from > last:
        why = _("log ends at {last}, before signing began at {sealed}: entries deleted")
        return _bad(count, None, last + 1, why.format(last=last, sealed=ring.sealed_from), **kw)
    if cp_seq is not None and cp_seq > last:
        why = _("log ends at {last} but the checkpoint saw {n} entries: newest entries deleted")
        return _bad(count, None, last + 1, why.format(last=last, n=cp_seq), **kw)
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != last or head_hash != prev:
        why = _("chain ends at {last}, head at {head}").format(last=last, head=head_seq)
        return _bad(count, None, expected_seq, why, **kw)
    if ring is not None and head is not None and 0 <= ring.sealed_from < head_seq:
        held = ring.check(head.key_id, f"head:{head.seq}:{head.hash}", head.mac)
        if not held:
            return _bad(count, None, head_seq, _("head signature does not hold"), **kw)
    return Verification(True, count, **kw)


def checkpoint(session: Session, *, actor: Principal) -> dict[str, Any]:
    """Sign the head as it is now, after logging that a checkpoint was taken.

    Keep the result outside the database (another machine, a printout): it is what proves,
    later, that the log once had this many entries.
    """
    require(actor, "audit.read")
    ring = keyring_of(session)
    if ring is None:
        raise Invalid(_("no audit key installed: cannot sign a checkpoint"))
    record(session, actor=actor, action="audit.checkpoint", object_type="audit")
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    return make_checkpoint(ring, head.seq, head.hash)


def rotate_key(session: Session, *, actor: Principal) -> str:
    """Make a new current audit key (old ones stay to verify); returns its id."""
    require(actor, "audit.read")
    ring = keyring_of(session)
    if ring is None:
        raise Invalid(_("no audit key installed: nothing to rotate"))
    old = ring.current.id
    key = ring.rotate()
    record(
        session,
        actor=actor,
        action="audit.rotate_key",
        object_type="audit",
        object_id=key.id,
        before={"key_id": old},
        after={"key_id": key.id},
    )
    return key.id


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
    events = list(session.execute(q).scalars())
    for e in events:  # entries about classified records are classified reads themselves
        readlog.note(session, "audit_events", e.seq, e.marking)
    return events
