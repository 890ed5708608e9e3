"""The redirect after a page action (303 See Other), with a message for the next page.

``render.page`` shows ``?flash=`` once at the top of the page it renders. Every page handler
builds that redirect here, so the message is always percent-encoded the same way: a French
or German message (é, ’), a name the user typed (``&``, ``#``, ``?``, ``+``, quotes) arrives
whole instead of cutting the query or breaking the Location header.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi.responses import RedirectResponse


def see_other(path: str, message: str = "", *, anchor: str = "") -> RedirectResponse:
    """303 to ``path`` on this site, with ``message`` as its flash and ``#anchor`` last.

    ``path`` may already hold a query string (the flash is then added with ``&``) and a
    ``#fragment`` (kept after the flash unless ``anchor`` replaces it). Parts of ``path`` that
    come from users are the caller's to quote; the message and the anchor are quoted here.
    """
    if not path.startswith("/") or path.startswith(("//", "/\\")):
        raise ValueError(f"see_other: {path!r} is not a path on this site")
    base, _, fragment = path.partition("#")
    url = base
    if message:
        url += ("&" if "?" in base else "?") + "flash=" + quote(message, safe="")
    if anchor:
        fragment = quote(anchor, safe="")
    if fragment:
        url += "#" + fragment
    return RedirectResponse(url, status_code=303)
