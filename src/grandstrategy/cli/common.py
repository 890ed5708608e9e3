"""What every command shares: settings, a session, the acting user, output as table or JSON."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import audit, formats
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings
from grandstrategy.core.db import make_engine, make_sessionmaker, unit_of_work
from grandstrategy.core.errors import NotFound
from grandstrategy.core.readlog import collect_reads
from grandstrategy.core.users import find

console = Console()
err_console = Console(stderr=True)


@dataclass
class State:
    settings: Settings
    as_user: str | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _factory: sessionmaker[Session] | None = field(default=None, repr=False)

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._engine = make_engine(self.settings.database_url)
            self._factory = make_sessionmaker(self._engine)
            audit.use_keyring(audit.open_keyring(self.settings.audit_key_path))
        return self._factory

    @contextmanager
    def session(self) -> Iterator[Session]:
        with unit_of_work(self.factory) as s:
            yield s

    def principal(self, session: Session) -> Principal:
        """``--as NAME`` acts as that user (their role and clearance); else the operator.

        Classified records the command then loads are logged as one read (core/readlog.py).
        """
        if self.as_user:
            u = find(session, self.as_user)
            if u is None or not u.active:
                raise NotFound(f"user {self.as_user!r} not found or disabled")
            who = Principal.of(u)
        else:
            who = Principal.operator(f"cli:{getpass.getuser()}")
        collect_reads(session, who, "cli")
        return who


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def to_jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def print_json(value: Any) -> None:
    typer.echo(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, default=str))


def print_table(
    rows: Sequence[Sequence[Any]], columns: Sequence[str], *, title: str | None = None
) -> None:
    table = Table(title=title, header_style="bold", show_lines=False)
    for c in columns:
        table.add_column(c)
    for r in rows:
        table.add_row(*(_cell(v) for v in r))
    console.print(table)


def _cell(value: Any) -> str:
    """A table cell as a person reads it: a fraction with the CLI language's separators
    ("0.25" / "0,25"). Whole numbers stay as they are: they are mostly ids and years."""
    if value is None:
        return ""
    if isinstance(value, float):
        return formats.number(value)
    return str(value)


JSON_OPT = typer.Option(False, "--json", help="Print JSON for machines instead of a table.")
