"""``create_app(settings)``: the FastAPI application (JSON API + pages)."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from grandstrategy import __version__
from grandstrategy.core import i18n
from grandstrategy.core.audit import open_keyring, request_id_var, use_keyring
from grandstrategy.core.config import Settings
from grandstrategy.core.db import make_engine, make_sessionmaker
from grandstrategy.core.errors import GrandStrategyError, Unauthenticated
from grandstrategy.horizon import service as horizon_service
from grandstrategy.web.api import auth as api_auth
from grandstrategy.web.api import delivery as api_delivery
from grandstrategy.web.api import drafting as api_drafting
from grandstrategy.web.api import horizon as api_horizon
from grandstrategy.web.api import horizon_analysis as api_horizon_analysis
from grandstrategy.web.api import horizon_watch as api_horizon_watch
from grandstrategy.web.api import resilience as api_resilience
from grandstrategy.web.api import strategy as api_strategy
from grandstrategy.web.api import strategy_derive as api_strategy_derive
from grandstrategy.web.api import system as api_system
from grandstrategy.web.deps import (
    PRE_COOKIE,
    LoginRequired,
    cookie_args,
    ensure_pre_token,
    page_needs,
    request_language,
)
from grandstrategy.web.pages import admin as pages_admin
from grandstrategy.web.pages import delivery as pages_delivery
from grandstrategy.web.pages import delivery_forms as pages_delivery_forms
from grandstrategy.web.pages import delivery_reviews as pages_delivery_reviews
from grandstrategy.web.pages import drafting as pages_drafting
from grandstrategy.web.pages import horizon as pages_horizon
from grandstrategy.web.pages import horizon_analysis as pages_horizon_analysis
from grandstrategy.web.pages import horizon_watch as pages_horizon_watch
from grandstrategy.web.pages import language as pages_language
from grandstrategy.web.pages import main as pages_main
from grandstrategy.web.pages import resilience as pages_resilience
from grandstrategy.web.pages import resilience_forms as pages_resilience_forms
from grandstrategy.web.pages import strategy as pages_strategy
from grandstrategy.web.pages import strategy_departmental as pages_strategy_departmental
from grandstrategy.web.render import render_error
from grandstrategy.web.textguard import TextGuard
from grandstrategy.web.transactions import RequestTransactions

log = logging.getLogger("grandstrategy.web")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


API_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>grandstrategy API</title>
<link rel="stylesheet" href="/static-api/swagger-ui.css">
<link rel="icon" href="/static-api/favicon-32x32.png"></head>
<body><div id="swagger-ui"></div>
<script src="/static-api/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script></body></html>
"""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


@asynccontextmanager
async def _background_jobs(app: FastAPI) -> AsyncIterator[None]:
    """The vector job (``horizon/vectors.py``) runs beside the server while it serves."""
    worker = None
    if horizon_service.background_vectors(app.state.settings):
        worker = horizon_service.VectorWorker(app.state.factory, app.state.engine)
        worker.start()
    try:
        yield
    finally:
        if worker is not None:
            worker.close()


def warm_up(app: FastAPI) -> None:
    """What the first requests after a start would otherwise load while their users wait
    (the encoder and the passage vectors, matplotlib). ``serve`` runs it in a thread; a
    failure is logged and leaves the server as it would be without it."""
    from grandstrategy import charts

    t0 = time.perf_counter()
    try:
        charts.warm_up()
        horizon_service.warm_up(app.state.factory, app.state.settings.embeddings)
    except Exception:  # warming is an optimisation: it never stops the server
        log.exception("warm-up failed; the first requests will load what they need")
        return
    log.info("warmed up in %.1f s", time.perf_counter() - t0)


