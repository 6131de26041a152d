"""The worker base class against a real broker: commits, redelivery, dead letters, restarts and
partitions shared in a group."""

import json
import threading
import time
from collections import Counter
from typing import ClassVar

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from hub.events import envelope
from hub.events.broker import EmbeddedBroker
from hub.events.consumer import Worker
from hub.events.kafka import client_config
from hub.events.topics import ensure_topics, topics
from hub.settings import Settings
from tests.events.conftest import (
    batch_event,
    publish,
    read_topic,
    running,
    settings_for,
    wait_for,
)


class Recorder(Worker):
    """Records the alert id of every batch it handles; fails or blocks on request."""

    event_types = frozenset({envelope.DELIVERY_BATCH})
    retry_delay_seconds: ClassVar[float] = 0.05

    def __init__(
        self,
        settings: Settings,
        *,
        failures: dict[int, int] | None = None,
        gates: dict[int, threading.Event] | None = None,
    ) -> None:
        super().__init__(settings, [topics(settings).deliveries])
        self.failures = failures or {}  # alert id → how many times to raise first
        self.gates = gates or {}  # alert id → wait for this before returning
        self.calls: Counter[int] = Counter()
        self.done: list[int] = []
        self.in_handler = threading.Event()

    def handle(self, event: envelope.Envelope) -> None:
        alert_id = event.data["alert_id"]
        self.calls[alert_id] += 1
        if self.calls[alert_id] <= self.failures.get(alert_id, 0):
            raise RuntimeError(f"alert {alert_id} failed on purpose")
        if alert_id in self.gates:
            self.in_handler.set()
            assert self.gates[alert_id].wait(10)
        self.done.append(alert_id)


def committed(settings: Settings, partition: TopicPartition) -> int | None:
    """The group's committed offset (asked without joining the group)."""
    consumer = KafkaConsumer(
        **client_config(settings),
        group_id=settings.kafka_consumer_group,
        enable_auto_commit=False,
    )
    try:
        offset: int | None = consumer.committed(partition)
        return offset
    finally:
        consumer.close()


def test_commits_only_after_handle_returned_and_redelivers_what_raised(
    kafka_settings: Settings,
) -> None:
    topic = topics(kafka_settings).deliveries
    gate = threading.Event()
    worker = Recorder(kafka_settings, failures={2: 1}, gates={3: gate})
    # One partition, so offsets say exactly how far the group got.
    metas = publish(kafka_settings, topic, [batch_event(n) for n in (1, 2, 3, 4)], partition=0)
    assert [m.offset for m in metas] == [0, 1, 2, 3]
    partition = TopicPartition(topic, 0)

    with running(worker.run_forever):
        wait_for(worker.in_handler.is_set, what="the handler of message 3")
        # 1 and 2 are done (2 on its second delivery); 3 is being handled: not committed.
        assert committed(kafka_settings, partition) == 2
        gate.set()
        wait_for(lambda: committed(kafka_settings, partition) == 4, what="all committed")

    assert worker.calls == {1: 1, 2: 2, 3: 1, 4: 1}
    assert worker.done == [1, 2, 3, 4]  # the failed one was retried before moving on


