"""Acknowledgement links: signed, expiring tokens naming an alert and a contact, and the
idempotent record of an acknowledgement."""

from dataclasses import dataclass
from datetime import timedelta

import jwt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.alerts.models import Acknowledgement, Alert
from hub.db import utcnow
from hub.directory.models import Contact
from hub.errors import InvalidInput, NotFound
from hub.settings import get_settings

ALGORITHM = "HS256"
AUDIENCE = "hub:ack"


@dataclass(frozen=True, slots=True)
class AckClaim:
    """What a valid link names."""

    alert_id: int
    contact_id: int


def token(alert_id: int, contact_id: int) -> str:
    """A link token valid for HUB_ALERTS_ACK_LINK_TTL_HOURS, signed with HUB_SECRET_KEY."""
    settings = get_settings()
    now = utcnow()
    claims = {
        "a": alert_id,
        "c": contact_id,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(hours=settings.alerts_ack_link_ttl_hours),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def link(alert_id: int, contact_id: int) -> str:
    """The acknowledgement page's address for this recipient."""
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/ack/{token(alert_id, contact_id)}"


def read(value: str) -> AckClaim:
    """The claim of a token; InvalidInput saying why one is refused (expired, altered)."""
    secret = get_settings().secret_key.get_secret_value()
    try:
        claims = jwt.decode(value, secret, algorithms=[ALGORITHM], audience=AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise InvalidInput("this acknowledgement link has expired", field="token") from None
    except jwt.InvalidTokenError:
        raise InvalidInput("this acknowledgement link is not valid", field="token") from None
    return AckClaim(alert_id=int(claims["a"]), contact_id=int(claims["c"]))


def acknowledge(session: Session, claim: AckClaim) -> tuple[Acknowledgement, bool]:
    """Record the acknowledgement once; returns it and whether this call created it."""
    found = existing(session, claim)
    if found is not None:
        return found, False
    contact = session.get(Contact, claim.contact_id)
    if contact is None or session.get(Alert, claim.alert_id) is None:
        raise NotFound("the alert or the contact of this link no longer exists", field="token")
    entry = Acknowledgement(
        alert_id=claim.alert_id, contact_id=claim.contact_id, district_id=contact.district_id
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # the same link, posted twice at once
        again = existing(session, claim)
        assert again is not None
        return again, False
    return entry, True


def existing(session: Session, claim: AckClaim) -> Acknowledgement | None:
    """The acknowledgement this link already recorded, if any."""
    return session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.alert_id == claim.alert_id,
            Acknowledgement.contact_id == claim.contact_id,
        )
    )
