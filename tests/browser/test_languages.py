"""The interface in each of its four languages, as a reader meets it (issue 12 acceptance).

A user logs in, presses EN, FR, NL and DE in the header in turn, and walks the main pages of
every capability. Three checks:

* every page says which language it is in (``<html lang>``);
* no English message the catalog translates is left on a French, Dutch or German page
  (compared with the catalog itself, so a message shown untranslated is caught);
* no English text from outside the catalogs is left either: a line or table cell that reads
  the same on the English page and on the other language's page must be record content
  (anything stored in the database or shipped as example data), a proper or format name, an
  identifier (ids, role names, lint rule codes, markings) or a word that language spells as
  English does (catalog messages translated as themselves). What is left is English that
  never went through gettext.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from grandstrategy.core.authz import registry
from grandstrategy.delivery.example import load_example as load_delivery
from grandstrategy.resilience.example import load_example as load_resilience
from grandstrategy.strategy.example import load_example as load_strategy
from tests import catalogs
from tests.browser.conftest import open_page, serve
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "fr", "nl", "de")
OTHERS = ("fr", "nl", "de")
USERS = [("polyglot", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"])]
EXAMPLES = catalogs.PACKAGE / "examples"

# The main pages of each capability, the admin's pages and a record of each kind.
PAGES = {
    "strategy overview": "/strategy",
    "objectives": "/strategy/objectives",
    "an objective": "/strategy/objectives/resilience-review",
    "a threat": "/strategy/threats/hybrid",
    "an actor": "/strategy/actors/nsc",
    "traceability": "/strategy/trace",
    "history": "/strategy/history?v1=1",
    "departmental strategies": "/strategy/departmental",
    "horizon inbox": "/horizon",
    "horizon search": "/horizon/search?q=port",
    "a document": "/horizon/documents/1",
    "a story": "/horizon/stories/1",
    "stories": "/horizon/stories",
    "alerts": "/horizon/alerts",
    "taxonomy": "/horizon/taxonomy",
    "watchlists": "/horizon/watch",
    "resilience overview": "/resilience",
    "resilience gaps": "/resilience/gaps",
    "scenarios": "/resilience/scenarios",
    "delivery dashboard": "/delivery",
    "budget": "/delivery/budget",
    "deployments": "/delivery/deployments",
    "drafting": "/drafting",
    "help": "/help",
    "audit": "/audit",
    "users": "/admin/users",
    "a user": "/admin/users/polyglot",
}
# Read the same in every language: format names, and the first maturity level (fr, de).
SAME_EVERYWHERE = {
    "grandstrategy",
    "en",
    "fr",
    "nl",
    "de",
    "Markdown",
    "PDF",
    "DOCX",
    "Word",
    "HTML",
    "YAML",
    "JSON",
    "Initial",
}
# Words a language writes as English does in the vocabularies' YAML (likelihood 5, a
# resilience criterion).
SAME_IN = {"fr": {"certain", "population"}, "nl": set(), "de": set()}
# The operators that act in the example loaders and the tests, and the audit log's code for
# a read (its other actions are dotted codes such as users.add).
ACTORS = {"setup", "browser-test", "example", "polyglot", "read"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{[^{}]*\}")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W\d_]{2,}")
IDENTIFIER = re.compile(r"^[a-z0-9]+(?:[.:/_-][a-z0-9]+)+$|^[0-9a-f]{8,}$|^[a-z]+:[A-Z]{2}$")
SEPARATORS = re.compile(r", | · | / | — |: | \| |\) \(")
# Stars of priority objectives, a marking after a title, a count after a facet.
DECORATION = re.compile(r"^[★•]\s*|\s+[A-Z][A-Z/-]+$|\s+\d+$")
# Columns holding codes of the software's own vocabularies, not content.
CODE_COLUMNS = {"op", "status", "state", "kind", "action", "verdict", "change", "severity"}


def _documents() -> bytes:
    lines = (EXAMPLES / "horizon" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return ("\n".join(lines[:8]) + "\n").encode()


@pytest.fixture(scope="module")
def languages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Its own server (the choice of language is saved in the user's profile), with the
    strategy, resilience and delivery examples; documents are uploaded through the inbox."""
    folder = tmp_path_factory.mktemp("languages-live")
    with serve(folder, USERS, [load_strategy, load_resilience, load_delivery]) as url:
        yield url, folder / "live.db"


