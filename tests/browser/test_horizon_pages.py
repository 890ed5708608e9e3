"""The foresight pages in Chromium: upload, search with a facet, a document, a verdict."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser.conftest import login
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

PLACE = "Fjordhaven"  # a word no other test's document contains
DOCS = [
    {
        "title": f"Cable cut off {PLACE}",
        "text": f"A data cable on the seabed off {PLACE} was cut on Tuesday. Investigators "
        "suspect sabotage by a vessel linked to Russia.",
        "date": "2025-01-10",
    },
    {
        "title": f"Ransomware at the {PLACE} hospital",
        "text": f"A ransomware attack paralysed the computer systems of the {PLACE} hospital; "
        "hackers demanded a ransom in bitcoin.",
        "date": "2025-02-14",
    },
    {
        "title": f"{PLACE} floods",
        "text": f"Heavy rain flooded {PLACE} again. Climate scientists warn that such floods "
        "will become more frequent as the planet warms.",
        "date": "2025-03-20",
    },
]


def watch_errors(page) -> list[str]:
    """Collect what a user would see as breakage: script errors, console errors, 4xx/5xx."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} {m.location['url']}")
            if m.type == "error" and not m.location["url"].endswith("/favicon.ico")  # app-wide
            else None
        ),
    )
    page.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    return errors


def api_get(page, path: str, user: str = "admin") -> dict | list:
    token = page.request.post(
        "/api/auth/token", data={"username": user, "password": PASSWORD}
    ).json()["access_token"]
    r = page.request.get(path, headers={"Authorization": f"Bearer {token}"})
    assert r.ok, r.text()
    return r.json()


