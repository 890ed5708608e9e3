"""Reads of classified records: collected per request, logged as one audit event.

Auditing reads one call site at a time misses every list, search, history, diff, export and
page that shows a record. Instead a *collector* is attached to the database session of a
request once the acting user is known (:func:`collect_reads`; the web layer does it for every
authenticated request, the CLI for every command). From then on:

- every marked ORM record loaded through that session is noted automatically (a SQLAlchemy
  ``loaded_as_persistent`` hook), when its marking is at or above the audited level (settings:
  ``audit_read`` in markings.yaml, CONFIDENTIAL by default) and the user may read it;
- code that shows records it did not load as ORM objects (column queries, raw rows, an
  external index) calls :func:`note` with the type, id and marking of what it shows;
- when the session commits — in the request's transaction, before the reply is sent — one
  ``read`` event is appended listing every noted record (:func:`flush`), marked with the
  highest marking among them, so that only auditors cleared for them see the entry.

This errs on the side of logging: a record loaded to compute what is shown (a score, a lint
finding) counts as read, which is what an auditor wants to know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.markings import Marking, combine, scheme
from grandstrategy.core.models import Marked

KEY = "grandstrategy.reads"
PENDING_CHUNK = 500  # records whose markings are read in one query


@dataclass
class ReadCollector:
    user: Principal
    where: str = ""
    records: dict[tuple[str, str], Marking] = field(default_factory=dict)
    pending: list[Any] = field(default_factory=list)  # loaded without their marking columns
    threshold: int = field(default_factory=lambda: scheme().audit_read_index)
    # The highest marking this request wrote (from its audit events): the read event is
    # marked at least as high, so an auditor never learns of a request that wrote records
    # above their clearance from its read event.
    written: Marking = field(default_factory=Marking)


def collect_reads(session: Session, user: Principal, where: str = "") -> ReadCollector:
    """Start (or re-target) collecting the reads of ``user`` on this session."""
    found = session.info.get(KEY)
    if isinstance(found, ReadCollector) and found.user == user:
        found.where = where or found.where
        return found
    collector = ReadCollector(user, where)
    session.info[KEY] = collector
    return collector


def collector_of(session: Session) -> ReadCollector | None:
    found = session.info.get(KEY)
    return found if isinstance(found, ReadCollector) else None


def note(session: Session, object_type: str, object_id: Any, marking: Marking) -> bool:
    """Note one shown record; False when nothing collects on this session."""
    c = collector_of(session)
    if c is None:
        return False
    _note(c, object_type, object_id, marking)
    return True


def _note(c: ReadCollector, object_type: str, object_id: Any, marking: Marking) -> None:
    if marking.level >= c.threshold and c.user.can_read(marking):
        c.records[(object_type, str(object_id))] = marking


def _identity(obj: Any) -> tuple[str, str]:
    state = inspect(obj)
    ident = state.identity or ()
    return str(getattr(obj, "__tablename__", type(obj).__name__)), "/".join(map(str, ident))


def note_write(session: Session, marking: Marking) -> None:
    """Remember that this request wrote something at ``marking`` (audit events call it)."""
    c = collector_of(session)
    if c is not None:
        c.written = c.written.join(marking)


def note_instance(session: Session, obj: Marked) -> bool:
    """Note an ORM record (as the automatic hook does); False when nothing collects."""
    kind, oid = _identity(obj)
    return note(session, kind, oid, obj.marking)


@event.listens_for(Session, "loaded_as_persistent")
def _on_load(session: Session, instance: Any) -> None:
    if not isinstance(instance, Marked):
        return
    c = collector_of(session)
    if c is None:
        return
    level = instance.__dict__.get("marking_level")
    comps = instance.__dict__.get("marking_compartments")
    if level is None or comps is None:  # columns deferred: read them at flush (no SQL here)
        c.pending.append(instance)
        return
    if level < c.threshold:  # the common case, decided without more work
        return
    kind, oid = _identity(instance)
    _note(c, kind, oid, Marking.from_columns(level, comps))


def flush(session: Session) -> int:
    """Append one ``read`` event for what was noted since the last flush; returns the count."""
    c = collector_of(session)
    if c is None:
        return 0
    pending, c.pending = c.pending, []
    _note_pending(session, c, pending)
    if not c.records:
        return 0
    from grandstrategy.core import audit  # audit imports this module for the hook

    records, c.records = c.records, {}
    listed = [
        {"type": kind, "id": oid, "marking": str(m)} for (kind, oid), m in sorted(records.items())
    ]
    audit.record(
        session,
        actor=c.user,
        action="read",
        object_type="records",
        object_id=c.where[:120],
        marking=combine(records.values()).join(c.written),
        after={"count": len(listed), "records": listed},
    )
    return len(listed)


def _note_pending(session: Session, c: ReadCollector, pending: list[Any]) -> None:
    """Note records loaded without their marking columns: one query per table and
    ``PENDING_CHUNK`` records reads the markings (a page listing a few hundred stories
    loaded them one by one before: half of its time)."""
    by_class: dict[type[Marked], dict[Any, Any]] = {}
    for obj in pending:
        state = inspect(obj)
        key = state.identity
        if key is None or len(key) != 1 or state.deleted or state.detached:
            note_instance(session, obj)  # the rare case: as the record itself says
            continue
        by_class.setdefault(type(obj), {})[key[0]] = obj
    for cls, objs in by_class.items():
        keys: tuple[Any, ...] = tuple(inspect(cls).primary_key)
        if len(keys) != 1:
            for obj in objs.values():
                note_instance(session, obj)
            continue
        pk = keys[0]
        ids = list(objs)
        found: dict[Any, tuple[int, str]] = {}
        for at in range(0, len(ids), PENDING_CHUNK):
            q = select(pk, cls.marking_level, cls.marking_compartments).where(
                pk.in_(ids[at : at + PENDING_CHUNK])
            )
            found.update({row[0]: (row[1], row[2]) for row in session.execute(q)})
        kind = str(getattr(cls, "__tablename__", cls.__name__))
        for oid, obj in objs.items():
            if oid in found:
                _note(c, kind, str(oid), Marking.from_columns(*found[oid]))
            else:  # gone meanwhile: as the record itself says
                note_instance(session, obj)


@event.listens_for(Session, "before_commit")
def _on_commit(session: Session) -> None:
    flush(session)
