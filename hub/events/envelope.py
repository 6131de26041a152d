"""The CloudEvents 1.0 envelope of hub messages: building one, and checking one that arrives."""

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from hub.db import utcnow
from hub.settings import Settings, get_settings

DELIVERY_BATCH = "hub.delivery.batch.v1"
DEAD_LETTER = "hub.dead-letter.v1"
# The largest batch one delivery message carries (delivery-batch.schema.json says the same).
MAX_DELIVERY_IDS = 500

ENVELOPE_SCHEMA = "cloudevent.schema.json"
DATA_SCHEMAS = {
    DELIVERY_BATCH: "delivery-batch.schema.json",
    DEAD_LETTER: "dead-letter.schema.json",
}


class InvalidEnvelope(ValueError):
    """A message that is not a hub event we can use; the reason says why, for the dead letter."""


@dataclass(frozen=True)
class Envelope:
    """A received event, checked: `data` matches the schema of its `type`."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str | None
    data: dict[str, Any]


def hub_source(settings: Settings) -> str:
    """The CloudEvents `source` of messages this hub produces."""
    return f"/centers/{settings.center_slug}"


def wrap(
    event_type: str,
    data: dict[str, Any],
    *,
    source: str,
    subject: str | None = None,
) -> dict[str, Any]:
    """A new event around `data`, as the JSON object to publish (or to store in the outbox).

    Raises InvalidEnvelope when `data` does not match its schema: better refused in the
    transaction that made it than dead-lettered later.
    """
    event: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "type": event_type,
        "time": utcnow().isoformat(),
        "datacontenttype": "application/json",
        "data": data,
    }
    if subject is not None:
        event["subject"] = subject
    validate(event)
    return event


def delivery_batch(
    *, alert_id: int, identifier: str, delivery_ids: list[int], district: str | None
) -> dict[str, Any]:
    """The event announcing up to MAX_DELIVERY_IDS deliveries of an alert in one district;
    its subject is the alert's CAP identifier."""
    data = {"alert_id": alert_id, "delivery_ids": delivery_ids, "district": district}
    return wrap(DELIVERY_BATCH, data, source=hub_source(get_settings()), subject=identifier)


def parse(raw: bytes | str, *, accept: Collection[str] | None = None) -> Envelope:
    """The envelope in a received message, checked against the envelope and data schemas.

    `accept` limits the event types the caller handles. Raises InvalidEnvelope.
    """
    try:
        event = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEnvelope(f"not JSON: {exc}") from exc
    validate(event)
    if accept is not None and event["type"] not in accept:
        raise InvalidEnvelope(f"type {event['type']!r} is not handled here")
    return Envelope(
        id=event["id"],
        source=event["source"],
        type=event["type"],
        time=datetime.fromisoformat(event["time"]),
        subject=event.get("subject"),
        data=event["data"],
    )


def validate(event: Any) -> None:
    """Check an event object against the envelope schema and its type's data schema."""
    _check(_validator(ENVELOPE_SCHEMA), event, "envelope")
    # The schema's date-time format is only checked when rfc3339-validator is installed.
    try:
        moment = datetime.fromisoformat(event["time"])
    except ValueError as exc:
        raise InvalidEnvelope(f"envelope: time {event['time']!r} is not RFC 3339") from exc
    if moment.tzinfo is None:
        raise InvalidEnvelope(f"envelope: time {event['time']!r} has no UTC offset")
    schema = DATA_SCHEMAS.get(event["type"])
    if schema is None:
        raise InvalidEnvelope(f"unknown event type {event['type']!r}")
    _check(_validator(schema), event["data"], "data")


def _check(validator: jsonschema.Draft202012Validator, instance: Any, what: str) -> None:
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        message = error.message
        if len(message) > 200:  # jsonschema quotes the whole instance: name the rule instead
            message = f"fails {error.validator} {error.validator_value!r}"[:200]
        raise InvalidEnvelope(f"{what}{'/' + where if where else ''}: {message}")


@lru_cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    path = get_settings().schemas_dir / "events" / name
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
