"""The combined classifier: taxonomy rules, the learned model and sentence embeddings, with
an explanation for every label.

Each signal sees something the others miss. Rules are exact and explainable but only know
the terms someone wrote down; the TF-IDF model generalises from labelled passages; the
embeddings match meaning across wording and language. Per category the three are put on a
0–1 scale and averaged with weights (renormalised over the signals that exist for that
category), and a label is given when the average reaches the category's decision threshold.

* rules: ``r = min(1, rule score / category threshold)`` (0 when nothing matched), so a
  fired rule gives 1. Only for categories that have rules (``none`` normally has none).
* model: the calibrated probability ``p``.
* embeddings: ``e = clip(mix · kNN vote + (1 − mix) · prototype cosine, 0, 1)``.

Without a model the classifier is the rule matcher: a category is given exactly when its rule
fired. ``none`` is never given next to a security category; it is the answer when none of
them qualifies. Everything is batched: one rule pass per passage, one model product and one
encoder call for the whole batch; ``explain=False`` skips the per-label explanation sentence
and the feature and example look-ups (ingestion), which the "why these labels" page then asks
for one passage at a time.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from grandstrategy.horizon import embed
from grandstrategy.horizon.classify.learn import Model
from grandstrategy.horizon.classify.rules import RuleHit, RuleMatcher, TermHit
from grandstrategy.horizon.embed import ExampleIndex
from grandstrategy.horizon.taxonomy import Taxonomy

NONE = "none"
SIGNALS = ("rules", "model", "embed")
DEFAULT_WEIGHTS = {"rules": 0.35, "model": 0.45, "embed": 0.20}
DEFAULT_THRESHOLD = 0.5
DEFAULT_EMBED_MIX = 0.75  # share of the k-NN vote in the embedding signal
KNN_K = 7
SNIPPET = 120


@dataclass(frozen=True)
class Prediction:
    """A category given to a passage, with every signal behind it."""

    category: str
    score: float  # combined, 0–1
    rule_score: float
    model_prob: float | None
    embed_score: float | None
    terms: list[TermHit]
    features: list[tuple[str, float]]
    examples: list[tuple[str, float]]
    explanation: str


@dataclass(frozen=True)
class Signals:
    """The per-category inputs of the combination for a batch (n passages × C categories).

    ``model`` is NaN where the model lacks the category; ``embed`` is None without
    embeddings. Kept separate from the combination so weights and thresholds can be tuned
    on stored signals without recomputing them.
    """

    rule: np.ndarray
    rule_raw: np.ndarray
    fired: np.ndarray
    model: np.ndarray | None
    embed: np.ndarray | None
    hits: list[dict[str, RuleHit]]
    vectors: np.ndarray | None


def combine_signals(
    rule: np.ndarray,
    has_rules: np.ndarray,
    model: np.ndarray | None,
    emb: np.ndarray | None,
    have_embed: np.ndarray | None,
    weights: dict[str, float],
) -> np.ndarray:
    """Weighted mean of the available signals per category (pure; used by tuning too).

    ``has_rules`` / ``have_embed`` (C,) say which categories the rule and embedding signals
    exist for; the model signal is missing where ``model`` is NaN. Weights are renormalised
    over what exists, so a category without rules is judged on the model alone.
    """
    ones = np.ones_like(rule)
    num = np.where(has_rules, weights["rules"] * rule, 0.0)
    den = np.where(has_rules, weights["rules"], 0.0) * ones
    if model is not None:
        have = ~np.isnan(model)
        num = num + np.where(have, weights["model"] * np.nan_to_num(model), 0.0)
        den = den + np.where(have, weights["model"], 0.0)
    if emb is not None:
        have_e = have_embed if have_embed is not None else np.ones(rule.shape[1], dtype=bool)
        num = num + np.where(have_e, weights["embed"] * emb, 0.0)
        den = den + np.where(have_e, weights["embed"], 0.0) * ones
    return np.asarray(np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0))


def with_none_fallback(given: np.ndarray, none_col: int | None) -> np.ndarray:
    """``none`` exactly for the passages given no other category (in place, returned)."""
    if none_col is not None:
        given[:, none_col] = False
        given[:, none_col] = ~given.any(axis=1)
    return given


def shorten(text: str, n: int = SNIPPET) -> str:
    """One line of at most ``n`` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    cut = text[: n - 1].rsplit(" ", 1)[0] or text[: n - 1]
    return cut.rstrip(" ,;:.") + "…"


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


