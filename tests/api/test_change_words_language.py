"""Changes, story states and budget holds in the reader's language, not as stored codes."""

import pytest

from grandstrategy.strategy import service
from tests.api.test_locale_formats import page
from tests.api.test_pages import login
from tests.helpers import make_user


@pytest.fixture
def french_reader(client, session, loaded, operator):
    strat = service.current(session, operator)
    before = service.version_of(session, user=operator, strategy=strat)
    service.update_record(
        session, user=operator, component="objectives", rid="deter", changes={"status": "achieved"}
    )
    make_user(session, "lise", "reader", "UNCLASSIFIED")
    session.commit()
    login(client, "lise")
    return client, before


def test_history_names_changes_fields_and_values_in_french(french_reader):
    client, version = french_reader
    history = page(client, f"/strategy/history?v1={version}", "fr")
    assert "création" in history and "modification" in history
    assert "Statut : prévu → atteint" in history or "Statut: prévu → atteint" in history
    for code in (" create ", " update ", "planned", "achieved"):
        i = f" {history} ".find(code)
        assert i < 0, f" {history} "[max(0, i - 150) : i + 80]
    assert "modifié : Objectifs" in history or "modifié: Objectifs" in history


def test_record_history_names_changes_in_french(french_reader):
    client, _version = french_reader
    record = page(client, "/strategy/objectives/deter", "fr")
    assert "création" in record and "prévu → atteint" in record
    assert " update" not in record and "planned" not in record
