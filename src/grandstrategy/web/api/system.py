"""Health, the acting user, the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import text
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.auditkeys import Keyring
from grandstrategy.core.authz import Principal, registry, require
from grandstrategy.web.deps import api_user, get_session, needs, settings_of

router = APIRouter()


@router.get("/healthz", tags=["system"], **needs("public"))
def healthz(session: Session = Depends(get_session)) -> dict[str, str]:
    """Liveness and database reachability (no authentication)."""
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/api/me", tags=["system"], **needs("authenticated"))
def me(user: Principal = Depends(api_user)) -> dict[str, Any]:
    """Who the token belongs to, their role's actions and their clearance."""
    return {
        "username": user.username,
        "role": user.role,
        "clearance": user.clearance_name,
        "compartments": sorted(user.compartments),
        "actions": sorted(user.actions),
    }


@router.get("/api/roles", tags=["system"], **needs("authenticated"))
def roles(user: Principal = Depends(api_user)) -> dict[str, Any]:
    """The action registry and the roles (data from roles.yaml)."""
    reg = registry()
    return {
        "actions": reg.actions,
        "roles": {
            k: {"description": v.description, "actions": sorted(reg.role_actions(k))}
            for k, v in reg.roles.items()
        },
    }


@router.get("/api/audit", tags=["audit"], **needs("audit.read"))
def audit_list(
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int = Query(100, ge=1, le=5000),
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Audit entries, newest first (needs audit.read)."""
    events = audit.list_events(
        session, user=user, actor=actor, action=action, since=since, limit=limit
    )
    return [
        {
            "seq": e.seq,
            "at": e.at,
            "actor": e.actor,
            "request_id": e.request_id,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "marking": str(e.marking),
        }
        for e in events
    ]


@router.get("/api/audit/verify", tags=["audit"], **needs("audit.read"))
def audit_verify(
    request: Request,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Walk the hash chain and check every entry's MAC (needs audit.read)."""
    require(user, "audit.read")
    path = settings_of(request).audit_key_path
    # Read the key file afresh: a key rotated since this server started must verify too.
    ring = Keyring.load(path) if path.exists() else None
    v = audit.verify(session, keyring=ring)
    return {
        "ok": v.ok,
        "entries": v.entries,
        "first_bad_seq": v.first_bad_seq,
        "reason": v.reason,
        "signed": v.signed,
        "unsigned": v.unsigned,
    }
