"""Page rendering: Jinja2 templates with the marking banner and the user in context."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from grandstrategy import __version__
from grandstrategy.core import formats, i18n, terms, worddiff
from grandstrategy.core.authz import Principal
from grandstrategy.core.i18n import lazy
from grandstrategy.core.markings import UNCLASSIFIED, Marking, combine
from grandstrategy.horizon.schemas import category_label
from grandstrategy.web.deps import csrf_token

NAV = [
    ("strategy", lazy("Strategy"), "/strategy"),
    ("horizon", lazy("Horizon"), "/horizon"),
    ("resilience", lazy("Resilience"), "/resilience"),
    ("delivery", lazy("Delivery"), "/delivery"),
    ("drafting", lazy("Drafting"), "/drafting"),
]


@cache
def env() -> Environment:
    e = Environment(
        loader=PackageLoader("grandstrategy.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.add_extension("jinja2.ext.i18n")
    e.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    e.globals["lang"] = i18n.current
    # Dates and numbers as the reader writes them: {{ d|date }}, {{ x|number(1) }}, …
    e.filters.update(formats.FILTERS)
    # A vocabulary value (a status, a kind, a rating) in the reader's language:
    # {{ term(o.status) }} or, where a value could belong to two, {{ term(v, "rating") }}.
    e.globals["term"] = terms.term
    # A threat category's name in the reader's language (its id stays in links and forms).
    e.globals["category_label"] = category_label
    # The words that changed between two values of a field: {{ word_runs(c.before, c.after) }}.
    e.globals["word_runs"] = worddiff.field_runs
    e.globals["compact_runs"] = worddiff.compact
    e.globals["languages"] = [
        ("en", "English"),
        ("fr", "Français"),
        ("nl", "Nederlands"),
        ("de", "Deutsch"),
    ]
    e.globals["version"] = __version__
    e.globals["nav"] = NAV
    return e


def page(
    request: Request,
    template: str,
    *,
    user: Principal | None,
    markings: list[Marking] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page; its banner shows the highest marking of what it contains."""
    marking = combine(markings or [UNCLASSIFIED])
    html = (
        env()
        .get_template(template)
        .render(
            request=request,
            user=user,
            marking=marking,
            csrf=csrf_token(request),
            flash=request.query_params.get("flash", ""),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)


def render_error(request: Request, status: int, message: str, details: list[str]) -> HTMLResponse:
    titles = {
        403: i18n.gettext("Not allowed"),
        404: i18n.gettext("Not found"),
        422: i18n.gettext("Not valid"),
        429: i18n.gettext("Too many attempts"),
        409: i18n.gettext("Conflict"),
        413: i18n.gettext("Too large"),
        500: i18n.gettext("Error"),
    }
    return page(
        request,
        "error.html",
        user=getattr(request.state, "user", None),
        status_code=status,
        status=status,
        title=titles.get(status, i18n.gettext("Error")),
        message=message,
        details=details,
    )
