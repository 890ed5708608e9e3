"""The last English leftovers (issue 12): drafting statuses on pages, numbers and dates in the
delivery packs, and the numbers drawn in charts, all in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from grandstrategy.core import i18n
from grandstrategy.core.terms import term, vocabularies
from grandstrategy.delivery import service as delivery
from grandstrategy.delivery.charts import capability_svg, history_svg, trajectory_svg
from grandstrategy.delivery.render import table
from grandstrategy.delivery.schemas import (
    BudgetHistory,
    CapabilityValue,
    DeploymentCreate,
    IndicatorTrack,
)
from grandstrategy.drafting.schemas import AUDIENCES, DISPOSITIONS, ORG_KINDS
from grandstrategy.resilience.charts import gaps_svg, network_svg
from grandstrategy.resilience.schemas import RankedGap
from grandstrategy.strategy.charts import money
from tests.api.test_locale_formats import text_of
from tests.api.test_pages import login
from tests.helpers import PASSWORD, make_user

SPACE = re.compile("[\u00a0\u202f]")


def plain(text: str) -> str:
    """No-break spaces (French and German separators) read as spaces."""
    return SPACE.sub(" ", text)


# --- drafting ------------------------------------------------------------------------------


def test_drafting_vocabularies_cover_every_stored_value():
    words = vocabularies()
    assert set(words["cycle-status"]) >= {"drafting", "approved", "published"}
    assert set(words["round-status"]) >= {"open", "closed"}
    assert set(words["contribution-status"]) >= {"held", "published", "rejected"}
    assert set(words["audience"]) >= set(AUDIENCES)
    assert set(words["disposition"]) >= set(DISPOSITIONS)
    assert set(words["org-kind"]) >= set(ORG_KINDS)
    with i18n.language("fr"):  # the same English word, two French ones
        assert term("published", "cycle-status") == "publié"
        assert term("published", "contribution-status") == "publiée"
        assert term("approved", "strategy-status") == "approuvée"  # earlier words unchanged


@pytest.fixture
def drafting(client, session, loaded):
    """A cycle with one open round, and one contribution decided 'partly'."""
    make_user(session, "pen", "pen-holder", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"])
    make_user(session, "dept", "contributor", "RESTRICTED")
    session.commit()

    def bearer(name: str) -> dict[str, str]:
        r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    pen, dept = bearer("pen"), bearer("dept")
    r = client.post("/api/drafting/cycles", headers=pen,
                    json={"name": "nss-next", "pen_holder": "pen"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post("/api/drafting/rounds", headers=pen,
                    json={"name": "departments", "audience": "departments"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post("/api/drafting/rounds/departments/contributions", headers=dept,
                    json={"on": "objectives/deter", "text": "Say what credible means.",
                          "organisation": "Ministry of Defence"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = client.post(f"/api/drafting/contributions/{r.json()['id']}/decision", headers=pen,
                    json={"disposition": "partly", "reason": "In the indicators."})  # fmt: skip
    assert r.status_code == 200, r.text
    login(client, "pen")
    return client


@pytest.mark.parametrize(
    ("lang", "cycle", "round_", "audience", "disposition"),
    [
        ("en", "drafting", "open", "federal departments", "partly accepted"),
        ("fr", "en cours de rédaction", "ouvert", "départements fédéraux",
         "partiellement acceptée"),
        ("nl", "in opmaak", "open", "federale departementen", "gedeeltelijk aanvaard"),
        ("de", "in Ausarbeitung", "offen", "föderale Ministerien", "teilweise angenommen"),
    ],
)  # fmt: skip
def test_drafting_pages_show_statuses_in_the_readers_language(
    drafting, lang, cycle, round_, audience, disposition
):
    r = drafting.get("/drafting", headers={"Accept-Language": lang})
    assert r.status_code == 200 and f'<html lang="{lang}">' in r.text
    assert f'data-testid="cycle-status">{cycle}</dd>' in r.text
    rounds = text_of(r.text.split('data-testid="rounds"')[1].split("</table>")[0])
    assert f"departments {audience}" in rounds and round_ in rounds
    r = drafting.get("/drafting/rounds/departments", headers={"Accept-Language": lang})
    assert r.status_code == 200
    assert f'data-testid="round-status">{round_}</span>' in r.text
    assert f"<strong>{disposition}</strong>" in r.text
    if lang != "en":
        assert ">drafting</dd>" not in r.text and "<strong>partly</strong>" not in r.text


def test_a_round_past_its_closing_date_says_so(drafting):
    with i18n.language("fr"):
        assert term("past-deadline", "round-status") == "date de clôture dépassée"
    r = drafting.get("/drafting/queue", headers={"Accept-Language": "fr"})
    assert r.status_code == 200  # the decision form offers the dispositions in French
    assert '<option value="accept">acceptée</option>' in r.text or "queue-empty" in r.text


# --- delivery packs ------------------------------------------------------------------------


def test_table_aligns_number_columns_to_the_right():
    lines = table(["name", "count", "when"], [["a", "1 234,5", "5 déc. 2026"]], right={1})
    assert lines[1] == "| --- | ---: | --- |"
    assert lines[2] == "| a | 1 234,5 | 5 déc. 2026 |"


@pytest.fixture
def deployments(session, operator):
    data = DeploymentCreate.model_validate({
        "key": "efp", "name": "Battlegroup", "framework": "NATO", "theatre": "Lithuania",
        "personnel": 1250, "annual_cost": 112.5, "start": dt.date(2020, 3, 1),
    })  # fmt: skip
    delivery.add_deployment(session, user=operator, data=data)
    delivery.open_round(session, user=operator, year=2026)
    return operator


@pytest.mark.parametrize(
    ("lang", "row"),
    [
        ("en", "| Battlegroup | NATO | Lithuania | 1,250 | 112.5 | 1 Mar 2020 |"),
        ("fr", "| Battlegroup | OTAN | Lithuania | 1 250 | 112,5 | 1 mars 2020 |"),
        ("nl", "| Battlegroup | NAVO | Lithuania | 1.250 | 112,5 | 1 mrt 2020 |"),
        ("de", "| Battlegroup | NATO | Lithuania | 1.250 | 112,5 | 01.03.2020 |"),
    ],
)
def test_review_pack_writes_numbers_and_dates_the_readers_way(session, deployments, lang, row):
    with i18n.language(lang):
        text = delivery.review_pack(session, user=deployments, year=2026).content.decode()
    assert row in plain(text), text
    assert "| --- | --- | --- | ---: | ---: |" in text  # number columns aligned right


def test_pack_asked_for_in_french_is_written_in_french(client, session, loaded):
    """Through the API: the pack speaks the requester's language (Accept-Language)."""
    make_user(session, "sec", "council-member", "UNCLASSIFIED")
    session.commit()
    r = client.post("/api/auth/token", json={"username": "sec", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    r = client.post("/api/delivery/packs?format=md", headers={**auth, "Accept-Language": "fr"})
    assert r.status_code == 200, r.text  # the file itself
    text = plain(r.content.decode())
    assert "Situation au " in text and "30 juin 2035" in text
    assert "## Objectifs rouges et orange-rouges" in text or "## Red" not in text
    assert "2035-06-30" not in text and "| planned |" not in text
    r = client.post("/api/delivery/packs?format=md", headers={**auth, "Accept-Language": "en"})
    assert "As of " in r.content.decode() and "30 Jun 2035" in r.content.decode()


def test_five_year_review_in_french(session, operator):
    from tests.service.test_delivery_reviews import _two_editions

    _two_editions(session, operator)
    with i18n.language("fr"):
        text = plain(delivery.five_year_review(session, user=operator).content.decode())
    changed = text.split("\n## ")[1]
    assert "réévalué : probabilité 4 → 5" in changed
    assert "30 juin 2035 → 30 juin 2036" in changed
    assert "### Menaces et défis" in text and "2035-06-30" not in text
    assert not re.search(r"\| \d{4}-\d\d-\d\d \|", text)  # no ISO date left in a table


# --- charts --------------------------------------------------------------------------------


def texts(svg: str) -> list[str]:
    """What a chart writes: its text elements (real text, svg.fonttype none)."""
    return [plain(unescape(t)) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def track() -> IndicatorTrack:
    return IndicatorTrack(
        name="Staff", unit="people", baseline=1000, target=2500, start=dt.date(2024, 1, 1),
        due=dt.date(2030, 1, 1), planned=[(dt.date(2024, 1, 1), 1000.0),
                                          (dt.date(2030, 1, 1), 2500.0)],
        actual=[(dt.date(2025, 6, 1), 1234.5)],
    )  # fmt: skip


def growth() -> list[CapabilityValue]:
    return [CapabilityValue(capability="Army", measure="units", years=[2024, 2026],
                            targets=[1, 2], delivered=[1, 1], spend=[1, 2], spend_growth=45.0,
                            delivered_growth=-12.5, flag=True, marking="UNCLASSIFIED")]  # fmt: skip


def test_french_charts_write_numbers_as_french_pages_do():
    with i18n.language("fr"):
        trajectory = texts(trajectory_svg(track()))
        capability = texts(capability_svg(growth()))
        network = texts(network_svg(["a", "b"], ["A", "B"], [[0, 0.3], [0.1, 0]], [1.2, 1.1]))
        gap = RankedGap(rank=1, requirement="energy", title="Energy", current=1.0, target=3.0,
                        gap=2.5, shock=0.5, system_inoperability=1.25, spillover=0.5,
                        most_affected=[], score=1.25, reason="", objectives=[])  # fmt: skip
        gaps = texts(gaps_svg([gap]))
        budget = plain(money(13.5e9))
    assert "1 000" in trajectory and "2 000" in trajectory and "1 janv. 2026" in trajectory
    assert "40 %" in capability and "Army (unités)" in capability
    assert "0,30" in network and "0,10" in network
    assert "1,250 (lacune 2,5)" in gaps, gaps
    assert budget == "13,5 Md €"
    with i18n.language("en"):
        assert "1,000" in texts(trajectory_svg(track()))
        assert "40%" in texts(capability_svg(growth()))
        assert money(13.5e9) == "€13.5bn"


def test_share_of_gdp_ticks_are_percentages_and_years_stay_years():
    from grandstrategy.delivery.schemas import BudgetYear

    h = BudgetHistory(country="Belgium", iso3="BEL", source="NATO", years=[
        BudgetYear(year=y, share_of_gdp_percent=1.0 + 0.1 * k, rank=20, allies=31,
                   europe_canada=1.8, non_nuclear_europe=1.6, estimate=False)
        for k, y in enumerate(range(2020, 2026))])  # fmt: skip
    with i18n.language("de"):
        words = texts(history_svg(h))
    assert "2024" in words and "2.024" not in words  # a year is not a number to group
    assert any(re.fullmatch(r"\d,\d %", w) for w in words), words
