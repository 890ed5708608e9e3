"""``grandstrategy delivery deployments``: the register, the yearly review round (proposals,
the departments' sign-offs) and its review pack."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.core import formats, validation
    from grandstrategy.delivery import schemas, service
else:
    formats = lazy.module("grandstrategy.core.formats")
    schemas = lazy.module("grandstrategy.delivery.schemas")
    service = lazy.module("grandstrategy.delivery.service")
    validation = lazy.module("grandstrategy.core.validation")


deployments_app = typer.Typer(
    help="Operational deployments and their yearly review.", no_args_is_help=True
)
review_app = typer.Typer(help="Reviews of the whole strategy.", no_args_is_help=True)
capability_app = typer.Typer(
    help="Capability targets: delivered against spent.", no_args_is_help=True
)
DATE = ["%Y-%m-%d"]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@deployments_app.command("list")
def list_cmd(
    ctx: typer.Context,
    year: int = typer.Option(None, "--year", help="Only those active that year."),
    as_json: bool = JSON_OPT,
) -> None:
    """The deployments register.

    Example: grandstrategy delivery deployments list --year 2026
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.deployments(s, user=st.principal(s), year=year)
    if as_json:
        return print_json(rows)
    print_table(
        [(d.key, d.name, d.framework.value, d.theatre, d.personnel, formats.number(d.annual_cost),
          d.start, d.end or "", d.marking) for d in rows],
        [_("key"), _("name"), _("framework"), _("theatre"), _("personnel"), _("EUR m/year"),
         _("start"), _("end"), _("marking")],
    )  # fmt: skip


