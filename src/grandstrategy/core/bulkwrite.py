"""Many rows into one table in one statement, as cheaply as the database allows.

Ingestion writes tens of thousands of rows a minute (passages, labels, mentions, story
members). Through SQLAlchemy each row of an ``executemany`` is turned into a dict of bound
parameters and run through its type processors one value at a time: on SQLite that cost
twice what SQLite itself spent storing the rows. :func:`insert_rows` does the same work
once per statement shape: it compiles the INSERT, takes each column's own bind processor
(so a value is stored exactly as SQLAlchemy would store it: JSON as its JSON text, a date as
its ISO text) and hands the driver plain tuples, on the session's own connection and inside
its transaction. The write gate is claimed first, as for any write (``core/db.py``).

On other databases (PostgreSQL) the rows go through SQLAlchemy, which already sends them
as multi-row ``INSERT … VALUES`` batches there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from grandstrategy.core.db import _claim_write


class _Plan:
    """The INSERT for one table and one set of keys: its SQL, how to read a row, and how to
    turn each value into what the driver stores."""

    def __init__(self, table: Table, keys: tuple[str, ...], dialect: Any) -> None:
        self.keys = keys
        self.constants: dict[str, Any] = {}  # columns not given whose default is a plain value
        for c in table.c:
            if c.key not in keys and c.default is not None:
                self.constants[c.key] = c.default.arg  # type: ignore[attr-defined]
        names = [*keys, *self.constants]
        compiled = insert(table).compile(dialect=dialect, column_keys=names)
        order = list(compiled.positiontup or ())  # the driver gets values in this order
        if sorted(order) != sorted(names):
            raise RuntimeError(f"unexpected INSERT for {table.name}: {compiled}")
        self.sql = str(compiled)
        self.get = itemgetter(*order) if len(order) > 1 else (lambda row: (row[order[0]],))
        self.processors: list[tuple[int, Callable[[Any], Any]]] = []
        for i, name in enumerate(order):
            proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                self.processors.append((i, proc))

    def tuples(self, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
        n, get, extra, procs = len(self.keys), self.get, self.constants, self.processors
        out: list[tuple[Any, ...]] = []
        for row in rows:
            try:
                if len(row) != n:
                    raise KeyError
                values = get({**extra, **row} if extra else row)
            except KeyError:
                odd = set(self.keys) ^ set(row)
                raise KeyError(f"rows differ in their columns: {', '.join(sorted(odd))}") from None
            if procs:
                v = list(values)
                for i, p in procs:  # None too: JSON stores it as 'null', as SQLAlchemy does
                    v[i] = p(v[i])
                values = tuple(v)
            out.append(values)
        return out


_plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}


def _usable(table: Table, keys: tuple[str, ...]) -> bool:
    """Whether every column left out has no default computed per row (a callable, SQL)."""
    for c in table.c:
        if c.key in keys or c.default is None:
            continue
        if not getattr(c.default, "is_scalar", False):
            return False
    return all(k in table.c for k in keys)


def insert_rows(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT ``rows`` (dicts with the same keys: column attribute names) into ``model``'s
    table in the session's transaction. Ids are not returned: read them back by a key."""
    if not rows:
        return
    table: Table = model.__table__
    conn = session.connection()
    keys = tuple(rows[0])
    if conn.dialect.name != "sqlite" or not _usable(table, keys):
        conn.execute(insert(table), list(rows))
        return
    plan = _plans.get((table.name, keys))
    if plan is None:
        plan = _plans[(table.name, keys)] = _Plan(table, keys, conn.dialect)
    params = plan.tuples(rows)
    _claim_write(conn)
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.executemany(plan.sql, params)
