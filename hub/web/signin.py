"""Starting, finding and ending browser sign-ins (the rows of `web_sessions`)."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth.models import User
from hub.db import utcnow
from hub.web.models import WebSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, *, hours: int) -> str:
    """Sign `user` in; returns the cookie's token (only its digest is stored)."""
    now = utcnow()
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            expires_at=now + timedelta(hours=hours),
        )
    )
    audit.record(
        session, actor=user.username, action="user.sign_in", entity_type="user", entity_id=user.id
    )
    return token


def find(session: Session, token: str | None) -> WebSession | None:
    """The live sign-in of this cookie token for an active user, or None."""
    if not token:
        return None
    return session.scalar(
        select(WebSession)
        .join(WebSession.user)
        .where(
            WebSession.token_hash == _digest(token),
            WebSession.expires_at > utcnow(),
            User.active.is_(True),
        )
    )


def end(session: Session, signed_in: WebSession) -> None:
    """Sign out: the row goes, so the cookie is worthless even if copied."""
    audit.record(
        session,
        actor=signed_in.user.username,
        action="user.sign_out",
        entity_type="user",
        entity_id=signed_in.user_id,
    )
    session.delete(signed_in)
