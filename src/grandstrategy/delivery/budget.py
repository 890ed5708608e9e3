"""The defence budget growth path and the comparison with Allies (pure numpy maths).

**Benchmarks.** For a year, with sᵢ the share of GDP of Ally i:

* rank of a country = 1 + the number of Allies with a strictly higher share (ties share a rank);
* "NATO Europe and Canada" is NATO's own GDP-weighted aggregate, read from its table;
* the non-nuclear European Allies' average is the plain mean of their shares,
  (1/n) Σ sᵢ over the European Allies other than France and the United Kingdom (no GDP
  weights ship with the table, so every Ally counts once).

**Paths.** From the base year y₀ with share s₀ to the target s* in year Y, the planned share
rises linearly:

    σ(y) = s₀ + (s* − s₀) · (y − y₀) / (Y − y₀),   y₀ ≤ y ≤ Y

GDP at constant prices, base year = 100, grows by g % a year; a shock of p % in year y
multiplies that year's growth (and so every later level):

    G(y₀) = 100,   G(y) = G(y − 1) · (1 + g/100) · (1 + pᵧ/100)

and G⁰(y) is the same without shocks. Spending in GDP-index units is E(y) = σ(y) · Ĝ(y) / 100
where, depending on what is held,

* ``share``: Ĝ = G — spending follows GDP, so the share is σ(y) whatever happens to GDP;
* ``real``: Ĝ = G⁰ — the planned real spending is kept, and the share becomes
  E(y) / G(y) · 100 = σ(y) · G⁰(y) / G(y): a −5 % GDP year raises that year's share by
  exactly 1/0.95.

The spending index is E(y) / E(y₀) · 100 (constant prices, base year = 100).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from grandstrategy.core.i18n import _

NUCLEAR_EUROPE = frozenset({"FRA", "GBR"})
NORTH_AMERICA = frozenset({"USA", "CAN"})
HOLDS = ("share", "real")


@dataclass(frozen=True)
class Path:
    years: np.ndarray
    gdp_index: np.ndarray
    spending_index: np.ndarray
    share: np.ndarray


def ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest value; ties share the better rank."""
    v = np.asarray(values, dtype=float)
    return np.array([1 + int(np.sum(v > x)) for x in v], dtype=int)


def non_nuclear_europe_mean(shares: Mapping[str, float]) -> float | None:
    """Plain mean of the European Allies' shares, France and the United Kingdom left out."""
    vals = [v for iso, v in shares.items() if iso not in NUCLEAR_EUROPE | NORTH_AMERICA]
    return float(np.mean(vals)) if vals else None


def planned_share(base_year: int, base_share: float, target: float, by: int) -> np.ndarray:
    """σ(y) for y = y₀ … Y."""
    years = np.arange(base_year, by + 1)
    frac = (years - base_year) / (by - base_year)
    return np.asarray(base_share + (target - base_share) * frac, dtype=float)


def gdp_index(
    base_year: int, by: int, growth: float, shocks: Mapping[int, float] | None = None
) -> np.ndarray:
    """G(y) for y = y₀ … Y (G(y₀) = 100); without ``shocks`` it is G⁰."""
    shocks = shocks or {}
    years = np.arange(base_year, by + 1)
    factors = np.array(
        [1.0] + [(1 + growth / 100) * (1 + shocks.get(int(y), 0.0) / 100) for y in years[1:]]
    )
    return np.asarray(100.0 * np.cumprod(factors), dtype=float)


def path(
    *,
    base_year: int,
    base_share: float,
    target: float,
    by: int,
    growth: float = 0.0,
    shocks: Mapping[int, float] | None = None,
    hold: str = "share",
) -> Path:
    """The yearly path from y₀ to Y (see the module docstring for the formulas)."""
    if by <= base_year:
        raise ValueError(_("the target year must come after the base year"))
    if hold not in HOLDS:
        raise ValueError(_("hold must be one of {holds}").format(holds=", ".join(HOLDS)))
    sigma = planned_share(base_year, base_share, target, by)
    g = gdp_index(base_year, by, growth, shocks)
    g0 = gdp_index(base_year, by, growth)
    basis = g if hold == "share" else g0
    spend = sigma * basis / 100
    return Path(
        years=np.arange(base_year, by + 1),
        gdp_index=g,
        spending_index=spend / spend[0] * 100,
        share=spend / g * 100,
    )


def parse_shocks(items: Sequence[str]) -> dict[int, float]:
    """``["2027:-5", "2028:1.5"]`` → {2027: -5.0, 2028: 1.5}; ValueError naming a bad item."""
    out: dict[int, float] = {}
    for item in items:
        year, sep, pct = item.partition(":")
        try:
            if not sep:
                raise ValueError
            y, p = int(year), float(pct)
        except ValueError:
            raise ValueError(
                _("GDP shock {item!r}: write YEAR:PCT, e.g. 2027:-5").format(item=item)
            ) from None
        if p <= -100:
            raise ValueError(
                _("GDP shock {item!r}: GDP cannot fall by the whole 100 %").format(item=item)
            )
        out[y] = p
    return out


def growth(values: Sequence[float | None]) -> float | None:
    """Growth in percent from the first to the last known value:
    g = (x_last / x_first − 1) · 100; None with fewer than two values or a zero start."""
    known = [float(v) for v in values if v is not None]
    if len(known) < 2 or known[0] == 0:
        return None
    return (known[-1] / known[0] - 1) * 100


def spend_without_delivery(spend_growth: float | None, delivered_growth: float | None) -> bool:
    """The flag: spending rose (g_spend > 0) while what was delivered did not (g_delivered ≤ 0)."""
    return (
        spend_growth is not None
        and delivered_growth is not None
        and spend_growth > 0
        and delivered_growth <= 0
    )
