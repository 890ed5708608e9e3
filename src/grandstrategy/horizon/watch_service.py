"""Watchlists in the database, and the two views they open: a threat's signals, a passage's trace.

* ``set_watch`` / ``get_watch`` / ``list_watches``: a threat's watchlist entries (one per
  marking, see ``watch_models``), the union a reader sees;
* ``threat_signals``: a threat's recent matching stories and alerts and the external
  assessments of its categories, all as the reader may see them;
* ``passage_trace``: the chain from a passage back to the budget — the watched threats it
  bears on, the interests they endanger, the objectives countering them (owner, deadline) and
  the capabilities delivering those (budget lines).

The strategy is read through its service only, as the reader sees it: a threat, objective or
capability the reader may not see is neither named nor counted. Stories, alerts and
assessments come from their own restricted services; a watchlist entry the reader may not
read adds nothing to their matches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, allowed, get_visible, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, combine
from grandstrategy.horizon.alerts import AlertView, list_alerts
from grandstrategy.horizon.analysis_models import Story, StoryMember
from grandstrategy.horizon.assessments import AssessmentView, list_assessments
from grandstrategy.horizon.entities import default_finder
from grandstrategy.horizon.models import Document, Feedback, Label, Mention, Passage
from grandstrategy.horizon.partners import region_labels, regions
from grandstrategy.horizon.story_service import StorySummary, list_stories
from grandstrategy.horizon.taxonomy import load_taxonomy
from grandstrategy.horizon.watch import Watchlist, check_length, clean_terms, resolve
from grandstrategy.horizon.watch_models import Watch
from grandstrategy.strategy import service as strategy_service
from grandstrategy.strategy.schemas import Package, Threat

WATCH = "horizon.watch"
READ = "horizon.read"
STORY_CHUNK = 100  # stories examined at a time, newest first, until enough match


# --- vocabularies -------------------------------------------------------------------------


def region_actors() -> dict[str, frozenset[str]]:
    """Region id -> the entity ids it stands for (``regions.yaml``)."""
    out: dict[str, set[str]] = {}
    for actor, region in regions().items():
        out.setdefault(region, set()).add(actor)
    return {r: frozenset(a) for r, a in out.items()}


def names() -> dict[str, str]:
    """Display names of actors, states and regions by id (English; ids are what is stored)."""
    out = {k: e.name for k, e in default_finder().entities().items()}
    out.update({r: label.get("en", r) for r, label in region_labels().items()})
    return out


def watchlist_of(rows: Iterable[Watch]) -> Watchlist:
    """The union of watchlist entries, with the regions its places may name."""
    w = Watchlist(regions=region_actors())
    for r in rows:
        w = w.union(
            Watchlist(
                frozenset(r.categories),
                frozenset(r.actors),
                frozenset(r.places),
                tuple(r.terms),
                w.regions,
            )
        )
    return w


# --- reading and setting watchlists ---------------------------------------------------------


@dataclass
class WatchEntry:
    id: int
    categories: list[str]
    actors: list[str]
    places: list[str]
    terms: list[str]
    marking: str
    updated_by: str
    updated_at: str


@dataclass
class WatchView:
    """A threat's watchlist as one reader sees it: their entries and the union of them."""

    strategy: str
    threat: str
    title: str
    category: str  # the threat's own category in the strategy
    marking: str  # the highest of the threat and the entries shown
    entries: list[WatchEntry] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def _threat(session: Session, user: Principal, threat: str, key: str | None) -> tuple[str, Threat]:
    """The strategy's id and the threat as the reader sees it (NotFound when hidden)."""
    meta = strategy_service.get_strategy(session, user=user, key=key).meta
    rec = strategy_service.get_record(
        session, user=user, component="threats", rid=threat, key=meta.id
    )
    assert isinstance(rec, Threat)
    return meta.id, rec


