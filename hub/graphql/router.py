"""The /graphql endpoint: body limit, JSON shape (or a multipart file upload), bearer token, then
the Executor; GraphiQL."""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from hub.deps import SessionProvider
from hub.graphql import uploads
from hub.graphql.execution import Answer, Executor, Operation, error_body, operation_from
from hub.graphql.schema import build_schema
from hub.settings import Settings


class _BodyTooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes `limit` bytes (never read whole first)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _BodyTooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _operation(body: bytes) -> Operation | Answer:
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return Answer(400, error_body("the request body is not JSON", "bad_request"))
    return operation_from(payload)


def _bearer(request: Request) -> Answer | str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Answer(
            401, error_body("expected 'Authorization: Bearer <token>'", "unauthenticated")
        )
    return token.strip()


def _json(answer: Answer) -> JSONResponse:
    return JSONResponse(answer.body, status_code=answer.status)


def graphql_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    """POST /graphql runs operations; GET /graphql serves GraphiQL when settings.graphiql."""
    schema = build_schema(
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
        max_tokens=settings.graphql_max_tokens,
    )
    executor = Executor(
        schema, sessions, max_tokens=settings.graphql_max_tokens, threads=settings.graphql_threads
    )
    limit, upload_limit = settings.graphql_max_body_bytes, settings.graphql_max_upload_bytes
    router = APIRouter()

    @router.post("/graphql")
    async def run(request: Request) -> Response:
        if uploads.is_multipart(request):
            return await upload(request)
        try:
            body = await _read_body(request, limit)
        except _BodyTooLarge:
            return _json(uploads.too_large(limit))
        operation = _operation(body)
        if isinstance(operation, Answer):
            return _json(operation)
        token = _bearer(request)
        if isinstance(token, Answer):
            return _json(token)
        return _json(await executor(operation, token))

    async def upload(request: Request) -> Response:
        """A multipart mutation: refused by its headers before any byte of the body is read."""
        refused = uploads.refusal(request, upload_limit)
        if refused is not None:
            return _json(refused)
        token = _bearer(request)
        if isinstance(token, Answer):
            return _json(token)
        if token is None:  # no anonymous caller may spool files onto this server
            message = "a file upload needs 'Authorization: Bearer <token>'"
            return _json(Answer(401, error_body(message, "unauthenticated")))
        parsed = await uploads.read(
            request,
            limit=upload_limit,
            field_limit=limit,
            max_tokens=settings.graphql_max_tokens,
        )
        if isinstance(parsed, Answer):
            return _json(parsed)
        try:
            return _json(await executor(parsed.operation, token))
        finally:
            await parsed.close()

    if settings.graphiql:

        @router.get("/graphql", include_in_schema=False)
        async def ide() -> HTMLResponse:
            return HTMLResponse(get_graphql_ide_html("graphiql"))

    return router
