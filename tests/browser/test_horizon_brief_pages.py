"""The brief, external assessments and partners compared in Chromium: a frozen brief whose
sentences link to the passages they cite, two issuers differing on one threat, the partners'
alignment matrix and region lens; a lower-cleared reader sees neither the CONFIDENTIAL
assessment nor the brief citing it."""

from __future__ import annotations

import re

import pytest

from grandstrategy.horizon.analysis_example import _path
from tests.browser.conftest import login
from tests.browser.test_horizon_pages import watch_errors
from tests.browser.test_horizon_watch_pages import _upload, _wait_for_story
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

NEWS = (
    "Zanzibar customs outage\n\nA ransomware cyber attack stopped the customs systems of the "
    "port of Zanzibar-sur-Escaut for two days. Operators restored them from backups."
)
HIGH = "Allied cyber centre (browser test)"
LOW = "Open think tank (browser test)"


def test_brief_assessments_and_partners_pages(page):
    errors = watch_errors(page)
    token = page.request.post(
        "/api/auth/token", data={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    _upload(page, token, "zanzibar.txt", NEWS, "UNCLASSIFIED")
    _wait_for_story(page, token, "Zanzibar customs outage", 1)
    r = page.request.post(
        "/api/horizon/documents",
        headers=auth,
        multipart={
            "file": {
                "name": "partners.jsonl",
                "mimeType": "application/x-ndjson",
                "buffer": _path("partners.jsonl").read_bytes(),
            },
            "source": "browser partners",
        },
        timeout=180000,
    )
    assert r.ok, r.text()
    for issuer, confidence, judgement, marking in (
        (HIGH, "high", "State hackers will strike Belgian ports again this year.", "CONFIDENTIAL"),
        (LOW, "low", "Port outages are mostly criminal ransomware, not state action.", None),
    ):
        body = {
            "issuer": issuer,
            "issued": "2026-10-01",
            "judgement": judgement,
            "confidence": confidence,
            "threats": ["cyber"],
        }
        if marking:
            body["marking"] = marking
        r = page.request.post("/api/horizon/assessments", headers=auth, data=body)
        assert r.status == 201, r.text()
    r = page.request.post("/api/horizon/briefs", headers=auth, data={"since": "3650d"})
    assert r.status == 201, r.text()
    brief = r.json()
    assert brief["marking"].startswith("CONFIDENTIAL")  # it cites the CONFIDENTIAL assessment

    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon/briefs")
    page.locator("[data-testid=briefs]").get_by_text(f"Brief {brief['id']}", exact=True).click()
    page.wait_for_url(re.compile(rf"/horizon/briefs/{brief['id']}$"))
    section = page.locator("[data-testid=brief-cyber]")
    assert HIGH in section.inner_text()  # an assessment is cited with its issuer
    # Which cyber stories lead depends on what other tests uploaded: any cited sentence will
    # do, and it must occur in the passage its link opens.
    cited = section.locator("li", has=page.locator("a")).first
    sentence = cited.inner_text().replace(cited.locator("span").inner_text(), "").strip()
    assert sentence
    cited.locator("a").click()
    page.wait_for_url(re.compile(r"/horizon/documents/\d+"))
    shown = " ".join(page.locator("main").inner_text().split())
    assert " ".join(sentence.split()) in shown

    page.goto("/horizon/assessments")
    assert page.locator("[data-testid=differ-cyber]").count() == 1
    body = page.locator("main").inner_text()
    assert HIGH in body and LOW in body

    page.goto("/horizon/partners")
    page.select_option("select[name=category]", "aggression")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"category=aggression"))
    matrix = page.locator("[data-testid=alignment]")
    assert "Japan" in matrix.inner_text() and "different" in matrix.inner_text()
    lens = page.locator("[data-testid=lens]").inner_text()
    assert "Indo-Pacific" in lens and "NATO" in lens
    assert errors == []

    page.context.clear_cookies()
    login(page, "drafter")  # RESTRICTED
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon/assessments")
    body = page.locator("main").inner_text()
    assert LOW in body and HIGH not in body
    assert page.locator("[data-testid=differ-cyber]").count() == 0
    page.goto("/horizon/briefs")
    assert f"Brief {brief['id']}" not in page.locator("[data-testid=briefs]").inner_text()
    r = page.goto(f"/horizon/briefs/{brief['id']}")
    assert r is not None and r.status == 404


WALRUS = (
    "Walrusport cable cut\n\nThe telephone cable of Walrusport was cut near the harbour by a "
    "trawler. Engineers repaired it within a day."
)


def test_freeze_a_brief_from_the_page_by_threat(page):
    errors = watch_errors(page)
    token = page.request.post(
        "/api/auth/token", data={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    _upload(page, token, "walrus.txt", WALRUS, "UNCLASSIFIED")
    _wait_for_story(page, token, "Walrusport cable cut", 1)
    r = page.request.put(
        "/api/horizon/watch/threats/espionage",  # a RESTRICTED threat of the example
        headers={"Authorization": f"Bearer {token}"},
        data={"terms": ["Walrusport"]},
    )
    assert r.ok, r.text()

    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon/briefs")
    form = page.locator("[data-testid=freeze-brief]")
    form.locator("input[name=since]").fill("yesterday")
    form.locator("button[type=submit]").click()
    assert "yesterday" in page.locator(".error").inner_text()  # refused, naming it
    errors.clear()  # that 422 was the point
    form = page.locator("[data-testid=freeze-brief]")
    form.locator("input[name=since]").fill("3650d")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/horizon/briefs/\d+\?flash="))
    assert "frozen" in page.locator(".flash").inner_text()
    section = page.locator("[data-testid=brief-threat-espionage]")
    assert "The telephone cable of Walrusport was cut" in section.inner_text()
    assert "Hostile state espionage" in page.locator("h2#threat-espionage").inner_text()
    brief_id = re.search(r"/horizon/briefs/(\d+)", page.url).group(1)
    kept = page.request.get(
        f"/api/horizon/briefs/{brief_id}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert "espionage" in [sec["threat"] for sec in kept["sections"]]
    assert kept["marking"] != "UNCLASSIFIED"  # it names a RESTRICTED threat
    assert errors == []

    page.context.clear_cookies()
    login(page, "drafter")  # may read briefs, may not freeze one (nor may the API let them)
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon/briefs")
    assert page.locator("[data-testid=briefs]").count() == 1
    assert page.locator("[data-testid=freeze-brief]").count() == 0