def _entries(session: Session, user: Principal, strategy: str, threat: str | None) -> list[Watch]:
    q = restrict(select(Watch).where(Watch.strategy == strategy), user)
    if threat is not None:
        q = q.where(Watch.threat == threat)
    return list(session.execute(q.order_by(Watch.marking_level, Watch.id)).scalars())


def _view(strategy: str, rec: Threat, rows: list[Watch], labels: dict[str, str]) -> WatchView:
    w = watchlist_of(rows)
    shown = set(w.actors) | set(w.places)
    return WatchView(
        strategy=strategy,
        threat=rec.id,
        title=rec.title,
        category=rec.category,
        marking=str(combine([Marking.parse(rec.marking), *(r.marking for r in rows)])),
        entries=[
            WatchEntry(
                r.id,
                list(r.categories),
                list(r.actors),
                list(r.places),
                list(r.terms),
                str(r.marking),
                r.updated_by,
                r.updated_at.isoformat() if r.updated_at else "",
            )
            for r in rows
        ],
        categories=sorted(w.categories),
        actors=sorted(w.actors),
        places=sorted(w.places),
        terms=list(w.terms),
        names={k: labels.get(k, k) for k in shown},
    )


def get_watch(
    session: Session, *, user: Principal, threat: str, strategy: str | None = None
) -> WatchView:
    """A threat's watchlist: the entries the reader may read, and their union."""
    require(user, READ)
    key, rec = _threat(session, user, threat, strategy)
    rows = _entries(session, user, key, rec.id)
    for r in rows:
        audit.record_read(session, user, r, "watch", r.id)
    return _view(key, rec, rows, names())


def list_watches(
    session: Session, *, user: Principal, strategy: str | None = None
) -> list[WatchView]:
    """Every threat the reader may see with a watchlist entry they may read, in strategy order."""
    require(user, READ)
    meta = strategy_service.get_strategy(session, user=user, key=strategy).meta
    rows = _entries(session, user, meta.id, None)
    by_threat: dict[str, list[Watch]] = {}
    for r in rows:
        by_threat.setdefault(r.threat, []).append(r)
    labels = names()
    out = []
    for rec in strategy_service.list_records(session, user=user, component="threats", key=meta.id):
        if rec.id in by_threat and isinstance(rec, Threat):
            out.append(_view(meta.id, rec, by_threat[rec.id], labels))
    return out


