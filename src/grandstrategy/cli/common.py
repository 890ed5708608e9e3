"""What every command shares: settings, a session, the acting user, output as table or JSON."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from grandstrategy.core import i18n, lazy

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from grandstrategy.core import formats
    from grandstrategy.core.authz import Principal
    from grandstrategy.core.config import Settings
else:
    formats = lazy.module("grandstrategy.core.formats")

console = Console()
err_console = Console(stderr=True)


class State:
    """What the global options chose, and the database they lead to, opened on first use.

    Settings are read when a command first needs them, so that ``--help`` imports neither
    pydantic nor SQLAlchemy; a bad ``GRANDSTRATEGY_*`` value is reported then."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        db: str | None = None,
        language: str | None = None,
        as_user: str | None = None,
    ) -> None:
        self._settings = settings
        self._options = {"db": db, "language": language}
        self.as_user = as_user
        self._factory: sessionmaker[Session] | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from grandstrategy.core.config import load_settings

            self._settings = load_settings(**self._options)
            i18n.set_language(self._settings.language)
        return self._settings

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            from grandstrategy.core import audit
            from grandstrategy.core.db import make_engine, make_sessionmaker

            self._factory = make_sessionmaker(make_engine(self.settings.database_url))
            audit.use_keyring(audit.open_keyring(self.settings.audit_key_path))
        return self._factory

    @contextmanager
    def session(self) -> Iterator[Session]:
        from grandstrategy.core.db import unit_of_work

        with unit_of_work(self.factory) as s:
            yield s

    def principal(self, session: Session) -> Principal:
        """``--as NAME`` acts as that user (their role and clearance); else the operator.

        Classified records the command then loads are logged as one read (core/readlog.py).
        """
        from grandstrategy.core.authz import Principal
        from grandstrategy.core.errors import NotFound
        from grandstrategy.core.readlog import collect_reads
        from grandstrategy.core.users import find

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
