"""Alerts as documents arrive: what a low reader sees does not move with hidden reports,
they come within a minute of ingestion, and partners' strategies are not news."""

import dataclasses
import datetime as dt

from grandstrategy.horizon import alerts, analysis, partners, pipeline, story_service
from grandstrategy.horizon.analysis_example import _path
from grandstrategy.horizon.ingest.readers import read_path
from tests.helpers import make_user
from tests.service.test_horizon_stories import doc

WAVE = [  # one actor, two grey-zone categories, eight separate events in three days
    (
        "Hospital ransomware",
        "Ransomware locked the records of a hospital in Liège; the "
        "Centre for Cybersecurity Belgium blamed a gang operating from Russia.",
    ),
    (
        "Cloned newspaper",
        "A cloned copy of Le Soir invented articles about troops for "
        "Ukraine; researchers traced this disinformation to Russia.",
    ),
    (
        "Port website offline",
        "Hackers claimed a denial-of-service attack that took the "
        "Antwerp port authority website offline; they boasted of serving Russia.",
    ),
    (
        "Bots and energy bills",
        "Thousands of bot accounts spread a false claim that electricity "
        "bills would triple, a disinformation campaign run from Russia.",
    ),
    (
        "Phishing at defence",
        "Defence staff received phishing mails with fake exercise "
        "invitations; the malware belongs to a Russian military intelligence unit.",
    ),
    (
        "Deepfake minister",
        "A deepfake audio clip of a Flemish minister insulting farmers went "
        "round Telegram channels relaying Russian propaganda and disinformation.",
    ),
    (
        "Water utility intrusion",
        "Intruders reached the control systems of a water utility "
        "near Namur with malware Russia used in Ukraine before; a cyber attack.",
    ),
    (
        "Doctored riot video",
        "A doctored video of a riot in Brussels spread by accounts "
        "linked to Russia; fact-checkers called it disinformation.",
    ),
]


def campaign(marking=None, shift=0, prefix="", note=""):
    """Eight reports over three days from 2026-03-16 (+ ``shift`` days): cyber and
    disinformation by Russia."""
    return [
        dataclasses.replace(
            doc(prefix + title, text + note, 16, marking),
            date=dt.date(2026, 3, 16) + dt.timedelta(days=shift + i // 3),
        )
        for i, (title, text) in enumerate(WAVE)
    ]


def seen(session, user):
    return sorted(
        (a.kind, a.category, a.actor, a.start, a.score, a.stories, a.marking)
        for a in alerts.list_alerts(session, user=user)
    )


def test_a_low_reader_sees_the_same_alerts_whatever_is_hidden(factory, session, operator):
    low = make_user(session, "low-alerts", "analyst", "UNCLASSIFIED")
    session.commit()
    pipeline.ingest(factory, user=operator, items=campaign())
    before = seen(session, low)
    assert any(kind == "burst" and actor == "state:RU" for kind, _c, actor, *_r in before)
    assert {m for *_rest, m in before} == {"UNCLASSIFIED"}
    # A SECRET wave two months later and SECRET copies of the campaign: the SECRET view finds
    # more, the low reader's alerts (kinds, scores, stories, dates) do not move.
    pipeline.ingest(
        factory,
        user=operator,
        items=campaign("SECRET", 60, "Secret: ", " Our source named the unit.")
        + campaign("SECRET", 0, "", " Our source named the officer."),
    )
    session.expire_all()
    assert seen(session, low) == before
    high = seen(session, operator)
    assert any(m == "SECRET" for *_rest, m in high)
    assert not any(m != "UNCLASSIFIED" for *_rest, m in seen(session, low))
    low_story_ids = {s.id for s in story_service.list_stories(session, user=low)}
    for a in alerts.list_alerts(session, user=low):
        assert set(a.stories) <= low_story_ids  # no story behind an alert is hidden


def test_an_alert_comes_within_a_minute_of_ingestion(factory, session, operator):
    analysis.LAST_SECONDS.clear()
    pipeline.ingest(factory, user=operator, items=campaign())
    assert alerts.list_alerts(session, user=operator)
    assert analysis.LAST_SECONDS and analysis.LAST_SECONDS[-1] < 60


def test_partners_strategies_are_compared_but_are_not_stories(factory, session, operator):
    pipeline.ingest(factory, user=operator, items=list(read_path(_path("partners.jsonl"))))
    assert story_service.list_stories(session, user=operator) == []
    assert story_service.unassigned(session, use_encoder=False) == []  # not left waiting
    assert alerts.list_alerts(session, user=operator) == []
    names = {p.partner for p in partners.compare(session, user=operator).profiles}
    assert {"NATO", "EU", "Japan"} <= names
