"""The classifier in use: taxonomy rules plus the latest trained model, loaded once per model.

Training takes the starter labelled set and every analyst verdict stored so far, so a
correction made today changes tomorrow's model. The trained model (and, when the sentence
encoder is installed, the vectors of its examples) is stored in the database so that every
worker classifies with the same one.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from typing import Any

import joblib  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import embed
from grandstrategy.horizon.classify import evaluate, learn
from grandstrategy.horizon.classify.labels import Classifier
from grandstrategy.horizon.models import Feedback, Label, Passage, TrainedModel
from grandstrategy.horizon.taxonomy import Taxonomy, load_taxonomy

_lock = threading.Lock()
# (database URL, model id, model time, with embeddings) -> classifier, one entry per
# database: two databases in one process (tests, a benchmark beside a server) never share a
# model, and a database made again at the same URL is not served its predecessor's model.
_cache: dict[tuple[str, int | None, str, bool], Classifier] = {}


def latest_model_id(session: Session) -> int | None:
    return session.execute(
        select(TrainedModel.id).order_by(TrainedModel.id.desc()).limit(1)
    ).scalar()


def _database_key(session: Session) -> str:
    """The database URL; in-memory SQLite databases all share one URL, so add the engine."""
    engine = session.get_bind().engine
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return f"{url}#{id(engine)}"
    return str(url)


def classifier(session: Session, *, use_embeddings: bool | None = None) -> Classifier:
    """The classifier for the latest stored model (rules only before the first training)."""
    latest = session.execute(
        select(TrainedModel.id, TrainedModel.trained_at).order_by(TrainedModel.id.desc()).limit(1)
    ).first()
    mid = latest[0] if latest else None
    want_embed = embed.available() if use_embeddings is None else use_embeddings
    url = _database_key(session)
    key = (url, mid, str(latest[1]) if latest else "", bool(want_embed))
    with _lock:
        if key in _cache:
            return _cache[key]
        taxonomy = load_taxonomy()
        model, index = None, None
        if mid is not None:
            blob = session.get(TrainedModel, mid)
            assert blob is not None
            model, index = learn.read_pickle(blob.blob)
        clf = Classifier(
            taxonomy,
            model=model,
            index=index if want_embed else None,
            use_embeddings=want_embed and index is not None,
        )
        for old in [k for k in _cache if k[0] == url]:
            del _cache[old]  # an older model of this database
        _cache[key] = clf
        return clf


@dataclass
class TrainReport:
    model_id: int
    n_examples: int
    n_feedback: int
    macro_f1: float
    micro_f1: float
    embeddings: bool


def feedback_examples(session: Session) -> tuple[list[learn.Example], int]:
    """Passages with analyst verdicts, labelled by automatic labels corrected by the verdicts.

    The latest verdict per (passage, category) counts: confirm adds the category, reject
    removes it.
    """
    verdicts: dict[int, dict[str, str]] = {}
    for fb in session.execute(select(Feedback).order_by(Feedback.id)).scalars():
        verdicts.setdefault(fb.passage_id, {})[fb.category] = fb.verdict
    if not verdicts:
        return [], 0
    auto: dict[int, set[str]] = {}
    for pid, cat in session.execute(
        select(Label.passage_id, Label.category).where(Label.passage_id.in_(list(verdicts)))
    ).all():
        auto.setdefault(pid, set()).add(cat)
    out = []
    for p in session.execute(select(Passage).where(Passage.id.in_(list(verdicts)))).scalars():
        labels = set(auto.get(p.id, set()))
        for cat, verdict in verdicts[p.id].items():
            if verdict == "confirm":
                labels.add(cat)
            else:
                labels.discard(cat)
        if len(labels) > 1:
            labels.discard("none")
        out.append(learn.Example(p.text, frozenset(labels or {"none"}), p.language, str(p.marking)))
    return out, len(verdicts)


def trained_marking(examples: list[learn.Example]) -> Marking:
    """A model is derived data: it carries the highest marking of what it learned from."""
    marking = Marking()
    for e in examples:
        if e.marking:
            marking = marking.join(Marking.parse(e.marking))
    return marking


def train(session: Session, *, user: Principal, seed: int = 0, tune: bool = True) -> TrainReport:
    """Train on the starter set's train split plus all feedback; score on its test split.

    With ``tune`` (the default), the weights of the signals and the thresholds are chosen by
    cross-validation on the training examples (``evaluate.tune``, a few seconds); the test
    split is never looked at until the final score.
    """
    require(user, "horizon.label")
    taxonomy: Taxonomy = load_taxonomy()
    categories = taxonomy.ids()
    examples = evaluate.load_starter("train")
    extra, n_feedback = feedback_examples(session)
    examples = examples + extra
    prior = learn.taxonomy_examples(taxonomy)  # the rules' terms, as examples too
    model = learn.train(examples, categories, seed=seed, prior=prior)
    # encoded once: for tuning's out-of-fold scores and for the index
    vectors = embed.encode([e.text for e in examples]) if embed.available() else None
    if tune:
        tuned = evaluate.tune(
            examples,
            taxonomy,
            seed=seed,
            use_embeddings=vectors is not None,
            prior=prior,
            vectors=vectors,
        )
        model.settings = {mode: t.settings() for mode, t in tuned.items()}
    index = None
    if vectors is not None:
        index = embed.ExampleIndex(
            [e.text for e in examples],
            [e.labels for e in examples],
            vectors,
            categories,
            markings=[e.marking for e in examples],
        )
    clf = Classifier(taxonomy, model=model, index=index, use_embeddings=index is not None)
    test = evaluate.load_starter("test")
    predicted = [
        frozenset(lb.category for lb in labels)
        for labels in clf.classify(
            [e.text for e in test], [e.language for e in test], explain=False
        )
    ]
    report = evaluate.score(
        [e.labels for e in test], predicted, categories, [e.language or "other" for e in test]
    )
    buf = io.BytesIO()
    joblib.dump((model, index), buf, compress=3)
    row = TrainedModel(
        trained_by=user.username,
        n_examples=len(examples),
        n_feedback=n_feedback,
        blob=buf.getvalue(),
        metrics={"macro_f1": report.macro_f1, "micro_f1": report.micro_f1, "test_n": report.n},
    )
    row.marking = trained_marking(extra)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="horizon.train",
        object_type="model",
        object_id=row.id,
        marking=row.marking,
        after={"examples": len(examples), "feedback": n_feedback, "macro_f1": report.macro_f1},
    )
    return TrainReport(
        row.id, len(examples), n_feedback, report.macro_f1, report.micro_f1, index is not None
    )


def evaluate_file(session: Session, *, user: Principal, path: Any) -> evaluate.Report:
    """Classify the passages of a labelled JSONL file with the current classifier and score."""
    require(user, "horizon.read")
    examples = evaluate.read_labelled(path)
    clf = classifier(session)
    predicted = [
        frozenset(lb.category for lb in labels)
        for labels in clf.classify(
            [e.text for e in examples], [e.language for e in examples], explain=False
        )
    ]
    return evaluate.score(
        [e.labels for e in examples],
        predicted,
        load_taxonomy().ids(),
        [e.language or "other" for e in examples],
    )
