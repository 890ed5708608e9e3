"""Dates and numbers as the reader writes them: "5 décembre 2026", "1 234,5", "5. Dezember 2026".

The page templates use these as filters (``{{ d|date }}``, ``{{ x|number(1) }}``,
``{{ share|percent }}``, ``{{ amount|money(currency) }}``) and the CLI uses them for its human
tables; ``--json`` and the API keep machine values. Each helper speaks the current interface
language (:func:`grandstrategy.core.i18n.current`) unless told another. The Belgian variant of
each language is used (the administration's own conventions), and British English for English.

A missing value shows as a dash; a value that is not a date or a number (already text, say)
is shown unchanged rather than refused, so that a page never fails on formatting.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import NumberPattern, get_plus_sign_symbol, parse_pattern

from grandstrategy.core import i18n

# The interface language → the CLDR locale whose conventions it follows.
REGIONS: dict[str, str] = {"en": "en_GB", "fr": "fr_BE", "nl": "nl_BE", "de": "de_BE"}
MISSING = "—"


def locale(lang: str | None = None) -> Locale:
    """The babel locale for ``lang`` (default: the current interface language)."""
    return _locale(i18n.normalise(lang) or i18n.current())


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(REGIONS.get(code, "en_GB"))


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def date(value: Any, style: str = "long", lang: str | None = None) -> str:
    """A day: ``long`` "5 December 2026", ``medium`` "5 Dec 2026", ``short`` "05/12/2026".

    A datetime shows its day only; an ISO string is read first."""
    if value is None or value == "":
        return MISSING
    day = _as_date(value)
    if day is None:
        return str(value)
    if isinstance(day, dt.datetime):
        day = day.date()
    return format_date(day, style, locale=locale(lang))


def datetime(
    value: Any, style: str = "medium", seconds: bool = False, lang: str | None = None
) -> str:
    """A moment to the minute: "5 Dec 2026, 14:30" (the day in ``style``; ``seconds`` adds
    them). Times are shown as stored (the application stores UTC); a date shows as a day."""
    if value is None or value == "":
        return MISSING
    moment = _as_date(value)
    if moment is None:
        return str(value)
    if not isinstance(moment, dt.datetime):
        return date(moment, style, lang)
    where = locale(lang)
    day = format_date(moment.date(), style, locale=where)
    time = format_time(moment.time(), "medium" if seconds else "short", locale=where)
    return str(where.datetime_formats[style]).replace("{1}", day).replace("{0}", time)


def _number(value: Any) -> float | int | Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _pattern(base: NumberPattern, digits: int | None) -> NumberPattern:
    """``base`` with exactly ``digits`` decimals (None: the locale's own rule)."""
    if digits is None:
        return base
    pattern = parse_pattern(base.pattern)
    pattern.frac_prec = (max(digits, 0), max(digits, 0))
    return pattern


def _signed(text: str, num: float | int | Decimal, signed: bool, where: Locale) -> str:
    """A change shows its sign: "+1.5" beside "−0.5" (a zero has none)."""
    return get_plus_sign_symbol(where) + text if signed and num > 0 else text


def number(
    value: Any, digits: int | None = None, signed: bool = False, lang: str | None = None
) -> str:
    """A number with the reader's separators: "1,234.5" / "1 234,5" / "1.234,5".

    ``digits`` fixes the decimals shown (rounded); without it up to three are shown.
    ``signed`` writes a plus before a positive number (a change)."""
    if value is None or value == "":
        return MISSING
    num = _number(value)
    if num is None:
        return str(value)
    where = locale(lang)
    pattern = _pattern(where.decimal_formats[None], digits)
    return _signed(pattern.apply(num, where), num, signed, where)


def percent(value: Any, digits: int = 0, signed: bool = False, lang: str | None = None) -> str:
    """A fraction as a percentage: 0.125 → "12.5%" / "12,5 %" (``digits`` decimals)."""
    if value is None or value == "":
        return MISSING
    num = _number(value)
    if num is None:
        return str(value)
    where = locale(lang)
    pattern = _pattern(where.percent_formats[None], digits)
    return _signed(pattern.apply(num, where), num, signed, where)


def money(
    value: Any, currency: str | None = "EUR", digits: int | None = 0, lang: str | None = None
) -> str:
    """An amount with its currency where the reader puts it: "€1,234" / "1 234 €".

    ``digits`` decimals (0 by default: budgets are whole amounts; None: the currency's own)."""
    if value is None or value == "":
        return MISSING
    num = _number(value)
    if num is None:
        return str(value)
    where = locale(lang)
    code = (currency or "EUR").strip().upper() or "EUR"
    base: NumberPattern = where.currency_formats["standard"]
    if digits is None:
        return str(base.apply(num, where, currency=code))
    return str(_pattern(base, digits).apply(num, where, currency=code, currency_digits=False))


FILTERS = {
    "date": date,
    "datetime": datetime,
    "number": number,
    "percent": percent,
    "money": money,
}
