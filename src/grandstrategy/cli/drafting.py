"""``grandstrategy drafting``: the cycle, consultation rounds, contributions, decisions,
reports, word diffs, Council approval and publication."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, state
from grandstrategy.cli.drafting_rounds import (
    CYCLE_OPT,
    build,
    round_app,
    show_contributions,
    show_cycle,
    team_app,
)
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _
from grandstrategy.drafting.choices import DISPOSITIONS, ORG_KINDS

if TYPE_CHECKING:
    from grandstrategy.drafting import schemas, service
else:
    schemas = lazy.module("grandstrategy.drafting.schemas")
    service = lazy.module("grandstrategy.drafting.service")


drafting_app = typer.Typer(
    help="Drafting: one pen-holder, consultation rounds, a reasoned decision on every "
    "contribution, Council approval, publication.",
    no_args_is_help=True,
)
drafting_app.add_typer(round_app, name="round")
drafting_app.add_typer(team_app, name="team")


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
    data = build(schemas.CycleCreate, {"name": name, "pen_holder": pen_holder[0],
                               "team": team or [], "strategy": strategy})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.start_cycle(s, user=st.principal(s), data=data)
    show_cycle(out, as_json)


@drafting_app.command("show")
def show(ctx: typer.Context, cycle: str = CYCLE_OPT, as_json: bool = JSON_OPT) -> None:
    """The cycle: pen-holder, team, status, approval and publication.

    Example: grandstrategy drafting show
    """
    st = state(ctx)
    with st.session() as s:
        out = service.get_cycle(s, user=st.principal(s), name=cycle)
    show_cycle(out, as_json)


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
    show_cycle(out, as_json)


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
    console.print(
        _("{t} — draft version {v} ({m})").format(t=out.title, v=out.version, m=out.marking),
        highlight=False,
    )
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
    data = build(schemas.ContributionCreate, {"on": on, "text": text, "proposal": proposal,
                                      "organisation": organisation, "org_kind": kind,
                                      "marking": marking})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.contribute(s, user=st.principal(s), round=name, data=data)
    if as_json:
        return print_json(out)
    console.print(
        _("contribution {n} on {on} recorded ({s}, {m})").format(
            n=out.id, on=out.on, s=out.status, m=out.marking
        )
    )


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
    show_contributions(rows, as_json)


@drafting_app.command("queue")
def queue(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """The decision queue: what awaits moderation or your decision.

    Example: grandstrategy --as marie drafting queue
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.queue(s, user=st.principal(s))
    show_contributions(rows, as_json)


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
    data = build(schemas.Moderation, {"action": action, "reason": reason})
    st = state(ctx)
    with st.session() as s:
        out = service.moderate(s, user=st.principal(s), cid=contribution, data=data)
    if as_json:
        return print_json(out)
    console.print(_("contribution {n}: {s}").format(n=out.id, s=out.status))


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
    data = build(schemas.DecisionCreate, {"disposition": disposition, "reason": reason,
                                          "apply": apply, "change_version": change})  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.decide(s, user=st.principal(s), cid=contribution, data=data)
    if as_json:
        return print_json(out)
    linked = _("; change in version {v}").format(v=out.change_version) if out.change_version else ""
    console.print(_("contribution {n}: {d}").format(n=out.id, d=out.disposition) + linked)


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
    console.print(_("wrote {f} ({m})").format(f=out, m=rep.marking))


def _word_line(d: schemas.RecordWordDiff) -> list[str]:
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
    data = build(schemas.ApprovalCreate, {"decision": decision})
    st = state(ctx)
    with st.session() as s:
        out = service.approve(s, user=st.principal(s), data=data, cycle=cycle)
    show_cycle(out, as_json)


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
    show_cycle(res, as_json)
    if out is not None:
        n = _write_pack(ctx, out, res.name)
        console.print(_("wrote the launch pack ({n} files) to {f}").format(n=n, f=out))


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
    console.print(_("wrote {n} files to {f}").format(n=n, f=out))
