import random
from pathlib import Path

import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon.entities import (
    ActorMatch,
    EntityFinder,
    default_finder,
    load_entities,
)


def found(text: str) -> list[tuple[str, str, str]]:
    return [(m.entity_id, m.surface, m.how) for m in default_finder().find(text)]


def ids(text: str) -> list[str]:
    return [m.entity_id for m in default_finder().find(text)]


def test_capital_stands_for_the_state_in_english():
    assert found("Moscow warned NATO") == [
        ("state:RU", "Moscow", "capital"),
        ("org:nato", "NATO", "alias"),
    ]


def test_french_metonym_and_elided_acronym():
    assert found("Le Kremlin et l'OTAN") == [
        ("state:RU", "Kremlin", "metonym"),
        ("org:nato", "OTAN", "alias"),
    ]


def test_dutch_name_and_acronym():
    assert found("Rusland en de NAVO") == [
        ("state:RU", "Rusland", "name"),
        ("org:nato", "NAVO", "alias"),
    ]


def test_german_metonym_and_organisation_name():
    assert found("Der Kreml und die Europäische Union") == [
        ("state:RU", "Kreml", "metonym"),
        ("org:eu", "Europäische Union", "alias"),
    ]


@pytest.mark.parametrize(
    "text",
    ["russische troepen", "Russian troops", "les forces russes", "den russischen Truppen"],
)
def test_adjectives_in_four_languages(text):
    assert found(text)[0][0::2] == ("state:RU", "adjective")


def test_offsets_are_exact_even_with_typographic_apostrophes():
    text = "Selon l’OTAN, Moscou et Pékin — mais aussi les États-Unis et l'UE — se parlent."
    mentions = default_finder().find(text)
    assert [m.entity_id for m in mentions] == [
        "org:nato",
        "state:RU",
        "state:CN",
        "state:US",
        "org:eu",
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    assert mentions[0].surface == "OTAN"


def test_whole_words_only_so_nigeria_is_not_niger():
    assert ids("Nigeria") == ["state:NG"]
    assert ids("Niger and Nigeria") == ["state:NE", "state:NG"]
    assert ids("Nigerian troops") == ["state:NG"]


@pytest.mark.parametrize(
    "text",
    [
        "Tell us what you need.",
        "Those who stayed.",
        "Il y a un problème.",
        "This is fine.",
        "Fine china on the table.",
        "de l'eau potable",
        "Roast turkey.",
    ],
)
def test_case_sensitive_aliases_ignore_ordinary_words(text):
    assert ids(text) == []


def test_case_sensitive_aliases_match_in_capitals():
    assert ids("The US, the UN, the WHO and IS") == [
        "state:US",
        "org:un",
        "org:who",
        "org:islamic-state",
    ]


def test_ap4_and_alliance_for_multilateralism():
    assert ids("The AP4 joined the Alliance for Multilateralism.") == [
        "org:ap4",
        "org:alliance-for-multilateralism",
    ]
    assert ids("l'Alliance pour le multilatéralisme") == ["org:alliance-for-multilateralism"]


def test_longest_surface_wins_and_ignore_phrases_shadow_names():
    assert ids("South Sudan and Sudan") == ["state:SS", "state:SD"]
    assert ids("the Democratic Republic of the Congo") == ["state:CD"]
    assert ids("Latin America, Latijns-Amerika and the Washington Post") == []
    assert ids("America and Amerika") == ["state:US", "state:US"]


def test_spaces_and_hyphens_are_interchangeable():
    assert ids("la Maison Blanche et la Maison-Blanche") == ["state:US", "state:US"]
    assert ids("al Qaeda and al-Qaeda") == ["org:al-qaeda", "org:al-qaeda"]


def test_german_genitive_and_declension():
    assert found("Russlands Krieg") == [("state:RU", "Russlands", "name")]
    assert found("des Kremls") == [("state:RU", "Kremls", "metonym")]
    assert found("der chinesischen Führung") == [("state:CN", "chinesischen", "adjective")]


def test_every_iso_country_is_found_by_name_in_four_languages():
    assert ids("Vietnam, Kenia, Mexique and Bolivien") == [
        "state:VN",
        "state:KE",
        "state:MX",
        "state:BO",
    ]


def test_generated_names_that_are_ordinary_words_are_left_out():
    assert ids("a hand grenade on an island, with chili") == []
    assert ids("la réunion du Conseil") == []


def test_plain_congo_is_the_drc_and_brazzaville_is_distinct():
    assert ids("Congo, Kongo, Congo-Brazzaville") == ["state:CD", "state:CD", "state:CG"]


def test_summarise_counts_and_orders_by_frequency():
    finder = default_finder()
    text = "Moscow and the Kremlin: Russia again. NATO replied; the EU too. NATO again."
    summary = finder.summarise(finder.find(text))
    assert [(entity.id, n) for entity, n in summary] == [
        ("state:RU", 3),
        ("org:nato", 2),
        ("org:eu", 1),
    ]
    assert summary[0][0].name == "Russia"
    assert summary[0][0].kind == "state"
    assert finder.summarise([]) == []


WANTED_STATES = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE",  # EU
    "AL CA IS ME MK NO TR GB US",  # the rest of NATO
    "RU BY UA MD GE AM AZ RS XK BA CH",
    "CN TW JP KR KP AU NZ IN PK AF KZ",
    "IR IQ SY IL LB SA QA AE EG LY DZ MA TN",
    "ML NE BF TD SD ET SO CD RW NG VE BR",
)