class Classifier:
    """Rules, plus the model and the example index when given.

    ``weights`` (by signal), ``thresholds`` (by category) and ``embed_mix`` default to the
    tuned values stored in ``model.settings`` for this combination of signals (see
    ``evaluate.tune``), else to the module defaults; what is given overrides key by key.
    Embeddings are used only when an index is given, ``use_embeddings`` is true and the
    encoder is available. ``matcher`` replaces the taxonomy's rule matcher (tests).
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        model: Model | None = None,
        index: ExampleIndex | None = None,
        use_embeddings: bool = True,
        weights: dict[str, float] | None = None,
        thresholds: dict[str, float] | None = None,
        embed_mix: float | None = None,
        matcher: RuleMatcher | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.categories = taxonomy.ids()
        self.col = {c: j for j, c in enumerate(self.categories)}
        self.matcher = matcher if matcher is not None else RuleMatcher(taxonomy)
        self.model = model
        self.index = index if use_embeddings and index is not None and embed.available() else None
        cats = [taxonomy.get(c) for c in self.categories]
        self.rule_threshold = np.array([float(c.threshold) or 1.0 for c in cats])
        self.has_rules = np.array([bool(getattr(c, "rules", None)) for c in cats])
        tuned: dict[str, Any] = model.settings.get(self.mode, {}) if model is not None else {}
        self.weights = {**DEFAULT_WEIGHTS, **tuned.get("weights", {}), **(weights or {})}
        self.embed_mix = float(
            embed_mix if embed_mix is not None else tuned.get("embed_mix", DEFAULT_EMBED_MIX)
        )
        given = thresholds if thresholds is not None else tuned.get("thresholds", {})
        default = float(tuned.get("threshold", DEFAULT_THRESHOLD))
        self.thresholds = np.array([float(given.get(c, default)) for c in self.categories])
        if model is not None:
            mcol = {c: j for j, c in enumerate(model.categories)}
            self._model_cols = [mcol.get(c, -1) for c in self.categories]

    @property
    def mode(self) -> str:
        """Which signals are in use, e.g. ``"rules+model+embed"``."""
        used = ["rules"] + (["model"] if self.model is not None else [])
        return "+".join(used + (["embed"] if self.index is not None else []))

    @property
    def rules_only(self) -> bool:
        return self.model is None and self.index is None

    def signals(
        self,
        texts: list[str],
        languages: list[str | None] | None = None,
        *,
        vectors: np.ndarray | None = None,
    ) -> Signals:
        """Compute every signal for a batch (``vectors``: precomputed embeddings, optional)."""
        n, c = len(texts), len(self.categories)
        langs = languages if languages is not None else [None] * n
        if len(langs) != n:
            raise ValueError("languages must match texts")
        raw = np.zeros((n, c))
        fired = np.zeros((n, c), dtype=bool)
        hits: list[dict[str, RuleHit]] = []
        for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
            h = self.matcher.score(text, lang)
            hits.append(h)
            for cat, hit in h.items():
                j = self.col.get(cat)
                if j is not None:
                    raw[i, j], fired[i, j] = hit.score, hit.fired
        rule = np.minimum(1.0, raw / self.rule_threshold)
        model = None
        if self.model is not None and n:
            probs = self.model.predict_proba(texts)
            model = np.full((n, c), np.nan)
            for j, mj in enumerate(self._model_cols):
                if mj >= 0:
                    model[:, j] = probs[:, mj]
        emb = None
        if self.index is not None:
            vectors = embed.encode(texts) if vectors is None else vectors
            knn = self.index.knn_scores(vectors, KNN_K) if n else np.zeros((0, c))
            proto = self.index.prototype_scores(vectors) if n else np.zeros((0, c))
            mix = self.embed_mix
            emb = np.clip(mix * knn + (1.0 - mix) * proto, 0.0, 1.0)
        return Signals(rule, raw, fired, model, emb, hits, vectors)

    def combine(self, s: Signals) -> np.ndarray:
        """(n, C) combined scores: the weighted mean of the signals each category has."""
        if self.rules_only:
            return s.rule
        have_embed = self.index.y.sum(axis=0) > 0 if self.index is not None else None
        return combine_signals(s.rule, self.has_rules, s.model, s.embed, have_embed, self.weights)

    def decide(self, s: Signals, scores: np.ndarray) -> np.ndarray:
        """(n, C) booleans: which categories each passage gets (``none`` as the fallback)."""
        given = s.fired.copy() if self.rules_only else scores >= self.thresholds
        return with_none_fallback(given, self.col.get(NONE))

    def scores(self, texts: list[str], languages: list[str | None] | None = None) -> np.ndarray:
        """(n, C) combined scores, columns in taxonomy order (evaluation, thresholds).

        Rules only, the score is ``r``, which is 1 exactly when the category's rule fired."""
        return self.combine(self.signals(texts, languages))

    def classify(
        self,
        texts: list[str],
        languages: list[str | None] | None = None,
        *,
        explain: bool = True,
        vectors: np.ndarray | None = None,
        shown: Callable[[str], bool] | None = None,
    ) -> list[list[Prediction]]:
        """Per passage, the labels given, best first; ``[none]`` when nothing qualifies.

        ``vectors``: the passages' embeddings when the caller has them already. ``shown``:
        which example markings the reader may see (nearest examples quote their text);
        None shows only the unmarked starter examples."""
        s = self.signals(texts, languages, vectors=vectors)
        scores = self.combine(s)
        given = self.decide(s, scores)
        rows = _Rows(s, scores, self.col.get(NONE))
        out: list[list[Prediction]] = []
        for i, text in enumerate(texts):
            labels = [
                self._label(i, text, int(j), s, scores, explain, rows, shown)
                for j in np.flatnonzero(given[i])
            ]
            labels.sort(key=lambda lb: (-lb.score, lb.category))
            out.append(labels)
        return out

    def _none_score(self, i: int, scores: np.ndarray, rows: _Rows | None = None) -> float:
        """How clearly a passage is of no concern: its own ``none`` score, or one minus the
        best security score when that is higher (a text unlike every labelled example can
        have a low ``none`` probability and still be far below every threshold)."""
        j = self.col[NONE]
        if rows is not None and rows.others_max is not None:
            clear = 1.0 - rows.others_max[i]
        else:
            others = np.delete(scores[i], j)
            clear = float(1.0 - others.max()) if others.size else 1.0
        return clear if self.rules_only else max(float(scores[i, j]), clear)

    def _label(
        self,
        i: int,
        text: str,
        j: int,
        s: Signals,
        scores: np.ndarray,
        explain: bool,
        rows: _Rows | None = None,
        shown: Callable[[str], bool] | None = None,
    ) -> Prediction:
        rows = rows if rows is not None else _Rows(s, scores, self.col.get(NONE))
        cat = self.categories[j]
        hit = s.hits[i].get(cat)
        terms = list(hit.hits) if hit is not None else []
        p = None if rows.model is None or math.isnan(pm := rows.model[i][j]) else pm
        e = None if rows.embed is None else rows.embed[i][j]
        features: list[tuple[str, float]] = []
        examples: list[tuple[str, float]] = []
        if explain and self.model is not None and p is not None and cat in self.model.categories:
            features = self.model.top_features(text, cat, 5)
        if explain and self.index is not None and s.vectors is not None:
            examples = [
                (shorten(self.index.texts[k]), cos)
                for k, cos in self.index.nearest(s.vectors[i], 2, category=cat, shown=shown)
            ]
        score = self._none_score(i, scores, rows) if cat == NONE else rows.scores[i][j]
        why = self._explain(text, i, j, s, scores, hit, p, e, features, examples) if explain else ""
        return Prediction(cat, score, rows.rule_raw[i][j], p, e, terms, features, examples, why)

    def _explain(
        self,
        text: str,
        i: int,
        j: int,
        s: Signals,
        scores: np.ndarray,
        hit: RuleHit | None,
        p: float | None,
        e: float | None,
        features: list[tuple[str, float]],
        examples: list[tuple[str, float]],
    ) -> str:
        """One sentence naming the evidence of each signal."""
        cat = self.categories[j]
        parts: list[str] = []
        if cat == NONE:
            others = [(float(scores[i, k]), c) for k, c in enumerate(self.categories) if k != j]
            best, bcat = max(others, default=(0.0, ""))
            closest = f" (closest: {bcat} {best:.2f})" if best > 0 else ""
            parts.append(f"no security category reached its threshold{closest}")
        if hit is not None and hit.hits:
            terms = hit.matched(text)  # the passage's own words, not the patterns
            shown = ", ".join(f"'{t}'" for t in terms[:6]) + (", …" if len(terms) > 6 else "")
            sign = "≥" if hit.fired else "<"
            thr = _num(float(self.rule_threshold[j]))
            parts.append(f"rules matched {shown} (score {_num(hit.score)} {sign} {thr})")
        elif cat != NONE and self.has_rules[j]:
            parts.append("no rule terms matched")
        if p is not None:
            feats = ", ".join(name for name, _ in features[:4])
            parts.append(f"model {p:.2f}" + (f" (top features: {feats})" if feats else ""))
        if examples:
            parts.append(f"nearest example {examples[0][1]:.2f}: '{examples[0][0]}'")
        elif e is not None:
            parts.append(f"embeddings {e:.2f}")
        return "; ".join(parts)


