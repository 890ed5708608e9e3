"""The watchlist pages over HTTP, as a high and a low reader and an owner see them: the form
sets a watchlist (a bad value re-shown, named), the threat page, the passage trace, and an
owner closing a review item."""

import datetime as dt
import re

from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import set_actors
from grandstrategy.horizon import pipeline
from grandstrategy.horizon.analysis_models import Alert
from tests.api.test_pages import csrf, login
from tests.helpers import SECRET_TITLE, make_user
from tests.service.test_horizon_stories import doc

BALLOTS = "Ballot boxes were stolen in the capital; police suspect a foreign network."
HIDDEN = "A covert source names the officer who ordered the ballot theft."


def test_watch_pages_for_high_low_and_owner(client, session, factory, operator, loaded):
    pipeline.ingest(
        factory,
        user=operator,
        items=[doc("Stolen ballots", BALLOTS, 2), doc("Who ordered it", HIDDEN, 3, "SECRET")],
    )
    alert = Alert(
        key="k", kind="burst", category="subversion", actor="", start=dt.date(2026, 3, 2),
        score=4.0, stories=[],
    )  # fmt: skip
    alert.marking = Marking.parse("UNCLASSIFIED")
    session.add(alert)
    make_user(session, "highw", "analyst", "SECRET")
    make_user(session, "loww", "analyst", "UNCLASSIFIED")
    ivan = make_user(session, "ivanw", "contributor", "RESTRICTED")
    set_actors(session, ivan.user_id, ["intel"])
    session.commit()

    login(client, "highw")
    threat = client.get("/horizon/threats/meddling")
    assert threat.status_code == 200 and "This threat is not watched yet." in threat.text
    bad = client.post(
        "/horizon/threats/meddling/watch",
        data={"actors": "Narnia", "csrf_token": csrf(threat.text)},
        follow_redirects=False,
    )
    assert bad.status_code == 422 and "Narnia" in bad.text and 'class="error"' in bad.text
    saved = client.post(
        "/horizon/threats/meddling/watch",
        data={
            "categories": "subversion",
            "terms": "ballot boxes\nballot theft",
            "csrf_token": csrf(threat.text),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    page = client.get("/horizon/threats/meddling").text
    stories = page[page.index('data-testid="threat-stories"') :].split("</table>")[0]
    assert "Stolen ballots" in stories and "SECRET" in stories  # the secret report counts
    listed = client.get("/horizon/watch").text
    assert "/horizon/threats/meddling" in listed
    doc_page = client.get("/horizon").text
    doc_id = re.search(r'/horizon/documents/(\d+)">Stolen ballots', doc_page).group(1)
    passage = re.search(
        r'/horizon/passages/(\d+)"', client.get(f"/horizon/documents/{doc_id}").text
    ).group(1)
    trace = client.get(f"/horizon/passages/{passage}").text
    assert "Protected elections" in trace and SECRET_TITLE in trace  # a cleared reader
    assert "Analysts" in trace and "200" in trace  # capability and its budget line
    client.post("/logout", data={"csrf_token": csrf(trace)})
    client.cookies.clear()

    login(client, "loww")
    low = client.get("/horizon/threats/meddling").text
    assert "Stolen ballots" in low and "Who ordered it" not in low and "covert" not in low
    assert "SECRET" not in low
    assert 'data-testid="watch-form"' in low  # analysts set watchlists
    trace = client.get(f"/horizon/passages/{passage}").text
    assert "Protected elections" in trace and SECRET_TITLE not in trace
    assert "CONFIDENTIAL" not in trace
    assert client.get("/horizon/threats/nato-tripwire").status_code == 404
    client.post("/logout", data={"csrf_token": csrf(trace)})
    client.cookies.clear()

    login(client, "ivanw")
    reviews = client.get("/horizon/watch/reviews")
    assert reviews.status_code == 200 and "Election interference" in reviews.text
    item = re.search(r'action="/horizon/watch/reviews/(\d+)/close"', reviews.text).group(1)
    closed = client.post(
        f"/horizon/watch/reviews/{item}/close",
        data={"note": "Briefed the electoral board.", "csrf_token": csrf(reviews.text)},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert "No review items." in client.get("/horizon/watch/reviews").text
    assert "Briefed the electoral board." in client.get("/horizon/watch/reviews?status=all").text
    assert client.get("/horizon/threats/meddling").status_code == 403  # no horizon.read
