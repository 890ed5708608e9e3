"""External assessments (two issuers differing on one threat) and partners compared."""

import dataclasses
import datetime as dt

import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import assessments, partners, pipeline
from grandstrategy.horizon.analysis_example import ASSESSMENTS, _path
from grandstrategy.horizon.ingest.readers import read_path
from tests.helpers import make_user
from tests.service.test_horizon_stories import doc


def test_two_issuers_differing_on_one_threat_are_both_shown(session, operator):
    for a in ASSESSMENTS:
        assessments.add_assessment(session, user=operator, **a)
    hybrid = assessments.by_threat(session, user=operator)["hybrid"]
    assert hybrid["differ"] and {a.confidence for a in hybrid["assessments"]} == {
        "high",
        "moderate",
    }
    low = make_user(session, "low-assess", "analyst", "UNCLASSIFIED")
    seen = assessments.list_assessments(session, user=low, threat="hybrid")
    assert [a.marking for a in seen] == ["UNCLASSIFIED"]  # the NATO one is RESTRICTED//NATO
    assert not assessments.by_threat(session, user=low)["hybrid"]["differ"]
    with pytest.raises(Invalid, match="unknown threat"):
        assessments.add_assessment(
            session,
            user=operator,
            issuer="X",
            issued=dt.date(2026, 1, 1),
            judgement="J.",
            confidence="high",
            threats=["weather"],
        )
    with pytest.raises(Invalid, match="confidence"):
        assessments.add_assessment(
            session,
            user=operator,
            issuer="X",
            issued=dt.date(2026, 1, 1),
            judgement="J.",
            confidence="sure",
            threats=["cyber"],
        )


def test_a_shared_label_about_different_regions_is_shown_as_different(factory, session, operator):
    pipeline.ingest(factory, user=operator, items=read_path(_path("partners.jsonl")))
    result = partners.compare(session, user=operator)
    names = [p.partner for p in result.profiles]
    assert {
        "NATO",
        "EU",
        "Japan",
        "Australia",
        "South Korea",
        "New Zealand",
        "United States",
    } <= set(names)
    prof = {p.partner: p for p in result.profiles}
    assert prof["NATO"].lens["aggression"] == {"euro-atlantic-east": 1.0}
    assert set(prof["Japan"].lens["aggression"]) == {"indo-pacific"}
    pair = next(
        x
        for x in result.pairs
        if {x["a"], x["b"]} == {"Japan", "NATO"} and x["category"] == "aggression"
    )
    assert pair["different"] and pair["alignment"] == 0.0 and pair["emphasis"] > 0.5
    same = next(
        x
        for x in result.pairs
        if {x["a"], x["b"]} == {"EU", "NATO"} and x["category"] == "aggression"
    )
    assert not same["different"] and same["referent"] == 1.0
    for p in result.profiles:
        assert all(0 < v <= 1 for v in p.shares.values())


def test_a_low_reader_sees_no_partner_passage_above_clearance(factory, session, operator):
    secret = dataclasses.replace(
        doc(
            "Secret annex",
            "The armed attack we fear most would come from Iran against our bases.",
            1,
            "SECRET",
        ),
        source="partner:NATO",
    )
    pipeline.ingest(factory, user=operator, items=[secret])
    low = make_user(session, "low-partner", "analyst", "UNCLASSIFIED")
    assert partners.compare(session, user=low).profiles == []
    assert [p.partner for p in partners.compare(session, user=operator).profiles] == ["NATO"]
