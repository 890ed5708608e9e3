"""What the help page explains (actions, compartments, scales, posture, lint rules) exists in
French, Dutch and German: as YAML labels or as catalog messages."""

import pytest
from babel.messages.pofile import read_po

from grandstrategy.core import i18n
from grandstrategy.core.authz import Registry, registry
from grandstrategy.core.markings import scheme
from grandstrategy.strategy.schemas import impact_labels, likelihood_labels, posture_poles
from grandstrategy.strategy.service import LINT_RULES
from tests import catalogs

TARGETS = ("fr", "nl", "de")


@pytest.mark.parametrize("lang", TARGETS)
def test_every_action_and_compartment_has_a_label(lang):
    reg = registry()
    missing = [a for a in reg.actions if lang not in reg.action_labels.get(a, {})]
    missing += [c.name for c in scheme().compartments if lang not in c.labels]
    assert not missing, f"no {lang} label for {missing}"


def test_action_label_follows_the_reader():
    with i18n.language("nl"):
        assert (
            registry().action_label("audit.read") == "Het auditlogboek raadplegen en controleren."
        )
    assert registry().action_label("audit.read", "en") == "Read and verify the audit log."


def test_labels_for_an_unknown_action_are_refused():
    with pytest.raises(ValueError, match=r"nope\.read"):
        Registry(actions={"a.read": "Read."}, roles={}, action_labels={"nope.read": {"fr": "x"}})


def _english_texts() -> list[str]:
    return [desc for _severity, desc in LINT_RULES.values()]


def _scale_texts(lang: str) -> list[str]:
    texts = [*likelihood_labels(lang).values(), *impact_labels(lang).values()]
    return texts + [pole for poles in posture_poles(lang).values() for pole in poles]


@pytest.mark.parametrize("lang", TARGETS)
def test_scales_and_poles_have_their_words_in_the_vocabulary_yaml(lang):
    english = _scale_texts("en")
    shown = _scale_texts(lang)
    assert len(shown) == len(english)
    assert not [t for t, e in zip(shown, english, strict=True) if t == e and t != "possible"]


@pytest.mark.parametrize("lang", TARGETS)
def test_lint_rules_are_in_the_catalog(lang):
    with (catalogs.LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = [t for t in _english_texts() if not (m := catalog.get(t)) or not m.string]
    assert not missing, missing
