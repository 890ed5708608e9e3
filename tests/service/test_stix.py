"""STIX 2.1 export: valid bundles, markings carried, only what the reader may see."""

import json

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import service
from tests.helpers import NEWS, make_user
from tests.service.test_horizon import run

SECRET_NEWS = {
    "secret.txt": (
        "Kiwi-lagoon sources report that Wagner mercenaries trained saboteurs in Libya for "
        "attacks on European ports, according to intelligence shared by the French services."
    )
}


@pytest.fixture
def loaded(factory, operator, tmp_path):
    public, secret = tmp_path / "public", tmp_path / "secret"
    for folder, texts in ((public, NEWS), (secret, SECRET_NEWS)):
        folder.mkdir()
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
    run(factory, operator, [public], source="press")
    run(factory, operator, [secret], source="liaison", marking="SECRET")


def validate(bundle: dict) -> None:
    result = validate_string(json.dumps(bundle), ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    stix2.parse(bundle, allow_custom=False)  # the library reads it back


def test_bundle_validates_and_carries_markings(session, operator, loaded):
    bundle, marking = service.export_stix(session, user=operator)
    validate(bundle)
    assert str(marking) == "SECRET"
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    assert len(reports) == len(NEWS) + 1
    statements = {
        o["id"]: o["definition"]["statement"]
        for o in bundle["objects"]
        if o["type"] == "marking-definition" and o.get("definition_type") == "statement"
    }
    secret = next(r for r in reports if "Wagner" in r["name"] or r["name"].startswith("secret"))
    assert any(statements.get(ref, "").endswith("SECRET") for ref in secret["object_marking_refs"])
    assert stix2.TLP_RED.id in secret["object_marking_refs"]
    public = [r for r in reports if r is not secret]
    assert all(stix2.TLP_WHITE.id in r["object_marking_refs"] for r in public)
    # Actors named by reports are objects the reports point at.
    kinds = {o["type"] for o in bundle["objects"]}
    assert "location" in kinds
    ids = {o["id"] for o in bundle["objects"]}
    assert all(ref in ids for r in reports for ref in r["object_refs"])
    labels = {label for r in reports for label in r.get("labels", [])}
    assert {"hybrid", "cyber"} <= labels


def test_low_reader_gets_nothing_above_clearance(session, loaded):
    reader = make_user(session, "rita", "analyst", "RESTRICTED")
    bundle, marking = service.export_stix(session, user=reader)
    validate(bundle)
    text = json.dumps(bundle)
    assert "Kiwi-lagoon" not in text and "liaison" not in text
    assert "SECRET" not in text
    assert not any(o["type"] == "threat-actor" and o["name"] == "Wagner" for o in bundle["objects"])
    assert str(marking) == "UNCLASSIFIED"


def test_export_is_stable_and_filters(session, operator, loaded):
    first, _ = service.export_stix(session, user=operator)
    again, _ = service.export_stix(session, user=operator)
    assert first == again
    cyber, _ = service.export_stix(session, user=operator, category="cyber")
    assert 0 < sum(o["type"] == "report" for o in cyber["objects"]) < len(NEWS) + 1
    with pytest.raises(Invalid, match="hybird"):
        service.export_stix(session, user=operator, category="hybird")
