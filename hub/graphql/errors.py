"""Expected failures as GraphQL: typed union members for mutations, extensions for queries, and
pydantic validation turned into an InvalidInput naming the camelCase field."""

from collections.abc import Mapping
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError

from hub.errors import HubError, InvalidInput, NotFound, PermissionDenied

M = TypeVar("M", bound=BaseModel)


@strawberry.federation.type(shareable=True)
class InputError:
    """The input was refused; `field` names the argument at fault (camelCase path)."""

    message: str
    field: str | None


@strawberry.federation.type(name="PermissionError", shareable=True)
class PermissionProblem:
    """The caller may not do this."""

    message: str


@strawberry.federation.type(shareable=True)
class NotFoundError:
    """A record the input names does not exist; `field` names the id."""

    message: str
    field: str | None


ErrorMember = InputError | PermissionProblem | NotFoundError


def camel(name: str) -> str:
    """snake_case to camelCase, the way strawberry names fields."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _path(loc: tuple[int | str, ...]) -> str | None:
    parts = [camel(p) if isinstance(p, str) else str(p) for p in loc]
    return ".".join(parts) or None


def validate(model: type[M], data: Mapping[str, Any]) -> M:
    """Build a pydantic input; a ValidationError becomes InvalidInput on the first bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(str(first["msg"]), field=_path(tuple(first["loc"]))) from exc


def as_member(error: HubError) -> ErrorMember:
    """The union member a mutation returns for an expected failure (Conflict is an input fault)."""
    if isinstance(error, PermissionDenied):
        return PermissionProblem(message=error.message)
    if isinstance(error, NotFound):
        return NotFoundError(message=error.message, field=error.field)
    return InputError(message=error.message, field=error.field)
