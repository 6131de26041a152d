"""Liveness and readiness: /healthz says the process answers; /readyz that the database and
Kafka answer too (each check cached a few seconds, so probes cost the backends little)."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from kafka import KafkaAdminClient
from kafka.errors import KafkaError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from hub.deps import SessionProvider
from hub.events.kafka import client_config
from hub.settings import Settings

CACHE_SECONDS = 5.0
KAFKA_TIMEOUT_MS = 2000


@dataclass
class _Cached:
    """The last answer of a check, and when it was taken."""

    check: Callable[[], str | None]
    at: float = -CACHE_SECONDS
    problem: str | None = field(default=None)

    def __call__(self) -> str | None:
        now = time.monotonic()
        if now - self.at >= CACHE_SECONDS:
            self.problem, self.at = self.check(), now
        return self.problem


def health_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    """GET /healthz and GET /readyz."""
    router = APIRouter()

    def database() -> str | None:
        try:
            with sessions(False) as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            return f"database: {type(exc).__name__}"
        return None

    def kafka() -> str | None:
        if not settings.kafka_bootstrap_servers:
            return "kafka: no bootstrap servers (HUB_KAFKA_BOOTSTRAP_SERVERS)"
        try:
            config = client_config(settings) | {
                "bootstrap_timeout_ms": KAFKA_TIMEOUT_MS,
                "request_timeout_ms": KAFKA_TIMEOUT_MS,
            }
            admin = KafkaAdminClient(**config)
            try:
                admin.describe_cluster()
            finally:
                admin.close()
        except (KafkaError, OSError) as exc:
            return f"kafka: {type(exc).__name__}"
        return None

    checks = {"database": _Cached(database), "kafka": _Cached(kafka)}

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    def readyz() -> JSONResponse:
        problems = [p for p in (check() for check in checks.values()) if p is not None]
        body = {"status": "ready" if not problems else "not ready", "problems": problems}
        return JSONResponse(body, status_code=503 if problems else 200)

    return router
