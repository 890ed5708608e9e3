"""One database transaction per request, committed *before* the reply leaves.

FastAPI runs the teardown of ``yield`` dependencies after the response has been sent, so a
commit there lets a client see 201 for a row that is not stored yet (or never will be, when
the commit then fails). This ASGI middleware sits between the app's middleware and its
routes and:

- marks the request for the write gate (``core/db.py``): a request that may write (any
  method but GET, HEAD, OPTIONS) queues for the gate before it runs, as a coroutine;
- commits the request's session (``deps.get_session``) when the route starts its reply,
  before that first message is passed on; if the commit fails the client gets an error,
  never a success for data that was not stored;
- reruns a read-only request whose write (an audit read event) met a busy database, this
  time as a writer. When the database stays busy the answer is 503 with ``Retry-After``
  (nothing was stored), never a 500.

Logins are the one kind of POST that starts as a reader: checking a password is slow on
purpose (argon2), and holding the gate meanwhile would queue every writer behind each login.
What a login reads before it writes (the user, the recent failures) may be a moment old,
which is harmless; its small body is kept so that it can be rerun like a GET.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from grandstrategy.core.db import DatabaseBusy, RequestScope, gate_for, is_busy, request_scope
from grandstrategy.core.i18n import _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_KEY = "gs_db_session"  # where get_session leaves the request's session (request.state)
ATTEMPTS_SAFE = 3  # a read-only request: once as a reader, then as a writer
READ_FIRST_POSTS = frozenset({"/api/auth/token", "/login"})  # see the module docstring
MAX_KEPT_BODY = 64 * 1024


class RequestTransactions:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._limiter: anyio.CapacityLimiter | None = None

    def limiter(self) -> anyio.CapacityLimiter:
        # Commits get their own threads: the default pool may be full of requests that wait
        # for the very gate this commit is about to free.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(100)
        return self._limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        safe = scope["method"] in SAFE_METHODS
        body = b""
        if scope["method"] == "POST" and scope["path"] in READ_FIRST_POSTS:
            body, safe = await _kept_body(receive)
            receive = replay(receive, body, more=not safe)
        attempts = ATTEMPTS_SAFE if safe else 1
        for attempt in range(attempts):
            started: list[bool] = [False]
            try:
                await self._once(
                    scope, receive, send, writer=not safe or attempt > 0, started=started
                )
                return
            except Exception as exc:
                if started[0] or not is_busy(exc):
                    raise
                if attempt + 1 < attempts:
                    receive = replay(receive, body)
                    continue
        await _busy_reply(scope, receive, send)

    async def _once(
        self, scope: Scope, receive: Receive, send: Send, *, writer: bool, started: list[bool]
    ) -> None:
        state = scope.setdefault("state", {})
        state.pop(SESSION_KEY, None)
        db = RequestScope(writer=writer)
        try:
            with request_scope(db):
                if writer:
                    gate = gate_for(scope["app"].state.engine)
                    if not await gate.acquire():
                        raise DatabaseBusy("the database stayed busy")
                    db.held.append(gate)

                async def send_committed(message: Message) -> None:
                    if message["type"] == "http.response.start" and not started[0]:
                        session = state.get(SESSION_KEY)
                        if session is not None and session.in_transaction():
                            await anyio.to_thread.run_sync(session.commit, limiter=self.limiter())
                        db.release()
                        started[0] = True
                    await send(message)

                await self.app(scope, receive, send_committed)
        finally:
            db.release()


async def _kept_body(receive: Receive) -> tuple[bytes, bool]:
    """Read a small request's body: (what was read, whether it is all of it). A body over
    MAX_KEPT_BODY is not kept: what was read is handed on and the request runs as a writer."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_KEPT_BODY:
            return b"".join(chunks), False


def replay(receive: Receive, body: bytes, *, more: bool = False) -> Receive:
    """The body read so far, handed over once more, then whatever the client sends next."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return again


async def _busy_reply(scope: Scope, receive: Receive, send: Send) -> None:
    message = _("The database is busy; nothing was stored. Try again in a moment.")
    response: Response
    if scope["path"].startswith("/api/"):
        response = JSONResponse({"detail": message, "errors": []}, status_code=503)
    else:
        from grandstrategy.web.render import render_error

        response = render_error(Request(scope, receive), 503, message, [])
    response.headers["Retry-After"] = "1"
    await response(scope, receive, send)
