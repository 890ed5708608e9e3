"""History, diffs and editions.

Every change set bumps ``Strategy.version``; every record it touches gets a revision holding
the record before and after (internal keys, see ``scope.py``), marked with the higher of the
two markings. The state at version V is, for each record, the ``after`` of its last revision
at or below V (absent if that revision is a delete). Diffs compare two such states field by
field. Freezing copies the current state into an edition.

A reader's version numbers count only the change sets they may see: version n is the n-th
change set holding at least one revision they may read. So a reader never learns, from a
number or a gap, that something above their clearance was edited. ``Strategy.version``
itself (every change set) is internal.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import memo
from grandstrategy.strategy.models import Edition, Revision, Strategy
from grandstrategy.strategy.records import LINKS, dump, full_package, meta_of
from grandstrategy.strategy.scope import View, display, matches

TRANSITIONS = {"approved": {"draft"}, "published": {"approved"}}


class FieldChange(BaseModel):
    field: str
    before: Any = None
    after: Any = None


class RevisionRead(BaseModel):
    version: int
    component: str
    key: str
    op: str
    actor: str
    at: dt.datetime
    marking: str
    changes: list[FieldChange]


class RecordDiff(BaseModel):
    component: str
    key: str
    label: str
    change: str  # added, removed, changed
    changes: list[FieldChange]


class EditionRead(BaseModel):
    version: int
    status: str
    note: str
    created_by: str
    created_at: dt.datetime
    marking: str


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    b, a = before or {}, after or {}
    return ",".join(sorted(k for k in {*b, *a} if b.get(k) != a.get(k)))


def _marking_of(data: dict[str, Any] | None) -> Marking:
    return Marking.parse(data.get("marking")) if data else Marking()


def bump(s: Strategy) -> int:
    s.version += 1
    return s.version


def touch(session: Session, s: Strategy, user: Principal, marking: Marking) -> int:
    """Start a change set: a new version; an edit of a frozen strategy (national or derived)
    reopens its draft.

    The reopening is revised at the edit's marking too, so that readers who cannot see the
    edit see no change set for it (the status itself is the strategy's, and reads draft).
    """
    version = bump(s)
    if s.status != "draft":
        before = dump(meta_of(s))
        s.status = "draft"
        revise(
            session, s, version, "strategy", s.key, "update", before, dump(meta_of(s)), user,
            at_least=marking,
        )  # fmt: skip
    return version


def revise(
    session: Session,
    s: Strategy,
    version: int,
    component: str,
    key: str,
    op: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    user: Principal,
    at_least: Marking | None = None,
) -> None:
    """Append one revision; ``at_least`` raises its marking (a side effect of a hidden edit)."""
    rev = Revision(
        strategy_id=s.id,
        version=version,
        component=component,
        key=key,
        op=op,
        before=before,
        after=after,
        actor=user.username,
        fields=changed_fields(before, after) if op == "update" else "",
    )
    rev.marking = _marking_of(before).join(_marking_of(after)).join(at_least or Marking())
    session.add(rev)


def _seen(
    session: Session, strategy: Strategy, user: Principal, view: View | None = None
) -> list[tuple[int, int, str, str, bool]]:
    """(id, version, component, key, makes a version) of each revision the user may see,
    read once per strategy version and reader's view (``memo``): every page counts the
    reader's version from it, and it reads every revision of the strategy."""
    key = ("seen", memo.fingerprint(session, strategy), memo.view_of(user))
    return list(memo.cached(key, lambda: _read_seen(session, strategy, user, view)))


def _read_seen(
    session: Session, strategy: Strategy, user: Principal, view: View | None = None
) -> list[tuple[int, int, str, str, bool]]:
    """(id, version, component, key, makes a version) of each revision the user may see.

    A revision is seen only if the user may read its marking and, for an update, it changes
    something they see: adding a link to a hidden record to a visible one is a hidden edit.
    A change of status alone (freezing, or the reopening a later edit causes) is seen but
    makes no new version of the content. Only updates that change links alone are read in
    full, to check them against the reader's view.
    """
    cols = (Revision.id, Revision.version, Revision.component, Revision.key, Revision.op)
    q = restrict(select(*cols, Revision.fields), user, Revision)
    q = q.where(Revision.strategy_id == strategy.id).order_by(Revision.version, Revision.id)
    out: list[tuple[int, int, str, str, bool]] = []
    doubtful: dict[int, int] = {}
    for rid, version, comp, key, op, fields in session.execute(q):
        changed = set(fields.split(",")) - {""}
        if op != "update":
            out.append((rid, version, comp, key, True))
        elif comp == "strategy" and changed:
            out.append((rid, version, comp, key, changed != {"status"}))
        elif changed - set(LINKS.get(comp, {})):
            out.append((rid, version, comp, key, True))
        else:
            doubtful[rid] = len(out)
            out.append((rid, version, comp, key, False))
    if doubtful:
        view = view or View(session, strategy, user)
        keep = {
            r.id
            for r in _by_ids(session, list(doubtful))
            if field_changes(
                _shown(view, r.component, r.before), _shown(view, r.component, r.after)
            )
        }
        out = [
            (i, v, c, k, True) if i in keep else (i, v, c, k, m)
            for i, v, c, k, m in out
            if i not in doubtful or i in keep
        ]
    return out


def _by_ids(session: Session, ids: list[int]) -> list[Revision]:
    """Revisions by id, fetched in chunks (databases bound the parameters of one query)."""
    out: list[Revision] = []
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        out += session.execute(select(Revision).where(Revision.id.in_(chunk))).scalars()
    return out


def visible_versions(session: Session, strategy: Strategy, user: Principal) -> list[int]:
    """The change sets (internal version numbers) holding a change the user may see."""
    return sorted({v for _i, v, _c, _k, counts in _seen(session, strategy, user) if counts})


def local_version(
    session: Session, strategy: Strategy, user: Principal, version: int | None = None
) -> int:
    """The user's number for an internal version (default: the current one)."""
    upto = strategy.version if version is None else version
    return sum(1 for v in visible_versions(session, strategy, user) if v <= upto)


def internal_version(session: Session, strategy: Strategy, user: Principal, local: int) -> int:
    """The internal version the user's version number ``local`` stands for."""
    seen = visible_versions(session, strategy, user)
    if local < 0 or local > len(seen):
        raise NotFound(f"version {local} not found; versions run from 1 to {len(seen)}")
    return 0 if local == 0 else seen[local - 1]


def _shown(view: View, component: str, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A revision's data as the reader sees it: display ids, no links they cannot see now."""
    if data is None or component == "strategy":
        return data
    return view.present(component, data, LINKS)


def field_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    b, a = before or {}, after or {}
    out = []
    for name in list(dict.fromkeys([*b, *a])):
        if b.get(name) != a.get(name):
            out.append(FieldChange(field=name, before=b.get(name), after=a.get(name)))
    return out


def history(
    session: Session,
    *,
    user: Principal,
    strategy: Strategy,
    component: str | None = None,
    key: str | None = None,
    limit: int = 500,
) -> list[RevisionRead]:
    """Revisions newest first, only those whose marking the user may read.

    ``key`` is a display id: the history of every record by that id the user may see.
    """
    require(user, "strategy.read")
    view = View.kept(session, strategy, user)
    seen = _seen(session, strategy, user, view)
    counted = sorted({v for _i, v, _c, _k, counts in seen if counts})
    wanted = [
        i
        for i, _v, comp, k, _m in reversed(seen)
        if not (component and comp != component) and not (key and not matches(k, key))
    ][:limit]
    if key and not wanted:  # the same answer for an unknown id and a hidden one
        where = f"{component}/{key}" if component else key
        raise NotFound(_("no record {where!r} in the history you may see").format(where=where))
    revisions = {r.id: r for r in _by_ids(session, wanted)}
    out = []
    for r in (revisions[i] for i in wanted):
        changes = field_changes(
            _shown(view, r.component, r.before), _shown(view, r.component, r.after)
        )
        out.append(
            RevisionRead(
                version=bisect_right(counted, r.version),
                component=r.component,
                key=display(r.key),
                op=r.op,
                actor=r.actor,
                at=r.at,
                marking=str(r.marking),
                changes=changes,
            )
        )
    return out


def state_at(session: Session, strategy: Strategy, version: int) -> dict[tuple[str, str], Any]:
    """(component, key) → record data as it stood at ``version`` (all markings)."""
    q = (
        select(Revision)
        .where(Revision.strategy_id == strategy.id, Revision.version <= version)
        .order_by(Revision.version, Revision.id)
    )
    state: dict[tuple[str, str], Any] = {}
    for r in session.execute(q).scalars():
        if r.op == "delete":
            state.pop((r.component, r.key), None)
        else:
            state[(r.component, r.key)] = r.after
    return state


def _label(data: dict[str, Any]) -> str:
    return str(data.get("title") or data.get("name") or data.get("id") or "")


def diff(
    session: Session, *, user: Principal, strategy: Strategy, v1: int, v2: int
) -> list[RecordDiff]:
    """What changed between two of the user's versions, for the records they may read."""
    require(user, "strategy.read")
    g1, g2 = (internal_version(session, strategy, user, v) for v in (v1, v2))
    a, b = state_at(session, strategy, g1), state_at(session, strategy, g2)
    view = View.kept(session, strategy, user)
    out = []
    for ck in list(dict.fromkeys([*a, *b])):
        if not user.can_read(_marking_of(a.get(ck)).join(_marking_of(b.get(ck)))):
            continue
        before, after = _shown(view, ck[0], a.get(ck)), _shown(view, ck[0], b.get(ck))
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "changed"
        out.append(
            RecordDiff(
                component=ck[0],
                key=display(ck[1]),
                label=_label(after or before or {}),
                change=change,
                changes=field_changes(before, after),
            )
        )
    return out


def freeze(
    session: Session,
    *,
    user: Principal,
    strategy: Strategy,
    status: str,
    note: str = "",
    action: str = "strategy.publish",
    decided_at: dt.datetime | None = None,
) -> EditionRead:
    """Freeze the current version as an approved or published edition.

    A draft is approved, an approved version is published; publishing supersedes earlier
    published editions. Any later edit reopens the strategy as a draft. ``action`` is what
    the caller must be allowed: the Council's approval in drafting uses ``drafting.approve``.
    ``decided_at`` dates an edition decided earlier than it is recorded (the example's first
    approval); by default it is now.
    """
    require(user, action)
    if status not in TRANSITIONS:
        raise Invalid(f"status must be one of {', '.join(TRANSITIONS)}")
    if strategy.status not in TRANSITIONS[status]:
        raise Invalid(
            f"cannot make a {strategy.status} strategy {status}; "
            f"it must be {' or '.join(sorted(TRANSITIONS[status]))} first"
        )
    if status == "published":
        for old in session.execute(
            select(Edition).where(Edition.strategy_id == strategy.id, Edition.status == "published")
        ).scalars():
            old.status = "superseded"
    before = dump(meta_of(strategy))
    strategy.status = status
    pkg = full_package(session, strategy)
    ed = Edition(
        strategy_id=strategy.id,
        version=strategy.version,
        status=status,
        note=note,
        snapshot=pkg.model_dump(mode="json"),
        created_by=user.username,
    )
    if decided_at is not None:
        ed.created_at = decided_at
    ed.marking = pkg.highest_marking()
    session.add(ed)
    revise(
        session,
        strategy,
        strategy.version,
        "strategy",
        strategy.key,
        "update",
        before,
        dump(meta_of(strategy)),
        user,
    )
    session.flush()
    audit.record(
        session,
        actor=user,
        action=f"strategy.{status}",
        object_type="strategy",
        object_id=display(strategy.key),
        marking=ed.marking,
        before=before,
        after={"status": status, "version": ed.version, "note": note},
    )
    return EditionRead(
        version=local_version(session, strategy, user, ed.version),
        status=ed.status,
        note=note,
        created_by=user.username,
        created_at=ed.created_at,
        marking=str(ed.marking),
    )


def editions(session: Session, *, user: Principal, strategy: Strategy) -> list[EditionRead]:
    require(user, "strategy.read")
    q = restrict(select(Edition).where(Edition.strategy_id == strategy.id), user)
    q = q.options(defer(Edition.snapshot))  # the whole strategy, not needed for the list
    counted = visible_versions(session, strategy, user)
    return [
        EditionRead(
            version=bisect_right(counted, e.version),
            status=e.status,
            note=e.note,
            created_by=e.created_by,
            created_at=e.created_at,
            marking=str(e.marking),
        )
        for e in session.execute(q.order_by(Edition.id)).scalars()
    ]
