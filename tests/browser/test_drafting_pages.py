"""The drafting pages in Chromium: a department comments on a span of the draft (the draft
beside the comment box), and the pen-holder works through the decision queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grandstrategy.core.authz import Principal
from grandstrategy.core.users import add_user, find
from grandstrategy.drafting import service
from grandstrategy.drafting.schemas import ContributionCreate, CycleCreate, RoundCreate
from grandstrategy.strategy.example import load_example as load_strategy
from tests.browser.conftest import open_page, serve
from tests.browser.test_horizon_pages import watch_errors
from tests.helpers import PASSWORD, SECRET_TITLE

pytestmark = pytest.mark.browser

USERS = [("anna", "contributor", "RESTRICTED", []), ("visitor", "reader", "SECRET", [])]


def load_round(session, *, user: Principal) -> None:
    """A pen-holder, a cycle and an open round for the regions."""
    add_user(session, user=user, username="pen", password=PASSWORD, role="pen-holder",
             clearance="SECRET", compartments=["NATO", "EU", "NATIONAL-ONLY"])  # fmt: skip
    found = find(session, "pen")
    assert found is not None
    pen = Principal.of(found)
    service.start_cycle(session, user=pen, data=CycleCreate(name="nss-2031", pen_holder="pen"))
    data = RoundCreate(name="regions", audience="regions", marking="RESTRICTED")
    service.open_round(session, user=pen, data=data)
    hidden = ContributionCreate(on="objectives/flood-resilience", text=f"About {SECRET_TITLE}.",
                                organisation="NSC secretariat", marking="CONFIDENTIAL")  # fmt: skip
    service.contribute(session, user=pen, round="regions", data=hidden)


@pytest.fixture(scope="module")
def drafting_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("drafting-live"), USERS, [load_strategy, load_round]) as url:
        yield url


@pytest.fixture
def dpage(browser, drafting_server):
    yield from open_page(browser, drafting_server)


def login(page, name: str) -> None:
    """Log in through the login form itself (the header holds other forms)."""
    page.goto("/login")
    form = page.locator("section.login form")
    form.locator("input[name=username]").fill(name)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


def contribute(p, comment: str) -> None:
    p.goto("/drafting/rounds/regions")
    form = p.get_by_test_id("contribute-form")
    form.locator("select[name=record]").select_option("objectives/flood-resilience")
    form.locator("select[name=field]").select_option("description")
    form.locator("input[name=quote]").fill("whole valleys")
    form.locator("textarea[name=text]").fill(comment)
    form.locator("textarea[name=proposal]").fill("the Vesdre and Ourthe valleys")
    form.locator("input[name=organisation]").fill("Wallonia")
    form.locator("select[name=org_kind]").select_option("region")
    form.locator("button[type=submit]").click()
    p.wait_for_url("**/drafting/rounds/regions?flash=*")


def test_a_department_comments_on_a_span_of_the_draft(dpage):
    errors = watch_errors(dpage)
    login(dpage, "anna")
    dpage.click("nav >> text=Drafting")
    dpage.wait_for_url("**/drafting")
    assert dpage.get_by_test_id("pen-holder").inner_text() == "pen"
    dpage.get_by_test_id("rounds").get_by_role("link", name="regions").click()
    dpage.wait_for_url("**/drafting/rounds/regions")
    record = dpage.get_by_test_id("record-objectives-flood-resilience")
    assert "whole valleys" in record.inner_text()
    assert dpage.get_by_test_id("contribute-form").is_visible()  # beside the draft
    contribute(dpage, "Name the rivers that flooded.")
    assert "recorded" in dpage.locator(".flash").inner_text()
    record = dpage.get_by_test_id("record-objectives-flood-resilience")
    text = record.inner_text()
    assert "Wallonia" in text and "Name the rivers that flooded." in text
    assert "“whole valleys”" in text and "awaiting a decision" in text
    assert dpage.get_by_test_id("banner-top").inner_text() == "RESTRICTED"
    assert errors == []


def test_the_pen_holder_decides_from_the_queue_and_the_diff_shows_the_words(
    browser, dpage, drafting_server
):
    login(dpage, "anna")
    contribute(dpage, "Be concrete about the valleys.")
    for p in open_page(browser, drafting_server):
        errors = watch_errors(p)
        login(p, "pen")
        p.goto("/drafting/queue")
        item = p.locator("[data-testid^=queue-item-]").filter(has_text="Be concrete")
        assert (
            "Wallonia" in item.inner_text() and "the Vesdre and Ourthe valleys" in item.inner_text()
        )
        form = item.locator("form")
        form.locator("select[name=disposition]").select_option("reject")
        form.locator("textarea[name=reason]").fill("Not now.")
        form.locator("input[name=apply]").check()
        form.locator("button[type=submit]").click()
        assert "only an accepted proposal is applied" in p.get_by_test_id("form-error").inner_text()
        item = p.locator("[data-testid^=queue-item-]").filter(has_text="Be concrete")
        form = item.locator("form")
        form.locator("select[name=disposition]").select_option("accept")
        form.locator("textarea[name=reason]").fill(
            "Naming the rivers makes the objective testable."
        )
        form.locator("input[name=apply]").check()
        form.locator("button[type=submit]").click()
        p.wait_for_url("**/drafting/queue?flash=*")
        assert "accept" in p.locator(".flash").inner_text()
        assert p.locator("[data-testid^=queue-item-]").filter(has_text="Be concrete").count() == 0
        p.goto("/drafting/rounds/regions")
        assert (
            "Naming the rivers"
            in p.get_by_test_id("record-objectives-flood-resilience").inner_text()
        )
        p.goto("/drafting")
        base = p.locator("input[name=v1]").input_value()
        p.locator("input[name=v2]").fill(str(int(base) + 1))
        p.get_by_role("button", name="Show the words that changed").click()
        section = p.get_by_test_id("diff-objectives-flood-resilience")
        assert section.locator("del").first.inner_text() == "whole"
        assert section.locator("ins").first.inner_text() == "the Vesdre and Ourthe"
        assert errors == [] or all("422" in e for e in errors)


def test_a_reader_without_drafting_rights_is_refused(dpage):
    login(dpage, "visitor")
    dpage.goto("/drafting/queue")
    assert dpage.get_by_text("does not allow drafting.read").is_visible()


def test_a_lower_cleared_reader_sees_no_contribution_above_clearance(browser, drafting_server):
    for who, sees in (("anna", False), ("pen", True)):
        for p in open_page(browser, drafting_server):
            login(p, who)
            p.goto("/drafting/rounds/regions")
            assert (SECRET_TITLE in p.get_by_test_id("draft").inner_text()) is sees
            p.goto("/drafting")
            row = p.get_by_test_id("rounds").locator("tr", has_text="regions")
            counted = int(row.locator("td").nth(5).inner_text())
            assert counted >= (1 if sees else 0)
            report = p.request.get("/drafting/rounds/regions/report?format=md").text()
            assert (SECRET_TITLE in report) is sees
            if not sees:
                assert p.get_by_test_id("banner-top").inner_text() == "RESTRICTED"
                anna_count = counted
    for p in open_page(browser, drafting_server):
        login(p, "pen")
        p.goto("/drafting")
        row = p.get_by_test_id("rounds").locator("tr", has_text="regions")
        assert int(row.locator("td").nth(5).inner_text()) == anna_count + 1
