"""The resilience pages in Chromium: the heat map, a scenario's cascade, the ranked gaps, the
network, and an assessment recorded through the form."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from grandstrategy.core import formats
from grandstrategy.resilience.example import load_example as load_resilience
from grandstrategy.strategy.example import load_example as load_strategy
from tests.browser.conftest import login, open_page, serve
from tests.browser.test_horizon_pages import watch_errors

pytestmark = pytest.mark.browser

USERS = [
    ("officer", "resilience-officer", "RESTRICTED", []),
    ("chief", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"]),
    ("visitor", "council-member", "UNCLASSIFIED", []),
]


@pytest.fixture(scope="module")
def resilience_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own live server: the strategy and the resilience examples, and three users."""
    folder = tmp_path_factory.mktemp("resilience-live")
    with serve(folder, USERS, [load_strategy, load_resilience]) as url:
        yield url


@pytest.fixture
def rpage(browser, resilience_server):
    yield from open_page(browser, resilience_server)


def test_overview_shows_the_heat_map_with_unassessed_cells_and_the_scale(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.click("nav >> text=Resilience")
    rpage.wait_for_url("**/resilience")
    heat = rpage.locator('svg[aria-label^="Heat map"]')
    heat.wait_for()
    assert heat.is_visible()
    assert "Resilient energy supplies" in heat.inner_html()
    assert re.search(r">\d/\d<", heat.inner_html())  # current/target in the cells
    assert rpage.locator('svg[aria-label^="Trend"]').is_visible()
    assert rpage.get_by_text("The 0–5 maturity scale").is_visible()
    gaps = rpage.get_by_test_id("gap-table")
    assert "Resilient transport systems" in gaps.inner_text()
    assert rpage.get_by_test_id("banner-top").inner_text() == "RESTRICTED"
    assert errors == []


def test_a_scenario_page_draws_the_cascade_and_its_outcomes(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/scenarios")
    rpage.click("text=Major cyber attack on the electricity grid")
    rpage.wait_for_url("**/resilience/scenarios/grid-cyber-attack")
    cascade = rpage.locator('svg[aria-label^="Cascade over time"]')
    assert cascade.is_visible()
    assert "Resilient energy supplies" in cascade.inner_html()
    assert "shock applied" in cascade.inner_html()
    outcomes = rpage.get_by_test_id("outcomes")
    assert outcomes.locator("tbody tr").count() >= 8  # every sector and the total
    rpage.select_option("select[name=names]", "pandemic-wave")
    rpage.click("button:has-text('Compare')")
    rpage.wait_for_url(re.compile(r"/resilience/compare\?names="))
    assert rpage.locator('svg[aria-label^="Cascade over time"]').count() == 2
    assert "Pandemic wave" in rpage.get_by_test_id("comparison").inner_text()
    assert errors == []


def test_ranked_gaps_show_bars_the_formula_and_reasons(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/gaps")
    bars = rpage.locator('svg[aria-label^="Ranked resilience gaps"]')
    assert bars.is_visible()
    assert "1. " in bars.inner_html()
    assert "(I − A*)⁻¹" in rpage.get_by_test_id("formula").inner_text()
    rows = rpage.get_by_test_id("gaps").locator("tbody > tr")
    assert rows.count() == 7
    assert rows.first.locator("td").first.inner_text() == "1"
    assert "Create objective" not in rpage.content()  # the officer may not edit the strategy
    assert errors == []


def test_matrix_page_shows_provenance_and_the_network(rpage):
    login(rpage, "officer")
    rpage.goto("/resilience/matrix")
    assert "belgium-2020" in rpage.get_by_test_id("provenance").inner_text()
    assert "BEL2020ttl.csv" in rpage.get_by_test_id("provenance").inner_text()
    assert rpage.get_by_test_id("accounting").is_visible()
    network = rpage.locator('svg[aria-label="Dependency network of the sectors"]')
    assert network.is_visible() and "Resilient transport" in network.inner_html()


def test_officer_records_an_assessment_through_the_form(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/requirements/transport")
    form = rpage.get_by_test_id("assess-form")
    form.locator("select[name=criterion]").select_option("alternatives")
    form.locator("select[name=level]").select_option("3")
    form.locator("select[name=target]").select_option("5")
    form.locator("textarea[name=evidence]").fill("Rail detour plan drilled.")
    form.locator("button[type=submit]").click()
    rpage.wait_for_url(re.compile(r"/resilience/requirements/transport\?flash="))
    assert "Assessment recorded." in rpage.locator(".flash").inner_text()
    row = rpage.get_by_test_id("history").locator("tbody tr", has_text="Rail detour plan")
    assert row.count() == 1 and "officer" in row.inner_text()
    today = formats.date(dt.date.today(), lang="en")  # "6 December 2026"
    assert today in row.inner_text()  # dated today, in the history
    assert errors == []


def test_a_reader_without_the_right_sees_no_form_and_no_hidden_evidence(rpage):
    login(rpage, "visitor")
    rpage.goto("/resilience/requirements/government")
    assert rpage.get_by_test_id("assess-form").count() == 0
    assert "NATO" not in rpage.get_by_test_id("banner-top").inner_text()
    assert "no joint plan covers the loss" not in rpage.content()  # CONFIDENTIAL//NATO evidence


def test_officer_creates_a_scenario_through_the_form_and_sees_its_cascade(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/scenarios")
    rpage.click("text=New scenario")
    rpage.wait_for_url("**/resilience/scenarios/new")
    form = rpage.get_by_test_id("scenario-form")
    form.locator("input[name=name]").fill("bridge-outage")
    form.locator("input[name=title]").fill("Outage of the main river bridges")
    form.locator("input[name='shock.transport']").fill("45")
    form.locator("input[name='shock.energy']").fill("5")
    form.locator("input[name='recovery.transport']").fill("20")
    form.locator("input[name=days]").fill("45")
    form.locator("button[type=submit]").click()
    rpage.wait_for_url(re.compile(r"/resilience/scenarios/bridge-outage\?flash="))
    assert "Scenario created." in rpage.locator(".flash").inner_text()
    cascade = rpage.locator('svg[aria-label^="Cascade over time"]')
    assert cascade.is_visible() and "Resilient transport systems" in cascade.inner_html()
    transport = rpage.get_by_test_id("outcomes").locator("tr", has_text="Resilient transport")
    assert "45.0%" in transport.inner_text() and "20 days" in transport.inner_text()
    rpage.click("a.button:has-text('Edit')")
    rpage.wait_for_url("**/resilience/scenarios/bridge-outage/edit")
    assert rpage.locator("input[name='shock.transport']").input_value() == "45"
    assert errors == []


def test_officer_scores_a_small_matrix_on_the_grid_and_sees_its_provenance(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/matrix")
    rpage.click("text=Score the dependences on the 0–5 consequence scale")
    form = rpage.get_by_test_id("scores-form")
    assert "more than half its function" in rpage.get_by_test_id("consequence-scale").inner_text()
    form.locator("input[name=name]").fill("workshop-grid")
    form.locator("input[name=source]").fill("Browser workshop")
    for box in form.locator("input[name=include]").all():
        if box.get_attribute("value") not in ("energy", "transport"):
            box.uncheck()
    form.get_by_label("transport depends on energy").select_option("4")
    form.get_by_label("energy depends on transport").select_option("2")
    form.locator("button[type=submit]").click()
    rpage.wait_for_url(re.compile(r"/resilience/matrix\?name=workshop-grid&flash="))
    assert "Matrix workshop-grid saved" in rpage.locator(".flash").inner_text()
    provenance = rpage.get_by_test_id("provenance").inner_text()
    assert "expert-consequence-scale" in provenance and "Browser workshop" in provenance
    assert rpage.get_by_test_id("a-star").locator("tbody tr").count() == 2
    assert "0.400" in rpage.get_by_test_id("a-star").inner_text()
    listed = rpage.get_by_test_id("matrices").locator("select[name=name]").inner_text()
    assert "workshop-grid" in listed and "belgium-2020 (active)" in listed
    assert errors == []


def test_officer_uploads_a_csv_matrix_and_sees_it_listed(rpage):
    errors = watch_errors(rpage)
    login(rpage, "officer")
    rpage.goto("/resilience/matrix")
    rpage.click("text=Upload a CSV file")
    form = rpage.get_by_test_id("upload-form")
    form.locator("input[name=name]").fill("csv-upload")
    csv_text = b"sector,energy,health\nenergy,0,0.1\nhealth,0.35,0\n"
    form.locator("input[name=file]").set_input_files(
        {"name": "experts.csv", "mimeType": "text/csv", "buffer": csv_text}
    )
    form.locator("button[type=submit]").click()
    rpage.wait_for_url(re.compile(r"/resilience/matrix\?name=csv-upload&flash="))
    provenance = rpage.get_by_test_id("provenance").inner_text()
    assert "experts.csv" in provenance and "csv" in provenance
    assert "csv-upload" in rpage.get_by_test_id("matrices").inner_text()
    assert errors == []
    bad = b"sector,energy,health\nenergy,0,0.1\nhealth,lots,0\n"
    rpage.click("text=Upload a CSV file")
    form.locator("input[name=name]").fill("csv-bad")
    form.locator("input[name=file]").set_input_files(
        {"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}
    )
    form.locator("button[type=submit]").click()
    assert "bad.csv, line 3" in rpage.locator('[role="alert"]').inner_text()
    assert "csv-bad" not in rpage.get_by_test_id("matrices").inner_text()  # nothing stored
