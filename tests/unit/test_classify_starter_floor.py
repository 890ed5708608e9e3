"""The classifier as ingestion labels with it (rules and the learned model, no sentence
encoder) keeps its quality on the starter set's test split.

Trained and tuned exactly as ``engine.train`` does (the train split, the taxonomy's rules as
extra examples, weights and thresholds chosen by cross-validation on the train split only),
then scored once on the test split. The floor sits a little below the figure measured when
the taxonomy examples came in four terms at a time, calibrated on passages only (0.812;
0.787 with one example per rule, 0.755 without taxonomy examples), so a change that loses
quality fails here rather than in a benchmark nobody reads.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grandstrategy.horizon.classify import evaluate, learn
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.taxonomy import load_taxonomy

FLOOR = 0.80  # measured 0.812 (macro-F1, categories with support)


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


def test_taxonomy_examples_are_the_rules_terms_a_few_at_a_time() -> None:
    taxonomy = load_taxonomy()
    examples = learn.taxonomy_examples(taxonomy)
    counted = [(c.id, r) for c in taxonomy.categories for r in c.rules if r.weight > 0]
    chunk = learn.TAXONOMY_CHUNK
    sizes = [len(r.any) + sum(len(g) for g in r.all) for _, r in counted]
    assert len(examples) == sum(math.ceil(n / chunk) for n in sizes) > len(counted)
    at = 0
    for (category, rule), n in zip(counted, sizes, strict=True):
        mine = examples[at : at + math.ceil(n / chunk)]
        at += len(mine)
        assert all(e.labels == frozenset({category}) for e in mine)
        terms = [t.replace("*", "") for t in (*rule.any, *(t for g in rule.all for t in g))]
        assert [e.text for e in mine] == [
            " ".join(terms[i : i + chunk]) for i in range(0, len(terms), chunk)
        ]
    assert all("*" not in e.text for e in examples)
    assert all(e.labels != frozenset({"none"}) for e in examples)
    whole = learn.taxonomy_examples(taxonomy, chunk=10_000)  # one example per rule
    assert len(whole) == len(counted)
    assert whole[0].text.startswith(counted[0][1].any[0].replace("*", ""))


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


def test_calibration_is_fitted_on_the_passages_not_on_the_taxonomy_examples() -> None:
    """The sigmoid is fitted on passages, so on passages it has not seen the mean
    probability of a category is near its share of them (the taxonomy examples, all
    positives, would otherwise count in the fit)."""
    train = evaluate.load_starter("train")
    taxonomy = load_taxonomy()
    prior = learn.taxonomy_examples(taxonomy)
    model = learn.train(train, taxonomy.ids(), seed=0, prior=prior)
    test = evaluate.load_starter("test")
    probs = model.predict_proba([e.text for e in test])
    j = taxonomy.ids().index("cyber")
    rate = sum(1 for e in test if "cyber" in e.labels) / len(test)
    assert abs(float(probs[:, j].mean()) - rate) < 0.1
    assert model.kinds[j] == "calibrated"


def test_a_category_with_few_labelled_positives_still_learns_from_the_taxonomy() -> None:
    """Two labelled positives are too few for three folds of passages: the rows calibrated
    are then all of them, taxonomy examples included, as before they were left out."""
    taxonomy = load_taxonomy()
    train = [e for e in evaluate.load_starter("train") if "nuclear" not in e.labels]
    nuclear = [e for e in evaluate.load_starter("train") if "nuclear" in e.labels][:2]
    model = learn.train(
        train + nuclear, taxonomy.ids(), seed=0, prior=learn.taxonomy_examples(taxonomy)
    )
    j = taxonomy.ids().index("nuclear")
    assert model.kinds[j] == "calibrated" and model.positives["nuclear"] == 2
    p = model.predict_proba(["Uranium enrichment at the reactor broke the safeguards deal."])
    assert np.isfinite(p).all() and 0.0 <= p[0, j] <= 1.0