def set_watch(
    session: Session,
    *,
    user: Principal,
    threat: str,
    categories: Iterable[str] = (),
    actors: Iterable[str] = (),
    places: Iterable[str] = (),
    terms: Iterable[str] = (),
    marking: str | None = None,
    strategy: str | None = None,
) -> WatchView:
    """Set (replace) the threat's watchlist entry at one marking; nothing given clears it.

    The entry is marked at least as high as the threat (default: the threat's marking), and
    never above the user's own clearance. Entries at other markings are left as they are.
    Alerts already recorded that concern the threat open their review items at once."""
    require(user, WATCH)
    key, rec = _threat(session, user, threat, strategy)
    known = names()
    taxonomy = load_taxonomy().ids()
    cats = check_length(
        resolve(
            categories,
            dict(zip(taxonomy, taxonomy, strict=True)),
            _("unknown threat category {value!r} (see 'horizon taxonomy')"),
        ),
        _("categories"),
    )
    entities = default_finder().entities()
    acts = check_length(
        resolve(
            actors,
            {k: e.name for k, e in entities.items()},
            _("unknown actor {value!r}: use an id such as state:RU or org:nato, or its name"),
        ),
        _("actors"),
    )
    place_names = {k: e.name for k, e in entities.items() if k.startswith("state:")}
    place_names.update({r: label.get("en", r) for r, label in region_labels().items()})
    plcs = check_length(
        resolve(
            places,
            place_names,
            _(
                "unknown place {value!r}: use a region ({regions}) or a state such as state:RU"
            ).replace("{regions}", ", ".join(sorted(region_labels()))),
        ),
        _("places"),
    )
    words = check_length(clean_terms(terms), _("terms"))
    floor = Marking.parse(rec.marking)
    mark = Marking.parse(marking).join(floor) if marking else floor
    if not user.can_read(mark):
        raise Invalid(_("marking {marking} is above your clearance").format(marking=mark))
    row = session.execute(
        select(Watch).where(
            Watch.strategy == key,
            Watch.threat == rec.id,
            Watch.marking_level == mark.level,
            Watch.marking_compartments == mark.column_compartments,
        )
    ).scalar()
    before = _plain(row) if row is not None else None
    after = {"categories": cats, "actors": acts, "places": plcs, "terms": words}
    if not any(after.values()):
        if row is not None:
            audit.record(
                session,
                actor=user,
                action="horizon.watch.clear",
                object_type="watch",
                object_id=row.id,
                marking=mark,
                before=before,
            )
            session.delete(row)
            session.flush()
    else:
        if row is None:
            row = Watch(strategy=key, threat=rec.id, updated_by=user.username)
            row.marking = mark
            session.add(row)
        row.categories, row.actors, row.places, row.terms = cats, acts, plcs, words
        row.updated_by = user.username
        row.updated_at = dt.datetime.now(dt.UTC)
        session.flush()
        audit.record(
            session,
            actor=user,
            action="horizon.watch.set",
            object_type="watch",
            object_id=row.id,
            marking=mark,
            before=before,
            after={"strategy": key, "threat": rec.id, **after},
        )
        from grandstrategy.horizon import watch_reviews  # it reads watchlists through here

        watch_reviews.open_reviews(session, strategy=key, threat=rec.id)
    return _view(key, rec, _entries(session, user, key, rec.id), known)


def _plain(row: Watch) -> dict[str, Any]:
    return {
        "categories": list(row.categories),
        "actors": list(row.actors),
        "places": list(row.places),
        "terms": list(row.terms),
    }


# --- matching stories ---------------------------------------------------------------------


def story_reasons(
    session: Session, reader: Principal, watch: Watchlist, story_ids: Iterable[int]
) -> dict[int, list[str]]:
    """Story id -> why the watchlist matches it, for the stories among ``story_ids`` where it
    does: some report of the story the reader may read has a category, actor or place of the
    watchlist, or a passage with one of its terms."""
    ids = sorted(set(story_ids))
    if not ids or watch.empty:
        return {}
    members = session.execute(
        restrict(
            select(
                StoryMember.story_id,
                StoryMember.document_id,
                StoryMember.categories,
                StoryMember.actors,
            )
            .join(Story, Story.id == StoryMember.story_id)
            .where(StoryMember.story_id.in_(ids), Story.status == "active"),
            reader,
            StoryMember,
        )
    ).all()
    out: dict[int, list[str]] = {}
    unmatched: dict[int, int] = {}  # document -> story
    for sid, doc_id, categories, actors in members:
        why = watch.reasons(categories=categories, entities=actors)
        if why:
            out[sid] = sorted(set(out.get(sid, [])) | set(why))
        elif sid not in out:
            unmatched[doc_id] = sid
    if watch.terms and unmatched:
        q = restrict(
            select(Passage.document_id, Passage.text).where(
                Passage.document_id.in_(list(unmatched))
            ),
            reader,
            Passage,
        )
        for doc_id, text in session.execute(q.order_by(Passage.document_id, Passage.seq)):
            sid = unmatched[doc_id]
            hits = watch.terms_in(text)
            if hits:
                out[sid] = sorted(set(out.get(sid, [])) | {f"term:{t}" for t in hits})
    return out


# --- a threat's signals -------------------------------------------------------------------


@dataclass
class StoryMatch:
    story: StorySummary
    reasons: list[str]


@dataclass
class AlertMatch:
    alert: AlertView
    reasons: list[str]


