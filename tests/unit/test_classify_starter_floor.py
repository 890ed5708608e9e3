"""The classifier as ingestion labels with it (rules and the learned model, no sentence
encoder) keeps its quality on the starter set's test split.

Trained and tuned exactly as ``engine.train`` does (the train split, the taxonomy's rules as
extra examples, weights and thresholds chosen by cross-validation on the train split only),
then scored once on the test split. The floor sits a little below the figure measured when
the taxonomy examples and the two-sided tuning came in (0.787 against 0.755 before), so a
change that loses quality fails here rather than in a benchmark nobody reads.
"""

from __future__ import annotations

import pytest

from grandstrategy.horizon.classify import evaluate, learn
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.taxonomy import load_taxonomy

FLOOR = 0.77  # measured 0.787 (macro-F1, categories with support)


@pytest.mark.slow
def test_starter_test_split_macro_f1_without_the_encoder() -> None:
    taxonomy = load_taxonomy()
    categories = taxonomy.ids()
    train, test = evaluate.load_starter("train"), evaluate.load_starter("test")
    if not train or not test:
        pytest.skip("no packaged labelled set")
    prior = learn.taxonomy_examples(taxonomy)
    model = learn.train(train, categories, seed=0, prior=prior)
    tuned = evaluate.tune(train, taxonomy, seed=0, use_embeddings=False, prior=prior)
    model.settings = {mode: t.settings() for mode, t in tuned.items()}
    clf = Classifier(taxonomy, model=model, index=None, use_embeddings=False)
    assert clf.mode == "rules+model"
    labels = clf.classify([e.text for e in test], [e.language for e in test], explain=False)
    predicted = [frozenset(lb.category for lb in row) for row in labels]
    report = evaluate.score([e.labels for e in test], predicted, categories)
    assert report.macro_f1 >= FLOOR, evaluate.format_report(report)


def test_taxonomy_examples_are_the_rules_terms() -> None:
    taxonomy = load_taxonomy()
    examples = learn.taxonomy_examples(taxonomy)
    counted = [(c.id, r) for c in taxonomy.categories for r in c.rules if r.weight > 0]
    assert len(examples) == len(counted) > 0
    for example, (category, rule) in zip(examples, counted, strict=True):
        assert example.labels == frozenset({category})
        assert "*" not in example.text
        assert rule.any[0].replace("*", "") in example.text
    assert all(e.labels != frozenset({"none"}) for e in examples)


def test_prior_examples_count_in_the_model_but_not_in_its_figures() -> None:
    train = evaluate.load_starter("train")[::10]
    taxonomy = load_taxonomy()
    prior = learn.taxonomy_examples(taxonomy)
    model = learn.train(train, taxonomy.ids(), seed=0, prior=prior)
    assert model.n_examples == len(train)
    assert model.positives["cyber"] == sum(1 for e in train if "cyber" in e.labels)
    # a word only the rules know: the model learned it from the taxonomy examples
    plain = learn.train(train, taxonomy.ids(), seed=0)
    j = taxonomy.ids().index("cyber")
    text = ["De gemeente werd getroffen door gijzelsoftware."]  # in no labelled passage
    assert model.predict_proba(text)[0, j] > plain.predict_proba(text)[0, j]
