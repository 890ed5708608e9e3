"""Users, passwords (argon2), login throttling, bearer tokens and web sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, registry, require
from grandstrategy.core.config import Settings
from grandstrategy.core.errors import Conflict, Invalid, NotFound, TooManyAttempts, Unauthenticated
from grandstrategy.core.i18n import LANGUAGES, _
from grandstrategy.core.markings import check_compartment, scheme
from grandstrategy.core.models import LoginFailure, Token, User

USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
_hasher = PasswordHasher()


class UserRead(BaseModel):
    username: str
    display_name: str
    role: str
    clearance: str
    compartments: list[str]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, u: User) -> UserRead:
        return cls(
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            clearance=scheme().level_name(u.clearance),
            compartments=sorted(u.compartment_set),
            active=u.active,
            created_at=u.created_at,
        )


class TokenRead(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth token type, not a password)
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(dt: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; they were stored as UTC."""
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _compartments(values: list[str] | None) -> str:
    comps = sorted({check_compartment(c) for c in values or []})
    return "|" + "".join(f"{c}|" for c in comps)


def _snapshot(u: User) -> dict[str, object]:
    return UserRead.of(u).model_dump(mode="json")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Invalid(_("password too short: at least {n} characters").format(n=MIN_PASSWORD))
    return _hasher.hash(password)


def find(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar()


def _get(session: Session, username: str) -> User:
    u = find(session, username)
    if u is None:
        raise NotFound(_("user {name!r} not found").format(name=username))
    return u


def add_user(
    session: Session,
    *,
    user: Principal,
    username: str,
    password: str,
    role: str,
    clearance: str,
    compartments: list[str] | None = None,
    display_name: str = "",
) -> UserRead:
    require(user, "users.manage")
    if not USERNAME_RE.match(username):
        raise Invalid(
            _("username {name!r}: lower-case letters, digits, '.', '_' or '-'").format(
                name=username
            )
        )
    if find(session, username) is not None:
        raise Conflict(_("user {name!r} already exists").format(name=username))
    u = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=registry().check_role(role),
        clearance=scheme().level_index(clearance),
        compartments=_compartments(compartments),
        active=True,
    )
    session.add(u)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="users.add",
        object_type="user",
        object_id=username,
        after=_snapshot(u),
    )
    return UserRead.of(u)


