"""The fast paths of the rule matcher, the actor finder and the learned model's features give
exactly what the straightforward implementations they replaced give.

The reference implementations below are the earlier code, kept here only as the yardstick: a
per-word loop for the rules, a whole-text ``finditer`` for the actors, scikit-learn's own
word vectoriser and a per-(passage, word) loop for the character n-grams. They are compared
on the starter labelled set, on generated documents (``benchmarks/corpus.py``) and on
variants made to trip the shortcuts: other letter case, the characters ``str.lower`` and
``re.IGNORECASE`` disagree about (ſ, ı, İ, Σ…), curly apostrophes, hyphen variants.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections import Counter
from importlib import resources
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp  # type: ignore[import-untyped]
from benchmarks import corpus

from grandstrategy.horizon.classify import learn
from grandstrategy.horizon.classify.rules import (
    RuleHit,
    RuleMatcher,
    TermHit,
    default_matcher,
)
from grandstrategy.horizon.entities import (
    _APOSTROPHES,
    ActorMatch,
    EntityFinder,
    _normalise,
    default_finder,
    load_entities,
)
from grandstrategy.horizon.ingest.passages import split_passages
from grandstrategy.horizon.taxonomy import load_taxonomy, parse_taxonomy

_TOKEN = re.compile(r"\w+")

# --- the reference implementations ------------------------------------------------------------


class ReferenceMatcher(RuleMatcher):
    """The rule matcher as it was: every word looked up, every candidate phrase's regex tried."""

    def find(self, text: str) -> dict[int, list[tuple[int, int]]]:
        found: dict[int, list[tuple[int, int]]] = {}
        for m in _TOKEN.finditer(text):
            for tid, _second, _stem in self._candidates(m.group()):
                phrase = self._terms[tid].phrase
                if phrase is None:
                    found.setdefault(tid, []).append(m.span())
                else:
                    pm = phrase.match(text, m.start())
                    if pm is not None:
                        found.setdefault(tid, []).append(pm.span())
        return found

    def score(self, text: str, language: str | None = None) -> dict[str, RuleHit]:
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        lang = language.split("-")[0].lower() if language else None
        found = self.find(text)
        if not found:
            return {}
        candidates: set[int] = set()
        for tid in found:
            candidates.update(self._rules_by_term.get(tid, ()))
        scores: dict[int, float] = {}
        labels: dict[int, list[str]] = {}
        shown: dict[int, set[int]] = {}
        for ri in sorted(candidates):
            rule = self._rules[ri]
            if lang is not None and rule.languages is not None and lang not in rule.languages:
                continue
            if any(group.isdisjoint(found) for group in rule.all):
                continue
            if not rule.none.isdisjoint(found):
                continue
            c = rule.category
            scores[c] = scores.get(c, 0.0) + rule.weight
            labels.setdefault(c, []).append(rule.label)
            shown.setdefault(c, set()).update(rule.shown.intersection(found))
        out: dict[str, RuleHit] = {}
        for c in sorted(scores):
            total = scores[c]
            if total <= 0:
                continue
            hits = sorted(
                {TermHit(self._terms[t].text, s, e) for t in shown[c] for s, e in found[t]},
                key=lambda h: (h.start, h.end, h.term),
            )
            out[self._categories[c]] = RuleHit(
                category=self._categories[c],
                score=total,
                fired=total >= self._thresholds[c],
                hits=hits,
                rules=labels[c],
            )
        return out


def reference_mentions(finder: EntityFinder, text: str) -> list[ActorMatch]:
    """The actor finder as it was: each pattern run over the whole text."""
    probe = text.translate(_APOSTROPHES)
    hits: list[tuple[int, int, Any]] = []
    missing = object()
    for pattern, table, fold, _firsts in finder._passes:
        for match in pattern.finditer(probe):
            key = _normalise(match.group())
            surface = table.get(key.lower() if fold else key, missing)
            if surface is not missing:
                hits.append((match.start(), match.end(), surface))
    hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
    mentions: list[ActorMatch] = []
    reached = 0
    for start, end, surface in hits:
        if start < reached:
            continue
        reached = end
        if surface is not None and surface.entity_id is not None:
            mentions.append(ActorMatch(surface.entity_id, text[start:end], start, end, surface.how))
    return mentions


