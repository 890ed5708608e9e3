"""The threat taxonomy loads and validates, and the rules engine fires the right categories."""

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon.classify.rules import RuleMatcher, default_matcher
from grandstrategy.horizon.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy
from tests.helpers import TAXONOMY_IDS as IDS

BELGIUM = Path(__file__).parents[2] / "src/grandstrategy/examples/belgium/interests.yaml"


def _category(cid: str, **rule: object) -> dict[str, object]:
    return {
        "id": cid,
        "name": cid.title(),
        "description": "A test category.",
        "threshold": 3,
        "rules": [{"weight": 3, "any": ["alpha"], **rule}],
    }


def _taxonomy(*categories: dict[str, object]) -> dict[str, object]:
    none = {"id": "none", "name": "None", "description": "Nothing.", "threshold": 1}
    return {"categories": [*categories, none]}


def _fired(text: str, language: str | None = None) -> set[str]:
    return {cid for cid, hit in default_matcher().score(text, language).items() if hit.fired}


def test_packaged_taxonomy_has_the_sixteen_categories():
    taxonomy = load_taxonomy()
    assert taxonomy.ids() == IDS
    assert load_taxonomy() is taxonomy  # cached
    assert taxonomy.get("none").rules == []
    assert all(c.rules for c in taxonomy.categories if c.id != "none")


def test_packaged_interests_exist_in_the_belgian_example():
    known = {item["id"] for item in yaml.safe_load(BELGIUM.read_text("utf-8"))}
    for category in load_taxonomy().categories:
        assert set(category.interests) <= known, category.id


def test_every_category_has_rules_in_every_language():
    # Rule names end with the languages of their terms, e.g. "(en)", "(nl, de)" or "(all)".
    for category in load_taxonomy().categories:
        if category.id == "none":
            continue
        tags = " ".join((r.name or "").rpartition("(")[2] for r in category.rules)
        for lang in ("en", "fr", "nl", "de"):
            assert lang in tags or "all" in tags, (category.id, lang)


def test_unknown_category_is_reported_with_the_known_ones():
    with pytest.raises(Invalid, match=r"unknown threat category 'cyberwar'.*cyber"):
        load_taxonomy().get("cyberwar")


def test_duplicate_category_id_is_named():
    data = _taxonomy(_category("cyber"), _category("cyber"))
    with pytest.raises(ValidationError, match="duplicate category id 'cyber'"):
        Taxonomy.model_validate(data)


def test_missing_none_category_is_reported():
    with pytest.raises(ValidationError, match="needs a category 'none'"):
        Taxonomy.model_validate({"categories": [_category("cyber")]})


def test_leading_wildcard_names_category_field_and_term():
    data = _taxonomy(_category("cyber", any=["ransomware", "*angriff"]))
    with pytest.raises(ValidationError) as err:
        Taxonomy.model_validate(data)
    message = str(err.value)
    assert "category 'cyber'" in message
    assert "rules[0].any[1]" in message
    assert "'*angriff'" in message and "leading '*'" in message


def test_unknown_language_names_category_and_language():
    data = _taxonomy(_category("hybrid", languages=["en", "it"]))
    with pytest.raises(
        ValidationError, match=r"category 'hybrid'.*languages.*unknown language 'it'"
    ):
        Taxonomy.model_validate(data)


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        ({"any": ["cyb*er"]}, "may only stand at the end of a word"),
        ({"any": ["  "]}, "must not be empty"),
        ({"any": ["ab*"]}, "at least 3 letters"),
        ({"any": ["C++"]}, "use letters and digits"),
        ({"all": [[]]}, "group 0 of 'all' is empty"),
        ({"weight": 0}, "non-zero"),
    ],
)
def test_bad_rules_are_explained(rule: dict[str, object], problem: str):
    with pytest.raises(ValidationError, match=problem):
        Taxonomy.model_validate(_taxonomy(_category("cyber", **rule)))


