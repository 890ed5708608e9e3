"""Login, logout, home, help and the audit page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, registry, require
from grandstrategy.core.errors import TooManyAttempts, Unauthenticated
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking, scheme
from grandstrategy.core.users import authenticate, issue_token, revoke_token
from grandstrategy.strategy.schemas import impact_labels, likelihood_labels, posture_poles
from grandstrategy.strategy.service import LINT_RULES
from grandstrategy.web.deps import (
    LANG_COOKIE,
    SESSION_COOKIE,
    client_address,
    cookie_args,
    get_session,
    optional_page_user,
    page_needs,
    page_user,
    safe_next,
    settings_of,
)
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(include_in_schema=False)


_safe_next = safe_next


@router.get("/", **page_needs("public"))
def home(user: Principal | None = Depends(optional_page_user)) -> Response:
    return RedirectResponse("/strategy" if user else "/login", status_code=303)


@router.get("/login", **page_needs("public"))
def login_form(
    request: Request, next: str = "/strategy", user: Principal | None = Depends(optional_page_user)
) -> Response:
    if user is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return page(request, "login.html", user=None, next=_safe_next(next), error="")


@router.post("/login", **page_needs("public", csrf=True))
def login(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=1000),
    next: str = Form("/strategy"),
    session: Session = Depends(get_session),
) -> Response:
    settings = settings_of(request)
    try:
        user = authenticate(
            session,
            settings,
            username=username.strip(),
            password=password,
            address=client_address(request),
        )
    except (Unauthenticated, TooManyAttempts) as exc:
        session.commit()
        return page(
            request,
            "login.html",
            user=None,
            next=_safe_next(next),
            error=exc.message,
            status_code=exc.http_status,
        )
    raw, _expires = issue_token(session, user, kind="web", hours=settings.session_hours)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, raw, max_age=settings.session_hours * 3600, **cookie_args(request)
    )
    if user.language:  # the saved preference follows the user to a new browser
        response.set_cookie(LANG_COOKIE, user.language, max_age=365 * 86400, **cookie_args(request))
    return response


@router.post("/logout", **page_needs("public", csrf=True))
def logout(request: Request, session: Session = Depends(get_session)) -> Response:
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        revoke_token(session, raw, kind="web")
    response = see_other("/login", _("You are logged out."))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/help", **page_needs("authenticated"))
def help_page(request: Request, user: Principal = Depends(page_user)) -> Response:
    reg = registry()
    roles = {name: sorted(reg.role_actions(name)) for name in reg.roles}
    # Everything shown in the reader's language: actions and markings carry their labels in
    # YAML; scales, poles and lint rules are messages in the catalogs.
    return page(
        request,
        "help.html",
        user=user,
        registry=reg,
        roles=roles,
        actions={name: reg.action_label(name) for name in reg.actions},
        scheme=scheme(),
        rules={code: (sev, _(desc)) for code, (sev, desc) in LINT_RULES.items()},
        likelihood=likelihood_labels(),
        impact=impact_labels(),
        posture=posture_poles(),
    )


@router.get("/audit", **page_needs("audit.read"))
def audit_page(
    request: Request,
    actor: str = "",
    action: str = "",
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    require(user, "audit.read")
    events = audit.list_events(
        session, user=user, actor=actor or None, action=action or None, limit=300
    )
    verification = audit.verify(session)
    return page(
        request,
        "audit.html",
        user=user,
        events=events,
        verification=verification,
        actor=actor,
        action=action,
        markings=[e.marking for e in events] or [Marking()],
    )