@pytest.fixture(scope="module")
def seen(browser, languages_server) -> dict[str, dict[str, tuple[str, str]]]:
    """{language: {page: (html lang, visible text)}} after pressing each language's button."""
    url, _db = languages_server
    page = next(open_page(browser, url))
    page.goto("/login")
    form = page.locator("section.login form")
    form.locator("input[name=username]").fill("polyglot")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda u: "/login" not in u)
    page.goto("/horizon")
    page.click("text=Add a document")
    page.set_input_files(
        "input[name=file]",
        {"name": "news.jsonl", "mimeType": "application/x-ndjson", "buffer": _documents()},
    )
    page.fill("form[action='/horizon/upload'] input[name=source]", "press review")
    page.click("form[action='/horizon/upload'] button[type=submit]")
    page.wait_for_url(re.compile(r"/horizon/documents/\d+"))
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for lang in LANGUAGES:
        page.goto("/strategy")
        with page.expect_navigation():
            page.locator(f"form.languages button[value={lang}]").click()
        found[lang] = {}
        for name, path in PAGES.items():
            response = page.goto(path)
            assert response is not None and response.status == 200, (lang, path)
            found[lang][name] = (page.get_attribute("html", "lang") or "", page.inner_text("body"))
    page.context.close()
    return found


def test_every_page_says_its_language(seen):
    wrong = {
        (lang, name): said
        for lang, pages in seen.items()
        for name, (said, _text) in pages.items()
        if said != lang
    }
    assert not wrong


