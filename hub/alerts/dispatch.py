"""Dispatch: an approved alert's recipients become Delivery rows (one per contact, channel and
stage) and outbox rows (batches of delivery ids per district), in the caller's transaction."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TypeVar

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.orm import Session

from hub.alerts import targeting
from hub.alerts.models import STAGE_INITIAL, Alert, Delivery
from hub.db import utcnow
from hub.directory.models import District
from hub.events import envelope, topics
from hub.events.models import OutboxMessage
from hub.settings import get_settings

# Delivery ids per Kafka message: one message per delivery caps the alert path at the
# client's ~7,500 msg/s (ARCHITECTURE.md); a batch per district moves the limit to the
# database. Small enough that a redelivered batch re-checks few rows.
BATCH = 200
INSERT_CHUNK = 5000
CENTER_KEY = "center"
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
    rows = (
        {
            "alert_id": alert.id,
            "contact_id": r.contact_id,
            "district_id": r.district_id,
            "channel": r.channel,
            "address": r.address,
            "stage": stage,
            "status": "queued",
            "attempts": 0,
            "created_at": now,
            "claimed_at": now,
        }
        for r in targeting.recipients(
            session, alert.targets, alert.channels, contact_filter=contacts
        )
    )
    by_district: dict[int | None, list[int]] = defaultdict(list)
    for chunk in batched(rows, INSERT_CHUNK):
        made = session.execute(
            insert(Delivery).returning(
                Delivery.id, Delivery.district_id, sort_by_parameter_order=True
            ),
            chunk,
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
