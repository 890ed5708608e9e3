"""What other packages may read of horizon without loading its engine: the names of the threat
taxonomy's categories, in the reader's language.

Pages, editions and the CLI show a category by its name ("Cyberattaques"); its id ("cyber")
stays in links, forms and machine output. A brief's ``Citation`` is here too: pages print
the citations of a frozen brief with ``service.cite``; and the taxonomy itself, with its rules,
for the pages, the API and the CLI that show it.
"""

from __future__ import annotations

from grandstrategy.horizon.brief import Citation as Citation  # a brief's source, to cite
from grandstrategy.horizon.taxonomy import Taxonomy, load_taxonomy


def taxonomy() -> Taxonomy:
    """The threat taxonomy: its categories, the interests they endanger, their rules."""
    return load_taxonomy()


def category_ids() -> list[str]:
    """The threat taxonomy's category ids, in its order (what a category filter offers)."""
    return load_taxonomy().ids()


def category_label(category_id: str, lang: str | None = None) -> str:
    """A category's name in ``lang`` (default: the current language); an id the taxonomy
    does not know (a combination such as ``cyber+disinformation``, say) is shown as it is."""
    for category in load_taxonomy().categories:
        if category.id == category_id:
            return category.label(lang)
    return category_id
