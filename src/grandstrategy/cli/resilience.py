"""``grandstrategy resilience``: assessments, matrices, scenarios, ranked gaps, the IIM."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.cli.resilience_iim import iim_command
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.core import formats, validation
    from grandstrategy.resilience import schemas, service
else:
    formats = lazy.module("grandstrategy.core.formats")
    schemas = lazy.module("grandstrategy.resilience.schemas")
    service = lazy.module("grandstrategy.resilience.service")
    validation = lazy.module("grandstrategy.core.validation")


resilience_app = typer.Typer(
    help="Resilience: NATO's seven baseline requirements, cascades, ranked gaps.",
    no_args_is_help=True,
)
matrix_app = typer.Typer(help="Interdependency matrices A*.", no_args_is_help=True)
scenario_app = typer.Typer(help="Named shock scenarios: run and compare.", no_args_is_help=True)
autonomy_app = typer.Typer(help="Autonomy choices per requirement.", no_args_is_help=True)
resilience_app.add_typer(matrix_app, name="matrix")
resilience_app.add_typer(scenario_app, name="scenario")
resilience_app.add_typer(autonomy_app, name="autonomy")
resilience_app.command("iim")(iim_command)


def build(model: type[validation.M], data: dict[str, Any], message: str) -> validation.M:
    """Validate CLI input; a clear error naming each bad field instead of a traceback.

    ``message`` is the whole sentence ("invalid assessment"), already translated."""
    return validation.validated(model, data, message)


def _level(v: float | None) -> str:
    return "—" if v is None else formats.number(v, 1)


@resilience_app.command("overview")
def overview(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Each requirement's mean level, target and gap (latest assessments).

    Example: grandstrategy resilience overview
    """
    with state(ctx).session() as s:
        states = service.overview(s, user=state(ctx).principal(s))
    if as_json:
        return print_json(states)
    rows = [
        (r.requirement, r.title, _level(r.current), _level(r.target), _level(r.gap),
         f"{r.assessed}/{len(r.criteria)}")
        for r in states
    ]  # fmt: skip
    print_table(
        rows, [_("id"), _("requirement"), _("current"), _("target"), _("gap"), _("assessed")]
    )


