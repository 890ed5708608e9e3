"""A bare reference ingestion pipeline, the yardstick ``benchmarks/ingest.py`` measures against.

JSON lines -> sha256 of the text -> paragraph passages -> a hashed word-bigram linear
classifier applied in batches -> SQLite (WAL) with an FTS5 index, one commit per batch.
It does what any ingester must do and nothing more (no language detection, no rules, no
actors, no audit, no markings, no stories), so the ratio of the shipped pipeline's speed to
this one, measured in the same process on the same documents, says what our extras cost
independently of how loaded the machine is at the time.

    .venv/bin/python benchmarks/reference_pipeline.py corpus.jsonl
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

_PARAGRAPH = re.compile(r"\n\s*\n")
SCHEMA = """
CREATE TABLE doc (id INTEGER PRIMARY KEY, hash TEXT UNIQUE, title TEXT, text TEXT);
CREATE TABLE passage (id INTEGER PRIMARY KEY, doc_id INTEGER, seq INTEGER, text TEXT,
                      labels TEXT);
CREATE INDEX passage_doc ON passage (doc_id);
CREATE VIRTUAL TABLE passage_fts USING fts5(text, content='passage', content_rowid='id');
"""


def starter_examples(split: str) -> list[tuple[str, list[str]]]:
    """(text, labels) of the packaged labelled starter set, one split ("train" or "test")."""
    out = []
    folder = resources.files("grandstrategy").joinpath("examples/labelled")
    for lang in ("en", "fr", "nl", "de"):
        for line in folder.joinpath(f"{lang}.jsonl").read_text("utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("split") == split:
                out.append((str(rec["text"]), list(rec.get("labels") or [])))
    return out


def paragraphs(text: str, min_chars: int = 200) -> list[str]:
    """Blank-line paragraphs, short ones joined to the next so each carries some context."""
    out: list[str] = []
    pending = ""
    for para in _PARAGRAPH.split(text):
        para = para.strip()
        if not para:
            continue
        pending = f"{pending}\n\n{para}" if pending else para
        if len(pending) >= min_chars:
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


@dataclass
class ReferenceClassifier:
    vectorizer: HashingVectorizer
    model: OneVsRestClassifier
    labels: MultiLabelBinarizer

    @classmethod
    def train(cls) -> ReferenceClassifier:
        examples = starter_examples("train")
        vec = HashingVectorizer(ngram_range=(1, 2), n_features=2**20, alternate_sign=False)
        mlb = MultiLabelBinarizer()
        y = mlb.fit_transform([labels for _t, labels in examples])
        model = OneVsRestClassifier(
            SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=50, random_state=0)
        )
        model.fit(vec.transform([t for t, _l in examples]), y)
        return cls(vec, model, mlb)

    def predict(self, texts: list[str]) -> list[list[str]]:
        """Labels of each text: every category scored over 0.5, else the best one."""
        proba = np.asarray(self.model.predict_proba(self.vectorizer.transform(texts)))
        names = self.labels.classes_
        out = []
        for row in proba:
            picked = [str(names[j]) for j in np.flatnonzero(row > 0.5)]
            out.append(picked or [str(names[int(np.argmax(row))])])
        return out


def macro_f1(clf: ReferenceClassifier) -> float:
    """Macro-F1 of the reference classifier on the starter test split (for the record)."""
    from sklearn.metrics import f1_score

    test = starter_examples("test")
    y_true = clf.labels.transform([labels for _t, labels in test])
    y_pred = clf.labels.transform(clf.predict([t for t, _l in test]))
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


@dataclass
class ReferenceResult:
    docs: int
    passages: int
    seconds: float

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def run(
    lines: Iterable[bytes | str],
    db_path: Path,
    clf: ReferenceClassifier,
    *,
    batch: int = 256,
) -> ReferenceResult:
    """Ingest JSON lines (objects with "text" and optionally "title") into a fresh database."""
    t0 = time.perf_counter()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(SCHEMA)
    docs = passages = 0
    pending: list[tuple[str, str, str]] = []  # (hash, title, text)

    def flush() -> None:
        nonlocal docs, passages
        split = [paragraphs(text) for _h, _t, text in pending]
        flat = [p for parts in split for p in parts]
        labels = clf.predict(flat) if flat else []
        k = 0
        with db:  # one transaction per batch
            for (h, title, text), parts in zip(pending, split, strict=True):
                cur = db.execute(
                    "INSERT OR IGNORE INTO doc (hash, title, text) VALUES (?, ?, ?)",
                    (h, title, text),
                )
                if cur.rowcount == 0:  # a duplicate text
                    k += len(parts)
                    continue
                doc_id = cur.lastrowid
                rows = []
                for seq, p in enumerate(parts):
                    rows.append((doc_id, seq, p, ",".join(labels[k])))
                    k += 1
                db.executemany(
                    "INSERT INTO passage (doc_id, seq, text, labels) VALUES (?, ?, ?, ?)", rows
                )
                db.execute(
                    "INSERT INTO passage_fts (rowid, text) "
                    "SELECT id, text FROM passage WHERE doc_id = ?",
                    (doc_id,),
                )
                docs += 1
                passages += len(parts)
        pending.clear()

    for line in lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        text = str(rec.get("text") or "")
        pending.append(
            (hashlib.sha256(text.encode("utf-8")).hexdigest(), str(rec.get("title") or ""), text)
        )
        if len(pending) >= batch:
            flush()
    if pending:
        flush()
    db.close()
    return ReferenceResult(docs, passages, time.perf_counter() - t0)


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: reference_pipeline.py CORPUS.jsonl")
    clf = ReferenceClassifier.train()
    with tempfile.TemporaryDirectory() as tmp, open(sys.argv[1], "rb") as f:
        r = run(f, Path(tmp) / "ref.db", clf)
    print(
        json.dumps(
            {
                "run": "reference",
                "docs": r.docs,
                "passages": r.passages,
                "seconds": round(r.seconds, 3),
                "docs_per_s": round(r.docs_per_s, 1),
                "macro_f1_test": round(macro_f1(clf), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
