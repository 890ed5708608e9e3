"""Watchlists tied to the strategy: set and read, a threat's signals, a passage's trace back to
the budget, review items for owners — and what a low-cleared reader does not see of them."""

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import select

from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import set_actors
from grandstrategy.core.models import AuditEvent
from grandstrategy.horizon import assessments, pipeline, service
from grandstrategy.horizon.analysis_models import Alert
from grandstrategy.horizon.models import Document, Passage
from grandstrategy.horizon.story_service import list_stories
from grandstrategy.horizon.watch_reviews import open_reviews
from grandstrategy.strategy import service as strategy_service
from tests.helpers import SECRET_TITLE, make_user, small_package
from tests.service.test_horizon_stories import doc

TANKS = (
    "Russian tank columns massed near the border of Estonia; the alliance raised its readiness "
    "and ministers met in Brussels."
)
CABLE = (
    "An undersea cable off the coast was cut; investigators found a trawler dragging its "
    "anchor across the seabed for hours."
)
FLOOD = "Rivers in the province of Liège burst their banks and hundreds of homes were evacuated."
HIDDEN = "A covert source reports that Russian officers planned the sabotage of the port."


@pytest.fixture
def strategy(session, operator):
    strategy_service.import_package(session, user=operator, package=small_package())
    session.flush()


def text_of(value) -> str:
    plain = dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
    return json.dumps(plain, default=str)


def test_a_watchlist_is_set_read_audited_and_cleared(session, operator, strategy):
    view = service.set_watch(
        session,
        user=operator,
        threat="invasion",
        categories=["aggression"],
        actors=["Russia", "org:wagner"],
        places=["euro-atlantic-east"],
        terms=["tank columns", "Tank  columns"],
    )
    assert view.actors == ["org:wagner", "state:RU"] and view.terms == ["tank columns"]
    assert view.names["state:RU"] == "Russia" and view.marking == "UNCLASSIFIED"
    again = service.get_watch(session, user=operator, threat="invasion")
    assert again.entries[0].updated_by == operator.username
    assert [w.threat for w in service.list_watches(session, user=operator)] == ["invasion"]
    actions = session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "watch")
    ).scalars()
    assert list(actions) == ["horizon.watch.set"]
    cleared = service.set_watch(session, user=operator, threat="invasion")
    assert cleared.entries == [] and service.list_watches(session, user=operator) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("categories", ["war"], "'war'"),
        ("actors", ["Narnia"], "'Narnia'"),
        ("places", ["atlantis"], "'atlantis'"),
        ("terms", ["x"], "'x'"),
        ("terms", [f"t{i}" for i in range(51)], "at most 50"),
    ],
)
def test_bad_input_is_refused_naming_it(session, operator, strategy, field, value, message):
    with pytest.raises(Invalid, match=message):
        service.set_watch(session, user=operator, threat="invasion", **{field: value})


def test_who_may_set_a_watchlist_and_on_what(session, operator, strategy):
    council = make_user(session, "cm", "council-member", "SECRET")
    with pytest.raises(Forbidden):
        service.set_watch(session, user=council, threat="invasion", terms=["tanks"])
    low = make_user(session, "low-analyst", "analyst", "RESTRICTED")
    with pytest.raises(NotFound):  # RESTRICTED//NATO: not theirs to see, so not to watch
        service.set_watch(session, user=low, threat="nato-tripwire", terms=["drones"])
    with pytest.raises(NotFound):
        service.set_watch(session, user=low, threat="no-such-threat", terms=["drones"])
    with pytest.raises(Invalid, match="above your clearance"):
        service.set_watch(session, user=low, threat="invasion", terms=["x1"], marking="SECRET")


def test_entries_at_several_markings_and_what_each_reader_sees(session, operator, strategy):
    service.set_watch(session, user=operator, threat="meddling", terms=["election"])
    secret = service.set_watch(
        session, user=operator, threat="meddling", terms=["zebra network"], marking="SECRET"
    )
    assert secret.terms == ["election", "zebra network"] and len(secret.entries) == 2
    low = make_user(session, "low", "analyst", "RESTRICTED")
    mine = service.get_watch(session, user=low, threat="meddling")
    assert mine.terms == ["election"] and mine.marking == "UNCLASSIFIED"
    assert "zebra" not in text_of(mine)
    assert "zebra" not in text_of(service.list_watches(session, user=low))
    # the low analyst sets the unclassified entry: the secret one is neither revealed nor touched
    service.set_watch(session, user=low, threat="meddling", terms=["ballot"])
    assert service.get_watch(session, user=operator, threat="meddling").terms == [
        "ballot",
        "zebra network",
    ]


