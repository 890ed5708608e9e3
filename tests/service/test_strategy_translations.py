"""Strategy content in several languages: the package, lint, and editions in French."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from grandstrategy.core.errors import Invalid
from grandstrategy.strategy import service
from grandstrategy.strategy.package import package_files, parse_package
from grandstrategy.strategy.schemas import Package
from grandstrategy.strategy.translations import source_hash
from tests.helpers import SECRET_TITLE, package_data

FR_SAFETY = "Sécurité des citoyens"
FR_SECRET = "Cellule zèbre de contre-espionnage"


def translated() -> dict[str, Any]:
    """The test package with French texts on one interest (inline) and on the secret record."""
    data = package_data()
    safety = data["interests"][0]
    safety["title"] = {"en": safety["title"], "fr": FR_SAFETY, "nl": "Veiligheid van de burgers"}
    safety["statement"] = {"en": safety["statement"], "fr": "Chacun doit être en sécurité."}
    secret = next(o for o in data["objectives"] if o["id"] == "zebra-cell")
    secret["title"] = {"en": secret["title"], "fr": FR_SECRET}
    data["strategy"]["title"] = {"en": data["strategy"]["title"], "fr": "Stratégie de Testland"}
    return data


def files_of(pkg: Package) -> dict[str, bytes]:
    return {name: text.encode() for name, text in package_files(pkg).items()}


def test_plain_strings_and_inline_translations_both_read(session, operator):
    pkg = Package.model_validate(translated())
    safety = pkg.interests[0]
    assert safety.title == "Safety of citizens"  # the plain field is the English source
    assert safety.translations["fr"]["title"].text == FR_SAFETY
    assert pkg.interests[1].translations == {}  # a plain string: English alone
    text = package_files(pkg)["interests.yaml"]
    assert "en: Safety of citizens" in text and f"fr: {FR_SAFETY}" in text
    assert "title: Democracy" in text  # untranslated fields stay plain strings


def test_package_round_trip_through_the_database_is_identical(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    first = service.load_package(session, user=operator)
    assert first.interests[0].translations["fr"]["title"].source_hash == source_hash(
        "Safety of citizens"
    )
    again = parse_package("again", files_of(first))
    report = service.import_package(session, user=operator, package=again)
    assert report.updated == 0 and report.created == 0
    assert package_files(service.load_package(session, user=operator)) == package_files(first)
    assert "translated_from" not in "".join(package_files(first).values())


def test_bad_translations_name_the_file_and_field():
    files = files_of(Package.model_validate(package_data()))
    files["interests.yaml"] = b"- id: a\n  title: {fr: Titre}\n  statement: S\n"
    with pytest.raises(Invalid) as exc:
        parse_package("pkg", files)
    assert "interests.yaml:1" in exc.value.details[0] and "English source text (en)" in str(
        exc.value.details
    )
    files["interests.yaml"] = b"- id: a\n  title: {en: T, es: Titulo}\n  statement: S\n"
    with pytest.raises(Invalid) as exc:
        parse_package("pkg", files)
    assert "unknown language 'es'" in str(exc.value.details)


def rules(session, operator, languages=("fr", "nl")) -> set[tuple[str, str, str]]:
    found = service.lint_strategy(session, user=operator, languages=list(languages))
    return {(f.rule, f.component, f.record_id) for f in found if f.rule.startswith("translation")}


def test_lint_warns_per_language_where_a_translation_is_missing(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    assert rules(session, operator, languages=()) == set()
    found = service.lint_strategy(session, user=operator, languages=["fr", "nl"])
    missing = {(f.component, f.message) for f in found if f.rule == "translation-missing"}
    interests = [m for c, m in missing if c == "interests"]
    # French: only "democracy" lacks it; Dutch: "safety" has no Dutch statement, and democracy.
    assert any("1 of the" in m and "French" in m and "democracy" in m for m in interests)
    assert any("2 of the" in m and "Dutch" in m for m in interests)
    assert all(f.severity == "warning" for f in found if f.rule.startswith("translation"))
    (cover,) = [m for c, m in missing if c == "strategy" and "French" in m]
    assert "summary" in cover and "title" not in cover.split("have")[0]  # the title is in French


def test_lint_says_when_a_translation_is_older_than_its_source(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    assert ("translation-stale", "interests", "safety") not in rules(session, operator)
    service.update_record(
        session,
        user=operator,
        component="interests",
        rid="safety",
        changes={"title": "Safety of all residents"},
    )
    stale = [
        f
        for f in service.lint_strategy(session, user=operator, languages=["fr"])
        if f.rule == "translation-stale"
    ]
    assert [(f.record_id, "title" in f.message) for f in stale] == [("safety", True)]
    assert "French" in stale[0].message
    # The package says so too, and a round trip keeps it stale.
    text = package_files(service.load_package(session, user=operator))["interests.yaml"]
    assert "translated_from:" in text and source_hash("Safety of citizens") in text
    service.import_package(
        session,
        user=operator,
        package=parse_package("p", files_of(service.load_package(session, user=operator))),
    )
    assert ("translation-stale", "interests", "safety") in rules(session, operator)
    # A new French title settles it for French; the Dutch one is still older than its source.
    service.update_record(
        session,
        user=operator,
        component="interests",
        rid="safety",
        changes={"title": {"en": "Safety of all residents", "fr": "Sécurité de tous"}},
    )
    assert ("translation-stale", "interests", "safety") not in rules(session, operator, ["fr"])
    assert ("translation-stale", "interests", "safety") in rules(session, operator, ["nl"])


def test_editing_english_in_the_package_makes_the_untouched_translation_stale(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    data = translated()
    data["interests"][0]["title"]["en"] = "Safety of everyone"
    service.import_package(session, user=operator, package=Package.model_validate(data))
    assert ("translation-stale", "interests", "safety") in rules(session, operator)


def test_french_edition_in_markdown(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    md = service.export(session, user=operator, fmt="md", lang="fr").content.decode()
    assert "Intérêts vitaux" in md  # chrome from the catalog
    assert f"### {FR_SAFETY}" in md and "Stratégie de Testland" in md  # translated records
    assert "[EN] Democracy" in md  # untranslated: the source, marked
    assert "[EN]" in md.split("## ")[1]  # the cover says texts so marked are not translated
    assert FR_SECRET in md  # the operator may read the secret record
    english = service.export(session, user=operator, fmt="md", lang="en").content.decode()
    assert "Vital interests" in english and "[EN]" not in english and FR_SAFETY not in english


def test_public_french_edition_still_omits_classified_records(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    for fmt in ("md", "pdf"):
        ex = service.export(session, user=operator, fmt=fmt, lang="fr", max_marking="UNCLASSIFIED")
        text = (
            ex.content.decode()
            if fmt == "md"
            else "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(ex.content)).pages)
        )
        flat = text.replace("\n", " ")
        assert FR_SECRET not in flat and SECRET_TITLE not in flat and "zebra-cell" not in flat
        assert ex.withheld > 0 and ex.filename == "testland-nss-fr." + fmt


def test_french_edition_in_pdf(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    ex = service.export(session, user=operator, fmt="pdf", lang="fr")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(ex.content)).pages)
    assert "Intérêts vitaux" in text and FR_SAFETY in text and "Table des matières" in text


def test_each_language_gives_its_own_edition(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    editions = {
        lang: service.export(session, user=operator, fmt="md", lang=lang).content
        for lang in ("en", "fr", "nl", "de")
    }
    assert len(set(editions.values())) == 4
    assert "Veiligheid van de burgers" in editions["nl"].decode()


def test_unknown_edition_language_is_refused(session, operator):
    service.import_package(session, user=operator, package=Package.model_validate(translated()))
    with pytest.raises(Invalid, match="unknown language 'es'"):
        service.export(session, user=operator, fmt="md", lang="es")


def test_launch_pack_editions_speak_their_own_language(session, operator):
    from grandstrategy.drafting import service as drafting
    from grandstrategy.drafting.example import load_example
    from grandstrategy.strategy.example import load_example as load_strategy

    load_strategy(session, user=operator)
    load_example(session, user=operator)  # a finished cycle, published: the launch pack
    names = {f.name for f in drafting.launch_files(session, user=operator)}
    md = {
        lang: drafting.launch_file(session, user=operator, name=name)[0].decode()
        for lang in ("en", "fr", "nl", "de")
        if (name := f"edition/belgium-nss-{lang}.html") in names
    }
    assert set(md) == {"en", "fr", "nl", "de"}
    assert "Sécurité physique des citoyens et du territoire" in md["fr"]
    assert "Fysieke veiligheid van de burgers en het grondgebied" in md["nl"]
    assert "[EN] Physical security of citizens and territory" in md["de"]  # no German yet
    assert "[EN]" not in md["en"] and len(set(md.values())) == 4
