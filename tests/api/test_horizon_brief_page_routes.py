"""Freezing a brief from its page: for those who may freeze (as the API), CSRF-protected,
audited, the message in the reader's language; sections by the strategy's threats, a hidden
threat never named to a low reader."""

import re
from urllib.parse import unquote

from sqlalchemy import select

from grandstrategy.core.models import AuditEvent
from grandstrategy.horizon import pipeline, service
from tests.api.test_pages import csrf, login
from tests.helpers import NATO_TITLE, make_user
from tests.service.test_horizon_brief import DRONES, HACK
from tests.service.test_horizon_stories import CABLE, doc

FR = {"Accept-Language": "fr"}


def test_freeze_a_brief_from_the_page(client, session, factory, operator, loaded):
    pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Cable cut", CABLE, 2), doc("Drones", DRONES, 3), doc("Hack", HACK, 4)],
    )
    service.set_watch(session, user=operator, threat="invasion", terms=["cable", "drones"])
    service.set_watch(
        session,
        user=operator,
        threat="nato-tripwire",
        terms=["drones", "naval base"],
        marking="RESTRICTED//NATO",
    )
    make_user(session, "freezer", "analyst", "UNCLASSIFIED")
    make_user(session, "officer", "resilience-officer", "SECRET")
    session.commit()

    login(client, "freezer")
    page = client.get("/horizon/briefs", headers=FR)
    assert 'data-testid="freeze-brief"' in page.text
    token = csrf(page.text)
    refused = client.post("/horizon/briefs", data={"since": "7d"}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    bad = client.post("/horizon/briefs", data={"since": "last week", "csrf_token": token})
    assert bad.status_code == 422 and "--since" in bad.text and "last week" in bad.text
    r = client.post(
        "/horizon/briefs",
        data={"since": "7d", "csrf_token": token},
        headers=FR,
        follow_redirects=False,
    )
    assert r.status_code == 303
    location = unquote(r.headers["location"])
    m = re.match(r"/horizon/briefs/(\d+)\?flash=Note (\d+) figée", location)
    assert m and m.group(1) == m.group(2), location
    shown = client.get(r.headers["location"], headers=FR).text
    assert "figée" in shown and "Armed aggression" in shown and "(invasion" in shown
    assert NATO_TITLE not in shown and "nato-tripwire" not in shown
    assert "autres signaux" in shown  # the hack matches no watched threat
    events = session.execute(
        select(AuditEvent).where(AuditEvent.action == "horizon.brief.freeze")
    ).scalars()
    assert [(e.actor, e.object_id) for e in events] == [("freezer", m.group(1))]

    client.cookies.clear()
    login(client, "officer")  # reads the horizon, may not freeze (the API's rule)
    page = client.get("/horizon/briefs")
    assert page.status_code == 200 and 'data-testid="freeze-brief"' not in page.text
    r = client.post("/horizon/briefs", data={"since": "7d", "csrf_token": csrf(page.text)})
    assert r.status_code == 403