def test_a_threats_stories_alerts_and_assessments_as_a_low_reader_sees_them(
    factory, session, operator, strategy
):
    low = make_user(session, "low", "analyst", "UNCLASSIFIED")
    service.set_watch(
        session, user=operator, threat="invasion", actors=["state:RU"], terms=["trawler"]
    )
    pipeline.ingest(
        factory,
        user=operator,
        items=[
            doc("Tanks at the border", TANKS, 2),
            doc("Cable cut", CABLE, 3),
            doc("Floods", FLOOD, 4),
        ],
    )
    before = service.threat_signals(session, user=low, threat="invasion")
    assert sorted(m.story.title for m in before.stories) == ["Cable cut", "Tanks at the border"]
    cable = next(m for m in before.stories if m.story.title == "Cable cut")
    assert cable.reasons == ["term:trawler"]
    pipeline.ingest(factory, user=operator, items=[doc("Port plot", HIDDEN, 5, "SECRET")])
    for when, issuer, marking in [(1, "NATO", "UNCLASSIFIED"), (2, "Zebra desk", "SECRET")]:
        assessments.add_assessment(
            session,
            user=operator,
            issuer=issuer,
            issued=dt.date(2026, 3, when),
            judgement=f"{issuer} judges aggression likely.",
            confidence="high" if when == 1 else "low",
            threats=["aggression"],
            marking=marking,
        )
    session.flush()
    seen = service.threat_signals(session, user=low, threat="invasion")
    assert [(m.story.id, m.story.size) for m in seen.stories] == [
        (m.story.id, m.story.size) for m in before.stories
    ]
    assert [a.issuer for a in seen.assessments] == ["NATO"] and not seen.assessments_differ
    assert seen.marking == "UNCLASSIFIED"
    assert "Port plot" not in text_of(seen) and "Zebra" not in text_of(seen)
    high = service.threat_signals(session, user=operator, threat="invasion")
    assert "Port plot" in [m.story.title for m in high.stories] and high.assessments_differ
    assert high.marking == "SECRET"
    with pytest.raises(NotFound):
        service.threat_signals(session, user=low, threat="nato-tripwire")


def test_a_passage_traces_back_to_the_budget_line(factory, session, operator, strategy):
    service.set_watch(session, user=operator, threat="invasion", actors=["state:RU"])
    service.set_watch(session, user=operator, threat="meddling", terms=["ballot boxes"])
    pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Tanks", TANKS, 2), doc("Ballots", "Ballot boxes were stolen in Russia.", 3)],
    )
    tanks = session.execute(
        select(Passage.id).join(Document).where(Document.title == "Tanks")
    ).scalar_one()
    tr = service.passage_trace(session, user=operator, passage_id=tanks)
    [t] = tr.threats
    assert (t.id, t.reasons, t.interests) == (
        "invasion",
        ["actor:state:RU"],
        [("safety", "Safety of citizens")],
    )
    [o] = t.objectives
    assert (o.id, o.owner, o.owner_name, o.deadline) == (
        "deter",
        "defence",
        "Ministry of Defence",
        dt.date(2035, 6, 30),
    )
    [c] = o.capabilities
    assert (c.id, c.budget, c.currency, c.lines[0]["year"]) == ("army", 1000000, "EUR", 2026)
    ballots = session.execute(
        select(Passage.id).join(Document).where(Document.title == "Ballots")
    ).scalar_one()
    high = service.passage_trace(session, user=operator, passage_id=ballots)
    assert {t.id for t in high.threats} == {"invasion", "meddling"}
    meddling = next(t for t in high.threats if t.id == "meddling")
    assert {o.id for o in meddling.objectives} == {"protect-elections", "zebra-cell"}
    assert high.marking == "CONFIDENTIAL"
    low = make_user(session, "low", "analyst", "UNCLASSIFIED")
    seen = service.passage_trace(session, user=low, passage_id=ballots)
    meddling = next(t for t in seen.threats if t.id == "meddling")
    assert [o.id for o in meddling.objectives] == ["protect-elections"]
    assert SECRET_TITLE not in text_of(seen) and "zebra" not in text_of(seen)
    assert seen.marking == "UNCLASSIFIED"
    reader = make_user(session, "outsider", "reader")
    with pytest.raises(Forbidden):
        service.passage_trace(session, user=reader, passage_id=ballots)
    with pytest.raises(NotFound):
        service.passage_trace(session, user=low, passage_id=10**9)


def _alert(session, marking: str, actor: str, stories: list[int] | None = None) -> Alert:
    a = Alert(
        key=f"{marking}|burst||{actor}|2026-03-02",
        kind="burst",
        category="",
        actor=actor,
        start=dt.date(2026, 3, 2),
        score=4.0,
        stories=stories or [],
    )
    a.marking = Marking.parse(marking)
    session.add(a)
    session.flush()
    return a


