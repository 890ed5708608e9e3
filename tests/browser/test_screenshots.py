"""The pictures in docs/guides.md, taken from the real pages so that they never go stale.

Every run takes them (and fails on a page that shows an error); with
``GRANDSTRATEGY_SCREENSHOTS=1`` they are written to ``docs/screenshots/`` for the guides.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grandstrategy.delivery.example import load_example as load_delivery
from grandstrategy.resilience.example import load_example as load_resilience
from grandstrategy.strategy.example import load_example as load_strategy
from tests.browser.conftest import login, open_page, serve
from tests.browser.test_horizon_pages import DOCS, watch_errors
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

DOCS_DIR = Path(__file__).parents[2] / "docs" / "screenshots"
PAGES = {
    "strategy": "/strategy",
    "horizon": "/horizon",
    "resilience": "/resilience",
    "delivery": "/delivery",
    "admin-users": "/admin/users",
}


@pytest.fixture(scope="module")
def guide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("guides")
    users = [("admin", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"])]
    with serve(folder, users, [load_strategy, load_resilience, load_delivery]) as url:
        yield url


@pytest.fixture
def gpage(browser, guide_server):
    yield from open_page(browser, guide_server)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_guide_screenshot(gpage, name, tmp_path):
    login(gpage, "admin")
    if name == "horizon":
        token = gpage.request.post(
            "/api/auth/token", data={"username": "admin", "password": PASSWORD}
        ).json()["access_token"]
        for doc in DOCS:
            gpage.request.post(
                "/api/horizon/documents",
                multipart={
                    "file": {
                        "name": f"{doc['title']}.txt",
                        "mimeType": "text/plain",
                        "buffer": doc["text"].encode(),
                    }
                },
                headers={"Authorization": f"Bearer {token}"},
            )
    errors = watch_errors(gpage)
    gpage.set_viewport_size({"width": 1280, "height": 900})
    gpage.goto(PAGES[name])
    gpage.wait_for_load_state("networkidle")
    assert errors == [], errors
    assert gpage.locator("main h1").count() >= 1
    target = DOCS_DIR if os.environ.get("GRANDSTRATEGY_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    shot = target / f"{name}.png"
    gpage.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
