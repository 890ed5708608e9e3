"""Pages write dates, numbers and vocabulary the reader's way; machine output stays machine's.

The small package's "Credible deterrence" objective is due on 30 June 2035 and planned; the
land forces have a budget line of 1,000,000 EUR.
"""

import json
import re
from html import unescape

import pytest

from grandstrategy.cli.main import main
from grandstrategy.core import i18n
from tests.api.test_pages import login
from tests.helpers import make_user

NBSP = re.compile("[\u00a0\u202f]")


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, entities read, no-break spaces read as spaces."""
    return " ".join(NBSP.sub(" ", unescape(re.sub(r"<[^>]+>", " ", html))).split())


@pytest.fixture
def reader(client, session, loaded):
    make_user(session, "lise", "council-member", "UNCLASSIFIED")
    session.commit()
    login(client, "lise")
    return client


def page(client, path: str, lang: str) -> str:
    r = client.get(path, headers={"Accept-Language": lang})
    assert r.status_code == 200, r.text
    assert f'<html lang="{lang}">' in r.text
    return text_of(r.text)


@pytest.mark.parametrize(
    ("lang", "deadline", "budget", "status"),
    [
        ("en", "30 June 2035", "€1,000,000", "planned"),
        ("fr", "30 juin 2035", "1 000 000 €", "prévu"),
        ("nl", "30 juni 2035", "€ 1.000.000", "gepland"),
        ("de", "30. Juni 2035", "1.000.000 €", "geplant"),
    ],
)
def test_strategy_pages_write_dates_money_and_statuses_in_the_readers_language(
    reader, lang, deadline, budget, status
):
    overview = page(reader, "/strategy", lang)
    assert deadline in overview and status in overview
    assert "2035-06-30" not in overview
    trace = page(reader, "/strategy/trace", lang)
    assert budget in trace


@pytest.mark.parametrize(
    ("lang", "share"),
    [("en", re.compile(r"\b\d\.\d\d%")), ("fr", re.compile(r"\b\d,\d\d %")),
     ("de", re.compile(r"\b\d,\d\d %")), ("nl", re.compile(r"\b\d,\d\d%"))],
)  # fmt: skip
def test_budget_page_writes_shares_of_gdp_with_the_readers_separators(reader, lang, share):
    text = page(reader, "/delivery/budget", lang)
    assert share.search(text), text[:2000]


def test_help_page_speaks_the_readers_language(reader):
    text = page(reader, "/help", "fr")
    assert "Consulter et vérifier le journal d'audit." in text
    assert "Non communicable aux partenaires." in text
    assert "quasi certain : plus de 80 %" in text
    assert "chaque objectif a une échéance" in text
    assert "allié fidèle ↔ acteur indépendant" in text
    for english in ("Read and verify the audit log.", "almost certain", "faithful ally"):
        assert english not in text


def test_json_stays_machine_readable_in_every_language(client, loaded, token_for):
    """The API speaks ISO dates and ids whatever the reader's language."""
    headers = {**token_for("council-member"), "Accept-Language": "fr"}
    r = client.get("/api/strategy/objectives", headers=headers)
    assert r.status_code == 200
    deter = next(o for o in r.json() if o["id"] == "deter")
    assert deter["deadline"] == "2035-06-30" and deter["status"] == "planned"


def run_cli(capsys, *args: str) -> str:
    """Run the CLI in-process; the language it sets is given back afterwards."""
    with i18n.language("en"), pytest.raises(SystemExit) as exc:
        main(list(args))
    assert not exc.value.code
    return capsys.readouterr().out


def test_cli_tables_use_the_languages_separators_and_json_does_not(capsys, tmp_path):
    """A bare input-output table needs no database: the static IIM in a table and as JSON."""
    matrix = tmp_path / "a.csv"
    matrix.write_text("sector,Sector1,Sector2\nSector1,0,0.5\nSector2,0.4,0\n")
    args = ["resilience", "iim", "--matrix", str(matrix), "--shock", "Sector2=0.6"]
    english = run_cli(capsys, "--lang", "en", *args)
    french = run_cli(capsys, "--lang", "fr", *args)
    assert "0.7500" in english and "0,7500" in french and "0.7500" not in french
    data = json.loads(run_cli(capsys, "--lang", "fr", *args, "--json"))
    assert data["inoperability"]["Sector2"] == pytest.approx(0.75)
