"""A flash message survives the redirect whole: translated, with accents, typographic quotes
and the characters that would cut a query string (& # ? +) or an HTML attribute (")."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from grandstrategy.core import i18n
from tests.api.test_delivery_forms_pages import DEPLOYMENT, _csrf
from tests.helpers import PASSWORD, make_user

NAME = 'Évaluation « A&B » #2? 1+1 l’été "dit" l\'an'


def _flash(text: str) -> str:
    m = re.search(r'<p class="flash" role="status">(.*?)</p>', text, re.S)
    assert m, "the page shows no flash message"
    return html.unescape(m.group(1))


@pytest.fixture
def french(app, session, loaded):
    """A logged-in analyst (delivery.manage) who reads the pages in French."""
    make_user(session, "flora", "analyst", "RESTRICTED")
    session.commit()
    b = TestClient(app)
    b.cookies.set("gs_lang", "fr")
    r = b.post("/login", data={"username": "flora", "password": PASSWORD,
                               "csrf_token": _csrf(b.get("/login").text)},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    return b


def test_a_typed_name_in_a_french_message_round_trips(french):
    token = _csrf(french.get("/delivery/deployments/new").text)
    r = french.post("/delivery/deployments/new",
                    data={**DEPLOYMENT, "name": NAME, "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    location.encode("ascii")  # percent-encoded: nothing raw in the header
    url = urlsplit(location)
    with i18n.language("fr"):
        expected = i18n.gettext("Deployment {name} saved.").format(name=NAME)
    assert expected == f"Déploiement {NAME} enregistré."
    assert url.path == "/delivery/deployments" and url.fragment == ""
    assert parse_qs(url.query) == {"flash": [expected]}
    page = french.get(location)
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert _flash(page.text) == expected


def test_logout_says_so_in_the_readers_language(french):
    r = french.post("/logout", data={"csrf_token": _csrf(french.get("/help").text)},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert urlsplit(r.headers["location"]).path == "/login"
    assert _flash(french.get(r.headers["location"]).text) == "Vous êtes déconnecté."
