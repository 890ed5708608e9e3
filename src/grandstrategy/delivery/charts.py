"""Delivery charts as inline SVG: an indicator's planned path against what was measured, the
share of GDP against Allies, several budget paths side by side, and capability spend against
what it delivers.

Pure functions: data in, SVG text out, the same bytes for the same data (the drawing settings
are the strategy charts'). Every chart carries ``role="img"``, an ``aria-label`` and a
``<title>`` saying what it shows; labels go through gettext.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from grandstrategy.charts import cached, date_ticks, number_ticks
from grandstrategy.charts import colour as _colour
from grandstrategy.charts import figure as _figure
from grandstrategy.charts import labelled as _labelled
from grandstrategy.charts import short as _short
from grandstrategy.charts import svg as _svg
from grandstrategy.core.i18n import _
from grandstrategy.core.terms import term
from grandstrategy.delivery.schemas import (
    BudgetHistory,
    BudgetPath,
    CapabilityValue,
    IndicatorTrack,
)


def _when(d: dt.date) -> dt.datetime:
    return dt.datetime.combine(d, dt.time())


@cached
def trajectory_svg(track: IndicatorTrack) -> str:
    """The planned path (dashed, through the milestones) and the measured values (dots)."""
    with _figure(6.4, 2.8) as fig:
        ax = fig.add_subplot()
        if track.planned:
            ax.plot([_when(d) for d, _v in track.planned], [v for _d, v in track.planned],
                    linestyle="--", color="#777777", linewidth=1.2, marker="s", markersize=3,
                    label=_("planned path"))  # fmt: skip
        if track.actual:
            ax.plot([_when(d) for d, _v in track.actual], [v for _d, v in track.actual],
                    color=_colour(0), marker="o", markersize=4, linewidth=1.4,
                    label=_("measured"))  # fmt: skip
        ax.set_ylabel(track.unit or _("value"), fontsize=7)
        number_ticks(ax.yaxis)
        date_ticks(ax.xaxis)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.tick_params(labelsize=6.5)
        ax.set_title(_short(track.name, 70), fontsize=8)
        fig.autofmt_xdate()
        ax.legend(fontsize=6.5, frameon=False, loc="best")
        label = _("Trajectory of {name}: planned path against measured values").format(
            name=track.name
        )
        return _labelled(_svg(fig), label)


@cached
def history_svg(h: BudgetHistory) -> str:
    """The country's share of GDP per year beside NATO Europe and Canada and the non-nuclear
    European Allies, with the 2 % guideline."""
    years = [y.year for y in h.years]
    with _figure(6.4, 2.8) as fig:
        ax = fig.add_subplot()
        ax.plot(years, [y.share_of_gdp_percent for y in h.years], marker="o", markersize=3,
                color=_colour(0), linewidth=1.8, label=h.country)  # fmt: skip
        ax.plot(years, [y.europe_canada for y in h.years], color=_colour(1), linewidth=1.2,
                label=_("NATO Europe and Canada"))  # fmt: skip
        ax.plot(years, [y.non_nuclear_europe for y in h.years], color=_colour(2),
                linewidth=1.2, label=_("non-nuclear European Allies (mean)"))  # fmt: skip
        ax.axhline(2.0, color="#999999", linestyle=":", linewidth=1)
        ax.set_ylabel(_("share of GDP"), fontsize=7)
        number_ticks(ax.yaxis, percent=True)
        ax.set_xticks(years)
        ax.tick_params(labelsize=6.5)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.legend(fontsize=6.5, frameon=False, loc="upper left")
        label = _("Defence spending of {country} as a share of GDP against Allies").format(
            country=h.country
        )
        return _labelled(_svg(fig), label)


@cached
def paths_svg(paths: Sequence[BudgetPath]) -> str:
    """Several target paths side by side: share of GDP (left) and real spending (right)."""
    with _figure(7.6, 3.0) as fig:
        share_ax, spend_ax = fig.subplots(1, 2)
        for k, p in enumerate(paths):
            years = [y.year for y in p.years]
            share_ax.plot(years, [y.share_of_gdp_percent for y in p.years], marker="o",
                          markersize=2.5, color=_colour(k), label=_short(p.label, 36))  # fmt: skip
            spend_ax.plot(years, [y.spending_index for y in p.years], marker="o",
                          markersize=2.5, color=_colour(k))  # fmt: skip
        share_ax.set_ylabel(_("share of GDP"), fontsize=7)
        spend_ax.set_ylabel(_("real spending (base year = 100)"), fontsize=7)
        number_ticks(share_ax.yaxis, percent=True)
        number_ticks(spend_ax.yaxis)
        for ax in (share_ax, spend_ax):
            ax.tick_params(labelsize=6.5)
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        share_ax.legend(fontsize=6.5, frameon=False, loc="upper left")
        return _labelled(_svg(fig), _("Budget paths side by side: share of GDP and real spending"))


@cached
def capability_svg(values: Sequence[CapabilityValue]) -> str:
    """Spend growth against delivered growth, one point per capability and measure; flagged
    points (spend up, delivery not) are red."""
    with _figure(5.6, 3.2) as fig:
        ax = fig.add_subplot()
        for v in values:
            if v.spend_growth is None or v.delivered_growth is None:
                continue
            colour = "#d62728" if v.flag else _colour(0)
            ax.scatter([v.spend_growth], [v.delivered_growth], color=colour, s=18)
            ax.annotate(f"{v.capability} ({term(v.measure, 'measure')})", (v.spend_growth,
                        v.delivered_growth), fontsize=6, xytext=(3, 3),
                        textcoords="offset points")  # fmt: skip
        ax.axhline(0, color="#999999", linewidth=0.8)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel(_("spend growth, first to last year"), fontsize=7)
        ax.set_ylabel(_("delivered growth"), fontsize=7)
        number_ticks(ax.xaxis, percent=True)
        number_ticks(ax.yaxis, percent=True)
        ax.tick_params(labelsize=6.5)
        return _labelled(_svg(fig), _("Capability spend growth against delivered growth"))
