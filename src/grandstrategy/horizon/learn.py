"""The learned classifier: TF-IDF word and character n-grams, one calibrated linear model per
category.

Rules catch the vocabulary an analyst thought of; the model catches the rest of what the
labelled passages have in common. Word n-grams carry meaning, character n-grams carry
morphology across the four languages (``cyberaanval``, ``cyberattaque``, ``Cyberangriff``)
and survive spelling variants. Each category gets its own logistic regression (one-vs-rest,
balanced class weights, because most categories are rare) whose decision value is turned into
a probability by Platt scaling fitted on cross-validated decision values, so that 0.8 means
about 80 % of such passages really are in the category. That matters because the
probability is averaged with the rule and embedding signals.

A category with too few positive (or negative) examples to cross-validate gets a constant
probability (its smoothed base rate, capped low) instead of a crash or a wild guess.

The fitted model is reduced to plain arrays (one weight column, bias and sigmoid pair per
category), so prediction is one sparse matrix product for the whole batch, and the model
pickles small with joblib.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]
from sklearn.calibration import CalibratedClassifierCV  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
    TfidfTransformer,
    TfidfVectorizer,
)
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

CHAR_RANGE = (2, 5)
MAX_CHAR_FEATURES = 200_000
# Chosen by 5-fold cross-validation on the starter set's train split (model alone, macro-F1):
# character n-grams carry most of the signal across four languages; word n-grams at full
# weight add noise (0.567 → 0.594 at half weight) but keep explanations readable.
DEFAULT_C = 30.0  # inverse regularisation of the logistic regressions
WORD_WEIGHT = 0.5  # scale of the word block against the character block
MIN_CLASS = 3  # positives and negatives needed for 3-fold calibration
FEW_POSITIVES_CAP = 0.1  # ceiling of the constant probability of an under-trained category
_CACHE_LIMIT = 200_000  # words whose char n-gram indices are remembered between calls
_TOKEN = re.compile(r"\w+")
COMMON_IDF = 1.0 + math.log(10.0)  # smooth idf of a word in about a tenth of the passages


@dataclass(frozen=True)
class Example:
    """A labelled passage (labels are category ids; ``{"none"}`` for no security relevance)."""

    text: str
    labels: frozenset[str]
    language: str | None = None


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
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        self._cache: dict[str, np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = {}  # rebuilt on use; no point pickling it
        return state

    @staticmethod
    def _analyser() -> Callable[[str], list[str]]:
        lo, hi = CHAR_RANGE
        v = TfidfVectorizer(analyzer="char_wb", ngram_range=(lo, hi), lowercase=False)
        analyse: Callable[[str], list[str]] = v.build_analyzer()
        return analyse

    def fit(self, texts: list[str]) -> _CharGrams:
        analyse = self._analyser()
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

    def _indices(self, word: str, analyse: Callable[[str], list[str]]) -> np.ndarray:
        idx = self._cache.get(word)
        if idx is None:
            vocab = self.vocabulary
            idx = np.fromiter((vocab[g] for g in analyse(word) if g in vocab), dtype=np.int32)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = idx
        return idx

    def _counts(self, texts: list[str]) -> Any:
        """Raw n-gram counts (passages × n-grams) as a CSR matrix."""
        analyse = self._analyser()
        parts: list[np.ndarray] = []
        counts: list[int] = []
        rows: list[int] = []
        for r, text in enumerate(texts):
            for w, c in Counter(text.lower().split()).items():
                idx = self._indices(w, analyse)
                if idx.size:
                    parts.append(idx)
                    counts.append(c)
                    rows.append(r)
        lengths = np.fromiter((p.size for p in parts), dtype=np.int64, count=len(parts))
        cols = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        data = np.repeat(np.asarray(counts, dtype=np.float32), lengths)
        row_idx = np.repeat(np.asarray(rows, dtype=np.int32), lengths)
        shape = (len(texts), len(self.names))
        return sp.coo_matrix((data, (row_idx, cols)), shape=shape).tocsr()

    def transform(self, texts: list[str]) -> Any:
        return self.tfidf.transform(self._counts(texts)).astype(np.float32)


def _word_vectoriser() -> Any:
    return TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32
    )


def _stack(word: Any, char: Any, word_weight: float) -> Any:
    return sp.hstack([word * word_weight, char], format="csr")


def _constant(p: float) -> tuple[float, float]:
    """Sigmoid parameters (a, b) that give probability ``p`` whatever the decision value."""
    return 0.0, math.log((1.0 - p) / p)


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
        return state

    def vectorise(self, texts: list[str]) -> Any:
        """TF-IDF features (passages × word n-grams then char n-grams), CSR float32."""
        return _stack(self.word.transform(texts), self.char.transform(texts), self.word_weight)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """(n, len(categories)) probabilities in [0, 1], all passages in one product."""
        if not texts:
            return np.zeros((0, len(self.categories)))
        f = np.asarray(self.vectorise(texts) @ self.weights) + self.bias
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


def _fit_category(x: Any, y: np.ndarray, *, seed: int, c: float) -> tuple[Any, float, float]:
    """Fit one category: the logistic regression on all examples and the Platt parameters
    (a, b) fitted on its 3-fold cross-validated decision values (``ensemble=False``: one
    linear model, not an average of three, so prediction stays a single product)."""
    lr = LogisticRegression(solver="liblinear", class_weight="balanced", C=c, random_state=seed)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    cal = CalibratedClassifierCV(lr, method="sigmoid", cv=cv, ensemble=False).fit(x, y)
    inner = cal.calibrated_classifiers_[0]
    est, sig = inner.estimator, inner.calibrators[0]
    return est, float(sig.a_), float(sig.b_)


def train(
    examples: list[Example], categories: list[str], *, seed: int = 0, c: float = DEFAULT_C
) -> Model:
    """Fit the vectorisers and one classifier per category; deterministic for a given seed.

    ``none`` is an ordinary category here. Labels outside ``categories`` are ignored.
    """
    if not examples:
        raise ValueError("no examples to train on")
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
        positives[cat] = pos
        if pos < MIN_CLASS or n - pos < MIN_CLASS:
            p = (pos + 0.5) / (n + 1.0)
            cal_a[j], cal_b[j] = _constant(min(p, FEW_POSITIVES_CAP) if pos < MIN_CLASS else p)
            kinds.append("constant")
            continue
        est, cal_a[j], cal_b[j] = _fit_category(x, y, seed=seed, c=c)
        weights[:, j] = est.coef_[0]
        bias[j] = float(est.intercept_[0])
        kinds.append("calibrated")
    return Model(word, char, categories, weights, bias, cal_a, cal_b, kinds, n, positives)


def save(model: Model, path: Path) -> None:
    """Write the model with joblib (compressed)."""
    joblib.dump(model, path, compress=3)


def load(path: Path) -> Model:
    """Read a model written by ``save``; refuses anything else."""
    obj = joblib.load(path)
    if not isinstance(obj, Model):
        raise TypeError(f"{path} does not hold a grandstrategy model")
    return obj
