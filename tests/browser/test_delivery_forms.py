"""The secretariat's delivery forms in Chromium: a deployment added through the register's
form (after a refusal that keeps what was typed), and a capability target recorded from the
budget page. Also the departmental strategies page reached from the strategy overview."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grandstrategy.strategy.example import load_example as load_strategy
from tests.browser.conftest import open_page, serve
from tests.browser.test_delivery_pages import login
from tests.browser.test_horizon_pages import watch_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def forms_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("delivery-forms-live")
    with serve(folder, [("sam", "analyst", "RESTRICTED", [])], [load_strategy]) as url:
        yield url


@pytest.fixture
def fpage(browser, forms_server):
    yield from open_page(browser, forms_server)


def test_adding_a_deployment_through_the_register(fpage):
    login(fpage, "sam")
    fpage.goto("/delivery/deployments")
    fpage.click("[data-testid=new-deployment]")
    form = fpage.locator("[data-testid=deployment-form]")
    form.locator("input[name=key]").fill("baltic-air")
    form.locator("input[name=name]").fill("Baltic air policing")
    form.locator("select[name=framework]").select_option("NATO")
    form.locator("input[name=theatre]").fill("Lithuania")
    form.locator("input[name=personnel]").fill("90")
    form.locator("input[name=annual_cost]").fill("12.5")
    form.locator("input[name=start]").fill("2025-01-01")
    form.locator("input[name=end]").fill("2024-06-30")  # before the start: refused
    form.locator("button[type=submit]").click()
    alert = fpage.locator("[role=alert]")
    assert "cannot end before it starts" in alert.inner_text()
    assert form.locator("input[name=theatre]").input_value() == "Lithuania"  # nothing lost
    errors = watch_errors(fpage)
    form.locator("input[name=end]").fill("")
    form.locator("button[type=submit]").click()
    fpage.wait_for_url("**/delivery/deployments?flash=*")
    register = fpage.locator("[data-testid=register]")
    assert "Baltic air policing" in register.inner_text()
    assert "Lithuania" in register.inner_text()
    assert errors == []


def test_recording_a_capability_target_from_the_budget_page(fpage):
    errors = watch_errors(fpage)
    login(fpage, "sam")
    fpage.goto("/delivery/budget")
    fpage.click("[data-testid=new-target]")
    form = fpage.locator("[data-testid=capability-form]")
    form.locator("select[name=capability]").select_option("armed-forces")
    form.locator("select[name=measure]").select_option("readiness")
    form.locator("input[name=year]").fill("2026")
    form.locator("input[name=target]").fill("80")
    form.locator("input[name=delivered]").fill("72")
    form.locator("button[type=submit]").click()
    fpage.wait_for_url("**/delivery/budget?flash=*")
    row = fpage.locator("[data-capability=armed-forces-readiness]").last
    assert "armed-forces" in row.inner_text()
    assert errors == []


def test_the_departmental_page_is_linked_from_the_overview(fpage):
    errors = watch_errors(fpage)
    login(fpage, "sam")
    fpage.goto("/strategy")
    fpage.click("text=Departmental strategies")
    fpage.wait_for_url("**/strategy/departmental")
    assert fpage.locator("[data-testid=derived]").count() == 1
    assert errors == []
