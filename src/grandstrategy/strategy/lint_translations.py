"""Lint of translations: texts not yet translated into a content language, and translations
older than the source text they were made from (see ``translations.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from grandstrategy.core.i18n import _
from grandstrategy.strategy.findings import Finding, _finding, label, plural
from grandstrategy.strategy.schemas import COMPONENTS, Package
from grandstrategy.strategy.translations import TRANSLATABLE, state


def language_name(lang: str) -> str:
    """``French`` (in English), ``français`` (in French): a language named for the reader."""
    from babel import Locale

    from grandstrategy.core.i18n import current

    return str(Locale.parse(lang).get_language_name(current()) or lang)


def check(pkg: Package, languages: Iterable[str]) -> list[Finding]:
    """Texts with no translation in a content language (one finding per component and
    language, so a strategy half-way through translation is not buried in warnings), and
    translations older than their source (one per record and language)."""
    out = []
    groups: list[tuple[str, list[Any]]] = [("strategy", [pkg.strategy])]
    groups += [(c, getattr(pkg, c)) for c in COMPONENTS]
    for lang in languages:
        name = language_name(lang)
        for comp, records in groups:
            lacking, fields = [], []
            for rec in records:
                missing, stale = state(TRANSLATABLE[comp], rec.model_dump(mode="json"), lang)
                if missing:
                    lacking.append(rec.id)
                    fields = missing
                if stale:
                    what = label(comp, rec) if comp != "strategy" else _("the strategy")
                    msg = _("{record}: the {language} text of {fields} is older than its source")
                    out.append(
                        _finding(
                            "translation-stale",
                            comp,
                            "" if comp == "strategy" else rec.id,
                            msg.format(record=what, language=name, fields=", ".join(stale)),
                            _(
                                "Bring the {language} text up to date, then remove its line "
                                "under translated_from."
                            ).format(language=name),
                        )
                    )
            if lacking:
                shown = ", ".join(lacking[:8]) + (" …" if len(lacking) > 8 else "")
                msg = _("{n} of the {what} have texts with no {language} translation: {ids}")
                text = msg.format(n=len(lacking), what=plural(comp), language=name, ids=shown)
                if comp == "strategy":
                    text = _("the strategy's {fields} have no {language} translation").format(
                        fields=", ".join(fields), language=name
                    )
                out.append(
                    _finding(
                        "translation-missing",
                        comp,
                        "",
                        text,
                        _(
                            "Add the {language} text beside the English one, e.g. "
                            "title: {{en: ..., {code}: ...}}."
                        ).format(language=name, code=lang),
                    )
                )
    return out
