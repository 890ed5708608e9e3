"""Refuse control characters in request text before any route sees it.

JSON bodies, form fields and query parameters are checked; a value holding a NUL byte or
another C0 control character (tab, line feed, carriage return and form feed are text) gets
422 naming the field and the character, and nothing is stored. File uploads (multipart) are
not checked here: their text goes through the ingest normaliser, which drops such characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from grandstrategy.core.i18n import _
from grandstrategy.core.text import first_refused
from grandstrategy.web.render import render_error
from grandstrategy.web.transactions import ASGIApp, Receive, Scope, Send, replay

CHECKED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(field path, text) for every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            path = f"{where}.{k}" if where else str(k)
            yield path, str(k)
            yield from _strings(v, path)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{where}[{i}]" if where else f"[{i}]")


def problems(pairs: Iterator[tuple[str, str]]) -> list[str]:
    out = []
    for where, text in pairs:
        bad = first_refused(text)
        if bad:
            out.append(
                _("{field}: holds the control character {char}; remove it").format(
                    field=where or _("(body)"), char=bad
                )
            )
    return out


class TextGuard:
    """See the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        found = problems(iter(parse_qsl(query, keep_blank_values=True)))
        kind = _content_type(scope)
        body = b""
        if not found and scope["method"] in CHECKED_METHODS and kind in _DECODERS:
            body = await _body(receive)
            found = problems(_DECODERS[kind](body))
            receive = replay(receive, body)
        if found:
            message = _("The request holds control characters; nothing was stored.")
            reply = (
                JSONResponse({"detail": message, "errors": found}, status_code=422)
                if scope["path"].startswith("/api/")
                else render_error(Request(scope), 422, message, found)
            )
            await reply(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _content_type(scope: Scope) -> str:
    for k, v in scope.get("headers", []):
        if k == b"content-type":
            return str(v.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _json(body: bytes) -> Iterator[tuple[str, str]]:
    try:
        value = json.loads(body)
    except ValueError:
        return iter(())  # the route names what is wrong with a body that is not JSON
    return _strings(value, "")


def _form(body: bytes) -> Iterator[tuple[str, str]]:
    return iter(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


_DECODERS = {"application/json": _json, "application/x-www-form-urlencoded": _form}


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
