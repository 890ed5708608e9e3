"""Foresight tables: sources, documents, passages, labels, feedback, mentions, models.

A document's text and its passages are immutable once ingested (evidence is never edited);
automatic labels can be recomputed by a new model; analysts' verdicts are appended, never
changed. Passages carry their document's marking so that every search filters on the row it
returns.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from grandstrategy.core.db import Base
from grandstrategy.core.models import Marked, utcnow


class Source(Marked, Base):
    __tablename__ = "horizon_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="file")
    url: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Document(Marked, Base):
    __tablename__ = "horizon_documents"
    # One copy of a text per marking (polyinstantiation): an upload is a duplicate only of
    # what its uploader may see, so a hidden copy is never revealed by a "duplicate" answer.
    __table_args__ = (
        Index("ix_horizon_documents_published", "published"),
        UniqueConstraint(
            "content_hash",
            "marking_level",
            "marking_compartments",
            name="uq_horizon_documents_hash_marking",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("horizon_sources.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False, default="")
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    language: Mapped[str] = mapped_column(String(8), nullable=False, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    origin: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ingested_by: Mapped[str] = mapped_column(String(100), nullable=False)
    # Roll-ups, recomputed with the labels: {category: score}, [[entity_id, count], ...]
    categories: Mapped[dict[str, float]] = mapped_column(JSON, nullable=False, default=dict)
    actors: Mapped[list[list[object]]] = mapped_column(JSON, nullable=False, default=list)
    given_labels: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)


class Passage(Marked, Base):
    __tablename__ = "horizon_passages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_documents.id"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class Label(Base):
    """An automatic label of a passage, with what it rests on."""

    __tablename__ = "horizon_labels"
    __table_args__ = (
        Index("ix_horizon_labels_category_doc", "category", "document_id"),
        Index("ix_horizon_labels_passage_category", "passage_id", "category"),  # facets
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage_id: Mapped[int] = mapped_column(ForeignKey("horizon_passages.id"), nullable=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("horizon_documents.id"), nullable=False)
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    rule_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    model_prob: Mapped[float | None] = mapped_column(Float, nullable=True)
    terms: Mapped[list[list[object]]] = mapped_column(JSON, nullable=False, default=list)


class Feedback(Base):
    """An analyst's verdict on a category for a passage: confirm, reject (append-only)."""

    __tablename__ = "horizon_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    passage_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_passages.id"), nullable=False, index=True
    )
    category: Mapped[str] = mapped_column(String(40), nullable=False)
    verdict: Mapped[str] = mapped_column(String(10), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class Mention(Base):
    __tablename__ = "horizon_mentions"
    __table_args__ = (
        Index("ix_horizon_mentions_entity_doc", "entity_id", "document_id"),
        Index("ix_horizon_mentions_passage_entity", "passage_id", "entity_id"),  # facets
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("horizon_documents.id"), nullable=False, index=True
    )
    passage_id: Mapped[int] = mapped_column(ForeignKey("horizon_passages.id"), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(60), nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)  # offsets into the document
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    how: Mapped[str] = mapped_column(String(20), nullable=False)


class PassageVector(Base):
    """A passage's sentence-encoder vector (float16, L2-normalised), for semantic search.

    Written at ingestion when the encoder is in use; absent otherwise."""

    __tablename__ = "horizon_vectors"

    passage_id: Mapped[int] = mapped_column(ForeignKey("horizon_passages.id"), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class TrainedModel(Marked, Base):
    """A learned classifier, stored in the database so every worker uses the same one.

    Derived data: it carries the highest marking of the passages it learned from, and what
    is shown from it (its nearest examples) is filtered by the reader."""

    __tablename__ = "horizon_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    trained_by: Mapped[str] = mapped_column(String(100), nullable=False)
    n_examples: Mapped[int] = mapped_column(Integer, nullable=False)
    n_feedback: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    blob: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    metrics: Mapped[dict[str, object]] = mapped_column(JSON, nullable=False, default=dict)
