"""Fixtures for the Kafka tests: a real Tansu broker on 127.0.0.1, settings with topics of
their own per test, a fresh database the relay can commit to, and helpers that run loops in
threads and read topics back."""

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine

from hub.events import envelope
from hub.events.broker import EmbeddedBroker
from hub.events.kafka import client_config, make_producer
from hub.events.topics import ensure_topics
from hub.settings import Settings
from tests.fresh_db import migrated_engine


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    """One broker for the tests that never restart it."""
    with EmbeddedBroker(log_path=tmp_path_factory.mktemp("kafka") / "tansu.log") as b:
        yield b


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    """A broker of the test's own, for tests that restart it (starting one takes ~50 ms)."""
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as b:
        yield b


def settings_for(broker: EmbeddedBroker, **overrides: Any) -> Settings:
    """Settings on `broker` with a topic prefix and consumer group no other test uses."""
    tag = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": broker.bootstrap_servers,
        "kafka_topic_prefix": f"t{tag}",
        "kafka_consumer_group": f"g{tag}",
    }
    return Settings(**(values | overrides))


@pytest.fixture
def kafka_settings(broker: EmbeddedBroker) -> Settings:
    return settings_for(broker)


@pytest.fixture
def outbox_engine(db_url: str, tmp_path: Path) -> Iterator[Engine]:
    """A new migrated database of each kind: the relay commits, so no savepoint fixture."""
    with migrated_engine(db_url, tmp_path) as engine:
        yield engine


@contextmanager
def running(loop: Callable[[threading.Event], None]) -> Iterator[threading.Event]:
    """Run `loop(stop_event)` in a thread; on leaving, stop it and check that it ended."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(stop,), daemon=True)
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the loop did not stop"


def wait_for(condition: Callable[[], bool], *, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def read_topic(settings: Settings, topic: str) -> list[Any]:
    """Every record now in `topic`, read without a consumer group (no join to wait for)."""
    consumer = KafkaConsumer(
        **client_config(settings), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + 20
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
        return records
    finally:
        consumer.close()


def publish(
    settings: Settings,
    topic: str,
    events: list[dict[str, Any]],
    *,
    key: str | None = None,
    partition: int | None = None,
) -> list[Any]:
    """Send `events` as the relay would and wait for the acks; their RecordMetadata."""
    ensure_topics(settings)
    producer = make_producer(settings)
    try:
        futures = [
            producer.send(topic, key=key, value=event, partition=partition) for event in events
        ]
        return [future.get(timeout=10) for future in futures]
    finally:
        producer.close()


def batch_event(alert_id: int, district: str | None = None) -> dict[str, Any]:
    """A valid delivery-batch event naming `alert_id`, so tests can tell messages apart."""
    return envelope.delivery_batch(
        alert_id=alert_id, identifier=f"alert-{alert_id}", delivery_ids=[1], district=district
    )
