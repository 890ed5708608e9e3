"""The language switcher: a cookie for this browser, and the user's saved preference."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.i18n import LANGUAGES
from grandstrategy.core.users import set_language
from grandstrategy.web.deps import (
    LANG_COOKIE,
    cookie_args,
    get_session,
    optional_page_user,
    page_needs,
    safe_next,
)

router = APIRouter(include_in_schema=False)


@router.post("/language", **page_needs("public", csrf=True))
def choose_language(
    request: Request,
    lang: str = Form(..., max_length=8),
    next: str = Form("/"),
    user: Principal | None = Depends(optional_page_user),
    session: Session = Depends(get_session),
) -> Response:
    """Anyone may choose (the login page too); a logged-in user's choice is saved."""
    chosen = lang if lang in LANGUAGES else ""
    if user is not None:
        set_language(session, user=user, language=chosen)
        session.commit()
    response = RedirectResponse(safe_next(next), status_code=303)
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, **cookie_args(request))
    else:
        response.delete_cookie(LANG_COOKIE, path="/")
    return response