def test_upload_search_facet_document_and_confirm_a_label(page):
    errors = watch_errors(page)
    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))

    # Inbox: upload a JSONL file through the page
    page.goto("/horizon")
    assert page.locator("h1").inner_text().startswith("Inbox")
    page.click("text=Add a document")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "fjordhaven.jsonl",
            "mimeType": "application/x-ndjson",
            "buffer": "".join(json.dumps(d) + "\n" for d in DOCS).encode(),
        },
    )
    page.fill("form[action='/horizon/upload'] input[name=source]", "browser desk")
    page.click("form[action='/horizon/upload'] button[type=submit]")
    page.wait_for_url(re.compile(r"/horizon/documents/\d+"))
    assert "3 ingested, 0 duplicate(s)" in page.locator("[role=status]").inner_text()
    page.goto("/horizon?source=browser+desk")
    inbox = page.locator("[data-testid=inbox]").inner_text()
    for d in DOCS:
        assert d["title"] in inbox
    # categories by name (their ids stay in the links), actors by name
    assert "Cyber attacks" in inbox and "Russia" in inbox
    assert page.locator("a.tag.cat[href='?category=cyber']").count() >= 1

    # Search: type a query, see highlighted hits that cite document, passage and offsets
    page.click("text=Search")
    page.wait_for_url(re.compile(r"/horizon/search"))
    page.fill("input[name=q]", PLACE)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(rf"q={PLACE}"))
    assert page.locator("[data-testid=total]").inner_text().startswith("3 passage(s)")
    hits = page.locator("[data-testid=hits] > li")
    assert hits.count() == 3
    marks = page.locator("[data-testid=hits] .snippet mark")
    assert marks.count() >= 3 and {m.lower() for m in marks.all_inner_texts()} == {PLACE.lower()}
    for text in hits.all_inner_texts():
        assert re.search(r"doc \d+ ¶1 \[0:\d+\]", text), text

    # Facet: only the cyber passages
    page.locator(".facets a", has_text=re.compile(r"^Cyber attacks$")).click()
    page.wait_for_url(re.compile(r"category=cyber"))
    assert page.locator("[data-testid=total]").inner_text().startswith("1 passage(s)")
    assert page.locator("select[name=category]").input_value() == "cyber"
    hit = page.locator("[data-testid=hits] > li")
    assert hit.count() == 1 and f"Ransomware at the {PLACE} hospital" in hit.inner_text()

    # Document view: passages, highlighted rule terms, a verdict with the button
    hit.locator("a").first.click()
    page.wait_for_url(re.compile(r"/horizon/documents/(\d+)"))
    doc_id = int(re.search(r"/horizon/documents/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert page.locator("h1").inner_text() == f"Ransomware at the {PLACE} hospital"
    passage = page.locator("[data-testid=passage]").first
    passage_id = int(passage.get_attribute("id").removeprefix("p"))  # type: ignore[union-attr]
    assert "ransomware" in " ".join(passage.locator("mark.term").all_inner_texts()).lower()
    row = passage.locator("tr[data-category=cyber]")
    assert row.locator("[data-testid=verdict]").inner_text() == ""
    row.locator("button[value=confirm]").click()
    page.wait_for_url(re.compile(rf"/horizon/documents/{doc_id}\?flash="))
    assert "Recorded." in page.locator("[role=status]").inner_text()
    row = page.locator(f"#p{passage_id} tr[data-category=cyber]")
    assert row.locator("[data-testid=verdict]").inner_text() == "confirmed"

    # ... and it is stored: the API shows the verdict, the audit log who gave it and when
    doc = api_get(page, f"/api/horizon/documents/{doc_id}")
    labels = {lb["category"]: lb for p in doc["passages"] for lb in p["labels"]}  # type: ignore[index]
    assert labels["cyber"]["verdict"] == "confirm"
    events = api_get(page, "/api/audit?action=horizon.label.confirm")
    mine = [e for e in events if e["object_id"] == str(passage_id)]  # type: ignore[index]
    assert len(mine) == 1 and mine[0]["actor"] == "admin" and mine[0]["at"]

    # "Why these labels": a page (not JSON) with the reasons for each category
    page.locator(f"#p{passage_id} a:has-text('why these labels')").click()
    page.wait_for_url(re.compile(rf"/horizon/passages/{passage_id}/why$"))
    assert page.locator("h1").inner_text() == "Why these labels"
    why = page.locator("[data-testid=why][data-category=cyber]")
    assert "ransomware" in why.inner_text().lower()
    assert errors == []


def test_inbox_taxonomy_and_labelling_pages_open(page):
    errors = watch_errors(page)
    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon")
    assert page.locator("h1").inner_text().startswith("Inbox")
    page.select_option("select[name=category]", "climate")
    page.click("form.filters >> text=Filter")
    page.wait_for_url(re.compile(r"category=climate"))
    page.click("a:has-text('Taxonomy')")
    page.wait_for_url(re.compile(r"/horizon/taxonomy$"))
    assert page.locator("h1").inner_text() == "Threat taxonomy"
    ids = page.locator("section.card").evaluate_all("els => els.map(e => e.id)")
    assert {"cyber", "hybrid", "crime-extremism", "none"} <= set(ids) and len(ids) >= 16
    assert "Cyber attacks" in page.locator("#cyber h2").inner_text()
    page.click("a:has-text('Review labels')")
    page.wait_for_url(re.compile(r"/horizon/label$"))
    assert page.locator("h1").inner_text() == "Review labels"
    page.select_option("select[name=category]", "hybrid")
    page.click("text=Show")
    page.wait_for_url(re.compile(r"category=hybrid"))
    assert page.locator("h1").inner_text() == "Review labels"
    assert errors == []


def test_a_reader_without_horizon_access_is_refused(page):
    login(page, "reader")
    page.wait_for_url(re.compile(r"/strategy$"))
    for path in ("/horizon", "/horizon/search?q=cable", "/horizon/taxonomy", "/horizon/label"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert PLACE not in page.content()


def test_a_failed_upload_says_why_and_a_verdict_never_redirects_off_site(page):
    login(page, "admin")
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto("/horizon")
    page.click("text=Add a document")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "Risks & threats #3.pdf",  # file names carry & and # in real life
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.7\n" + bytes(range(256)) * 8,
        },
    )
    page.click("form[action='/horizon/upload'] button[type=submit]")
    page.wait_for_url(re.compile(r"/horizon\?flash="))
    flash = page.locator("[role=status]").inner_text()
    assert flash.startswith("0 ingested") and "Risks & threats #3.pdf: not a valid PDF" in flash

    page.click("text=Add a document")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "ferry.txt",
            "mimeType": "text/plain",
            "buffer": b"Smugglers used the Skerryvale ferry to move cocaine, customs said.",
        },
    )
    page.click("form[action='/horizon/upload'] button[type=submit]")
    page.wait_for_url(re.compile(r"/horizon/documents/\d+"))
    passage_id = page.locator("[data-testid=passage]").first.get_attribute("id")
    csrf = page.locator("input[name=csrf_token]").first.input_value()
    for back in ("//evil.example/phish", "/\\evil.example/phish", "https://evil.example/"):
        r = page.request.post(
            f"/horizon/passages/{str(passage_id).removeprefix('p')}/verdict",
            form={"csrf_token": csrf, "category": "crime-extremism", "verdict": "confirm"}
            | {"back": back},
            max_redirects=0,
        )
        assert r.status == 303, r.text()
        location = r.headers["location"]
        assert location.startswith("/horizon") and "evil.example" not in location, location