@dataclass
class ThreatSignals:
    """What the horizon holds on one threat for one reader."""

    watch: WatchView
    stories: list[StoryMatch]
    alerts: list[AlertMatch]
    assessments: list[AssessmentView]
    assessments_differ: bool  # two issuers judge the threat's categories differently
    marking: str


def threat_signals(
    session: Session,
    *,
    user: Principal,
    threat: str,
    strategy: str | None = None,
    limit: int = 20,
) -> ThreatSignals:
    """The threat's watchlist, its most recent matching stories and alerts, and the
    external assessments of its categories (the threat's own and the watchlist's)."""
    view = get_watch(session, user=user, threat=threat, strategy=strategy)
    w = watchlist_of(_entries(session, user, view.strategy, view.threat))
    stories: list[StoryMatch] = []
    if not w.empty:
        summaries = list_stories(session, user=user, limit=100_000)
        for start in range(0, len(summaries), STORY_CHUNK):
            chunk = summaries[start : start + STORY_CHUNK]
            why = story_reasons(session, user, w, [s.id for s in chunk])
            stories += [StoryMatch(s, why[s.id]) for s in chunk if s.id in why]
            if len(stories) >= limit:
                break
    alerts: list[AlertMatch] = []
    if not w.empty:
        rows = list_alerts(session, user=user)
        by_story = story_reasons(session, user, w, {i for a in rows for i in a.stories})
        for a in rows:
            found_for = w.alert_reasons(a.category, a.actor)
            if not found_for:
                found_for = sorted({r for i in a.stories for r in by_story.get(i, [])})
            if found_for:
                alerts.append(AlertMatch(a, found_for))
    cats = {view.category, *view.categories}
    found = [a for a in list_assessments(session, user=user) if cats & set(a.threats)]
    latest: dict[str, AssessmentView] = {}
    for view_a in found:  # newest first: the first of each issuer is its latest
        latest.setdefault(view_a.issuer, view_a)
    differ = len({(v.confidence, v.judgement) for v in latest.values()}) > 1
    shown = [
        Marking.parse(view.marking),
        *(Marking.parse(s.story.marking) for s in stories[:limit]),
        *(Marking.parse(a.alert.marking) for a in alerts[:limit]),
        *(Marking.parse(a.marking) for a in found),
    ]
    return ThreatSignals(
        watch=view,
        stories=stories[:limit],
        alerts=alerts[:limit],
        assessments=found,
        assessments_differ=differ,
        marking=str(combine(shown)),
    )


# --- a passage's trace --------------------------------------------------------------------


@dataclass
class CapabilityTrace:
    id: str
    name: str
    budget: float | None  # the total of its budget lines
    currency: str
    lines: list[dict[str, Any]]  # year, amount, currency, source


@dataclass
class ObjectiveTrace:
    id: str
    title: str
    owner: str | None
    owner_name: str
    deadline: dt.date | None
    capabilities: list[CapabilityTrace]


@dataclass
class ThreatTrace:
    id: str
    title: str
    reasons: list[str]
    interests: list[tuple[str, str]]  # (id, title)
    objectives: list[ObjectiveTrace]


@dataclass
class PassageTrace:
    """A passage and the chain it bears on: watched threat → interests → objectives
    (owner, deadline) → capabilities (budget lines)."""

    passage_id: int
    document_id: int
    document_title: str
    seq: int
    start: int
    end: int
    text: str
    categories: list[str]
    actors: list[str]
    threats: list[ThreatTrace]
    strategy: str  # "" when the reader may not read the strategy, or there is none
    marking: str
    names: dict[str, str]


def _passage_signals(session: Session, p: Passage) -> tuple[list[str], list[str]]:
    """The passage's categories (labels, with the analysts' latest verdicts applied) and the
    actors it mentions."""
    cats = set(session.execute(select(Label.category).where(Label.passage_id == p.id)).scalars())
    for fb in session.execute(
        select(Feedback).where(Feedback.passage_id == p.id).order_by(Feedback.id)
    ).scalars():
        if fb.verdict == "confirm":
            cats.add(fb.category)
        else:
            cats.discard(fb.category)
    actors = set(
        session.execute(select(Mention.entity_id).where(Mention.passage_id == p.id)).scalars()
    )
    return sorted(cats), sorted(actors)


