"""The interface language: browser, switcher, saved preference, <html lang>."""

import re

from grandstrategy.core import i18n
from grandstrategy.core.users import find
from tests.api.test_pages import csrf, login
from tests.helpers import make_user


def html_lang(text: str) -> str:
    m = re.search(r'<html lang="([a-z]+)"', text)
    assert m, "the page has no <html lang>"
    return m.group(1)


def test_accept_language_picks_the_interface_language(client):
    fr = client.get("/login", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert html_lang(fr.text) == "fr"
    assert 'aria-label="Langue"' in fr.text
    nl = client.get("/login", headers={"Accept-Language": "nl-BE, en;q=0.4"})
    assert html_lang(nl.text) == "nl" and 'aria-label="Taal"' in nl.text
    other = client.get("/login", headers={"Accept-Language": "es, ja;q=0.5"})
    assert html_lang(other.text) == "en" and 'aria-label="Language"' in other.text


def test_switcher_saves_the_choice_and_login_restores_it(client, session):
    make_user(session, "lena", "reader", "UNCLASSIFIED")
    session.commit()
    login(client, "lena")
    page = client.get("/help")
    r = client.post(
        "/language",
        data={"lang": "de", "next": "/help", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/help"
    assert html_lang(client.get("/help").text) == "de"
    assert find(session, "lena").language == "de"
    # A new browser: the saved preference wins over the browser's English.
    client.cookies.clear()
    login(client, "lena")
    assert html_lang(client.get("/help", headers={"Accept-Language": "en"}).text) == "de"


def test_switcher_refuses_an_off_site_next_and_unknown_language(client):
    page = client.get("/login")
    r = client.post(
        "/language",
        data={"lang": "xx", "next": "https://evil.example/", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/strategy"
    assert html_lang(client.get("/login").text) == "en"


def test_accept_language_quality_order():
    assert i18n.best_match("de;q=0.3, nl;q=0.8, fr;q=0.5") == "nl"
    assert i18n.best_match("*, en-GB") == "en"
    assert i18n.best_match("es") is None
    assert i18n.best_match("fr;q=0") is None
