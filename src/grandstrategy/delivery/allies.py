"""NATO's defence-expenditure table (shipped in ``data/``) and the budget services built on it:
a country's history against Allies, and planned growth paths (maths in ``budget.py``).

The table is public reference data, the same for every reader: it carries no marking beyond
UNCLASSIFIED, but reading it is still a ``delivery.read`` action.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import yaml

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.delivery import budget
from grandstrategy.delivery.actions import READ
from grandstrategy.delivery.schemas import BudgetHistory, BudgetPath, BudgetYear, PathYear

SOURCE = "NATO, Defence Expenditure of NATO Countries (2014-2025), 28 Aug 2025, Table 3"
EUROPE_CANADA = "NATO Europe and Canada"


@dataclass(frozen=True)
class Table:
    names: dict[str, str]  # iso3 -> country
    shares: dict[int, dict[str, float]]  # year -> iso3 -> share
    estimates: frozenset[int]  # years NATO gives as estimates
    aggregates: dict[str, dict[int, float]]  # aggregate -> year -> share


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("grandstrategy.delivery").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def table() -> Table:
    names: dict[str, str] = {}
    shares: dict[int, dict[str, float]] = {}
    estimates: set[int] = set()
    for r in _rows("nato_share_of_gdp.csv"):
        year = int(r["year"])
        names[r["iso3"]] = r["country"]
        shares.setdefault(year, {})[r["iso3"]] = float(r["share_of_gdp_percent"])
        if r["flag"] == "estimate":
            estimates.add(year)
    aggregates: dict[str, dict[int, float]] = {}
    for r in _rows("nato_share_of_gdp_aggregates.csv"):
        aggregates.setdefault(r["aggregate"], {})[int(r["year"])] = float(r["share_of_gdp_percent"])
    return Table(names, shares, frozenset(estimates), aggregates)


def check_country(code: str) -> str:
    t = table()
    iso = code.strip().upper()
    if iso not in t.names:
        raise NotFound(
            _("country {code!r} is not in NATO's table").format(code=code),
            details=[_("known: {codes}").format(codes=", ".join(sorted(t.names)))],
        )
    return iso


def history(*, user: Principal, country: str = "BEL") -> BudgetHistory:
    """The country's share of GDP per year, its rank among Allies, and the benchmarks."""
    require(user, READ)
    iso = check_country(country)
    t = table()
    years = []
    for year in sorted(t.shares):
        row = t.shares[year]
        if iso not in row:
            continue
        codes = sorted(row)
        ranks = budget.ranks(np.array([row[c] for c in codes]))
        years.append(
            BudgetYear(
                year=year,
                share_of_gdp_percent=row[iso],
                rank=int(ranks[codes.index(iso)]),
                allies=len(codes),
                europe_canada=t.aggregates.get(EUROPE_CANADA, {}).get(year),
                non_nuclear_europe=budget.non_nuclear_europe_mean(row),
                estimate=year in t.estimates,
            )
        )
    return BudgetHistory(country=t.names[iso], iso3=iso, source=SOURCE, years=years)


def path(
    *,
    user: Principal,
    country: str = "BEL",
    base_year: int = 2024,
    target: float,
    by: int,
    gdp_growth: float = 0.0,
    shocks: Sequence[str] = (),
    hold: str = "share",
    base_share: float | None = None,
    label: str = "",
) -> BudgetPath:
    """A planned path from the base year's share (from the table unless given) to ``target``
    % of GDP in ``by``; see ``budget.py`` for the formulas."""
    require(user, READ)
    iso = check_country(country)
    if hold not in budget.HOLDS:
        raise Invalid(_("hold must be 'share' or 'real', not {hold!r}").format(hold=hold))
    if not 0 < target < 100:
        raise Invalid(_("the target is a share of GDP in percent, between 0 and 100"))
    if by <= base_year:
        raise Invalid(_("the target year {by} must come after the base year {base}").format(
            by=by, base=base_year))  # fmt: skip
    if by - base_year > 50:
        raise Invalid(_("a path spans at most 50 years"))
    try:
        shock_map = budget.parse_shocks(list(shocks))
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    outside = sorted(y for y in shock_map if not base_year < y <= by)
    if outside:
        raise Invalid(
            _("GDP shocks must fall after {base} and by {by}: {years}").format(
                base=base_year, by=by, years=", ".join(map(str, outside))
            )
        )
    if base_share is not None and not 0.01 <= base_share < 100:
        raise Invalid(_("the base share is a share of GDP in percent, from 0.01 to 100"))
    if base_share is None:
        row = table().shares.get(base_year, {})
        if iso not in row:
            raise Invalid(
                _("NATO's table has no {year} value for {iso}; give the base share").format(
                    year=base_year, iso=iso
                )
            )
        base_share = row[iso]
    p = budget.path(
        base_year=base_year,
        base_share=base_share,
        target=target,
        by=by,
        growth=gdp_growth,
        shocks=shock_map,
        hold=hold,
    )
    return BudgetPath(
        country=iso,
        label=label or _("{target:g} % by {by}").format(target=target, by=by),
        base_year=base_year,
        base_share=base_share,
        target=target,
        by=by,
        gdp_growth=gdp_growth,
        shocks=shock_map,
        hold=hold,
        years=[
            PathYear(
                year=int(y),
                gdp_index=float(g),
                spending_index=float(e),
                share_of_gdp_percent=float(s),
            )
            for y, g, e, s in zip(p.years, p.gdp_index, p.spending_index, p.share, strict=True)
        ],
    )


def standard_paths(*, user: Principal) -> list[BudgetPath]:
    """The paths the budget page compares (``examples/delivery/budget_paths.yaml``)."""
    require(user, READ)
    text = resources.files("grandstrategy.examples").joinpath("delivery", "budget_paths.yaml")
    spec = yaml.safe_load(text.read_text("utf-8"))
    return [
        path(
            user=user,
            country=spec["country"],
            base_year=int(spec["from"]),
            target=float(p["target"]),
            by=int(p["by"]),
            gdp_growth=float(p.get("gdp_growth", spec.get("gdp_growth", 0.0))),
            shocks=list(p.get("shocks", [])),
            hold=str(p.get("hold", "share")),
            label=str(p["label"]),
        )
        for p in spec["paths"]
    ]