def test_entities_cover_the_states_and_organisations_asked_for():
    entities = default_finder().entities()
    wanted_states = {code for group in WANTED_STATES for code in group.split()}
    data = load_entities()
    curated = {s.code for s in data.states}
    assert wanted_states <= curated
    assert entities["state:XK"].name == "Kosovo"
    assert entities["state:KE"].kind == "state"  # generated from pycountry
    assert entities["org:ap4"].kind == "grouping"
    assert entities["org:nato"].kind == "alliance"
    assert entities["org:houthis"].kind == "non-state-group"


FILLER = "the of and security threat defence la de het der und with minister said"


def test_many_generated_texts_keep_offsets_and_find_every_planted_actor():
    rng = random.Random(7)
    filler = FILLER.split()
    planted = {"Moscow": "state:RU", "NAVO": "org:nato", "Pékin": "state:CN", "Hamas": "org:hamas"}
    finder = default_finder()
    for _ in range(200):
        words = [rng.choice(filler) for _ in range(500)]
        expected = []
        for i in sorted(rng.sample(range(500), 10)):
            surface = rng.choice(list(planted))
            words[i] = surface
            expected.append(planted[surface])
        text = " ".join(words)
        mentions = finder.find(text)
        assert [m.entity_id for m in mentions] == expected
        assert all(text[m.start : m.end] == m.surface for m in mentions)


# --- the data file is checked when loaded ------------------------------------------------------


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "entities.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_duplicate_state_code_is_named(tmp_path):
    path = write(
        tmp_path,
        "states:\n  - code: RU\n    names: {en: [Russia]}\n  - code: RU\n",
    )
    with pytest.raises(Invalid) as err:
        load_entities(path)
    assert "duplicate state code 'RU'" in str(err.value)
    assert str(path) in str(err.value)


def test_duplicate_organisation_id_is_named(tmp_path):
    org = "  - id: nato\n    name: NATO\n    kind: alliance\n    aliases: {en: [NATO]}\n"
    path = write(tmp_path, "states: []\norganisations:\n" + org + org)
    with pytest.raises(Invalid, match="duplicate organisation id 'nato'"):
        load_entities(path)


def test_unknown_iso_code_is_named(tmp_path):
    path = write(tmp_path, "states:\n  - code: QQ\n    names: {en: [Nowhere]}\n")
    with pytest.raises(Invalid, match="'QQ' is not an ISO 3166-1 alpha-2 code"):
        load_entities(path)


def test_user_assigned_code_must_be_declared(tmp_path):
    path = write(tmp_path, "states:\n  - code: XK\n    names: {en: [Kosovo]}\n")
    with pytest.raises(Invalid, match="'XK' is not an ISO 3166-1"):
        load_entities(path)


def test_surface_claimed_by_two_entities_is_named(tmp_path):
    path = write(
        tmp_path,
        "states:\n"
        "  - code: RU\n    metonyms: {en: [Kremlin]}\n"
        "  - code: BY\n    metonyms: {en: [kremlin]}\n",
    )
    with pytest.raises(Invalid, match="'Kremlin' is listed for state:BY and state:RU"):
        load_entities(path)


def test_unknown_kind_and_broken_yaml_are_reported(tmp_path):
    path = write(
        tmp_path,
        "states: []\norganisations:\n  - {id: x, name: X, kind: club, aliases: {en: [X]}}\n",
    )
    with pytest.raises(Invalid, match="invalid entity data"):
        load_entities(path)
    path2 = tmp_path / "broken.yaml"
    path2.write_text("states: [\n", encoding="utf-8")
    with pytest.raises(Invalid, match="not valid YAML"):
        load_entities(path2)


def test_a_small_file_builds_its_own_finder(tmp_path):
    path = write(
        tmp_path,
        "states:\n  - code: BE\n    names: {nl: [België]}\n"
        "organisations:\n  - {id: nato, name: NATO, kind: alliance, aliases: {nl: [NAVO]}}\n",
    )
    finder = EntityFinder(load_entities(path))
    assert finder.find("België en de NAVO") == [
        ActorMatch("state:BE", "België", 0, 6, "name"),
        ActorMatch("org:nato", "NAVO", 13, 17, "alias"),
    ]
    assert finder.entities()["state:BE"].name == "Belgium"  # English display name from ISO
