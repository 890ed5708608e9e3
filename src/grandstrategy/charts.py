"""Drawing settings and SVG export shared by every capability's charts.

One look across the system (fonts, ink, palette) and one deterministic SVG export, kept here,
outside any capability, so that strategy, resilience and delivery charts use the same helpers
without reaching into one another's modules. Output is deterministic (fixed hash salt, no date):
editions are compared and archived, and a chart that changed on every render would make every
comparison noisy.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import itertools
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec

from grandstrategy.core import i18n

INK = "#1f2a36"
FONT = ["DejaVu Sans", "Liberation Sans", "sans-serif"]
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip


P = ParamSpec("P")
CACHE_SIZE = 512  # charts kept, least recently drawn dropped first
_drawing = threading.RLock()  # matplotlib is not thread-safe (rc_context is global state)
_cache: OrderedDict[bytes, str] = OrderedDict()


def cached(draw: Callable[P, str]) -> Callable[P, str]:
    """Remember a chart by what it is drawn from: its arguments and the reader's language.

    A page that shows the same records draws its chart once: drawing is most of a page's time
    (tens of milliseconds per chart). The key is a digest of the arguments themselves, never a
    record id or a user, so a chart can only be served to someone who passed the very data it
    shows, which they may see. Drawing holds one lock, as matplotlib's settings are global.
    """

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> str:
        try:
            raw = pickle.dumps((draw.__qualname__, i18n.current(), args, kwargs), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):
            with _drawing:
                return draw(*args, **kwargs)
        key = hashlib.blake2b(raw, digest_size=20).digest()
        with _drawing:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
            text = draw(*args, **kwargs)
            _cache[key] = text
            if len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
            return text

    return wrapper


def warm_up() -> None:
    """Import matplotlib and draw an empty figure: the first chart after a start otherwise
    takes a second longer (``serve`` runs this in a thread at start)."""
    with figure(1, 1) as fig:
        fig.add_subplot()
        fig.savefig(io.BytesIO(), format="svg")


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


def tick_digits(values: Iterable[float]) -> int:
    """The fewest decimals (at most three) that write every tick exactly: 0.5 → 1, 2 → 0."""
    ticks = [float(v) for v in values]
    for digits in range(3):
        if all(abs(round(v, digits) - v) <= 1e-9 * max(1.0, abs(v)) for v in ticks):
            return digits
    return 3


def number_ticks(axis: Any, *, percent: bool = False) -> None:
    """Write ``axis``'s tick labels as the reader writes numbers (core/formats): "1 234,5";
    with ``percent`` the values are percentages, written "45 %" where the reader does.

    The language is the one the chart is drawn in (the chart cache keys on it)."""
    from matplotlib.ticker import FuncFormatter

    from grandstrategy.core import formats

    lang = i18n.current()

    class Ticks(FuncFormatter):
        digits = 0

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            self.digits = tick_digits(locs)

    def label(value: float, _pos: Any = None) -> str:
        if percent:
            return formats.percent(value / 100, ticks.digits, lang=lang)
        return formats.number(value, ticks.digits, lang=lang)

    ticks = Ticks(label)
    axis.set_major_formatter(ticks)


def date_ticks(axis: Any) -> None:
    """Write a time axis's tick labels as the reader writes days: "5 déc. 2026" (hours too
    when the ticks are less than a day apart)."""
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    from grandstrategy.core import formats

    lang = i18n.current()

    class Ticks(FuncFormatter):
        hourly = False

        def set_locs(self, locs: Any) -> None:
            super().set_locs(locs)
            steps = [b - a for a, b in itertools.pairwise(locs)]
            self.hourly = bool(steps) and min(steps) < 1

    def label(value: float, _pos: Any = None) -> str:
        moment = num2date(value).replace(tzinfo=None)  # type: ignore[no-untyped-call]
        if ticks.hourly:
            return formats.datetime(moment, "medium", lang=lang)
        return formats.date(moment, "medium", lang=lang)

    ticks = Ticks(label)
    axis.set_major_formatter(ticks)
