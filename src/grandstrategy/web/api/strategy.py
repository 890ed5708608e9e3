"""JSON API over the strategy service."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.strategy import service
from grandstrategy.strategy.schemas import COMPONENTS, Package
from grandstrategy.web.deps import api_user, get_session, needs

router = APIRouter(prefix="/api/strategy", tags=["strategy"])
ComponentName = StrEnum("ComponentName", {c: c for c in COMPONENTS})  # type: ignore[misc]
KeyQ = Query(None, alias="strategy", description="Strategy id; default: the current one.")


@router.get("", **needs("strategy.read"))
def get_strategy(
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> service.StrategyRead:
    """The current strategy's metadata and version."""
    return service.get_strategy(session, user=user, key=key)


@router.patch("", **needs("strategy.edit"))
def update_strategy(
    changes: dict[str, Any] = Body(...),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Change the strategy's own fields (title, period, summary...)."""
    return service.update_meta(session, user=user, changes=changes, key=key).model_dump(mode="json")


@router.get("/all", **needs("strategy.read"))
def list_strategies(
    user: Principal = Depends(api_user), session: Session = Depends(get_session)
) -> list[service.StrategyRead]:
    """Every strategy the user may see (ours, partners', superseded)."""
    return service.list_strategies(session, user=user)


@router.post("/import", **needs("strategy.edit"))
def import_package(
    package: Package,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Import a whole package (the JSON form of the YAML package)."""
    report = service.import_package(session, user=user, package=package)
    return report.__dict__


@router.post("/import/package", **needs("strategy.edit"))
def import_zip(
    data: bytes = Body(..., media_type="application/zip"),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Import a zipped YAML package, as ``GET /api/strategy/export?format=yaml`` gives it."""
    report = service.import_package(session, user=user, package=service.read_package_zip(data))
    return report.__dict__


@router.get("/lint", **needs("strategy.read"))
def lint(
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Lint findings (errors and warnings), each with how to fix it."""
    findings = service.lint_strategy(session, user=user, key=key)
    return {"summary": service.lint_summary(findings), "findings": [f.__dict__ for f in findings]}


@router.get("/trace", **needs("strategy.read"))
def get_trace(
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """The traceability chain and its breaks."""
    return service.trace_json(service.trace_strategy(session, user=user, key=key))


@router.get("/history", **needs("strategy.read"))
def history(
    component: str | None = None,
    id: str | None = None,
    limit: int = Query(200, ge=1, le=5000),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[service.RevisionRead]:
    """Revisions, newest first."""
    s = service.current(session, user, key)
    return service.history(session, user=user, strategy=s, component=component, key=id, limit=limit)


@router.get("/diff", **needs("strategy.read"))
def diff(
    v1: int,
    v2: int | None = None,
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[service.RecordDiff]:
    """Field-level differences between two versions."""
    s = service.current(session, user, key)
    v2 = service.version_of(session, user=user, strategy=s) if v2 is None else v2
    return service.diff(session, user=user, strategy=s, v1=v1, v2=v2)


@router.get("/editions", **needs("strategy.read"))
def editions(
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[service.EditionRead]:
    """Frozen editions (approved, published, superseded)."""
    s = service.current(session, user, key)
    return service.editions(session, user=user, strategy=s)


@router.post("/freeze", **needs("strategy.publish"))
def freeze(
    status: str = Body(..., embed=True),
    note: str = Body("", embed=True),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> service.EditionRead:
    """Freeze the current version: status 'approved' (from draft) or 'published'."""
    s = service.current(session, user, key)
    return service.freeze(session, user=user, strategy=s, status=status, note=note)


@router.get("/export", **needs("strategy.export"))
def export(
    format: str = Query("json", description="yaml (zip), json, md, html, pdf, docx"),
    max_marking: str | None = Query(None, description="Leave out records above this."),
    lang: str | None = Query(
        None,
        description="Language of an edition (md, html, pdf, docx): en, fr, nl or de; default: "
        "the interface language. Texts not yet translated are given in English, marked [EN].",
        pattern="^(en|fr|nl|de)$",
    ),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> Response:
    """Download the strategy package or a typeset edition."""
    result = service.export(
        session, user=user, fmt=format, max_marking=max_marking, key=key, lang=lang
    )
    return Response(
        result.content,
        media_type=result.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{result.filename}"',
            "X-Marking": str(result.marking),
        },
    )


@router.get("/{component}", **needs("strategy.read"))
def list_records(
    component: ComponentName,
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Every record of a component that the user may see."""
    recs = service.list_records(session, user=user, component=component.value, key=key)
    return [r.model_dump(mode="json") for r in recs]


@router.post("/{component}", status_code=201, **needs("strategy.edit"))
def create_record(
    component: ComponentName,
    data: dict[str, Any] = Body(...),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Create a record; links must point to records that exist."""
    rec = service.create_record(session, user=user, component=component.value, data=data, key=key)
    return rec.model_dump(mode="json")


@router.get("/{component}/{rid}", **needs("strategy.read"))
def get_record(
    component: ComponentName,
    rid: str,
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """One record."""
    rec = service.get_record(session, user=user, component=component.value, rid=rid, key=key)
    return rec.model_dump(mode="json")


@router.patch("/{component}/{rid}", **needs("strategy.edit"))
def update_record(
    component: ComponentName,
    rid: str,
    changes: dict[str, Any] = Body(...),
    base_version: int | None = Query(None, description="Refuse if the strategy moved on."),
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Change some fields of a record."""
    rec = service.update_record(
        session,
        user=user,
        component=component.value,
        rid=rid,
        changes=changes,
        key=key,
        base_version=base_version,
    )
    return rec.model_dump(mode="json")


@router.delete("/{component}/{rid}", status_code=204, **needs("strategy.edit"))
def delete_record(
    component: ComponentName,
    rid: str,
    key: str | None = KeyQ,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> None:
    """Delete a record nothing links to any more."""
    service.delete_record(session, user=user, component=component.value, rid=rid, key=key)
