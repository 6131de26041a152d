"""The schema: an Apollo Federation v2 subgraph with limits, caches and error shaping.

Limit rules are built once per schema, so the validation cache (keyed by the rule classes) hits.
HubErrors become GraphQL errors carrying {code, field}; any other exception is logged and masked.
"""

import logging
from collections.abc import Iterator
from functools import lru_cache

from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.federation import Schema as FederationSchema
from strawberry.types import ExecutionContext

from hub.errors import HubError
from hub.graphql.mutations import Mutation
from hub.graphql.queries import Query

log = logging.getLogger(__name__)

MASKED = "Unexpected error."


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, HubError | GraphQLError)


def shape_error(error: GraphQLError) -> GraphQLError:
    """A HubError with its code and field; an unexpected exception masked; others as they are."""
    original = error.original_error
    if isinstance(original, HubError):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": original.code, "field": original.field},
        )
    if _unexpected(error):
        return GraphQLError(MASKED, nodes=error.nodes, path=error.path)
    return error


class ShapeErrors(SchemaExtension):
    """Rewrites the result's errors once execution is done (after they were logged)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [shape_error(e) for e in result.errors]


class HubSchema(FederationSchema):
    """Logs only unexpected errors: expected ones are answers, not incidents."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _unexpected(error):
                log.error(
                    "GraphQL resolver failed: %s", error.message, exc_info=error.original_error
                )


@lru_cache
def build_schema(*, max_depth: int, max_aliases: int, max_tokens: int) -> HubSchema:
    """The schema with these limits; cached, so its limit rules exist once."""
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return HubSchema(
        query=Query,
        mutation=Mutation,
        federation_version="2.11",
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            lambda: AddValidationRules(rules),
            ParserCache,
            ValidationCache,
            ShapeErrors,
        ],
    )
