"""The CloudEvents envelope: what is built, what is accepted, and why the rest is refused."""

import json
from typing import Any

import jsonschema
import pytest

from hub.events import envelope
from hub.settings import get_settings


def _batch(**data: Any) -> dict[str, Any]:
    return envelope.delivery_batch(
        alert_id=data.get("alert_id", 7),
        identifier="urn:oid:2.49.0.1.840.0.1",
        delivery_ids=data.get("delivery_ids", [1, 2, 3]),
        district=data.get("district", "0100005"),
    )


def test_schemas_are_valid_draft_2020_12() -> None:
    for path in sorted((get_settings().schemas_dir / "events").glob("*.schema.json")):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


def test_a_delivery_batch_round_trips() -> None:
    event = _batch()
    assert event["specversion"] == "1.0"
    assert event["type"] == envelope.DELIVERY_BATCH
    assert event["source"] == "/centers/state"
    assert event["subject"] == "urn:oid:2.49.0.1.840.0.1"
    assert event["datacontenttype"] == "application/json"

    parsed = envelope.parse(json.dumps(event).encode(), accept={envelope.DELIVERY_BATCH})
    assert parsed.id == event["id"]
    assert parsed.data == {"alert_id": 7, "delivery_ids": [1, 2, 3], "district": "0100005"}
    assert parsed.time.tzinfo is not None


def test_each_event_gets_its_own_id() -> None:
    assert _batch()["id"] != _batch()["id"]


def test_wrap_refuses_bad_data_at_the_source() -> None:
    with pytest.raises(envelope.InvalidEnvelope, match="should be non-empty"):
        _batch(delivery_ids=[])
    too_many = list(range(1, envelope.MAX_DELIVERY_IDS + 2))
    with pytest.raises(envelope.InvalidEnvelope, match="data/delivery_ids: fails maxItems 500"):
        _batch(delivery_ids=too_many)
    assert len(_batch(delivery_ids=too_many[:-1])["data"]["delivery_ids"]) == 500


def _with(**changes: Any) -> bytes:
    event = _batch()
    for name, value in changes.items():
        if value is None:
            del event[name]
        else:
            event[name] = value
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xff\xfe not json", "not JSON"),
        (b"[1, 2]", "envelope: [1, 2] is not of type 'object'"),
        (_with(specversion="0.3"), "envelope/specversion: '1.0' was expected"),
        (_with(id=None), "envelope: 'id' is a required property"),
        (_with(time="yesterday"), "envelope: time 'yesterday' is not RFC 3339"),
        (_with(time="2026-01-01T10:00:00"), "has no UTC offset"),
        (_with(type="hub.unknown.v1"), "unknown event type 'hub.unknown.v1'"),
        (_with(datacontenttype="text/xml"), "envelope/datacontenttype"),
        (_with(Extension="x"), "'Extension' does not match"),
        (_with(data={"alert_id": "7", "delivery_ids": [1], "district": None}), "data/alert_id"),
        (_with(data={"alert_id": 7, "delivery_ids": [1, 1], "district": None}), "non-unique"),
        (_with(data={"alert_id": 7, "delivery_ids": [1]}), "'district' is a required"),
        (
            _with(data={"alert_id": 7, "delivery_ids": [1], "district": None, "extra": 1}),
            "Additional properties are not allowed",
        ),
    ],
)
def test_parse_refuses_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(envelope.InvalidEnvelope) as caught:
        envelope.parse(raw)
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 400  # fits a log line and a dead letter


def test_parse_can_limit_the_types_it_takes() -> None:
    with pytest.raises(envelope.InvalidEnvelope, match="is not handled here"):
        envelope.parse(_with(), accept={envelope.DEAD_LETTER})


def test_extension_attributes_are_allowed() -> None:
    assert envelope.parse(_with(traceparent="00-abc-def-01")).type == envelope.DELIVERY_BATCH
