"""The rolling brief to the Council: built from what its author may see, frozen and kept.

Sections follow the threat taxonomy (a story's leading category); in each, the largest
stories of the period, one cited sentence each (the lead of the story's first report the
author may read), then the external assessments on that threat, cited with their issuer.
Alerts of the period head the brief. Every sentence is checked (see ``brief``); the brief
carries the highest marking of what it cites, and is compared with the previous brief the
reader may see: new stories, continuing ones, and those no longer reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, get_visible, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, combine
from grandstrategy.horizon import alerts as alerts_mod
from grandstrategy.horizon.analysis_models import Assessment, Brief
from grandstrategy.horizon.brief import Citation, Sentence, check, first_sentence
from grandstrategy.horizon.models import Document, Passage
from grandstrategy.horizon.story_service import StorySummary, summaries
from grandstrategy.horizon.taxonomy import load_taxonomy

FORMATS = ("md", "json", "pdf", "docx")
PER_SECTION = 3


def parse_since(text: str, newest: dt.date) -> dt.date:
    """``7d``, ``2w`` (back from the newest report the reader sees) or ``YYYY-MM-DD``."""
    m = re.fullmatch(r"\s*(\d{1,4})\s*([dw])\s*", text or "")
    if m:
        days = int(m.group(1)) * (7 if m.group(2) == "w" else 1)
        return newest - dt.timedelta(days=days)
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            _("--since must be like 7d, 2w or 2026-03-01, not {value!r}").format(value=text)
        ) from None


def _lead(session: Session, user: Principal, story: StorySummary) -> Sentence | None:
    """The first sentence of the first passage, of the story's first report the user sees."""
    from grandstrategy.horizon.analysis_models import StoryMember

    row = session.execute(
        restrict(
            select(Passage, Document)
            .join(Document, Document.id == Passage.document_id)
            .join(StoryMember, StoryMember.document_id == Document.id)
            .where(StoryMember.story_id == story.id)
            .order_by(StoryMember.published, Document.id, Passage.seq),
            user,
            Passage,
        ).limit(1)
    ).first()
    if row is None:
        return None
    p, doc = row
    text, start, end = first_sentence(p.text, p.start)
    cat = next((c for c in story.categories if c != "none"), "none")
    return Sentence(
        text, Citation(doc.id, p.id, start, end, doc.title, str(p.marking)), cat, story.id
    )


