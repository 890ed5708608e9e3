"""``grandstrategy strategy``: import, export, lint, trace, diff, history, freeze."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy, worddiff
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import LANGUAGES, _
from grandstrategy.core.terms import term

if TYPE_CHECKING:
    from grandstrategy import firstrun
    from grandstrategy.strategy import schemas, service
else:
    firstrun = lazy.module("grandstrategy.firstrun")
    schemas = lazy.module("grandstrategy.strategy.schemas")
    service = lazy.module("grandstrategy.strategy.service")


strategy_app = typer.Typer(help="The National Security Strategy.", no_args_is_help=True)
example_app = typer.Typer(help="The illustrative Belgian example.", no_args_is_help=True)
KEY_OPT = typer.Option(None, "--strategy", help="Strategy id (default: the current one).")


@example_app.command("load")
def example_load(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Load (or refresh) the illustrative Belgian strategy.

    Example: grandstrategy example load
    """
    st = state(ctx)
    with st.session() as s:
        # the strategy refreshed, then delivery's check-ins once (None when already there)
        report, tracked = firstrun.load_examples(s, user=st.principal(s))
    if as_json:
        print_json(report)
    else:
        console.print(
            _(
                "example {key}: version {version}; {created} created, {updated} updated, "
                "{unchanged} unchanged, {deleted} deleted"
            ).format(**_counts(report))
        )
        if tracked is not None:
            console.print(_("delivery example: {n} check-ins").format(n=tracked.checkins))


@example_app.command("path")
def example_path_cmd() -> None:
    """Print where the example package's YAML files are.

    Example: ls $(grandstrategy example path)
    """
    typer.echo(firstrun.strategy_example_path())


