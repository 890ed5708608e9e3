"""Request-scoped dependencies: the database session, the acting user, CSRF."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from grandstrategy.core import i18n
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.config import Settings
from grandstrategy.core.db import unit_of_work
from grandstrategy.core.errors import Forbidden, Unauthenticated
from grandstrategy.core.readlog import collect_reads
from grandstrategy.core.users import resolve_token

SESSION_COOKIE = "gs_session"
PRE_COOKIE = "gs_pre"
LANG_COOKIE = "gs_lang"


class LoginRequired(Exception):
    """Raised by page dependencies: the handler redirects to the login page."""


def safe_next(target: str, default: str = "/strategy") -> str:
    """Only local paths: never redirect a user off the site."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def request_language(request: Request) -> str | None:
    """The browser's choice: the switcher's cookie, else Accept-Language (None: no choice)."""
    return i18n.normalise(request.cookies.get(LANG_COOKIE)) or i18n.best_match(
        request.headers.get("accept-language")
    )


def settings_of(request: Request) -> Settings:
    s: Settings = request.app.state.settings
    return s


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request, rolled back when the handler fails. It is committed by
    ``web/transactions.py`` as the reply starts, before the client can see it; the commit
    here only covers what a reply that is already under way might still read."""
    with unit_of_work(request.app.state.factory) as session:
        request.state.gs_db_session = session  # transactions.SESSION_KEY
        yield session


def api_user(request: Request, session: Session = Depends(get_session)) -> Principal:
    """The API takes bearer tokens only (so it needs no CSRF protection)."""
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthenticated("send 'Authorization: Bearer TOKEN' (POST /api/auth/token)")
    user, _ = resolve_token(session, raw.strip(), kind="api")
    principal = Principal.of(user)
    collect_reads(session, principal, f"{request.method} {request.url.path}")
    return principal


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
    collect_reads(session, request.state.user, f"{request.method} {request.url.path}")
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
    """The client's address for throttling and audit.

    ``X-Forwarded-For`` is believed only when the peer is a configured trusted proxy
    (``trusted_proxies``); then the address is the right-most one not itself a trusted proxy,
    since everything left of it was written by the client and may be forged.
    """
    peer = request.client.host if request.client else "unknown"
    proxies = _networks(tuple(settings_of(request).trusted_proxies))
    if not proxies or not _is_in(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _is_in(hop, proxies):
            return hop[:64]
    return peer


@functools.cache
def _networks(items: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(i, strict=False) for i in items)


def _is_in(address: str, networks: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


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


def page_needs(action: str, *, csrf: bool = False) -> dict[str, Any]:
    """The action a page route requires, declared like :func:`needs` so the contract tests see it.

    Page routes are left out of OpenAPI, but the declaration still lives on the route
    (``openapi_extra["x-action"]``). ``public`` needs no login; anything else sends an
    anonymous visitor to the login page, and a user whose role lacks the action gets the 403
    page before the handler runs. ``csrf`` adds the form-token check for POST routes.
    """
    extra: dict[str, Any] = {"openapi_extra": {"x-action": action}}
    checks: list[Any] = []
    if action != "public":

        def gate(user: Principal = Depends(page_user)) -> None:
            if action != "authenticated":
                require(user, action)

        checks.append(Depends(gate))
    if csrf:
        checks.append(Depends(check_csrf))
    return {**extra, "dependencies": checks} if checks else extra