def list_users(session: Session, *, user: Principal) -> list[UserRead]:
    require(user, "users.manage")
    return [UserRead.of(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def set_user(
    session: Session,
    *,
    user: Principal,
    username: str,
    role: str | None = None,
    clearance: str | None = None,
    compartments: list[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> UserRead:
    require(user, "users.manage")
    u = _get(session, username)
    before = _snapshot(u)
    if role is not None:
        u.role = registry().check_role(role)
    if clearance is not None:
        u.clearance = scheme().level_index(clearance)
    if compartments is not None:
        u.compartments = _compartments(compartments)
    if password is not None:
        u.password_hash = hash_password(password)
    if active is not None:
        u.active = active
    changed = (role, clearance, compartments, password)
    if active is False or any(v is not None for v in changed):
        # A change of rights or of password (a reset) ends every session and token.
        _revoke_tokens(session, u)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="users.set",
        object_type="user",
        object_id=username,
        before=before,
        after=_snapshot(u),
    )
    return UserRead.of(u)


def _revoke_tokens(session: Session, u: User) -> int:
    n = 0
    for t in session.execute(select(Token).where(Token.user_id == u.id)).scalars():
        if t.revoked_at is None:
            t.revoked_at = _now()
            n += 1
    return n


def change_password(
    session: Session, settings: Settings, *, user: Principal, old: str, new: str, address: str
) -> int:
    """The acting user changes their own password, proving the old one first.

    Every session and API token of theirs ends (including the one used for this request):
    whoever had stolen one is locked out. Returns how many were live.
    """
    if not user.active or user.user_id is None:
        raise Invalid(_("only a user account has a password to change"))
    u = authenticate(session, settings, username=user.username, password=old, address=address)
    if new == old:
        raise Invalid(_("the new password must differ from the old one"))
    u.password_hash = hash_password(new)
    n = _revoke_tokens(session, u)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="users.password",
        object_type="user",
        object_id=u.username,
        after={"revoked": n},
    )
    return n


def revoke_all(session: Session, *, user: Principal, username: str) -> int:
    """End every web session and API token of a user; returns how many were live."""
    require(user, "users.manage")
    u = _get(session, username)
    n = _revoke_tokens(session, u)
    audit.record(
        session,
        actor=user,
        action="auth.revoke",
        object_type="user",
        object_id=username,
        after={"revoked": n},
    )
    return n


def _throttle(session: Session, settings: Settings, username: str, address: str) -> None:
    since = _now() - timedelta(minutes=settings.failure_window_minutes)
    by_user = session.execute(
        select(func.count()).where(LoginFailure.username == username, LoginFailure.at >= since)
    ).scalar_one()
    by_addr = session.execute(
        select(func.count()).where(LoginFailure.address == address, LoginFailure.at >= since)
    ).scalar_one()
    if by_user >= settings.max_failures_per_user or by_addr >= settings.max_failures_per_address:
        raise TooManyAttempts(
            f"too many failed logins; try again in {settings.failure_window_minutes} minutes"
        )


def authenticate(
    session: Session, settings: Settings, *, username: str, password: str, address: str
) -> User:
    """Check a password. Failures are counted, audited and throttled per user and address.

    The caller must commit even when this raises, so that the failure is remembered.
    """
    _throttle(session, settings, username, address)
    u = find(session, username)
    ok = False
    if u is not None and u.active:
        try:
            ok = _hasher.verify(u.password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # same cost whether or not the user exists
    if not ok:
        session.add(LoginFailure(username=username[:64], address=address[:64]))
        audit.record(
            session,
            actor=username[:100] or "?",
            action="auth.login_failed",
            object_type="user",
            object_id=username[:100],
            after={"address": address},
        )
        session.flush()
        raise Unauthenticated("wrong username or password")
    assert u is not None
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    if _hasher.check_needs_rehash(u.password_hash):
        u.password_hash = _hasher.hash(password)
    return u


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(
    session: Session, user: User, *, kind: str, hours: int, label: str = ""
) -> tuple[str, Token]:
    raw = secrets.token_urlsafe(32)
    tok = Token(
        token_hash=_digest(raw),
        kind=kind,
        user_id=user.id,
        expires_at=_now() + timedelta(hours=hours),
        label=label,
    )
    session.add(tok)
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="auth.login" if kind == "web" else "auth.token",
        object_type="token",
        object_id=tok.id,
        after={"kind": kind, "label": label},
    )
    return raw, tok


def login_token(
    session: Session, settings: Settings, *, username: str, password: str, address: str
) -> TokenRead:
    user = authenticate(session, settings, username=username, password=password, address=address)
    raw, tok = issue_token(session, user, kind="api", hours=settings.token_hours)
    return TokenRead(access_token=raw, expires_at=_aware(tok.expires_at))


def resolve_token(session: Session, raw: str, *, kind: str) -> tuple[User, Token]:
    """The active user behind a token, or Unauthenticated."""
    tok = session.execute(
        select(Token).where(Token.token_hash == _digest(raw), Token.kind == kind)
    ).scalar()
    if tok is None or tok.revoked_at is not None or _aware(tok.expires_at) <= _now():
        raise Unauthenticated("token invalid, expired or revoked")
    user = session.get(User, tok.user_id)
    if user is None or not user.active:
        raise Unauthenticated("account disabled")
    return user, tok


def revoke_token(session: Session, raw: str, *, kind: str) -> None:
    tok = session.execute(
        select(Token).where(Token.token_hash == _digest(raw), Token.kind == kind)
    ).scalar()
    if tok is None or tok.revoked_at is not None:
        return
    tok.revoked_at = _now()
    user = session.get(User, tok.user_id)
    audit.record(
        session,
        actor=user.username if user else "?",
        action="auth.logout" if kind == "web" else "auth.revoke",
        object_type="token",
        object_id=tok.id,
    )


def set_language(session: Session, *, user: Principal, language: str) -> str:
    """Save the acting user's interface language ('' to follow the browser again)."""
    if language and language not in LANGUAGES:
        raise Invalid(
            _("unknown language {language!r}; choose one of {choices}").format(
                language=language, choices=", ".join(LANGUAGES)
            )
        )
    u = _get(session, user.username)
    if u.language != language:
        before = u.language
        u.language = language
        audit.record(
            session,
            actor=user,
            action="user.language",
            object_type="user",
            object_id=u.username,
            before={"language": before},
            after={"language": language},
        )
    return language


def generate_password() -> str:
    """A random password for a new account or a reset, shown once to the administrator."""
    return secrets.token_urlsafe(12)


def reset_password(session: Session, *, user: Principal, username: str) -> str:
    """Give a user a new random password (returned once, to hand over) and end their sessions."""
    password = generate_password()
    set_user(session, user=user, username=username, password=password)
    u = _get(session, username)
    _revoke_tokens(session, u)
    return password
