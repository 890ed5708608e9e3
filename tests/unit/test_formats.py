"""Dates and numbers as each language writes them (core/formats.py and the page filters)."""

import datetime as dt
from decimal import Decimal

import pytest

from grandstrategy.core import formats, i18n
from grandstrategy.web.render import env

DAY = dt.date(2026, 12, 5)
MOMENT = dt.datetime(2026, 12, 5, 14, 30, 15)


def plain(text: str) -> str:
    """Babel's separators are no-break spaces (U+00A0, U+202F): read them as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(
    ("lang", "day", "number", "percent", "money"),
    [
        ("en", "5 December 2026", "1,234.5", "12.5%", "€1,234,568"),
        ("fr", "5 décembre 2026", "1 234,5", "12,5 %", "1 234 568 €"),
        ("nl", "5 december 2026", "1.234,5", "12,5%", "€ 1.234.568"),
        ("de", "5. Dezember 2026", "1.234,5", "12,5 %", "1.234.568 €"),
    ],
)
def test_each_language_writes_dates_and_numbers_its_own_way(lang, day, number, percent, money):
    with i18n.language(lang):
        assert formats.date(DAY) == day
        assert plain(formats.number(1234.5)) == number
        assert plain(formats.percent(0.125, 1)) == percent
        assert plain(formats.money(1234567.8, "EUR")) == money


def test_the_language_can_be_named_instead_of_taken_from_the_reader():
    with i18n.language("en"):
        assert formats.date(DAY, lang="de") == "5. Dezember 2026"
        assert plain(formats.number(0.5, 2, lang="fr")) == "0,50"


def test_digits_are_fixed_and_rounded():
    with i18n.language("en"):
        assert formats.number(2.0, 2) == "2.00"
        assert formats.number(1234.5678, 0) == "1,235"
        assert formats.number(1 / 3) == "0.333"
        assert formats.number(Decimal("7.25"), 1) == "7.2"  # half to even, as Python does
        assert formats.number(12, 1) == "12.0"


def test_changes_carry_their_sign():
    with i18n.language("de"):
        assert formats.number(1.5, 1, signed=True) == "+1,5"
        assert formats.number(-1.5, 1, signed=True) == "-1,5"
        assert formats.number(0, 1, signed=True) == "0,0"
        assert plain(formats.percent(0.034, 1, signed=True)) == "+3,4 %"


def test_date_and_time():
    with i18n.language("fr"):
        assert formats.datetime(MOMENT) == "5 déc. 2026, 14:30"
        assert formats.datetime(MOMENT, seconds=True) == "5 déc. 2026, 14:30:15"
        assert formats.datetime(DAY) == "5 déc. 2026"  # a day has no time
        assert formats.date(MOMENT) == "5 décembre 2026"  # a moment shows its day
    with i18n.language("de"):
        assert formats.datetime(MOMENT) == "05.12.2026, 14:30"


def test_iso_text_is_read_and_anything_else_is_left_alone():
    with i18n.language("nl"):
        assert formats.date("2026-12-05") == "5 december 2026"
        assert formats.datetime("2026-12-05T14:30:00+00:00") == "5 dec 2026, 14:30"
        assert formats.date("soon") == "soon"
        assert formats.number("n/a") == "n/a"
        assert formats.number(float("nan")) == "nan"


def test_missing_values_show_a_dash():
    for show in (formats.date, formats.datetime, formats.number, formats.percent, formats.money):
        assert show(None) == "—"
        assert show("") == "—"


def test_money_in_another_currency_and_with_its_cents():
    with i18n.language("en"):
        assert formats.money(12.5, "USD", None) == "US$12.50"
        assert formats.money(1000, "", 0) == "€1,000"


def test_page_filters_follow_the_reader():
    template = env().from_string(
        "{{ d|date }} · {{ t|datetime }} · {{ x|number(1) }} · {{ s|percent }} · "
        "{{ a|money('EUR') }}"
    )
    values = {"d": DAY, "t": MOMENT, "x": 1234.5, "s": 0.5, "a": 2500}
    with i18n.language("fr"):
        assert plain(template.render(**values)) == (
            "5 décembre 2026 · 5 déc. 2026, 14:30 · 1 234,5 · 50 % · 2 500 €"
        )
    with i18n.language("de"):
        assert plain(template.render(**values)) == (
            "5. Dezember 2026 · 05.12.2026, 14:30 · 1.234,5 · 50 % · 2.500 €"
        )
