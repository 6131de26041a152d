"""Federation status for state admins: partner centers, their latest sync runs with errors and
rejections, the deletion breaker (and releasing it), and "Sync now"."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.auth.policy import Action, require
from hub.deps import SessionProvider
from hub.federation import partners
from hub.federation.manual import sync_now
from hub.federation.models import SyncRun
from hub.web.pages import form_post, page, render, see_other, signed_in

# Rejections listed per run on the partner page (a run keeps a few hundred).
SHOWN_REJECTIONS = 20


def _latest_runs(session: Session) -> dict[tuple[int, str], SyncRun]:
    """Each partner's latest run per direction, in one query."""
    latest = select(func.max(SyncRun.id)).group_by(SyncRun.partner_id, SyncRun.direction)
    rows = session.scalars(select(SyncRun).where(SyncRun.id.in_(latest)))
    return {(r.partner_id, r.direction): r for r in rows}


def partners_router(sessions: SessionProvider) -> APIRouter:
    """GET /partners, GET /partners/{slug}, POST …/release and …/sync."""
    router = APIRouter()

    @router.get("/partners", include_in_schema=False)
    @page
    def overview(request: Request) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            require(v.principal, Action.MANAGE_PARTNERS)
            return render(
                v,
                "partners.html",
                title="Partner centers",
                partners=partners.list_partners(session),
                latest=_latest_runs(session),
                alerts=partners.open_alerts(session),
            )

    @router.get("/partners/{slug}", include_in_schema=False)
    @page
    def detail(request: Request, slug: str, started: int | None = None) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            require(v.principal, Action.MANAGE_PARTNERS)
            partner = partners.get(session, slug)
            return render(
                v,
                "partner.html",
                title=partner.center.name,
                partner=partner,
                runs=partners.runs(session, partner, first=20),
                alerts=[a for a in partners.open_alerts(session) if a.partner_id == partner.id],
                started=started,
                released=request.query_params.get("released") is not None,
                shown_rejections=SHOWN_REJECTIONS,
            )

    @router.post("/partners/{slug}/release", include_in_schema=False)
    @page
    def release(request: Request, slug: str, csrf: Annotated[str, Form()] = "") -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            partners.release_breaker(session, v.principal, slug)
        return see_other(f"/partners/{slug}?released=1")

    @router.post("/partners/{slug}/sync", include_in_schema=False)
    @page
    def sync(
        request: Request,
        slug: str,
        csrf: Annotated[str, Form()] = "",
        direction: Annotated[str, Form()] = "pull",
    ) -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            run_id = sync_now(session, v.principal, slug, direction)
        return see_other(f"/partners/{slug}?started={run_id}")

    return router
