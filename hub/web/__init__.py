"""The web console: server-rendered pages for center staff and districts (Jinja2, autoescaped,
a little plain JavaScript at most, no build step)."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub.deps import SessionProvider
from hub.settings import Settings
from hub.web.alerts import alerts_router
from hub.web.auth import auth_router
from hub.web.directory import directory_router
from hub.web.partners import partners_router

STATIC = Path(__file__).resolve().parent / "static"


def mount(app: FastAPI, settings: Settings, sessions: SessionProvider) -> None:
    """Add the console's pages and its stylesheet to `app`."""
    app.include_router(auth_router(settings, sessions))
    app.include_router(alerts_router(settings, sessions))
    app.include_router(directory_router(settings, sessions))
    app.include_router(partners_router(sessions))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
