"""The rolling analysis in Chromium: after an archive, a campaign arrives; its stories are
shown, and its convergence alert is acknowledged with a reason."""

from __future__ import annotations

import re

import pytest

from grandstrategy.horizon.analysis_example import _path
from tests.browser.conftest import login
from tests.browser.test_horizon_pages import watch_errors
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


def test_campaign_stories_convergence_alert_and_verdict(page):
    errors = watch_errors(page)
    token = page.request.post(
        "/api/auth/token", data={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    for name in ("documents.jsonl", "campaign.jsonl"):  # an archive, then the campaign
        r = page.request.post(
            "/api/horizon/documents",
            headers={"Authorization": f"Bearer {token}"},
            multipart={
                "file": {
                    "name": name,
                    "mimeType": "application/x-ndjson",
                    "buffer": _path(name).read_bytes(),
                },
                "source": "browser wire",
            },
            timeout=180000,
        )
        assert r.ok, r.text()
    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))

    page.goto("/horizon")
    page.click("text=Stories, alerts, briefs")
    page.wait_for_url(re.compile(r"/horizon/stories$"))
    stories = page.locator("[data-testid=stories]").inner_text()
    assert "Ransomware cripples Liège hospital group" in stories
    page.click("text=Ransomware cripples Liège hospital group")
    page.wait_for_url(re.compile(r"/horizon/stories/\d+"))
    assert "News agency feed" in page.locator("[data-testid=timeline]").inner_text()
    assert "born" in page.locator("[data-testid=lineage]").inner_text()

    page.click("text=Alerts")
    page.wait_for_url(re.compile(r"/horizon/alerts"))
    row = page.locator("[data-testid=alerts] tr.convergence").first
    assert "cyber+disinformation" in row.inner_text() and "state:RU" in row.inner_text()
    row.locator("select[name=verdict]").select_option("acknowledged")
    row.locator("input[name=reason]").fill("coordinated campaign, briefed the NSA")
    row.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/horizon/alerts\?flash="))
    row = page.locator("[data-testid=alerts] tr.convergence").first
    assert "coordinated campaign, briefed the NSA" in row.inner_text()
    assert errors == []