def build(
    session: Session,
    *,
    user: Principal,
    since: str = "7d",
    categories: list[str] | None = None,
    planted: list[Sentence] | None = None,
    freeze: bool = True,
) -> dict[str, Any]:
    """Compose, check, and (by default) freeze a brief; its content with ``id``.

    ``planted``: sentences proposed besides the extractive ones (they are checked like any
    other: the test of the check plants one that its citation does not support)."""
    require(user, "horizon.read")
    if freeze:
        require(user, "horizon.ingest")
    known = set(load_taxonomy().ids())
    for c in categories or []:
        if c not in known:
            raise Invalid(_("unknown category {name!r}").format(name=c))
    stories = summaries(session, user)
    newest = max((s.last for s in stories), default=dt.date.today())
    start = parse_since(since, newest)
    period = [s for s in stories if s.last >= start and s.first <= newest]
    if categories:
        period = [s for s in period if set(s.categories) & set(categories)]
    by_cat: dict[str, list[StorySummary]] = {}
    for s in period:
        threats = [c for c in s.categories if c != "none"]
        if threats:  # a story with no security category is not a threat to brief on
            by_cat.setdefault(threats[0], []).append(s)
    sections = sorted(by_cat, key=lambda c: (-sum(s.size for s in by_cat[c]), c))
    proposed: list[Sentence] = []
    sources: dict[tuple[str, int], str] = {}
    for cat in sections:
        for s in sorted(by_cat[cat], key=lambda s: (-s.size, s.id))[:PER_SECTION]:
            sent = _lead(session, user, s)
            if sent is not None:
                proposed.append(sent)
        for a in session.execute(
            restrict(select(Assessment), user).order_by(Assessment.issued.desc())
        ).scalars():
            if cat in a.threats:
                text, b, e = first_sentence(a.judgement)
                cit = Citation(a.document_id, None, b, e, a.issuer, str(a.marking), a.id, a.issuer)
                proposed.append(Sentence(text, cit, cat))
                sources[("assessment", a.id)] = a.judgement
    proposed += planted or []
    pids = [s.citation.passage_id for s in proposed if s.citation.passage_id]
    if pids:
        for p in session.execute(
            restrict(select(Passage).where(Passage.id.in_(pids)), user)
        ).scalars():
            sources[("passage", p.id)] = p.text
    checked = check(proposed, sources)
    found = [
        a
        for a in alerts_mod.list_alerts(session, user=user, since=start)
        if not categories or set(a.category.split("+")) & set(categories)
    ]
    marking = combine(
        [Marking.parse(s.citation.marking) for s in checked.sentences]
        + [Marking.parse(a.marking) for a in found]
    )
    story_ids = sorted({s.story_id for s in checked.sentences if s.story_id})
    content: dict[str, Any] = {
        "title": "Rolling brief to the National Security Council",
        "period": f"{start.isoformat()} – {newest.isoformat()}",
        "since": start.isoformat(),
        "until": newest.isoformat(),
        "categories": categories or [],
        "marking": str(marking),
        "support_rate": round(checked.support_rate, 4),
        "supported": len(checked.sentences),
        "refused": checked.refused,
        "alerts": [
            {
                "id": a.id,
                "kind": a.kind,
                "about": " ".join(x for x in (a.category, a.actor) if x),
                "start": a.start.isoformat(),
                "score": a.score,
                "stories": a.stories,
            }
            for a in found
        ],
        "sections": [
            {
                "category": cat,
                "sentences": [asdict(s) for s in checked.sentences if s.section == cat],
            }
            for cat in sections
            if any(s.section == cat for s in checked.sentences)
        ],
        "stories": story_ids,
        "changes": _changes(session, user, story_ids),
    }
    content["id"] = _freeze(session, user, content, start, newest, marking) if freeze else None
    return content


def _changes(session: Session, user: Principal, story_ids: list[int]) -> dict[str, Any] | None:
    prev = session.execute(
        restrict(select(Brief), user).order_by(Brief.id.desc()).limit(1)
    ).scalar()
    if prev is None:
        return None
    before = set(prev.content.get("stories", []))  # type: ignore[call-overload]
    now = set(story_ids)
    return {
        "previous": prev.id,
        "new": sorted(now - before),
        "continuing": sorted(now & before),
        "dropped": sorted(before - now),
    }


def _freeze(
    session: Session,
    user: Principal,
    content: dict[str, Any],
    since: dt.date,
    until: dt.date,
    marking: Marking,
) -> int:
    row = Brief(
        created_by=user.username,
        since=since,
        until=until,
        categories=content["categories"],
        content=content,
        support_rate=content["support_rate"],
    )
    row.marking = marking
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="horizon.brief.freeze",
        object_type="brief",
        object_id=row.id,
        marking=marking,
        after={
            "since": since.isoformat(),
            "until": until.isoformat(),
            "sentences": content["supported"],
            "support_rate": content["support_rate"],
        },
    )
    return int(row.id)


def list_briefs(session: Session, *, user: Principal) -> list[dict[str, Any]]:
    """Frozen briefs the user may read, newest first (the institutional memory)."""
    require(user, "horizon.read")
    return [
        {
            "id": b.id,
            "created_at": b.created_at.isoformat(),
            "created_by": b.created_by,
            "since": b.since.isoformat(),
            "until": b.until.isoformat(),
            "support_rate": b.support_rate,
            "marking": str(b.marking),
        }
        for b in session.execute(restrict(select(Brief), user).order_by(Brief.id.desc())).scalars()
    ]


def get_brief(session: Session, *, user: Principal, brief_id: int) -> dict[str, Any]:
    """One frozen brief, exactly as it was written."""
    require(user, "horizon.read")
    b = get_visible(session, user, Brief, brief_id, "brief")
    audit.record_read(session, user, b, "brief", brief_id)
    return {**b.content, "id": b.id}
