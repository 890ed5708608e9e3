"""Pages of the rolling analysis, as a low and a high reader see them (example data)."""

import re

from grandstrategy.firstrun import load_strategy_example
from grandstrategy.horizon import alerts
from grandstrategy.horizon.analysis_example import load_analysis_example
from grandstrategy.horizon.example import load_example_documents
from tests.api.test_pages import csrf, login
from tests.helpers import make_user


def test_pages_show_stories_alerts_briefs_assessments_partners(client, session, factory, operator):
    load_strategy_example(session, user=operator)  # its threats carry the example watchlists
    session.commit()
    load_example_documents(factory, user=operator)
    load_analysis_example(factory, user=operator)
    make_user(session, "lowpages", "analyst", "UNCLASSIFIED")
    high = make_user(session, "highpages", "analyst", "CONFIDENTIAL", ["NATO", "EU"])
    session.commit()
    login(client, "highpages")
    stories = client.get("/horizon/stories")
    assert stories.status_code == 200 and "Ransomware cripples Liège hospital group" in stories.text
    page = client.get("/horizon/alerts")
    assert "convergence" in page.text and "cyber+disinformation" in page.text
    # the copy this reader sees (each marking view keeps its own copy of an alert)
    conv = next(a for a in alerts.list_alerts(session, user=high) if a.kind == "convergence")
    story = client.get(f"/horizon/stories/{conv.stories[0]}")
    assert story.status_code == 200 and 'data-testid="timeline"' in story.text
    r = client.post(
        f"/horizon/alerts/{conv.id}/verdict",
        data={
            "verdict": "acknowledged",
            "reason": "campaign confirmed",
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "campaign confirmed" in client.get("/horizon/alerts").text
    briefs = client.get("/horizon/briefs")
    assert "/horizon/briefs/" in briefs.text
    link = re.search(r"/horizon/briefs/\d+", briefs.text)
    assert link is not None
    one = client.get(link.group(0))
    assert one.status_code == 200 and "[doc " in one.text  # each sentence cites its passage
    assert 'data-testid="brief-threat-' in one.text  # by the watched threats of the strategy
    assessments = client.get("/horizon/assessments").text
    assert 'data-testid="differ-hybrid"' in assessments and "NATO Joint Intelligence" in assessments
    partners = client.get("/horizon/partners", params={"category": "aggression"}).text
    assert "different" in partners and "Indo-Pacific" in partners
    client.post("/logout", data={"csrf_token": csrf(partners)})
    client.cookies.clear()
    login(client, "lowpages")
    low = client.get("/horizon/assessments").text
    assert "NATO Joint Intelligence" not in low and 'data-testid="differ-hybrid"' not in low
    assert "CONFIDENTIAL" not in client.get("/horizon/stories").text
    assert (
        client.get("/horizon/briefs").text.count("/horizon/briefs/") == 0
    )  # the brief is CONFIDENTIAL
