"""SQL pieces keyword search builds its statements from: ``col IN ids`` with the ids as one
parameter, and statements built once per shape and kept (``search.py`` uses them)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    any_,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

STATEMENTS: dict[tuple[Any, ...], Any] = {}  # statements built once per shape
STATEMENTS_KEPT = 512


def statement(key: tuple[Any, ...], build: Any) -> Any:
    """The statement of ``key``, built by ``build()`` the first time: building one costs
    more than SQLite's answer to it (a few hundred microseconds each, several per search).
    Its ids are a parameter named ``ids`` (``among_ids``, value from ``ids_value``)."""
    found = STATEMENTS.get(key)
    if found is None:
        if len(STATEMENTS) >= STATEMENTS_KEPT:
            STATEMENTS.clear()
        found = STATEMENTS[key] = build()
    return found


def among_ids(dialect: str, col: Any) -> ColumnElement[bool]:
    """``col IN :ids``, as ``among`` writes it, the ids left to the parameter ``ids``."""
    cond: ColumnElement[bool]
    if dialect == "postgresql":
        cond = col == any_(bindparam("ids", type_=ARRAY(BigInteger)))
    else:
        each: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam("ids"))
        )
        cond = col.in_(each)
    return cond


def ids_value(session: Session, ids: Sequence[int]) -> Any:
    values = [int(i) for i in ids]
    if session.get_bind().dialect.name == "postgresql":
        return values
    return json.dumps(values)


def among(session: Session, col: Any, ids: Sequence[int]) -> ColumnElement[bool]:
    """``col IN ids`` with the ids as one parameter (a JSON array on SQLite, an array on
    PostgreSQL): rendering a thousand ids as a thousand parameters cost more than the query."""
    values = [int(i) for i in ids]
    if session.get_bind().dialect.name == "postgresql":
        cond: ColumnElement[bool] = col == any_(bindparam(None, values, type_=ARRAY(BigInteger)))
    else:
        each: Select[Any] = select(literal_column("value")).select_from(
            func.json_each(bindparam(None, json.dumps(values)))
        )
        cond = col.in_(each)
    return cond
