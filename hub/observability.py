"""What operators watch: Prometheus metrics, JSON logs carrying request and alert ids, and the
ASGI middleware that times and counts every HTTP request under its route template."""

import json
import logging
import time
import uuid
from contextvars import ContextVar
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
ALERT_ID: ContextVar[str | None] = ContextVar("alert_id", default=None)

HTTP_REQUESTS = Counter(
    "hub_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "hub_http_request_duration_seconds", "HTTP request duration", ["method", "route"]
)
GRAPHQL_OPERATIONS = Counter(
    "hub_graphql_operations_total",
    "GraphQL operations by type and outcome (ok, error: the answer carried errors)",
    ["operation", "outcome"],
)
DELIVERIES = Counter(
    "hub_deliveries_total",
    "Delivery attempts by channel and outcome (sent, retry, failed)",
    ["channel", "outcome"],
)
DISPATCH_SECONDS = Histogram(
    "hub_alert_dispatch_duration_seconds",
    "From an alert's sending to its last delivery recorded",
    buckets=(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
CONSUMER_LAG = Gauge(
    "hub_consumer_lag_messages",
    "Delivery messages not yet consumed by this worker's partitions",
    ["topic", "partition"],
)
SYNC_RUNS = Counter(
    "hub_sync_runs_total",
    "Federation sync runs by partner, direction and outcome (succeeded, failed, blocked)",
    ["partner", "direction", "outcome"],
)
SYNC_CHANGES = Counter(
    "hub_sync_changes_total",
    "Changes handled by federation syncs, by partner and what became of them",
    ["partner", "result"],
)
HEADER = "x-request-id"


def metrics() -> Response:
    """The Prometheus exposition of this process's metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request and alert the
    line belongs to (from the context, or an `alert_id` given in `extra`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        alert_id = getattr(record, "alert_id", None) or ALERT_ID.get()
        if request_id:
            entry["request_id"] = request_id
        if alert_id:
            entry["alert_id"] = alert_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime


def configure_logging(level: str, fmt: str) -> None:
    """Root logging to stderr, as JSON (`fmt` "json") or plain lines; kafka-python's own chatter
    only from WARNING up."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("kafka").setLevel(logging.WARNING)


class RequestMetrics:
    """ASGI middleware: a request id for every request (the caller's X-Request-ID, or a new
    one), echoed in the response and put on every log line; each request counted and timed
    under its route template (/ack/{token}, never the token itself)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Request(scope).headers.get(HEADER, "")
        request_id = given if 0 < len(given) <= 100 else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(method, path, str(status)).inc()
            HTTP_SECONDS.labels(method, path).observe(time.perf_counter() - started)
            REQUEST_ID.reset(token)
