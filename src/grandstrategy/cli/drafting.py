"""``grandstrategy drafting``: the cycle, consultation rounds, contributions, decisions,
reports, word diffs, Council approval and publication."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.validation import validated
from grandstrategy.drafting import service
from grandstrategy.drafting.schemas import (
    AUDIENCES,
    DISPOSITIONS,
    ORG_KINDS,
    ApprovalCreate,
    ContributionCreate,
    ContributionRead,
    CycleCreate,
    CycleRead,
    DecisionCreate,
    Moderation,
    ParticipantCreate,
    RecordWordDiff,
    RoundCreate,
)

drafting_app = typer.Typer(
    help="Drafting: one pen-holder, consultation rounds, a reasoned decision on every "
    "contribution, Council approval, publication.",
    no_args_is_help=True,
)
round_app = typer.Typer(help="Consultation rounds.", no_args_is_help=True)
team_app = typer.Typer(help="The drafting team.", no_args_is_help=True)
drafting_app.add_typer(round_app, name="round")
drafting_app.add_typer(team_app, name="team")
CYCLE_OPT = typer.Option(None, "--cycle", help="Cycle name (default: the newest).")
M = TypeVar("M", bound=BaseModel)


def build(model: type[M], data: dict[str, Any]) -> M:
    """Validate input; each bad field named, exit 2 like any usage error."""
    try:
        return validated(model, data, _("invalid input"))
    except Invalid as exc:
        raise typer.BadParameter("; ".join(exc.details) or exc.message) from None


def _cycle(c: CycleRead, as_json: bool) -> None:
    if as_json:
        return print_json(c)
    team = ", ".join(m.username + (" (decides)" if m.may_decide else "") for m in c.team)
    console.print(
        f"cycle {c.name} on {c.strategy} (from version {c.base_version}): {c.status}; "
        f"pen-holder {c.pen_holder}; team: {team or '—'}",
        highlight=False,
    )
    if c.approved_by:
        console.print(f"approved by {c.approved_by} (version {c.approved_version}): {c.decision}")
    if c.published_by:
        console.print(f"published by {c.published_by} (version {c.published_version})")


def _contributions(rows: list[ContributionRead], as_json: bool) -> None:
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


@drafting_app.command("start")
def start(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Short name of the cycle, e.g. nss-2031."),
    pen_holder: list[str] = typer.Option(..., "--pen-holder", help="The one pen-holder."),
    team: list[str] = typer.Option(None, "--team", help="A drafter on the team; repeat."),
    strategy: str = typer.Option(None, "--strategy", help="Strategy id (default: current)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Open a drafting cycle for the next edition under exactly one pen-holder.

    Example: grandstrategy drafting start nss-2031 --pen-holder marie --team tom --team ines
    """
    if len(pen_holder) != 1:
        raise typer.BadParameter(_("exactly one pen-holder"), param_hint="--pen-holder")
    data = build(CycleCreate, {"name": name, "pen_holder": pen_holder[0],
                               "team": team or [], "strategy": strategy})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.start_cycle(s, user=st.principal(s), data=data)
    _cycle(out, as_json)


@drafting_app.command("show")
def show(ctx: typer.Context, cycle: str = CYCLE_OPT, as_json: bool = JSON_OPT) -> None:
    """The cycle: pen-holder, team, status, approval and publication.

    Example: grandstrategy drafting show
    """
    st = state(ctx)
    with st.session() as s:
        out = service.get_cycle(s, user=st.principal(s), name=cycle)
    _cycle(out, as_json)


