"""Review items: an alert on a watched threat, put before the owners of the objectives
countering it.

``open_reviews`` runs after alerts are refreshed (and when a watchlist is set). For each
watchlist entry, each alert that concerns it (its category or actor is on the watchlist, or
one of its stories matches as the alert's own view sees it) and each actor that owns an
objective addressing the threat, one item is opened — once: an item is unique per alert,
threat and owner, so running it again opens nothing new.

An item rests on the alert, the watchlist entry, the threat and the objective, and carries the
highest of their markings. It is opened only when the owner may see it: when at least one
member of the owning actor (``core.memberships``) is cleared for that marking, or, for an
actor without members yet, when the marking is no higher than the objective the strategy
entrusts to it. So an item is never made from an alert above the owner's view, and the list
shows a reader only the items they may read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, allowed, get_visible, require, restrict
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.core.memberships import actors_of, members_of
from grandstrategy.core.models import User
from grandstrategy.horizon.analysis_models import Alert
from grandstrategy.horizon.story_service import reader_at
from grandstrategy.horizon.watch_models import Watch, WatchReview
from grandstrategy.horizon.watch_service import WATCH, story_reasons, watchlist_of
from grandstrategy.strategy import service as strategy_service
from grandstrategy.strategy.schemas import Objective, Package

REVIEW = "horizon.review"
STATUSES = ("open", "closed")
MAX_NOTE = 2000


def _is_operator(user: Principal) -> bool:
    return user.user_id is None and "*" in user.compartments


class _Owners:
    """Whether an owning actor may see a marking (its members' clearances, cached)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._members: dict[str, list[Principal]] = {}

    def members(self, actor: str) -> list[Principal]:
        if actor not in self._members:
            users = [self.session.get(User, uid) for uid in members_of(self.session, actor)]
            self._members[actor] = [Principal.of(u) for u in users if u is not None and u.active]
        return self._members[actor]

    def sees(self, actor: str, marking: Marking, objective: Marking) -> bool:
        members = self.members(actor)
        if members:
            return any(m.can_read(marking) for m in members)
        return marking <= objective


def open_reviews(
    session: Session, *, strategy: str | None = None, threat: str | None = None
) -> int:
    """Open the review items that alerts on watched threats call for; how many were opened.

    A system task (run after alerts are refreshed, and when a watchlist is set): it reads
    every watchlist and alert, and decides per owner what that owner may see."""
    q = select(Watch).order_by(Watch.marking_level, Watch.id)
    if strategy is not None:
        q = q.where(Watch.strategy == strategy)
    if threat is not None:
        q = q.where(Watch.threat == threat)
    entries = list(session.execute(q).scalars())
    if not entries:
        return 0
    alerts = list(
        session.execute(
            select(Alert).where(Alert.status != "dismissed").order_by(Alert.id)
        ).scalars()
    )
    if not alerts:
        return 0
    system = Principal.operator("system:watch")
    existing: set[tuple[int, str, str, str]] = {
        (r.alert_id, r.strategy, r.threat, r.owner)
        for r in session.execute(
            select(
                WatchReview.alert_id, WatchReview.strategy, WatchReview.threat, WatchReview.owner
            )
        ).all()
    }
    packages: dict[str, Package | None] = {}
    owners = _Owners(session)
    added = 0
    for entry in entries:
        if entry.strategy not in packages:
            try:
                packages[entry.strategy] = strategy_service.load_package(
                    session, user=system, key=entry.strategy
                )
            except NotFound:
                packages[entry.strategy] = None
        pkg = packages[entry.strategy]
        t = pkg.by_id("threats").get(entry.threat) if pkg is not None else None
        if pkg is None or t is None:
            continue
        by_owner: dict[str, list[Objective]] = {}
        for o in pkg.objectives:
            if entry.threat in o.threats and o.owner:
                by_owner.setdefault(o.owner, []).append(o)
        if not by_owner:
            continue
        w = watchlist_of([entry])
        base = entry.marking.join(Marking.parse(t.marking))
        stories_at: dict[str, dict[int, list[str]]] = {}
        for a in alerts:
            why = w.alert_reasons(a.category, a.actor)
            if not why:
                view = str(a.marking)
                if view not in stories_at:
                    ids = {i for b in alerts if str(b.marking) == view for i in b.stories}
                    stories_at[view] = story_reasons(session, reader_at(a.marking), w, ids)
                why = sorted({r for i in a.stories for r in stories_at[view].get(i, [])})
            if not why:
                continue
            for owner, objectives in by_owner.items():
                if (a.id, entry.strategy, entry.threat, owner) in existing:
                    continue
                row = _open(session, owners, a, entry, base, owner, objectives, why)
                if row is not None:
                    existing.add((a.id, entry.strategy, entry.threat, owner))
                    audit.record(
                        session,
                        actor=system,
                        action="horizon.watch.review.open",
                        object_type="watch-review",
                        object_id=row.id,
                        marking=row.marking,
                        after={
                            "alert": a.id,
                            "strategy": entry.strategy,
                            "threat": entry.threat,
                            "owner": owner,
                        },
                    )
                    added += 1
    session.flush()
    return added


def _open(
    session: Session,
    owners: _Owners,
    alert: Alert,
    entry: Watch,
    base: Marking,
    owner: str,
    objectives: list[Objective],
    why: list[str],
) -> WatchReview | None:
    """The item for one owner at the lowest marking it may have, if the owner may see it."""
    for o in sorted(objectives, key=lambda o: (Marking.parse(o.marking).level, o.id)):
        objective = Marking.parse(o.marking)
        marking = base.join(alert.marking).join(objective)
        if not owners.sees(owner, marking, objective):
            continue
        row = WatchReview(
            alert_id=alert.id,
            strategy=entry.strategy,
            threat=entry.threat,
            owner=owner,
            objectives=[x.id for x in objectives if Marking.parse(x.marking) <= marking],
            reasons=why,
        )
        row.marking = marking
        try:
            with session.begin_nested():  # another process may have opened it meanwhile
                session.add(row)
                session.flush()
        except IntegrityError:
            return None
        return row
    return None


# --- reading and closing --------------------------------------------------------------------


@dataclass
class ReviewView:
    id: int
    status: str
    owner: str
    owner_name: str
    strategy: str
    threat: str
    threat_title: str
    objectives: list[tuple[str, str]]  # (id, title) of those the reader may see
    alert: dict[str, Any]  # id, kind, category, actor, start, score
    reasons: list[str]
    marking: str
    created_at: str
    note: str = ""
    closed_by: str = ""
    closed_at: str = ""
    can_close: bool = False


def _scope(session: Session, user: Principal) -> list[str] | None:
    """The owners whose items the user follows: None for all (secretariat), else theirs."""
    if _is_operator(user) or allowed(user, WATCH):
        return None
    return actors_of(session, user.user_id)


def _views(
    session: Session, user: Principal, pairs: list[tuple[WatchReview, Alert]]
) -> list[ReviewView]:
    """Items as the reader sees them: those whose threat they see, objectives they see."""
    mine = set(actors_of(session, user.user_id))
    strategies: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]] | None] = {}
    out = []
    for r, a in pairs:
        if r.strategy not in strategies:
            try:
                pkg = strategy_service.load_package(session, user=user, key=r.strategy)
                strategies[r.strategy] = (
                    pkg.by_id("threats"),
                    pkg.by_id("objectives"),
                    pkg.by_id("actors"),
                )
            except NotFound:
                strategies[r.strategy] = None
        found = strategies[r.strategy]
        if found is None or r.threat not in found[0]:
            continue
        threats, objectives, actors = found
        owner = actors.get(r.owner)
        audit.record_read(session, user, r, "watch-review", r.id)
        out.append(
            ReviewView(
                id=r.id,
                status=r.status,
                owner=r.owner,
                owner_name=owner.name if owner is not None else r.owner,
                strategy=r.strategy,
                threat=r.threat,
                threat_title=threats[r.threat].title,
                objectives=[(o, objectives[o].title) for o in r.objectives if o in objectives],
                alert={
                    "id": a.id,
                    "kind": a.kind,
                    "category": a.category,
                    "actor": a.actor,
                    "start": a.start.isoformat(),
                    "score": a.score,
                },
                reasons=list(r.reasons),
                marking=str(r.marking),
                created_at=r.created_at.isoformat() if r.created_at else "",
                note=r.note,
                closed_by=r.closed_by,
                closed_at=r.closed_at.isoformat() if r.closed_at else "",
                can_close=r.status == "open" and (_is_operator(user) or r.owner in mine),
            )
        )
    return out