@cache
def _catalog(lang: str) -> tuple[tuple[str, str], ...]:
    """(English, translation) of every translated message, markup removed, ``%%`` as ``%``."""
    with (catalogs.LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    pairs = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        english = message.id[0] if isinstance(message.id, tuple) else message.id
        other = message.string[0] if isinstance(message.string, tuple) else message.string
        if other:
            plain = " ".join(TAG.sub("", english).replace("%%", "%").split())
            pairs.append((plain, other))
    return tuple(pairs)


def translated_english(lang: str) -> tuple[str, ...]:
    """The English messages ``lang`` words differently, two letters or more; messages with
    placeholders are left out (their fixed parts are too short to tell from content), and so
    are capitals alone (compartments such as NATO are markings' codes, shown as they are)."""
    return tuple(
        sorted(
            {
                english
                for english, other in _catalog(lang)
                if other != english
                and not PLACEHOLDER.search(english)
                and len(english) >= 2
                and not english.isupper()
            }
        )
    )


def english_left(text: str, messages: tuple[str, ...]) -> list[str]:
    """English interface strings in a page's visible text.

    A message of three words or fewer counts only when it is a whole line or table cell on its
    own (so that "Status" inside a record's English title is not taken for a heading); a
    longer one counts wherever it appears between word boundaries.
    """
    chunks = {" ".join(c.split()) for c in re.split(r"[\n\t]", text)}
    flat = " ".join(text.split())
    left = []
    for english in messages:
        if len(english.split()) <= 3:
            if english in chunks:
                left.append(english)
        elif re.search(rf"(?<!\w){re.escape(english)}(?!\w)", flat):
            left.append(english)
    return left


def test_english_left_finds_headings_not_words_in_content():
    messages = ("Status", "Breaks in the chain", "History")
    text = "History\nThe status quo\tStatus\nno Breaks in the chains here"
    assert english_left(text, messages) == ["Status", "History"]


@pytest.mark.parametrize("lang", OTHERS)
def test_no_catalog_message_left_in_english(seen, lang):
    messages = translated_english(lang)
    left = {
        name: found
        for name, (_lang, text) in seen[lang].items()
        if (found := english_left(text, messages))
    }
    assert not left, f"English interface strings on {lang} pages: {left}"


class Content:
    """What may read the same in every language: record content, names, identifiers."""

    def __init__(self, db: Path, lang: str) -> None:
        texts: list[str] = []
        self.values: set[str] = set()  # whole stored values: record ids, units, sources
        with sqlite3.connect(db) as con:
            tables = [
                r[0] for r in con.execute("select name from sqlite_master where type='table'")
            ]
            for table in tables:
                cursor = con.execute(f'select * from "{table}"')  # noqa: S608 (our own names)
                columns = [c[0] for c in cursor.description]
                for row in cursor:
                    for column, value in zip(columns, row, strict=True):
                        if isinstance(value, str):
                            texts.append(value)
                            if column not in CODE_COLUMNS:
                                _strings(_json(value), self.values)
        for path in EXAMPLES.rglob("*.yaml"):
            _strings(yaml.safe_load(path.read_text(encoding="utf-8")), self.values)
        for path in EXAMPLES.rglob("*.jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                _strings(json.loads(line), self.values)
        for name in ("entities.yaml", "taxonomy.yaml", "regions.yaml"):
            text = (catalogs.PACKAGE / "horizon" / name).read_text(encoding="utf-8")
            _strings(yaml.safe_load(text), self.values)
        texts.extend(self.values)
        self.text = " ".join(" ".join(texts).split())
        self.names = ACTORS | set(registry().roles) | {u[0] for u in USERS}
        self.same = {w for e, o in _catalog(lang) if e == o for w in WORD.findall(e)}
        self.same |= SAME_IN[lang]

    def stored(self, piece: str) -> bool:
        """Record content or a proper name: stored text (cut short, starred, followed by its
        marking or a count); a lone lower-case word only as a whole stored value (a record's
        id), not as a code ('update', 'faded')."""
        piece = piece.removesuffix("…").strip().strip("()")
        return any(self._stored(p) for p in (piece, DECORATION.sub("", piece).strip()))

    def _stored(self, piece: str) -> bool:
        if not piece:
            return True
        if " " not in piece and not piece[:1].isupper():
            return piece in self.values
        return piece in self.text

    def word_ok(self, token: str) -> bool:
        token = token.strip("()[]{}.,;:!?'\"«»“”‘’*★•→←%")
        words = WORD.findall(token)
        return (
            not words
            or bool(IDENTIFIER.match(token))
            or token in self.names
            or token in SAME_EVERYWHERE
            or all(w in self.same or w.isupper() for w in words)
        )

    def english(self, chunk: str) -> bool:
        """Whether a chunk reading the same in English and another language is left English."""
        if not WORD.search(chunk) or self.stored(chunk):
            return False
        for piece in SEPARATORS.split(chunk):
            if not self.stored(piece) and not all(self.word_ok(t) for t in piece.split()):
                return True
        return False


def _json(value: str) -> object:
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            pass
    return value


def _strings(value: object, into: set[str]) -> None:
    """Every string inside a YAML or JSON value, keys included, whitespace folded."""
    if isinstance(value, str):
        into.add(" ".join(value.split()))
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(k, into)
            _strings(v, into)
    elif isinstance(value, list):
        for v in value:
            _strings(v, into)


def _chunks(text: str) -> set[str]:
    return {" ".join(c.split()) for c in re.split(r"[\n\t]", text)} - {""}


def untranslated(seen, lang: str, content: Content, names: list[str]) -> dict[str, list[str]]:
    left = {}
    for name in names:
        same = _chunks(seen["en"][name][1]) & _chunks(seen[lang][name][1])
        found = sorted(c for c in same if content.english(c))
        if found:
            left[name] = found
    return left


@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_outside_the_catalogs(seen, languages_server, lang):
    """Final acceptance of the translated interface (issue 12)."""
    content = Content(languages_server[1], lang)
    left = untranslated(seen, lang, content, list(PAGES))
    assert not left, f"English left on {lang} pages: {json.dumps(left, ensure_ascii=False)}"


def test_untranslated_text_is_told_from_content(tmp_path):
    db = tmp_path / "c.db"
    with sqlite3.connect(db) as con:
        con.execute("create table t (op text, title text)")
        con.execute("insert into t values ('update', 'Cut cocaine trafficking in Antwerp')")
    content = Content(db, "fr")
    assert not content.english("Cut cocaine trafficking in Antwerp")
    assert not content.english("Cut cocaine traff…")  # a title cut short
    assert not content.english("objectives/port-drug-trafficking")  # an identifier
    assert not content.english("Audit")  # French writes it as English does
    assert not content.english("polyglot · admin · SECRET")
    assert content.english("update")  # a stored code shown as it is
    assert content.english("Saved the objective")
    assert content.english("status: draft → approved")
