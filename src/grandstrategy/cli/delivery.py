"""``grandstrategy delivery``: check-ins, judgements, the dashboard, what an owner owes, the
budget path against Allies, the stocktake pack, deployments and reviews."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.cli.delivery_budget import budget_app
from grandstrategy.cli.delivery_reviews import capability_app, deployments_app, review_app
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _
from grandstrategy.delivery.choices import DEFAULT_CYCLE_DAYS, OwnerStatus, Rating

if TYPE_CHECKING:
    from grandstrategy.core import validation
    from grandstrategy.delivery import schemas, service
else:
    schemas = lazy.module("grandstrategy.delivery.schemas")
    service = lazy.module("grandstrategy.delivery.service")
    validation = lazy.module("grandstrategy.core.validation")


delivery_app = typer.Typer(
    help="Delivery: owners' check-ins, the secretariat's judgement, reviews, the budget path.",
    no_args_is_help=True,
)
milestone_app = typer.Typer(help="Milestones of an objective.", no_args_is_help=True)
delivery_app.add_typer(milestone_app, name="milestone")
delivery_app.add_typer(deployments_app, name="deployments")
delivery_app.add_typer(review_app, name="review")
delivery_app.add_typer(capability_app, name="capability")
delivery_app.add_typer(budget_app, name="budget")

DATE = ["%Y-%m-%d"]
TODAY_OPT = typer.Option(None, "--today", formats=DATE, help="Count ages and lateness from here.")


def build(model: type[validation.M], data: dict[str, Any], what: str) -> validation.M:
    return validation.validated(model, data, _("invalid {what}").format(what=what))


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _pairs(items: list[str] | None, on: dt.date | None) -> list[dict[str, Any]]:
    """``NAME=VALUE`` options into indicator values; a bad one is a usage error (exit 2)."""
    out = []
    for item in items or []:
        name, sep, value = item.rpartition("=")
        try:
            if not sep or not name.strip():
                raise ValueError
            number = float(value)
        except ValueError:
            raise typer.BadParameter(
                _("{item!r}: write NAME=VALUE, e.g. 'Operational units=3'").format(item=item),
                param_hint="--indicator",
            ) from None
        out.append({"name": name.strip(), "value": number, "on": on})
    return out


@delivery_app.command("checkin")
def checkin(
    ctx: typer.Context,
    objective: str = typer.Argument(..., help="Objective id, e.g. civil-protection."),
    status: OwnerStatus = typer.Option(..., "--status", help="The owner's status."),
    indicator: list[str] = typer.Option(None, "--indicator", help="NAME=VALUE; repeat."),
    note: str = typer.Option("", "--note", help="Narrative: what happened, what is next."),
    evidence: list[str] = typer.Option(None, "--evidence", help="A link to evidence; repeat."),
    next_milestone: str = typer.Option("", "--next-milestone", help="The next milestone."),
    next_due: dt.datetime = typer.Option(
        None, "--next-due", formats=DATE, help="When the next check-in is due."
    ),
    on: dt.datetime = typer.Option(None, "--on", formats=DATE, help="Date of the report."),
    actor: str = typer.Option(None, "--actor", help="Report as this actor (default: owner)."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
    as_json: bool = JSON_OPT,
) -> None:
    """Report on an objective your actor owns: status, indicator values, narrative.

    Example: grandstrategy --as dora delivery checkin civil-protection --status at-risk
    --indicator "Operational Civil Protection staff=380" --note "Recruitment slower"
    """
    data = build(
        schemas.CheckInCreate,
        {
            "status": status,
            "values": _pairs(indicator, _day(on)),
            "narrative": note,
            "evidence": evidence or [],
            "next_milestone": next_milestone,
            "next_due": _day(next_due),
            "reported_on": _day(on),
            "actor": actor,
            "marking": marking,
        },
        _("check-in"),
    )
    st = state(ctx)
    with st.session() as s:
        out = service.check_in(s, user=st.principal(s), objective=objective, data=data)
    if as_json:
        return print_json(out)
    console.print(
        _("checked in {oid}: {status} ({day}, {marking})").format(
            oid=out.objective, status=out.status.value, day=out.reported_on, marking=out.marking
        )
    )


@delivery_app.command("judge")
def judge(
    ctx: typer.Context,
    objective: str = typer.Argument(..., help="Objective id."),
    rating: Rating = typer.Option(..., "--rating", help="Likelihood of delivery."),
    reason: str = typer.Option(..., "--reason", help="Why: what the rating rests on."),
    on: dt.datetime = typer.Option(
        None, "--on", formats=DATE, help="Date of the judgement (default: today)."
    ),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
    as_json: bool = JSON_OPT,
) -> None:
    """The secretariat's judgement of how likely an objective is delivered.

    Example: grandstrategy --as sam delivery judge civil-protection --rating amber-red
    --reason "Recruitment a year behind"
    """
    data = build(
        schemas.JudgementCreate,
        {"rating": rating, "reason": reason, "judged_on": _day(on), "marking": marking},
        _("judgement"),
    )
    st = state(ctx)
    with st.session() as s:
        out = service.judge(s, user=st.principal(s), objective=objective, data=data)
    if as_json:
        return print_json(out)
    console.print(_("judged {oid}: {rating}").format(oid=out.objective, rating=out.rating.value))


@delivery_app.command("comment")
def comment_cmd(
    ctx: typer.Context,
    objective: str = typer.Argument(..., help="Objective id."),
    text: str = typer.Option(..., "--text", help="The remark."),
    actor: str = typer.Option(None, "--actor", help="Comment as this actor."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """A remark on an objective's delivery, by its owner or a contributor.

    Example: grandstrategy --as wim delivery comment civil-protection --text "Flanders helps"
    """
    data = build(
        schemas.CommentCreate, {"text": text, "actor": actor, "marking": marking}, _("comment")
    )
    st = state(ctx)
    with st.session() as s:
        out = service.comment(s, user=st.principal(s), objective=objective, data=data)
    console.print(_("commented on {oid} as {actor}").format(oid=out.objective, actor=out.actor))


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return _("yes") if v else ""
    return str(getattr(v, "value", v))


@delivery_app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    today: dt.datetime = TODAY_OPT,
    actor: str = typer.Option(None, "--actor", help="Only objectives this actor owns or helps."),
    threat: str = typer.Option(None, "--threat", help="Only objectives against this threat."),
    interest: str = typer.Option(None, "--interest", help="Only objectives serving it."),
    rating: str = typer.Option(None, "--rating", help="Only this rating ('none': unjudged)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Every objective you may see: owner status, judgement, trajectory, deadline, overdue.

    Example: grandstrategy delivery dashboard --today 2026-12-31 --json
    """
    if rating is not None and rating not in [*(r.value for r in Rating), "none"]:
        raise typer.BadParameter(
            _("choose one of {r}").format(r=", ".join([*(r.value for r in Rating), "none"])),
            param_hint="--rating",
        )
    st = state(ctx)
    with st.session() as s:
        rows = service.dashboard(
            s,
            user=st.principal(s),
            on=_day(today),
            actor=actor,
            threat=threat,
            interest=interest,
            rating=rating,
        )
    if as_json:
        return print_json(rows)
    print_table(
        [
            (r.objective, r.owner, _cell(r.owner_status), _cell(r.rating)
             + (" ≠" if r.disagreement else ""), _cell(r.trajectory), _cell(r.deadline),
             _cell(r.overdue), _cell(r.checkin_age_days))
            for r in rows
        ],
        [_("objective"), _("owner"), _("owner status"), _("rating"), _("trajectory"),
         _("deadline"), _("overdue"), _("days since check-in")],
    )  # fmt: skip


