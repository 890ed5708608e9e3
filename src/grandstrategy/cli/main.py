"""Entry point: global options, command groups, and errors as one clear line.

Command groups are imported when they are used, not at start: ``grandstrategy --help`` and a
command that needs only the database do not pay for scikit-learn, WeasyPrint or the horizon
engine. A new group is one line in :data:`GROUPS`, with the help shown in the listing.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import os
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from grandstrategy.core.errors import GrandStrategyError

try:  # typer >= 0.20 vendors click as typer._click and raises its exceptions
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click.exceptions import ClickException  # type: ignore[assignment]

# name: (module, attribute, help in the listing). A Typer attribute is a group; a function is
# one command.
GROUPS: dict[str, tuple[str, str, str]] = {
    "audit": ("grandstrategy.cli.admin", "audit_app", "The hash-chained audit log."),
    "db": ("grandstrategy.cli.admin", "db_app", "Database schema: migrate and inspect."),
    "delivery": (
        "grandstrategy.cli.delivery",
        "delivery_app",
        "Delivery: check-ins, judgements, reviews, the defence budget path.",
    ),
    "drafting": (
        "grandstrategy.cli.drafting",
        "drafting_app",
        "Drafting: pen-holder, consultation rounds, decisions, approval, publication.",
    ),
    "example": ("grandstrategy.cli.strategy", "example_app", "The illustrative Belgian example."),
    "horizon": (
        "grandstrategy.cli.horizon",
        "horizon_app",
        "Strategic foresight: documents, threats, actors, search.",
    ),
    "resilience": (
        "grandstrategy.cli.resilience",
        "resilience_app",
        "Resilience: NATO's seven baseline requirements, cascades, ranked gaps.",
    ),
    "serve": ("grandstrategy.cli.admin", "serve", "Serve the web app and the JSON API."),
    "setup": (
        "grandstrategy.cli.admin",
        "setup",
        "First run: migrate, create the admin, load the examples.",
    ),
    "strategy": ("grandstrategy.cli.strategy", "strategy_app", "The National Security Strategy."),
    "users": ("grandstrategy.cli.admin", "users_app", "User accounts, roles, clearances."),
}


def _plain_help(command: Any) -> None:
    """Classic help for every subcommand: ``QUERY`` and ``TEXT``, not ``{query}`` and ``<str>``.

    Typer's rich help prints Python type names; the plain formatter prints the conventional
    upper-case metavars, and wraps to the terminal."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None
    for param in getattr(command, "params", []):
        if param.metavar is None and not getattr(param, "is_flag", False):
            param.metavar = _metavar(param) or None
        if param.param_type_name == "argument":
            _plain_argument(param)
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


def _plain_argument(param: Any) -> None:
    """Usage ``QUERY`` / ``[PATH]`` and help without a type name, for one Typer argument."""
    shown = str(param.metavar)
    usage = shown if param.required else f"[{shown}]"
    param._usage_display_name = lambda: usage
    param.display_type_rich = lambda ctx: ""
    param._rich_display_name = lambda: shown


def _metavar(param: Any) -> str:
    """QUERY, PATHS..., N, YYYY-MM-DD, CATEGORY: what a user types, not a Python type."""
    name = str(param.name or "value").upper()
    if param.param_type_name == "argument":
        return f"{name}..." if param.nargs == -1 else name
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    args = getattr(annotation, "__args__", ())
    base = args[0] if args and getattr(annotation, "__origin__", None) is list else annotation
    if isinstance(base, type):
        if issubclass(base, dt.date):
            return "YYYY-MM-DD"
        if issubclass(base, enum.Enum):
            return "|".join(str(m.value) for m in base)
        if issubclass(base, bool):
            return ""
        if issubclass(base, int):
            return "N"
        if issubclass(base, float):
            return "X"
        if issubclass(base, Path):
            return "PATH"
    return name


class LazyGroup(TyperGroup):
    """The root group: lists :data:`GROUPS` from the table and imports one only when run."""

    def list_commands(self, ctx: Any) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(GROUPS))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in GROUPS:
            return found
        module, attribute, _help = GROUPS[cmd_name]
        target = getattr(importlib.import_module(module), attribute)
        if not isinstance(target, typer.Typer):
            single = typer.Typer(add_completion=False, rich_markup_mode=None)
            single.command(cmd_name)(target)
            target = single
        command = typer.main.get_command(target)
        command.name = cmd_name
        _plain_help(command)
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The listing from the table, so that --help imports nothing."""
        rows = [(name, GROUPS[name][2]) for name in self.list_commands(ctx) if name in GROUPS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    name="grandstrategy",
    help=(
        "Write, run and review a National Security Strategy.\n\n"
        "Example: grandstrategy --db sqlite:///nss.db strategy lint"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: str = typer.Option(
        None, "--db", metavar="URL", help="Database URL (default: GRANDSTRATEGY_DB or SQLite)."
    ),
    as_user: str = typer.Option(
        None,
        "--as",
        metavar="USER",
        envvar="GRANDSTRATEGY_USER",
        help="Act as this user, with their role and clearance (default: local operator).",
    ),
    lang: str = typer.Option(
        None,
        "--lang",
        metavar="LANG",
        help="Language of messages and tables: en, fr, nl or de (default: "
        "GRANDSTRATEGY_LANGUAGE, else en).",
    ),
) -> None:
    """Global options."""
    from grandstrategy.cli.common import State
    from grandstrategy.core import i18n

    if lang is not None and lang not in i18n.LANGUAGES:
        raise typer.BadParameter(
            f"{lang!r}: choose one of {', '.join(i18n.LANGUAGES)}", param_hint="--lang"
        )
    # The language now, without reading every setting (help stays fast); the settings, read
    # when a command first needs them, confirm it.
    i18n.set_language(lang or i18n.from_environment())
    ctx.obj = State(db=db, language=lang, as_user=as_user)


def _no_tables(exc: Exception) -> bool:
    """A database that was never set up (SQLite's and PostgreSQL's words for a missing table),
    told without importing the database library (--help stays fast)."""
    text = str(exc)
    return type(exc).__name__ in ("OperationalError", "ProgrammingError") and (
        "no such table" in text or ("relation" in text and "does not exist" in text)
    )


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console
    from rich.text import Text

    err_console = Console(stderr=True)
    command = typer.main.get_command(app)
    try:
        rv = command.main(args=argv, prog_name="grandstrategy", standalone_mode=False)
    except GrandStrategyError as exc:
        err_console.print(Text.assemble(("error: ", "bold red"), exc.message))
        for d in exc.details:
            err_console.print(f"  - {d}", highlight=False, markup=False)
        sys.exit(1)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except ClickException as exc:  # usage errors (exit 2): the usage line and what was wrong
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("GRANDSTRATEGY_DEBUG"):
            raise
        msg = f"{type(exc).__name__}: {exc} (set GRANDSTRATEGY_DEBUG=1 for the traceback)"
        if _no_tables(exc):
            from grandstrategy.core.i18n import _

            msg = _("the database has no tables yet: run 'grandstrategy setup' (or ./run) first")
        err_console.print(Text.assemble(("error: ", "bold red"), msg))
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
