"""The budget maths and the NATO table, against values worked out by hand."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.delivery import budget
from grandstrategy.delivery.allies import history, path

BEL_2024 = 1.286805534  # NATO's 2024 estimate for Belgium, as published in the table
READER = Principal("cm", "council-member", clearance=0)


def test_linear_share_from_base_to_target():
    sigma = budget.planned_share(2024, 1.3, 2.0, 2031)
    assert sigma[0] == pytest.approx(1.3)
    assert sigma[-1] == pytest.approx(2.0)
    assert sigma[3] == pytest.approx(1.3 + 0.7 * 3 / 7)  # 2027


def test_gdp_index_compounds_growth_and_keeps_a_shock_in_the_level():
    assert budget.gdp_index(2024, 2027, 2.0) == pytest.approx([100, 102, 104.04, 106.1208])
    shocked = budget.gdp_index(2024, 2027, 0.0, {2026: -5})
    assert shocked == pytest.approx([100, 100, 95, 95])


def test_a_minus_five_percent_year_raises_the_share_by_exactly_one_over_0_95_holding_real():
    plain = budget.path(base_year=2024, base_share=1.3, target=2.0, by=2030, hold="real")
    hit = budget.path(
        base_year=2024, base_share=1.3, target=2.0, by=2030, shocks={2027: -5}, hold="real"
    )
    i = 3  # 2027
    assert hit.share[i] / plain.share[i] == pytest.approx(1 / 0.95, rel=1e-12)
    assert hit.share[i] == pytest.approx((1.3 + 0.7 * 3 / 6) / 0.95)
    assert hit.spending_index[i] == pytest.approx(plain.spending_index[i])  # real kept
    assert hit.gdp_index[i] == pytest.approx(95.0)
    assert hit.share[:3] == pytest.approx(plain.share[:3])  # before the shock: unchanged


def test_holding_the_share_cuts_spending_with_gdp():
    p = budget.path(
        base_year=2024, base_share=1.3, target=2.0, by=2030, shocks={2027: -5}, hold="share"
    )
    assert p.share == pytest.approx(budget.planned_share(2024, 1.3, 2.0, 2030))
    # 2027: σ = 1.65, G = 95 → spending = 1.65·95 / (1.3·100) · 100
    assert p.spending_index[3] == pytest.approx(1.65 * 95 / 1.3)
    assert p.spending_index[0] == pytest.approx(100.0)


def test_growth_without_shock_spending_index_is_share_ratio_times_gdp():
    p = budget.path(base_year=2024, base_share=1.0, target=2.0, by=2026, growth=10.0)
    # 2026: σ = 2.0, G = 121 → spending index = 2.0 · 121 / 1.0 = 242
    assert p.spending_index[-1] == pytest.approx(242.0)
    assert p.share[-1] == pytest.approx(2.0)


def test_ranks_share_the_better_place_on_ties():
    assert budget.ranks(np.array([3.0, 1.0, 3.0, 2.0])).tolist() == [1, 4, 1, 3]


def test_non_nuclear_europe_leaves_out_france_the_uk_and_north_america():
    shares = {"BEL": 1.0, "DEU": 2.0, "FRA": 9.0, "GBR": 9.0, "USA": 9.0, "CAN": 9.0}
    assert budget.non_nuclear_europe_mean(shares) == pytest.approx(1.5)


@pytest.mark.parametrize("bad", ["2027", "x:-5", "2027:abc", "2027:-100"])
def test_bad_shock_is_named(bad):
    with pytest.raises(ValueError, match="GDP shock"):
        budget.parse_shocks([bad])


def _table() -> list[dict[str, str]]:
    text = resources.files("grandstrategy.delivery").joinpath("data", "nato_share_of_gdp.csv")
    return list(csv.DictReader(text.read_text("utf-8").splitlines()))


def test_history_equals_the_shipped_table_with_rank_and_averages():
    h = history(user=READER, country="bel")
    table = {int(r["year"]): float(r["share_of_gdp_percent"]) for r in _table()
             if r["iso3"] == "BEL"}  # fmt: skip
    assert [y.year for y in h.years] == list(range(2014, 2025))
    assert {y.year: y.share_of_gdp_percent for y in h.years} == table
    last = h.years[-1]
    assert last.share_of_gdp_percent == BEL_2024
    assert (last.rank, last.allies) == (30, 31)  # only Luxembourg spends a smaller share
    assert last.estimate and not h.years[0].estimate
    assert last.europe_canada == pytest.approx(1.9897, abs=1e-4)
    # the 27 Allies other than France, the UK, the US and Canada, plain mean
    assert last.non_nuclear_europe == pytest.approx(2.131515687259259)
    assert round(h.years[0].share_of_gdp_percent, 4) == 0.9663
    assert "NATO" in h.source


def test_path_from_the_table_with_a_shock_holding_real():
    p = path(user=READER, country="BEL", base_year=2024, target=2.0, by=2030,
             shocks=["2027:-5"], hold="real")  # fmt: skip
    y2027 = p.years[3]
    planned = BEL_2024 + (2.0 - BEL_2024) * 3 / 6
    assert y2027.year == 2027
    assert y2027.share_of_gdp_percent == pytest.approx(planned / 0.95)
    assert y2027.spending_index == pytest.approx(planned / BEL_2024 * 100)
    assert p.years[-1].share_of_gdp_percent == pytest.approx(2.0 / 0.95)


def test_path_refuses_bad_input_with_a_clear_message():
    with pytest.raises(Invalid, match="after the base year"):
        path(user=READER, target=2.0, by=2020)
    with pytest.raises(Invalid, match="GDP shocks must fall"):
        path(user=READER, target=2.0, by=2030, shocks=["2035:-5"])
    with pytest.raises(Invalid, match="hold"):
        path(user=READER, target=2.0, by=2030, hold="nominal")
    with pytest.raises(NotFound, match="not in NATO's table"):
        path(user=READER, country="ISL", target=2.0, by=2030)


def test_budget_needs_delivery_read():
    with pytest.raises(Forbidden):
        history(user=Principal("r", "reader", clearance=0))
