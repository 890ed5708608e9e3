"""``grandstrategy horizon stories|story|trends|alerts|alert``: the rolling analysis."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _, ngettext

if TYPE_CHECKING:
    from grandstrategy.horizon import service
else:
    service = lazy.module("grandstrategy.horizon.service")


DATE = ["%Y-%m-%d"]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def stories(
    ctx: typer.Context,
    since: dt.datetime = typer.Option(None, "--since", formats=DATE, help="Stories active since."),
    category: str = typer.Option(
        None, "--category", help="Only this threat category (see 'horizon taxonomy')."
    ),
    actor: str = typer.Option(None, "--actor", help="Entity id, e.g. state:RU"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="At most this many rows."),
    as_json: bool = JSON_OPT,
) -> None:
    """Stories: reports of one event counted once, newest first.

    Example: grandstrategy horizon stories --since 2026-03-01 --category cyber
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_stories(
            s, user=st.principal(s), since=_day(since), category=category, actor=actor, limit=limit
        )
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                r.id,
                r.title[:60],
                r.first,
                r.last,
                r.size,
                ",".join(r.languages),
                ",".join(r.categories[:3]),
                r.status,
                r.marking,
            )
            for r in rows
        ],
        [
            _("id"),
            _("story"),
            _("first"),
            _("last"),
            _("reports"),
            _("languages"),
            _("categories"),
            _("status"),
            _("marking"),
        ],
    )


def story(ctx: typer.Context, story_id: int, as_json: bool = JSON_OPT) -> None:
    """One story: its reports in time order, sources, languages, labels, actors, lineage.

    Example: grandstrategy horizon story 12
    """
    st = state(ctx)
    with st.session() as s:
        view = service.get_story(s, user=st.principal(s), story_id=story_id)
    if as_json:
        print_json(view)
        return
    sm = view.summary
    console.print(
        f"[bold]{sm.title}[/] ({sm.marking}) · {sm.first} – {sm.last} · {sm.status}",
        highlight=False,
    )
    console.print(_("categories: {names}").format(names=", ".join(sm.categories)), highlight=False)
    console.print(_("actors: {names}").format(names=", ".join(sm.actors)), highlight=False)
    print_table(
        [
            (m.published, m.document_id, m.title[:60], m.source, m.language, m.how, m.marking)
            for m in view.members
        ],
        [_("date"), _("document"), _("title"), _("source"), _("language"), _("how"), _("marking")],
    )
    print_table(
        [(e["kind"], e["other_story"] or "", e["document_id"] or "") for e in view.lineage],
        [_("lineage"), _("other story"), _("document")],
    )


def trends(
    ctx: typer.Context,
    by: str = typer.Option("category", "--by", help="category, actor or category,actor"),
    interval: str = typer.Option("day", "--interval", help="day or week"),
    since: dt.datetime = typer.Option(
        None, "--since", formats=DATE, help="Only from this date on."
    ),
    top: int = typer.Option(15, "--top", min=1, max=500, help="How many of the largest to show."),
    as_json: bool = JSON_OPT,
) -> None:
    """Story counts per category, actor or pair, per day or week, with their bursts.

    Example: grandstrategy horizon trends --by category,actor --interval week
    """
    if by not in service.TREND_BY:
        raise typer.BadParameter(
            _("choose one of {r}").format(r=", ".join(service.TREND_BY)), param_hint="--by"
        )
    if interval not in service.TREND_INTERVALS:
        raise typer.BadParameter(_("choose day or week"), param_hint="--interval")
    st = state(ctx)
    with st.session() as s:
        rows = service.trend_series(
            s, user=st.principal(s), by=by, interval=interval, since=_day(since), top=top
        )
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                r.key,
                r.total,
                " ".join(str(c) for c in r.counts[-12:]),
                "; ".join(f"{b.start}…{b.end} ({b.score})" for b in r.bursts),
            )
            for r in rows
        ],
        [_(by), _("stories"), _recent(interval, 12), _("bursts")],
    )


def _recent(interval: str, n: int) -> str:
    """The heading of the last ``n`` counts: "last 12 weeks" / "last 12 days"."""
    if interval == "week":
        return ngettext("last {n} week", "last {n} weeks", n).format(n=n)
    return ngettext("last {n} day", "last {n} days", n).format(n=n)