@resilience_app.command("assess")
def assess(
    ctx: typer.Context,
    requirement: str = typer.Argument(..., help="Requirement id, e.g. energy."),
    criterion: str = typer.Argument(..., help="Criterion id, e.g. restoration."),
    level: int = typer.Option(..., "--level", min=0, max=5, help="Maturity now (0–5)."),
    target: int = typer.Option(..., "--target", min=0, max=5, help="Target maturity (0–5)."),
    evidence: str = typer.Option("", "--evidence", help="What the level rests on."),
    links: list[str] = typer.Option(None, "--link", help="A supporting document; repeat."),
    on: dt.datetime = typer.Option(None, "--on", formats=["%Y-%m-%d"], help="Date assessed."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
    as_json: bool = JSON_OPT,
) -> None:
    """Record an assessment of one criterion (kept in history; the latest is current).

    Example: grandstrategy resilience assess energy restoration --level 2 --target 4
    """
    data = build(
        schemas.AssessmentCreate,
        {
            "requirement": requirement,
            "criterion": criterion,
            "level": level,
            "target": target,
            "evidence": evidence,
            "links": links or [],
            "assessed_on": on.date() if on else None,
            "marking": marking,
        },
        _("invalid assessment"),
    )
    with state(ctx).session() as s:
        out = service.record_assessment(s, user=state(ctx).principal(s), data=data)
    if as_json:
        return print_json(out)
    console.print(
        _(
            "recorded {requirement}/{criterion}: level {level}, target {target} ({date}, {marking})"
        ).format(
            requirement=out.requirement,
            criterion=out.criterion,
            level=out.level,
            target=out.target,
            date=out.assessed_on,
            marking=out.marking,
        )
    )


@resilience_app.command("history")
def history(
    ctx: typer.Context,
    requirement: str = typer.Argument(None, help="Requirement id (default: all)."),
    criterion: str = typer.Option(None, "--criterion", help="Only this criterion."),
    as_json: bool = JSON_OPT,
) -> None:
    """Every assessment, newest first.

    Example: grandstrategy resilience history energy --criterion restoration
    """
    with state(ctx).session() as s:
        rows = service.assessments(
            s, user=state(ctx).principal(s), requirement=requirement, criterion=criterion
        )
    if as_json:
        return print_json(rows)
    print_table(
        [(a.assessed_on, a.requirement, a.criterion, a.level, a.target, a.assessor, a.marking)
         for a in rows],
        [_("date"), _("requirement"), _("criterion"), _("level"), _("target"), _("assessor"),
         _("marking")],
    )  # fmt: skip


@resilience_app.command("rank")
def rank(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Gaps ranked by the inoperability they would cascade through the system.

    Example: grandstrategy resilience rank --json
    """
    with state(ctx).session() as s:
        gaps = service.rank(s, user=state(ctx).principal(s))
    if as_json:
        return print_json({"formula": service.FORMULA, "gaps": gaps})
    rows = [
        (
            g.rank,
            g.requirement,
            formats.number(g.gap, 1),
            formats.number(g.score, 3),
            formats.number(g.spillover, 3),
            g.reason,
        )
        for g in gaps
    ]
    print_table(rows, ["#", _("requirement"), _("gap"), _("score Σq"), _("spillover"), _("why")])
    console.print(_(service.FORMULA), style="dim")


@resilience_app.command("gap-objective")
def gap_objective(
    ctx: typer.Context,
    requirement: str = typer.Argument(..., help="Requirement whose gap to close."),
    objective_id: str = typer.Option(..., "--id", help="Id of the new objective."),
    owner: str = typer.Option(..., "--owner", help="The one owning actor (an actor id)."),
    deadline: dt.datetime = typer.Option(
        ..., "--deadline", formats=["%Y-%m-%d"], help="Deadline of the new objective."
    ),
    horizon: int = typer.Option(5, "--horizon", help="5 or 10 years."),
    title: str = typer.Option(None, "--title", help="Default: made from the requirement."),
    parent: str = typer.Option(None, "--parent", help="Parent objective id."),
    interests: list[str] = typer.Option(None, "--interest", help="Interest it serves; repeat."),
    threats: list[str] = typer.Option(None, "--threat", help="Threat it answers; repeat."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
    as_json: bool = JSON_OPT,
) -> None:
    """Create a strategy objective to close a requirement's gap, linked to it.

    Example: grandstrategy resilience gap-objective energy --id energy-resilience
    --owner economy --deadline 2030-12-31 --interest security --threat cyber
    """
    data = build(
        schemas.GapObjectiveCreate,
        {
            "requirement": requirement,
            "objective_id": objective_id,
            "owner": owner,
            "deadline": deadline.date(),
            "horizon": horizon,
            "title": title,
            "parent": parent,
            "interests": interests or [],
            "threats": threats or [],
            "marking": marking,
        },
        _("invalid objective"),
    )
    with state(ctx).session() as s:
        out = service.objective_from_gap(s, user=state(ctx).principal(s), data=data)
    if as_json:
        return print_json(out)
    console.print(_("created objective {id}: {title}").format(id=out["id"], title=out["title"]))


# --- matrices -------------------------------------------------------------------------------


def _show_matrix(m: dict[str, Any], as_json: bool) -> None:
    if as_json:
        return print_json(m)
    names = m["sectors"]
    rows = [
        (n, *(formats.number(v, 3) for v in row)) for n, row in zip(names, m["values"], strict=True)
    ]
    print_table(rows, [_("A* (row depends on column)"), *names])
    prov = m.get("provenance", {})
    console.print(
        _("spectral radius: {value}").format(value=formats.number(m["spectral_radius"], 4))
    )
    console.print(
        _("built by: {method} from {source}").format(
            method=prov.get("method", "?"), source=prov.get("source", "?")
        )
    )
    for line in prov.get("accounting", []):
        console.print(f"  {line}", highlight=False)
    for w in prov.get("warnings", []):
        console.print("  " + _("warning: {text}").format(text=w), style="yellow", highlight=False)


@matrix_app.command("from-io")
def from_io(
    ctx: typer.Context,
    table: Path = typer.Argument(..., help="Input-output table CSV (OECD layout)."),
    aggregate: bool = typer.Option(
        False, "--aggregate", help="Aggregate industries to the catalogue's sectors."
    ),
    allow_large_cells: bool = typer.Option(
        False,
        "--allow-large-cells",
        help="Accept coefficients above 1 (warned) instead of refusing the table.",
    ),
    out: Path = typer.Option(None, "--out", help="Write the matrix as a bare CSV."),
    save: str = typer.Option(None, "--save", metavar="NAME", help="Store it under this name."),
    active: bool = typer.Option(False, "--active", help="With --save: make it the active one."),
    replace: bool = typer.Option(
        False, "--replace", help="With --save: replace a stored matrix of that name (else refused)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """A* = x̂⁻¹ Z from an input-output table, optionally aggregated to the requirements.

    Example: grandstrategy resilience matrix from-io BEL2020ttl.csv --aggregate --save be
    """
    m = service.SectorMatrix.from_io(
        table, aggregate=aggregate, allow_large_cells=allow_large_cells
    )
    if out is not None:
        m.write_csv(out)
    shown = {**m.as_dict(), "spectral_radius": m.spectral_radius}
    if save:
        data = build(
            schemas.MatrixCreate,
            {
                "name": save,
                "sectors": list(m.names),
                "values": m.values.tolist(),
                "outputs": None if m.output is None else m.output.tolist(),
                "provenance": m.provenance,
                "active": active,
                "replace": replace,
            },
            _("invalid matrix"),
        )
        with state(ctx).session() as s:
            shown = service.save_matrix(s, user=state(ctx).principal(s), data=data).model_dump(
                mode="json"
            )
    _show_matrix(shown, as_json)


@matrix_app.command("import")
def import_matrix(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Bare CSV matrix: 'sector,NAME1,...' then rows."),
    name: str = typer.Option(..., "--name", help="Name to store it under."),
    consequence: bool = typer.Option(
        False, "--consequence", help="Cells are 0–5 expert consequence scores, not a*_ij."
    ),
    active: bool = typer.Option(False, "--active", help="Make it the active matrix."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace a stored matrix of that name (else refused)."
    ),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
    as_json: bool = JSON_OPT,
) -> None:
    """Store an expert matrix (a*_ij, or 0–5 consequence scores converted by the rule).

    Example: grandstrategy resilience matrix import experts.csv --name experts --consequence
    """
    m = (
        service.SectorMatrix.read_consequence_csv(path)
        if consequence
        else service.SectorMatrix.read_csv(path)
    )
    data = build(
        schemas.MatrixCreate,
        {
            "name": name,
            "sectors": list(m.names),
            "values": m.values.tolist(),
            "provenance": m.provenance,
            "active": active,
            "replace": replace,
            "marking": marking,
        },
        _("invalid matrix"),
    )
    with state(ctx).session() as s:
        saved = service.save_matrix(s, user=state(ctx).principal(s), data=data)
    _show_matrix(saved.model_dump(mode="json"), as_json)


@matrix_app.command("activate")
def activate_matrix(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The stored matrix to make the active one."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make a stored matrix the active one (scenarios and the ranking use it by default).

    Example: grandstrategy resilience matrix activate experts
    """
    with state(ctx).session() as s:
        m = service.activate_matrix(s, user=state(ctx).principal(s), name=name)
    if as_json:
        return print_json(m)
    console.print(_("{name} is now the active matrix.").format(name=m.name))


@matrix_app.command("show")
def show_matrix(
    ctx: typer.Context,
    name: str = typer.Argument(None, help="Matrix name (default: the active one)."),
    as_json: bool = JSON_OPT,
) -> None:
    """A stored matrix with its provenance.

    Example: grandstrategy resilience matrix show belgium-2020
    """
    with state(ctx).session() as s:
        m = service.get_matrix(s, user=state(ctx).principal(s), name=name)
    _show_matrix(m.model_dump(mode="json"), as_json)


@matrix_app.command("list")
def list_matrices(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Stored matrices; * marks the active one."""
    with state(ctx).session() as s:
        ms = service.list_matrices(s, user=state(ctx).principal(s))
    if as_json:
        return print_json(ms)
    rows = [
        ("*" if m.active else "", m.name, len(m.sectors), formats.number(m.spectral_radius, 4),
         m.provenance.get("method", ""), m.marking)
        for m in ms
    ]  # fmt: skip
    print_table(rows, ["", _("name"), _("sectors"), "ρ(A*)", _("built by"), _("marking")])


# --- scenarios ------------------------------------------------------------------------------


@scenario_app.command("list")
def list_scenarios(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Stored scenarios."""
    with state(ctx).session() as s:
        rows = service.list_scenarios(s, user=state(ctx).principal(s))
    if as_json:
        return print_json(rows)
    print_table(
        [(r.name, r.title, ", ".join(f"{k} {v:.0%}" for k, v in r.shocks.items()),
          r.shock_steps, r.steps - 1, r.marking) for r in rows],
        [_("name"), _("title"), _("shocks"), _("shock days"), _("days"), _("marking")],
    )  # fmt: skip


@scenario_app.command("add")
def add_scenarios(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="YAML file: one scenario or a list of them."),
    replace: bool = typer.Option(
        False, "--replace", help="Replace stored scenarios of the same names (else refused)."
    ),
) -> None:
    """Store scenarios from a YAML file, all or none (with --replace, replacing namesakes).

    Example: grandstrategy resilience scenario add scenarios.yaml
    """
    try:
        import yaml

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise Invalid(
            _("{path}: cannot read scenarios ({error})").format(path=path, error=exc)
        ) from None
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(i, dict) for i in items):
        raise Invalid(_("{path}: expected a scenario mapping or a list of them").format(path=path))
    with state(ctx).session() as s:
        user = state(ctx).principal(s)
        for i in items:
            data = build(
                schemas.ScenarioCreate,
                {"replace": replace, **i},
                _("invalid scenario {name}").format(name=i.get("name", "?")),
            )
            saved = service.save_scenario(s, user=user, data=data)
            console.print(_("saved scenario {name}").format(name=saved.name))


@scenario_app.command("run")
def run_scenario(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Scenario name."),
    runs: int = typer.Option(
        None, "--runs", help="Also a Monte Carlo of N draws of the shocks (percentiles)."
    ),
    spread: float = typer.Option(
        0.5, "--spread", help="With --runs: each shock varies ± this share of its value."
    ),
    seed: int = typer.Option(0, "--seed", help="With --runs: the random seed."),
    as_json: bool = JSON_OPT,
) -> None:
    """Run a scenario: each sector's equilibrium, peak and cumulative inoperability.

    Example: grandstrategy resilience scenario run grid-cyber-attack --runs 10000
    """
    with state(ctx).session() as s:
        user = state(ctx).principal(s)
        run = service.run_scenario(s, user=user, name=name)
        spread_run = (
            service.uncertainty(s, user=user, name=name, runs=runs, spread=spread, seed=seed)
            if runs
            else None
        )
    if as_json:
        return print_json({**run.model_dump(mode="json"), "uncertainty": spread_run})
    rows = [
        (
            o.sector,
            formats.number(o.shock, 3),
            formats.number(o.static, 3),
            formats.number(o.peak, 3),
            formats.number(o.cumulative, 2),
        )
        for o in sorted(run.outcomes, key=lambda o: -o.cumulative)
    ]
    print_table(
        rows,
        [_("sector"), _("shock"), _("equilibrium q"), _("peak q"), _("inoperability-days")],
        title=_("{title} ({marking}; matrix {matrix})").format(
            title=run.title, marking=run.marking, matrix=run.matrix
        ),
    )
    console.print(
        _("total inoperability-days over {days} days: {total}").format(
            days=run.steps - 1, total=formats.number(run.total_cumulative, 2)
        )
    )
    if spread_run is not None:
        print_table(
            [(x.sector, *(formats.number(x.q[p], 3) for p in ("p5", "p50", "p95")),
              f"{x.failed_share:.1%}") for x in spread_run.sectors],
            [_("sector"), "q p5", "q p50", "q p95", _("runs failed")],
            title=_("Equilibrium over {runs} draws (shocks ± {spread})").format(
                runs=formats.number(spread_run.runs), spread=formats.percent(spread)),
        )  # fmt: skip
        t = spread_run.total
        console.print(
            _("Σq: p5 {p5}, median {p50}, p95 {p95}").format(
                p5=formats.number(t["p5"], 3),
                p50=formats.number(t["p50"], 3),
                p95=formats.number(t["p95"], 3),
            )
        )


@scenario_app.command("compare")
def compare(
    ctx: typer.Context,
    names: list[str] = typer.Argument(..., help="Two or more scenario names."),
    as_json: bool = JSON_OPT,
) -> None:
    """Scenarios side by side: inoperability-days per sector.

    Example: grandstrategy resilience scenario compare grid-cyber-attack pandemic-wave
    """
    with state(ctx).session() as s:
        runs = service.compare_scenarios(s, user=state(ctx).principal(s), names=names)
    if as_json:
        return print_json(runs)
    sectors = runs[0].sectors
    rows = [
        (sec, *(formats.number(next((o.cumulative for o in r.outcomes if o.sector == sec), 0.0), 2)
                for r in runs))
        for sec in sectors
    ]  # fmt: skip
    rows.append((_("total"), *(formats.number(r.total_cumulative, 2) for r in runs)))
    print_table(rows, [_("inoperability-days"), *(r.scenario for r in runs)])


# --- autonomy -------------------------------------------------------------------------------


@autonomy_app.command("list")
def autonomy_list(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Current autonomy choices."""
    with state(ctx).session() as s:
        rows = service.autonomy(s, user=state(ctx).principal(s))
    if as_json:
        return print_json(rows)
    print_table(
        [(a.requirement, a.dimension, a.choice, a.rationale) for a in rows],
        [_("requirement"), _("dimension"), _("reliance"), _("rationale")],
    )


@autonomy_app.command("set")
def autonomy_set(
    ctx: typer.Context,
    requirement: str = typer.Argument(...),
    dimension: str = typer.Argument(..., help="decision, expertise or production."),
    choice: str = typer.Argument(..., help="national, eu or partner."),
    rationale: str = typer.Option("", "--rationale", help="Why."),
    marking: str = typer.Option("UNCLASSIFIED", "--marking", help="Marking of this record."),
) -> None:
    """Choose the reliance for one requirement and dimension.

    Example: grandstrategy resilience autonomy set energy production eu --rationale "..."
    """
    data = build(
        schemas.AutonomyCreate,
        {
            "requirement": requirement,
            "dimension": dimension,
            "choice": choice,
            "rationale": rationale,
            "marking": marking,
        },
        _("invalid autonomy choice"),
    )
    with state(ctx).session() as s:
        out = service.set_autonomy(s, user=state(ctx).principal(s), data=data)
    console.print(f"{out.requirement}/{out.dimension}: {out.choice}")