def list_reviews(
    session: Session,
    *,
    user: Principal,
    status: str | None = "open",
    actor: str | None = None,
) -> list[ReviewView]:
    """The review items the user may read: for the actors they belong to (the secretariat,
    who keep the watchlists, follow every owner's), newest alert first.

    Where an alert was found in several views (markings), the reader gets the item of the
    highest copy they may read, as the alerts list does."""
    require(user, REVIEW)
    if status is not None and status not in STATUSES:
        raise Invalid(
            _("status must be one of {choices}, not {value!r}").format(
                choices=", ".join(STATUSES), value=status
            )
        )
    q = restrict(select(WatchReview, Alert).join(Alert, Alert.id == WatchReview.alert_id), user)
    q = restrict(q, user, Alert)
    scope = _scope(session, user)
    if scope is not None:
        q = q.where(WatchReview.owner.in_(scope))
    if actor:
        q = q.where(WatchReview.owner == actor)
    best: dict[tuple[Any, ...], tuple[WatchReview, Alert]] = {}
    for r, a in session.execute(q.order_by(WatchReview.id)).all():
        k = (a.kind, a.category, a.actor, a.start, r.strategy, r.threat, r.owner)
        if k not in best or a.marking_level > best[k][1].marking_level:
            best[k] = (r, a)
    pairs = sorted(best.values(), key=lambda p: (p[1].start, p[1].score, p[0].id), reverse=True)
    return [v for v in _views(session, user, pairs) if status is None or v.status == status]


