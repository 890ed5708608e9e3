"""An edition rendered in another language: its chrome goes through the catalog, its dates
are written in that language, its HTML says which language it is in, and the record content
is left as written."""

from __future__ import annotations

import gettext

import pytest
from babel.dates import format_date

from grandstrategy.core import i18n
from grandstrategy.strategy import render
from tests.unit.test_strategy_render import _package


class Marked(gettext.NullTranslations):
    """A stand-in catalog that brackets every message, so translated chrome is visible
    whatever state the real French catalog is in."""

    def gettext(self, message: str) -> str:
        return f"[{message}]"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"[{singular if n == 1 else plural}]"

    def pgettext(self, context: str, message: str) -> str:
        return f"[{message}]"


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch):
    real = i18n.translations
    monkeypatch.setattr(i18n, "translations", lambda lang: Marked() if lang == "fr" else real(lang))
    with i18n.language("fr"):
        yield


def test_english_edition_is_unchanged_by_the_catalogs():
    assert '<html lang="en">' in render.render_html(_package())
    assert "## 1 Vital interests" in render.render_markdown(_package())


def test_french_edition_translates_chrome_not_content(french):
    pkg = _package()
    md = render.render_markdown(pkg)
    html = render.render_html(pkg)
    assert '<html lang="fr">' in html
    assert "## 1 Intérêts vitaux" in md  # component headings: the vocabulary's own labels
    assert "## [Contents]" in md
    assert "[Page]" in html  # the printed page footer
    for objective in pkg.objectives:
        assert objective.title in md  # record content as written
    deadline = next(o.deadline for o in pkg.objectives if o.deadline)
    assert format_date(deadline, "d MMMM y", locale="fr") in md  # e.g. 31 décembre 2028
    assert format_date(deadline, "d MMMM y", locale="en") not in md