class _Rows:
    """A batch's signals and scores as Python floats, converted once (reading numpy arrays
    element by element costs more than the labels themselves; the values are the same)."""

    def __init__(self, s: Signals, scores: np.ndarray, none_col: int | None) -> None:
        self.scores: list[list[float]] = scores.tolist()
        self.rule_raw: list[list[float]] = s.rule_raw.tolist()
        self.model: list[list[float]] | None = None if s.model is None else s.model.tolist()
        self.embed: list[list[float]] | None = None if s.embed is None else s.embed.tolist()
        self.others_max: list[float] | None = None
        if none_col is not None and scores.shape[1] > 1 and scores.shape[0]:
            self.others_max = np.delete(scores, none_col, axis=1).max(axis=1).tolist()


def rollup(passage_labels: list[list[Prediction]]) -> dict[str, float]:
    """A document's categories: the best score of each over its passages.

    ``none`` only when no passage has a security category (a document is as relevant as its
    most relevant passage).
    """
    best: dict[str, float] = {}
    for labels in passage_labels:
        for lb in labels:
            best[lb.category] = max(best.get(lb.category, 0.0), lb.score)
    if len(best) > 1:
        best.pop(NONE, None)
    return dict(sorted(best.items(), key=lambda kv: (-kv[1], kv[0])))
