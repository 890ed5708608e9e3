"""The stocktake pack for the Council: every objective the reader may see (capped at a chosen
marking), the red and amber-red ones first, and what changed since the last pack.

Issuing a pack stores what each objective stood at, marked with the highest marking of what
the pack holds, so the next pack can say what moved. "Since the last pack" compares only the
objectives in the new pack, with the newest earlier pack the reader may see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grandstrategy.core import audit, formats
from grandstrategy.core.authz import Principal, require, restrict
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import UNCLASSIFIED, Marking, combine
from grandstrategy.core.terms import term
from grandstrategy.delivery import render
from grandstrategy.delivery.access import READ, plan, today
from grandstrategy.delivery.dashboard import dashboard
from grandstrategy.delivery.models import Pack
from grandstrategy.delivery.schemas import DashboardRow

ORDER = {"red": 0, "amber-red": 1, "amber-green": 2, "green": 3, None: 4}
TRACKED = ("rating", "owner_status", "trajectory", "overdue")
# The vocabulary each tracked field's values are read in (core/terms.py).
VOCABULARY = {"rating": "rating", "owner_status": "checkin-status", "trajectory": "trajectory"}


def capped(rows: list[DashboardRow], max_marking: str | None) -> tuple[list[DashboardRow], int]:
    """The rows at or below ``max_marking`` and how many were left out."""
    if not max_marking:
        return rows, 0
    cap = Marking.parse(max_marking)  # an unknown level is Invalid, naming the known ones
    kept = [r for r in rows if Marking.parse(r.marking) <= cap]
    return kept, len(rows) - len(kept)


def _snapshot(r: DashboardRow) -> dict[str, Any]:
    state = {k: str(getattr(r, k) or "") for k in TRACKED if k != "overdue"}
    return {"objective": r.objective, "title": r.title, "overdue": r.overdue, **state}


def changes(
    previous: list[dict[str, Any]] | None, rows: list[DashboardRow]
) -> list[tuple[str, str, str, str]]:
    """(objective, field, before, after) for what moved since ``previous``; new objectives
    show as field ``added``."""
    if previous is None:
        return []
    before = {p["objective"]: p for p in previous}
    out = []
    for r in rows:
        now = _snapshot(r)
        old = before.get(r.objective)
        if old is None:
            out.append((r.objective, "added", "", ""))
            continue
        out.extend(
            (r.objective, k, str(old.get(k, "")), str(now[k]))
            for k in TRACKED
            if str(old.get(k, "")) != str(now[k])
        )
    return out


def _word(value: object, vocabulary: str) -> str:
    """A stored vocabulary value in the reader's words; a dash when there is none."""
    return term(value, vocabulary) if value not in (None, "") else formats.MISSING


def _field(name: str) -> str:
    """A tracked field's name as the reader says it."""
    return {
        "rating": _("rating"),
        "owner_status": _("owner status"),
        "trajectory": _("trajectory"),
        "overdue": _("overdue"),
        "added": _("added"),
    }.get(name, name)


def _moved(m: tuple[str, str, str, str]) -> list[str]:
    """A row of the changes table in the reader's words (the stored ids stay in the pack)."""
    objective, field, before, after = m
    if field == "overdue":
        return [objective, _field(field), *(_("yes") if v == "True" else _("no")
                                           for v in (before, after))]  # fmt: skip
    if field in VOCABULARY:
        before, after = _word(before, VOCABULARY[field]), _word(after, VOCABULARY[field])
    return [objective, _field(field), before, after]


def _lines(
    title: str,
    on: dt.date,
    rows: list[DashboardRow],
    moved: list[tuple[str, str, str, str]],
    last: dt.date | None,
    withheld: int,
) -> list[str]:
    lines = [
        "# " + _("Stocktake pack: {title}").format(title=title),
        "",
        _("As of {day}.").format(day=formats.date(on)),
        "",
    ]
    if withheld:
        lines += [_("{n} objective(s) above this pack's marking are not included.").format(
            n=withheld), ""]  # fmt: skip
    urgent = [r for r in rows if r.rating in ("red", "amber-red")]
    lines += ["## " + _("Red and amber-red objectives"), ""]
    if urgent:
        for r in urgent:
            lines += [f"### {r.title} ({_word(r.rating, 'rating')})", "",
                      _("Owner: {owner} · owner status: {status} · trajectory: {trajectory} · "
                        "deadline: {deadline}").format(
                          owner=r.owner or formats.MISSING,
                          status=_word(r.owner_status, "checkin-status"),
                          trajectory=_word(r.trajectory, "trajectory"),
                          deadline=formats.date(r.deadline)), ""]  # fmt: skip
            if r.reason:
                lines += [_("Secretariat: {reason}").format(reason=r.reason), ""]
            if r.disagreement:
                lines += [_("**The owner and the secretariat disagree.**"), ""]
    else:
        lines += [_("None."), ""]
    lines += ["## " + _("What changed since the last pack"), ""]
    if last is None:
        lines += [_("This is the first stocktake: there is no earlier pack to compare with."), ""]
    elif not moved:
        lines += [_("Nothing changed since the pack of {day}.").format(day=formats.date(last)), ""]
    else:
        lines += [_("Since the pack of {day}:").format(day=formats.date(last)), ""]
        lines += render.table([_("objective"), _("what"), _("before"), _("now")],
                              [_moved(m) for m in moved])  # fmt: skip
    lines += ["## " + _("All objectives"), ""]
    lines += render.table(
        [_("objective"), _("owner"), _("owner status"), _("rating"), _("trajectory"),
         _("deadline"), _("overdue")],
        [[r.title, r.owner, _word(r.owner_status, "checkin-status"), _word(r.rating, "rating"),
          _word(r.trajectory, "trajectory"), formats.date(r.deadline, "medium"),
          _("yes") if r.overdue else ""] for r in rows],
    )  # fmt: skip
    return lines


def stocktake(
    session: Session,
    *,
    user: Principal,
    fmt: str = "md",
    max_marking: str | None = None,
    on: dt.date | None = None,
) -> render.Output:
    """Issue the stocktake pack: render it and remember what it said (audited)."""
    require(user, READ)
    render.check_format(fmt)
    on = on or today()
    p = plan(session, user)
    rows, withheld = capped(dashboard(session, user=user, on=on), max_marking)
    rows.sort(key=lambda r: ORDER.get(r.rating.value if r.rating else None, 4))
    marking = combine([UNCLASSIFIED, *(Marking.parse(r.marking) for r in rows)])
    last = session.execute(
        restrict(select(Pack), user).where(Pack.strategy_key == p.key).order_by(Pack.id.desc())
    ).scalar()
    moved = changes(last.rows if last else None, rows)
    out = render.output(
        _lines(p.title, on, rows, moved, last.as_of if last else None, withheld),
        marking, fmt, f"stocktake-{on.isoformat()}", _("Stocktake pack"),
    )  # fmt: skip
    pack = Pack(strategy_key=p.key, as_of=on, rows=[_snapshot(r) for r in rows],
                created_by=user.username)  # fmt: skip
    pack.marking = marking
    session.add(pack)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="delivery.pack",
        object_type="pack",
        object_id=pack.id,
        marking=marking,
        after={"format": fmt, "max_marking": max_marking, "objectives": len(rows),
               "withheld": withheld, "changes": len(moved)},
    )  # fmt: skip
    return out
