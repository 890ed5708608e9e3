"""The rolling brief: cited, checked sentences; planted sentence refused; marking; memory."""

import dataclasses

from sqlalchemy import select

from grandstrategy.core.models import AuditEvent
from grandstrategy.horizon import brief, brief_service, pipeline
from grandstrategy.horizon.models import Document
from tests.helpers import make_user
from tests.service.test_horizon_stories import CABLE, doc

DRONES = (
    "Unidentified drones flew over the naval base of Zeebrugge for the third night in a row. "
    "The defence minister called it a hybrid operation and ordered jammers."
)
HACK = (
    "Russian military hackers broke into the networks of the Belgian foreign ministry and "
    "read diplomatic cables for months. The intrusion was found by the cyber centre."
)


def ingest(factory, user, docs):
    pipeline.ingest(factory, user=user, items=docs)


def test_every_sentence_occurs_in_its_citation_and_a_planted_one_is_refused(
    factory, session, operator
):
    ingest(
        factory,
        operator,
        [doc("Cable cut", CABLE, 2), doc("Drones", DRONES, 3), doc("Hack", HACK, 4, "SECRET")],
    )
    first = brief_service.build(session, user=operator, since="7d")
    sentences = [s for sec in first["sections"] for s in sec["sentences"]]
    assert sentences and first["support_rate"] == 1.0 and first["refused"] == []
    for s in sentences:
        d = session.get(Document, s["citation"]["document_id"])
        assert d.text[s["citation"]["start"] : s["citation"]["end"]] == s["text"]
    assert first["marking"] == "SECRET"  # it cites the secret hack report
    real = sentences[0]
    planted = brief.Sentence(
        "Moscow has ordered the cable cut personally.",
        brief.Citation(**real["citation"]),
        real["section"],
    )
    again = brief_service.build(session, user=operator, since="7d", planted=[planted], freeze=False)
    assert [r["text"] for r in again["refused"]] == [planted.text]
    assert again["refused"][0]["why"] == "not in the cited passage"
    assert again["support_rate"] == len(sentences) / (len(sentences) + 1)
    assert planted.text not in brief.to_markdown(again)
    copy = dataclasses.replace(planted, text=real["text"].upper().replace(" ", "  "))
    ok = brief_service.build(session, user=operator, since="7d", planted=[copy], freeze=False)
    assert ok["refused"] == []  # normalised: case and spacing do not matter


def test_a_low_reader_gets_no_secret_sentence_and_briefs_are_kept_and_compared(
    factory, session, operator
):
    low = make_user(session, "low-analyst", "analyst", "UNCLASSIFIED")
    ingest(factory, operator, [doc("Cable cut", CABLE, 2), doc("Hack", HACK, 4, "SECRET")])
    b1 = brief_service.build(session, user=low, since="7d")
    text = brief.to_markdown(b1)
    assert "hackers" not in text and b1["marking"] == "UNCLASSIFIED"
    ingest(factory, operator, [doc("Drones", DRONES, 5)])
    b2 = brief_service.build(session, user=low, since="7d")
    assert b2["changes"]["previous"] == b1["id"]
    assert len(b2["changes"]["new"]) == 1 and b2["changes"]["continuing"] == b1["stories"]
    kept = brief_service.get_brief(session, user=low, brief_id=b1["id"])
    assert kept["sections"] == b1["sections"]
    assert [b["id"] for b in brief_service.list_briefs(session, user=low)] == [b2["id"], b1["id"]]
    high = brief_service.build(session, user=operator, since="7d")
    assert high["id"] not in [b["id"] for b in brief_service.list_briefs(session, user=low)]
    frozen = (
        session.execute(select(AuditEvent).where(AuditEvent.action == "horizon.brief.freeze"))
        .scalars()
        .all()
    )
    assert len(frozen) == 3


def test_documents_render_in_every_format(factory, session, operator):
    ingest(factory, operator, [doc("Cable cut", CABLE, 2)])
    content = brief_service.build(session, user=operator, since="7d", freeze=False)
    assert brief.to_pdf(content).startswith(b"%PDF")
    assert brief.to_docx(content)[:2] == b"PK"
    assert "[doc " in brief.to_markdown(content)
