"""Kafka client factories built from Settings, so every client connects and retries alike."""

import json
from collections.abc import Sequence
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.serializer import Serializer

from hub.settings import Settings

# Tansu answers a group join after about half the session timeout: 6 s joins in ~3 s, the
# client default of 45 s in ~23 s. Heartbeats come from a background thread, so a handler
# that runs long does not end the session; only max_poll_interval bounds it.
SESSION_TIMEOUT_MS = 6_000
HEARTBEAT_INTERVAL_MS = 1_000
# The longest a worker may spend on the records of one poll before the group evicts it. With
# one record per poll, a delivery batch of 500 e-mails may take 0.6 s each. Overrunning is
# safe: the partition moves, the next owner re-reads the message and the conditional claim
# skips deliveries already taken. Measured on Tansu, this value does not slow group joins.
MAX_POLL_INTERVAL_MS = 300_000


def client_config(settings: Settings) -> dict[str, Any]:
    """Connection and security options shared by producers, consumers and the admin client."""
    if not settings.kafka_bootstrap_servers:
        raise ValueError(
            "HUB_KAFKA_BOOTSTRAP_SERVERS is not set; start the embedded broker and set it"
        )
    config: dict[str, Any] = {
        "bootstrap_servers": [s.strip() for s in settings.kafka_bootstrap_servers.split(",")],
        "client_id": f"hub-{settings.center_slug}",
        "security_protocol": settings.kafka_security_protocol,
        # Fail a first connection after 10 s rather than 30, so loops that reconnect stay
        # responsive to shutdown while the broker is away.
        "bootstrap_timeout_ms": 10_000,
    }
    if settings.kafka_sasl_mechanism:
        config["sasl_mechanism"] = settings.kafka_sasl_mechanism
        config["sasl_plain_username"] = settings.kafka_sasl_username
        if settings.kafka_sasl_password is not None:
            config["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_ssl_cafile:
        config["ssl_cafile"] = str(settings.kafka_ssl_cafile)
    return config


class JsonSerializer(Serializer):  # type: ignore[misc]  # kafka-python is untyped
    """Compact UTF-8 JSON, the wire format of every hub message."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class TextSerializer(Serializer):  # type: ignore[misc]
    """Keys as UTF-8; None stays None (no key)."""

    def serialize(
        self, topic: str, headers: list[tuple[str, bytes]], data: str | None
    ) -> bytes | None:
        return None if data is None else data.encode("utf-8")


def make_producer(settings: Settings, *, idempotent: bool = True) -> KafkaProducer:
    """A producer waiting for all in-sync replicas; JSON values, text keys.

    Idempotent unless asked otherwise: retries then never duplicate or reorder. The price is
    that such a producer fails for good when the broker forgets its producer id (Tansu does on
    every restart), and its owner must build a new one.
    """
    return KafkaProducer(
        **client_config(settings),
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=5,
        # send() waits this long for metadata of a topic; callers retry anyway.
        max_block_ms=10_000,
        value_serializer=JsonSerializer(),
        key_serializer=TextSerializer(),
    )


def make_consumer(
    settings: Settings, topics: Sequence[str], group: str, *, max_poll_records: int = 1
) -> KafkaConsumer:
    """A group consumer that commits by hand; values stay bytes so bad ones can be
    dead-lettered instead of failing inside poll()."""
    return KafkaConsumer(
        *topics,
        **client_config(settings),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        max_poll_interval_ms=MAX_POLL_INTERVAL_MS,
        max_poll_records=max_poll_records,
    )
