"""Alerts: bursts, emerging actor pairs and grey-zone convergence, recorded as documents arrive.

Alerts are computed per *view*: for each marking under which documents are held, on the
stories as a reader at exactly that marking sees them, and stored with that marking. A
reader then sees the alerts of the views within their clearance, so no alert they see rests
on a document they may not see; where several views found the same alert, the reader gets
the one from the highest view they may read (it rests on the most evidence).

* ``burst``: a category, an actor, or an actor in a category, with improbably many stories
  against its weekly-seasonal baseline (see ``trends``);
* ``emerging``: two actors appearing together in stories for the first time in the archive
  (about ``actor+actor``), or a term in the titles of several recent stories that no story of
  the archive before them carried (about ``term:word``, e.g. a new weapon's or group's name);
* ``convergence``: one actor bursting at the same time in two or more of the grey-zone
  categories — the signature of a hybrid campaign.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, get_visible, require, restrict
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import trends
from grandstrategy.horizon.analysis_models import Alert, AlertAction
from grandstrategy.horizon.models import Document
from grandstrategy.horizon.stories import words
from grandstrategy.horizon.story_service import StorySummary, reader_at, summaries
from grandstrategy.horizon.trend_service import series_of

GREY_ZONE = ("disinformation", "cyber", "coercion", "subversion", "hybrid")
VERDICTS = ("acknowledged", "dismissed")
EMERGING_MIN = 2  # stories with a new pair of actors, within EMERGING_DAYS
EMERGING_DAYS = 14
EMERGING_HISTORY = 60  # days of archive before, in which the pair must be absent
EMERGING_TERM_MIN = 3  # recent stories whose titles carry a term the archive never had
TERM_MIN_LENGTH = 5  # shorter words are mostly function words in the four languages


@dataclass
class Found:
    kind: str
    category: str
    actor: str
    start: dt.date
    score: float
    stories: list[int]


def detect(stories: list[StorySummary]) -> list[Found]:
    """Every alert in one view's stories (pure: the same stories give the same alerts)."""
    if not stories:
        return []
    start = min(s.first for s in stories)
    end = max(s.first for s in stories)
    out: list[Found] = []
    per_actor: dict[str, list[tuple[str, trends.Burst, list[int]]]] = {}
    for by in ("category", "actor", "category,actor"):
        for key, group in series_of(stories, by).items():
            counts = trends.daily([s.first for s in group], start, end)
            for b in trends.bursts(counts, start):
                ids = sorted(s.id for s in group if b.start <= s.first <= b.end)
                cat, _sep, act = key.partition("|") if by != "actor" else ("", "", key)
                out.append(Found("burst", cat, act, b.start, b.score, ids))
                if by == "category,actor" and cat in GREY_ZONE:
                    per_actor.setdefault(act, []).append((cat, b, ids))
    for actor, found in per_actor.items():
        for (c1, b1, _i1), (c2, b2, _i2) in combinations(found, 2):
            if c1 != c2 and trends.overlapping(b1, b2):
                cats = sorted({c for c, b, _ids in found if trends.overlapping(b, b1)})
                ids = sorted({i for c, b, ii in found if c in cats for i in ii})
                score = sum(b.score for c, b, _ids in found if c in cats)
                first = min(b.start for c, b, _ids in found if c in cats)
                out.append(Found("convergence", "+".join(cats), actor, first, round(score, 2), ids))
                break
    out += _emerging(stories, end)
    return out


def _emerging(stories: list[StorySummary], end: dt.date) -> list[Found]:
    recent_from = end - dt.timedelta(days=EMERGING_DAYS)
    archive_from = recent_from - dt.timedelta(days=EMERGING_HISTORY)
    if min(s.first for s in stories) > archive_from:
        return []  # too little archive to call anything new
    pairs: dict[tuple[str, str], list[StorySummary]] = {}
    for s in stories:
        for a, b in combinations(sorted(s.actors), 2):
            pairs.setdefault((a, b), []).append(s)
    out = []
    terms: dict[str, list[StorySummary]] = {}
    for s in stories:
        for t in _title_terms(s.title):
            terms.setdefault(t, []).append(s)
    for t, group in sorted(terms.items()):
        recent = [s for s in group if s.first >= recent_from]
        if len(recent) >= EMERGING_TERM_MIN and len(recent) == len(group):
            first = min(s.first for s in recent)
            ids = sorted(s.id for s in recent)
            out.append(Found("emerging", "", f"term:{t}", first, float(len(recent)), ids))
    for (a, b), group in pairs.items():
        recent = [s for s in group if s.first >= recent_from]
        if len(recent) >= EMERGING_MIN and len(recent) == len(group):
            first = min(s.first for s in recent)
            out.append(
                Found(
                    "emerging",
                    "",
                    f"{a}+{b}",
                    first,
                    float(len(recent)),
                    sorted(s.id for s in recent),
                )
            )
    return out