@delivery_app.command("owe")
def owe(
    ctx: typer.Context,
    today: dt.datetime = TODAY_OPT,
    cycle: int = typer.Option(
        DEFAULT_CYCLE_DAYS, "--cycle-days", min=1, help="Days between check-ins."
    ),
    actor: str = typer.Option(None, "--actor", help="This actor instead of your own."),
    as_json: bool = JSON_OPT,
) -> None:
    """What I owe: check-ins due for the objectives my actors own.

    Example: grandstrategy --as dora delivery owe --cycle-days 60
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.owed(s, user=st.principal(s), on=_day(today), cycle_days=cycle, actor=actor)
    if as_json:
        return print_json(rows)
    if not rows:
        console.print(_("nothing owed"))
        return
    print_table(
        [(o.objective, o.owner, _cell(o.last_checkin), o.due, o.days_late) for o in rows],
        [_("objective"), _("owner"), _("last check-in"), _("due"), _("days late")],
    )


@delivery_app.command("show")
def show(
    ctx: typer.Context,
    objective: str = typer.Argument(..., help="Objective id."),
    today: dt.datetime = TODAY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """One objective: status, judgement, each indicator against its planned path.

    Example: grandstrategy delivery show civil-protection
    """
    st = state(ctx)
    with st.session() as s:
        d = service.objective_delivery(s, user=st.principal(s), objective=objective, on=_day(today))
    if as_json:
        return print_json(d)
    r = d.row
    console.print(f"[bold]{r.title}[/] ({r.objective}, {r.marking})", highlight=False)
    console.print(
        _("owner {owner}: {status}; secretariat: {rating}; trajectory: {traj}").format(
            owner=r.owner, status=_cell(r.owner_status), rating=_cell(r.rating),
            traj=_cell(r.trajectory),
        )
    )  # fmt: skip
    print_table(
        [(t.name, _cell(t.baseline), _cell(t.target), t.due, _cell(t.latest),
          "—" if t.planned_now is None else f"{t.planned_now:.4g}", _cell(t.trajectory))
         for t in d.indicators],
        [_("indicator"), _("baseline"), _("target"), _("due"), _("latest"), _("planned"),
         _("trajectory")],
    )  # fmt: skip


@milestone_app.command("add")
def milestone_add(
    ctx: typer.Context,
    objective: str = typer.Argument(..., help="Objective id."),
    title: str = typer.Option(..., "--title", help="What the milestone is."),
    due: dt.datetime = typer.Option(..., "--due", formats=DATE, help="When it is due."),
    indicator: str = typer.Option(None, "--indicator", help="NAME=VALUE planned by then."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """Add a milestone; with --indicator it bends that indicator's planned path.

    Example: grandstrategy delivery milestone add civil-protection --title "Third unit"
    --due 2030-06-30 --indicator "Operational units=3"
    """
    pair = _pairs([indicator], None)[0] if indicator else None
    data = build(
        schemas.MilestoneCreate,
        {
            "title": title,
            "due": due.date(),
            "indicator": pair["name"] if pair else None,
            "value": pair["value"] if pair else None,
            "marking": marking,
        },
        _("milestone"),
    )
    st = state(ctx)
    with st.session() as s:
        out = service.add_milestone(s, user=st.principal(s), objective=objective, data=data)
    console.print(_("milestone {title} due {due}").format(title=out.title, due=out.due))


@delivery_app.command("pack")
def pack(
    ctx: typer.Context,
    fmt: str = typer.Option("md", "--format", help="md, pdf or docx."),
    out: Path = typer.Option(..., "--out", help="File to write.", dir_okay=False),
    max_marking: str = typer.Option(None, "--max-marking", help="Leave out what is above."),
    today: dt.datetime = TODAY_OPT,
) -> None:
    """The stocktake pack for the Council: red and amber-red first, what changed since the
    last pack, then every objective.

    Example: grandstrategy delivery pack --format pdf --out stocktake.pdf --max-marking RESTRICTED
    """
    if fmt not in ("md", "pdf", "docx"):
        raise typer.BadParameter(_("choose md, pdf or docx"), param_hint="--format")
    st = state(ctx)
    with st.session() as s:
        doc = service.stocktake(
            s, user=st.principal(s), fmt=fmt, max_marking=max_marking, on=_day(today)
        )
    out.write_bytes(doc.content)
    console.print(_("wrote {path} ({marking})").format(path=out, marking=doc.marking))
