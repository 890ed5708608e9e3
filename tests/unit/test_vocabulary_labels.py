"""Vocabularies carry their labels in French, Dutch and German, in their YAML files."""

import pytest

from grandstrategy.core import i18n
from grandstrategy.core.authz import registry
from grandstrategy.core.markings import scheme
from grandstrategy.horizon.taxonomy import load_taxonomy
from grandstrategy.resilience.catalogue import load_catalogue

TARGETS = ("fr", "nl", "de")


def entries():
    tax = load_taxonomy()
    for c in tax.categories:
        yield f"taxonomy category {c.id}", c
    cat = load_catalogue()
    for s in cat.sectors:
        yield f"resilience sector {s.id}", s
        for cr in s.criteria:
            yield f"criterion {s.id}/{cr.id}", cr
    for c in cat.cer_sectors:
        yield f"CER sector {c.id}", c
    for lv in cat.maturity_scale:
        yield f"maturity level {lv.level}", lv
    for lv in cat.consequence_scale:
        yield f"consequence level {lv.level}", lv
    for name, role in registry().roles.items():
        yield f"role {name}", role
    for lv in scheme().levels:
        yield f"marking level {lv.name}", lv


@pytest.mark.parametrize("lang", TARGETS)
def test_every_vocabulary_entry_has_a_label(lang):
    missing = [where for where, entry in entries() if lang not in entry.labels]
    assert not missing, f"{len(missing)} entries lack a {lang} label: " + ", ".join(missing[:20])


def test_label_follows_the_current_language():
    category = load_taxonomy().categories[0]
    with i18n.language("fr"):
        assert category.label() == category.labels.get("fr", category.name)
    with i18n.language("en"):
        assert category.label() == category.name


def test_unknown_label_language_is_refused():
    from grandstrategy.core.authz import RoleDef

    with pytest.raises(ValueError, match="xx"):
        RoleDef(description="d", actions=(), labels={"xx": "?"})
