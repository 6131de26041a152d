"""What every console page shares: who is looking (the Viewer), the Jinja2 environment, the
navigation a role may see, CSRF checks, the transaction of a form post, and HubError shown as a
page instead of a traceback.

CSRF: a signed-in browser's forms carry its session's CSRF token; before sign-in (the login form)
they carry the value of the `hub_csrf` cookie (double submit). Either way a form posted from
another site cannot know the value, and the cookies are SameSite=Lax besides.
"""

import functools
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from hub.auth.policy import ANONYMOUS, Action, Principal, allows
from hub.auth.service import principal_of
from hub.deps import SessionProvider
from hub.directory.models import District
from hub.errors import HubError, PermissionDenied, http_status
from hub.settings import Settings
from hub.web import signin
from hub.web.models import WebSession

SESSION_COOKIE = "hub_session"
CSRF_COOKIE = "hub_csrf"

ENV = Environment(
    loader=PackageLoader("hub.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str


@dataclass(slots=True)
class Viewer:
    """Who is looking at a page: the Principal the policy judges, and the form token to echo."""

    principal: Principal
    name: str
    csrf: str
    signed_in: WebSession | None = None
    district_nces_id: str | None = None
    # A fresh pre-sign-in CSRF value the response must set as a cookie.
    new_csrf_cookie: bool = False
    # The page's path, so the navigation can mark where the viewer is.
    path: str = "/"
    nav: list[NavItem] = field(default_factory=list)

    def may(self, action: Action, *, district_id: int | None = None) -> bool:
        """Whether the policy lets this viewer do `action` (for showing links and buttons)."""
        return allows(self.principal, action, district_id=district_id)


class SignInRequired(Exception):
    """Raised by a page an anonymous viewer may not see; answered with a redirect to /login."""


def _navigation(viewer: Viewer) -> list[NavItem]:
    items = [NavItem("Programs", "/programs"), NavItem("Practices", "/practices")]
    if viewer.district_nces_id:
        items.append(NavItem("My district", f"/districts/{viewer.district_nces_id}"))
    if viewer.may(Action.READ_ALERTS):
        items.append(NavItem("Alerts", "/alerts"))
    if viewer.may(Action.COMPOSE_ALERT):
        items.append(NavItem("New alert", "/alerts/new"))
    if viewer.may(Action.APPROVE_ALERT):
        items.append(NavItem("Approvals", "/alerts/queue"))
    if viewer.may(Action.MANAGE_PARTNERS):
        items.append(NavItem("Partners", "/partners"))
    return items


def viewer(request: Request, session: Session) -> Viewer:
    """The Viewer of this request, from its session cookie (anonymous when none is valid)."""
    found = signin.find(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        cookie = request.cookies.get(CSRF_COOKIE)
        v = Viewer(
            principal=ANONYMOUS,
            name="",
            csrf=cookie or secrets.token_urlsafe(32),
            new_csrf_cookie=cookie is None,
        )
    else:
        user = found.user
        district = session.get(District, user.district_id) if user.district_id else None
        v = Viewer(
            principal=principal_of(user),
            name=user.display_name or user.username,
            csrf=found.csrf_token,
            signed_in=found,
            district_nces_id=district.nces_id if district else None,
        )
    v.path = request.url.path
    v.nav = _navigation(v)
    return v


def signed_in(request: Request, session: Session) -> Viewer:
    """The Viewer, who must be signed in (else SignInRequired)."""
    v = viewer(request, session)
    if v.signed_in is None:
        raise SignInRequired
    return v


def check_csrf(v: Viewer, token: str) -> None:
    """Refuse a form whose CSRF token is not this viewer's."""
    if not token or not secrets.compare_digest(token, v.csrf):
        raise PermissionDenied("this form has expired or came from elsewhere; reload the page")


def render(
    v: Viewer, template: str, *, status: int = 200, title: str, **values: Any
) -> HTMLResponse:
    """A page from `template`, with the viewer, navigation and CSRF token filled in."""
    html = ENV.get_template(template).render(viewer=v, title=title, **values)
    response = HTMLResponse(html, status_code=status)
    if v.new_csrf_cookie:
        response.set_cookie(CSRF_COOKIE, v.csrf, httponly=True, samesite="lax", path="/")
    return response


def see_other(location: str) -> RedirectResponse:
    """The answer to a form post that worked: go to `location` (POST/redirect/GET)."""
    return RedirectResponse(location, status_code=303)


@contextmanager
def form_post(
    sessions: SessionProvider, request: Request, csrf: str
) -> Iterator[tuple[Session, Viewer]]:
    """The writing transaction of a signed-in viewer's form post, once its CSRF token is checked:
    `with form_post(sessions, request, csrf) as (session, v): ...`."""
    with sessions(True) as session:
        v = signed_in(request, session)
        check_csrf(v, csrf)
        yield session, v


def attempt(session: Session, step: Callable[[], object]) -> HubError | None:
    """Run `step` in a savepoint: None when it worked, else the HubError it raised (its writes
    undone, the rest of the transaction kept, so the form can be shown again with the reason)."""
    try:
        with session.begin_nested():
            step()
    except HubError as exc:
        return exc
    return None


P = ParamSpec("P")


def page(handler: Callable[P, Response]) -> Callable[P, Response]:
    """Show a HubError as an error page with its status, and send anonymous viewers of a
    signed-in-only page to /login (coming back afterwards)."""

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs.get("request")
        assert isinstance(request, Request), "a console page takes `request: Request`"
        try:
            return handler(*args, **kwargs)
        except SignInRequired:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        except HubError as exc:
            status = http_status(exc)
            # The transaction is gone with the error: the page gets no navigation, only a way back.
            bare = Viewer(principal=ANONYMOUS, name="", csrf="")
            return render(bare, "error.html", status=status, title="Not possible", error=exc)

    return run


def cookie_options(settings: Settings) -> dict[str, Any]:
    """How the session cookie is set: HttpOnly, SameSite=Lax, Secure behind https."""
    return {
        "httponly": True,
        "samesite": "lax",
        "secure": settings.public_base_url.startswith("https://"),
        "path": "/",
    }