def create_app(settings: Settings) -> FastAPI:
    settings.ensure_secret()
    use_keyring(open_keyring(settings.audit_key_path))  # signs the audit log (core/audit.py)
    engine = make_engine(settings.database_url)
    app = FastAPI(
        lifespan=_background_jobs,
        title="grandstrategy",
        version=__version__,
        description="National Security Strategy: strategy, foresight, resilience, delivery, "
        "drafting. Authenticate with POST /api/auth/token, then send the bearer token.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.factory = make_sessionmaker(engine)
    # Innermost middleware (added first): commits before the reply, write gate, reruns.
    app.add_middleware(RequestTransactions)
    app.add_middleware(TextGuard)  # control characters in request text: 422 before any route

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id", "")[:64] or secrets.token_hex(8)
        token = request_id_var.set(rid)
        i18n.set_language(request_language(request) or settings.language)
        had_pre = PRE_COOKIE in request.cookies
        pre = ensure_pre_token(request)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes:
            too_large = f"request too large (limit {settings.max_upload_bytes} bytes)"
            response: Response = (
                JSONResponse({"detail": too_large}, status_code=413)
                if _is_api(request)
                else render_error(
                    request,
                    413,
                    too_large,
                    ["Nothing was stored. Send a smaller file, or split it and send the parts."],
                )
            )
        else:
            try:
                response = await call_next(request)
            finally:
                request_id_var.reset(token)
        response.headers["X-Request-ID"] = rid
        if not request.url.path.startswith(("/static/", "/static-api/")):
            # Any reply may carry a classified record: never kept by browsers or proxies.
            response.headers.setdefault("Cache-Control", "no-store")
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if not had_pre and not _is_api(request):
            response.set_cookie(PRE_COOKIE, pre, **cookie_args(request))
        return response

    @app.exception_handler(GrandStrategyError)
    async def library_error(request: Request, exc: GrandStrategyError) -> Response:
        if _is_api(request):
            headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
            return JSONResponse(
                {"detail": exc.message, "errors": exc.details},
                status_code=exc.http_status,
                headers=headers,
            )
        if isinstance(exc, Unauthenticated):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return render_error(request, exc.http_status, exc.message, exc.details)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        if _is_api(request):
            return JSONResponse({"detail": "invalid request", "errors": details}, status_code=422)
        return render_error(request, 422, "The request is not valid.", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        message = "Page not found." if exc.status_code == 404 else str(exc.detail)
        return render_error(request, exc.status_code, message, [])

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if _is_api(request):
            return JSONResponse(
                {"detail": "internal error; the request id is in X-Request-ID"}, status_code=500
            )
        return render_error(request, 500, "Something went wrong on our side.", [])

    static_dir = resources.files("grandstrategy.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static_dir)), name="static")
    swagger_dir = resources.files("swagger_ui").joinpath("static")
    app.mount("/static-api", StaticFiles(directory=str(swagger_dir)), name="swagger")

    @app.get("/api/docs", include_in_schema=False, **page_needs("public"))
    def api_docs() -> Response:
        """Swagger UI 5 from the swagger-ui-py package (renders OpenAPI 3.1): no CDN, offline.

        The page loads our own boot script, so the strict Content-Security-Policy holds.
        """
        return HTMLResponse(API_DOCS_PAGE)

    app.include_router(api_system.router)
    app.include_router(api_auth.router)
    app.include_router(api_strategy_derive.router)  # first: /api/strategy/derived, /cascade
    app.include_router(api_strategy.router)
    app.include_router(api_horizon.router)
    app.include_router(api_horizon_analysis.router)
    app.include_router(api_horizon_watch.router)
    app.include_router(api_resilience.router)
    app.include_router(api_delivery.router)
    app.include_router(api_drafting.router)
    app.include_router(pages_main.router)
    app.include_router(pages_language.router)
    app.include_router(pages_admin.router)
    app.include_router(pages_strategy_departmental.router)  # first: /strategy/departmental
    app.include_router(pages_strategy.router)
    app.include_router(pages_horizon_analysis.router)  # first: /horizon/stories etc.
    app.include_router(pages_horizon_watch.router)  # first too: /horizon/passages/{id}
    app.include_router(pages_horizon.router)
    app.include_router(pages_resilience_forms.router)  # first: /scenarios/new before {name}
    app.include_router(pages_resilience.router)
    app.include_router(pages_delivery.router)
    app.include_router(pages_delivery_reviews.router)
    app.include_router(pages_delivery_forms.router)
    app.include_router(pages_drafting.router)
    return app
