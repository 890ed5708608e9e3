"""Watchlists in Chromium: from a threat of the strategy to its horizon page, a watchlist set
there, its stories; from a passage to the budget line; a lower-cleared reader sees less."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import login
from tests.browser.test_horizon_pages import watch_errors
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

OPEN = "Quokkaville harbour\n\nA trawler dragged its anchor across the Quokkaville power cable."
SECRET = "Quokkaville plot\n\nA sabotage cell was identified near Quokkaville by a covert source."


def _upload(page, token: str, name: str, text: str, marking: str) -> None:
    r = page.request.post(
        "/api/horizon/documents",
        headers={"Authorization": f"Bearer {token}"},
        multipart={
            "file": {"name": name, "mimeType": "text/plain", "buffer": text.encode()},
            "source": "browser watch",
            "marking": marking,
        },
        timeout=120000,
    )
    assert r.ok, r.text()


def _wait_for_story(page, token: str, title: str, size: int) -> None:
    """Stories form once the passages' vectors are in (a background step with the encoder)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        r = page.request.get(
            "/api/horizon/stories?limit=1000", headers={"Authorization": f"Bearer {token}"}
        )
        if (title, size) in {(s["title"], s["size"]) for s in r.json()}:
            return
        time.sleep(0.5)
    raise AssertionError(f"no story {title!r} of {size} reports: {r.json()}")


def test_threat_page_watchlist_and_passage_trace(page, browser, live_server):
    errors = watch_errors(page)
    token = page.request.post(
        "/api/auth/token", data={"username": "admin", "password": PASSWORD}
    ).json()["access_token"]
    _upload(page, token, "quokka.txt", OPEN, "UNCLASSIFIED")
    _upload(page, token, "quokka-plot.txt", SECRET, "SECRET")
    _wait_for_story(page, token, "Quokkaville harbour", 2)  # the secret report joins it
    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))

    page.goto("/strategy/threats/hybrid")
    page.click("[data-testid=horizon-watch-link]")
    page.wait_for_url(re.compile(r"/horizon/threats/hybrid$"))
    page.click("text=Set the watchlist")
    form = page.locator("[data-testid=watch-form]")
    form.locator("input[name=actors]").fill("Narnia")
    form.locator("button[type=submit]").click()
    assert "Narnia" in page.locator(".error").inner_text()  # refused, naming it
    errors.clear()  # that 422 was the point
    form = page.locator("[data-testid=watch-form]")
    form.locator("input[name=actors]").fill("")
    form.locator("textarea[name=terms]").fill("Quokkaville")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/horizon/threats/hybrid\?flash="))
    assert "Quokkaville" in page.locator("[data-testid=watchlist]").inner_text()
    row = page.locator("[data-testid=threat-stories] tr", has_text="Quokkaville harbour")
    assert row.locator("td").nth(2).inner_text() == "2" and "SECRET" in row.inner_text()

    page.goto("/horizon/watch")
    page.click("[data-testid=watches] >> text=Hybrid")
    page.wait_for_url(re.compile(r"/horizon/threats/hybrid$"))
    page.click("text=Quokkaville harbour")
    page.wait_for_url(re.compile(r"/horizon/stories/\d+"))
    page.click("[data-testid=timeline] >> text=Quokkaville harbour")
    page.wait_for_url(re.compile(r"/horizon/documents/\d+"))
    page.locator("text=what it bears on in the strategy").first.click()
    page.wait_for_url(re.compile(r"/horizon/passages/\d+$"))
    trace = page.locator("[data-testid=trace][data-threat=hybrid]")
    text = trace.inner_text()
    assert "Quokkaville" in text  # why: the term
    objectives = trace.locator("[data-testid=trace-objectives]").inner_text()
    assert "Protect the North Sea" in objectives and "EUR" in objectives
    assert errors == []

    context = browser.new_context(base_url=live_server)
    low = context.new_page()
    low.set_default_timeout(15000)
    low_errors = watch_errors(low)
    login(low, "drafter")  # RESTRICTED
    low.wait_for_url(re.compile(r"/strategy$"))
    low.goto("/horizon/threats/hybrid")
    row = low.locator("[data-testid=threat-stories] tr", has_text="Quokkaville harbour")
    assert row.locator("td").nth(2).inner_text() == "1"  # the secret report is not counted
    assert "SECRET" not in row.inner_text()
    assert "Quokkaville plot" not in low.content() and "covert source" not in low.content()
    assert low.locator("[data-testid=watch-form]").count() == 0  # drafters do not set them
    assert low_errors == []
    context.close()