def _trace(pkg: Package, threat: Threat, reasons: list[str]) -> tuple[ThreatTrace, list[str]]:
    """The threat's chain in the reader's package, and the markings of what it names."""
    report = strategy_service.build_trace(pkg)
    objectives = pkg.by_id("objectives")
    capabilities = pkg.by_id("capabilities")
    interests = pkg.by_id("interests")
    markings = [threat.marking]
    seen_i: dict[str, str] = {}
    seen_o: dict[str, ObjectiveTrace] = {}
    for row in report.rows:
        if row.threat_id != threat.id:
            continue
        if row.interest_id and row.interest_id not in seen_i:
            seen_i[row.interest_id] = row.interest_title
            markings.append(interests[row.interest_id].marking)
        if row.objective_id is None:
            continue
        o = seen_o.get(row.objective_id)
        if o is None:
            rec = objectives[row.objective_id]
            markings.append(rec.marking)
            o = seen_o[row.objective_id] = ObjectiveTrace(
                row.objective_id, row.objective_title, row.owner_id, row.owner_name,
                rec.deadline, [],
            )  # fmt: skip
        if row.capability_id is not None and all(c.id != row.capability_id for c in o.capabilities):
            cap = capabilities[row.capability_id]
            markings.append(cap.marking)
            o.capabilities.append(
                CapabilityTrace(
                    cap.id,
                    cap.name,
                    row.budget,
                    row.currency,
                    [b.model_dump(mode="json") for b in cap.budget],
                )
            )
    trace = ThreatTrace(
        threat.id, threat.title, reasons, list(seen_i.items()), list(seen_o.values())
    )
    return trace, markings


def passage_trace(session: Session, *, user: Principal, passage_id: int) -> PassageTrace:
    """What a passage bears on in the strategy, as far as the reader may see it."""
    require(user, READ)
    if not 0 < passage_id <= 2**63 - 1:
        raise NotFound(_("passage {id} not found").format(id=passage_id))
    p = get_visible(session, user, Passage, passage_id, _("passage"))
    audit.record_read(session, user, p, "passage", passage_id)
    doc = session.get(Document, p.document_id)
    cats, actors = _passage_signals(session, p)
    threats: list[ThreatTrace] = []
    markings = [p.marking]
    key = ""
    if allowed(user, "strategy.read"):
        try:
            pkg = strategy_service.load_package(session, user=user)
        except NotFound:  # no strategy yet
            pkg = None
        if pkg is not None:
            key = pkg.strategy.id
            rows = _entries(session, user, key, None)
            by_threat: dict[str, list[Watch]] = {}
            for r in rows:
                by_threat.setdefault(r.threat, []).append(r)
            for t in pkg.threats:
                if t.id not in by_threat:
                    continue
                why = watchlist_of(by_threat[t.id]).reasons(
                    categories=cats, entities=actors, text=p.text
                )
                if why:
                    trace, shown = _trace(pkg, t, why)
                    threats.append(trace)
                    markings += [Marking.parse(m) for m in shown]
                    markings += [r.marking for r in by_threat[t.id]]
    labels = names()
    named = set(actors) | {r.split(":", 1)[1] for t in threats for r in t.reasons}
    return PassageTrace(
        passage_id=p.id,
        document_id=p.document_id,
        document_title=doc.title if doc else "",
        seq=p.seq,
        start=p.start,
        end=p.end,
        text=p.text,
        categories=cats,
        actors=actors,
        threats=threats,
        strategy=key,
        marking=str(combine(markings)),
        names={k: v for k, v in labels.items() if k in named},
    )
