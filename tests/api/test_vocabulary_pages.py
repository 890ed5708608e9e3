"""Pages name vocabulary entries (requirements, criteria, scales, roles, markings, threat
categories) in the reader's language, and keep the English names for English readers."""

from grandstrategy.web.deps import LANG_COOKIE
from tests.api.test_pages import login
from tests.helpers import make_user


def as_reader(client, session, role: str, lang: str) -> None:
    make_user(session, "vera", role)
    session.commit()
    login(client, "vera")
    client.cookies.set(LANG_COOKIE, lang)


def test_resilience_overview_names_requirements_and_levels_in_french(client, session):
    as_reader(client, session, "resilience-officer", "fr")
    html = client.get("/resilience").text
    assert "Résilience des approvisionnements énergétiques" in html
    assert "Résilience des systèmes de transport" in html
    assert "5 · Adaptatif" in html and "4 · Piloté" in html
    assert "Resilient energy supplies" not in html and "Managed" not in html


def test_requirement_page_names_its_criteria_in_german(client, session):
    as_reader(client, session, "resilience-officer", "de")
    html = client.get("/resilience/requirements/energy").text
    assert "<h1>Resiliente Energieversorgung</h1>" in html
    assert "Schwarzstart und Netzwiederaufbau" in html  # criteria table and form choice
    assert "Black start and restoration" not in html
    assert "3 · Etabliert" in html


def test_english_reader_keeps_the_english_names(client, session):
    as_reader(client, session, "resilience-officer", "en")
    html = client.get("/resilience/requirements/energy").text
    assert "<h1>Resilient energy supplies</h1>" in html
    assert "Black start and restoration" in html and "3 · Established" in html
    assert "Resiliente Energieversorgung" not in html


def test_help_page_describes_roles_and_levels_in_dutch(client, session):
    as_reader(client, session, "reader", "nl")
    html = client.get("/help").text
    assert "Lid van de Nationale Veiligheidsraad" in html
    assert "Openbaarmaking zou nadelig zijn voor de nationale belangen." in html
    assert "Member of the National Security Council" not in html


def test_taxonomy_page_names_categories_in_the_readers_language(client, session):
    as_reader(client, session, "analyst", "nl")
    html = client.get("/horizon/taxonomy").text
    assert "Cyberaanvallen <code>cyber</code>" in html
    assert "Klimaatverandering <code>climate</code>" in html
    client.cookies.set(LANG_COOKIE, "en")
    assert "Cyber attacks <code>cyber</code>" in client.get("/horizon/taxonomy").text


def test_strategy_pages_show_kinds_scales_and_titles_in_french(client, session, loaded):
    as_reader(client, session, "pen-holder", "fr")
    threats = client.get("/strategy/threats").text
    assert "<h1>Menaces et défis</h1>" in threats and "menace" in threats
    actors = client.get("/strategy/actors").text
    assert "ministère" in actors and "ministry" not in actors
    form = client.get("/strategy/threats/new").text
    assert ">défi</option>" in form and ">challenge</option>" not in form
    # the category select offers the taxonomy's categories by their French names
    assert ">Subversion et ingérence étrangère</option>" in form
    help_page = client.get("/help").text
    assert "quasi certain" in help_page and "almost certain" not in help_page
    assert "allié fidèle" in help_page


def test_french_edition_shows_the_scales_and_kinds_from_the_vocabulary(
    client, session, loaded, token_for
):
    r = client.get("/api/strategy/export?format=md&lang=fr", headers=token_for("reader"))
    assert r.status_code == 200, r.text
    assert "Intérêts vitaux" in r.text and "Probabilité" in r.text
    assert "quasi certain" in r.text and "catastrophique" in r.text
    assert "menace" in r.text and "almost certain" not in r.text
