"""The strategy's vocabularies (strategy/vocabularies.yaml): typed, complete in the four
languages, the only source of the values the schemas accept."""

from importlib import resources

import pytest
from pydantic import TypeAdapter, ValidationError

from grandstrategy.core import i18n
from grandstrategy.core.errors import Invalid
from grandstrategy.core.terms import term
from grandstrategy.horizon.schemas import category_ids
from grandstrategy.strategy import schemas
from grandstrategy.strategy.vocabulary import (
    ENUMS,
    TARGETS,
    Entry,
    Level,
    Vocabularies,
    parse,
    vocabularies,
)
from grandstrategy.web.forms import FIELDS

FIELD_TYPES = {
    "strategy-status": schemas.StrategyStatus,
    "objective-status": schemas.ObjectiveStatus,
    "threat-kind": schemas.ThreatKind,
    "actor-kind": schemas.ActorKind,
    "capability-kind": schemas.CapabilityKind,
}


def _text() -> str:
    return resources.files("grandstrategy.strategy").joinpath("vocabularies.yaml").read_text()


def test_the_file_loads_into_typed_objects():
    v = vocabularies()
    assert isinstance(v, Vocabularies)
    assert all(isinstance(lv, Level) for lv in v.likelihood + v.impact)
    assert all(isinstance(e, Entry) for name in ENUMS for e in v.entries(name))
    assert {c.id for c in v.components} == set(schemas.COMPONENTS)


def test_every_entry_has_the_four_languages():
    v = vocabularies()
    words: list = [*v.likelihood, *v.impact]
    words += [p for d in v.posture for p in d.poles]
    words += [e for name in ENUMS for e in v.entries(name)]
    words += [w for c in v.components for w in (c.singular, c.plural, c.title)]
    for w in words:
        assert w.text and set(w.labels) == set(TARGETS), w


@pytest.mark.parametrize("name", ENUMS)
def test_a_field_accepts_exactly_the_yaml_ids(name):
    adapter = TypeAdapter(FIELD_TYPES[name])
    ids = schemas.vocabulary_ids(name)
    assert ids == tuple(e.id for e in vocabularies().entries(name))
    for value in ids:
        assert adapter.validate_python(value) == value
    with pytest.raises(ValidationError, match=f"unknown {name} 'nope'; known: {ids[0]}"):
        adapter.validate_python("nope")
    assert adapter.json_schema()["enum"] == list(ids)


def test_defaults_and_posture_fields_come_from_the_yaml():
    assert schemas.Objective.model_fields["status"].default in schemas.vocabulary_ids(
        "objective-status"
    )
    assert schemas.StrategyMeta.model_fields["status"].default in schemas.vocabulary_ids(
        "strategy-status"
    )
    assert tuple(schemas.Posture.model_fields) == schemas.posture_dimensions()


def test_a_threat_category_is_one_of_the_taxonomy():
    base = {"id": "t", "title": "T", "kind": "challenge", "horizon_years": 5}
    for cid in category_ids():
        assert schemas.Threat(**base, category=cid).category == cid
    assert "none" in category_ids()
    with pytest.raises(ValidationError, match="unknown category 'hybird'"):
        schemas.Threat(**base, category="hybird")


def test_the_category_select_offers_exactly_the_taxonomy():
    field = next(f for f in FIELDS["threats"] if f.name == "category")
    assert list(field.options) == category_ids()
    kinds = {f.name: f.vocabulary for f in FIELDS["actors"] + FIELDS["capabilities"]}
    assert kinds["kind"] in {"actor-kind", "capability-kind"}


def test_a_missing_language_is_refused_naming_the_entry():
    text = _text().replace('de: "Denkfabrik"', 'xx: "Denkfabrik"')
    assert text != _text()
    with pytest.raises(Invalid) as err:
        parse(text, "copy")
    details = " ".join(err.value.details)
    assert "actor-kind 'think-tank'" in details and "xx" in details


def test_a_label_missing_a_language_is_refused():
    text = _text().replace(
        'labels: {fr: "défi",\n             nl: "uitdaging",', 'labels: {fr: "défi",'
    )
    assert text != _text()
    with pytest.raises(Invalid) as err:
        parse(text)
    details = " ".join(err.value.details)
    assert "threat-kind 'challenge'" in details and "no nl label" in details


def test_a_duplicate_id_and_a_broken_scale_are_refused():
    dup = _text().replace('- id: "think-tank"', '- id: "agency"')
    with pytest.raises(Invalid) as err:
        parse(dup)
    assert "actor-kind: id 'agency' is listed twice" in " ".join(err.value.details)
    scale = _text().replace("likelihood:\n  - id: 1\n", "likelihood:\n  - id: 6\n")
    with pytest.raises(Invalid) as err:
        parse(scale)
    assert "likelihood" in " ".join(err.value.details)


def test_labels_follow_the_reader():
    with i18n.language("fr"):
        assert schemas.likelihood_labels()[5].startswith("quasi certain")
        assert schemas.component_title("interests") == "Intérêts vitaux"
        assert schemas.component_singular("objectives") == "objectif"
        assert term("think-tank", "actor-kind") == "groupe de réflexion"
        assert schemas.posture_poles()["ally_independent"][0] != "faithful ally"
    with i18n.language("de"):
        assert schemas.impact_labels()[1].startswith("gering")
    assert schemas.component_title("interests") == "Vital interests"
    assert term("think-tank", "actor-kind") == "think tank"