def reference_char_counts(char: learn._CharGrams, texts: list[str]) -> Any:
    """Character n-gram counts as they were: a Counter per passage, indices per word."""
    analyse = char._analyser()
    parts: list[np.ndarray] = []
    counts: list[int] = []
    rows: list[int] = []
    for r, text in enumerate(texts):
        for w, c in Counter(text.lower().split()).items():
            vocab = char.vocabulary
            idx = np.fromiter((vocab[g] for g in analyse(w) if g in vocab), dtype=np.int32)
            if idx.size:
                parts.append(idx)
                counts.append(c)
                rows.append(r)
    lengths = np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts))
    cols = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    data = np.repeat(np.asarray(counts, dtype=np.float32), lengths)
    row_idx = np.repeat(np.asarray(rows, dtype=np.int32), lengths)
    shape = (len(texts), len(char.names))
    return sp.coo_matrix((data, (row_idx, cols)), shape=shape).tocsr()


def reference_features(model: learn.Model, texts: list[str]) -> Any:
    word = model.word.transform(texts)  # scikit-learn's own counting
    char = model.char.tfidf.transform(reference_char_counts(model.char, texts))
    return sp.hstack([word * model.word_weight, char.astype(np.float32)], format="csr")


# --- the texts --------------------------------------------------------------------------------


