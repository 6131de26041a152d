"""What operators watch: /readyz with the database and Kafka, /metrics counting requests,
GraphQL operations and deliveries under route templates, request ids, JSON log lines."""

import io
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine

from hub.alerts.channels import RecordingChannel
from hub.alerts.deliver import Deliverer
from hub.app import create_app
from hub.events.broker import EmbeddedBroker
from hub.observability import ALERT_ID, REQUEST_ID, JsonFormatter
from hub.settings import Settings, get_settings
from tests.alerts.sending import approved_alert


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as b:
        yield b


def _client(engine: Engine, **settings: object) -> TestClient:
    values = get_settings().model_copy(update=settings)
    return TestClient(create_app(engine=engine, settings=values))


def test_ready_when_the_database_and_kafka_answer(
    live_engine: Engine, broker: EmbeddedBroker
) -> None:
    client = _client(live_engine, kafka_bootstrap_servers=broker.bootstrap_servers)
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "problems": []}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_not_ready_without_kafka_or_database(live_engine: Engine, tmp_path: object) -> None:
    closed = "127.0.0.1:9"  # nothing listens on the discard port
    answer = _client(live_engine, kafka_bootstrap_servers=closed).get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["problems"][0].startswith("kafka: ")
    from sqlalchemy import create_engine

    gone = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none")
    answer = _client(gone, kafka_bootstrap_servers=closed).get("/readyz")
    assert answer.status_code == 503
    assert [p.split(":")[0] for p in answer.json()["problems"]] == ["database", "kafka"]


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_count_requests_by_route_template_and_graphql_by_outcome(
    live_engine: Engine,
) -> None:
    client = _client(live_engine)
    route = {"method": "GET", "route": "/ack/{token}", "status": "400"}
    before = _sample("hub_http_requests_total", **route)
    ok_before = _sample("hub_graphql_operations_total", operation="query", outcome="ok")
    client.get("/ack/not-a-token")
    client.post("/graphql", json={"query": "{ centers { slug } }"})
    text = client.get("/metrics").text
    assert "hub_http_request_duration_seconds_bucket" in text
    assert "not-a-token" not in text
    assert _sample("hub_http_requests_total", **route) == before + 1
    assert _sample("hub_graphql_operations_total", operation="query", outcome="ok") == (
        ok_before + 1
    )


def test_a_request_id_is_kept_or_made_and_echoed(live_engine: Engine) -> None:
    client = _client(live_engine)
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32


def test_deliveries_are_counted_by_channel_and_outcome(live_engine: Engine) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=3)
    before = _sample("hub_deliveries_total", channel="email", outcome="sent")
    worker = Deliverer(live_engine, {"email": RecordingChannel("email")}, Settings(), "w")
    worker.deliver(sent.alert_id, sent.delivery_ids)
    assert _sample("hub_deliveries_total", channel="email", outcome="sent") == before + 3
    assert _sample("hub_alert_dispatch_duration_seconds_count") >= 1


def test_json_log_lines_carry_the_request_and_the_alert() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    log = logging.getLogger("hub.test.json")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    request, alert = REQUEST_ID.set("req-1"), ALERT_ID.set("state-20261203-abc")
    try:
        log.info("sent %d", 3)
    finally:
        REQUEST_ID.reset(request)
        ALERT_ID.reset(alert)
        log.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["message"] == "sent 3"
    assert (line["level"], line["logger"]) == ("INFO", "hub.test.json")
    assert (line["request_id"], line["alert_id"]) == ("req-1", "state-20261203-abc")
    assert line["time"].endswith("Z")
