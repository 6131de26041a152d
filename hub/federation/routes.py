"""The partner-facing endpoints: GET /federation/changes (our feed, as the agreement shares it)
and POST /federation/push (a partner's changes, applied like a pull). Both take the bearer token
we issued the partner, and the HMAC signature when one is agreed."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from hub.auth.policy import Action, require
from hub.db import utcnow
from hub.deps import SessionProvider
from hub.errors import InvalidInput, PermissionDenied
from hub.federation import partners, secrets
from hub.federation.feed import changes, parse_cursor
from hub.federation.models import Partner, SyncRun
from hub.federation.signing import NONCE, SIGNATURE, TIMESTAMP, verify
from hub.federation.sync import record_outcome
from hub.observability import SYNC_RUNS
from hub.settings import Settings

MAX_PUSH = 10_000


def _target(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    query: bytes = request.scope.get("query_string", b"")
    return (raw + (b"?" + query if query else b"")).decode()


def authenticate(session: Session, request: Request, body: bytes, settings: Settings) -> Partner:
    """The partner behind the bearer token, its signature checked when one is agreed."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    partner = partners.for_token(session, token.strip()) if scheme.lower() == "bearer" else None
    if partner is None:
        raise PermissionDenied("a partner's bearer token is required")
    if partner.signing_secret is not None:
        verify(
            session,
            secrets.unseal(partner.signing_secret),
            timestamp=request.headers.get(TIMESTAMP),
            nonce=request.headers.get(NONCE),
            given=request.headers.get(SIGNATURE),
            method=request.method,
            target=_target(request),
            body=body,
            window_seconds=settings.federation_replay_window_seconds,
        )
    return partner


def federation_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    router = APIRouter(prefix="/federation")

    @router.get("/changes")
    def feed(
        request: Request,
        since: str | None = None,
        first: Annotated[int | None, Query(ge=1)] = None,
        types: Annotated[list[str] | None, Query()] = None,
    ) -> JSONResponse:
        size = min(first or settings.federation_page_size, settings.federation_page_size)
        with sessions(True) as session:  # writes the seen signature
            partner = authenticate(session, request, b"", settings)
            require(partners.principal_of(partner), Action.READ_CHANGES)
            page = changes(
                session,
                partners.audience(partner),
                since=parse_cursor(since),
                first=size,
                types=types,
            )
        return JSONResponse(page.as_json())

    @router.post("/push")
    async def push(request: Request) -> JSONResponse:
        body = await request.body()
        try:
            document: Any = json.loads(body)
        except ValueError:
            raise InvalidInput("the body is not JSON") from None
        raws = document.get("changes") if isinstance(document, dict) else None
        if not isinstance(raws, list):
            raise InvalidInput('expected {"changes": [...]}', field="changes")
        if len(raws) > MAX_PUSH:
            raise InvalidInput(f"at most {MAX_PUSH} changes per push", field="changes")
        with sessions(True) as session:
            partner = authenticate(session, request, body, settings)
            require(partners.principal_of(partner), Action.PUSH_CHANGES)
            run = SyncRun(partner=partner, direction="received", trigger="push")
            session.add(run)
            session.flush()
            held = record_outcome(session, partner, run, raws, allow_deletions=False)
            if held is None:
                run.status = "succeeded"
            run.finished_at = utcnow()
            answer = {
                "run": run.id,
                "status": run.status,
                "fetched": run.fetched,
                "created": run.created,
                "updated": run.updated,
                "deleted": run.deleted,
                "skipped": run.skipped,
                "rejected": run.rejected,
                "rejections": run.rejections,
            }
            slug = partner.slug
        SYNC_RUNS.labels(slug, "received", answer["status"]).inc()
        if held is not None:
            return JSONResponse({"error": {"code": "conflict", "message": held.message}}, 409)
        return JSONResponse(answer)

    return router
