"""Watchlists matching passages, stories and alerts (pure): categories, actors, places, terms."""

import pytest

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon.watch import Watchlist, clean_terms, resolve

REGIONS = {"euro-atlantic-east": frozenset({"state:RU", "state:BY"})}


def watch(**kw):
    return Watchlist(
        frozenset(kw.get("categories", ())),
        frozenset(kw.get("actors", ())),
        frozenset(kw.get("places", ())),
        tuple(kw.get("terms", ())),
        REGIONS,
    )


def test_each_kind_of_entry_gives_its_reason():
    w = watch(
        categories=["hybrid"],
        actors=["org:wagner"],
        places=["euro-atlantic-east", "state:CN"],
        terms=["undersea cable"],
    )
    assert w.reasons(categories=["hybrid", "cyber"]) == ["category:hybrid"]
    assert w.reasons(entities=["org:wagner"]) == ["actor:org:wagner"]
    assert w.reasons(entities=["state:BY"]) == ["place:euro-atlantic-east"]  # in the region
    assert w.reasons(entities=["state:CN"]) == ["place:state:CN"]  # a state stands for itself
    assert w.reasons(text="An UNDERSEA-cable was cut.") == ["term:undersea cable"]
    assert w.reasons(categories=["cyber"], entities=["state:FR"], text="cables") == []


def test_terms_are_whole_words_in_any_case():
    w = watch(terms=["DDoS", "sabotage", "Straße"])
    assert w.terms_in("a ddos attack") == ["DDoS"]
    assert w.terms_in("DDoSing") == []  # not inside a longer word
    assert w.terms_in("Sabotage! And sabotage again.") == ["sabotage"]
    assert w.terms_in("STRASSE") == []  # IGNORECASE equivalences only, no full case folding
    assert w.terms_in("die STRAẞE") == ["Straße"]


def test_alerts_match_on_any_of_their_categories_or_actors():
    w = watch(categories=["disinformation"], places=["euro-atlantic-east"])
    assert w.alert_reasons("cyber+disinformation", "state:RU") == [
        "category:disinformation",
        "place:euro-atlantic-east",
    ]
    assert w.alert_reasons("", "state:CN+state:BY") == ["place:euro-atlantic-east"]
    assert w.alert_reasons("cyber", "") == []


def test_the_union_of_entries_and_the_empty_watchlist():
    a, b = watch(terms=["cable"]), watch(actors=["state:RU"], terms=["Cable", "anchor"])
    u = a.union(b)
    assert u.actors == {"state:RU"} and u.terms == ("cable", "Cable", "anchor")
    assert Watchlist().empty and not u.empty
    assert Watchlist().reasons(categories=["cyber"], text="anything") == []


def test_bad_terms_and_unknown_names_are_refused_by_name():
    assert clean_terms(["  undersea   cable ", "Undersea cable", ""]) == ["undersea cable"]
    with pytest.raises(Invalid, match="'x'"):
        clean_terms(["x"])
    with pytest.raises(Invalid, match="'---'"):
        clean_terms(["---"])
    known = {"state:RU": "Russia", "org:nato": "NATO"}
    assert resolve(["russia", "org:nato", "STATE:ru"], known, "bad {value!r}") == [
        "state:RU",
        "org:nato",
    ]
    with pytest.raises(Invalid, match="bad 'Narnia'"):
        resolve(["Narnia"], known, "bad {value!r}")