@strategy_app.command("import")
def strategy_import(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A strategy package folder (YAML files)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Import a strategy package; an existing strategy with the same id is brought in line.

    Example: grandstrategy strategy import ./my-strategy/
    """
    st = state(ctx)
    pkg = service.read_package(path)
    with st.session() as s:
        report = service.import_package(s, user=st.principal(s), package=pkg)
    if as_json:
        print_json(report)
    else:
        console.print(
            _(
                "imported {key}: version {version}; {created} created, {updated} updated, "
                "{unchanged} unchanged, {deleted} deleted"
            ).format(**_counts(report))
        )


def _edition_language(value: str | None) -> str | None:
    if value is not None and value.strip().lower() not in LANGUAGES:
        raise typer.BadParameter(
            _("unknown language {lang!r}; choose one of {choices}").format(
                lang=value, choices=", ".join(LANGUAGES)
            )
        )
    return value.strip().lower() if value is not None else None


@strategy_app.command("export")
def strategy_export(
    ctx: typer.Context,
    fmt: str = typer.Option("yaml", "--format", help="yaml, json, md, html, pdf or docx"),
    max_marking: str = typer.Option(
        None, "--max-marking", help="Leave out records above this marking (public edition)."
    ),
    out: Path = typer.Option(
        None, "--out", help="File (or folder for yaml). Default: standard output / ./<id>/"
    ),
    key: str = KEY_OPT,
    lang: str = typer.Option(
        None,
        "--lang",
        help="Language of the edition: en, fr, nl or de (default: the interface language). "
        "Texts not yet translated are given in English, marked [EN].",
        callback=_edition_language,
    ),
) -> None:
    """Export the strategy as a package or a typeset edition.

    Example: grandstrategy strategy export --format pdf --max-marking UNCLASSIFIED --out nss.pdf
    Example: grandstrategy strategy export --format pdf --lang fr --out snn-fr.pdf
    """
    st = state(ctx)
    with st.session() as s:
        result = service.export(
            s, user=st.principal(s), fmt=fmt, max_marking=max_marking, key=key, lang=lang
        )
    if fmt == "yaml":
        folder = out or Path(result.filename.removesuffix(".zip"))
        for name, text in result.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, "utf-8")
        where = str(folder)
    elif out is None:
        if fmt in ("pdf", "docx") and sys.stdout.isatty():
            raise Invalid(_("{format} is binary: give --out FILE").format(format=fmt))
        sys.stdout.buffer.write(result.content)
        return
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(result.content)
        where = str(out)
    note = (
        "; "
        + _("{n} record(s) above {marking} left out").format(n=result.withheld, marking=max_marking)
        if max_marking
        else ""
    )
    console.print(
        _("wrote {where} (marking {marking})").format(where=where, marking=result.marking) + note
    )


@strategy_app.command("lint")
def strategy_lint(ctx: typer.Context, key: str = KEY_OPT, as_json: bool = JSON_OPT) -> None:
    """Check the strategy is complete, consistent, short and sharp; exit 1 on errors.

    Example: grandstrategy strategy lint --json
    """
    st = state(ctx)
    with st.session() as s:
        findings = service.lint_strategy(s, user=st.principal(s), key=key)
    counts = service.lint_summary(findings)
    if as_json:
        print_json({"summary": counts, "findings": findings})
    elif not findings:
        console.print(_("no findings: the strategy is complete and consistent"))
    else:
        print_table(
            [
                (
                    f.severity,
                    f.rule,
                    f"{f.component}/{f.record_id}" if f.record_id else f.component,
                    f.message,
                    f.fix,
                )
                for f in findings
            ],
            [_("severity"), _("rule"), _("record"), _("problem"), _("how to fix")],
        )
        console.print(
            _("{errors} error(s), {warnings} warning(s)").format(
                errors=counts["errors"], warnings=counts["warnings"]
            )
        )
    if counts["errors"]:
        raise typer.Exit(1)


@strategy_app.command("trace")
def strategy_trace(
    ctx: typer.Context,
    key: str = KEY_OPT,
    as_json: bool = JSON_OPT,
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV."),
) -> None:
    """The chain threat → interest → objective → owner → capability → budget, with breaks.

    Example: grandstrategy strategy trace --csv > trace.csv
    """
    st = state(ctx)
    with st.session() as s:
        report = service.trace_strategy(s, user=st.principal(s), key=key)
    if as_json:
        print_json(service.trace_json(report))
        return
    if as_csv:
        sys.stdout.write(service.trace_csv(report))
        return
    print_table(
        [
            (
                r.threat_id,
                r.interest_id,
                r.objective_id or "—",
                r.owner_id or "—",
                r.capability_id or "—",
                f"{r.budget:,.0f} {r.currency}" if r.budget else "—",
            )
            for r in report.rows
        ],
        [_("threat"), _("interest"), _("objective"), _("owner"), _("capability"), _("budget")],
        title=_("Traceability"),
    )
    if report.breaks:
        print_table(
            [(b.stage, f"{b.component}/{b.record_id}", b.message) for b in report.breaks],
            [_("break"), _("record"), _("what is missing")],
            title=_("Breaks in the chain"),
        )
    else:
        console.print(_("no breaks: every threat traces to a funded capability"))
    if report.cascade:
        print_table(
            [(c.national_id, c.actor or "—", c.strategy_id or "—", c.objective_id or "—")
             for c in report.cascade],
            [_("national objective"), _("actor"), _("derived strategy"), _("objective")],
            title=_("Departmental cascade"),
        )  # fmt: skip


@strategy_app.command("diff")
def strategy_diff(
    ctx: typer.Context,
    v1: int = typer.Argument(..., help="Older version."),
    v2: int = typer.Argument(None, help="Newer version (default: current)."),
    key: str = KEY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """What changed between two versions, field by field, word by word: [-removed-]{+added+}.

    Example: grandstrategy strategy diff 1 3
    """
    st = state(ctx)
    with st.session() as s:
        user = st.principal(s)
        strat = service.current(s, user, key)
        now = service.version_of(s, user=user, strategy=strat)
        diffs = service.diff(s, user=user, strategy=strat, v1=v1, v2=now if v2 is None else v2)
    if as_json:
        print_json(diffs)
        return
    if not diffs:
        console.print(_("no differences"))
        return
    rows = []
    for d in diffs:
        for c in d.changes or []:
            if c.field in ("id",) and d.change == "changed":
                continue
            runs = worddiff.compact(worddiff.field_runs(c.before, c.after))
            rows.append((d.change, f"{d.component}/{d.key}", c.field, worddiff.render_plain(runs)))
    print_table(rows, [_("change"), _("record"), _("field"), _("words that changed")])


@strategy_app.command("history")
def strategy_history(
    ctx: typer.Context,
    record: str = typer.Argument(None, help="component/id, e.g. objectives/defence-budget"),
    key: str = KEY_OPT,
    limit: int = typer.Option(50, "--limit", help="At most this many rows."),
    as_json: bool = JSON_OPT,
) -> None:
    """The change history, newest first, of the strategy or one record.

    Example: grandstrategy strategy history objectives/resilience-review
    """
    st = state(ctx)
    comp, _sep, rid = (record or "").partition("/")
    with st.session() as s:
        strat = service.current(s, st.principal(s), key)
        revs = service.history(
            s,
            user=st.principal(s),
            strategy=strat,
            component=comp or None,
            key=rid or None,
            limit=limit,
        )
    if as_json:
        print_json(revs)
        return
    print_table(
        [
            (
                r.version,
                r.at.strftime("%Y-%m-%d %H:%M"),
                r.actor,
                r.op,
                f"{r.component}/{r.key}",
                ", ".join(c.field for c in r.changes),
            )
            for r in revs
        ],
        [_("version"), _("when"), _("who"), _("change"), _("record"), _("fields")],
    )


@strategy_app.command("freeze")
def strategy_freeze(
    ctx: typer.Context,
    status: str = typer.Argument(..., help="approved or published"),
    note: str = typer.Option("", "--note", help="A note kept with it."),
    key: str = KEY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Freeze the current version as an approved or published edition.

    Example: grandstrategy strategy freeze approved --note "NSC meeting of 3 March"
    """
    st = state(ctx)
    with st.session() as s:
        strat = service.current(s, st.principal(s), key)
        ed = service.freeze(s, user=st.principal(s), strategy=strat, status=status, note=note)
    if as_json:
        print_json(ed)
    else:
        console.print(
            _("version {version} is now {status}").format(version=ed.version, status=ed.status)
        )


@strategy_app.command("show")
def strategy_show(ctx: typer.Context, key: str = KEY_OPT, as_json: bool = JSON_OPT) -> None:
    """The strategy at a glance: its five components and lint status.

    Example: grandstrategy strategy show
    """
    st = state(ctx)
    with st.session() as s:
        pkg = service.load_package(s, user=st.principal(s), key=key)
        findings = service.lint_strategy(s, user=st.principal(s), key=key)
        strat = service.current(s, st.principal(s), key)
        version = service.version_of(s, user=st.principal(s), strategy=strat)
    counts = service.lint_summary(findings)
    if as_json:
        print_json(
            {
                "strategy": pkg.strategy,
                "version": version,
                "lint": counts,
                "counts": {c: len(getattr(pkg, c)) for c, _label in _COMPONENT_NAMES},
            }
        )
        return
    console.print(
        f"[bold]{pkg.strategy.title}[/] — "
        + _("{status}, version {version}").format(
            status=term(pkg.strategy.status, "strategy-status"), version=version
        )
    )
    print_table(
        [
            (f"{n} {schemas.component_plural(c)}".strip(), len(getattr(pkg, c)))
            for c, n in _COMPONENT_NAMES
        ],
        [_("component"), _("records")],
    )
    console.print(
        _("lint: {errors} error(s), {warnings} warning(s)").format(
            errors=counts["errors"], warnings=counts["warnings"]
        )
    )


@strategy_app.command("schema")
def strategy_schema(out: Path = typer.Option(..., "--out", help="Folder to write to.")) -> None:
    """Write the JSON Schemas of the package files, for editors.

    Example: grandstrategy strategy schema --out ./schema
    """
    out.mkdir(parents=True, exist_ok=True)
    for name, text in service.json_schemas().items():
        (out / name).write_text(text, "utf-8")
    console.print(
        _("wrote {n} schema files to {out}").format(n=len(service.json_schemas()), out=out)
    )


derived_app = typer.Typer(
    help="Departmental strategies and annual statements derived from the national one.",
    no_args_is_help=True,
)
strategy_app.add_typer(derived_app, name="derived")
NATIONAL_OPT = typer.Option(
    None, "--national", help="National strategy id (default: the current one)."
)


@strategy_app.command("derive")
def strategy_derive(
    ctx: typer.Context,
    actor: str = typer.Option(..., "--actor", help="The actor it is for, e.g. defence."),
    kind: str = typer.Option("departmental", "--kind", help="departmental or annual-statement"),
    title: str = typer.Option(None, "--title", help="Title (default: from the actor's name)."),
    rid: str = typer.Option(None, "--id", help="Its id (default: ACTOR-NATIONAL)."),
    marking: str = typer.Option(None, "--marking", help="Default: the national strategy's."),
    year: int = typer.Option(None, "--year", help="Year of an annual statement (default: now)."),
    national: str = NATIONAL_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Start a departmental strategy (or annual statement) derived from the national one.

    Example: grandstrategy strategy derive --actor defence
    Example: grandstrategy strategy derive --actor defence --kind annual-statement --year 2026
    """
    st = state(ctx)
    with st.session() as s:
        out = service.derive(
            s, user=st.principal(s), actor=actor, kind=kind, title=title, rid=rid,
            marking=marking, year=year, national=national,
        )  # fmt: skip
    if as_json:
        print_json(out)
    else:
        console.print(
            _("derived {id} ({kind}) for {actor} from {national}").format(
                id=out.id, kind=out.kind, actor=out.actor, national=out.national
            )
        )


@derived_app.command("list")
def derived_list(
    ctx: typer.Context, national: str = NATIONAL_OPT, as_json: bool = JSON_OPT
) -> None:
    """The strategies derived from the national one, with their objective counts.

    Example: grandstrategy strategy derived list
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.derived_strategies(s, user=st.principal(s), national=national)
    if as_json:
        print_json(rows)
        return
    print_table(
        [(r.id, r.kind, r.actor, r.title, r.status, r.marking, r.objectives) for r in rows],
        [_("id"), _("kind"), _("actor"), _("title"), _("status"), _("marking"), _("objectives")],
    )


@derived_app.command("show")
def derived_show(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The derived strategy's id."),
    as_json: bool = JSON_OPT,
) -> None:
    """A derived strategy's objectives and the national objectives they serve.

    Example: grandstrategy strategy derived show defence-be-nss-2025
    """
    st = state(ctx)
    with st.session() as s:
        meta, objectives = service.departmental_objectives(s, user=st.principal(s), key=key)
    if as_json:
        print_json({"strategy": meta, "objectives": objectives})
        return
    console.print(f"[bold]{meta.title}[/] — {meta.kind}, {meta.actor}")
    print_table(
        [(o.id, o.title, o.serves or "—", str(o.deadline or "—"), o.marking) for o in objectives],
        [_("objective"), _("title"), _("serves"), _("deadline"), _("marking")],
    )


def _indicator(text: str) -> dict[str, Any]:
    """``name|unit|baseline|target|due``: the columns after the name may be left out."""
    cols = [c.strip() for c in text.split("|")]
    names = ("name", "unit", "baseline", "target", "due")
    if len(cols) > len(names):
        raise typer.BadParameter(_("an indicator has at most 5 columns: {cols}").format(
            cols=" | ".join(names)))  # fmt: skip
    return {k: v for k, v in zip(names, cols, strict=False) if v != ""}


def _objective_fields(**given: Any) -> dict[str, Any]:
    return {k: v for k, v in given.items() if v is not None}


@derived_app.command("add")
def derived_add(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The derived strategy's id."),
    rid: str = typer.Option(..., "--id", help="The new objective's id."),
    title: str = typer.Option(..., "--title", help="The objective's title."),
    serves: str = typer.Option(..., "--serves", help="Id of the national objective it serves."),
    horizon: int = typer.Option(5, "--horizon", help="5 or 10 (years)."),
    deadline: str = typer.Option(None, "--deadline", help="YYYY-MM-DD"),
    description: str = typer.Option(None, "--description", help="What the objective means."),
    indicator: list[str] = typer.Option(
        None, "--indicator", help="name|unit|baseline|target|due; repeat for more."
    ),
    marking: str = typer.Option(None, "--marking", help="Default: the derived strategy's."),
    as_json: bool = JSON_OPT,
) -> None:
    """Add an objective to a derived strategy, serving a national objective.

    Example: grandstrategy strategy derived add defence-be-nss-2025 --id brigade-ready \\
      --title "Motorised brigade ready" --serves defence-budget-path --deadline 2029-12-31
    """
    st = state(ctx)
    data = _objective_fields(
        id=rid, title=title, serves=serves, horizon=horizon, deadline=deadline,
        description=description, marking=marking,
        indicators=[_indicator(i) for i in indicator] if indicator else None,
    )  # fmt: skip
    with st.session() as s:
        out = service.add_objective(s, user=st.principal(s), key=key, data=data)
    if as_json:
        print_json(out)
    else:
        console.print(_("added {id}, serving {serves}").format(id=out.id, serves=out.serves))


@derived_app.command("edit")
def derived_edit(
    ctx: typer.Context,
    key: str = typer.Argument(..., help="The derived strategy's id."),
    rid: str = typer.Argument(..., help="The objective's id."),
    title: str = typer.Option(None, "--title", help="A new title."),
    serves: str = typer.Option(None, "--serves", help="Id of the national objective it serves."),
    deadline: str = typer.Option(None, "--deadline", help="YYYY-MM-DD"),
    status: str = typer.Option(None, "--status", help="planned, on-track, at-risk, ..."),
    description: str = typer.Option(None, "--description", help="A new description."),
    marking: str = typer.Option(None, "--marking", help="A new marking."),
    as_json: bool = JSON_OPT,
) -> None:
    """Change an objective of a derived strategy (what it serves included).

    Example: grandstrategy strategy derived edit defence-be-nss-2025 brigade-ready --status at-risk
    """
    st = state(ctx)
    changes = _objective_fields(
        title=title, serves=serves, deadline=deadline, status=status,
        description=description, marking=marking,
    )  # fmt: skip
    with st.session() as s:
        out = service.update_objective(s, user=st.principal(s), key=key, rid=rid, changes=changes)
    if as_json:
        print_json(out)
    else:
        console.print(_("updated {id}").format(id=out.id))


# The five components in the strategy's order (numbered as in the edition), then the actors;
# their names come from strategy/vocabularies.yaml.
_COMPONENT_NAMES = [
    ("interests", "1"),
    ("threats", "2"),
    ("roles", "3"),
    ("objectives", "4"),
    ("capabilities", "5"),
    ("actors", ""),
]


def _counts(report: Any) -> dict[str, Any]:
    """The figures of an import report, for its one-line summary."""
    fields = ("key", "version", "created", "updated", "unchanged", "deleted")
    return {f: getattr(report, f) for f in fields}
