"""The /graphql endpoint: body limit, JSON shape, bearer token, then the Executor; GraphiQL."""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from hub.deps import SessionProvider
from hub.graphql.execution import Answer, Executor, Operation, error_body
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
    if not isinstance(payload, dict):
        return Answer(400, error_body("the request body must be a JSON object", "bad_request"))
    query, variables, name = (
        payload.get("query"),
        payload.get("variables"),
        payload.get("operationName"),
    )
    if not isinstance(query, str) or not query.strip():
        return Answer(400, error_body("no query given", "bad_request", field="query"))
    if variables is not None and not isinstance(variables, dict):
        return Answer(
            400, error_body("variables must be an object", "bad_request", field="variables")
        )
    if name is not None and not isinstance(name, str):
        return Answer(
            400, error_body("operationName must be a string", "bad_request", field="operationName")
        )
    return Operation(query=query, variables=variables, operation_name=name)


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
    limit = settings.graphql_max_body_bytes
    router = APIRouter()

    @router.post("/graphql")
    async def run(request: Request) -> Response:
        try:
            body = await _read_body(request, limit)
        except _BodyTooLarge:
            message = f"request body is larger than the limit of {limit} bytes"
            return _json(Answer(413, error_body(message, "body_too_large", limit=limit)))
        operation = _operation(body)
        if isinstance(operation, Answer):
            return _json(operation)
        token = _bearer(request)
        if isinstance(token, Answer):
            return _json(token)
        return _json(await executor(operation, token))

    if settings.graphiql:

        @router.get("/graphql", include_in_schema=False)
        async def ide() -> HTMLResponse:
            return HTMLResponse(get_graphql_ide_html("graphiql"))

    return router