@drafting_app.command("hand-over")
def hand_over(
    ctx: typer.Context,
    user: str = typer.Argument(..., help="The new pen-holder."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Hand the pen to someone else (audited); there is only ever one pen-holder.

    Example: grandstrategy --as marie drafting hand-over paul
    """
    st = state(ctx)
    with st.session() as s:
        out = service.hand_over(s, user=st.principal(s), to=user, cycle=cycle)
    _cycle(out, as_json)


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
    _cycle(out, as_json)


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
    _cycle(out, as_json)


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
    data = build(RoundCreate, {"name": name, "audience": audience, "until": until,
                               "marking": marking})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.open_round(s, user=st.principal(s), data=data, cycle=cycle)
    if as_json:
        return print_json(out)
    console.print(f"round {out.name} ({out.audience}) open on draft version {out.version} at "
                  f"{out.marking}" + (f" until {out.until}" if out.until else ""))  # fmt: skip


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
    console.print(f"round {out.name} closed ({out.contributions} contributions, all decided)")


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
    data = build(ParticipantCreate, {"username": username, "organisation": organisation,
                                     "org_kind": kind})  # fmt: skip
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    st = state(ctx)
    with st.session() as s:
        out = service.invite(s, user=st.principal(s), round=name, data=data, password=password)
    if as_json:
        return print_json(out)
    console.print(f"invited {out.username} ({out.organisation}) to {out.round}")
    if out.password:
        console.print(f"password (shown once): {out.password}", highlight=False)


@drafting_app.command("draft")
def draft(ctx: typer.Context, name: str = typer.Argument(..., help="The round."),
          as_json: bool = JSON_OPT) -> None:  # fmt: skip
    """The round's draft as put to its audience, record by record.

    Example: grandstrategy drafting draft regions
    """
    st = state(ctx)
    with st.session() as s:
        out = service.draft(s, user=st.principal(s), round=name)
    if as_json:
        return print_json(out)
    console.print(f"{out.title} — draft version {out.version} ({out.marking})", highlight=False)
    for rec in out.records:
        console.print(f"\n[bold]{rec.component}/{rec.id}[/bold] {rec.label} ({rec.marking})")
        for field, text in rec.fields.items():
            if text and text != rec.label:
                console.print(f"  {field}: {text}", highlight=False, markup=False)


@drafting_app.command("contribute")
def contribute(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The round."),
    on: str = typer.Option(
        ..., "--on", help='objectives/ID, objectives/ID.description[10:42] or ...="words"'
    ),
    text: str = typer.Option(..., "--text", help="What you want to say."),
    proposal: str = typer.Option(None, "--proposal", help="Replacement text you propose."),
    organisation: str = typer.Option(None, "--organisation", help="Who you speak for."),
    kind: str = typer.Option(None, "--kind", help=" | ".join(ORG_KINDS)),
    marking: str = typer.Option(None, "--marking", help="Default: the round's marking."),
    as_json: bool = JSON_OPT,
) -> None:
    """Comment on a record or a span of its text, optionally proposing new words.

    Example: grandstrategy --as anna drafting contribute regions
    --on 'objectives/flood-resilience.description="river valleys"' --text "Name the Meuse."
    --organisation Wallonia --kind region
    """
    data = build(ContributionCreate, {"on": on, "text": text, "proposal": proposal,
                                      "organisation": organisation, "org_kind": kind,
                                      "marking": marking})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.contribute(s, user=st.principal(s), round=name, data=data)
    if as_json:
        return print_json(out)
    console.print(f"contribution {out.id} on {out.on} recorded ({out.status}, {out.marking})")


@drafting_app.command("contributions")
def contributions(
    ctx: typer.Context,
    round: str = typer.Option(None, "--round", help="Only this round."),
    undecided: bool = typer.Option(False, "--undecided", help="Only those without a decision."),
    as_json: bool = JSON_OPT,
) -> None:
    """Contributions you may see.

    Example: grandstrategy drafting contributions --round regions --undecided
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_contributions(s, user=st.principal(s), round=round,
                                          undecided=undecided)  # fmt: skip
    _contributions(rows, as_json)


@drafting_app.command("queue")
def queue(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """The decision queue: what awaits moderation or your decision.

    Example: grandstrategy --as marie drafting queue
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.queue(s, user=st.principal(s))
    _contributions(rows, as_json)


@drafting_app.command("moderate")
def moderate(
    ctx: typer.Context,
    contribution: int = typer.Argument(...),
    action: str = typer.Argument(..., help="publish or reject"),
    reason: str = typer.Option("", "--reason", help="Why it is rejected (e.g. off-topic)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Public rounds: publish a held contribution or reject it with a reason.

    Example: grandstrategy --as marie drafting moderate 12 reject --reason "off-topic"
    """
    data = build(Moderation, {"action": action, "reason": reason})
    st = state(ctx)
    with st.session() as s:
        out = service.moderate(s, user=st.principal(s), cid=contribution, data=data)
    if as_json:
        return print_json(out)
    console.print(f"contribution {out.id}: {out.status}")


@drafting_app.command("decide")
def decide(
    ctx: typer.Context,
    contribution: int = typer.Argument(...),
    disposition: str = typer.Option(..., "--disposition", help=" | ".join(DISPOSITIONS)),
    reason: str = typer.Option(..., "--reason", help="Why: the reason is published."),
    apply: bool = typer.Option(False, "--apply", help="Write the proposal into the strategy."),
    change: int = typer.Option(None, "--change", help="Strategy version that made the change."),
    as_json: bool = JSON_OPT,
) -> None:
    """Decide on a contribution (pen-holder or delegated drafter), with a reason.

    Example: grandstrategy drafting decide 12 --disposition accept --reason "Clearer." --apply
    """
    data = build(DecisionCreate, {"disposition": disposition, "reason": reason, "apply": apply,
                                  "change_version": change})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.decide(s, user=st.principal(s), cid=contribution, data=data)
    if as_json:
        return print_json(out)
    linked = f"; change in version {out.change_version}" if out.change_version else ""
    console.print(f"contribution {out.id}: {out.disposition}{linked}")


@drafting_app.command("report")
def report(
    ctx: typer.Context,
    round: str = typer.Argument(None, help="The round (default: the whole cycle)."),
    fmt: str = typer.Option("md", "--format", help="md, html, pdf or docx."),
    out: Path = typer.Option(None, "--out", help="File to write (default: standard output)."),
    max_marking: str = typer.Option(None, "--max-marking", help="Leave out what is above."),
    cycle: str = CYCLE_OPT,
) -> None:
    """The "you said, we did" report: every contribution, its disposition and reason.

    Example: grandstrategy drafting report regions --format pdf --out regions.pdf
    """
    if fmt not in ("md", "html", "pdf", "docx"):
        raise typer.BadParameter(_("choose md, html, pdf or docx"), param_hint="--format")
    st = state(ctx)
    with st.session() as s:
        rep = service.report(s, user=st.principal(s), fmt=fmt, round=round,
                             max_marking=max_marking, cycle=cycle)  # fmt: skip
    if out is None:
        if fmt in ("pdf", "docx"):
            raise typer.BadParameter(_("{f} is binary: give --out FILE").format(f=fmt),
                                     param_hint="--out")  # fmt: skip
        sys.stdout.buffer.write(rep.content)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(rep.content)
    console.print(f"wrote {out} ({rep.marking})")


def _word_line(d: RecordWordDiff) -> list[str]:
    lines = [f"{d.change} {d.component}/{d.key} — {d.label}"]
    for f in d.fields:
        text = "".join(w.text if w.op == "same" else
                       (f"[-{w.text}-]" if w.op == "del" else f"{{+{w.text}+}}")
                       for w in f.words)  # fmt: skip
        lines.append(f"  {f.field}: {text}")
    return lines


@drafting_app.command("diff")
def diff(
    ctx: typer.Context,
    v1: int = typer.Argument(..., help="Earlier version."),
    v2: int = typer.Argument(..., help="Later version."),
    strategy: str = typer.Option(None, "--strategy", help="Strategy id (default: current)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Word-level differences between two draft versions: [-removed-] {+added+}.

    Example: grandstrategy drafting diff 3 7
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.word_diff(s, user=st.principal(s), v1=v1, v2=v2, key=strategy)
    if as_json:
        return print_json(rows)
    for d in rows:
        for line in _word_line(d):
            typer.echo(line)
    if not rows:
        typer.echo(_("no differences you may see"))


@drafting_app.command("approve")
def approve(
    ctx: typer.Context,
    decision: str = typer.Option(..., "--decision", help="The Council's decision."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Record the Council's approval (council member) and freeze the approved edition.

    Example: grandstrategy --as pm drafting approve --decision "NSC of 3 March 2031"
    """
    data = build(ApprovalCreate, {"decision": decision})
    st = state(ctx)
    with st.session() as s:
        out = service.approve(s, user=st.principal(s), data=data, cycle=cycle)
    _cycle(out, as_json)


def _write_pack(ctx: typer.Context, folder: Path, cycle: str | None) -> int:
    st = state(ctx)
    with st.session() as s:
        user = st.principal(s)
        files = service.launch_files(s, user=user, cycle=cycle)
        for f in files:
            content, _media, _marking = service.launch_file(s, user=user, name=f.name,
                                                            cycle=cycle)  # fmt: skip
            target = folder / f.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return len(files)


@drafting_app.command("publish")
def publish(
    ctx: typer.Context,
    out: Path = typer.Option(None, "--out", help="Folder for the launch pack."),
    cycle: str = CYCLE_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Freeze the published edition and build the launch pack (pen-holder).

    Example: grandstrategy --as marie drafting publish --out launch/
    """
    st = state(ctx)
    with st.session() as s:
        res = service.publish(s, user=st.principal(s), cycle=cycle)
    _cycle(res, as_json)
    if out is not None:
        n = _write_pack(ctx, out, res.name)
        console.print(f"wrote the launch pack ({n} files) to {out}")


@drafting_app.command("launch-pack")
def launch_pack(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="Folder to write the files to."),
    cycle: str = CYCLE_OPT,
) -> None:
    """Write the launch pack of a published cycle to a folder.

    Example: grandstrategy drafting launch-pack --out launch/
    """
    n = _write_pack(ctx, out, cycle)
    console.print(f"wrote {n} files to {out}")