def test_threshold_must_be_positive_and_none_takes_no_rules():
    bad = _category("cyber")
    bad["threshold"] = 0
    with pytest.raises(ValidationError, match="category 'cyber': threshold"):
        Taxonomy.model_validate(_taxonomy(bad))
    data = _taxonomy()
    data["categories"][0]["rules"] = [{"weight": 1, "any": ["x"]}]  # type: ignore[index]
    with pytest.raises(ValidationError, match="'none' takes no rules"):
        Taxonomy.model_validate(data)


def test_load_from_a_configured_path_lists_every_problem(tmp_path: Path):
    data = _taxonomy(_category("cyber", languages=["xx"]), _category("hybrid", any=["*x"]))
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(Invalid) as err:
        load_taxonomy(path)
    assert str(path) in err.value.message
    assert len(err.value.details) == 2
    assert "category 'cyber'" in err.value.details[0]
    assert "category 'hybrid'" in err.value.details[1]
    with pytest.raises(Invalid, match="not valid YAML"):
        parse_taxonomy("categories: [", "broken")
    with pytest.raises(Invalid, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")


def test_a_configured_taxonomy_is_used(tmp_path: Path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(_taxonomy(_category("space", any=["satellite*"]))), "utf-8")
    matcher = RuleMatcher(load_taxonomy(path))
    assert matcher.fired("Satellites were blinded.") == ["space"]
    assert matcher.fired("Nothing to see.") == ["none"]


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "Ransomware hit the hospital's systems", "cyber"),
        ("en", "Unidentified drones were spotted over the Kleine-Brogel air base.", "hybrid"),
        ("en", "Islamic State claimed the attack on the concert hall.", "terrorism"),
        ("en", "Russian troll farms spread disinformation before the vote.", "disinformation"),
        ("fr", "Un câble sous-marin a été sectionné au large de la Finlande.", "hybrid"),
        ("fr", "La Sûreté de l'État enquête sur un réseau d'espionnage chinois.", "subversion"),
        ("fr", "La canicule et la sécheresse aggravent le changement climatique.", "climate"),
        ("fr", "Moscou a brandi la menace nucléaire et ses missiles balistiques.", "nuclear"),
        ("nl", "De drugsbende smokkelde cocaïne via de haven van Antwerpen", "crime-extremism"),
        ("nl", "Een cyberaanval legde de servers van de gemeente plat.", "cyber"),
        ("nl", "De opvangcrisis houdt aan: asielzoekers slapen op straat.", "migration"),
        ("nl", "Het staakt-het-vuren in Gaza werd opnieuw geschonden.", "armed-conflict"),
        ("de", "Russland drohte, die Gaslieferungen einzustellen", "coercion"),
        ("de", "Die Pandemie überlastet die Krankenhäuser.", "health"),
        ("de", "Die Rezession trifft die Industrie, die Arbeitslosigkeit steigt.", "economic"),
        ("de", "Es droht eine Gasmangellage im Winter.", "resources"),
        (
            "de",
            "Ein Angriffskrieg gegen einen NATO-Staat würde den Bündnisfall auslösen.",
            "aggression",
        ),
    ],
)
def test_examples_fire_their_category(language: str, text: str, category: str):
    assert category in _fired(text, language)
    assert category in _fired(text)  # with no language every rule applies


def test_plain_text_lands_in_none():
    assert default_matcher().fired("The council approved the new cycling lanes.") == ["none"]


def test_football_attack_is_vetoed():
    # "army" satisfies the rule's military context, so only the veto keeps it from scoring.
    football = "The striker's attack in the second half left the army of fans stunned."
    assert "aggression" not in default_matcher().score(football, "en")
    military = "The army's attack in the early hours left the town stunned."
    assert default_matcher().score(military, "en")["aggression"].score > 0


