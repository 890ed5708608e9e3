"""Drawing settings and SVG export shared by every capability's charts.

One look across the system (fonts, ink, palette) and one deterministic SVG export, kept here,
outside any capability, so that strategy, resilience and delivery charts use the same helpers
without reaching into one another's modules. Output is deterministic (fixed hash salt, no date):
editions are compared and archived, and a chart that changed on every render would make every
comparison noisy.
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

INK = "#1f2a36"
FONT = ["DejaVu Sans", "Liberation Sans", "sans-serif"]
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip


@contextmanager
def figure(width: float, height: float) -> Iterator[Any]:
    """A matplotlib Figure with our deterministic SVG settings (no global pyplot state)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    rc: dict[Any, Any] = {
        "svg.fonttype": "none",
        "svg.hashsalt": "grandstrategy",
        "font.family": "sans-serif",
        "font.sans-serif": FONT,
        "font.size": 8,
        "axes.edgecolor": "#555555",
        "axes.linewidth": 0.6,
    }
    with matplotlib.rc_context(rc):
        yield Figure(figsize=(width, height))


def svg(fig: Any) -> str:
    """The figure as SVG text, starting at ``<svg`` so it can be inlined in HTML."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def labelled(svg_text: str, label: str) -> str:
    """Give the SVG a role, an accessible name and a <title> (the name as a tooltip too)."""
    name = html.escape(label, quote=True)
    head, _sep, rest = svg_text.partition("<svg")
    end = rest.index(">")
    opening = rest[:end].rstrip("/")
    body = rest[end + 1 :]
    return f'{head}<svg role="img" aria-label="{name}"{opening}><title>{name}</title>{body}'


def short(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def colour(k: int) -> str:
    """The ``k``-th series colour, cycling through the palette."""
    return PALETTE[k % len(PALETTE)]
