"""``grandstrategy horizon watch ...``: watchlists tied to the strategy's threats, the trace
from a passage back to the budget, and the review items alerts open for owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.horizon import service
else:
    service = lazy.module("grandstrategy.horizon.service")


watch_app = typer.Typer(
    help="Watchlists tied to the strategy: signal → threat → objective → budget.",
    no_args_is_help=True,
)

STRATEGY_OPT = typer.Option(
    None, "--strategy", help="The strategy's id (default: the current national one)."
)


def _money(amount: float | None, currency: str) -> str:
    return "" if amount is None else f"{amount:,.0f} {currency}".strip()


@watch_app.command("set")
def set_cmd(
    ctx: typer.Context,
    threat: str = typer.Argument(..., help="The threat's id in the strategy."),
    category: list[str] = typer.Option(None, "--category", help="Taxonomy category (repeat)."),
    actor: list[str] = typer.Option(None, "--actor", help="Actor id or name, e.g. state:RU."),
    place: list[str] = typer.Option(
        None, "--place", help="Region id (e.g. indo-pacific) or state, e.g. state:BY (repeat)."
    ),
    term: list[str] = typer.Option(None, "--term", help="Words to look for (repeat)."),
    marking: str = typer.Option(
        None, "--marking", help="The entry's marking (default: the threat's)."
    ),
    strategy: str = STRATEGY_OPT,
) -> None:
    """Set a threat's watchlist entry at one marking (replaced; nothing given clears it).

    Example: grandstrategy horizon watch set hybrid --category hybrid --actor org:wagner
    --place euro-atlantic-east --term "undersea cable"
    """
    st = state(ctx)
    with st.session() as s:
        view = service.set_watch(
            s,
            user=st.principal(s),
            threat=threat,
            categories=category or [],
            actors=actor or [],
            places=place or [],
            terms=term or [],
            marking=marking,
            strategy=strategy,
        )
    console.print(
        _(
            "watchlist of {threat}: {n} entries, {cats} categories, {acts} actors, "
            "{plcs} places, {terms} terms"
        ).format(
            threat=view.threat,
            n=len(view.entries),
            cats=len(view.categories),
            acts=len(view.actors),
            plcs=len(view.places),
            terms=len(view.terms),
        ),
        highlight=False,
    )


@watch_app.command("show")
def show_cmd(
    ctx: typer.Context,
    threat: str = typer.Argument(..., help="The threat's id in the strategy."),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="Stories and alerts shown."),
    strategy: str = STRATEGY_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """A threat's watchlist, its recent matching stories and alerts, and the assessments of it.

    Example: grandstrategy horizon watch show hybrid
    """
    st = state(ctx)
    with st.session() as s:
        sig = service.threat_signals(
            s, user=st.principal(s), threat=threat, strategy=strategy, limit=limit
        )
    if as_json:
        print_json(sig)
        return
    w = sig.watch
    console.print(f"[bold]{w.title}[/] ({w.threat}, {w.marking})", highlight=False)
    print_table(
        [
            (
                e.marking,
                ", ".join(e.categories),
                ", ".join(e.actors),
                ", ".join(e.places),
                ", ".join(e.terms),
                e.updated_by,
            )
            for e in w.entries
        ],
        [_("marking"), _("categories"), _("actors"), _("places"), _("terms"), _("by")],
        title=_("Watchlist"),
    )
    print_table(
        [
            (m.story.id, m.story.title[:60], m.story.last, m.story.size, ", ".join(m.reasons))
            for m in sig.stories
        ],
        [_("id"), _("story"), _("last"), _("reports"), _("why")],
        title=_("Recent stories"),
    )
    print_table(
        [
            (
                m.alert.id,
                m.alert.kind,
                m.alert.category,
                m.alert.actor,
                m.alert.start,
                m.alert.status,
                ", ".join(m.reasons),
            )
            for m in sig.alerts
        ],
        [_("id"), _("kind"), _("category"), _("actor"), _("start"), _("status"), _("why")],
        title=_("Alerts"),
    )
    if not sig.assessments:
        return
    print_table(
        [(a.issuer, a.issued, a.confidence, a.judgement[:80], a.marking) for a in sig.assessments],
        [_("issuer"), _("issued"), _("confidence"), _("judgement"), _("marking")],
        title=_("Assessments"),
    )
    if sig.assessments_differ:
        console.print(_("The issuers judge this threat differently: read both."))


@watch_app.command("list")
def list_cmd(ctx: typer.Context, strategy: str = STRATEGY_OPT, as_json: bool = JSON_OPT) -> None:
    """The watched threats and their watchlists (the union of the entries you may read).

    Example: grandstrategy horizon watch list --json
    """
    st = state(ctx)
    with st.session() as s:
        rows = service.list_watches(s, user=st.principal(s), strategy=strategy)
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                w.threat,
                w.title[:50],
                ", ".join(w.categories),
                ", ".join(w.actors),
                ", ".join(w.places),
                ", ".join(w.terms),
                w.marking,
            )
            for w in rows
        ],
        [
            _("threat"),
            _("title"),
            _("categories"),
            _("actors"),
            _("places"),
            _("terms"),
            _("marking"),
        ],
    )


@watch_app.command("trace")
def trace_cmd(
    ctx: typer.Context,
    passage_id: int = typer.Argument(..., help="Passage id (see 'horizon show')."),
    as_json: bool = JSON_OPT,
) -> None:
    """What a passage bears on: watched threat → interests → objectives (owner, deadline) →
    capabilities (budget).

    Example: grandstrategy horizon watch trace 118
    """
    st = state(ctx)
    with st.session() as s:
        tr = service.passage_trace(s, user=st.principal(s), passage_id=passage_id)
    if as_json:
        print_json(tr)
        return
    console.print(f"[bold]{tr.document_title}[/] · ¶{tr.seq + 1} · {tr.marking}", highlight=False)
    if not tr.threats:
        console.print(_("This passage bears on no watched threat you may see."))
        return
    rows: list[tuple[object, ...]] = []
    for t in tr.threats:
        head = (t.id, ", ".join(t.reasons), ", ".join(i for i, _title in t.interests))
        if not t.objectives:
            rows.append((*head, "", "", "", "", ""))
        for o in t.objectives:
            mid = (o.id, o.owner_name or o.owner or "", o.deadline or "")
            if not o.capabilities:
                rows.append((*head, *mid, "", ""))
            for c in o.capabilities:
                rows.append((*head, *mid, c.id, _money(c.budget, c.currency)))
    print_table(
        rows,
        [
            _("threat"),
            _("why"),
            _("interests"),
            _("objective"),
            _("owner"),
            _("deadline"),
            _("capability"),
            _("budget"),
        ],
    )


@watch_app.command("reviews")
def reviews_cmd(
    ctx: typer.Context,
    status: str = typer.Option("open", "--status", help="open, closed or all"),
    actor: str = typer.Option(None, "--actor", help="Only this owner's items."),
    as_json: bool = JSON_OPT,
) -> None:
    """Review items: alerts on watched threats, for the owners of the objectives countering
    them (yours; the secretariat sees every owner's).

    Example: grandstrategy --as ccb-officer horizon watch reviews
    """
    if status not in ("open", "closed", "all"):
        raise typer.BadParameter(_("choose open, closed or all"), param_hint="--status")
    st = state(ctx)
    with st.session() as s:
        rows = service.list_reviews(
            s, user=st.principal(s), status=None if status == "all" else status, actor=actor
        )
    if as_json:
        print_json(rows)
        return
    print_table(
        [
            (
                r.id,
                r.owner,
                r.threat,
                ", ".join(o for o, _title in r.objectives),
                f"{r.alert['kind']} {r.alert['category']} {r.alert['actor']}".strip(),
                r.alert["start"],
                r.status,
                r.marking,
            )
            for r in rows
        ],
        [
            _("id"),
            _("owner"),
            _("threat"),
            _("objectives"),
            _("alert"),
            _("start"),
            _("status"),
            _("marking"),
        ],
    )


@watch_app.command("close")
def close_cmd(
    ctx: typer.Context,
    review_id: int = typer.Argument(..., help="The review item's id."),
    note: str = typer.Option(..., "--note", help="What was decided (kept, audited)."),
) -> None:
    """Close a review item of your actor with a note.

    Example: grandstrategy horizon watch close 4 --note "covered by the cable protection plan"
    """
    st = state(ctx)
    with st.session() as s:
        r = service.close_review(s, user=st.principal(s), review_id=review_id, note=note)
    console.print(_("review item {id}: {status}").format(id=r.id, status=r.status))


def register(app: typer.Typer) -> None:
    """Add ``watch`` to the ``horizon`` group."""
    app.add_typer(watch_app, name="watch")
