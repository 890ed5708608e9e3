"""A trained model stored before classification became a subpackage still loads.

A stored model is a joblib pickle that names the module of each class in it. Before the move
that module was ``grandstrategy.horizon.learn``; it is now
``grandstrategy.horizon.classify.learn``. The pickles here are written the way the older
version wrote them (the classes named under the former module), then read by today's code.
A model naming a module that no longer exists at all is refused with a message that says to
train again.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import joblib
import numpy as np
import pytest

from grandstrategy.core.errors import Conflict
from grandstrategy.core.markings import Marking
from grandstrategy.horizon.classify import engine, evaluate, learn
from grandstrategy.horizon.models import TrainedModel
from grandstrategy.horizon.taxonomy import load_taxonomy

FORMER = "grandstrategy.horizon.learn"
TEXTS = ["Ransomware encrypted the hospital's servers.", "Le club a gagné la coupe."]


@pytest.fixture(scope="module")
def model() -> learn.Model:
    """A small model on a twentieth of the starter training split (a second or two)."""
    return learn.train(evaluate.load_starter("train")[::20], load_taxonomy().ids(), seed=0)


@contextmanager
def classes_named_under(module: str) -> Iterator[None]:
    """Pickle the model's classes as if they lived in ``module`` (as an older version did)."""
    classes = [learn.Model, learn._CharGrams]
    before = [c.__module__ for c in classes]
    sys.modules[module] = learn
    for c in classes:
        c.__module__ = module
    try:
        yield
    finally:
        for c, name in zip(classes, before, strict=True):
            c.__module__ = name
        del sys.modules[module]


def written_under(module: str, model: learn.Model) -> bytes:
    buf = io.BytesIO()
    with classes_named_under(module):
        joblib.dump((model, None), buf, compress=3)
    return buf.getvalue()


def test_a_model_pickled_under_the_former_module_is_read(model: learn.Model) -> None:
    raw = io.BytesIO()
    with classes_named_under(FORMER):
        joblib.dump((model, None), raw)  # uncompressed, to look inside
    assert FORMER.encode() in raw.getvalue()
    assert b"classification" not in raw.getvalue()  # nothing names the new place
    assert FORMER not in sys.modules

    again, index = learn.read_pickle(written_under(FORMER, model))
    assert isinstance(again, learn.Model) and index is None
    assert np.array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert FORMER not in sys.modules  # the former name is not left behind


def test_load_reads_a_file_saved_under_the_former_module(model, tmp_path) -> None:
    path = tmp_path / "model.joblib"
    with classes_named_under(FORMER):
        learn.save(model, path)
    again = learn.load(path)
    assert np.array_equal(again.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_the_classifier_uses_a_model_stored_before_the_move(session, model) -> None:
    row = TrainedModel(
        trained_by="test", n_examples=1, n_feedback=0, blob=written_under(FORMER, model), metrics={}
    )
    row.marking = Marking()
    session.add(row)
    session.flush()
    clf = engine.classifier(session, use_embeddings=False)
    assert clf.model is not None
    assert np.array_equal(clf.model.predict_proba(TEXTS), model.predict_proba(TEXTS))


def test_a_model_naming_a_vanished_module_asks_to_train_again(session, model) -> None:
    blob = written_under("grandstrategy.horizon.vanished", model)
    with pytest.raises(Conflict, match="horizon train"):
        learn.read_pickle(blob)
    row = TrainedModel(trained_by="test", n_examples=1, n_feedback=0, blob=blob, metrics={})
    row.marking = Marking()
    session.add(row)
    session.flush()
    with pytest.raises(Conflict, match="Train it again"):
        engine.classifier(session, use_embeddings=False)
