"""What is derived from one strategy version, computed once per version and reader's view.

The overview page, the traceability page and the lint and trace API read the whole strategy
and lint it twice (the reader's view and the whole, to mark the findings that depend on
hidden records): about 40 ms of a page's 50–100 ms on the example. None of it changes
until the strategy does, so the results are kept here, keyed by:

- the database (its engine) and a **fingerprint** of the strategy, the national strategy it
  derives from and the departmental strategies derived from either: row id, version,
  status, creation time, and the time of the newest revision of the current version. Every
  write to a strategy's records bumps its version and appends a revision
  (``versions.revise``), so an edit always changes the fingerprint. The revision time is
  there for the rare case where a transaction that bumped the version rolled back and
  another one reached the same version number with a different change; the creation time
  tells a strategy apart from one created after a database was emptied and filled again
  (tests, restores).
- the **reader's view**: clearance and compartments, the only things restriction reads
  (``core.authz.visible_clause``). Two readers with the same view share one entry; what one
  reader's entry holds was computed from that view alone, so it leaks nothing to another.
- what else the result depends on: the interface language (messages), the content
  languages checked, the marking cap.

The authorisation check (``require``) always runs before the cache is consulted. Entries are
few (``MAX_ENTRIES``, least recently used dropped); a value callers could change is kept
pickled and each caller gets its own copy (``copied``).
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.strategy.models import Revision, Strategy

MAX_ENTRIES = 256

T = TypeVar("T")

_lock = threading.Lock()
_entries: OrderedDict[Hashable, object] = OrderedDict()
_computing: dict[Hashable, threading.RLock] = {}  # keys being computed, one gate each
_stats = {"hits": 0, "misses": 0}


def fingerprint(session: Session, strategy: Strategy) -> tuple[Hashable, ...]:
    """The database and the state of the strategy, the national strategy it derives from
    (if any) and every strategy derived from either (one query)."""
    family = [strategy.id] + ([strategy.derives_from] if strategy.derives_from else [])
    newest = (
        select(func.max(Revision.at))
        .where(Revision.strategy_id == Strategy.id, Revision.version == Strategy.version)
        .correlate(Strategy)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Strategy.id, Strategy.version, Strategy.status, Strategy.created_at, newest)
        .where(or_(Strategy.id.in_(family), Strategy.derives_from.in_(family)))
        .order_by(Strategy.id)
    ).all()
    engine = session.get_bind().engine
    return (id(engine), str(engine.url), *(tuple(str(v) for v in row) for row in rows))


def view_of(user: Principal) -> tuple[int, tuple[str, ...]]:
    """What restriction reads of a reader."""
    return user.clearance, tuple(sorted(user.compartments))


def _hit(key: Hashable) -> tuple[bool, object]:
    with _lock:
        if key in _entries:
            _entries.move_to_end(key)
            _stats["hits"] += 1
            return True, _entries[key]
    return False, None


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value kept under ``key``, computed when absent by one thread at a time: readers
    arriving together after an edit (or a start) wait for the first one's result instead of
    each computing it (on two cores, fifty readers computing one lint took seconds)."""
    found, value = _hit(key)
    if found:
        return value  # type: ignore[return-value]
    with _lock:
        gate = _computing.setdefault(key, threading.RLock())
    with gate:
        found, value = _hit(key)
        if found:
            return value  # type: ignore[return-value]
        with _lock:
            _stats["misses"] += 1
        try:
            value = compute()
            with _lock:
                _entries[key] = value
                _entries.move_to_end(key)
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
        finally:
            with _lock:
                _computing.pop(key, None)
    return value


def copied(key: Hashable, compute: Callable[[], T]) -> T:
    """Like :func:`cached`, for a value callers may change: each gets its own copy (kept
    pickled: unpickling the example's package takes about 1 ms, a deep copy 5–8 ms)."""
    frozen = cached(key, lambda: pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.loads(frozen)  # type: ignore[no-any-return]  # noqa: S301 (bytes made here)


def stats() -> dict[str, int]:
    """Hits, misses and entries held (for benchmarks and tests)."""
    with _lock:
        return {**_stats, "entries": len(_entries)}


def clear() -> None:
    with _lock:
        _entries.clear()
        _stats.update(hits=0, misses=0)
