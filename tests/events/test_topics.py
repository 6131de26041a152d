"""Topic names and creating topics on a real broker."""

import pytest
from kafka import KafkaAdminClient

from hub.events.broker import EmbeddedBroker
from hub.events.kafka import client_config
from hub.events.topics import delivery_topic, ensure_topics, topics
from hub.settings import Settings
from tests.events.conftest import settings_for


def test_names_follow_the_prefix_and_exercises_have_their_own_topic() -> None:
    settings = Settings(kafka_topic_prefix="ks")
    assert topics(settings).all() == ("ks.deliveries", "ks.deliveries.exercise", "ks.dead-letter")
    assert delivery_topic(settings, "Actual") == "ks.deliveries"
    assert delivery_topic(settings, "Exercise") == "ks.deliveries.exercise"
    assert delivery_topic(settings, "Test") == "ks.deliveries.exercise"
    with pytest.raises(ValueError, match="not delivered"):
        delivery_topic(settings, "Draft")


def test_ensure_topics_creates_what_is_missing_once(broker: EmbeddedBroker) -> None:
    settings = settings_for(broker, kafka_partitions=3)
    assert ensure_topics(settings) == sorted(topics(settings).all())
    assert ensure_topics(settings) == []  # idempotent

    admin = KafkaAdminClient(**client_config(settings))
    try:
        described = admin.describe_topics(list(topics(settings).all()))
    finally:
        admin.close()
    assert {t["name"]: len(t["partitions"]) for t in described} == dict.fromkeys(
        topics(settings).all(), 3
    )


def test_ensure_topics_completes_a_partial_set(broker: EmbeddedBroker) -> None:
    settings = settings_for(broker)
    admin = KafkaAdminClient(**client_config(settings))
    try:
        spec = {"num_partitions": 1, "replication_factor": 1}
        admin.create_topics({topics(settings).deliveries: spec})
    finally:
        admin.close()
    assert ensure_topics(settings) == sorted(
        [topics(settings).dead_letter, topics(settings).exercise_deliveries]
    )
