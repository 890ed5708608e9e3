"""Vocabulary values (statuses, kinds, ratings) in the reader's words (core/terms.py)."""

import pytest

from grandstrategy.core import i18n
from grandstrategy.core.terms import term, vocabularies
from grandstrategy.delivery import schemas as delivery
from grandstrategy.strategy import schemas as strategy

# Each vocabulary and the values it must cover (the strategy's come from its vocabularies.yaml).
ENUMS = {
    "strategy-status": strategy.vocabulary_ids("strategy-status"),
    "objective-status": strategy.vocabulary_ids("objective-status"),
    "threat-kind": strategy.vocabulary_ids("threat-kind"),
    "actor-kind": strategy.vocabulary_ids("actor-kind"),
    "capability-kind": strategy.vocabulary_ids("capability-kind"),
    "checkin-status": delivery.OwnerStatus,
    "rating": delivery.Rating,
    "trajectory": delivery.Trajectory,
    "framework": delivery.Framework,
    "measure": delivery.Measure,
    "proposal": delivery.ProposalAction,
}


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_every_enum_value_has_its_words(name):
    values = {getattr(m, "value", m) for m in ENUMS[name]}
    assert values <= set(vocabularies()[name])


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_every_value_is_translated(lang):
    same = []
    for name, values in vocabularies().items():
        for value in values:
            with i18n.language("en"):
                english = term(value, name)
            with i18n.language(lang):
                if term(value, name) == english and english not in {"cyber", "EU", "NATO"}:
                    same.append(f"{name}/{value}")
    # a few words are the same in some languages (police, personnel, bilateral, …)
    assert len(same) <= 6, same


def test_the_vocabulary_decides_between_two_meanings():
    with i18n.language("fr"):
        assert term("approved", "strategy-status") == "approuvée"
        assert term("achieved") == "atteint"
        assert term("on", "trajectory") == "dans les temps"
        assert term("none", "rating") == "non évalué"
    with i18n.language("en"):
        assert term("on-track", "objective-status") == "on track"
        assert term("amber-green", "rating") == "amber-green"


def test_unknown_values_fall_back_to_the_catalog_then_to_themselves():
    with i18n.language("de"):
        assert term("category") == i18n.gettext("category") != "category"
        assert term("no-such-value") == "no-such-value"
        assert term("") == ""
