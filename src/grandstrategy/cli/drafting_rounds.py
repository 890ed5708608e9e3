"""``grandstrategy drafting round`` and ``drafting team``, and what the drafting commands
share: input checked with usage errors (exit 2), the cycle and contribution printers."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.drafting.choices import AUDIENCES, ORG_KINDS

if TYPE_CHECKING:
    from pydantic import BaseModel

    from grandstrategy.core import formats, validation
    from grandstrategy.drafting import schemas, service
else:
    formats = lazy.module("grandstrategy.core.formats")
    schemas = lazy.module("grandstrategy.drafting.schemas")
    service = lazy.module("grandstrategy.drafting.service")
    validation = lazy.module("grandstrategy.core.validation")


round_app = typer.Typer(help="Consultation rounds.", no_args_is_help=True)
team_app = typer.Typer(help="The drafting team.", no_args_is_help=True)
CYCLE_OPT = typer.Option(None, "--cycle", help="Cycle name (default: the newest).")
M = TypeVar("M", bound="BaseModel")


def build(model: type[M], data: dict[str, Any]) -> M:
    """Validate input; each bad field named, exit 2 like any usage error."""
    try:
        return validation.validated(model, data, _("invalid input"))
    except Invalid as exc:
        raise typer.BadParameter("; ".join(exc.details) or exc.message) from None


def show_cycle(c: schemas.CycleRead, as_json: bool) -> None:
    if as_json:
        return print_json(c)
    team = ", ".join(m.username + (" (decides)" if m.may_decide else "") for m in c.team)
    console.print(
        _("cycle {n} on {s} (from version {v}): {st}; pen-holder {p}; team: {t}").format(
            n=c.name, s=c.strategy, v=c.base_version, st=c.status, p=c.pen_holder, t=team or "—"
        ),
        highlight=False,
    )
    if c.approved_by:
        console.print(
            _("approved by {u} (version {v}): {d}").format(
                u=c.approved_by, v=c.approved_version, d=c.decision
            )
        )
    if c.published_by:
        console.print(
            _("published by {u} (version {v})").format(u=c.published_by, v=c.published_version)
        )


def show_contributions(rows: list[schemas.ContributionRead], as_json: bool) -> None:
    if as_json:
        return print_json(rows)
    print_table(
        [
            (c.id, c.round, c.organisation, c.on, c.text[:60], c.status,
             c.disposition or "—", c.change_version or "", c.marking)
            for c in rows
        ],
        ["id", "round", "organisation", "on", "text", "status", "decision", "change", "marking"],
    )  # fmt: skip


@team_app.command("add")
def team_add(
    ctx: typer.Context,
    user: str = typer.Argument(..., help="A drafter."),
    may_decide: bool = typer.Option(False, "--may-decide", help="Delegate decisions to them."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Add a drafter to the team, optionally delegating decisions to them.

    Example: grandstrategy --as marie drafting team add tom --may-decide
    """
    st = state(ctx)
    with st.session() as s:
        out = service.set_team(s, user=st.principal(s), username=user, may_decide=may_decide,
                               cycle=cycle)  # fmt: skip
    show_cycle(out, as_json)


@team_app.command("remove")
def team_remove(
    ctx: typer.Context,
    user: str = typer.Argument(..., help="A member of the team."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Take a drafter off the team.

    Example: grandstrategy --as marie drafting team remove tom
    """
    st = state(ctx)
    with st.session() as s:
        out = service.set_team(s, user=st.principal(s), username=user, remove=True, cycle=cycle)
    show_cycle(out, as_json)


@round_app.command("open")
def round_open(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Short name of the round, e.g. regions-2030."),
    audience: str = typer.Option(..., "--audience", help=" | ".join(AUDIENCES)),
    until: str = typer.Option(None, "--until", metavar="DATE", help="Closing date (YYYY-MM-DD)."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of the draft shown."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Consult one audience on the current draft, at a marking, until a date.

    Example: grandstrategy drafting round open regions --audience regions --until 2030-03-01
    """
    data = build(schemas.RoundCreate, {"name": name, "audience": audience, "until": until,
                               "marking": marking})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.open_round(s, user=st.principal(s), data=data, cycle=cycle)
    if as_json:
        return print_json(out)
    message = (
        _("round {n} ({a}) open on draft version {v} at {m} until {d}")
        if out.until
        else _("round {n} ({a}) open on draft version {v} at {m}")
    )
    console.print(message.format(n=out.name, a=out.audience, v=out.version, m=out.marking,
                                 d=formats.date(out.until)))  # fmt: skip


@round_app.command("list")
def round_list(ctx: typer.Context, cycle: str = CYCLE_OPT, as_json: bool = JSON_OPT) -> None:
    """The rounds you may see, with their contributions and how many await a decision.

    Example: grandstrategy drafting round list
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_rounds(s, user=st.principal(s), cycle=cycle)
    if as_json:
        return print_json(rows)
    print_table(
        [(r.name, r.audience, r.version, r.until or "", "open" if r.open else r.status,
          r.contributions, r.undecided, r.marking) for r in rows],
        ["round", "audience", "draft version", "until", "status", "contributions",
         "undecided", "marking"],
    )  # fmt: skip


@round_app.command("close")
def round_close(
    ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = JSON_OPT
) -> None:
    """Close a round: refused while any contribution has no decision.

    Example: grandstrategy --as marie drafting round close regions
    """
    st = state(ctx)
    with st.session() as s:
        out = service.close_round(s, user=st.principal(s), name=name)
    if as_json:
        return print_json(out)
    console.print(
        _("round {n} closed ({c} contributions, all decided)").format(
            n=out.name, c=out.contributions
        )
    )


@round_app.command("invite")
def round_invite(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The round."),
    username: str = typer.Argument(..., help="Account name for the participant."),
    organisation: str = typer.Option(..., "--organisation", help="Who they speak for."),
    kind: str = typer.Option("other", "--kind", help=" | ".join(ORG_KINDS)),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password."),
    as_json: bool = JSON_OPT,
) -> None:
    """A scoped account for someone outside the administration (this round only, until it
    closes). The password is printed once unless given on standard input.

    Example: grandstrategy drafting round invite roundtable prof --organisation "KU Leuven"
    """
    data = build(schemas.ParticipantCreate, {"username": username, "organisation": organisation,
                                     "org_kind": kind})  # fmt: skip
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    st = state(ctx)
    with st.session() as s:
        out = service.invite(s, user=st.principal(s), round=name, data=data, password=password)
    if as_json:
        return print_json(out)
    console.print(
        _("invited {u} ({o}) to {r}").format(u=out.username, o=out.organisation, r=out.round)
    )
    if out.password:
        console.print(_("password (shown once): {p}").format(p=out.password), highlight=False)
