"""Interface language: gettext catalogs per locale, the current locale per request or command.

Every string a person reads goes through :func:`gettext` (imported as ``_``) or, in templates,
``{{ _("...") }}``. The current locale lives in a context variable so that a request, a CLI
command or a rendered edition each speak their own language without passing it everywhere.
Catalogs are compiled ``.mo`` files under ``grandstrategy/locale/<lang>/LC_MESSAGES``; a
missing catalog falls back to the English source strings.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

LANGUAGES: tuple[str, ...] = ("en", "fr", "nl", "de")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("grandstrategy_locale", default=DEFAULT_LANGUAGE)


def normalise(lang: str | None) -> str | None:
    """'fr-BE' → 'fr'; anything not one of ours → None."""
    if not lang:
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else None


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog for ``lang``, read from its ``.po`` file (compiled in memory, once).

    Reading the ``.po`` source keeps compiled binaries out of the repository; it costs a few
    milliseconds once per process and language. Fuzzy entries are not used.
    """
    from importlib.resources import files

    po = files("grandstrategy") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANGUAGE or not po.is_file():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current() -> str:
    return _current.get()


def from_environment() -> str | None:
    """The language ``GRANDSTRATEGY_LANGUAGE`` names (any case, as the settings read it)."""
    for key, value in os.environ.items():
        if key.upper() == "GRANDSTRATEGY_LANGUAGE":
            return normalise(value)
    return None


def set_language(lang: str | None) -> str:
    """Make ``lang`` the current language (unknown → default) and return what was chosen."""
    chosen = normalise(lang) or DEFAULT_LANGUAGE
    _current.set(chosen)
    return chosen


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block, then return to the previous language."""
    token = _current.set(normalise(lang) or DEFAULT_LANGUAGE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


def lazy(message: str) -> str:
    """Mark a module-level string for extraction; translate it with gettext() where shown."""
    return message


_ = gettext


def best_match(accept_language: str | None) -> str | None:
    """The first of our languages named in an Accept-Language header, by quality."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        bits = part.strip().split(";")
        quality = 1.0
        for bit in bits[1:]:
            name, _sep, value = bit.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        code = normalise(bits[0])
        if code and quality > 0:
            weighted.append((-quality, position, code))
    return min(weighted)[2] if weighted else None


def check_labels(labels: dict[str, str]) -> dict[str, str]:
    """Validate a vocabulary entry's ``labels`` (language → text): known languages, no blanks."""
    for lang, text in labels.items():
        if lang not in LANGUAGES:
            raise ValueError(f"label language {lang!r}: use one of {', '.join(LANGUAGES)}")
        if not str(text).strip():
            raise ValueError(f"the {lang} label is empty")
    return labels


def pick(default: str, labels: dict[str, str], lang: str | None = None) -> str:
    """A vocabulary entry's text in ``lang`` (default: the current language), else English."""
    return labels.get(lang or _current.get(), default)
