"""The catalogs compile as they are, with gettext's tools too: a catalog whose header is marked
fuzzy is skipped whole by ``pybabel compile``, and a translation whose placeholders do not
match its message is a fatal error for ``msgfmt -c`` (issue 12: 100 % translated, 0 fuzzy)."""

import pytest
from babel.messages.pofile import read_po

from tests.catalogs import LOCALE, TARGETS


def _catalog(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", TARGETS)
def test_header_is_not_fuzzy_and_names_its_team(lang):
    catalog = _catalog(lang)
    assert not catalog.fuzzy, "remove '#, fuzzy' above the header: pybabel compile skips it"
    assert "EMAIL@ADDRESS" not in catalog.last_translator


@pytest.mark.parametrize("lang", TARGETS)
def test_translations_keep_their_placeholders(lang):
    bad = {message.id: [str(e) for e in errors] for message, errors in _catalog(lang).check()}
    assert not bad, (
        "a '%' then a space and a letter reads as a %-placeholder ('{n} % of'): pass the "
        "share written by core.formats.percent as the placeholder instead ('{share} of'),"
        f" or reword; {bad}"
    )