def alerts_cmd(
    ctx: typer.Context,
    since: dt.datetime = typer.Option(
        None, "--since", formats=DATE, help="Only from this date on."
    ),
    kind: str = typer.Option(None, "--kind", help="burst, emerging or convergence"),
    status: str = typer.Option(None, "--status", help="open, acknowledged or dismissed"),
    as_json: bool = JSON_OPT,
) -> None:
    """Alerts found as documents arrived: kind, about, start, score, stories.

    Example: grandstrategy horizon alerts --since 2026-03-01 --kind convergence
    """
    if kind and kind not in ("burst", "emerging", "convergence"):
        raise typer.BadParameter(_("choose burst, emerging or convergence"), param_hint="--kind")
    st = state(ctx)
    with st.session() as s:
        rows = service.list_alerts(
            s, user=st.principal(s), since=_day(since), kind=kind, status=status
        )
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                a.id,
                a.kind,
                a.category,
                a.actor,
                a.start,
                a.score,
                len(a.stories),
                a.status,
                a.marking,
            )
            for a in rows
        ],
        [
            _("id"),
            _("kind"),
            _("category"),
            _("actor"),
            _("start"),
            _("score"),
            _("stories"),
            _("status"),
            _("marking"),
        ],
    )


def alert_act(
    ctx: typer.Context,
    alert_id: int = typer.Argument(...),
    verdict: str = typer.Argument(..., help="acknowledged or dismissed"),
    reason: str = typer.Option(..., "--reason", help="Why (kept, audited)."),
) -> None:
    """Acknowledge or dismiss an alert, with a reason.

    Example: grandstrategy horizon alert 3 dismissed --reason "one source counted twice"
    """
    st = state(ctx)
    with st.session() as s:
        a = service.act_on_alert(
            s, user=st.principal(s), alert_id=alert_id, verdict=verdict, reason=reason
        )
    console.print(_("alert {id}: {status}").format(id=a.id, status=a.status))


def brief_cmd(
    ctx: typer.Context,
    since: str = typer.Option("7d", "--since", help="7d, 2w or YYYY-MM-DD"),
    category: list[str] = typer.Option(None, "--category", help="Threat category (repeat)."),
    fmt: str = typer.Option("md", "--format", help="md, pdf, docx or json"),
    out: Path = typer.Option(None, "--out", help="File to write (default: print md/json)."),
    freeze: bool = typer.Option(True, "--freeze/--draft", help="Keep it (default) or not."),
) -> None:
    """The rolling brief: top stories and alerts by threat, every sentence cited and checked.

    The brief is extractive (no entailment model is available offline): each sentence is
    taken from the passage it cites and refused if it does not occur there.
    Example: grandstrategy horizon brief --since 7d --category cyber --format pdf --out b.pdf
    """
    if fmt not in service.BRIEF_FORMATS:
        raise typer.BadParameter(
            _("choose one of {r}").format(r=", ".join(service.BRIEF_FORMATS)), param_hint="--format"
        )
    if fmt in ("pdf", "docx") and out is None:
        raise typer.BadParameter(
            _("{format} needs --out FILE").format(format=fmt), param_hint="--out"
        )
    st = state(ctx)
    with st.session() as s:
        content = service.build_brief(
            s, user=st.principal(s), since=since, categories=category or None, freeze=freeze
        )
    data: bytes
    if fmt == "json":
        data = json.dumps(content, indent=1, ensure_ascii=False, default=str).encode()
    elif fmt == "md":
        data = service.brief_markdown(content).encode()
    elif fmt == "pdf":
        data = service.brief_pdf(content)
    else:
        data = service.brief_docx(content)
    if out is None:
        typer.echo(data.decode())
        return
    out.write_bytes(data)
    console.print(
        _("brief {id} ({marking}): {n} sentences, support {rate:.0%}, written to {out}").format(
            id=content["id"] or "-",
            marking=content["marking"],
            n=content["supported"],
            rate=content["support_rate"],
            out=out,
        ),
        highlight=False,
    )


