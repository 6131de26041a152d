"""Topic names under HUB_KAFKA_TOPIC_PREFIX, and creating the topics that are missing."""

import logging
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaTimeoutError, TopicAlreadyExistsError, for_code

from hub.events.kafka import client_config
from hub.settings import Settings

log = logging.getLogger(__name__)

# CAP status → topic: live and exercise traffic never share a topic, so exercises can be
# consumed, paused or purged without touching live alerts. Draft alerts are never delivered.
LIVE_STATUSES = frozenset({"Actual"})
EXERCISE_STATUSES = frozenset({"Exercise", "Test"})
# Acks slower than this make a flush check that the topics still exist (see flush()).
SLOW_FLUSH_SECONDS = 0.5


@dataclass(frozen=True)
class Topics:
    """The hub's topics: live deliveries, exercise and test deliveries, dead letters."""

    deliveries: str
    exercise_deliveries: str
    dead_letter: str

    def all(self) -> tuple[str, ...]:
        return (self.deliveries, self.exercise_deliveries, self.dead_letter)


def topics(settings: Settings) -> Topics:
    """The hub's topic names for `settings.kafka_topic_prefix`."""
    prefix = settings.kafka_topic_prefix
    return Topics(
        deliveries=f"{prefix}.deliveries",
        exercise_deliveries=f"{prefix}.deliveries.exercise",
        dead_letter=f"{prefix}.dead-letter",
    )


def delivery_topic(settings: Settings, status: str) -> str:
    """Where deliveries of an alert with CAP `status` go."""
    names = topics(settings)
    if status in LIVE_STATUSES:
        return names.deliveries
    if status in EXERCISE_STATUSES:
        return names.exercise_deliveries
    raise ValueError(f"alerts with status {status!r} are not delivered")


def ensure_topics(settings: Settings) -> list[str]:
    """Create the hub's topics that do not exist yet; returns the names created.

    Safe to call from every process at start and after a broker restart: a topic another
    process created first counts as done.
    """
    admin = KafkaAdminClient(**client_config(settings))
    try:
        missing = sorted(set(topics(settings).all()) - set(admin.list_topics()))
        if not missing:
            return []
        spec = {
            "num_partitions": settings.kafka_partitions,
            "replication_factor": settings.kafka_replication_factor,
        }
        response = admin.create_topics(
            dict.fromkeys(missing, spec), raise_errors=False, wait_for_metadata=True
        )
    finally:
        admin.close()
    created = []
    for result in response["topics"]:
        error = for_code(result["error_code"])
        if result["error_code"] == 0:
            created.append(result["name"])
        elif error is not TopicAlreadyExistsError:
            raise error(f"creating topic {result['name']}: {result['error_message']}")
    if created:
        log.info("created Kafka topics %s", ", ".join(created))
    return created


def flush(producer: KafkaProducer, settings: Settings, *, timeout: float) -> None:
    """producer.flush(), re-creating missing topics when the acks are slow.

    A producer whose broker came back empty (Tansu restarted) waits for the leaders of topics
    that are gone, and its metadata requests do not name them, so nothing creates them again
    until the send times out. With the topics back it goes on, or fails for good (unknown
    producer id) and its owner builds a new one. Raises KafkaTimeoutError after `timeout`.
    """
    try:
        producer.flush(timeout=min(SLOW_FLUSH_SECONDS, timeout))
    except KafkaTimeoutError:
        ensure_topics(settings)
        producer.flush(timeout=timeout)