def test_veto_term_blocks_its_rule():
    data = _taxonomy(_category("aggression", any=["attack*"], none=["striker*"]))
    matcher = RuleMatcher(Taxonomy.model_validate(data))
    assert matcher.fired("An attack on the town.") == ["aggression"]
    assert matcher.fired("The striker's attack in the second half.") == ["none"]


def test_all_groups_must_each_match():
    rule = {"weight": 3, "any": ["sabotage*"], "all": [["cable*", "câble*"], ["sea", "mer"]]}
    data = _taxonomy({**_category("hybrid"), "rules": [rule]})
    matcher = RuleMatcher(Taxonomy.model_validate(data))
    assert matcher.fired("Sabotage of a cable under the sea.") == ["hybrid"]
    assert matcher.fired("Sabotage of a cable.") == ["none"]
    hit = matcher.score("Sabotage du câble en mer.")["hybrid"]
    assert [h.term for h in hit.hits] == ["sabotage*", "câble*", "mer"]


def test_hit_offsets_point_at_the_matched_text():
    text = "Hier, un Câble sous-marin et une cyber-attaque : la CYBERATTAQUE du siècle."
    for hit in default_matcher().score(text).values():
        for term_hit in hit.hits:
            matched = text[term_hit.start : term_hit.end].lower()
            first = term_hit.term.lower().replace("*", "").split()[0].split("-")[0]
            assert matched.startswith(first), (term_hit, matched)
    cyber = default_matcher().score(text)["cyber"]
    spans = {text[h.start : h.end] for h in cyber.hits}
    assert {"cyber-attaque", "CYBERATTAQUE"} <= spans
    assert "cyber-attaque" in cyber.matched(text)


def test_phrases_and_wildcards_respect_word_boundaries():
    rules = [
        {"weight": 3, "any": ["undersea cable*"]},
        {"weight": 1, "any": ["cable"]},
    ]
    data = _taxonomy({**_category("hybrid"), "rules": rules})
    matcher = RuleMatcher(Taxonomy.model_validate(data))
    text = "Two undersea-cables and an undersea cable; no cablecar."
    hit = matcher.score(text)["hybrid"]
    assert hit.score == 4  # each rule counts once, however many terms occur
    spans = [text[h.start : h.end] for h in hit.hits]
    assert spans == ["undersea-cables", "undersea cable", "cable"]
    assert matcher.score("Undersea. Cable.")["hybrid"].score == 1  # a phrase stops at a full stop


def test_language_restricted_rules_apply_only_in_their_language():
    rules = [
        {"weight": 3, "any": ["war"], "languages": ["en"]},
        {"weight": 1, "any": ["front"]},
    ]
    data = _taxonomy({**_category("armed-conflict"), "rules": rules})
    matcher = RuleMatcher(Taxonomy.model_validate(data))
    assert matcher.fired("The war goes on.", "en") == ["armed-conflict"]
    assert matcher.fired("The war goes on.", "en-GB") == ["armed-conflict"]
    assert matcher.fired("The war goes on.") == ["armed-conflict"]
    assert matcher.fired("Es war einmal.", "de") == ["none"]
    assert matcher.score("Es war einmal an der Front.", "de")["armed-conflict"].score == 1
    # The packaged taxonomy does the same with German "war" (= was).
    assert "armed-conflict" not in _fired("Das war eine gute Nachricht für Ungarn.", "de")


def test_negative_weights_count_against_a_category():
    rules = [{"weight": 3, "any": ["drill*"]}, {"weight": -2, "any": ["exercise*"]}]
    data = _taxonomy({**_category("aggression"), "rules": rules})
    matcher = RuleMatcher(Taxonomy.model_validate(data))
    assert matcher.fired("Drills near the border.") == ["aggression"]
    assert matcher.score("Drills as part of a planned exercise.")["aggression"].fired is False


def test_decomposed_accents_still_match():
    text = "Un ca\u0302ble sous-marin a e\u0301te\u0301 sectionne\u0301."
    assert "hybrid" in _fired(text, "fr")
