"""The delivery pages in Chromium: the dashboard with its disagreements and filters, an
objective's trajectory and the owner's check-in form, the deployments review signed off by
a department, and the budget path chart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grandstrategy.core.memberships import set_user_actors
from grandstrategy.core.users import add_user
from grandstrategy.delivery.example import load_example as load_delivery
from grandstrategy.strategy.example import load_example as load_strategy
from tests.browser.conftest import open_page, serve
from tests.browser.test_horizon_pages import watch_errors
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

PEOPLE = [  # name, role, clearance, actors
    ("dora", "contributor", "UNCLASSIFIED", ["interior"]),
    ("dana", "contributor", "UNCLASSIFIED", ["dgd"]),
    ("sam", "analyst", "RESTRICTED", []),
    ("cm", "council-member", "UNCLASSIFIED", []),
]


def login(page, name: str) -> None:
    """Log in through the login form (pressing Enter in it, whatever else the page holds)."""
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lambda url: "/login" not in url)


def people(session, *, user) -> None:
    for name, role, clearance, actors in PEOPLE:
        add_user(session, user=user, username=name, password=PASSWORD, role=role,
                 clearance=clearance)  # fmt: skip
        set_user_actors(session, actor=user, username=name, actors=actors)


@pytest.fixture(scope="module")
def delivery_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("delivery-live")
    with serve(folder, [], [load_strategy, load_delivery, people]) as url:
        yield url


@pytest.fixture
def dpage(browser, delivery_server):
    yield from open_page(browser, delivery_server)


def test_dashboard_shows_disagreements_and_filters_by_rating(dpage):
    errors = watch_errors(dpage)
    login(dpage, "cm")
    dpage.click("nav >> text=Delivery")
    dpage.wait_for_url("**/delivery")
    table = dpage.get_by_test_id("dashboard")
    civil = table.locator('tr[data-objective="civil-protection"]')
    assert "disagree" in (civil.get_attribute("class") or "")
    assert "amber-red" in civil.inner_text() and "on track" in civil.inner_text()
    assert table.locator('tr[data-objective="counter-interference"]').count() == 0  # RESTRICTED
    assert dpage.get_by_test_id("banner-top").inner_text() == "UNCLASSIFIED"
    dpage.select_option("select[name=rating]", "red")
    dpage.click("form[data-testid=filters] button")
    dpage.wait_for_url("**rating=red**")
    ratings = dpage.locator("[data-testid=dashboard] tbody [data-rating]").all_inner_texts()
    assert ratings and set(ratings) == {"red"}
    assert errors == []


def test_an_objective_draws_its_trajectory_and_its_owner_checks_in(dpage):
    errors = watch_errors(dpage)
    login(dpage, "dora")
    dpage.goto("/delivery/objectives/civil-protection")
    chart = dpage.locator('svg[aria-label^="Trajectory of Operational Civil Protection staff"]')
    chart.wait_for()
    assert chart.is_visible() and "planned path" in chart.inner_html()
    form = dpage.get_by_test_id("checkin-form")
    form.locator("select[name=status]").select_option("at-risk")
    form.locator("input[name=value]").first.fill("333")
    form.locator("textarea[name=narrative]").fill("Second training site approved")
    form.locator("button[type=submit]").click()
    dpage.wait_for_url("**/delivery/objectives/civil-protection?flash=*")
    assert dpage.get_by_role("status").inner_text() == "Check-in recorded."
    latest = dpage.get_by_test_id("checkins").locator("tbody tr").first.inner_text()
    assert "333" in latest and "Second training site approved" in latest and "dora" in latest
    assert errors == []


def test_only_the_owner_gets_the_check_in_form_and_only_the_secretariat_judges(dpage):
    login(dpage, "dora")
    dpage.goto("/delivery/objectives/nuclear-preparedness")  # owned by nccn
    assert dpage.get_by_test_id("checkin-form").count() == 0
    assert dpage.get_by_test_id("judge-form").count() == 0
    dpage.context.clear_cookies()
    login(dpage, "sam")
    dpage.goto("/delivery/objectives/nuclear-preparedness")
    form = dpage.get_by_test_id("judge-form")
    form.locator("select[name=rating]").select_option("amber-red")
    form.locator("textarea[name=reason]").fill("Iodine distribution still too slow")
    form.locator("button[type=submit]").click()
    dpage.wait_for_url("**flash=*")
    verdicts = dpage.get_by_test_id("verdicts").inner_text()
    assert "amber-red" in verdicts and "Iodine distribution still too slow" in verdicts
    assert "disagree" in verdicts  # the owner still says on track


def test_the_deployments_review_is_signed_off_by_development(dpage):
    errors = watch_errors(dpage)
    login(dpage, "dana")
    dpage.goto("/delivery/deployments")
    assert (
        "Training partnership with coastal West African states"
        in dpage.get_by_test_id("register").inner_text()
    )
    dpage.click("text=Review 2026")
    dpage.wait_for_url("**/delivery/reviews/2026")
    proposals = dpage.get_by_test_id("proposals").inner_text()
    assert "EU naval escort in the Red Sea" in proposals and "end" in proposals
    assert "Coalition special operations" not in proposals  # RESTRICTED
    assert "Evacuation task force" in dpage.get_by_test_id("new-deployments").inner_text()
    signoffs = dpage.get_by_test_id("signoffs")
    assert "not signed yet" in signoffs.inner_text()
    dpage.get_by_test_id("sign-form").locator("input[name=note]").fill("Agreed with DGD")
    dpage.get_by_test_id("sign-form").locator("button").click()
    dpage.wait_for_url("**/delivery/reviews/2026?flash=*")
    text = dpage.get_by_test_id("signoffs").inner_text()
    assert "Signed off by every department." in text and "Agreed with DGD" in text
    assert errors == []


def test_budget_page_draws_history_and_paths_side_by_side(dpage):
    errors = watch_errors(dpage)
    login(dpage, "cm")
    dpage.goto("/delivery/budget")
    paths = dpage.locator('svg[aria-label^="Budget paths side by side"]')
    paths.wait_for()
    html = paths.inner_html()
    assert paths.is_visible()
    assert "2 % by 2030 (Wales pledge)" in html and "3.5 % + 1.5 % by 2035" in html
    history = dpage.locator('svg[aria-label^="Defence spending of Belgium"]')
    assert history.is_visible() and "NATO Europe and Canada" in history.inner_html()
    table = dpage.get_by_test_id("history").inner_text()
    assert "1.29" in table and "30 / 31" in table
    assert errors == []


def test_the_owner_adds_a_milestone_that_bends_the_plan_and_a_comment(dpage):
    errors = watch_errors(dpage)
    login(dpage, "dora")
    dpage.goto("/delivery/objectives/civil-protection")
    dpage.click("text=Add a milestone")
    form = dpage.get_by_test_id("milestone-form")
    form.locator("input[name=title]").fill("Second training site open")
    form.locator("input[name=due]").fill("2027-09-30")
    form.locator("select[name=indicator]").select_option("Operational Civil Protection staff")
    form.locator("input[name=value]").fill("340")
    form.locator("button[type=submit]").click()
    dpage.wait_for_url("**flash=Milestone*")
    assert "Second training site open" in dpage.inner_text("main")
    dpage.click("summary >> text=Comment")
    comment = dpage.get_by_test_id("comment-form")
    comment.locator("textarea[name=text]").fill("Flanders lends two instructors")
    comment.locator("button[type=submit]").click()
    dpage.wait_for_url("**flash=Comment*")
    assert "Flanders lends two instructors" in dpage.inner_text("#history")
    assert errors == []
