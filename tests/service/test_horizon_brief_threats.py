"""The brief by the strategy's threats: a story goes under the watched threat it matches, the
others under their category as other signals; a threat the reader may not see leaves no
trace in their brief; citations of assessments name their issuer in the reader's language."""

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import delete

from grandstrategy.core.i18n import language
from grandstrategy.horizon import assessments, brief, brief_service, pipeline, service
from grandstrategy.horizon.watch_models import Watch
from grandstrategy.strategy import service as strategy_service
from tests.helpers import NATO_TITLE, make_user, small_package
from tests.service.test_horizon_brief import DRONES, HACK
from tests.service.test_horizon_stories import CABLE, doc


@pytest.fixture
def world(factory, session, operator):
    strategy_service.import_package(session, user=operator, package=small_package())
    session.flush()
    pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Cable cut", CABLE, 2), doc("Drones", DRONES, 3), doc("Hack", HACK, 4)],
    )
    service.set_watch(session, user=operator, threat="invasion", terms=["drones", "cable"])
    service.set_watch(
        session,
        user=operator,
        threat="nato-tripwire",
        terms=["drones", "naval base", "jammers"],
        marking="RESTRICTED//NATO",
    )
    assessments.add_assessment(
        session,
        user=operator,
        issuer="Open think tank",
        issued=dt.date(2026, 3, 1),
        judgement="Drone flights over ports are probes. They will go on.",
        confidence="moderate",
        threats=["aggression"],
    )


def _sections(content):
    return {sec["key"]: sec for sec in content["sections"]}


def _plain(content):
    """The content without what differs between two builds of the same brief."""
    return {k: v for k, v in content.items() if k not in ("id", "changes")}


def test_sections_are_the_watched_threats_then_other_signals(session, operator, world):
    content = brief_service.build(session, user=operator, since="7d", freeze=False)
    secs = _sections(content)
    nato = secs["threat:nato-tripwire"]  # three reasons to one: the drones go under it
    assert nato["threat"] == "nato-tripwire" and nato["title"] == NATO_TITLE
    assert [s["story_id"] for s in nato["sentences"] if s["story_id"]]
    assert any("drones" in s["text"] for s in nato["sentences"])
    invasion = secs["threat:invasion"]
    assert any("cable" in s["text"] for s in invasion["sentences"])
    # the assessment of aggression is cited once, under the threat of that category
    cited = [
        s for sec in content["sections"] for s in sec["sentences"] if s["citation"]["assessment_id"]
    ]
    assert len(cited) == 1 and cited[0]["section"] == "threat:invasion"
    other = [sec for sec in content["sections"] if sec["threat"] is None]
    assert other and all(sec["key"] == f"category:{sec['category']}" for sec in other)
    assert any("hackers" in s["text"] for sec in other for s in sec["sentences"])
    keys = [sec["key"] for sec in content["sections"]]
    assert keys.index("threat:invasion") < keys.index(other[0]["key"])  # threats first
    assert content["marking"] == "RESTRICTED//NATO"  # it names the NATO threat
    assert content["support_rate"] == 1.0
    md = brief.to_markdown(content)
    assert f"## {NATO_TITLE} (nato-tripwire)" in md and "other signals" in md
    assert brief.to_docx(content)[:2] == b"PK" and brief.to_pdf(content).startswith(b"%PDF")


def test_a_hidden_threat_leaves_the_brief_as_if_it_did_not_exist(session, operator, world):
    low = make_user(session, "low-analyst", "analyst", "UNCLASSIFIED")
    seen = brief_service.build(session, user=low, since="7d", freeze=False)
    text = json.dumps(seen) + brief.to_markdown(seen)
    assert NATO_TITLE not in text and "nato-tripwire" not in text and "jammers" not in text
    assert seen["marking"] == "UNCLASSIFIED"
    secs = _sections(seen)
    assert any("drones" in s["text"] for s in secs["threat:invasion"]["sentences"])
    # now the threat and its watchlist are gone: the low reader's brief does not move
    strategy_service.update_record(
        session,
        user=operator,
        component="objectives",
        rid="deter",
        changes={"threats": ["invasion", "pandemic"]},
    )
    strategy_service.delete_record(session, user=operator, component="threats", rid="nato-tripwire")
    session.execute(delete(Watch).where(Watch.threat == "nato-tripwire"))
    session.flush()
    assert _plain(brief_service.build(session, user=low, since="7d", freeze=False)) == _plain(seen)
    high = brief_service.build(session, user=operator, since="7d", freeze=False)
    assert "threat:nato-tripwire" not in _sections(high)


def test_no_strategy_gives_category_sections(factory, session, operator):
    pipeline.ingest(factory, user=operator, items=[doc("Hack", HACK, 4)])
    content = brief_service.build(session, user=operator, since="7d", freeze=False)
    assert content["sections"] and all(sec["threat"] is None for sec in content["sections"])


def test_an_assessment_is_cited_with_its_issuer_in_the_readers_language():
    c = brief.Citation(None, None, 0, 10, "NATO", "UNCLASSIFIED", 7, "NATO", "2026-03-01")
    assert brief.cite(c) == "[assessment 7 by NATO, 2026-03-01]"
    for lang, word in (("fr", "évaluation"), ("nl", "beoordeling"), ("de", "Bewertung")):
        with language(lang):
            said = brief.cite(c)
        assert "NATO" in said and "2026-03-01" in said and word in said, said
        assert "assessment" not in said
    old = dataclasses.replace(c, issued="")  # frozen before the date was kept
    with language("fr"):
        assert brief.cite(old) == "[évaluation 7 de NATO]"
