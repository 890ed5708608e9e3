"""``grandstrategy horizon stories|story|trends|alerts|alert``: the rolling analysis."""

from __future__ import annotations

import datetime as dt

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core.i18n import _
from grandstrategy.horizon import alerts, story_service, trend_service

DATE = ["%Y-%m-%d"]


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def stories(
    ctx: typer.Context,
    since: dt.datetime = typer.Option(None, "--since", formats=DATE, help="Stories active since."),
    category: str = typer.Option(None, "--category"),
    actor: str = typer.Option(None, "--actor", help="Entity id, e.g. state:RU"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = JSON_OPT,
) -> None:
    """Stories: reports of one event counted once, newest first.

    Example: grandstrategy horizon stories --since 2026-03-01 --category cyber
    """
    st = state(ctx)
    with st.session() as s:
        rows = story_service.list_stories(
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
        view = story_service.get_story(s, user=st.principal(s), story_id=story_id)
    if as_json:
        print_json(view)
        return
    sm = view.summary
    console.print(
        f"[bold]{sm.title}[/] ({sm.marking}) · {sm.first} – {sm.last} · {sm.status}",
        highlight=False,
    )
    console.print(_("categories: ") + ", ".join(sm.categories), highlight=False)
    console.print(_("actors: ") + ", ".join(sm.actors), highlight=False)
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
    since: dt.datetime = typer.Option(None, "--since", formats=DATE),
    top: int = typer.Option(15, "--top", min=1, max=500),
    as_json: bool = JSON_OPT,
) -> None:
    """Story counts per category, actor or pair, per day or week, with their bursts.

    Example: grandstrategy horizon trends --by category,actor --interval week
    """
    if by not in trend_service.BY:
        raise typer.BadParameter(f"choose one of {', '.join(trend_service.BY)}", param_hint="--by")
    if interval not in trend_service.INTERVALS:
        raise typer.BadParameter("choose day or week", param_hint="--interval")
    st = state(ctx)
    with st.session() as s:
        rows = trend_service.trend_series(
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
        [by, _("stories"), _("last 12 {interval}s").format(interval=interval), _("bursts")],
    )


def alerts_cmd(
    ctx: typer.Context,
    since: dt.datetime = typer.Option(None, "--since", formats=DATE),
    kind: str = typer.Option(None, "--kind", help="burst, emerging or convergence"),
    status: str = typer.Option(None, "--status", help="open, acknowledged or dismissed"),
    as_json: bool = JSON_OPT,
) -> None:
    """Alerts found as documents arrived: kind, about, start, score, stories.

    Example: grandstrategy horizon alerts --since 2026-03-01 --kind convergence
    """
    if kind and kind not in ("burst", "emerging", "convergence"):
        raise typer.BadParameter("choose burst, emerging or convergence", param_hint="--kind")
    st = state(ctx)
    with st.session() as s:
        rows = alerts.list_alerts(
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
        a = alerts.act_on_alert(
            s, user=st.principal(s), alert_id=alert_id, verdict=verdict, reason=reason
        )
    console.print(_("alert {id}: {status}").format(id=a.id, status=a.status))


def register(app: typer.Typer) -> None:
    """Add the commands to the ``horizon`` group."""
    app.command("stories")(stories)
    app.command("story")(story)
    app.command("trends")(trends)
    app.command("alerts")(alerts_cmd)
    app.command("alert")(alert_act)
