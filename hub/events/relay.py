"""The outbox relay: publishes committed outbox rows to Kafka and marks them published."""

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, cast

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from sqlalchemy import CursorResult, Engine, Row, Select, select, update
from sqlalchemy.orm import Session

from hub.db import get_engine, session_scope, utcnow
from hub.errors import UpstreamUnavailable
from hub.events.kafka import make_producer
from hub.events.models import OutboxMessage
from hub.events.topics import ensure_topics, flush
from hub.settings import Settings

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 5.0


def enqueue(session: Session, topic: str, key: str, payload: dict[str, Any]) -> OutboxMessage:
    """Add a message to publish once the caller's transaction commits (never before, never
    lost after). `payload` is an event from envelope.wrap(); `key` picks the partition, ""
    for none. Does not flush or commit."""
    message = OutboxMessage(topic=topic, key=key, payload=payload)
    session.add(message)
    return message


class Relay:
    """Publishes unpublished outbox rows in id order, a batch at a time, and marks a row
    published only once the broker acknowledged it. Whatever was not acknowledged stays in
    the outbox and goes again: at least once, and consumers deduplicate. Several relays may
    run at once; a row is marked once."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.5,
        flush_timeout_seconds: float = 10.0,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.flush_timeout_seconds = flush_timeout_seconds
        self._producer: KafkaProducer | None = None

    def run_once(self) -> int:
        """Publish one batch; returns how many rows this relay marked published.

        Raises UpstreamUnavailable when the broker did not take the whole batch. The rows it
        did acknowledge are marked first, and the producer is dropped: an idempotent producer
        that lost its broker (Tansu restarted: unknown producer id, sequence errors) stays
        broken, so the next call builds a new one and re-creates the topics.
        """
        engine = self.engine or get_engine()
        if engine.dialect.name == "postgresql":
            # Rows locked while they are published, skipped by other relays: several worker
            # pods each run a relay, and none publishes a row another is publishing.
            with session_scope(engine) as session:
                rows = session.execute(self._pending().with_for_update(skip_locked=True)).all()
                marked, failure = self._publish(rows, lambda ids: self._mark_in(session, ids))
        else:
            # SQLite has one writer: holding it while Kafka answers would stall every worker.
            with session_scope(engine, write=False) as session:
                rows = session.execute(self._pending()).all()
            marked, failure = self._publish(rows, self._mark)
        if failure is not None:
            self._drop_producer()
            raise UpstreamUnavailable(
                f"Kafka took {marked} of {len(rows)} messages: {failure!r}"
            ) from failure
        return marked

    def _pending(self) -> Select[Any]:
        return (
            select(OutboxMessage.id, OutboxMessage.topic, OutboxMessage.key, OutboxMessage.payload)
            .where(OutboxMessage.published_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(self.batch_size)
        )

    def _publish(
        self, rows: Sequence[Row[Any]], mark: Callable[[list[int]], int]
    ) -> tuple[int, BaseException | None]:
        """Send `rows`, wait for the broker, mark what it acknowledged; (marked, failure)."""
        if not rows:
            return 0, None
        sent = []
        failure: BaseException | None = None
        try:
            producer = self._connect()
            for row in rows:
                sent.append(
                    (row.id, producer.send(row.topic, key=row.key or None, value=row.payload))
                )
            flush(producer, self.settings, timeout=self.flush_timeout_seconds)
        except KafkaError as exc:
            failure = exc
        acked = [row_id for row_id, future in sent if future.is_done and future.succeeded()]
        if failure is None and len(acked) < len(rows):
            failure = next(
                (f.exception for _, f in sent if f.is_done and f.failed()),
                KafkaTimeoutError("no acknowledgement"),
            )
        return mark(acked), failure

    def run_forever(self, stop_event: threading.Event) -> None:
        """Relay until `stop_event` is set, waiting `idle_seconds` when the outbox is empty and
        backing off (up to 5 s) while Kafka or the database is unavailable."""
        backoff = 0.0
        try:
            while not stop_event.is_set():
                try:
                    count = self.run_once()
                except UpstreamUnavailable as exc:
                    backoff = min(max(backoff * 2, 0.1), MAX_BACKOFF_SECONDS)
                    log.warning("outbox relay: %s; again in %.1f s", exc.message, backoff)
                    stop_event.wait(backoff)
                    continue
                except Exception:
                    backoff = min(max(backoff * 2, 0.1), MAX_BACKOFF_SECONDS)
                    log.exception("outbox relay failed; again in %.1f s", backoff)
                    stop_event.wait(backoff)
                    continue
                backoff = 0.0
                if count == 0:
                    stop_event.wait(self.idle_seconds)
        finally:
            self.close()

    def close(self) -> None:
        """Send what is buffered and close the producer."""
        if self._producer is not None:
            producer, self._producer = self._producer, None
            producer.close(timeout=self.flush_timeout_seconds)

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            ensure_topics(self.settings)
            self._producer = make_producer(self.settings)
        return self._producer

    def _drop_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=1)
            except KafkaError as exc:
                log.debug("closing a failed producer: %r", exc)

    def _mark(self, ids: list[int]) -> int:
        if not ids:
            return 0
        with session_scope(self.engine) as session:
            return self._mark_in(session, ids)

    @staticmethod
    def _mark_in(session: Session, ids: list[int]) -> int:
        if not ids:
            return 0
        # Conditional, so a row another relay marked first keeps its time and counts once.
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.published_at.is_(None))
            .values(published_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        return cast(CursorResult[Any], result).rowcount
