"""Dispatch: an approved alert's recipients become Delivery rows (one per contact, channel and
stage) and outbox rows (batches of delivery ids per district), in the caller's transaction."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from sqlalchemy import ColumnElement, insert, literal, select
from sqlalchemy.orm import Session

from hub.alerts import targeting
from hub.alerts.models import STAGE_INITIAL, Alert, Delivery
from hub.db import UTCDateTime, utcnow
from hub.directory.models import Contact, District
from hub.events import envelope, topics
from hub.events.models import OutboxMessage
from hub.settings import get_settings

# Delivery ids per Kafka message: one message per delivery caps the alert path at the
# client's ~7,500 msg/s (ARCHITECTURE.md); a batch per district moves the limit to the
# database. Small enough that a redelivered batch re-checks few rows.
BATCH = 200
INSERT_CHUNK = 5000
CENTER_KEY = "center"
DELIVERY_COLUMNS = [
    "alert_id",
    "contact_id",
    "district_id",
    "channel",
    "address",
    "stage",
    "status",
    "attempts",
    "created_at",
    "claimed_at",
]
T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of up to `size` items (itertools.batched arrived in Python 3.12)."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def dispatch(
    session: Session,
    alert: Alert,
    *,
    stage: int = STAGE_INITIAL,
    contacts: ColumnElement[bool] | None = None,
) -> int:
    """Write the deliveries of `alert` at `stage` (to `contacts` if given, else to its
    targets) and the outbox rows announcing them; returns how many deliveries were made."""
    now = utcnow()
    by_district: dict[int | None, list[int]] = defaultdict(list)
    condition = targeting.matching(alert.targets) if contacts is None else contacts
    for channel in alert.channels:
        # One INSERT ... SELECT per channel, resolved in the database: 100,000 recipients
        # never pass through Python on the way in.
        address = targeting.ADDRESS_COLUMN[channel]
        chosen = select(
            literal(alert.id),
            Contact.id,
            Contact.district_id,
            literal(channel),
            address,
            literal(stage),
            literal("queued"),
            literal(0),
            literal(now, UTCDateTime()),
            literal(now, UTCDateTime()),
        ).where(
            condition,
            Contact.deleted.is_(False),
            targeting.takes(channel),
            address.is_not(None),
            address != "",
        )
        made = session.execute(
            insert(Delivery)
            .from_select(DELIVERY_COLUMNS, chosen)
            .returning(Delivery.id, Delivery.district_id)
        )
        for delivery_id, district_id in made:
            by_district[district_id].append(delivery_id)
    announce(session, alert, by_district)
    return sum(len(ids) for ids in by_district.values())


def announce(session: Session, alert: Alert, by_district: dict[int | None, list[int]]) -> None:
    """Outbox rows for these deliveries: batches of ids, keyed by district (so one district's
    messages stay in order on one partition), on the topic of the alert's status."""
    keys = _district_keys(session, [d for d in by_district if d is not None])
    topic = topics.delivery_topic(get_settings(), alert.status)
    outbox = [
        {
            "topic": topic,
            "key": keys.get(district_id, CENTER_KEY),
            "payload": envelope.delivery_batch(
                alert_id=alert.id,
                identifier=alert.identifier,
                delivery_ids=list(ids),
                district=keys.get(district_id),
            ),
            "created_at": utcnow(),
        }
        for district_id, all_ids in sorted(by_district.items(), key=lambda kv: kv[0] or 0)
        for ids in batched(sorted(all_ids), BATCH)
    ]
    for chunk in batched(outbox, INSERT_CHUNK):
        session.execute(insert(OutboxMessage), chunk)


def _district_keys(session: Session, district_ids: Sequence[int]) -> dict[int | None, str]:
    keys: dict[int | None, str] = {}
    for chunk in batched(district_ids, 1000):
        query = select(District.id, District.nces_id).where(District.id.in_(chunk))
        keys.update(dict(session.execute(query).all()))
    return keys


def republish(session: Session, deliveries: Iterable[Delivery]) -> int:
    """Announce these (queued) deliveries again, grouped by alert and district: for the
    reconciler, when a message was lost or a worker died holding them."""
    grouped: dict[int, dict[int | None, list[int]]] = defaultdict(lambda: defaultdict(list))
    for d in deliveries:
        grouped[d.alert_id][d.district_id].append(d.id)
    for alert_id, by_district in grouped.items():
        alert = session.get(Alert, alert_id)
        assert alert is not None
        announce(session, alert, by_district)
    return sum(len(ids) for g in grouped.values() for ids in g.values())
