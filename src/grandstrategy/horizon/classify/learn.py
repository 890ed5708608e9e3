"""The learned classifier: TF-IDF word and character n-grams, one calibrated linear model per
category.

Rules catch the vocabulary an analyst thought of; the model catches the rest of what the
labelled passages have in common. Word n-grams carry meaning, character n-grams carry
morphology across the four languages (``cyberaanval``, ``cyberattaque``, ``Cyberangriff``)
and survive spelling variants. Each category gets its own logistic regression (one-vs-rest,
balanced class weights, because most categories are rare) whose decision value is turned into
a probability by Platt scaling fitted on the labelled passages' cross-validated decision
values (not on the taxonomy examples, which are no passages), so that 0.8 means
about 80 % of such passages really are in the category. That matters because the
probability is averaged with the rule and embedding signals.

Besides the labelled passages, the taxonomy's rules are examples of their categories (their
terms, a few at a time, ``taxonomy_examples``): on the starter test split this took the labels
ingestion stores (rules and model) from 0.755 to 0.787 macro-F1 with one example per rule,
and to 0.812 with one example per four terms, calibrated on the passages alone.

The logistic regressions are solved in liblinear's dual form, which finds the same weights
(to a ten-thousandth) about four times faster where features far outnumber examples, as here.

A category with too few positive (or negative) examples to cross-validate gets a constant
probability (its smoothed base rate, capped low) instead of a crash or a wild guess.

The fitted model is reduced to plain arrays (one weight column, bias and sigmoid pair per
category), so prediction is one sparse matrix product for the whole batch, and the model
pickles small with joblib.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

from grandstrategy.core.errors import Conflict
from grandstrategy.core.i18n import _
from grandstrategy.horizon.classify.fit import MIN_CLASS, constant, fit_category
from grandstrategy.horizon.taxonomy import Taxonomy

CHAR_RANGE = (2, 5)
MAX_CHAR_FEATURES = 200_000
# Chosen by 5-fold cross-validation on the starter set's train split (model alone, macro-F1):
# character n-grams carry most of the signal across four languages; word n-grams at full
# weight add noise (0.567 → 0.594 at half weight) but keep explanations readable.
DEFAULT_C = 30.0  # inverse regularisation of the logistic regressions
WORD_WEIGHT = 0.5  # scale of the word block against the character block
# The rules of the taxonomy are also training examples of their categories: each rule's terms,
# TAXONOMY_CHUNK at a time, as a text, counted TAXONOMY_COPIES times. The model then knows the
# vocabulary the rules name, in all four languages, beyond the words of the labelled passages.
# Chosen by cross-validation on the starter train split (5 folds, seeds 0 and 1, the mean of
# ``evaluate.tune``'s two figures): one example per rule, 2 copies 0.841; 8 terms an example
# 0.867; 4 terms 0.877 (2 terms: no better, slower; 4 terms, 2 copies: 0.879, slower). Checked
# also where a fold's model knows only the rule terms met in the other folds' passages (as the
# rules do in the second figure): 0.815, 0.818, 0.824, and 0.829 with the sigmoid fitted on
# the passages only (``fit.fit_category``).
TAXONOMY_CHUNK = 4
TAXONOMY_COPIES = 1
FEW_POSITIVES_CAP = 0.1  # ceiling of the constant probability of an under-trained category
_CACHE_LIMIT = 200_000  # words whose char n-gram indices are remembered between calls
_TOKEN = re.compile(r"\w+")
_TOKENS_2 = re.compile(r"\w\w+")  # the word vectoriser's tokens
COMMON_IDF = 1.0 + math.log(10.0)  # smooth idf of a word in about a tenth of the passages


@dataclass(frozen=True)
class Example:
    """A labelled passage (labels are category ids; ``{"none"}`` for no security relevance)."""

    text: str
    labels: frozenset[str]
    language: str | None = None
    marking: str = ""  # of the passage it came from ("": shipped with the starter set)


class _CharGrams:
    """``char_wb`` n-gram TF-IDF, computed per distinct word rather than per occurrence.

    scikit-learn's ``char_wb`` analyser pads each whitespace-separated word and slides over it,
    so a word's n-grams do not depend on its neighbours. Counting distinct words per passage
    and remembering each word's feature indices makes prediction several times faster than
    ``TfidfVectorizer(analyzer="char_wb")`` while producing the same features.
    """

    def __init__(self, min_df: int) -> None:
        self.min_df = min_df
        self.vocabulary: dict[str, int] = {}
        self.names: list[str] = []
        from sklearn.feature_extraction.text import TfidfTransformer  # type: ignore[import-untyped]

        self.tfidf = TfidfTransformer(sublinear_tf=True)
        self._cache: dict[str, np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}  # rebuilt on use; no point pickling it
        return state

    @staticmethod
    def _analyser() -> Callable[[str], list[str]]:
        lo, hi = CHAR_RANGE
        from sklearn.feature_extraction.text import TfidfVectorizer

        v = TfidfVectorizer(analyzer="char_wb", ngram_range=(lo, hi), lowercase=False)
        analyse: Callable[[str], list[str]] = v.build_analyzer()
        return analyse

    def fit(self, texts: list[str]) -> _CharGrams:
        analyse = _word_grams
        grams: dict[str, list[str]] = {}
        df: Counter[str] = Counter()
        for text in texts:
            seen: set[str] = set()
            for w in set(text.lower().split()):
                if w not in grams:
                    grams[w] = analyse(w)
                seen.update(grams[w])
            df.update(seen)
        kept = [g for g, n in df.items() if n >= self.min_df]
        kept.sort(key=lambda g: (-df[g], g))
        self.names = sorted(kept[:MAX_CHAR_FEATURES])
        self.vocabulary = {g: i for i, g in enumerate(self.names)}
        self._cache = {}
        self.tfidf.fit(self._counts(texts))
        return self

    def _learn(self, words: list[str]) -> None:
        """Remember the n-gram indices of ``words``: every n-gram of every word looked up in
        one pass over one list, then cut back into one array per word."""
        if not words:
            return
        grams: list[str] = []
        sizes: list[int] = []
        for w in words:
            g = _word_grams(w)
            grams += g
            sizes.append(len(g))
        ids = np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), np.int32, len(grams))
        kept = ids >= 0
        ends = np.cumsum(np.asarray(sizes, dtype=np.int64))
        # kept n-grams per word: running count of kept, read at each word's end
        running = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])
        cuts = running[ends][:-1]
        self._cache.update(zip(words, np.split(ids[kept], cuts), strict=True))

    def _counts(self, texts: list[str], lowered: list[str] | None = None) -> Any:
        """Raw n-gram counts (passages × n-grams) as a CSR matrix (canonical: sorted indices,
        no duplicates), float32.

        Two sparse factors, so that the Python work is per distinct word of the batch rather
        than per word of every passage: passages × distinct words (occurrence counts, built
        by array operations) times distinct words × n-grams (each word's cached n-gram
        indices). Counts are small integers, exact in float32, so the product holds exactly
        the sums the per-passage counting gave.
        """
        lowered = [t.lower() for t in texts] if lowered is None else lowered
        n = len(lowered)
        split = [t.split() for t in lowered]
        flat = list(chain.from_iterable(split))
        distinct = list(dict.fromkeys(flat))
        position = {w: i for i, w in enumerate(distinct)}
        word_ids = np.fromiter(map(position.__getitem__, flat), dtype=np.int64, count=len(flat))
        sizes = np.fromiter(map(len, split), dtype=np.int64, count=n)
        rows = np.repeat(np.arange(n, dtype=np.int64), sizes)
        # Transposed factors: the product's CSC conversion leaves each passage's n-gram
        # indices sorted (cheaper than sorting the rows of a CSR product).
        ones = np.ones(len(flat), dtype=np.float32)
        per_word_t = sp.csr_matrix(
            sp.coo_matrix((ones, (word_ids, rows)), shape=(len(distinct), n))
        )
        missing = set(distinct).difference(self._cache)  # words not seen before (or evicted)
        if missing:
            if len(self._cache) + len(missing) > _CACHE_LIMIT:
                self._cache.clear()
                missing = set(distinct)
            self._learn(list(missing))
        arrays = list(map(self._cache.__getitem__, distinct))
        lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
        indptr = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        cols = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32)
        grams_t = sp.csr_matrix(
            sp.csc_matrix(
                (np.ones(len(cols), dtype=np.float32), cols, indptr),
                shape=(len(self.names), len(distinct)),
            )
        )
        product = sp.csc_matrix(grams_t @ per_word_t)  # n-grams × passages
        out = sp.csr_matrix(
            (product.data, product.indices, product.indptr), shape=(n, len(self.names))
        )
        out.sum_duplicates()  # a no-op check: canonical already, as the old counting gave
        return out

    def transform(self, texts: list[str], lowered: list[str] | None = None) -> Any:
        """TF-IDF of ``texts``; ``lowered``: the same texts lower-cased, when already made."""
        tfidf = self.tfidf.transform(self._counts(texts, lowered), copy=False)
        return tfidf.astype(np.float32, copy=False)


def _word_grams(word: str) -> list[str]:
    """The ``char_wb`` n-grams of one word (no white space in it), as scikit-learn's
    analyser gives them: the word padded with a space each side, every n-gram of each length
    in ``CHAR_RANGE``; a padded word no longer than n gives itself, once, and ends the list."""
    lo, hi = CHAR_RANGE
    padded = f" {word} "
    size = len(padded)
    out: list[str] = []
    for n in range(lo, hi + 1):
        if n >= size:
            out.append(padded)
            break
        out += [padded[i : i + n] for i in range(size - n + 1)]
    return out


def taxonomy_examples(taxonomy: Taxonomy, chunk: int = TAXONOMY_CHUNK) -> list[Example]:
    """Examples from the rules that count for their category (positive weight): the rule's
    terms in order, wildcards dropped, ``chunk`` terms a text, each labelled with the category.

    A passage a rule was written for and a passage using the same words unseen are alike to
    the model, so its probability rises on wording that the labelled passages never used,
    where the rule itself may still miss (another inflection, a phrase cut differently). A few
    terms a text rather than a whole rule: in one long text each term is a small part of the
    TF-IDF vector and the model learns little from it; in a short one, each term counts.
    """
    out: list[Example] = []
    step = max(1, chunk)
    for cat in taxonomy.categories:
        for rule in cat.rules:
            if rule.weight <= 0:
                continue
            terms = [t.replace("*", "") for t in (*rule.any, *chain.from_iterable(rule.all))]
            lang = rule.languages[0] if rule.languages and len(rule.languages) == 1 else None
            for i in range(0, len(terms), step):
                out.append(Example(" ".join(terms[i : i + step]), frozenset({cat.id}), lang))
    return out


def _word_vectoriser() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32
    )


def _stack(word: Any, char: Any, word_weight: float) -> Any:
    return sp.hstack([word * word_weight, char], format="csr")


class Model:
    """Vectorisers plus one calibrated linear classifier per category (one-vs-rest).

    Category ``c`` has weight column ``weights[:, c]``, bias ``bias[c]`` and Platt parameters
    ``(cal_a[c], cal_b[c])``: ``p = 1 / (1 + exp(cal_a * (x·w + bias) + cal_b))``. ``kinds``
    says how each was trained (``"calibrated"`` or ``"constant"``). ``settings`` may hold
    combination weights and thresholds tuned for this model (see ``evaluate.tune``).
    """

    def __init__(
        self,
        word: Any,
        char: _CharGrams,
        categories: list[str],
        weights: np.ndarray,
        bias: np.ndarray,
        cal_a: np.ndarray,
        cal_b: np.ndarray,
        kinds: list[str],
        n_examples: int,
        positives: dict[str, int],
    ) -> None:
        self.word = word
        self.char = char
        self.categories = list(categories)
        self.weights = weights
        self.bias = bias
        self.cal_a = cal_a
        self.cal_b = cal_b
        self.kinds = kinds
        self.n_examples = n_examples
        self.positives = positives
        self.trained_at = dt.datetime.now(dt.UTC)
        self.settings: dict[str, Any] = {}
        self.word_weight = WORD_WEIGHT  # part of the features: kept with the weights
        self._n_word = len(word.vocabulary_)
        self._word_names: list[str] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_word_names"] = None  # derived from the vectoriser; rebuilt on demand
        state.pop("_bigrams", None)  # derived from the vocabulary; rebuilt on demand
        return state

    def vectorise(self, texts: list[str]) -> Any:
        """TF-IDF features (passages × word n-grams then char n-grams), CSR float32."""
        lowered = [t.lower() for t in texts]  # both blocks start from the lower-cased text
        word = self._word_tfidf(texts, lowered)
        return _stack(word, self.char.transform(texts, lowered), self.word_weight)

    def _word_tfidf(self, texts: list[str], lowered: list[str]) -> Any:
        """The word block, ``self.word.transform(texts)``, counted for the whole batch at once.

        scikit-learn's vectoriser counts token by token in Python. When the vectoriser is the
        one ``_word_vectoriser`` builds (lower case, ``\\b\\w\\w+\\b`` tokens, unigrams and
        bigrams, fitted without pruning) the same counts come from array operations: tokens
        are looked up once each, and a bigram is found by the pair of its words' ids (both
        words of a fitted bigram are fitted unigrams), never built as a string. The counts
        matrix has the same sorted layout, and the vectoriser's own TF-IDF step finishes it.
        """
        table = self._bigram_table()
        if table is None:
            return self.word.transform(texts)
        keys, values = table
        vocab = self.word.vocabulary_
        size = len(vocab)
        # \w\w+ finds exactly what \b\w\w+\b finds (maximal runs of two or more), faster.
        tokens = [_TOKENS_2.findall(t) for t in lowered]
        flat = list(chain.from_iterable(tokens))
        n = len(lowered)
        sizes = np.fromiter(map(len, tokens), dtype=np.int64, count=n)
        rows = np.repeat(np.arange(n, dtype=np.int64), sizes)
        uni = np.fromiter(map(vocab.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
        first, second = uni[:-1], uni[1:]
        pair = first * size + second
        pos = np.searchsorted(keys, pair)
        pos[pos >= len(keys)] = 0
        found = (first >= 0) & (second >= 0) & (rows[:-1] == rows[1:])
        if len(keys):
            found &= keys[pos] == pair
        else:
            found[:] = False
        keep = uni >= 0
        cols = np.concatenate([uni[keep], values[pos[found]]])
        where = np.concatenate([rows[keep], rows[:-1][found]])
        ones = np.ones(len(cols), dtype=np.float32)
        counts = sp.csr_matrix(sp.coo_matrix((ones, (where, cols)), shape=(n, size)))
        counts.sum_duplicates()
        return self.word._tfidf.transform(counts, copy=False)

    def _bigram_table(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(sorted pair keys ``id1 * V + id2``, bigram ids) of the word vocabulary, or None
        when the vectoriser is not the standard one (then scikit-learn counts)."""
        if "_bigrams" not in self.__dict__:
            table = None
            if self.word.get_params() == _word_vectoriser().get_params():
                vocab = self.word.vocabulary_
                keys: list[int] = []
                ids: list[int] = []
                complete = True
                for gram, j in vocab.items():
                    if " " in gram:
                        a, b = gram.split(" ")
                        if a not in vocab or b not in vocab:
                            complete = False
                            break
                        keys.append(vocab[a] * len(vocab) + vocab[b])
                        ids.append(j)
                if complete:
                    k = np.asarray(keys, dtype=np.int64)
                    order = np.argsort(k, kind="stable")
                    table = (k[order], np.asarray(ids, dtype=np.int64)[order])
            self.__dict__["_bigrams"] = table
        found: tuple[np.ndarray, np.ndarray] | None = self.__dict__["_bigrams"]
        return found

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n, len(categories)) probabilities in [0, 1], all passages in one product."""
        if not texts:
            return np.zeros((0, len(self.categories)))
        # Each block times its own rows of the weights: the same sums as the product of the
        # stacked matrix (in another order), without copying millions of entries into one
        # (0.75 -> 0.65 ms a document).
        lowered = [t.lower() for t in texts]
        nw = self._n_word
        word = self._word_tfidf(texts, lowered) @ self.weights[:nw]
        char = self.char.transform(texts, lowered) @ self.weights[nw:]
        f = np.asarray(word) * np.float32(self.word_weight) + np.asarray(char) + self.bias
        z = np.clip(self.cal_a * f + self.cal_b, -50.0, 50.0)
        return np.asarray(1.0 / (1.0 + np.exp(z)), dtype=np.float64)

    def feature_name(self, j: int) -> str:
        """A readable feature: word n-grams as words, character n-grams quoted."""
        if j < self._n_word:
            if self._word_names is None:
                self._word_names = [str(w) for w in self.word.get_feature_names_out()]
            return self._word_names[j]
        return f'"{self.char.names[j - self._n_word].strip()}"'

    def top_features(self, text: str, category: str, k: int = 5) -> list[tuple[str, float]]:
        """The features of this passage that pushed hardest towards ``category``.

        Contribution = weight × TF-IDF value, positive ones only. Left out, so that the list
        reads as distinct evidence an analyst can check: words found in more than a tenth of
        the training passages (function words: "der", "the"), character n-grams shorter than
        four letters, and any feature whose words are all already represented (a word n-gram
        sharing a word with one listed; "ampa", "aign", "paig" once "camp" stands for
        "campaign").
        """
        if category not in self.categories:
            raise ValueError(f"unknown category {category!r}")
        c = self.categories.index(category)
        x = self.vectorise([text])
        contrib = x.data * self.weights[x.indices, c]
        tokens = set(_TOKEN.findall(text.lower()))
        out: list[tuple[str, float]] = []
        covered: set[str] = set()  # passage words some listed feature stands for
        for i in np.argsort(-contrib, kind="stable"):
            if contrib[i] <= 0 or len(out) >= k:
                break
            j = int(x.indices[i])
            name = self.feature_name(j)
            if name.startswith('"'):
                gram = name.strip('"')
                inside = {t for t in tokens if gram in t} or {gram}
                if len(gram) < 4 or inside <= covered:
                    continue
            else:
                inside = set(name.split())
                if inside & covered or self.word.idf_[j] < COMMON_IDF:
                    continue
            covered |= inside
            out.append((name, float(contrib[i])))
        return out


def train(
    examples: list[Example],
    categories: list[str],
    *,
    seed: int = 0,
    c: float = DEFAULT_C,
    prior: list[Example] | None = None,
) -> Model:
    """Fit the vectorisers and one classifier per category; deterministic for a given seed.

    ``none`` is an ordinary category here. Labels outside ``categories`` are ignored.
    ``prior``: examples that are not passages (``taxonomy_examples``), added
    ``TAXONOMY_COPIES`` times; the model's counts (``n_examples``, ``positives``) are those of
    ``examples``.
    """
    if not examples:
        raise ValueError("no examples to train on")
    real = examples
    examples = examples + (prior or []) * TAXONOMY_COPIES
    texts = [e.text for e in examples]
    word = _word_vectoriser().fit(texts)
    char = _CharGrams(min_df=2 if len(texts) >= 4 else 1).fit(texts)
    x = _stack(word.transform(texts), char.transform(texts), WORD_WEIGHT)
    n, n_feat = x.shape
    weights = np.zeros((n_feat, len(categories)), dtype=np.float32)
    bias = np.zeros(len(categories))
    cal_a = np.zeros(len(categories))
    cal_b = np.zeros(len(categories))
    kinds: list[str] = []
    positives: dict[str, int] = {}
    for j, cat in enumerate(categories):
        y = np.fromiter((cat in e.labels for e in examples), dtype=bool, count=n).astype(int)
        pos = int(y.sum())
        positives[cat] = sum(1 for e in real if cat in e.labels)
        if pos < MIN_CLASS or n - pos < MIN_CLASS:
            p = (pos + 0.5) / (n + 1.0)
            cal_a[j], cal_b[j] = constant(min(p, FEW_POSITIVES_CAP) if pos < MIN_CLASS else p)
            kinds.append("constant")
            continue
        est, cal_a[j], cal_b[j] = fit_category(x, y, len(real), seed=seed, c=c)
        weights[:, j] = est.coef_[0]
        bias[j] = float(est.intercept_[0])
        kinds.append("calibrated")
    return Model(word, char, categories, weights, bias, cal_a, cal_b, kinds, len(real), positives)


def save(model: Model, path: Path) -> None:
    """Write the model with joblib (compressed)."""
    joblib.dump(model, path, compress=3)


def load(path: Path) -> Model:
    """Read a model written by ``save``; refuses anything else."""
    with path.open("rb") as fh:
        obj = read_pickle(fh.read())
    if not isinstance(obj, Model):
        raise TypeError(f"{path} does not hold a grandstrategy model")
    return obj


# A pickle names the module of each class in it. Models written before classification became
# a subpackage name this module by its former path; they are read with that path pointing here.
FORMER_MODULES = ("grandstrategy.horizon.learn",)
_former_lock = threading.Lock()


def read_pickle(data: bytes) -> Any:
    """Unpickle a model written with joblib (by ``save`` or by training), also one written
    before this module moved.

    Raises ``Conflict``, asking for the model to be trained again, when it was written by a
    version whose classes no longer exist.
    """
    try:
        try:
            return joblib.load(io.BytesIO(data))
        except ModuleNotFoundError as e:
            if e.name not in FORMER_MODULES:
                raise
        with _former_lock:
            added = [m for m in FORMER_MODULES if m not in sys.modules]
            for m in added:
                sys.modules[m] = sys.modules[__name__]
            try:
                return joblib.load(io.BytesIO(data))
            finally:
                for m in added:
                    del sys.modules[m]
    except (ImportError, AttributeError) as e:
        raise Conflict(
            _(
                "The stored classifier model was written by another version of grandstrategy "
                "and cannot be read. Train it again: grandstrategy horizon train"
            )
        ) from e
