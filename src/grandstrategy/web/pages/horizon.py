"""Foresight pages: inbox, document, search, taxonomy, labelling queue, upload."""

from __future__ import annotations

import datetime as dt
import html

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from grandstrategy.core.authz import Principal, allowed, require
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import schemas, service
from grandstrategy.web.deps import get_session, page_needs, page_user, settings_of
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(prefix="/horizon", include_in_schema=False)


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """Escape the text and wrap each (start, end, css class) span in <mark>."""
    out, pos = [], 0
    for start, end, cls in sorted(set(spans)):
        if start < pos or end > len(text):
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="{cls}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return Markup("".join(out))  # noqa: S704 (every piece above is escaped)


@router.get("", **page_needs("horizon.read"))
def inbox(
    request: Request,
    category: str = "",
    actor: str = "",
    language: str = "",
    source: str = "",
    offset: int = 0,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    docs, total = service.list_documents(
        session,
        user=user,
        category=category or None,
        actor=actor or None,
        language=language or None,
        source=source or None,
        limit=50,
        offset=offset,
    )
    return page(
        request,
        "horizon/inbox.html",
        user=user,
        markings=[service.documents_marking(docs)],
        docs=docs,
        total=total,
        offset=offset,
        category=category,
        actor=actor,
        language=language,
        source=source,
        categories=schemas.category_ids(),
        can_ingest=allowed(user, "horizon.ingest"),
        levels=_levels(user),
        queue=service.vector_status(session, user=user, enabled=settings_of(request).embeddings),
        active="horizon",
    )


def _levels(user: Principal) -> list[str]:
    from grandstrategy.web.forms import levels_for

    return levels_for(user.clearance)


@router.post("/upload", **page_needs("horizon.ingest", csrf=True))
async def upload(request: Request, user: Principal = Depends(page_user)) -> Response:
    require(user, "horizon.ingest")
    form = await request.form()
    file = form.get("file")
    if file is None or isinstance(file, str):
        raise Invalid(_("choose a file to upload"))
    settings = settings_of(request)
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise Invalid(_("file too large (limit {limit} bytes)").format(limit=limit))
    # Reading (PDF, HTML) and ingestion block: run them off the event loop.
    report = await run_in_threadpool(
        service.ingest_upload,
        request.app.state.factory,
        user=user,
        settings=settings,
        name=file.filename or "upload",
        data=data,
        source=str(form.get("source") or "upload"),
        marking=str(form.get("marking") or "") or None,
    )
    msg = _("{ingested} ingested, {duplicates} duplicate(s)").format(
        ingested=report.ingested, duplicates=report.duplicates
    )
    if report.failed:
        failed = "; ".join(f"{o}: {r}" for o, r in report.failed)
        msg += "; " + _("failed: {failures}").format(failures=failed)
    target = f"/horizon/documents/{report.document_ids[0]}" if report.document_ids else "/horizon"
    return see_other(target, msg)  # file names and feed entries ("feed.xml#3") carry & and #


@router.get("/documents/{doc_id}", **page_needs("horizon.read"))
def document(
    request: Request,
    doc_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    view = service.get_document(session, user=user, doc_id=doc_id)
    shown = []
    for p in view.passages:
        spans = [(int(t[1]), int(t[2]), "term") for lb in p.labels for t in lb["terms"]]
        spans += [(s, e, "actor") for _id, _name, s, e in p.mentions]
        shown.append((p, highlight(p.text, spans)))
    return page(
        request,
        "horizon/document.html",
        user=user,
        markings=[Marking.parse(view.summary.marking)],
        view=view,
        passages=shown,
        categories=schemas.category_ids(),
        can_label=allowed(user, "horizon.label"),
        active="horizon",
    )


@router.get("/passages/{passage_id}/why", **page_needs("horizon.read"))
def why(
    request: Request,
    passage_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """Why this label: per category, the matched terms, model features and similar examples."""
    view = service.why_passage(session, user=user, passage_id=passage_id)
    return page(
        request,
        "horizon/why.html",
        user=user,
        markings=[Marking.parse(view.marking)],
        why=view,
        active="horizon",
    )


@router.post("/passages/{passage_id}/verdict", **page_needs("horizon.label", csrf=True))
async def verdict(
    request: Request,
    passage_id: int,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    doc_id = service.give_verdict(
        session,
        user=user,
        passage_id=passage_id,
        category=str(form.get("category", "")),
        verdict=str(form.get("verdict", "")),
        note=str(form.get("note", "")),
    )
    back = str(form.get("back") or f"/horizon/documents/{doc_id}")
    if not back.startswith("/") or back.startswith(("//", "/\\")):  # no other site
        back = "/horizon"
    return see_other(back, _("Recorded."), anchor=f"p{passage_id}")


@router.get("/search", **page_needs("horizon.read"))
def search_page(
    request: Request,
    q: str = "",
    category: str = "",
    actor: str = "",
    language: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    require(user, "horizon.read")
    result, error = None, ""
    filters = service.SearchFilters(
        category or None,
        actor or None,
        language or None,
        source or None,
        _date(since),
        _date(until),
    )
    if q.strip():
        try:
            index = service.keyword_index_for(settings_of(request))
            result = service.search(
                session, user=user, query=q, filters=filters, limit=30, index=index
            )
        except Invalid as exc:
            error = exc.message
    return page(
        request,
        "horizon/search.html",
        user=user,
        markings=[result.marking] if result else None,
        q=q,
        result=result,
        error=error,
        filters=filters,
        categories=schemas.category_ids(),
        active="horizon",
        args={
            "category": category,
            "actor": actor,
            "language": language,
            "source": source,
            "since": since,
            "until": until,
        },
    )


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise Invalid(_("{value!r} is not a date (YYYY-MM-DD)").format(value=value)) from None


@router.get("/taxonomy", **page_needs("horizon.read"))
def taxonomy_page(request: Request, user: Principal = Depends(page_user)) -> Response:
    require(user, "horizon.read")
    return page(
        request, "horizon/taxonomy.html", user=user, taxonomy=schemas.taxonomy(), active="horizon"
    )


@router.get("/label", **page_needs("horizon.label"))
def label_queue(
    request: Request,
    category: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    """Passages whose labels are least certain and have no verdict yet: review these first."""
    queue = service.review_queue(session, user=user, category=category or None)
    items = [
        (item, highlight(item.text, [(int(t[1]), int(t[2]), "term") for t in item.terms]))
        for item in queue
    ]
    return page(
        request,
        "horizon/label.html",
        user=user,
        markings=[item.marking for item in queue],
        items=items,
        category=category,
        categories=schemas.category_ids(),
        active="horizon",
    )
