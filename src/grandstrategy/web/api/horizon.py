"""JSON API over the foresight service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Body, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import schemas, service
from grandstrategy.web.deps import api_user, get_session, needs, settings_of

router = APIRouter(prefix="/api/horizon", tags=["horizon"])


@router.get("/documents", **needs("horizon.read"))
def list_documents(
    category: str | None = None,
    actor: str | None = None,
    language: str | None = None,
    source: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The inbox: newest documents with categories and actors."""
    docs, total = service.list_documents(
        session,
        user=user,
        category=category,
        actor=actor,
        language=language,
        source=source,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "documents": [d.__dict__ for d in docs]}


@router.post("/documents", status_code=201, **needs("horizon.ingest"))
async def upload(
    request: Request,
    file: UploadFile = File(...),
    source: str = Form("upload"),
    marking: str | None = Form(None),
    format: str = Form("auto"),
    user: Principal = Depends(api_user),
) -> dict[str, Any]:
    """Upload one file (any supported format); same checks as the command line."""
    if format not in service.INGEST_FORMATS:
        raise Invalid(
            f"unknown format {format!r}; choose one of {', '.join(service.INGEST_FORMATS)}"
        )
    settings = settings_of(request)
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise Invalid(f"file too large (limit {limit} bytes)")
    name = file.filename or "upload"
    # Reading (PDF, HTML) and ingestion block: run them off the event loop.
    report = await run_in_threadpool(
        service.ingest_upload,
        request.app.state.factory,
        user=user,
        settings=settings,
        name=name,
        data=data,
        fmt=format,
        source=source,
        marking=marking,
    )
    if report.failed and not report.ingested and not report.duplicates:
        # Nothing was created: a 201 would tell the client that the upload worked.
        raise Invalid(
            f"nothing could be read from {name}",
            details=[f"{origin}: {why}" for origin, why in report.failed],
        )
    return {
        "ingested": report.ingested,
        "duplicates": report.duplicates,
        "failed": report.failed,
        "document_ids": report.document_ids,
    }


@router.get("/vectors", **needs("horizon.read"))
def vector_queue(
    request: Request, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """The semantic-vector queue as the reader sees it: passages they may see that wait for
    their vector (keyword search and rule/model labels do not wait), whether vectors are in
    use, and whether this server fills them in the background."""
    settings = settings_of(request)
    st = service.vector_status(session, user=user, enabled=settings.embeddings)
    return {
        "waiting": st.waiting,
        "enabled": st.enabled,
        "background": service.background_vectors(settings),
    }


@router.get("/documents/{doc_id}", **needs("horizon.read"))
def get_document(
    doc_id: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """A document with passages, labels (with matched terms), verdicts and actors."""
    view = service.get_document(session, user=user, doc_id=doc_id)
    return {
        **view.__dict__,
        "summary": view.summary.__dict__,
        "passages": [p.__dict__ for p in view.passages],
    }


@router.get("/passages/{passage_id}/explain", **needs("horizon.read"))
def explain(
    passage_id: int, user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[dict[str, Any]]:
    """Why each category applies: matched terms, model features, similar examples."""
    return service.explain_passage(session, user=user, passage_id=passage_id)


@router.get("/search", **needs("horizon.read"))
def search_passages(
    request: Request,
    q: str = Query(..., min_length=1, max_length=500),
    category: str | None = None,
    actor: str | None = None,
    language: str | None = None,
    source: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Ranked passages with highlighted snippets, citations and facets."""
    filters = service.SearchFilters(category, actor, language, source, since, until)
    index = service.keyword_index_for(settings_of(request))
    r = service.search(
        session, user=user, query=q, filters=filters, limit=limit, offset=offset, index=index
    )
    return {
        "query": r.query,
        "total": r.total,
        "total_exact": r.total_exact,
        "facets_exact": r.facets_exact,
        "took_ms": round(r.took_ms, 1),
        "backend": r.backend,
        "marking": str(r.marking),
        "facets": r.facets,
        "hits": [{**h.__dict__, "citation": h.citation, "why": h.why(filters)} for h in r.hits],
    }


@router.post("/labels", status_code=201, **needs("horizon.label"))
def give_verdict(
    passage_id: int = Body(..., embed=True),
    category: str = Body(..., embed=True),
    verdict: str = Body("confirm", embed=True),
    note: str = Body("", embed=True),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, str]:
    """Confirm or reject a category on a passage."""
    service.give_verdict(
        session, user=user, passage_id=passage_id, category=category, verdict=verdict, note=note
    )
    return {"status": "recorded"}


@router.get("/taxonomy", **needs("horizon.read"))
def taxonomy(user: Principal = Depends(api_user)) -> dict[str, Any]:
    """The threat taxonomy with its rules."""
    return schemas.taxonomy().model_dump(mode="json")


@router.get("/stats", **needs("horizon.read"))
def stats(
    request: Request,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Counts within the user's clearance, and which engine answers keyword searches."""
    return service.stats(session, user=user, index=service.keyword_index_for(settings_of(request)))


@router.get("/export/stix", **needs("horizon.read"))
def export_stix(
    since: dt.date | None = None,
    category: str | None = None,
    limit: int = Query(10_000, ge=1, le=100_000),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> JSONResponse:
    """A STIX 2.1 bundle of the documents you may see, with TLP and national markings.

    The response's ``X-Marking`` header carries the highest marking in the bundle."""
    data, marking = service.export_stix(
        session, user=user, since=since, category=category, limit=limit
    )
    return JSONResponse(
        data, media_type="application/stix+json;version=2.1", headers={"X-Marking": str(marking)}
    )
