"""Errors services raise; the HTTP and GraphQL layers translate them for callers."""


class HubError(Exception):
    """Base of expected failures. `field` names the input at fault, when there is one."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(HubError):
    code = "not_found"


class Conflict(HubError):
    code = "conflict"


class PermissionDenied(HubError):
    code = "permission_denied"


class InvalidInput(HubError):
    code = "invalid_input"


class UpstreamUnavailable(HubError):
    code = "upstream_unavailable"


_HTTP_STATUS: dict[type[HubError], int] = {
    NotFound: 404,
    PermissionDenied: 403,
    InvalidInput: 422,
    Conflict: 409,
    UpstreamUnavailable: 503,
}


def http_status(exc: HubError) -> int:
    """The HTTP status an error answers with (400 for a kind with none of its own)."""
    return next((s for kind, s in _HTTP_STATUS.items() if isinstance(exc, kind)), 400)