def test_dead_letters_what_it_cannot_use(kafka_settings: Settings) -> None:
    names = topics(kafka_settings)
    ensure_topics(kafka_settings)
    not_ours = envelope.wrap(
        envelope.DEAD_LETTER,
        {"reason": "x", "topic": "t", "partition": 0, "offset": 0, "key": None, "value": ""},
        source="/elsewhere",
    )
    bad_data = batch_event(1) | {"data": {"alert_id": 1, "delivery_ids": [], "district": None}}
    raw = KafkaProducer(**client_config(kafka_settings))
    for value in (b"not json", json.dumps(not_ours).encode(), json.dumps(bad_data).encode()):
        raw.send(names.deliveries, key=b"k", value=value, partition=0)
    raw.close()
    publish(kafka_settings, names.deliveries, [batch_event(7), batch_event(8)], partition=0)
    worker = Recorder(kafka_settings, failures={7: 99})

    with running(worker.run_forever):
        wait_for(lambda: worker.done == [8], what="the good message")
        partition = TopicPartition(names.deliveries, 0)
        wait_for(lambda: committed(kafka_settings, partition) == 5, what="all committed")

    assert worker.calls[7] == Worker.max_attempts
    letters = [envelope.parse(r.value) for r in read_topic(kafka_settings, names.dead_letter)]
    assert {letter.type for letter in letters} == {envelope.DEAD_LETTER}
    by_offset = {letter.data["offset"]: letter.data for letter in letters}
    assert sorted(by_offset) == [0, 1, 2, 3]
    assert by_offset[0]["reason"].startswith("not JSON")
    assert by_offset[0]["value"] == "not json"
    assert by_offset[0]["key"] == "k"
    assert "is not handled here" in by_offset[1]["reason"]
    assert by_offset[2]["reason"] == "data/delivery_ids: [] should be non-empty"
    assert by_offset[3]["reason"].startswith("handler failed 3 times: RuntimeError(")
    assert json.loads(by_offset[3]["value"])["data"]["alert_id"] == 7
    assert {(d["topic"], d["partition"]) for d in by_offset.values()} == {(names.deliveries, 0)}


def _send_garbage(settings: Settings) -> None:
    raw = KafkaProducer(**client_config(settings))
    raw.send(topics(settings).deliveries, value=b"garbage").get(timeout=10)
    raw.close()


def test_recovers_after_a_broker_restart(own_broker: EmbeddedBroker) -> None:
    settings = settings_for(own_broker)
    names = topics(settings)
    worker = Recorder(settings)
    # Several messages per partition, so the worker's positions are past offset 0 when the
    # broker comes back empty: it must start again from the earliest offset, not skip.
    publish(settings, names.deliveries, [batch_event(n, f"d{n % 3}") for n in range(1, 13)])
    _send_garbage(settings)  # so that a dead-letter producer exists, and dies with the broker

    with running(worker.run_forever):
        wait_for(lambda: len(worker.done) == 12, what="the first messages")
        wait_for(lambda: len(read_topic(settings, names.dead_letter)) == 1)
        own_broker.restart()
        restarted = time.monotonic()
        publish(settings, names.deliveries, [batch_event(n, f"d{n % 3}") for n in range(13, 19)])
        _send_garbage(settings)
        wait_for(lambda: set(range(13, 19)) <= set(worker.done), timeout=30, what="recovery")
        recovered = time.monotonic() - restarted
        wait_for(lambda: len(read_topic(settings, names.dead_letter)) == 1, timeout=30)

    assert sorted(set(worker.done)) == list(range(1, 19))
    assert recovered < 15


def test_two_workers_in_a_group_split_the_partitions(kafka_settings: Settings) -> None:
    topic = topics(kafka_settings).deliveries
    first, second = Recorder(kafka_settings), Recorder(kafka_settings)
    partition_of: dict[int, int] = {}
    alert_ids = iter(range(1, 10_000))

    def send_one_per_partition() -> list[int]:
        sent = []
        for p in range(kafka_settings.kafka_partitions):
            alert_id = next(alert_ids)
            (meta,) = publish(kafka_settings, topic, [batch_event(alert_id)], partition=p)
            partition_of[alert_id] = meta.partition
            sent.append(alert_id)
        return sent

    with running(first.run_forever), running(second.run_forever):
        # Warm up until both have handled something: then both are in the same generation.
        deadline = time.monotonic() + 30
        while not (first.done and second.done):
            assert time.monotonic() < deadline, "the group never gave both workers partitions"
            send_one_per_partition()
            time.sleep(0.3)
        wait_for(lambda: len(set(first.done) | set(second.done)) == len(partition_of))
        checked = [a for _ in range(10) for a in send_one_per_partition()]
        wait_for(lambda: set(checked) <= set(first.done) | set(second.done))

    mine = {a for a in first.done if a in checked}
    theirs = {a for a in second.done if a in checked}
    assert mine
    assert theirs
    assert not (mine & theirs)
    assert mine | theirs == set(checked)
    # Each partition belongs to one of them.
    assert not ({partition_of[a] for a in mine} & {partition_of[a] for a in theirs})
