"""The public CAP feed: an Atom 1.0 list of public alerts, and each one's CAP 1.2 XML."""

from datetime import UTC, datetime
from urllib.parse import quote
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.alerts.cap import MEDIA_TYPE, headline
from hub.alerts.cap_export import areas_for, references_for, to_cap
from hub.alerts.models import Alert
from hub.db import utcnow
from hub.deps import SessionProvider
from hub.errors import NotFound
from hub.settings import get_settings

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
# States in which an alert has gone out: only those are published.
PUBLISHED = ("dispatched", "updated", "cancelled", "expired")
FEED_SIZE = 50


def _add(parent: Element, name: str, text: str) -> None:
    SubElement(parent, name).text = text


def _atom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def cap_url(base_url: str, identifier: str) -> str:
    """Where the CAP XML of a public alert is served."""
    return f"{base_url.rstrip('/')}/cap/{quote(identifier, safe='')}.xml"


def _entry_id(identifier: str) -> str:
    return identifier if identifier.startswith("urn:") else f"urn:cap:{quote(identifier)}"


def atom_feed(alerts: list[Alert], base_url: str) -> bytes:
    """An Atom 1.0 feed of `alerts` (UTF-8), each entry linking to its CAP XML."""
    settings = get_settings()
    self_url = f"{base_url.rstrip('/')}/cap/feed.xml"
    # Unprefixed names under an xmlns attribute: ElementTree's default_namespace refuses the
    # unqualified attributes (rel, href) that Atom uses.
    feed = Element("feed", xmlns=ATOM)
    _add(feed, "id", self_url)
    _add(feed, "title", f"{settings.center_name}: public alerts")
    _add(feed, "updated", _atom_time(max((a.updated_at for a in alerts), default=utcnow())))
    author = SubElement(feed, "author")
    _add(author, "name", settings.center_name)
    SubElement(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=self_url)
    for alert in alerts:
        entry = SubElement(feed, "entry")
        _add(entry, "id", _entry_id(alert.identifier))
        _add(entry, "title", headline(alert))
        _add(entry, "updated", _atom_time(alert.updated_at))
        if alert.sent_at is not None:
            _add(entry, "published", _atom_time(alert.sent_at))
        if alert.description:
            _add(entry, "summary", alert.description)
        link = cap_url(base_url, alert.identifier)
        SubElement(entry, "link", rel="alternate", type=MEDIA_TYPE, href=link)
    body: bytes = tostring(feed, encoding="UTF-8", xml_declaration=True)
    return body


def public_alerts(session: Session, *, limit: int = FEED_SIZE) -> list[Alert]:
    """The newest public alerts that went out."""
    query = (
        select(Alert)
        .where(Alert.scope == "Public", Alert.state.in_(PUBLISHED))
        .order_by(Alert.sent_at.desc(), Alert.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def public_alert(session: Session, identifier: str) -> Alert:
    """A public alert that went out; NotFound for any other (restricted ones are not shown)."""
    alert = session.scalar(
        select(Alert).where(
            Alert.identifier == identifier, Alert.scope == "Public", Alert.state.in_(PUBLISHED)
        )
    )
    if alert is None:
        raise NotFound(f"no public alert {identifier!r}", field="identifier")
    return alert


def cap_router(sessions: SessionProvider) -> APIRouter:
    """GET /cap/feed.xml (the Atom feed) and GET /cap/{identifier}.xml (one alert's CAP)."""
    router = APIRouter()

    @router.get("/cap/feed.xml")
    def feed() -> Response:
        with sessions(False) as session:
            body = atom_feed(public_alerts(session), get_settings().public_base_url)
        return Response(body, media_type=ATOM_MEDIA_TYPE)

    @router.get("/cap/{identifier}.xml")
    def message(identifier: str) -> Response:
        with sessions(False) as session:
            alert = public_alert(session, identifier)
            body = to_cap(
                alert,
                references=references_for(session, alert),
                areas=areas_for(session, alert),
            )
        return Response(body, media_type=MEDIA_TYPE)

    return router