def _title_terms(title: str) -> set[str]:
    """The content words of a story's title, case- and accent-folded: what an emerging term
    is looked for in (a word the whole archive already knows is never new)."""
    return {w for w in words(title) if len(w) >= TERM_MIN_LENGTH and w.isalpha()}


def _views(session: Session, document_ids: list[int] | None) -> list[Marking]:
    """The markings documents are held under, at or above those of the new documents."""
    rows = session.execute(
        select(Document.marking_level, Document.marking_compartments).distinct()
    ).all()
    views = {Marking.from_columns(lv, comps) for lv, comps in rows}
    if document_ids is None:
        return sorted(views, key=lambda m: (m.level, str(m)))
    new = {
        Marking.from_columns(lv, comps)
        for lv, comps in session.execute(
            select(Document.marking_level, Document.marking_compartments)
            .where(Document.id.in_(document_ids))
            .distinct()
        ).all()
    }
    return sorted((v for v in views if any(n <= v for n in new)), key=lambda m: (m.level, str(m)))


def refresh(session: Session, *, document_ids: list[int] | None = None) -> int:
    """Recompute the alerts of the views the new documents belong to; new alerts recorded.

    Known alerts keep their id, status and verdicts; their score and stories are updated."""
    added = 0
    for view in _views(session, document_ids):
        for f in detect(summaries(session, reader_at(view))):
            key = f"{view}|{f.kind}|{f.category}|{f.actor}|{f.start.isoformat()}"
            row = session.execute(select(Alert).where(Alert.key == key)).scalar()
            if row is None:
                row = Alert(key=key, kind=f.kind, category=f.category, actor=f.actor, start=f.start)
                row.marking = view
                session.add(row)
                added += 1
            row.score, row.stories = f.score, f.stories
    session.flush()
    return added


@dataclass
class AlertView:
    id: int
    kind: str
    category: str
    actor: str
    start: dt.date
    score: float
    stories: list[int]
    status: str
    marking: str
    actions: list[dict[str, str]]


def list_alerts(
    session: Session,
    *,
    user: Principal,
    since: dt.date | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> list[AlertView]:
    """The alerts the user may see (one per finding, from the highest view they read)."""
    require(user, "horizon.read")
    q = restrict(select(Alert), user)
    if since:
        q = q.where(Alert.start >= since)
    if kind:
        q = q.where(Alert.kind == kind)
    best: dict[tuple[str, str, str, dt.date], Alert] = {}
    for a in session.execute(q.order_by(Alert.id)).scalars():  # ties: the same copy every time
        k = (a.kind, a.category, a.actor, a.start)
        if k not in best or a.marking_level > best[k].marking_level:
            best[k] = a
    rows = sorted(best.values(), key=lambda a: (a.start, a.score), reverse=True)
    actions: dict[int, list[dict[str, str]]] = {}
    if rows:
        for act in session.execute(
            select(AlertAction)
            .where(AlertAction.alert_id.in_([a.id for a in rows]))
            .order_by(AlertAction.id)
        ).scalars():
            actions.setdefault(act.alert_id, []).append(
                {
                    "verdict": act.verdict,
                    "reason": act.reason,
                    "by": act.actor,
                    "at": act.at.isoformat(),
                }
            )
    out = [
        AlertView(
            a.id,
            a.kind,
            a.category,
            a.actor,
            a.start,
            a.score,
            list(a.stories),
            a.status,
            str(a.marking),
            actions.get(a.id, []),
        )
        for a in rows
    ]
    return [v for v in out if status is None or v.status == status]


def act_on_alert(
    session: Session, *, user: Principal, alert_id: int, verdict: str, reason: str
) -> AlertView:
    """An analyst acknowledges or dismisses an alert, with a reason (kept and audited)."""
    require(user, "horizon.label")
    alert = get_visible(session, user, Alert, alert_id, "alert")
    if verdict not in VERDICTS:
        raise Invalid(
            _("verdict must be one of {choices}, not {value!r}").format(
                choices=", ".join(VERDICTS), value=verdict
            )
        )
    reason = reason.strip()
    if not reason:
        raise Invalid(_("a reason is required"))
    before = alert.status
    alert.status = verdict
    session.add(
        AlertAction(alert_id=alert.id, verdict=verdict, reason=reason[:1000], actor=user.username)
    )
    audit.record(
        session,
        actor=user,
        action=f"horizon.alert.{verdict}",
        object_type="alert",
        object_id=alert.id,
        marking=alert.marking,
        before={"status": before},
        after={"status": verdict, "reason": reason[:1000]},
    )
    session.flush()
    return AlertView(
        alert.id,
        alert.kind,
        alert.category,
        alert.actor,
        alert.start,
        alert.score,
        list(alert.stories),
        alert.status,
        str(alert.marking),
        [{"verdict": verdict, "reason": reason[:1000], "by": user.username, "at": ""}],
    )
