"""The outbox relay against a real broker and each database: order, marking, recovery."""

import json
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from hub.db import session_scope
from hub.events import envelope
from hub.events.broker import EmbeddedBroker
from hub.events.models import OutboxMessage
from hub.events.relay import Relay, enqueue
from hub.events.topics import topics
from hub.settings import Settings
from tests.events.conftest import read_topic, running, settings_for, wait_for

DISTRICTS = ["0100001", "0100002", "0100003", "0100004", "0100005", "0100006", "0100007"]


def _fill(engine: Engine, settings: Settings, count: int, *, first_alert: int = 1) -> list[int]:
    """Commit `count` outbox rows, each a delivery batch naming its row's alert; their ids."""
    topic = topics(settings).deliveries
    with session_scope(engine) as session:
        rows = [
            enqueue(
                session,
                topic,
                DISTRICTS[n % len(DISTRICTS)],
                envelope.delivery_batch(
                    alert_id=first_alert + n,
                    identifier=f"alert-{first_alert + n}",
                    delivery_ids=[n + 1],
                    district=DISTRICTS[n % len(DISTRICTS)],
                ),
            )
            for n in range(count)
        ]
        session.flush()
        return [row.id for row in rows]


def _alert_ids(records: list[object]) -> list[int]:
    return [json.loads(r.value)["data"]["alert_id"] for r in records]  # type: ignore[attr-defined]


def _unpublished(engine: Engine) -> set[int]:
    with session_scope(engine, write=False) as session:
        query = select(OutboxMessage.id).where(OutboxMessage.published_at.is_(None))
        return set(session.scalars(query))


def test_publishes_in_batches_and_marks_rows(
    outbox_engine: Engine, kafka_settings: Settings
) -> None:
    _fill(outbox_engine, kafka_settings, 1200)
    relay = Relay(kafka_settings, outbox_engine, batch_size=500)
    try:
        counts = [relay.run_once() for _ in range(4)]
    finally:
        relay.close()

    assert counts == [500, 500, 200, 0]
    assert _unpublished(outbox_engine) == set()
    records = read_topic(kafka_settings, topics(kafka_settings).deliveries)
    assert sorted(_alert_ids(records)) == list(range(1, 1201))  # each exactly once
    # Keyed by district, in outbox order within each key (so within its partition).
    by_key: dict[bytes, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key, []).append(json.loads(record.value)["data"]["alert_id"])
    assert sorted(by_key) == sorted(d.encode() for d in DISTRICTS)
    assert all(ids == sorted(ids) for ids in by_key.values())
    # Published messages are valid events.
    assert envelope.parse(records[0].value).type == envelope.DELIVERY_BATCH


def test_enqueue_is_part_of_the_callers_transaction(
    outbox_engine: Engine, kafka_settings: Settings
) -> None:
    topic = topics(kafka_settings).deliveries
    event = envelope.delivery_batch(alert_id=1, identifier="a", delivery_ids=[1], district=None)
    with session_scope(outbox_engine) as session:
        enqueue(session, topic, "", event)
        session.rollback()  # the caller's change failed: its message goes with it
    relay = Relay(kafka_settings, outbox_engine)
    try:
        assert relay.run_once() == 0
        with session_scope(outbox_engine) as session:
            enqueue(session, topic, "", event)
        assert relay.run_once() == 1
    finally:
        relay.close()
    (record,) = read_topic(kafka_settings, topic)
    assert record.key is None  # "" means no key
    assert json.loads(record.value)["id"] == event["id"]


def test_two_relays_at_once_mark_each_row_once(
    outbox_engine: Engine, kafka_settings: Settings
) -> None:
    _fill(outbox_engine, kafka_settings, 2000)
    marked: list[int] = []

    def drain(relay: Relay) -> None:
        try:
            while count := relay.run_once():
                marked.append(count)
        finally:
            relay.close()

    threads = [
        threading.Thread(target=drain, args=(Relay(kafka_settings, outbox_engine, batch_size=100),))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # On SQLite both may publish a row (at least once); the conditional UPDATE counts it once.
    # On PostgreSQL a relay skips the rows another has locked: each is published once.
    assert sum(marked) == 2000
    assert _unpublished(outbox_engine) == set()
    seen = _alert_ids(read_topic(kafka_settings, topics(kafka_settings).deliveries))
    assert set(seen) == set(range(1, 2001))
    if outbox_engine.dialect.name == "postgresql":
        assert len(seen) == 2000


def test_recovers_from_a_broker_restart_mid_relay(
    outbox_engine: Engine, own_broker: EmbeddedBroker
) -> None:
    settings = settings_for(own_broker)
    batch = 100
    before = set(_fill(outbox_engine, settings, 5000))
    relay = Relay(settings, outbox_engine, batch_size=batch, idle_seconds=0.05)
    with running(relay.run_forever):
        wait_for(lambda: len(_unpublished(outbox_engine)) < 5000, what="a first batch")
        own_broker.restart()  # topics, records and producer ids are gone
        restarted = time.monotonic()
        pending = _unpublished(outbox_engine)
        assert pending, "the relay finished before the restart; the test needs more rows"
        after = set(_fill(outbox_engine, settings, 500, first_alert=10_001))
        wait_for(lambda: not _unpublished(outbox_engine), what="every row published")
        recovered = time.monotonic() - restarted

    seen = _alert_ids(read_topic(settings, topics(settings).deliveries))
    with session_scope(outbox_engine, write=False) as session:
        alert_of = {
            row_id: payload["data"]["alert_id"]
            for row_id, payload in session.execute(
                select(OutboxMessage.id, OutboxMessage.payload)
            ).all()
        }
        stamps = session.scalars(select(OutboxMessage.published_at)).all()
    assert all(isinstance(s, datetime) and s.tzinfo == UTC for s in stamps)
    # Rows made after the restart can only have gone to the new broker: all there.
    assert {alert_of[i] for i in after} <= set(seen)
    # Rows still unpublished at the restart went to the new broker too, except at most the
    # batch the old one acknowledged just before it died (marked a moment later).
    missing = {alert_of[i] for i in pending} - set(seen)
    assert len(missing) <= batch
    assert set(seen) <= {alert_of[i] for i in before | after}
    assert recovered < 20
