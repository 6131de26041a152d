"""The partner registry: agreements with other centers, their credentials, the breaker.

Every change asks the policy module and lands in the audit log. Tokens we issue are shown once
and kept as a digest; credentials a partner gave us are kept encrypted (hub.federation.secrets).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth.policy import Action, Principal, require
from hub.db import utcnow
from hub.directory.models import Center
from hub.errors import Conflict, InvalidInput, NotFound
from hub.federation import secrets
from hub.federation.apply import Agreement
from hub.federation.feed import Audience
from hub.federation.models import Partner, SyncAlert, SyncRun
from hub.federation.schemas import PartnerInput
from hub.settings import get_settings


def snapshot(p: Partner) -> dict[str, Any]:
    """A partner for the audit log: never a credential, only whether one is set."""
    return {
        "slug": p.slug,
        "base_url": p.base_url,
        "direction": p.direction,
        "sends": p.sends,
        "receives": p.receives,
        "relays_for": p.relays_for,
        "interval_seconds": p.interval_seconds,
        "max_delete_share": p.max_delete_share,
        "enabled": p.enabled,
        "has_outbound_token": p.outbound_token is not None,
        "signs_requests": p.signing_secret is not None,
    }


def agreement(p: Partner) -> Agreement:
    return Agreement(
        partner=p.slug,
        receives=tuple(p.receives),
        relays_for=tuple(p.relays_for),
        max_delete_share=p.max_delete_share,
        min_deletions=get_settings().federation_breaker_min_deletions,
    )


def audience(p: Partner) -> Audience:
    local = get_settings().center_slug
    relayed = tuple(c for c in p.relays_for if c != p.slug)
    return Audience(types=tuple(p.sends), partner=p.slug, origins=(local, *relayed))


def get(session: Session, slug: str) -> Partner:
    partner = session.scalar(select(Partner).join(Partner.center).where(Center.slug == slug))
    if partner is None:
        raise NotFound(f"no partner {slug!r}", field="slug")
    return partner


def list_partners(session: Session) -> list[Partner]:
    return list(session.scalars(select(Partner).join(Partner.center).order_by(Center.slug)))


@dataclass(frozen=True, slots=True)
class Added:
    partner: Partner
    token: str  # the bearer token issued to the partner, shown only now


def _check(data: PartnerInput) -> None:
    local = get_settings().center_slug
    if data.slug == local:
        raise InvalidInput(f"{local!r} is this hub itself", field="slug")
    if local in data.relays_for:
        raise InvalidInput("no partner relays this hub's own records back to it", field="relaysFor")
    if data.direction == "push" and data.receives and not data.sends:
        raise InvalidInput("a push-only agreement sends something", field="sends")


def add(
    session: Session,
    actor: Principal,
    data: PartnerInput,
    *,
    outbound_token: str | None = None,
    signing_secret: str | None = None,
) -> Added:
    """Register a partner center (creating its Center row if new) and issue its token."""
    require(actor, Action.MANAGE_PARTNERS)
    _check(data)
    center = session.scalar(select(Center).where(Center.slug == data.slug))
    if center is None:
        center = Center(slug=data.slug, name=data.name, level=data.level, state=data.state)
        session.add(center)
        session.flush()
    elif center.is_local:
        raise InvalidInput(f"{data.slug!r} is this hub itself", field="slug")
    elif session.scalar(select(Partner.id).where(Partner.center_id == center.id)) is not None:
        raise Conflict(f"{data.slug!r} is a partner already", field="slug")
    token = secrets.new_token()
    partner = Partner(
        center=center,
        base_url=str(data.base_url).rstrip("/"),
        direction=data.direction,
        sends=list(data.sends),
        receives=list(data.receives),
        relays_for=list(data.relays_for),
        interval_seconds=data.interval_seconds,
        max_delete_share=data.max_delete_share
        or get_settings().federation_default_max_delete_share,
        inbound_token_digest=secrets.digest(token),
        outbound_token=secrets.seal(outbound_token) if outbound_token else None,
        signing_secret=secrets.seal(signing_secret) if signing_secret else None,
    )
    session.add(partner)
    session.flush()
    _log(session, actor, "partner.add", partner, None, snapshot(partner))
    return Added(partner, token)


def set_credentials(
    session: Session,
    actor: Principal,
    slug: str,
    *,
    outbound_token: str | None = None,
    signing_secret: str | None = None,
    clear_signing: bool = False,
) -> Partner:
    """Store the token the partner issued us and/or the shared signing secret."""
    require(actor, Action.MANAGE_PARTNERS)
    partner = get(session, slug)
    before = snapshot(partner)
    if outbound_token:
        partner.outbound_token = secrets.seal(outbound_token)
    if signing_secret:
        partner.signing_secret = secrets.seal(signing_secret)
    elif clear_signing:
        partner.signing_secret = None
    session.flush()
    _log(session, actor, "partner.credentials", partner, before, snapshot(partner))
    return partner


def issue_token(session: Session, actor: Principal, slug: str) -> str:
    """A new bearer token for the partner; the old one stops working at once."""
    require(actor, Action.MANAGE_PARTNERS)
    partner = get(session, slug)
    token = secrets.new_token()
    partner.inbound_token_digest = secrets.digest(token)
    session.flush()
    _log(session, actor, "partner.token", partner, None, None)
    return token


def remove(session: Session, actor: Principal, slug: str) -> None:
    """End an agreement; the records received from the partner stay, with their provenance."""
    require(actor, Action.MANAGE_PARTNERS)
    partner = get(session, slug)
    before = snapshot(partner)
    session.execute(delete(SyncAlert).where(SyncAlert.partner_id == partner.id))
    session.execute(delete(SyncRun).where(SyncRun.partner_id == partner.id))
    session.delete(partner)
    session.flush()
    audit.record(
        session,
        actor=actor.actor,
        action="partner.remove",
        entity_type="partner",
        entity_id=slug,
        before=before,
    )


def release_breaker(session: Session, actor: Principal, slug: str) -> Partner:
    """Staff checked the deletions with the partner: the next run may apply them."""
    require(actor, Action.MANAGE_PARTNERS)
    partner = get(session, slug)
    if not partner.breaker_open:
        raise Conflict(f"the deletion breaker of {slug!r} is not open", field="slug")
    partner.breaker_released = True
    now = utcnow()
    for alert in session.scalars(
        select(SyncAlert).where(SyncAlert.partner_id == partner.id, SyncAlert.cleared_at.is_(None))
    ):
        alert.cleared_at, alert.cleared_by = now, actor.actor
    session.flush()
    _log(session, actor, "partner.release_breaker", partner, None, None)
    return partner


def for_token(session: Session, token: str) -> Partner | None:
    """The enabled partner a bearer token was issued to."""
    if not token.startswith(secrets.TOKEN_PREFIX):
        return None
    return session.scalar(
        select(Partner).where(
            Partner.inbound_token_digest == secrets.digest(token), Partner.enabled.is_(True)
        )
    )


def principal_of(partner: Partner) -> Principal:
    return Principal(
        username=f"partner:{partner.slug}",
        role="partner",
        center_id=partner.center_id,
        partner=partner.slug,
    )


def runs(session: Session, partner: Partner, *, first: int = 20) -> list[SyncRun]:
    return list(
        session.scalars(
            select(SyncRun)
            .where(SyncRun.partner_id == partner.id)
            .order_by(SyncRun.id.desc())
            .limit(first)
        )
    )


def open_alerts(session: Session) -> list[SyncAlert]:
    return list(
        session.scalars(
            select(SyncAlert).where(SyncAlert.cleared_at.is_(None)).order_by(SyncAlert.id)
        )
    )


def _log(
    session: Session,
    actor: Principal,
    action: str,
    partner: Partner,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(
        session,
        actor=actor.actor,
        action=action,
        entity_type="partner",
        entity_id=partner.slug,
        before=before,
        after=after,
    )
