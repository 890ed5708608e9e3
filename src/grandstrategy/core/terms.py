"""Vocabulary values in the reader's language: a status, a kind, a rating.

Records store their vocabulary values as English ids (``on-track``, ``council``,
``amber-green``): that is what the database, the API, the YAML package and ``--json`` speak.
A person reads them through :func:`term`, which gives the words in the current language.

Each vocabulary has its own message context, because the same English word is not the same
word elsewhere: a strategy is "approuvée" and an objective "atteint"; "on" the trajectory is
not "on" a switch. The values mirror the enums of the capabilities' schemas (core imports no
capability); ``tests/unit/test_terms.py`` checks that every enum value has its words here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from grandstrategy.core import i18n
from grandstrategy.core.i18n import pgettext

if TYPE_CHECKING:
    from grandstrategy.core.labelled import Labelled


def _words() -> dict[str, dict[str, str]]:
    """Every vocabulary's values → words, in the current language (see :func:`_table`)."""
    return {
        "checkin-status": {
            "on-track": pgettext("check-in status", "on track"),
            "at-risk": pgettext("check-in status", "at risk"),
            "off-track": pgettext("check-in status", "off track"),
            "done": pgettext("check-in status", "done"),
        },
        "rating": {
            "green": pgettext("delivery rating", "green"),
            "amber-green": pgettext("delivery rating", "amber-green"),
            "amber-red": pgettext("delivery rating", "amber-red"),
            "red": pgettext("delivery rating", "red"),
            "none": pgettext("delivery rating", "not judged"),
        },
        "trajectory": {
            "ahead": pgettext("trajectory", "ahead"),
            "on": pgettext("trajectory", "on course"),
            "behind": pgettext("trajectory", "behind"),
        },
        "framework": {
            "EU": pgettext("deployment framework", "EU"),
            "NATO": pgettext("deployment framework", "NATO"),
            "UN": pgettext("deployment framework", "UN"),
            "coalition": pgettext("deployment framework", "coalition"),
            "bilateral": pgettext("deployment framework", "bilateral"),
        },
        "measure": {
            "units": pgettext("capability measure", "units"),
            "readiness": pgettext("capability measure", "readiness"),
            "personnel": pgettext("capability measure", "personnel"),
        },
        "proposal": {
            "continue": pgettext("deployment proposal", "continue"),
            "end": pgettext("deployment proposal", "end"),
            "reorient": pgettext("deployment proposal", "reorient"),
            "new": pgettext("deployment proposal", "new"),
        },
        "severity": {
            "error": pgettext("lint severity", "error"),
            "warning": pgettext("lint severity", "warning"),
        },
        "cycle-status": {
            "drafting": pgettext("drafting cycle status", "drafting"),
            "approved": pgettext("drafting cycle status", "approved by the Council"),
            "published": pgettext("drafting cycle status", "published"),
        },
        "round-status": {
            "open": pgettext("consultation round status", "open"),
            "closed": pgettext("consultation round status", "closed"),
            # still open in the register, but its closing date has passed
            "past-deadline": pgettext("consultation round status", "past its closing date"),
        },
        "contribution-status": {
            "held": pgettext("contribution status", "awaiting moderation"),
            "published": pgettext("contribution status", "published"),
            "rejected": pgettext("contribution status", "rejected as off-topic"),
        },
        "audience": {
            "departments": pgettext("consultation audience", "federal departments"),
            "regions": pgettext("consultation audience", "regions and communities"),
            "parliament": pgettext("consultation audience", "parliament"),
            "roundtable": pgettext("consultation audience", "round table"),
            "public": pgettext("consultation audience", "public"),
        },
        "disposition": {
            "accept": pgettext("contribution disposition", "accepted"),
            "partly": pgettext("contribution disposition", "partly accepted"),
            "reject": pgettext("contribution disposition", "not taken up"),
            "defer": pgettext("contribution disposition", "deferred"),
        },
        "org-kind": {
            "department": pgettext("organisation kind", "department"),
            "region": pgettext("organisation kind", "region or community"),
            "party": pgettext("organisation kind", "political party"),
            "company": pgettext("organisation kind", "company"),
            "university": pgettext("organisation kind", "university"),
            "ngo": pgettext("organisation kind", "NGO"),
            "other": pgettext("organisation kind", "other"),
        },
    }


# name → value → an entry that knows its words in each language (see register()).
_LABELLED: dict[str, dict[str, Labelled]] = {}


def register(name: str, entries: Mapping[str, Labelled]) -> None:
    """Make a capability's labelled vocabulary known to :func:`term` (value → entry)."""
    _LABELLED[name] = dict(entries)


def _table(lang: str) -> dict[str, dict[str, str]]:
    """The words in ``lang``, built once per catalog (a test may stand in another one)."""
    return _table_from(lang, i18n.translations(lang))


@lru_cache(maxsize=16)
def _table_from(lang: str, _catalog: object) -> dict[str, dict[str, str]]:
    with i18n.language(lang):
        return _words()


def vocabularies() -> dict[str, tuple[str, ...]]:
    """Each vocabulary's name and values (for tests and documentation)."""
    labelled = {name: tuple(entries) for name, entries in _LABELLED.items()}
    return labelled | {n: tuple(v) for n, v in _table(i18n.DEFAULT_LANGUAGE).items()}


def term(value: Any, vocabulary: str | None = None) -> str:
    """``value`` (an id or an enum member) in the reader's words.

    Looked up in ``vocabulary`` when given (the surest), else in the first vocabulary that
    has the value, else as an interface message (``none``, ``category``), else shown as is."""
    text = str(getattr(value, "value", value))
    if vocabulary is not None and text in _LABELLED.get(vocabulary, {}):
        return _LABELLED[vocabulary][text].label()
    table = _table(i18n.current())
    if vocabulary is not None and text in table.get(vocabulary, {}):
        return table[vocabulary][text]
    for entries in _LABELLED.values():
        if text in entries:
            return entries[text].label()
    for words in table.values():
        if text in words:
            return words[text]
    return i18n.gettext(text) if text else text
