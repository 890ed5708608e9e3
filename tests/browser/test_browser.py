"""The real pages in Chromium: login, banners, logout, CSRF, editing, what readers see."""

import re

import pytest

from grandstrategy.core import formats
from grandstrategy.strategy.example import example_package
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def confidential_record():
    for comp, rec in example_package().records():
        if rec.marking.startswith("CONFIDENTIAL"):
            return comp, rec
    raise AssertionError("the example has no CONFIDENTIAL record")


def first_objective():
    return next(o for o in example_package().objectives if o.marking == "UNCLASSIFIED")


def test_login_banner_logout(page):
    login(page, "reader")
    page.wait_for_url(re.compile(r"/strategy$"))
    assert page.locator("[data-testid=banner-top]").inner_text() == "UNCLASSIFIED"
    assert page.locator("[data-testid=banner-bottom]").inner_text() == "UNCLASSIFIED"
    assert "reader" in page.locator("[data-testid=user]").inner_text()
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/strategy")
    assert "/login" in page.url


def test_wrong_password_shows_an_error(page):
    login(page, "reader", "not the password")
    assert "wrong username or password" in page.locator("[role=alert]").inner_text()


def test_form_without_csrf_token_is_refused(page):
    page.goto("/login")
    page.evaluate(
        "document.querySelector('form[action=\"/login\"] input[name=csrf_token]').remove()"
    )
    page.fill("input[name=username]", "reader")
    page.fill("input[name=password]", "whatever-it-is")
    page.click('form[action="/login"] button[type=submit]')
    assert "security token" in page.content()
    assert page.locator("h1").inner_text().startswith("403")


def test_drafter_edits_a_deadline_seen_in_history_and_audit(page, browser, live_server):
    obj = first_objective()
    login(page, "drafter")
    page.wait_for_url(re.compile(r"/strategy$"))
    page.goto(f"/strategy/objectives/{obj.id}")
    page.click("text=Edit")
    new = obj.deadline.replace(day=1, month=2) if obj.deadline else None
    assert new is not None
    page.fill("input[name=deadline]", new.isoformat())
    page.click("button:has-text('Save')")
    page.wait_for_url(re.compile(rf"/strategy/objectives/{obj.id}\?flash="))
    shown = page.locator("[data-field=deadline]").inner_text()
    assert formats.date(new, lang="en") in shown  # "1 February 2030", as a reader writes it
    history = page.locator("[data-testid=record-history]").inner_text()
    assert "deadline" in history.lower()  # the field's label: "Deadline"
    assert "Threats" not in history and "Contributors" not in history  # only what changed
    page.goto("/strategy/history")
    assert f"objectives/{obj.id}" in page.locator("[data-testid=history]").inner_text()
    admin = browser.new_context(base_url=live_server).new_page()
    login(admin, "admin")
    admin.wait_for_url(re.compile(r"/strategy$"))
    admin.goto("/audit?action=strategy.update")
    rows = admin.locator("table.data tbody").inner_text()
    assert "drafter" in rows and obj.id in rows
    assert "intact" in admin.locator("[data-testid=chain]").inner_text()
    admin.context.close()


def test_reader_cannot_edit_nor_see_confidential(page):
    comp, rec = confidential_record()
    title = str(getattr(rec, "title", None) or rec.name)
    login(page, "reader")
    page.wait_for_url(re.compile(r"/strategy$"))
    assert title not in page.content()
    page.goto(f"/strategy/{comp}")
    assert title not in page.content()
    obj = first_objective()
    page.goto(f"/strategy/objectives/{obj.id}")
    assert page.locator("text=Edit").count() == 0
    response = page.goto(f"/strategy/objectives/{obj.id}/edit")
    assert response is not None and response.status == 403
    response = page.goto(f"/strategy/{comp}/{rec.id}")
    assert response is not None and response.status == 404
    page.goto("/strategy/trace")
    assert title not in page.content()