def briefs_cmd(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Frozen briefs you may read, newest first.

    Example: grandstrategy horizon briefs
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_briefs(s, user=st.principal(s))
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                b["id"],
                b["created_at"][:16],
                b["created_by"],
                b["since"],
                b["until"],
                f"{b['support_rate']:.0%}",
                b["marking"],
            )
            for b in rows
        ],
        [_("id"), _("frozen"), _("by"), _("since"), _("until"), _("support"), _("marking")],
    )


def assessments_cmd(
    ctx: typer.Context,
    threat: str = typer.Option(None, "--threat", help="Only those on this threat category."),
    as_json: bool = JSON_OPT,
) -> None:
    """External assessments (issuer, date, judgement, confidence, threats), newest first.

    Example: grandstrategy horizon assessments --threat hybrid
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_assessments(s, user=st.principal(s), threat=threat)
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                a.id,
                a.issuer,
                a.issued,
                a.confidence,
                ",".join(a.threats),
                a.judgement[:80],
                a.marking,
            )
            for a in rows
        ],
        [
            _("id"),
            _("issuer"),
            _("issued"),
            _("confidence"),
            _("threats"),
            _("judgement"),
            _("marking"),
        ],
    )


def assess_cmd(
    ctx: typer.Context,
    issuer: str = typer.Option(
        ..., "--issuer", help="Who issued the assessment (NATO, EU, a service, an ally...)."
    ),
    issued: dt.datetime = typer.Option(..., "--date", formats=DATE, help="When it was issued."),
    judgement: str = typer.Option(
        ..., "--judgement", help="The assessment's judgement, in its own words."
    ),
    confidence: str = typer.Option(..., "--confidence", help="low, moderate or high"),
    threat: list[str] = typer.Option(..., "--threat", help="Threat category (repeat)."),
    marking: str = typer.Option(None, "--marking", help="Marking of this record."),
) -> None:
    """Record an assessment issued by someone else.

    Example: grandstrategy horizon assess --issuer NATO --date 2026-10-01 --threat hybrid
    --confidence high --judgement "Sabotage of undersea cables is likely to intensify."
    """
    st = state(ctx)
    with st.session() as s:
        a = service.add_assessment(
            s,
            user=st.principal(s),
            issuer=issuer,
            issued=issued.date(),
            judgement=judgement,
            confidence=confidence,
            threats=threat,
            marking=marking,
        )
    console.print(_("assessment {id} recorded ({marking})").format(id=a.id, marking=a.marking))


partners_app = typer.Typer(help="Partners' strategies compared.", no_args_is_help=True)


@partners_app.command("compare")
def partners_compare(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """Each partner's priority profile, pairwise alignment per category, and the region lens.

    A category both partners stress but about different regions is marked 'different'.
    Example: grandstrategy horizon partners compare --json
    """
    st = state(ctx)
    with st.session() as s:
        result = service.compare_partners(s, user=st.principal(s))
    if as_json:
        print_json(result)
        return
    cats = sorted({c for p in result.profiles for c in p.shares})
    print_table(
        [
            (p.partner, p.passages, *(f"{p.shares.get(c, 0):.0%}" for c in cats))
            for p in result.profiles
        ],
        [_("partner"), _("passages"), *cats],
        title=_("Priority profiles (share of passages)"),
    )
    print_table(
        [
            (
                x["a"],
                x["b"],
                x["category"],
                x["emphasis"],
                x["referent"],
                x["alignment"],
                _("different") if x["different"] else "",
            )
            for x in result.pairs
            if x["emphasis"] > 0
        ],
        [
            _("partner"),
            _("partner"),
            _("category"),
            _("emphasis"),
            _("referent"),
            _("alignment"),
            "",
        ],
        title=_("Alignment per category"),
    )
    print_table(
        [
            (p.partner, c, ", ".join(f"{r} {v:.0%}" for r, v in lens.items()))
            for p in result.profiles
            for c, lens in sorted(p.lens.items())
            if lens
        ],
        [_("partner"), _("category"), _("regions")],
        title=_("Region lens"),
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the ``horizon`` group."""
    app.command("stories")(stories)
    app.command("story")(story)
    app.command("trends")(trends)
    app.command("alerts")(alerts_cmd)
    app.command("alert")(alert_act)
    app.command("brief")(brief_cmd)
    app.command("briefs")(briefs_cmd)
    app.command("assessments")(assessments_cmd)
    app.command("assess")(assess_cmd)
    app.add_typer(partners_app, name="partners")
