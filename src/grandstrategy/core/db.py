"""Engine and session factory (SQLAlchemy 2), migrations (Alembic), the write gate.

SQLite runs in WAL mode with foreign keys on; PostgreSQL goes through psycopg 3. Nothing is
created at import time: :func:`make_engine` and :func:`make_sessionmaker` are factories.

Concurrent writers. SQLite has one writer at a time, and a transaction that read first and
writes later fails at once ("database is locked", SQLITE_BUSY_SNAPSHOT) when another
connection committed in between: no timeout helps. So, inside a web request
(:func:`request_scope`), writes in this process go through one *write gate* per database:

- a request that may write (POST, PUT, PATCH, DELETE) takes the gate before it starts and
  holds it until its reply is committed, so its snapshot is always fresh and no other
  writer of this process can interleave (on PostgreSQL this also rules out deadlocks);
- a read-only request (GET) that turns out to write (an audit read event) takes the gate
  at its first write and, on SQLite, starts a fresh transaction there, so the append never
  works from a stale snapshot. If the gate stays busy it raises :class:`DatabaseBusy` and
  the web layer runs the request again as a writer (``web/transactions.py``).

Outside a request (CLI, tests, scripts) nothing changes: plain transactions, with SQLite's
busy timeout for the rare writer in another process.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import Connection, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from grandstrategy.core.errors import Invalid

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the driver, decide when transactions begin (savepoints need it).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    # Read the file through a memory map (up to the build's limit, 2 GB by default): a
    # search reading 500 scattered rows spent a third of that in copying pages (1 ms at 1M)
    cur.execute("PRAGMA mmap_size=2147483648")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)
    conn.exec_driver_sql("BEGIN")


# --- the write gate ---------------------------------------------------------------------------

_WROTE = "grandstrategy.wrote"  # connection info: this transaction holds the gate for writing
GATE_WAIT_S = 60.0  # how long a writer request queues for the gate before 503
THREAD_SLICE_S = 0.005  # a waiting thread looks at the request queue this often
READER_WAIT_S = 0.5  # how long a GET's thread waits for the gate before the request reruns


class DatabaseBusy(Exception):
    """The database could not take a write now; nothing was stored. Safe requests are rerun;
    others answer 503 with Retry-After."""


class WriteGate:
    """One writer at a time for one database in this process.

    A plain lock (any thread may release it: a request takes it in one thread and its reply
    commits in another) with a queue for waiting requests: they wait as coroutines, holding
    no worker thread, so a queue of writers can never starve the writer that holds the gate.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[object] = deque()

    def try_acquire(self, timeout: float = 0.0) -> bool:
        """Take the gate from a worker thread (a read that must write, the vector job),
        after the requests queued in :meth:`acquire`: a thread blocked on the lock would
        otherwise win every release against the polling queue, and under many audited reads
        a queued writer waited out its whole timeout (503 "busy")."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            left = deadline - time.monotonic()
            if not self._queue:
                if left <= 0:
                    return self._lock.acquire(blocking=False)
                if self._lock.acquire(timeout=min(THREAD_SLICE_S, left)):
                    return True
            elif left > 0:
                time.sleep(min(THREAD_SLICE_S, left))
            else:
                return False

    async def acquire(self, timeout: float = GATE_WAIT_S) -> bool:
        """Wait in turn (first come, first served among waiting requests)."""
        me = object()
        self._queue.append(me)
        deadline = time.monotonic() + timeout
        delay = 0.0005
        try:
            while True:
                if self._queue[0] is me and self._lock.acquire(blocking=False):
                    return True
                if time.monotonic() > deadline:
                    return False
                # The head polls briskly; the rest of the queue need not.
                await anyio.sleep(delay if self._queue[0] is me else 0.02)
                delay = min(delay * 2, 0.004)
        finally:
            self._queue.remove(me)

    def release(self) -> None:
        self._lock.release()


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def gate_for(engine: Engine) -> WriteGate:
    """The gate of the database behind ``engine`` (engines on the same URL share it)."""
    key = engine.url.render_as_string(hide_password=True)
    with _gates_lock:
        return _gates.setdefault(key, WriteGate())


@dataclass
class RequestScope:
    """What one web request knows about its database use (shared by its worker threads)."""

    writer: bool  # took the gate before it started (an unsafe method, or a rerun)
    held: list[WriteGate] = field(default_factory=list)

    def release(self) -> None:
        while self.held:
            self.held.pop().release()


_scope: ContextVar[RequestScope | None] = ContextVar("grandstrategy_db_scope", default=None)


@contextmanager
def request_scope(scope: RequestScope) -> Iterator[RequestScope]:
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def _claim_write(conn: Connection) -> None:
    """First write of a read-only request on SQLite: take the gate, then a fresh snapshot."""
    scope = _scope.get()
    if scope is None or scope.writer or scope.held or conn.info.get(_WROTE):
        return
    gate = gate_for(conn.engine)
    if not gate.try_acquire(READER_WAIT_S):
        raise DatabaseBusy("the database is busy with other writers")
    scope.held.append(gate)
    conn.info[_WROTE] = True
    if not conn.in_nested_transaction():
        # Nothing was written yet: end the read snapshot and start a write transaction on
        # the newest data (what was read stays as read; the write sees the latest head).
        cur = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.execute("COMMIT")
            cur.execute("BEGIN IMMEDIATE")
        finally:
            cur.close()


def _before_execute(conn: Connection, clause: Any, *_args: Any) -> None:
    if getattr(clause, "_for_update_arg", None) is not None:  # a read that precedes a write
        _claim_write(conn)


def _before_cursor(conn: Connection, _cursor: Any, statement: str, *args: Any) -> None:
    _check_numbers(conn, _cursor, statement, *args)
    if statement.lstrip()[:7].upper().startswith(_WRITES):
        _claim_write(conn)


INT64 = (-(2**63), 2**63 - 1)


def _check_numbers(
    _conn: Connection, _cursor: Any, _statement: str, params: Any, _ctx: Any, many: bool
) -> None:
    """An integer the database cannot store (an id of 2^70 in a URL) is the caller's mistake:
    say so (422) instead of letting the driver fail with an OverflowError (500). Bulk writes
    carry the system's own values and are not checked."""
    if many or not params:
        return
    values = params.values() if isinstance(params, dict) else params
    for v in values:
        if isinstance(v, int) and not isinstance(v, bool) and not INT64[0] <= v <= INT64[1]:
            raise Invalid(f"number out of range: {v} (the largest allowed is {INT64[1]})")


