"""What the help page explains (actions, compartments, scales, posture, lint rules) exists in
French, Dutch and German: as YAML labels or as catalog messages."""

import pytest
from babel.messages.pofile import read_po

from grandstrategy.core import i18n
from grandstrategy.core.authz import Registry, registry
from grandstrategy.core.markings import scheme
from grandstrategy.strategy.schemas import IMPACT, LIKELIHOOD, POSTURE
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
    texts = [*LIKELIHOOD.values(), *IMPACT.values()]
    texts += [pole for poles in POSTURE.values() for pole in poles]
    texts += [desc for _severity, desc in LINT_RULES.values()]
    return texts


@pytest.mark.parametrize("lang", TARGETS)
def test_scales_poles_and_lint_rules_are_in_the_catalog(lang):
    with (catalogs.LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = [t for t in _english_texts() if not (m := catalog.get(t)) or not m.string]
    assert not missing, missing
