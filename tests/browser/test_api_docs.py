"""The offline API documentation renders the OpenAPI 3.1 document in Chromium."""

import pytest

pytestmark = pytest.mark.browser


def test_api_docs_list_operations(page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/api/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=20000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/strategy/lint" in p.replace("\u200b", "") for p in paths)
    body = page.locator("body").inner_text()
    assert "Unable to render this definition" not in body
    assert errors == []