def is_busy(exc: BaseException | None) -> bool:
    """Whether an error (or what caused it) means "locked now, try again": SQLite's busy and
    locked errors, PostgreSQL's serialisation failures and deadlocks, the gate's own."""
    seen = 0
    while exc is not None and seen < 10:
        seen += 1
        if isinstance(exc, DatabaseBusy):
            return True
        orig = getattr(exc, "orig", None)
        for e in (exc, orig):
            if e is None:
                continue
            code = getattr(e, "sqlite_errorcode", None)
            if code is not None and code & 0xFF in (5, 6):  # SQLITE_BUSY*, SQLITE_LOCKED*
                return True
            if getattr(e, "sqlstate", None) in ("40001", "40P01", "55P03"):
                return True
            if "database is locked" in str(e) or "database table is locked" in str(e):
                return True
        exc = exc.__cause__ or exc.__context__
    return False


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and route them through psycopg 3."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine; its pool is sized for a web server's worker threads (40 by default)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs = {"pool_size": 20, "max_overflow": 40, **kwargs}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_execute", _before_execute)
        event.listen(engine, "before_cursor_execute", _before_cursor)
        return engine
    kwargs = {"pool_size": 10, "max_overflow": 40, **kwargs}
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _check_numbers)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    script_dir = resources.files("grandstrategy").joinpath("migrations")
    cfg = Config()
    cfg.set_main_option("script_location", str(script_dir))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    make_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head_revision(url: str) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
