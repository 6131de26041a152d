"""File uploads on POST /graphql: the GraphQL multipart request spec, size-limited.

https://github.com/jaydenseric/graphql-multipart-request-spec: a multipart/form-data body with
the field `operations` (the JSON request, `null` where each file goes), the field `map` (file
part name -> paths of those nulls, such as `variables.file`), then the file parts. Starlette's
parser spools each file (in memory up to 1 MiB, then on disk); the file, a Starlette
`UploadFile`, becomes the variable's value and strawberry's `Upload` scalar hands it to the
resolver as it is.

Only a mutation may be sent this way, and only with an `Apollo-Require-Preflight` or
`x-apollo-operation-name` header (any value). The reason is CSRF: a browser posts
multipart/form-data to any origin without asking first (a CORS "simple request"), so any web page
could make a staff member's browser send a mutation here, carrying whatever the browser adds on
its own (cookies or HTTP authentication a proxy in front of the hub relies on, or an address on
an allow-listed network). A custom header turns the request into one the browser must preflight,
and the hub allows no other origin, so the forged request is never sent. Apollo Server enforces
the same rule; Apollo, urql and curl clients just set the header.
"""

import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from hub.graphql.execution import Answer, Operation, error_body, is_mutation, operation_from

PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
# A mutation takes few files; the spec's own fields are `operations` and `map`.
MAX_FILES = 10
MAX_FIELDS = 10


def is_multipart(request: Request) -> bool:
    """Whether the request's Content-Type is multipart/form-data."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0]
    return media_type.strip().lower() == "multipart/form-data"


def too_large(limit: int) -> Answer:
    """413 naming the limit (JSON bodies and multipart requests alike)."""
    message = f"request body is larger than the limit of {limit} bytes"
    return Answer(413, error_body(message, "body_too_large", limit=limit))


def _bad(message: str, **extensions: Any) -> Answer:
    return Answer(400, error_body(message, "bad_request", **extensions))


def refusal(request: Request, limit: int) -> Answer | None:
    """Why a multipart request is refused before any of its body is read, or None."""
    declared = request.headers.get("content-length")
    if declared is None:
        message = "a file upload needs a Content-Length header (chunked uploads are refused)"
        return Answer(411, error_body(message, "length_required", limit=limit))
    if not declared.strip().isdigit():
        return _bad("the Content-Length header is not a number")
    if int(declared) > limit:
        return too_large(limit)
    if not any(request.headers.get(h) is not None for h in PREFLIGHT_HEADERS):
        return _bad(
            "a multipart request needs an 'Apollo-Require-Preflight' or "
            "'x-apollo-operation-name' header (any value), so that browsers preflight it: "
            "without one, any web page could post it cross-site (CSRF)"
        )
    return None


class _BodyTooLarge(Exception):
    pass


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The body's chunks, stopped once more than `limit` bytes arrived (whatever was declared)."""
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _BodyTooLarge
        yield chunk


@dataclass
class Multipart:
    """The operation with the files in its variables; `form` holds them until closed."""

    operation: Operation
    form: FormData

    async def close(self) -> None:
        """Close the spooled files (deleting any that went to disk)."""
        await self.form.close()


async def read(
    request: Request, *, limit: int, field_limit: int, max_tokens: int
) -> Multipart | Answer:
    """Parse a multipart request (after `refusal` passed), or a 4xx Answer.

    `limit` caps the whole body, `field_limit` each non-file field (such as `operations`).
    """
    try:
        async with aclosing(_limited(request, limit)) as stream:
            parser = MultiPartParser(
                request.headers,
                stream,
                max_files=MAX_FILES,
                max_fields=MAX_FIELDS,
                max_part_size=field_limit,
            )
            form = await parser.parse()
    except _BodyTooLarge:
        return too_large(limit)
    except MultiPartException as exc:
        return _bad(f"malformed multipart body: {exc.message}")
    answer = _operation(form, max_tokens)
    if isinstance(answer, Answer):
        await form.close()
        return answer
    return Multipart(answer, form)


def _json_field(form: FormData, name: str) -> Any:
    """The decoded JSON of form field `name`; ValueError saying what is wrong."""
    raw = form.get(name)
    if raw is None:
        raise ValueError(f"the multipart request has no '{name}' field")
    if not isinstance(raw, str):
        raise ValueError(f"'{name}' must be a form field, not a file")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"'{name}' is not JSON: {exc.msg} at position {exc.pos}") from None


def _operation(form: FormData, max_tokens: int) -> Operation | Answer:
    try:
        payload = _json_field(form, "operations")
        if isinstance(payload, list):
            raise ValueError("batched operations are not supported: send one per request")
        if not isinstance(payload, dict):
            raise ValueError("'operations' must be a JSON object")
        files = _files(form, _json_field(form, "map"))
        for path, upload in files:
            _place(payload, path, upload)
    except ValueError as exc:
        return _bad(str(exc))
    operation = operation_from(payload, "'operations'")
    if isinstance(operation, Answer):
        return operation
    if not is_mutation(operation.query, operation.operation_name, max_tokens):
        return _bad(
            "only a mutation may be sent as a multipart request; send queries as JSON "
            "(or name the operation to run with operationName)"
        )
    return operation


def _files(form: FormData, mapping: Any) -> list[tuple[str, UploadFile]]:
    """(path, file) pairs of a `map` value, checked against the file parts of `form`."""
    if not isinstance(mapping, dict):
        raise ValueError("'map' must be a JSON object of file part names to lists of paths")
    pairs: list[tuple[str, UploadFile]] = []
    for name, paths in mapping.items():
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise ValueError(f"'map' entry {name!r} must be a non-empty list of path strings")
        upload = form.get(name)
        if not isinstance(upload, UploadFile):
            raise ValueError(f"'map' names {name!r}, but there is no file part of that name")
        pairs.extend((path, upload) for path in paths)
    return pairs


def _place(payload: dict[str, Any], path: str, upload: UploadFile) -> None:
    """Put `upload` where `path` (such as `variables.file` or `variables.files.0`) points."""
    keys = path.split(".")
    if len(keys) < 2 or keys[0] != "variables":
        raise ValueError(f"'map' path {path!r} must point into the variables (variables.<name>)")
    target: Any = payload
    for key in keys[:-1]:
        target = _child(target, key, path)
    last = keys[-1]
    if isinstance(target, dict) and target.get(last, 0) is None:
        target[last] = upload
    elif isinstance(target, list) and last.isdigit() and int(last) < len(target):
        if target[int(last)] is not None:
            raise ValueError(f"'map' path {path!r} must hold null in 'operations'")
        target[int(last)] = upload
    else:
        raise ValueError(f"'map' path {path!r} does not name a null in 'operations'")


def _child(target: Any, key: str, path: str) -> Any:
    if isinstance(target, dict) and key in target:
        return target[key]
    if isinstance(target, list) and key.isdigit() and int(key) < len(target):
        return target[int(key)]
    raise ValueError(f"'map' path {path!r} does not name a null in 'operations'")
