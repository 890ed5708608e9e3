"""Request-scoped dependencies: the database session, the acting user, CSRF."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, require
from grandstrategy.core.config import Settings
from grandstrategy.core.errors import Forbidden, Unauthenticated
from grandstrategy.core.users import resolve_token

SESSION_COOKIE = "gs_session"
PRE_COOKIE = "gs_pre"


class LoginRequired(Exception):
    """Raised by page dependencies: the handler redirects to the login page."""


def settings_of(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler succeeds, else rolled back."""
    session: Session = request.app.state.factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def api_user(request: Request, session: Session = Depends(get_session)) -> Principal:
    """The API takes bearer tokens only (so it needs no CSRF protection)."""
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("send 'Authorization: Bearer TOKEN' (POST /api/auth/token)")
    user, _ = resolve_token(session, raw.strip(), kind="api")
    return Principal.of(user)


def optional_page_user(
    request: Request, session: Session = Depends(get_session)
) -> Principal | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        user, _ = resolve_token(session, raw, kind="web")
    except Unauthenticated:
        return None
    request.state.user = Principal.of(user)
    return request.state.user  # type: ignore[no-any-return]


def page_user(user: Principal | None = Depends(optional_page_user)) -> Principal:
    if user is None:
        raise LoginRequired()
    return user


def csrf_token(request: Request) -> str:
    """HMAC of the session cookie (or the pre-login cookie): forms carry it back."""
    secret = settings_of(request).ensure_secret().encode()
    basis = request.cookies.get(SESSION_COOKIE) or request.state.pre_token
    return hmac.new(secret, f"csrf:{basis}".encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """Every form POST must carry the token of the session that rendered it."""
    form = await request.form()
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, csrf_token(request)):
        raise Forbidden("the form's security token is missing or out of date; reload the page")


def ensure_pre_token(request: Request) -> str:
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    request.state.pre_token = token
    return token


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def cookie_args(request: Request) -> dict[str, Any]:
    secure = settings_of(request).https or request.url.scheme == "https"
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def needs(action: str) -> dict[str, Any]:
    """The action a route requires: checked before anything else, and published in OpenAPI.

    ``public`` needs no login, ``authenticated`` any valid token; anything else is an action
    from the registry, refused with 403 before the request body is even validated. The
    authorisation contract tests walk the routes by the ``x-action`` field.
    """
    extra: dict[str, Any] = {"openapi_extra": {"x-action": action}}
    if action == "public":
        return extra

    def gate(user: Principal = Depends(api_user)) -> None:
        if action != "authenticated":
            require(user, action)

    return {**extra, "dependencies": [Depends(gate)]}
