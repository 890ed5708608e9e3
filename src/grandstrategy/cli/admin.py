"""Administration: database, users, audit log, first-run setup, the web server."""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.audit import audit_app as audit_app
from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy import firstrun
    from grandstrategy.core import config, db, memberships
    from grandstrategy.core import users as accounts
else:
    accounts = lazy.module("grandstrategy.core.users")
    db = lazy.module("grandstrategy.core.db")
    firstrun = lazy.module("grandstrategy.firstrun")
    memberships = lazy.module("grandstrategy.core.memberships")


db_app = typer.Typer(help="Database schema: migrate and inspect.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts, roles, clearances.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Migrate the database to the latest schema.

    Example: grandstrategy --db postgresql://gs@localhost/gs db upgrade
    """
    url = state(ctx).settings.database_url
    db.upgrade(url, revision)
    console.print(_("database at revision {revision}").format(revision=db.current_revision(url)))


@db_app.command("current")
def db_current(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Show the database's schema revision and the latest one.

    Example: grandstrategy db current --json
    """
    url = state(ctx).settings.database_url
    cur, head = db.current_revision(url), db.head_revision(url)
    if as_json:
        print_json({"current": cur, "head": head, "up_to_date": cur == head})
    else:
        note = _("up to date") if cur == head else _("run 'grandstrategy db upgrade'")
        console.print(
            _("current: {current}  head: {head}  ({note})").format(
                current=cur or _("(empty)"), head=head, note=note
            )
        )


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        pw = sys.stdin.readline().rstrip("\n")
        if not pw:
            raise Invalid(_("no password on standard input"))
        return pw
    if not sys.stdin.isatty():
        raise Invalid(_("no terminal to ask for a password: use --password-stdin"))
    return str(typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True))


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login name: lower-case letters, digits, . _ -"),
    role: str = typer.Option(..., "--role", help="admin, pen-holder, drafter, analyst, ..."),
    clearance: str = typer.Option("UNCLASSIFIED", "--clearance", help="Highest level readable."),
    compartment: list[str] = typer.Option([], "--compartment", help="Repeat for several."),
    display_name: str = typer.Option(
        "", "--display-name", help="The name pages show (default: the user name)."
    ),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
    actor: list[str] = typer.Option([], "--actor", help="An actor the user reports for; repeat."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add a user.

    Example: echo 'a long secret' | grandstrategy users add anna --role analyst
    --clearance SECRET --compartment NATO --password-stdin
    """
    st = state(ctx)
    password = _read_password(password_stdin)
    with st.session() as s:
        u = accounts.add_user(
            s,
            user=st.principal(s),
            username=name,
            password=password,
            role=role,
            clearance=clearance,
            compartments=compartment,
            display_name=display_name,
        )
        actors = memberships.set_user_actors(s, actor=st.principal(s), username=name, actors=actor)
    if as_json:
        print_json({**u.model_dump(mode="json"), "actors": actors})
    else:
        console.print(
            _("added {user} ({role}, {clearance})").format(
                user=u.username, role=u.role, clearance=u.clearance
            )
        )


@users_app.command("list")
def users_list(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """List users.

    Example: grandstrategy users list --json
    """
    st = state(ctx)
    with st.session() as s:
        users = accounts.list_users(s, user=st.principal(s))
    if as_json:
        print_json(users)
        return
    rows = [
        (
            u.username,
            u.role,
            u.clearance,
            ",".join(u.compartments),
            _("yes") if u.active else _("no"),
        )
        for u in users
    ]
    print_table(rows, [_("user"), _("role"), _("clearance"), _("compartments"), _("active")])


@users_app.command("disable")
def users_disable(ctx: typer.Context, name: str) -> None:
    """Disable a user: they can no longer log in; their sessions and tokens end.

    Example: grandstrategy users disable anna
    """
    st = state(ctx)
    with st.session() as s:
        accounts.set_user(s, user=st.principal(s), username=name, active=False)
    console.print(_("disabled {user}").format(user=name))


@users_app.command("enable")
def users_enable(ctx: typer.Context, name: str) -> None:
    """Enable a disabled user again.

    Example: grandstrategy users enable anna
    """
    st = state(ctx)
    with st.session() as s:
        accounts.set_user(s, user=st.principal(s), username=name, active=True)
    console.print(_("enabled {user}").format(user=name))


@users_app.command("set")
def users_set(
    ctx: typer.Context,
    name: str,
    role: str = typer.Option(None, "--role", help="The new role."),
    clearance: str = typer.Option(None, "--clearance", help="The new clearance."),
    compartment: list[str] = typer.Option(
        None, "--compartment", help="Replaces the user's compartments; repeat for several."
    ),
    no_compartments: bool = typer.Option(False, "--no-compartments", help="Remove them all."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Set a new password."),
    actor: list[str] = typer.Option(
        None, "--actor", help="Replaces the actors the user reports for; repeat for several."
    ),
    no_actors: bool = typer.Option(False, "--no-actors", help="The user belongs to no actor."),
    as_json: bool = JSON_OPT,
) -> None:
    """Change a user's role, clearance, compartments or password.

    Example: grandstrategy users set anna --clearance CONFIDENTIAL --compartment EU
    """
    st = state(ctx)
    comps = [] if no_compartments else (compartment or None)
    password = _read_password(True) if password_stdin else None
    with st.session() as s:
        u = accounts.set_user(
            s,
            user=st.principal(s),
            username=name,
            role=role,
            clearance=clearance,
            compartments=comps,
            password=password,
        )
        new_actors = [] if no_actors else (actor or None)
        if new_actors is not None:
            memberships.set_user_actors(s, actor=st.principal(s), username=name, actors=new_actors)
    if as_json:
        print_json(u)
    else:
        console.print(
            _("{user}: {role}, {clearance}, compartments: {compartments}").format(
                user=u.username,
                role=u.role,
                clearance=u.clearance,
                compartments=", ".join(u.compartments) or _("none"),
            )
        )


@users_app.command("revoke-tokens")
def users_revoke(ctx: typer.Context, name: str) -> None:
    """End every web session and API token of a user.

    Example: grandstrategy users revoke-tokens anna
    """
    st = state(ctx)
    with st.session() as s:
        n = accounts.revoke_all(s, user=st.principal(s), username=name)
    console.print(_("revoked {n} session(s) and token(s) of {user}").format(n=n, user=name))


def setup(
    ctx: typer.Context,
    example: bool = typer.Option(True, "--example/--no-example", help="Load the example."),
) -> None:
    """First-run setup: migrate, create 'admin' (password printed once), load the example.

    Example: grandstrategy setup
    """
    st = state(ctx)
    progress = firstrun.Progress(say=console.print, busy=console.status)
    firstrun.setup(st.settings, st.factory, example=example, progress=progress)


def serve(
    ctx: typer.Context,
    host: str = typer.Option(
        None,
        "--host",
        envvar="HOST",
        help="Address to listen on (default: GRANDSTRATEGY_HOST or 127.0.0.1).",
    ),
    port: int = typer.Option(
        None,
        "--port",
        envvar="PORT",
        help="Port to listen on (default: GRANDSTRATEGY_PORT or 8000).",
    ),
) -> None:
    """Serve the web app.

    Example: grandstrategy serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from grandstrategy.web.app import create_app, warm_up

    st = state(ctx)
    settings = st.settings
    if host:
        settings.host = host
    if port:
        settings.port = port
    settings.ensure_secret()
    app = create_app(settings)
    console.print(
        _("grandstrategy at {url}").format(url=f"http://{settings.host}:{settings.port}/")
    )
    threading.Thread(target=warm_up, args=(app,), name="warm-up", daemon=True).start()
    uvicorn.Server(server_config(app, settings)).run()


def server_config(app: Any, settings: config.Settings) -> Any:
    """How ``serve`` runs uvicorn.

    The client address comes from web/deps.client_address, which believes X-Forwarded-For only
    from ``settings.trusted_proxies``; uvicorn's own proxy handling (on by default for local
    peers) must not rewrite it first, or any local client could pick its address.
    """
    import uvicorn

    return uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", proxy_headers=False
    )