def test_an_alert_on_a_watched_threat_opens_one_item_per_owner_it_may_reach(
    session, operator, strategy
):
    open_alert = _alert(session, "UNCLASSIFIED", "state:RU")
    secret_alert = _alert(session, "SECRET", "state:RU")
    dora = make_user(session, "dora", "contributor", "RESTRICTED")
    set_actors(session, dora.user_id, ["defence"])
    service.set_watch(session, user=operator, threat="invasion", actors=["state:RU"])
    [item] = service.list_reviews(session, user=dora)
    assert (item.alert["id"], item.owner, item.threat, item.objectives) == (
        open_alert.id,
        "defence",
        "invasion",
        [("deter", "Credible deterrence")],
    )
    assert item.reasons == ["actor:state:RU"] and item.can_close
    assert open_reviews(session) == 0  # idempotent
    # no member of defence may read the SECRET alert: no item from it, for anyone
    every = service.list_reviews(session, user=operator, status=None)
    assert [r.alert["id"] for r in every] == [open_alert.id]
    assert secret_alert.id not in [r.alert["id"] for r in every]
    # an owner without members is taken at its objective's marking
    service.set_watch(session, user=operator, threat="meddling", actors=["state:RU"])
    intel = [r for r in service.list_reviews(session, user=operator) if r.owner == "intel"]
    assert [(r.alert["id"], r.marking) for r in intel] == [(open_alert.id, "UNCLASSIFIED")]
    conf = _alert(session, "CONFIDENTIAL", "state:RU")
    assert open_reviews(session) == 1  # intel holds a CONFIDENTIAL objective; defence no member
    high = [r for r in service.list_reviews(session, user=operator) if r.owner == "intel"]
    assert [r.marking for r in high] == ["CONFIDENTIAL"]  # the highest copy the reader sees
    assert high[0].alert["id"] == conf.id
    assert {o for o, _t in high[0].objectives} == {"protect-elections", "zebra-cell"}
    assert [r.alert["id"] for r in service.list_reviews(session, user=dora)] == [open_alert.id]


def test_an_owner_closes_their_item_with_a_note(session, operator, strategy):
    _alert(session, "UNCLASSIFIED", "state:RU")
    dora = make_user(session, "dora", "contributor", "RESTRICTED")
    set_actors(session, dora.user_id, ["defence"])
    ivan = make_user(session, "ivan", "contributor", "SECRET")
    set_actors(session, ivan.user_id, ["intel"])
    sec = make_user(session, "sec", "analyst", "SECRET")
    service.set_watch(session, user=operator, threat="invasion", actors=["state:RU"])
    [item] = service.list_reviews(session, user=dora)
    assert service.list_reviews(session, user=ivan) == []  # not intel's
    with pytest.raises(NotFound):
        service.close_review(session, user=ivan, review_id=item.id, note="not mine")
    [seen] = service.list_reviews(session, user=sec)  # the secretariat follows every owner
    assert not seen.can_close
    with pytest.raises(Forbidden, match="defence"):
        service.close_review(session, user=sec, review_id=item.id, note="done")
    with pytest.raises(Invalid, match="note"):
        service.close_review(session, user=dora, review_id=item.id, note="  ")
    closed = service.close_review(
        session, user=dora, review_id=item.id, note="Readiness exercise brought forward."
    )
    assert (closed.status, closed.closed_by) == ("closed", "dora")
    assert service.list_reviews(session, user=dora) == []
    [kept] = service.list_reviews(session, user=dora, status="closed")
    assert kept.note == "Readiness exercise brought forward."
    with pytest.raises(Conflict):
        service.close_review(session, user=dora, review_id=item.id, note="again")
    reader = make_user(session, "outsider", "reader")
    with pytest.raises(Forbidden):
        service.list_reviews(session, user=reader)
    events = session.execute(
        select(AuditEvent.action).where(AuditEvent.object_type == "watch-review")
    ).scalars()
    assert list(events) == ["horizon.watch.review.open", "horizon.watch.review.close"]


def test_alerts_concern_a_threat_through_their_stories_as_their_own_view_sees_them(
    factory, session, operator, strategy
):
    dora = make_user(session, "dora", "contributor", "SECRET")
    set_actors(session, dora.user_id, ["defence"])
    pipeline.ingest(factory, user=operator, items=[doc("Cable cut", CABLE, 2)])
    pipeline.ingest(factory, user=operator, items=[doc("Port plot", HIDDEN, 3, "SECRET")])
    stories = {s.title: s.id for s in list_stories(session, user=operator)}
    # an unclassified alert resting on both stories: only the visible one may make it match
    plain = _alert(
        session, "UNCLASSIFIED", "state:FR", [stories["Cable cut"], stories["Port plot"]]
    )
    service.set_watch(session, user=operator, threat="invasion", terms=["sabotage"])
    assert service.list_reviews(session, user=dora) == []  # "sabotage" is only in the SECRET one
    service.set_watch(session, user=operator, threat="invasion", terms=["sabotage", "trawler"])
    [item] = service.list_reviews(session, user=dora)
    assert item.alert["id"] == plain.id and item.reasons == ["term:trawler"]


def test_ingestion_opens_the_items_of_new_alerts(factory, session, operator, strategy):
    dora = make_user(session, "dora", "contributor", "RESTRICTED")
    set_actors(session, dora.user_id, ["defence"])
    service.set_watch(session, user=operator, threat="invasion", actors=["state:RU"])
    assert service.list_reviews(session, user=dora) == []
    alert = _alert(session, "UNCLASSIFIED", "state:RU")  # as the refresh after a batch finds it
    session.commit()
    pipeline.ingest(factory, user=operator, items=[doc("Floods", FLOOD, 4)])
    assert [r.alert["id"] for r in service.list_reviews(session, user=dora)] == [alert.id]
