"""Users, passwords (argon2) and bearer API tokens (only their SHA-256 is stored)."""

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth.models import ROLES, ApiToken, User
from hub.auth.policy import Action, Principal, require
from hub.db import utcnow
from hub.directory.models import Center, District
from hub.directory.schemas import check_leaid
from hub.errors import Conflict, InvalidInput, NotFound

_hasher = PasswordHasher()
TOKEN_PREFIX = "hub_"  # noqa: S105 - a visible prefix, not a secret


def principal_of(user: User) -> Principal:
    """The Principal a signed-in user acts as."""
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        district_id=user.district_id,
        center_id=user.center_id,
    )


def create_user(
    session: Session,
    actor: Principal,
    *,
    username: str,
    role: str,
    password: str | None = None,
    display_name: str = "",
    email: str | None = None,
    district_nces_id: str | None = None,
    center_slug: str | None = None,
) -> User:
    """Create a user; a district_user needs a district, a partner a center."""
    require(actor, Action.MANAGE_USERS)
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; allowed: {', '.join(ROLES)}", field="role")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists already", field="username")
    district_id = center_id = None
    if role == "district_user":
        if not district_nces_id:
            raise InvalidInput("a district_user needs --district NCESID", field="district")
        district_id = session.scalar(
            select(District.id).where(
                District.nces_id == check_leaid(district_nces_id, field="district")
            )
        )
        if district_id is None:
            raise NotFound(f"no district with NCES id {district_nces_id}", field="district")
    if role == "partner":
        if not center_slug:
            raise InvalidInput("a partner needs --center SLUG", field="center")
        center_id = session.scalar(select(Center.id).where(Center.slug == center_slug))
        if center_id is None:
            raise NotFound(f"no center {center_slug!r}", field="center")
    user = User(
        username=username,
        role=role,
        display_name=display_name or username,
        email=email,
        district_id=district_id,
        center_id=center_id,
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor.actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        after={
            "username": username,
            "role": role,
            "district_id": district_id,
            "center_id": center_id,
        },
    )
    return user


def authenticate(session: Session, *, username: str, password: str) -> User | None:
    """The active user with this username and password, or None (same answer for both faults)."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or user.password_hash is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, actor: Principal, *, username: str, name: str = "api"
) -> tuple[ApiToken, str]:
    """Issue a bearer token for `username`; returns the row and the token, shown only this once."""
    require(actor, Action.MANAGE_USERS)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", field="username")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_digest(token))
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor.actor,
        action="token.create",
        entity_type="api_token",
        entity_id=row.id,
        after={"user": username, "name": name},
    )
    return row, token


def revoke_token(session: Session, actor: Principal, *, token_id: int) -> None:
    """Revoke a token; it stops working at once."""
    require(actor, Action.MANAGE_USERS)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}", field="id")
    row.revoked_at = utcnow()
    audit.record(
        session, actor=actor.actor, action="token.revoke", entity_type="api_token", entity_id=row.id
    )


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, or None if unknown, revoked or inactive."""
    row = session.scalar(
        select(ApiToken)
        .join(ApiToken.user)
        .where(
            ApiToken.token_hash == _digest(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
    return None if row is None else row.user


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The Principal of a bearer token, or None."""
    user = user_for_token(session, token)
    return None if user is None else principal_of(user)
