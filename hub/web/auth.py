"""Sign in and sign out (/login, /logout) and the landing page that sends each role where its
work is."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from hub.auth.service import authenticate
from hub.deps import SessionProvider
from hub.settings import Settings
from hub.web import signin
from hub.web.pages import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    cookie_options,
    page,
    render,
    see_other,
    viewer,
)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //elsewhere or a full URL) is a place to return to."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def auth_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    """GET /, GET and POST /login, POST /logout."""
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    @page
    def home(request: Request) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
        start = next((i.href for i in v.nav if i.label in ("My district", "Approvals")), None)
        return see_other(
            start or ("/alerts" if any(i.href == "/alerts" for i in v.nav) else "/programs")
        )

    @router.get("/login", include_in_schema=False)
    @page
    def login_form(request: Request, next: str | None = None) -> Response:
        with sessions(False) as session:
            v = viewer(request, session)
        if v.signed_in is not None:
            return see_other(_safe_next(next))
        return render(
            v, "login.html", title="Sign in", next=_safe_next(next), error=None, username=""
        )

    @router.post("/login", include_in_schema=False)
    @page
    def login(
        request: Request,
        username: Annotated[str, Form()] = "",
        password: Annotated[str, Form()] = "",
        csrf: Annotated[str, Form()] = "",
        next: Annotated[str, Form()] = "/",
    ) -> Response:
        with sessions(True) as session:
            v = viewer(request, session)
            check_csrf(v, csrf)
            user = authenticate(session, username=username.strip(), password=password)
            if user is None:
                return render(
                    v,
                    "login.html",
                    status=401,
                    title="Sign in",
                    next=_safe_next(next),
                    error="Unknown username or wrong password.",
                    username=username,
                )
            token = signin.start(session, user, hours=settings.web_session_hours)
        response = see_other(_safe_next(next))
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=settings.web_session_hours * 3600,
            **cookie_options(settings),
        )
        response.delete_cookie(CSRF_COOKIE, path="/")
        return response

    @router.post("/logout", include_in_schema=False)
    @page
    def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        with sessions(True) as session:
            v = viewer(request, session)
            if v.signed_in is not None:
                check_csrf(v, csrf)
                signin.end(session, v.signed_in)
        response = see_other("/login")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    return router
