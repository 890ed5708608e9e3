"""Charts are remembered by what they are drawn from: the same data and language give the drawn
chart back without drawing again; other data or another language draw anew."""

from __future__ import annotations

from grandstrategy import charts
from grandstrategy.core import i18n


def test_same_data_is_drawn_once_and_other_data_or_language_anew():
    drawn: list[tuple[str, ...]] = []

    @charts.cached
    def bars(titles: tuple[str, ...]) -> str:
        drawn.append(titles)
        return f"<svg>{i18n.gettext('Not found')}{'|'.join(titles)}</svg>"

    assert bars(("a", "b")) == bars(("a", "b"))
    assert drawn == [("a", "b")]
    assert bars(("a", "c")) != bars(("a", "b"))
    with i18n.language("fr"):
        french = bars(("a", "b"))
    assert len(drawn) == 3 and "Introuvable" in french
    assert "Not found" in bars(("a", "b")) and len(drawn) == 3


def test_unpicklable_arguments_are_drawn_every_time():
    calls = []

    @charts.cached
    def plot(thing: object) -> str:
        calls.append(1)
        return "<svg/>"

    lock = __import__("threading").Lock()  # cannot be pickled: no key, so no caching
    plot(lock), plot(lock)
    assert len(calls) == 2
