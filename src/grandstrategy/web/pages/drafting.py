"""Drafting pages: the cycle and its rounds, a round's draft beside the comment box, the
decision queue, word-level diffs between versions, reports and the launch pack."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, allowed
from grandstrategy.core.errors import Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.core.terms import term
from grandstrategy.core.validation import validated
from grandstrategy.drafting import service
from grandstrategy.drafting.schemas import (
    DISPOSITIONS,
    ORG_KINDS,
    ContributionCreate,
    ContributionRead,
    CycleRead,
    DecisionCreate,
    Moderation,
)
from grandstrategy.strategy.schemas import component_titles
from grandstrategy.web import forms
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/drafting", include_in_schema=False)
READ = "drafting.read"
TEXT_FIELDS = ("title", "name", "statement", "description", "vulnerability")


def _marks(items: list[Any]) -> list[Marking]:
    return [Marking.parse(x.marking) for x in items]


def _cycle(session: Session, user: Principal) -> CycleRead | None:
    try:
        return service.get_cycle(session, user=user)
    except NotFound:
        return None


def _compartments(user: Principal) -> list[str]:
    if "*" in user.compartments:
        return [c.name for c in scheme().compartments]
    return sorted(user.compartments)


@router.get("", **page_needs(READ))
def overview(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    cycle = _cycle(session, user)
    rounds = service.list_rounds(session, user=user, cycle=cycle.name if cycle else None)
    files = service.launch_files(session, user=user) if cycle else []
    return page(
        request,
        "drafting/overview.html",
        user=user,
        markings=_marks(rounds) + _marks(files) + ([Marking.parse(cycle.marking)] if cycle else []),
        active="drafting",
        cycle=cycle,
        rounds=rounds,
        files=files,
        queue=len(service.queue(session, user=user)) if cycle else 0,
    )


def _round_page(
    request: Request,
    session: Session,
    user: Principal,
    name: str,
    *,
    error: Invalid | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    rd = service.get_round(session, user=user, name=name)
    draft = service.draft(session, user=user, round=name)
    items = service.list_contributions(session, user=user, round=name)
    by_record: dict[str, list[ContributionRead]] = {}
    for c in items:
        by_record.setdefault(f"{c.component}/{c.record}", []).append(c)
    return page(
        request,
        "drafting/round.html",
        user=user,
        markings=[Marking.parse(rd.marking), *_marks(items)],
        status_code=error.http_status if error else 200,
        active="drafting",
        round=rd,
        draft=draft,
        by_record=by_record,
        items=items,
        can_contribute=allowed(user, "drafting.contribute") and rd.open,
        participant=user.role == "participant",
        org_kinds=ORG_KINDS,
        sections={c: t for c, t in component_titles().items() if c != "actors"},
        levels=forms.levels_for(user.clearance),
        compartments=_compartments(user),
        error=error,
        values=values or {},
    )


@router.get("/rounds/{name}", **page_needs(READ))
def round_page(
    request: Request,
    name: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return _round_page(request, session, user, name)


@router.post("/rounds/{name}/contribute", **page_needs("drafting.contribute", csrf=True))
async def contribute(
    request: Request,
    name: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    keys = ("record", "field", "quote", "text", "proposal", "organisation", "org_kind")
    values = {k: str(form.get(k) or "").strip() for k in keys}
    on = values["record"] + (f".{values['field']}" if values["field"] else "")
    if values["field"] and values["quote"]:
        on += f'="{values["quote"]}"'
    level = form.get("marking_level")
    try:
        data = validated(
            ContributionCreate,
            {
                "on": on,
                "text": values["text"],
                "proposal": values["proposal"] or None,
                "organisation": values["organisation"] or None,
                "org_kind": values["org_kind"] or None,
                "marking": forms.marking_from_form(form) if level else None,
            },
            _("the form is not valid"),
        )
        out = service.contribute(session, user=user, round=name, data=data)
    except Invalid as exc:
        session.rollback()
        return _round_page(request, session, user, name, error=exc, values=values)
    note = _("Thank you: contribution {n} recorded.").format(n=out.id)
    if out.status == "held":
        note += " " + _("It will appear once a moderator has read it.")
    return see_other(f"/drafting/rounds/{name}", note)


def _queue_page(
    request: Request, session: Session, user: Principal, *, error: Invalid | None = None
) -> Response:
    items = service.queue(session, user=user)
    return page(
        request,
        "drafting/queue.html",
        user=user,
        markings=_marks(items),
        status_code=error.http_status if error else 200,
        active="drafting",
        items=items,
        dispositions=DISPOSITIONS,
        error=error,
    )


@router.get("/queue", **page_needs(READ))
def queue(
    request: Request, user: Principal = Depends(page_user), session: Session = Depends(get_session)
) -> Response:
    return _queue_page(request, session, user)


@router.post("/contributions/{cid}/decide", **page_needs(READ, csrf=True))
async def decide(
    request: Request,
    cid: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    change = str(form.get("change_version") or "").strip()
    try:
        if change and not change.isdigit():
            raise Invalid(_("change version: {v!r} is not a whole number").format(v=change))
        data = validated(
            DecisionCreate,
            {
                "disposition": str(form.get("disposition") or ""),
                "reason": str(form.get("reason") or "").strip(),
                "apply": form.get("apply") == "on",
                "change_version": int(change) if change else None,
            },
            _("the decision is not valid"),
        )
        out = service.decide(session, user=user, cid=cid, data=data)
    except Invalid as exc:
        session.rollback()
        return _queue_page(request, session, user, error=exc)
    return see_other("/drafting/queue", _("Contribution {n}: {d}.").format(
        n=out.id, d=term(out.disposition, "disposition")))  # fmt: skip


@router.post("/contributions/{cid}/moderate", **page_needs(READ, csrf=True))
async def moderate(
    request: Request,
    cid: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    try:
        data = validated(
            Moderation,
            {"action": str(form.get("action") or ""), "reason": str(form.get("reason") or "")},
            _("the moderation is not valid"),
        )
        out = service.moderate(session, user=user, cid=cid, data=data)
    except Invalid as exc:
        session.rollback()
        return _queue_page(request, session, user, error=exc)
    return see_other("/drafting/queue", _("Contribution {n}: {s}.").format(
        n=out.id, s=term(out.status, "contribution-status")))  # fmt: skip


@router.get("/diff", **page_needs(READ))
def diff(
    request: Request,
    v1: int = Query(..., ge=0),
    v2: int = Query(..., ge=0),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    rows = service.word_diff(session, user=user, v1=v1, v2=v2)
    return page(request, "drafting/diff.html", user=user, active="drafting", rows=rows,
                v1=v1, v2=v2, markings=_marks(rows))  # fmt: skip


@router.get("/rounds/{name}/report", **page_needs(READ))
def report(
    request: Request,
    name: str,
    format: str = Query("pdf"),
    max_marking: str | None = Query(None),
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    rep = service.report(session, user=user, fmt=format, round=name, max_marking=max_marking)
    headers = {"Content-Disposition": f'attachment; filename="{rep.filename}"',
               "X-Marking": rep.marking}  # fmt: skip
    return Response(rep.content, media_type=rep.media_type, headers=headers)


@router.get("/launch/{filename:path}", **page_needs(READ))
def launch_file(
    request: Request,
    filename: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    content, media, marking = service.launch_file(session, user=user, name=filename)
    short = filename.rsplit("/", 1)[-1]
    headers = {"Content-Disposition": f'attachment; filename="{short}"', "X-Marking": marking}
    return Response(content, media_type=media, headers=headers)
