"""``GET /api/strategy/export?lang=fr``: an edition in French, marking rules unchanged."""

from grandstrategy.strategy import service
from grandstrategy.strategy.schemas import Package
from tests.helpers import SECRET_TITLE, package_data


def _load(session, operator):
    data = package_data()
    safety = data["interests"][0]
    safety["title"] = {"en": safety["title"], "fr": "Sécurité des citoyens"}
    secret = next(o for o in data["objectives"] if o["id"] == "zebra-cell")
    secret["title"] = {"en": secret["title"], "fr": "Cellule zèbre"}
    service.import_package(session, user=operator, package=Package.model_validate(data))
    session.commit()


def test_export_lang_fr(client, session, operator, token_for):
    _load(session, operator)
    h = token_for("reader", "SECRET")
    r = client.get("/api/strategy/export?format=md&lang=fr", headers=h)
    assert r.status_code == 200, r.text
    assert "Intérêts vitaux" in r.text and "Sécurité des citoyens" in r.text
    assert 'filename="testland-nss-fr.md"' in r.headers["content-disposition"]
    english = client.get("/api/strategy/export?format=md&lang=en", headers=h).text
    assert "Vital interests" in english and "Sécurité des citoyens" not in english


def test_public_french_export_leaves_out_what_is_above_the_marking(
    client, session, operator, token_for
):
    _load(session, operator)
    h = token_for("reader", "SECRET")
    r = client.get("/api/strategy/export?format=md&lang=fr&max_marking=UNCLASSIFIED", headers=h)
    assert r.status_code == 200 and r.headers["x-marking"] == "UNCLASSIFIED"
    assert "Cellule zèbre" not in r.text and SECRET_TITLE not in r.text
    low = client.get("/api/strategy/export?format=md&lang=fr", headers=token_for("reader"))
    assert "Cellule zèbre" not in low.text  # a reader without clearance never sees it


def test_unknown_language_is_a_422(client, session, operator, token_for):
    _load(session, operator)
    r = client.get("/api/strategy/export?format=md&lang=es", headers=token_for("reader"))
    assert r.status_code == 422 and "lang" in r.text


def test_page_export_follows_the_page_language_or_lang(client, session, operator):
    from tests.api.test_pages import login
    from tests.helpers import make_user

    _load(session, operator)
    make_user(session, "paula", "reader", "SECRET")
    session.commit()
    login(client, "paula")
    fr = client.get("/strategy/export?format=md", headers={"Accept-Language": "fr-BE"})
    assert fr.status_code == 200 and "Sécurité des citoyens" in fr.text
    nl = client.get("/strategy/export?format=md&lang=nl", headers={"Accept-Language": "fr"})
    assert nl.status_code == 200 and "Vitale belangen" in nl.text
