"""Runs one GraphQL operation off the server's event loop.

The services are synchronous SQLAlchemy; run on the server's loop they froze it under load. So
each operation runs in a worker thread (at most `threads` at once: more only fight over the
GIL) with that thread's own event loop (async resolvers and
DataLoaders batch as usual there), inside one transaction from the SessionProvider: written for
mutations, committed when the operation has no errors and rolled back otherwise.
"""

import asyncio
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import anyio.to_thread
from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from sqlalchemy.orm import Session
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from hub.auth import service as auth
from hub.auth.policy import ANONYMOUS, Principal
from hub.deps import SessionProvider
from hub.federation import partners
from hub.graphql.context import Context
from hub.graphql.schema import HubSchema
from hub.observability import GRAPHQL_OPERATIONS


@dataclass(frozen=True, slots=True)
class Operation:
    """A GraphQL request as posted."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """HTTP status and JSON body of the response."""

    status: int
    body: dict[str, Any]


def error_body(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """A GraphQL-shaped error response for failures before execution (HTTP level)."""
    return {
        "data": None,
        "errors": [{"message": message, "extensions": {"code": code, **extensions}}],
    }


def operation_from(payload: Any, source: str = "the request body") -> Operation | Answer:
    """The operation in a decoded JSON request (`source` names it in messages), or a 400."""
    if not isinstance(payload, dict):
        return Answer(400, error_body(f"{source} must be a JSON object", "bad_request"))
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


class _Unauthenticated(Exception):
    """A bearer token that is unknown, revoked or belongs to an inactive user."""


class _RollBack(Exception):
    """Carries a result with errors out of the transaction, so it is rolled back."""

    def __init__(self, result: ExecutionResult) -> None:
        super().__init__("operation had errors")
        self.result = result


@lru_cache(maxsize=256)
def is_mutation(query: str, operation_name: str | None, max_tokens: int) -> bool:
    """Whether the operation to run writes (decides the kind of transaction to open)."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return False  # execution reports the syntax error
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    return len(operations) == 1 and operations[0].operation is OperationType.MUTATION


_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    """This worker thread's event loop, made on first use and kept for the thread's life."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def _principal(session: Session, token: str | None) -> Principal:
    if token is None:
        return ANONYMOUS
    principal = auth.principal_for_token(session, token)
    if principal is not None:
        return principal
    partner = partners.for_token(session, token)
    # A partner that signs its requests does so on /federation only; its bare token is no key.
    if partner is None or partner.signing_secret is not None:
        raise _Unauthenticated
    return partners.principal_of(partner)


def _body(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    if result.extensions:
        body["extensions"] = result.extensions
    return body


class Executor:
    """Executes operations against `schema` with sessions from `sessions`."""

    def __init__(
        self, schema: HubSchema, sessions: SessionProvider, *, max_tokens: int, threads: int
    ) -> None:
        self.schema, self.sessions, self.max_tokens = schema, sessions, max_tokens
        self.threads = threads
        self._limiter: anyio.CapacityLimiter | None = None

    async def __call__(self, operation: Operation, token: str | None) -> Answer:
        # Made on first use: a limiter belongs to the event loop that serves requests.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return await anyio.to_thread.run_sync(self.run, operation, token, limiter=self._limiter)

    def run(self, operation: Operation, token: str | None) -> Answer:
        """Blocking: run `operation` in this thread, in one transaction."""
        write = is_mutation(operation.query, operation.operation_name, self.max_tokens)
        kind = "mutation" if write else "query"
        try:
            with self.sessions(write) as session:
                principal = _principal(session, token)
                result = _thread_loop().run_until_complete(
                    self._execute(session, principal, operation)
                )
                if result.errors:
                    raise _RollBack(result)
        except _RollBack as rolled_back:
            result = rolled_back.result
        except _Unauthenticated:
            GRAPHQL_OPERATIONS.labels(kind, "unauthenticated").inc()
            return Answer(401, error_body("invalid or revoked bearer token", "unauthenticated"))
        except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as exc:
            GRAPHQL_OPERATIONS.labels(kind, "error").inc()
            return Answer(400, error_body(str(exc) or "no operation to run", "bad_request"))
        GRAPHQL_OPERATIONS.labels(kind, "error" if result.errors else "ok").inc()
        return Answer(200, _body(result))

    async def _execute(
        self, session: Session, principal: Principal, operation: Operation
    ) -> ExecutionResult:
        return await self.schema.execute(
            operation.query,
            variable_values=operation.variables,
            context_value=Context(session=session, principal=principal),
            operation_name=operation.operation_name,
        )
