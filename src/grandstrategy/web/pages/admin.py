"""Administration of user accounts in the browser, with the same service calls as the CLI."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal, registry
from grandstrategy.core.errors import GrandStrategyError, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import scheme
from grandstrategy.core.users import (
    UserRead,
    add_user,
    generate_password,
    list_users,
    reset_password,
    set_user,
)
from grandstrategy.web.deps import get_session, page_needs, page_user
from grandstrategy.web.flash import see_other
from grandstrategy.web.render import page

router = APIRouter(include_in_schema=False)


def _choices() -> dict[str, list[str]]:
    s = scheme()
    return {
        "roles": sorted(registry().roles),
        "levels": [lv.name for lv in s.levels],
        "compartments": [c.name for c in s.compartments],
    }


def _find(users: list[UserRead], username: str) -> UserRead:
    for u in users:
        if u.username == username:
            return u
    raise NotFound(_("user {name!r} not found").format(name=username))


@router.get("/admin/users", **page_needs("users.manage"))
def users_page(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    return page(
        request,
        "admin/users.html",
        user=user,
        active="",
        users=list_users(session, user=user),
        error="",
        form={},
        choices=_choices(),
    )


@router.post("/admin/users", **page_needs("users.manage", csrf=True))
async def add_user_form(
    request: Request,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("username", "role", "clearance")}
    compartments = [str(c) for c in form.getlist("compartments")]
    password = generate_password()
    try:
        add_user(
            session,
            user=user,
            username=values["username"],
            password=password,
            role=values["role"],
            clearance=values["clearance"],
            compartments=compartments,
            display_name=str(form.get("display_name", "")).strip(),
        )
        session.commit()
    except GrandStrategyError as exc:
        session.rollback()
        return page(
            request,
            "admin/users.html",
            user=user,
            users=list_users(session, user=user),
            error=exc.message,
            details=exc.details,
            form={**values, "compartments": compartments},
            status_code=exc.http_status,
            choices=_choices(),
        )
    return _show_password(request, user, session, values["username"], password)


def _show_password(
    request: Request, user: Principal, session: Session, username: str, password: str
) -> Response:
    return page(
        request,
        "admin/user.html",
        user=user,
        account=_find(list_users(session, user=user), username),
        new_password=password,
        error="",
        choices=_choices(),
    )


@router.get("/admin/users/{username}", **page_needs("users.manage"))
def user_page(
    request: Request,
    username: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    account = _find(list_users(session, user=user), username)
    return page(
        request,
        "admin/user.html",
        user=user,
        account=account,
        new_password="",
        error="",
        choices=_choices(),
    )


@router.post("/admin/users/{username}", **page_needs("users.manage", csrf=True))
async def edit_user_form(
    request: Request,
    username: str,
    user: Principal = Depends(page_user),
    session: Session = Depends(get_session),
) -> Response:
    form = await request.form()
    account = _find(list_users(session, user=user), username)
    try:
        if form.get("reset_password"):
            password = reset_password(session, user=user, username=username)
            session.commit()
            return _show_password(request, user, session, username, password)
        active = form.get("active")
        if active not in ("yes", "no"):
            raise Invalid(_("choose whether the account is active"))
        set_user(
            session,
            user=user,
            username=username,
            role=str(form.get("role", account.role)),
            clearance=str(form.get("clearance", account.clearance)),
            compartments=[str(c) for c in form.getlist("compartments")],
            active=active == "yes",
        )
        session.commit()
    except GrandStrategyError as exc:
        session.rollback()
        return page(
            request,
            "admin/user.html",
            user=user,
            account=account,
            new_password="",
            error=exc.message,
            details=exc.details,
            status_code=exc.http_status,
            choices=_choices(),
        )
    done = _("Saved. The user's sessions have ended where their rights changed.")
    return see_other(f"/admin/users/{quote(username, safe='')}", done)
