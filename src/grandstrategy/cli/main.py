"""Entry point: global options, command groups, and errors as one clear line."""

from __future__ import annotations

import os
import sys

import typer
from rich.text import Text

from grandstrategy.cli import admin, horizon, resilience, strategy
from grandstrategy.cli.common import State, err_console
from grandstrategy.core.config import load_settings
from grandstrategy.core.errors import GrandStrategyError

try:  # typer >= 0.20 vendors click as typer._click and raises its exceptions
    from typer._click.exceptions import ClickException
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click.exceptions import ClickException  # type: ignore[assignment]

app = typer.Typer(
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
) -> None:
    """Global options."""
    ctx.obj = State(settings=load_settings(db=db), as_user=as_user)


app.add_typer(admin.db_app, name="db")
app.add_typer(admin.users_app, name="users")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(strategy.strategy_app, name="strategy")
app.add_typer(strategy.example_app, name="example")
app.add_typer(horizon.horizon_app, name="horizon")
app.add_typer(resilience.resilience_app, name="resilience")
app.command("setup")(admin.setup)
app.command("serve")(admin.serve)


def main(argv: list[str] | None = None) -> None:
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
        err_console.print(Text.assemble(("error: ", "bold red"), msg))
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
