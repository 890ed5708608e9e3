"""The rolling brief to the Council: built from what its author may see, frozen and kept.

Sections are the strategy's threats the author may see that have a watchlist they may read:
a story of the period goes under the watched threat that matches it best (see ``watch``),
a story matching none under its leading category as "other signals". In each section, the
alerts on the threat, the largest stories, one cited sentence each (the lead of the story's
first report the author may read), then the external assessments of the threat's
categories, each cited once, with its issuer. Alerts of the period head the brief.
Every sentence is checked (see ``brief``); the brief carries the highest marking of what it
cites (and of the threats and watchlists its sections name), and is compared with the
previous brief the reader may see: new stories, continuing ones, and those no longer reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, allowed, get_visible, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, combine
from grandstrategy.horizon import alerts as alerts_mod
from grandstrategy.horizon import watch_service
from grandstrategy.horizon.alerts import AlertView
from grandstrategy.horizon.analysis_models import Assessment, Brief
from grandstrategy.horizon.brief import Citation, Sentence, check, first_sentence
from grandstrategy.horizon.models import Document, Passage
from grandstrategy.horizon.story_service import StorySummary, summaries
from grandstrategy.horizon.taxonomy import load_taxonomy
from grandstrategy.horizon.watch import Watchlist

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


@dataclass
class _Threat:
    """A strategy threat the reader may see, with the watchlist they may read."""

    id: str
    title: str
    category: str
    marking: str
    watch: Watchlist


def watched_threats(session: Session, user: Principal) -> list[_Threat]:
    """The strategy's threats the reader may see and has a watchlist entry for, in strategy
    order; none where there is no strategy or the reader may not read it. A threat or an entry
    the reader may not see is never read, so it can move nothing in their brief."""
    if not allowed(user, "strategy.read"):
        return []
    try:
        views = watch_service.list_watches(session, user=user)
    except NotFound:
        return []
    regions = watch_service.region_actors()
    return [
        _Threat(
            v.threat,
            v.title,
            v.category,
            v.marking,
            Watchlist(
                frozenset(v.categories),
                frozenset(v.actors),
                frozenset(v.places),
                tuple(v.terms),
                regions,
            ),
        )
        for v in views
    ]


def _by_threat(
    session: Session, user: Principal, threats: list[_Threat], stories: list[StorySummary]
) -> dict[int, str]:
    """Story id -> the threat it is briefed under: the watched threat with the most reasons to
    match it (the first in strategy order on a tie); stories matching none are left out."""
    best: dict[int, tuple[int, int, str]] = {}
    ids = [s.id for s in stories]
    for order, t in enumerate(threats):
        for sid, why in watch_service.story_reasons(session, user, t.watch, ids).items():
            rank = (-len(why), order, t.id)
            if sid not in best or rank < best[sid]:
                best[sid] = rank
    return {sid: rank[2] for sid, rank in best.items()}


def _alert_threats(
    session: Session, user: Principal, threats: list[_Threat], found: list[AlertView]
) -> dict[int, list[str]]:
    """Alert id -> the watched threats it concerns (its category or actor, or a story behind it)."""
    out: dict[int, list[str]] = {}
    behind = {i for a in found for i in a.stories}
    for t in threats:
        by_story = watch_service.story_reasons(session, user, t.watch, behind) if behind else {}
        for a in found:
            if t.watch.alert_reasons(a.category, a.actor) or any(i in by_story for i in a.stories):
                out.setdefault(a.id, []).append(t.id)
    return out


def _lead(session: Session, user: Principal, story: StorySummary, key: str) -> Sentence | None:
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
    return Sentence(
        text, Citation(doc.id, p.id, start, end, doc.title, str(p.marking)), key, story.id
    )


def _leading(story: StorySummary) -> str | None:
    """A story's leading threat category, or None when it has no security category."""
    return next((c for c in story.categories if c != "none"), None)


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

    Sections are the strategy's threats the reader may see that have a watchlist (stories,
    alerts and assessments matching it), then, per category, the other signals: stories
    matching no watched threat. ``planted``: sentences proposed besides the extractive ones
    (they are checked like any other: the test of the check plants one that its citation does
    not support)."""
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
    found = [
        a
        for a in alerts_mod.list_alerts(session, user=user, since=start)
        if not categories or set(a.category.split("+")) & set(categories)
    ]
    threats = watched_threats(session, user)
    under = _by_threat(session, user, threats, period)
    on_threat = _alert_threats(session, user, threats, found)
    groups: dict[str, list[StorySummary]] = {}
    for s in period:
        if s.id in under:
            groups.setdefault(f"threat:{under[s.id]}", []).append(s)
        elif lead := _leading(s):  # a story of no security category is no threat to brief on
            groups.setdefault(f"category:{lead}", []).append(s)
    for tids in on_threat.values():
        for tid in tids:
            groups.setdefault(f"threat:{tid}", [])
    by_id = {t.id: t for t in threats}
    weight = {k: sum(s.size for s in v) for k, v in groups.items()}
    order = {f"threat:{t.id}": i for i, t in enumerate(threats)}
    keys = sorted(
        groups,
        key=lambda k: (not k.startswith("threat:"), -weight[k], order.get(k, 0), k),
    )
    assessed = session.execute(
        restrict(select(Assessment), user).order_by(Assessment.issued.desc(), Assessment.id)
    ).scalars()
    pending = list(assessed)
    proposed: list[Sentence] = []
    sources: dict[tuple[str, int], str] = {}
    for key in keys:
        for s in sorted(groups[key], key=lambda s: (-s.size, s.id))[:PER_SECTION]:
            sent = _lead(session, user, s, key)
            if sent is not None:
                proposed.append(sent)
        kind, _sep, ident = key.partition(":")
        if kind == "threat":
            cats = {by_id[ident].category, *by_id[ident].watch.categories}
        else:
            cats = {ident}
        for a in [a for a in pending if cats & set(a.threats)]:  # each assessment cited once
            pending.remove(a)
            text, b, e = first_sentence(a.judgement)
            cit = Citation(
                a.document_id, None, b, e, a.issuer, str(a.marking), a.id, a.issuer,
                a.issued.isoformat(),
            )  # fmt: skip
            proposed.append(Sentence(text, cit, key))
            sources[("assessment", a.id)] = a.judgement
    proposed += planted or []
    pids = [s.citation.passage_id for s in proposed if s.citation.passage_id]
    if pids:
        for p in session.execute(
            restrict(select(Passage).where(Passage.id.in_(pids)), user)
        ).scalars():
            sources[("passage", p.id)] = p.text
    checked = check(proposed, sources)
    sections: list[dict[str, Any]] = []
    for key in keys:
        kind, _sep, ident = key.partition(":")
        written = [asdict(s) for s in checked.sentences if s.section == key]
        alert_ids = [a.id for a in found if kind == "threat" and ident in on_threat.get(a.id, [])]
        if not written and not alert_ids:
            continue
        t = by_id.get(ident) if kind == "threat" else None
        sections.append(
            {
                "key": key,
                "threat": t.id if t else None,
                "title": t.title if t else "",
                "category": t.category if t else ident,
                "marking": t.marking if t else "",
                "alerts": alert_ids,
                "sentences": written,
            }
        )
    marking = combine(
        [Marking.parse(s.citation.marking) for s in checked.sentences]
        + [Marking.parse(a.marking) for a in found]
        + [Marking.parse(sec["marking"]) for sec in sections if sec["marking"]]
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
                "threats": on_threat.get(a.id, []),
            }
            for a in found
        ],
        "sections": sections,
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
