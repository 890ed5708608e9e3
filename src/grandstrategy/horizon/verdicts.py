"""Why a passage carries its labels, an analyst's verdict on a label, and the queue of labels
waiting for one; entered through ``service.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, get_visible, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.models import Document, Feedback, Label, Passage
from grandstrategy.horizon.taxonomy import load_taxonomy

VERDICTS = ("confirm", "reject")
MAX_ID = 2**63 - 1  # the largest id a database integer holds


def _check_id(value: int, what: str) -> int:
    """Ids outside what the database holds are simply not found (never a server error)."""
    if not 0 < value <= MAX_ID:
        raise NotFound(_("{what} {id} not found").format(what=what, id=value))
    return value


@dataclass
class PassageWhy:
    """A passage with the reasons for each of its categories (the "why this label" page)."""

    passage_id: int
    document_id: int
    document_title: str
    seq: int
    start: int
    end: int
    text: str
    marking: str
    labels: list[dict[str, Any]]  # category, score, explanation, features, examples


def explain_passage(session: Session, *, user: Principal, passage_id: int) -> list[dict[str, Any]]:
    """Why each category applies, computed now by the current classifier (on demand)."""
    return why_passage(session, user=user, passage_id=passage_id).labels


def why_passage(session: Session, *, user: Principal, passage_id: int) -> PassageWhy:
    """The passage and, per category the current classifier gives it, what that rests on."""
    require(user, "horizon.read")
    p = get_visible(session, user, Passage, _check_id(passage_id, "passage"), "passage")
    audit.record_read(session, user, p, "passage", passage_id)
    doc = session.get(Document, p.document_id)
    labels = engine.classifier(session).classify(
        [p.text], [p.language], explain=True, shown=_reader_may_see(user)
    )[0]
    return PassageWhy(
        passage_id=p.id,
        document_id=p.document_id,
        document_title=doc.title if doc else "",
        seq=p.seq,
        start=p.start,
        end=p.end,
        text=p.text,
        marking=str(p.marking),
        labels=_explained(labels),
    )


def _reader_may_see(user: Principal) -> Callable[[str], bool]:
    """Which markings of the model's examples ``user`` may read ("" is the starter set)."""
    return lambda marking: marking == "" or user.can_read(Marking.parse(marking))


def _explained(labels: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "category": lb.category,
            "score": round(float(lb.score), 3),
            "explanation": lb.explanation,
            "features": lb.features,
            "examples": lb.examples,
        }
        for lb in labels
    ]


def _verdicts(session: Session, passage_ids: list[int]) -> dict[tuple[int, str], str]:
    out: dict[tuple[int, str], str] = {}
    if not passage_ids:
        return out
    for fb in session.execute(
        select(Feedback).where(Feedback.passage_id.in_(passage_ids)).order_by(Feedback.id)
    ).scalars():
        out[(fb.passage_id, fb.category)] = fb.verdict
    return out


def give_verdict(
    session: Session,
    *,
    user: Principal,
    passage_id: int,
    category: str,
    verdict: str,
    note: str = "",
) -> int:
    """An analyst confirms or rejects a category for a passage (kept, used at next training);
    the id of the passage's document."""
    require(user, "horizon.label")
    p = get_visible(session, user, Passage, _check_id(passage_id, "passage"), "passage")
    if category not in load_taxonomy().ids():
        raise Invalid(_("unknown category {name!r}").format(name=category))
    if verdict not in VERDICTS:
        raise Invalid(_("verdict must be one of {choices}").format(choices=", ".join(VERDICTS)))
    session.add(
        Feedback(
            passage_id=p.id,
            category=category,
            verdict=verdict,
            actor=user.username,
            note=note[:500],
        )
    )
    audit.record(
        session,
        actor=user,
        action=f"horizon.label.{verdict}",
        object_type="passage",
        object_id=p.id,
        marking=p.marking,
        after={"category": category, "note": note[:500]},
    )
    return p.document_id


@dataclass
class ReviewItem:
    """A label waiting for an analyst's verdict (the "review labels" queue)."""

    passage_id: int
    document_id: int
    seq: int
    text: str
    marking: Marking
    category: str
    score: float
    terms: list[Any]  # (term, start, end) matched in the passage's text


def review_queue(
    session: Session, *, user: Principal, category: str | None = None, limit: int = 25
) -> list[ReviewItem]:
    """The passages' labels that are least certain and have no verdict yet (review these
    first), among the passages ``user`` may see."""
    require(user, "horizon.label")
    reviewed = select(Feedback.passage_id)
    q = (
        select(Passage, Label)
        .join(Label, Label.passage_id == Passage.id)
        .where(Passage.id.not_in(reviewed))
    )
    if category:
        q = q.where(Label.category == category)
    q = restrict(q, user, Passage).order_by((Label.score - 0.5) * (Label.score - 0.5)).limit(limit)
    return [
        ReviewItem(
            passage_id=p.id,
            document_id=p.document_id,
            seq=p.seq,
            text=p.text,
            marking=p.marking,
            category=lb.category,
            score=lb.score,
            terms=list(lb.terms),
        )
        for p, lb in session.execute(q).all()
    ]
