"""Read auditing reaches foresight responses: document lists and search write one read event."""

import json

import pytest

from tests.api.test_trust_api import read_events

ALL = ["NATO", "EU", "NATIONAL-ONLY"]
CONF_WORD = "Quokka"  # only in the CONFIDENTIAL document
CONF_TEXT = (
    f"{CONF_WORD} unit report\n\nA cyber attack attributed to a hostile intelligence service "
    f"targeted a ministry's classified network; the {CONF_WORD} unit traced it."
)


def upload(client, headers, name: str, text: str, **form: str):
    return client.post(
        "/api/horizon/documents", files={"file": (name, text.encode())}, data=form, headers=headers
    )


@pytest.fixture
def conf_doc(client, token_for):
    h = token_for("analyst", "SECRET", ALL)
    r = upload(client, h, "conf.txt", CONF_TEXT, source="src-conf", marking="CONFIDENTIAL")
    assert r.status_code == 201, r.text
    return h, r.json()["document_ids"][0]


@pytest.mark.parametrize(
    "path, params",
    [("/api/horizon/search", {"q": CONF_WORD}), ("/api/horizon/documents", {})],
)
def test_foresight_lists_showing_a_confidential_document_write_one_read_event(
    client, session, conf_doc, path, params
):
    h, _doc_id = conf_doc
    r = client.get(path, params=params, headers=h)
    assert r.status_code == 200 and CONF_WORD in r.text, r.text
    (event,) = read_events(session, r)
    records = json.loads(event.after)["records"]
    assert {rec["marking"] for rec in records} == {"CONFIDENTIAL"}
    assert {rec["type"] for rec in records} & {"horizon_documents", "horizon_passages"}


def test_a_reader_who_sees_nothing_classified_leaves_no_read_event(
    client, session, conf_doc, token_for
):
    low = token_for("analyst", "RESTRICTED", ALL)
    r = client.get("/api/horizon/search", params={"q": "cyber"}, headers=low)
    assert r.status_code == 200 and CONF_WORD not in r.text
    assert read_events(session, r) == []
