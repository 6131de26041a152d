"""The FastAPI application: /graphql, /healthz, and HubError as JSON for the non-GraphQL routes."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hub.alerts.feed import cap_router
from hub.alerts.routes import ack_router
from hub.deps import SessionProvider, default_session_provider
from hub.errors import (
    Conflict,
    HubError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    UpstreamUnavailable,
)
from hub.graphql.router import graphql_router
from hub.settings import get_settings

_STATUS: dict[type[HubError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    InvalidInput: 422,
    Conflict: 409,
    UpstreamUnavailable: 503,
}


async def _hub_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HubError)
    status = next((s for kind, s in _STATUS.items() if isinstance(exc, kind)), 400)
    body = {"error": {"code": exc.code, "message": exc.message, "field": exc.field}}
    return JSONResponse(body, status_code=status)


def create_app(
    *, engine: Engine | None = None, session_provider: SessionProvider | None = None
) -> FastAPI:
    """The app; tests pass a session provider that keeps everything in their transaction."""
    settings = get_settings()
    sessions = session_provider or default_session_provider(engine)
    app = FastAPI(title="School Safety Hub", docs_url=None, redoc_url=None)
    app.add_exception_handler(HubError, _hub_error)
    app.include_router(graphql_router(settings, sessions))
    app.include_router(ack_router(sessions))
    app.include_router(cap_router(sessions))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
