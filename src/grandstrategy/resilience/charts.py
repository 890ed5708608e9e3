"""Resilience charts as inline SVG: the maturity heat map, the trend of each requirement, the
dependency network, a scenario's cascade over time and the ranked gaps.

Pure functions: data in, SVG text out. The same data gives the same bytes (fixed hash salt, no
date, fixed layout), so pages and exports can be compared. Every chart starts with ``<svg``
carrying ``role="img"``, an ``aria-label`` and a ``<title>`` that say what it shows, so a screen
reader announces it and a test can find it. Sector names are drawn as real text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

# Imported once, when the service is imported (at start-up): the first import of matplotlib
# from several request threads at once fails ("no attribute 'get_data_path'").
import matplotlib
import numpy as np
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle

from grandstrategy.charts import INK, cached, date_ticks, number_ticks
from grandstrategy.charts import colour as _colour
from grandstrategy.charts import figure as _figure
from grandstrategy.charts import labelled as _labelled
from grandstrategy.charts import short as _short
from grandstrategy.charts import svg as _svg
from grandstrategy.core import formats
from grandstrategy.core.i18n import _
from grandstrategy.resilience.schemas import RankedGap, RequirementState, ScenarioRun

# Maturity 0 (absent) to 5 (adaptive): red through amber to green, light enough for black text.
LEVEL_COLOURS = ("#e57373", "#f4a582", "#fddb8c", "#d9ef8b", "#a6d96a", "#66bd63")
UNASSESSED = "#e0e0e0"


matplotlib.use("Agg")


def _wrap(text: str, width: int, lines: int = 2) -> str:
    """Break a title into at most ``lines`` lines of about ``width`` characters."""
    out: list[str] = []
    for word in text.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = [*out[: lines - 1], _short(" ".join(out[lines - 1 :]), width)]
    return "\n".join(out)


@cached
def maturity_heatmap_svg(
    states: Sequence[RequirementState], scale: Sequence[tuple[int, str]]
) -> str:
    """Requirements (rows) × their criteria (columns): each cell coloured by the current
    maturity level, with "current/target" in it; cells never assessed are grey and hatched.

    ``scale`` is the maturity scale as (level, name) pairs, drawn as the legend.
    """

    columns = max((len(s.criteria) for s in states), default=1) or 1
    rows = len(states)
    with _figure(1.9 + 1.35 * columns, 0.9 + 0.62 * max(rows, 1)) as fig:
        ax = fig.add_subplot()
        for r, state in enumerate(states):
            y = rows - 1 - r
            for c, crit in enumerate(state.criteria):
                assessed = crit.level is not None
                cell = Rectangle(
                    (c, y), 1, 1,
                    facecolor=LEVEL_COLOURS[crit.level] if crit.level is not None else UNASSESSED,
                    hatch=None if assessed else "///", edgecolor="white", linewidth=1.5,
                )  # fmt: skip
                status = "assessed" if assessed else "unassessed"
                cell.set_gid(f"cell-{state.requirement}-{crit.criterion}-{status}")
                ax.add_patch(cell)
                ax.text(
                    c + 0.5, y + 0.68, _wrap(crit.title, 22), ha="center", va="center",
                    fontsize=4.6, color=INK, linespacing=1.05,
                )  # fmt: skip
                if assessed:
                    target = "–" if crit.target is None else formats.number(crit.target)
                    value = f"{formats.number(crit.level)}/{target}"
                else:
                    value = _("not assessed")
                ax.text(
                    c + 0.5, y + 0.27, value, ha="center", va="center", color=INK,
                    fontsize=7.5 if assessed else 5.5, fontweight="bold" if assessed else "normal",
                )  # fmt: skip
        ax.set_xlim(0, columns)
        ax.set_ylim(0, max(rows, 1))
        ax.set_yticks(
            [rows - 1 - r + 0.5 for r in range(rows)], [_wrap(s.title, 30) for s in states]
        )
        ax.set_xticks(
            [c + 0.5 for c in range(columns)],
            [_("criterion {n}").format(n=c + 1) for c in range(columns)],
        )
        ax.tick_params(length=0, labelsize=6.5)
        for side in ax.spines.values():
            side.set_visible(False)
        handles: list[Any] = [
            Patch(facecolor=LEVEL_COLOURS[level], edgecolor="#999999", label=f"{level} {name}")
            for level, name in scale
        ]
        handles.append(
            Patch(facecolor=UNASSESSED, hatch="///", edgecolor="#999999", label=_("not assessed"))
        )
        fig.legend(
            handles=handles, loc="lower center", ncol=min(len(handles), 7), fontsize=6,
            frameon=False, bbox_to_anchor=(0.5, -0.02), title_fontsize=6.5,
            title=_("maturity level (cell: current/target)"),
        )  # fmt: skip
        fig.subplots_adjust(bottom=0.1 + 0.5 / max(rows, 1), left=0.2)
        return _labelled(
            _svg(fig), _("Heat map of maturity: baseline requirements by criterion, current/target")
        )


@cached
def trend_svg(states: Sequence[RequirementState]) -> str:
    """The mean maturity of each requirement over time, one line each; "" when nothing has
    been assessed yet (a chart of nothing explains nothing)."""
    series = [(s, s.trend) for s in states if s.trend]
    if not series:
        return ""
    with _figure(7.2, 3.2) as fig:
        ax = fig.add_subplot()
        for k, (state, trend) in enumerate(series):
            dates = [dt.datetime.combine(d, dt.time()) for d, _value in trend]
            values = [v for _day, v in trend]
            if len(dates) == 1:  # one point would be invisible as a line
                dates.append(dates[0] + dt.timedelta(days=1))
                values.append(values[0])
            (line,) = ax.plot(
                dates, values, marker="o", markersize=3, linewidth=1.4, color=_colour(k),
                label=_short(state.title, 40), drawstyle="steps-post",
            )  # fmt: skip
            line.set_gid(f"trend-{state.requirement}")
        ax.set_ylim(-0.2, 5.2)
        ax.set_yticks(range(6))
        ax.set_ylabel(_("mean maturity (0–5)"), fontsize=7)
        number_ticks(ax.yaxis)
        date_ticks(ax.xaxis)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
        ax.tick_params(labelsize=6.5)
        fig.autofmt_xdate()
        ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        return _labelled(_svg(fig), _("Trend of each requirement's mean maturity over time"))


def _circle(n: int) -> list[tuple[float, float]]:
    """Node positions on a unit circle, the first at the top, clockwise."""
    return [
        (math.sin(2 * math.pi * k / n), math.cos(2 * math.pi * k / n)) if n > 1 else (0.0, 0.0)
        for k in range(n)
    ]


@cached
def network_svg(
    sectors: Sequence[str],
    titles: Sequence[str],
    values: Sequence[Sequence[float]],
    influence: Sequence[float],
    *,
    threshold: float = 0.05,
) -> str:
    """The dependency network: one node per sector (its area grows with the sector's overall
    influence), an arrow i → j for every a*_ij ≥ ``threshold``, drawn thicker the stronger the
    dependence and labelled with a*_ij. An arrow from A to B reads "A depends on B": when B
    fails, A loses a*_AB of its function directly."""

    a = np.asarray(values, dtype=float)
    n = len(sectors)
    pos = _circle(n)
    top = max(max(influence, default=1.0), 1e-9)
    sizes = [250 + 1400 * (v / top) for v in influence]
    strongest = float(a.max()) if a.size else 0.0
    with _figure(7.0, 6.2) as fig:
        ax = fig.add_subplot()
        for i in range(n):
            for j in range(n):
                weight = float(a[i, j])
                if i == j or weight < threshold:
                    continue
                arrow = FancyArrowPatch(
                    pos[i], pos[j], arrowstyle="-|>", mutation_scale=9,
                    connectionstyle="arc3,rad=0.12", color="#51677d",
                    linewidth=0.5 + 3.5 * weight / max(strongest, 1e-9), alpha=0.75,
                    shrinkA=14, shrinkB=16, zorder=1,
                )  # fmt: skip
                arrow.set_gid(f"edge-{sectors[i]}-{sectors[j]}")
                ax.add_patch(arrow)
                # label near the arrow's middle, nudged to the side its arc bends to
                mx, my = (pos[i][0] + pos[j][0]) / 2, (pos[i][1] + pos[j][1]) / 2
                dx, dy = pos[j][0] - pos[i][0], pos[j][1] - pos[i][1]
                ax.text(
                    mx + 0.06 * dy, my - 0.06 * dx, formats.number(weight, 2), fontsize=5,
                    color="#34495e", ha="center", va="center", zorder=2,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
                )  # fmt: skip
        for k, (x, y) in enumerate(pos):
            dot = ax.scatter(
                [x], [y], s=sizes[k], color=_colour(k), edgecolors="white", linewidths=1, zorder=3
            )
            dot.set_gid(f"node-{sectors[k]}")
            ax.annotate(
                _wrap(titles[k], 20), (x, y), xytext=(0, 0), textcoords="offset points",
                ha="center", va="center", fontsize=6.2, color=INK, zorder=4,
                xycoords="data", annotation_clip=False,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )  # fmt: skip
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.3, 1.3)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(
            _(
                "arrow A → B: A depends on B (a*_AB ≥ {threshold}); node size: overall influence"
            ).format(threshold=formats.number(threshold)),
            fontsize=6.5, color="#555555",
        )  # fmt: skip
        return _labelled(_svg(fig), _("Dependency network of the sectors"))


@cached
def cascade_svg(run: ScenarioRun, titles: dict[str, str] | None = None) -> str:
    """Inoperability of every sector, day by day, during a scenario; the days the shock is
    applied are shaded. One line per sector, labelled with its title."""
    titles = titles or {}
    q = np.asarray(run.trajectory, dtype=float)
    days = np.arange(q.shape[0]) if q.size else np.arange(0)
    with _figure(7.2, 3.6) as fig:
        ax = fig.add_subplot()
        if run.shock_steps > 0:
            ax.axvspan(
                0, run.shock_steps, color="#f6d5d5", alpha=0.7, zorder=0, label=_("shock applied")
            )
        order: list[int] = np.argsort(-q.max(axis=0), kind="stable").tolist() if q.size else []
        for k, s in enumerate(order):
            sector = run.sectors[int(s)]
            (line,) = ax.plot(
                days, q[:, int(s)], linewidth=1.4, color=_colour(k), zorder=2,
                label=_short(titles.get(sector, sector), 40),
            )  # fmt: skip
            line.set_gid(f"cascade-{sector}")
        ax.set_xlabel(_("day"), fontsize=7)
        ax.set_ylabel(_("inoperability (share of function lost)"), fontsize=7)
        number_ticks(ax.xaxis)
        number_ticks(ax.yaxis)
        ax.set_xlim(0, max(len(days) - 1, 1))
        ax.set_ylim(0, max(0.05, float(q.max()) * 1.1) if q.size else 1)
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.tick_params(labelsize=6.5)
        ax.legend(fontsize=6, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
        ax.set_title(run.title, fontsize=8, loc="left")
        return _labelled(_svg(fig), _("Cascade over time: {title}").format(title=run.title))


@cached
def gaps_svg(gaps: Sequence[RankedGap]) -> str:
    """Ranked gaps as horizontal bars: the whole system's inoperability when a requirement is
    shocked by its gap, split into the sector's own loss and the spillover to the others.
    The first rank is at the top; "" when there are no gaps."""
    if not gaps:
        return ""
    ordered = sorted(gaps, key=lambda g: g.rank)
    top = max(max(g.score for g in ordered), 1e-9)
    with _figure(7.0, 0.9 + 0.34 * len(ordered)) as fig:
        ax = fig.add_subplot()
        ys = list(range(len(ordered)))[::-1]
        own = [max(g.system_inoperability - g.spillover, 0.0) for g in ordered]
        spill = [g.spillover for g in ordered]
        bars = ax.barh(ys, own, color="#1f4e79", height=0.6, label=_("in the sector itself"))
        more = ax.barh(ys, spill, left=own, color="#8fb3d9", height=0.6, label=_("spillover"))
        for bar, extra, g in zip(bars, more, ordered, strict=True):
            bar.set_gid(f"gap-{g.requirement}")
            extra.set_gid(f"spill-{g.requirement}")
        for y, g in zip(ys, ordered, strict=True):
            ax.text(
                g.score + top * 0.01,
                y,
                _("{score} (gap {gap})").format(
                    score=formats.number(g.score, 3), gap=formats.number(g.gap, 1)
                ),
                va="center",
                fontsize=6.2,
            )
        ax.set_yticks(ys, [f"{g.rank}. {_short(g.title, 44)}" for g in ordered])
        ax.tick_params(axis="y", length=0, labelsize=6.8)
        ax.tick_params(axis="x", labelsize=6.5)
        number_ticks(ax.xaxis)
        ax.set_xlim(0, top * 1.3)
        ax.set_xlabel(_("system inoperability when the gap is the shock (Σ q)"), fontsize=7)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(fontsize=6, frameon=False, loc="lower right")
        return _labelled(_svg(fig), _("Ranked resilience gaps by cascade cost"))
