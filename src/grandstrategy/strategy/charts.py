"""Charts for the published edition: the risk matrix and the capability budgets, as SVG.

The charts are inlined in the HTML edition (and so in the PDF made from it), so they are
vector SVG with real text (``svg.fonttype: none``) and without an XML prolog. Output is
deterministic (fixed hash salt, no date) so that rendering the same package twice gives the
same bytes: editions are compared and archived, and a chart that changes on every render would
make every comparison noisy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from grandstrategy.charts import INK, cached
from grandstrategy.charts import figure as _figure
from grandstrategy.charts import svg as _svg
from grandstrategy.core import formats
from grandstrategy.core.i18n import _, lazy
from grandstrategy.strategy.schemas import Capability, Threat

# Score bands (likelihood × impact): muted fills, light enough for black labels on top.
BANDS = (
    (4, "#d9ead3", lazy("low (1–4)")),
    (9, "#fff2c2", lazy("medium (5–9)")),
    (14, "#fbd9b5", lazy("high (10–14)")),
    (25, "#f2b8b0", lazy("very high (15–25)")),
)


def _band(score: int) -> str:
    for top, colour, _label in BANDS:
        if score <= top:
            return colour
    return BANDS[-1][1]


def _offsets(n: int) -> list[tuple[float, float]]:
    """Where the n points of one cell go (relative to its centre), in a fixed order.

    Points stack in a column at the left of the cell with their labels to the right; more than
    six split into two columns. Deterministic, so the chart does not move between renders.
    """
    cols = 1 if n <= 6 else 2
    per_col = -(-n // cols)
    step = min(0.2, 0.72 / max(per_col - 1, 1))
    out = []
    for k in range(n):
        col, row = divmod(k, per_col)
        out.append((-0.4 + col * 0.48, (per_col - 1) * step / 2 - row * step))
    return out


@cached
def risk_matrix_svg(threats: Sequence[Threat]) -> str:
    """Likelihood × impact matrix of the rated threats; unrated ones are left out."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    rated = [t for t in threats if t.likelihood is not None and t.impact is not None]
    cells: dict[tuple[int, int], list[Threat]] = defaultdict(list)
    for t in sorted(rated, key=lambda t: t.id):
        cells[(t.likelihood or 0, t.impact or 0)].append(t)
    with _figure(6.6, 5.4) as fig:
        ax = fig.add_subplot()
        for lik in range(1, 6):
            for imp in range(1, 6):
                ax.add_patch(
                    Rectangle(
                        (lik - 0.5, imp - 0.5), 1, 1, facecolor=_band(lik * imp),
                        edgecolor="white", linewidth=1.2, zorder=0,
                    )
                )  # fmt: skip
        for (lik, imp), group in sorted(cells.items()):
            for t, (dx, dy) in zip(group, _offsets(len(group)), strict=True):
                x, y = lik + dx, imp + dy
                if t.black_swan:
                    style: dict[str, Any] = {"marker": "*", "s": 70, "c": "#7a1f1f"}
                elif t.kind == "challenge":
                    style = {"marker": "o", "s": 22, "facecolors": "white", "edgecolors": INK}
                else:
                    style = {"marker": "o", "s": 22, "c": INK}
                ax.scatter([x], [y], zorder=3, linewidths=0.8, **style)
                ax.annotate(
                    t.id, (x, y), xytext=(6 if t.black_swan else 4, 0), textcoords="offset points",
                    fontsize=5.8, va="center", color=INK, zorder=4,
                )  # fmt: skip
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0.5, 5.5)
        likelihoods = [_("rare"), _("unlikely"), _("possible"), _("likely"), _("almost\ncertain")]
        ax.set_xticks(range(1, 6), likelihoods)
        ax.set_yticks(
            range(1, 6), [_("minor"), _("moderate"), _("serious"), _("severe"), _("catastrophic")]
        )
        ax.tick_params(length=0, labelsize=7)
        ax.set_xlabel(_("Likelihood over the horizon"), fontsize=8)
        ax.set_ylabel(_("Impact"), fontsize=8)
        handles: list[Any] = [
            Patch(facecolor=c, edgecolor="#999999", label=_(lab)) for _top, c, lab in BANDS
        ]
        hollow: dict[str, Any] = {"markerfacecolor": "white", "markeredgecolor": INK}
        handles += [
            Line2D([], [], marker="o", ls="", color=INK, markersize=4.5, label=_("threat")),
            Line2D([], [], marker="o", ls="", markersize=4.5, label=_("challenge"), **hollow),
            Line2D([], [], marker="*", ls="", color="#7a1f1f", markersize=8, label=_("black swan")),
        ]
        fig.legend(
            handles=handles, loc="lower center", ncol=4, fontsize=6.5, frameon=False,
            bbox_to_anchor=(0.5, -0.04),
        )  # fmt: skip
        fig.subplots_adjust(bottom=0.17)
        return _svg(fig)


@cached
def budget_bars_svg(capabilities: Sequence[Capability]) -> str:
    """Budget per capability for the earliest year any capability has a budget line.

    The earliest year is the one every reader can compare: later years are plans. Returns an
    empty string when no capability has a budget.
    """
    years = [b.year for c in capabilities for b in c.budget]
    if not years:
        return ""
    year = min(years)
    rows: list[tuple[str, float, str]] = []
    for c in capabilities:
        lines = [b for b in c.budget if b.year == year]
        if lines:
            currencies = sorted({b.currency for b in lines})
            name = c.name if len(c.name) <= 48 else c.name[:47] + "…"
            rows.append((name, sum(b.amount for b in lines), "/".join(currencies)))
    rows.sort(key=lambda r: r[1])
    top = max(r[1] for r in rows) or 1.0
    with _figure(6.6, 0.8 + 0.28 * len(rows)) as fig:
        ax = fig.add_subplot()
        ys = range(len(rows))
        ax.barh(list(ys), [r[1] for r in rows], color="#51677d", height=0.6)
        for y, (_name, amount, cur) in zip(ys, rows, strict=True):
            ax.text(amount + top * 0.01, y, money(amount, cur), va="center", fontsize=6.5)
        ax.set_yticks(list(ys), [r[0] for r in rows])
        ax.tick_params(axis="y", length=0, labelsize=7)
        ax.set_xticks([])
        ax.set_xlim(0, top * 1.22)
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.set_title(_("Budget by capability, {year}").format(year=year), fontsize=8, loc="left")
        return _svg(fig)


def money(amount: float, currency: str = "EUR") -> str:
    """A readable amount as the reader writes it: "€13bn", "450 M €", "€ 12.500".

    Millions and billions are shortened the reader's way (CLDR's compact forms); an amount
    in several currencies ("EUR/USD") shows its codes after the number."""
    from babel.numbers import format_compact_currency, format_compact_decimal

    where = formats.locale()
    if "/" in currency:
        if amount < 1e6:
            return f"{formats.number(amount, 0)} {currency}"
        return f"{format_compact_decimal(amount, locale=where, fraction_digits=2)} {currency}"
    if amount < 1e6:
        return formats.money(amount, currency, 0)
    return str(format_compact_currency(amount, currency, locale=where, fraction_digits=2))