def close_review(session: Session, *, user: Principal, review_id: int, note: str) -> ReviewView:
    """A member of the owning actor closes the item with a note (kept and audited)."""
    require(user, REVIEW)
    if not 0 < review_id <= 2**63 - 1:
        raise NotFound(_("review item {id} not found").format(id=review_id))
    row = get_visible(session, user, WatchReview, review_id, _("review item"))
    scope = _scope(session, user)
    if scope is not None and row.owner not in scope:
        raise NotFound(_("review item {id} not found").format(id=review_id))
    if not (_is_operator(user) or row.owner in actors_of(session, user.user_id)):
        raise Forbidden(
            _("only a member of {owner} may close this review item").format(owner=row.owner)
        )
    note = note.strip()
    if not note:
        raise Invalid(_("a note is required to close a review item"))
    if len(note) > MAX_NOTE:
        raise Invalid(_("the note is longer than {most} characters").format(most=MAX_NOTE))
    if row.status == "closed":
        raise Conflict(_("review item {id} is already closed").format(id=review_id))
    row.status, row.note, row.closed_by = "closed", note, user.username
    row.closed_at = dt.datetime.now(dt.UTC)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="horizon.watch.review.close",
        object_type="watch-review",
        object_id=row.id,
        marking=row.marking,
        before={"status": "open"},
        after={"status": "closed", "note": note},
    )
    alert = session.get(Alert, row.alert_id)
    assert alert is not None
    views = _views(session, user, [(row, alert)])
    if not views:
        raise NotFound(_("review item {id} not found").format(id=review_id))
    return views[0]
