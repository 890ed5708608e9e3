"""``grandstrategy delivery budget``: defence spending against Allies and growth paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from grandstrategy.cli.common import JSON_OPT, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

if TYPE_CHECKING:
    from grandstrategy.core import formats
    from grandstrategy.delivery import service
else:
    formats = lazy.module("grandstrategy.core.formats")
    service = lazy.module("grandstrategy.delivery.service")


budget_app = typer.Typer(
    help="The defence budget against Allies, and growth paths.", no_args_is_help=True
)


def _cell(v: object) -> str:
    return "—" if v is None or v == "" else str(v)


@budget_app.command("history")
def budget_history(
    ctx: typer.Context,
    country: str = typer.Option("BEL", "--country", help="ISO 3166 alpha-3 code."),
    as_json: bool = JSON_OPT,
) -> None:
    """A country's defence spending as a share of GDP, its rank and the Allies' averages.

    Example: grandstrategy delivery budget history --country BEL --json
    """
    st = state(ctx)
    with st.session() as s:
        h = service.budget_history(user=st.principal(s), country=country)
    if as_json:
        return print_json(h)
    print_table(
        [(y.year, formats.number(y.share_of_gdp_percent, 2) + ("e" if y.estimate else ""),
          f"{y.rank}/{y.allies}", _cell(y.europe_canada and formats.number(y.europe_canada, 2)),
          _cell(y.non_nuclear_europe and formats.number(y.non_nuclear_europe, 2)))
         for y in h.years],
        [_("year"), _("share of GDP (%)"), _("rank"), _("NATO Europe and Canada"),
         _("non-nuclear European Allies")],
        title=f"{h.country} — {h.source}",
    )  # fmt: skip


@budget_app.command("path")
def budget_path(
    ctx: typer.Context,
    country: str = typer.Option("BEL", "--country", help="Country (ISO 3166 alpha-3, e.g. BEL)."),
    base_year: int = typer.Option(2024, "--from", help="Base year (its share from the table)."),
    target: float = typer.Option(..., "--target", help="Target share of GDP, in %."),
    by: int = typer.Option(..., "--by", help="Year the target is reached."),
    growth: float = typer.Option(0.0, "--gdp-growth", help="Real GDP growth, % a year."),
    shock: list[str] = typer.Option(None, "--gdp-shock", help="YEAR:PCT, e.g. 2027:-5; repeat."),
    hold: str = typer.Option("share", "--hold", help="share: spending follows GDP; real: "
                             "planned real spending is kept."),
    base_share: float = typer.Option(None, "--base-share", help="Instead of the table's."),
    as_json: bool = JSON_OPT,
) -> None:  # fmt: skip
    """A planned path to a target share of GDP, with GDP growth and shocks.

    Example: grandstrategy delivery budget path --country BEL --from 2024 --target 2.0
    --by 2030 --gdp-shock 2027:-5 --hold real --json
    """
    if hold not in ("share", "real"):
        raise typer.BadParameter(_("choose 'share' or 'real'"), param_hint="--hold")
    st = state(ctx)
    with st.session() as s:
        try:
            p = service.budget_path(
                user=st.principal(s),
                country=country,
                base_year=base_year,
                target=target,
                by=by,
                gdp_growth=growth,
                shocks=shock or [],
                hold=hold,
                base_share=base_share,
            )
        except Invalid as exc:
            raise typer.BadParameter(str(exc)) from None
    if as_json:
        return print_json(p.years)
    print_table(
        [(y.year, formats.number(y.gdp_index, 1), formats.number(y.spending_index, 1),
          formats.number(y.share_of_gdp_percent, 2)) for y in p.years],
        [_("year"), _("GDP index"), _("spending index"), _("share of GDP (%)")],
        title=f"{p.country}: {p.label} (hold {p.hold})",
    )  # fmt: skip