@deployments_app.command("add")
def add(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="Short id, e.g. red-sea-escort."),
    name: str = typer.Option(..., "--name", help="Name of the deployment."),
    framework: str = typer.Option(..., "--framework", help="EU, NATO, UN, coalition, bilateral."),
    theatre: str = typer.Option(..., "--theatre", help="Where it is deployed."),
    personnel: int = typer.Option(..., "--personnel", min=0, help="Personnel deployed."),
    cost: float = typer.Option(..., "--annual-cost", min=0, help="EUR million a year."),
    start: dt.datetime = typer.Option(..., "--start", formats=DATE, help="First day."),
    end: dt.datetime = typer.Option(
        None, "--end", formats=DATE, help="Last day (leave out while it lasts)."
    ),
    objective: list[str] = typer.Option(None, "--objective", help="An objective it serves."),
    threat: list[str] = typer.Option(None, "--threat", help="A threat it answers."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """Enter a deployment in the register.

    Example: grandstrategy delivery deployments add baltic-air --name "Baltic air policing"
    --framework NATO --theatre Estonia --personnel 90 --annual-cost 15 --start 2026-09-01
    """
    data: dict[str, Any] = {
        "key": key, "name": name, "framework": framework, "theatre": theatre,
        "personnel": personnel, "annual_cost": cost, "start": _day(start), "end": _day(end),
        "objectives": objective or [], "threats": threat or [], "marking": marking,
    }  # fmt: skip
    model = validation.validated(schemas.DeploymentCreate, data, _("invalid deployment"))
    st = state(ctx)
    with st.session() as s:
        out = service.add_deployment(s, user=st.principal(s), data=model)
    console.print(_("added deployment {key} ({marking})").format(key=out.key, marking=out.marking))


@deployments_app.command("open")
def open_cmd(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="The review year."),
    department: list[str] = typer.Option(
        None, "--department", help="A signing department (default: foreign-affairs, defence, dgd)."
    ),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """Open the yearly review round.

    Example: grandstrategy delivery deployments open --year 2027
    """
    st = state(ctx)
    with st.session() as s:
        r = service.open_round(s, user=st.principal(s), year=year, departments=department or None,
                               marking=marking)  # fmt: skip
    console.print(_("opened the {year} review; to sign: {depts}").format(
        year=r.year, depts=", ".join(r.departments)))  # fmt: skip


@deployments_app.command("propose")
def propose(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="The review year."),
    action: str = typer.Option(..., "--action", help="continue, end, reorient or new."),
    deployment: str = typer.Option(None, "--deployment", help="The deployment (not for new)."),
    rationale: str = typer.Option(..., "--rationale", help="Why: the reasons for the proposal."),
    title: str = typer.Option("", "--title", help="For a new deployment."),
    scenario: str = typer.Option("", "--scenario", help="The crisis scenario a new one meets."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """A proposal in the review round.

    Example: grandstrategy delivery deployments propose --year 2026 --action end
    --deployment red-sea-escort --rationale "Frigate needed at home"
    """
    data = validation.validated(
        schemas.ProposalCreate,
        {"action": action, "deployment": deployment, "rationale": rationale, "title": title,
         "scenario": scenario, "marking": marking},
        _("invalid proposal"),
    )  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.propose(s, user=st.principal(s), year=year, data=data)
    console.print(_("proposed: {action} {what}").format(
        action=out.action.value, what=out.deployment or out.title))  # fmt: skip


@deployments_app.command("sign")
def sign(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="The review year."),
    department: str = typer.Option(..., "--department", help="The department you sign for."),
    note: str = typer.Option("", "--note", help="A note kept with it."),
) -> None:
    """Sign the review round off for your department.

    Example: grandstrategy --as dev1 delivery deployments sign --year 2026 --department dgd
    """
    st = state(ctx)
    with st.session() as s:
        out = service.sign_off(s, user=st.principal(s), year=year, department=department,
                               note=note)  # fmt: skip
    console.print(_("{dept} signed the {year} review").format(dept=out.department, year=year))


@deployments_app.command("review")
def review(
    ctx: typer.Context,
    year: int = typer.Option(..., "--year", help="The review year."),
    fmt: str = typer.Option(None, "--format", help="md, pdf or docx: write the review pack."),
    out: Path = typer.Option(None, "--out", help="Where to write the pack.", dir_okay=False),
    as_json: bool = JSON_OPT,
) -> None:
    """The review round of a year; with --format and --out, its review pack.

    Example: grandstrategy delivery deployments review --year 2026 --format pdf --out review.pdf
    """
    if (fmt is None) != (out is None):
        raise typer.BadParameter(_("give --format and --out together"), param_hint="--out")
    if fmt is not None and fmt not in ("md", "pdf", "docx"):
        raise typer.BadParameter(_("choose md, pdf or docx"), param_hint="--format")
    st = state(ctx)
    with st.session() as s:
        user = st.principal(s)
        if fmt is not None:
            doc = service.review_pack(s, user=user, year=year, fmt=fmt)
            out.write_bytes(doc.content)
            console.print(_("wrote {path} ({marking})").format(path=out, marking=doc.marking))
            return
        r = service.review_round(s, user=user, year=year)
    if as_json:
        return print_json(r)
    print_table(
        [(p.action.value, p.deployment or p.title, p.rationale, p.marking)
         for p in r.proposals],
        [_("proposal"), _("deployment"), _("rationale"), _("marking")],
        title=_("Review {year}").format(year=year),
    )  # fmt: skip
    signed = ", ".join(s.department for s in r.signoffs) or "—"
    console.print(_("signed: {signed}; to sign: {missing}").format(
        signed=signed, missing=", ".join(r.missing) or "—"))  # fmt: skip


@review_app.command("five-year")
def five_year(
    ctx: typer.Context,
    from_version: int = typer.Option(None, "--from", help="Edition (version); default: first."),
    to_version: int = typer.Option(None, "--to", help="Edition (version); default: last."),
    fmt: str = typer.Option("md", "--format", help="md, pdf or docx."),
    out: Path = typer.Option(..., "--out", help="File to write.", dir_okay=False),
) -> None:
    """The five-yearly review between two frozen editions, with the change log.

    Example: grandstrategy delivery review five-year --from 1 --to 5 --format pdf --out r.pdf
    """
    if fmt not in ("md", "pdf", "docx"):
        raise typer.BadParameter(_("choose md, pdf or docx"), param_hint="--format")
    st = state(ctx)
    with st.session() as s:
        doc = service.five_year_review(s, user=st.principal(s), from_version=from_version,
                                       to_version=to_version, fmt=fmt)  # fmt: skip
    out.write_bytes(doc.content)
    console.print(_("wrote {path} ({marking})").format(path=out, marking=doc.marking))


@capability_app.command("set")
def capability_set(
    ctx: typer.Context,
    capability: str = typer.Argument(..., help="Capability id, e.g. armed-forces."),
    measure: str = typer.Option(..., "--measure", help="units, readiness or personnel."),
    year: int = typer.Option(..., "--year", help="The review year."),
    target: float = typer.Option(..., "--target", min=0, help="Target for the year."),
    delivered: float = typer.Option(
        None, "--delivered", min=0, help="What was delivered in the year."
    ),
    spend: float = typer.Option(None, "--spend", min=0, help="EUR million."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """Record a year's target, delivery and spend for one measure of a capability.

    Example: grandstrategy delivery capability set armed-forces --measure readiness
    --year 2026 --target 70 --delivered 56 --spend 2900
    """
    data = validation.validated(
        schemas.CapabilityTargetCreate,
        {"capability": capability, "measure": measure, "year": year, "target": target,
         "delivered": delivered, "spend": spend, "marking": marking},
        _("invalid capability target"),
    )  # fmt: skip
    st = state(ctx)
    with st.session() as s:
        out = service.record_target(s, user=st.principal(s), data=data)
    console.print(_("recorded {cap} {measure} {year}").format(
        cap=out.capability, measure=out.measure.value, year=out.year))  # fmt: skip


@capability_app.command("list")
def capability_list(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Spend growth against delivered growth per capability and measure, flagging spend that
    rises while delivery does not.

    Example: grandstrategy delivery capability list --json
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.capability_values(s, user=st.principal(s))
    if as_json:
        return print_json(rows)

    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:+.1f} %"

    print_table(
        [(v.capability, v.measure.value, f"{v.years[0]}–{v.years[-1]}", pct(v.spend_growth),
          pct(v.delivered_growth), _("yes") if v.flag else "")
         for v in rows],
        [_("capability"), _("measure"), _("years"), _("spend growth"), _("delivered growth"),
         _("spend without delivery")],
    )  # fmt: skip
