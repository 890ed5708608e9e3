"""Bearer tokens: issue and revoke."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Unauthenticated
from grandstrategy.core.i18n import _
from grandstrategy.core.users import TokenRead, change_password, login_token, revoke_token
from grandstrategy.web.deps import api_user, client_address, get_session, needs, settings_of

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1000)


@router.post("/token", response_model=TokenRead, **needs("public"))
def create_token(
    body: Credentials, request: Request, session: Session = Depends(get_session)
) -> TokenRead | JSONResponse:
    """Exchange a username and password for a bearer token."""
    try:
        return login_token(
            session,
            settings_of(request),
            username=body.username,
            password=body.password,
            address=client_address(request),
        )
    except Unauthenticated as exc:
        session.commit()  # the failure must be remembered for throttling and audit
        return JSONResponse(
            {"detail": exc.message, "errors": []},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )


@router.delete("/token", status_code=204, **needs("authenticated"))
def delete_token(
    request: Request,
    _user: object = Depends(api_user),
    session: Session = Depends(get_session),
) -> None:
    """Revoke the token sent with this request."""
    raw = request.headers["authorization"].partition(" ")[2].strip()
    revoke_token(session, raw, kind="api")


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class PasswordChanged(BaseModel):
    revoked: int
    detail: str


@router.post("/password", response_model=PasswordChanged, **needs("authenticated"))
def post_password(
    body: PasswordChange,
    request: Request,
    user: Principal = Depends(api_user),
    session: Session = Depends(get_session),
) -> PasswordChanged | JSONResponse:
    """Change your own password. Every session and token of yours ends, this one included."""
    try:
        n = change_password(
            session,
            settings_of(request),
            user=user,
            old=body.old_password,
            new=body.new_password,
            address=client_address(request),
        )
    except Unauthenticated:
        session.commit()  # the failed attempt counts towards throttling
        return JSONResponse(
            {"detail": _("the current password is wrong"), "errors": ["old_password"]},
            status_code=403,
        )
    return PasswordChanged(revoked=n, detail=_("password changed; log in again"))
