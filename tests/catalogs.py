"""The interface's message catalogs: extract, update, check.

    python -m tests.catalogs update [fr|nl|de ...]   # extract, merge into the .po files
    python -m tests.catalogs check [fr|nl|de ...]    # what tests/unit/test_catalogs.py asserts

Strings are marked with ``_()``, ``gettext()``, ``ngettext()``, ``pgettext()`` or ``lazy()`` in
Python and ``{{ _("...") }}`` / ``{% trans %}`` in templates (pages and editions). A catalog is
complete when every extracted message has a translation and none is fuzzy.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "grandstrategy"
LOCALE = PACKAGE / "locale"
TARGETS = ("fr", "nl", "de")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy": None,
}
METHODS = [
    ("migrations/**.py", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.j2", "jinja2"),
]
JINJA = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def extract() -> Catalog:
    """Every marked message in the package, with where it occurs."""
    catalog = Catalog(project="grandstrategy", domain="messages")
    options = {"**/templates/**.html": JINJA, "**/templates/**.j2": JINJA}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHODS, options, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(
            message, locations=[(filename, lineno)], auto_comments=comments, context=context
        )
    return catalog


def load(lang: str) -> Catalog:
    path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return Catalog(locale=lang, project="grandstrategy", domain="messages")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def update(languages: tuple[str, ...] = TARGETS) -> None:
    template = extract()
    for lang in languages:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(
                fh, catalog, width=100, omit_header=False, sort_output=True, ignore_obsolete=True
            )


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """Messages missing from, untranslated in, or fuzzy in ``lang``'s catalog."""
    template = template or extract()
    catalog = load(lang)
    found: list[str] = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if entry is None:
            found.append(f"{lang}: missing {message.id!r} ({where})")
        elif entry.fuzzy:
            found.append(f"{lang}: fuzzy {message.id!r} ({where})")
        elif not (all(entry.string) if isinstance(entry.string, tuple) else entry.string):
            found.append(f"{lang}: untranslated {message.id!r} ({where})")
    return found


def main(argv: list[str]) -> int:
    languages = tuple(a for a in argv[1:] if a in TARGETS) or TARGETS
    if argv[:1] == ["update"]:
        update(languages)
        return 0
    template = extract()
    total = sum(1 for m in template if m.id)
    bad = [p for lang in languages for p in problems(lang, template)]
    for line in bad:
        print(line)
    print(f"{total} messages; {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