def _labelled() -> list[tuple[str, str | None]]:
    folder = resources.files("grandstrategy.examples").joinpath("labelled")
    out = []
    for lang in ("en", "fr", "nl", "de"):
        for line in folder.joinpath(f"{lang}.jsonl").read_text("utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                out.append((record["text"], record.get("language")))
    return out


def _generated(n: int) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for record in corpus.documents(n, seed=11):
        text = str(record["text"])
        lang = str(record["expected_language"])
        out += [(text[s:e], lang) for s, e in split_passages(text)]
    return out


TRICKY = [
    "L'OTAN et l’UE; the U.S. and the US, UN, WHO, IS. Moskaus Russlands Cyberangriffe",
    "CYBERAANVALLEN op de NAVO; Washington D.C. and the BRICS+ summit; Côte d’Ivoire",
    "İstanbul İSTANBUL ıSTANBUL ſanctions KREMLIN kremlin Kremlinʼs Bosnia-Herzegovina",
    "cyber‐attack cyber‑attack cyber–attack ransomware-attack Ransomware_gang ransomware2",
    "terror attack, terrorist attacks; Terroranschläge; STRASSE Straße ß ẞ; ΑΘΗΝΑΣ Σ σ ς",
    "Re\u0301publique de\u0301mocratique du Congo, a\u0301 la fronti\u00e8re 🚀 NATO 🚀 Russia",
    "North  Atlantic\tTreaty\nOrganization; Nord-Korea Noord‑Korea Nordkorea; µ μ Μ",
    "",
    "   ",
    "a",
]

_SWAPS = {"s": "ſ", "i": "ı", "I": "İ", "'": "’", "-": "\u2011", " ": "  "}


def _variants(texts: list[str], seed: int) -> list[str]:
    """Upper-case, swapped-case and sprinkled-with-odd-characters versions of some texts."""
    rng = random.Random(seed)
    out: list[str] = []
    for text in texts:
        out += [text.upper(), text.swapcase()]
        chars = list(text)
        for i, ch in enumerate(chars):
            if ch in _SWAPS and rng.random() < 0.05:
                chars[i] = _SWAPS[ch]
        out.append("".join(chars))
    return out


@pytest.fixture(scope="module")
def passages() -> list[tuple[str, str | None]]:
    labelled = _labelled()
    generated = _generated(120)
    sample = [t for t, _ in random.Random(3).sample(labelled + generated, 150)]
    odd = [(t, None) for t in TRICKY + _variants(sample + TRICKY, seed=5)]
    return labelled + generated + odd


# --- the comparisons --------------------------------------------------------------------------


def test_rule_matcher_finds_and_scores_as_the_reference(
    passages: list[tuple[str, str | None]],
) -> None:
    assert len(passages) > 1500
    fast = default_matcher()
    reference = ReferenceMatcher(load_taxonomy())
    for text, lang in passages:
        assert list(fast.find(text).items()) == list(reference.find(text).items()), text
        for language in (lang, None):
            assert fast.score(text, language) == reference.score(text, language), text


def test_rule_matcher_on_a_small_taxonomy_with_phrases_and_stems() -> None:
    taxonomy = parse_taxonomy(
        """
categories:
  - id: cyber
    name: Cyber
    description: x
    threshold: 2
    rules:
      - {weight: 2, any: [cyber attack*, "cyber-aanval*", in brand, in brand gestoken, ſtate]}
      - {weight: 1, any: [attack*], all: [[state*, staat]], none: [exercise]}
  - id: none
    name: None
    description: x
    threshold: 1
"""
    )
    fast = RuleMatcher(taxonomy)
    reference = ReferenceMatcher(taxonomy)
    texts = [
        "A Cyber  Attacks wave; cyber-attackers; the CYBER–ATTACK; cyber, attack; in BRAND",
        "huis in brand gestoken; in  brand  gestoken; in-brand; in brandstof; ın brand",
        "ſtate attack; STATE ATTACKS; state exercise attack; the ſtates; Staat attacke",
        "cyber-aanvallen cyberaanval cyber aanval CYBER-AANVAL cyber ſanction cyber ıattack",
    ]
    for text in texts + _variants(texts, seed=1):
        assert list(fast.find(text).items()) == list(reference.find(text).items()), text
        assert fast.score(text) == reference.score(text), text


def test_actor_finder_finds_what_the_whole_text_scan_finds(
    passages: list[tuple[str, str | None]],
) -> None:
    finder = default_finder()
    for text, _lang in passages:
        assert finder.find(text) == reference_mentions(finder, text), text
    fresh = EntityFinder(load_entities())  # a finder built anew behaves the same
    for text, _lang in passages[:200]:
        assert fresh.find(text) == reference_mentions(fresh, text), text


def _model(texts: list[str]) -> learn.Model:
    """Fitted vectorisers and seeded random weights: enough to compare features and products."""
    word = learn._word_vectoriser().fit(texts)
    char = learn._CharGrams(min_df=2).fit(texts)
    rng = np.random.default_rng(0)
    n_features = len(word.vocabulary_) + len(char.names)
    categories = ["a", "b", "c"]
    weights = rng.normal(size=(n_features, 3)).astype(np.float32)
    zeros = np.zeros(3)
    return learn.Model(
        word, char, categories, weights, zeros, -np.ones(3), zeros, ["calibrated"] * 3, 0, {}
    )


def test_model_features_are_those_of_the_reference(
    passages: list[tuple[str, str | None]],
) -> None:
    texts = [t for t, _ in passages]
    model = _model([t for t, _ in _labelled()])
    for start in range(0, len(texts), 400):  # batches, as the pipeline gives them
        batch = texts[start : start + 400]
        fast = model.vectorise(batch)
        reference = reference_features(model, batch)
        assert fast.has_sorted_indices
        assert np.array_equal(fast.indptr, reference.indptr)
        assert np.array_equal(fast.indices, reference.indices)
        assert np.array_equal(fast.data, reference.data)  # bit for bit
        f = np.asarray(reference @ model.weights) + model.bias
        expected = 1.0 / (1.0 + np.exp(np.clip(model.cal_a * f + model.cal_b, -50, 50)))
        # The word and character blocks are multiplied by their weights apart and then added:
        # the same sums in another order, so float32 rounding may differ in the last digits.
        assert np.abs(model.predict_proba(batch) - expected).max() < 1e-5
    counts = model.char._counts(texts[:300])
    assert (counts != reference_char_counts(model.char, texts[:300])).nnz == 0


def test_model_features_with_a_vectoriser_that_is_not_the_standard_one() -> None:
    texts = [t for t, _ in _labelled()[:200]]
    model = _model(texts)
    model.word.set_params(ngram_range=(1, 1))  # not what _word_vectoriser builds
    model.word.fit(texts)
    model._n_word = len(model.word.vocabulary_)
    model.weights = np.ones((model._n_word + len(model.char.names), 3), dtype=np.float32)
    fast = model.vectorise(texts)
    reference = reference_features(model, texts)
    assert (fast != reference).nnz == 0


def test_model_features_of_empty_and_wordless_texts() -> None:
    model = _model([t for t, _ in _labelled()[:200]])
    for batch in (["", "  ", "a", "!!"], ["x"], ["", "Cyberangriff auf die NATO"]):
        assert (model.vectorise(batch) != reference_features(model, batch)).nnz == 0
