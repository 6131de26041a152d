"""The FastAPI application: /graphql, /ack, /cap, /federation, /catalog.json, /healthz, /readyz,
/metrics, the web console, and HubError as JSON for the non-GraphQL routes."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hub.alerts.feed import cap_router
from hub.alerts.routes import ack_router
from hub.deps import SessionProvider, default_session_provider
from hub.errors import HubError, http_status
from hub.federation.dcat import catalog_router
from hub.federation.routes import federation_router
from hub.graphql.router import graphql_router
from hub.health import health_router
from hub.observability import RequestMetrics, metrics
from hub.settings import Settings, get_settings
from hub.web import mount as mount_console


async def _hub_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    status = http_status(exc)
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field}}
    return JSONResponse(body, status_code=status)


def create_app(
    *,
    engine: Engine | None = None,
    session_provider: SessionProvider | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The app; tests pass a session provider that keeps everything in their transaction, and
    `hub serve` the settings its runtime uses (the embedded broker's address among them)."""
    settings = settings or get_settings()
    sessions = session_provider or default_session_provider(engine)
    app = FastAPI(title="School Safety Hub", docs_url=None, redoc_url=None)
    app.add_exception_handler(HubError, _hub_error)
    app.add_middleware(RequestMetrics)
    app.include_router(graphql_router(settings, sessions))
    app.include_router(ack_router(sessions))
    app.include_router(cap_router(sessions))
    app.include_router(catalog_router(sessions))
    app.include_router(health_router(settings, sessions))
    app.include_router(federation_router(settings, sessions))
    app.add_api_route("/metrics", metrics, include_in_schema=False)
    mount_console(app, settings, sessions)
    return app
