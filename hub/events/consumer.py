"""The Kafka worker base class: poll loop, commits, retries, dead letters and reconnects."""

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.errors import CommitFailedError, KafkaError

from hub.events.envelope import DEAD_LETTER, Envelope, InvalidEnvelope, hub_source, parse, wrap
from hub.events.kafka import make_consumer, make_producer
from hub.events.topics import ensure_topics, flush, topics
from hub.settings import Settings

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0
TRUNCATION_CHECK_SECONDS = 2.0
SEND_TIMEOUT_SECONDS = 10.0


class Worker(ABC):
    """Consumes `topics` in a consumer group and calls handle() once per message.

    A subclass names the event types it takes and writes handle(); this class owns the rest:
    - the offset of a message is committed only after handle() returned, so the handler
      commits its own database work first and a crash in between means a redelivery;
    - a message that is not a valid event of an accepted type goes to the dead-letter topic
      with the reason, and the worker moves on;
    - when handle() raises, the offset is not committed: the consumer seeks back and the
      message comes again, `max_attempts` times in all, after which it is dead-lettered
      too, so one bad message cannot stall its partition (the database still holds the
      work, and the scheduler re-publishes deliveries that stalled);
    - errors that reach the loop (the broker or coordinator away for longer than a request
      timeout, a dead letter that cannot be sent) close the clients and make them again,
      topics first. A restarted Tansu broker has also forgotten the group and its offsets:
      the consumer rejoins, the commit in flight is refused, and the group reads again from
      the earliest offset, so handlers must be idempotent (the delivery claim is).
    """

    event_types: ClassVar[frozenset[str]]
    max_attempts: ClassVar[int] = 3
    retry_delay_seconds: ClassVar[float] = 0.5
    # Records per poll: all of them must be handled within max_poll_interval (see kafka.py).
    max_poll_records: ClassVar[int] = 1
    poll_timeout_ms: ClassVar[int] = 500

    def __init__(self, settings: Settings, topics: Sequence[str], *, group: str | None = None):
        self.settings = settings
        self.topics = tuple(topics)
        self.group = group or settings.kafka_consumer_group
        self.name = type(self).__name__
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._failures: dict[tuple[str, int, int], int] = {}
        self._checked_at = 0.0

    @abstractmethod
    def handle(self, envelope: Envelope) -> None:
        """Act on one event and commit the database work; raise to have it redelivered."""

    def run_forever(self, stop_event: threading.Event) -> None:
        """Consume until `stop_event` is set; then leave the group, so others take over."""
        backoff = 0.0
        try:
            while not stop_event.is_set():
                try:
                    self._poll_once(stop_event)
                    backoff = 0.0
                except CommitFailedError as exc:
                    # The group rebalanced under us; the new owner reads these records again.
                    log.warning("%s: commit refused: %s", self.name, exc)
                except Exception as exc:  # a worker thread must not die of one failure
                    backoff = min(max(backoff * 2, 0.2), MAX_BACKOFF_SECONDS)
                    if isinstance(exc, KafkaError):
                        log.warning("%s: %r; reconnecting in %.1f s", self.name, exc, backoff)
                    else:
                        log.exception("%s failed; reconnecting in %.1f s", self.name, backoff)
                    self._disconnect()
                    stop_event.wait(backoff)
        finally:
            self._disconnect()

    def _poll_once(self, stop_event: threading.Event) -> None:
        """Handle what one poll returns, then commit each partition past what was handled."""
        consumer = self._connect()
        records = consumer.poll(timeout_ms=self.poll_timeout_ms)
        if not records:
            self._rewind_truncated(consumer)
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for partition, messages in records.items():
            for message in messages:
                if not self._process(message, stop_event):
                    consumer.seek(partition, message.offset)
                    break
                offsets[partition] = OffsetAndMetadata(message.offset + 1, "", -1)
        if offsets:
            consumer.commit(offsets)

    def _process(self, message: Any, stop_event: threading.Event) -> bool:
        """True when the message is done with (handled or dead-lettered)."""
        try:
            envelope = parse(message.value or b"", accept=self.event_types)
        except InvalidEnvelope as exc:
            self._dead_letter(message, str(exc))
            return True
        where = (message.topic, message.partition, message.offset)
        try:
            self.handle(envelope)
        except Exception as exc:  # the worker outlives any one message
            attempts = self._failures.pop(where, 0) + 1
            log.exception(
                "%s: handling %s/%s@%s failed (attempt %d of %d)",
                self.name,
                *where,
                attempts,
                self.max_attempts,
            )
            if attempts >= self.max_attempts:
                self._dead_letter(message, f"handler failed {attempts} times: {exc!r}")
                return True
            self._failures[where] = attempts
            stop_event.wait(self.retry_delay_seconds * attempts)
            return False
        self._failures.pop(where, None)
        return True

    def _rewind_truncated(self, consumer: KafkaConsumer) -> None:
        """When idle, now and then: a partition whose end lies before our position was made
        anew (a restarted Tansu keeps nothing, and kafka-python does not always notice), so
        read it again from its beginning instead of waiting past messages that will never
        come."""
        now = time.monotonic()
        if now - self._checked_at < TRUNCATION_CHECK_SECONDS:
            return
        self._checked_at = now
        assigned = list(consumer.assignment())
        if not assigned:
            return
        for tp, end in consumer.end_offsets(assigned).items():
            if consumer.position(tp) > end:
                log.warning("%s: %s/%s ends before our position: re-reading it", self.name, *tp)
                consumer.seek_to_beginning(tp)

    def lag(self) -> dict[tuple[str, int], int]:
        """Messages behind the end of each assigned partition (empty when not connected)."""
        consumer = self._consumer
        if consumer is None:
            return {}
        assigned = list(consumer.assignment())
        ends = consumer.end_offsets(assigned) if assigned else {}
        return {
            (tp.topic, tp.partition): max(0, end - consumer.position(tp))
            for tp, end in ends.items()
        }

    def _dead_letter(self, message: Any, reason: str) -> None:
        """Publish the message with the reason, waiting for the broker; raises KafkaError so
        the message is not committed when that fails."""
        key = message.key.decode("utf-8", "replace") if message.key is not None else None
        data = {
            "reason": reason,
            "topic": message.topic,
            "partition": message.partition,
            "offset": message.offset,
            "key": key,
            "value": (message.value or b"").decode("utf-8", "replace"),
        }
        event = wrap(
            DEAD_LETTER,
            data,
            source=hub_source(self.settings),
            subject=f"{message.topic}/{message.partition}/{message.offset}",
        )
        if self._producer is None:
            # A dead letter twice is harmless; a producer that outlives a broker restart, as a
            # non-idempotent one does, saves a reconnect.
            self._producer = make_producer(self.settings, idempotent=False)
        future = self._producer.send(topics(self.settings).dead_letter, key=key, value=event)
        flush(self._producer, self.settings, timeout=SEND_TIMEOUT_SECONDS)
        future.get(timeout=0)  # raises what the send failed with
        log.warning(
            "%s: dead-lettered %s/%s@%s: %s",
            self.name,
            message.topic,
            message.partition,
            message.offset,
            reason,
        )

    def _connect(self) -> KafkaConsumer:
        if self._consumer is None:
            ensure_topics(self.settings)
            self._consumer = make_consumer(
                self.settings, self.topics, self.group, max_poll_records=self.max_poll_records
            )
            # After a broker restart offsets are reused: old attempt counts would be wrong.
            self._failures.clear()
        return self._consumer

    def _disconnect(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._producer = self._producer, None
        try:
            if consumer is not None:
                consumer.close(autocommit=False, timeout_ms=5000)
            if producer is not None:
                producer.close(timeout=5)
        except KafkaError as exc:
            log.debug("%s: closing clients: %r", self.name, exc)
