"""HTTP to a partner hub: its change feed (pull) and its push endpoint, signed when agreed."""

from typing import Any

import httpx

from hub.errors import Conflict, HubError, PermissionDenied, UpstreamUnavailable
from hub.federation.signing import SignedAuth

CHANGES = "/federation/changes"
PUSH = "/federation/push"


class PartnerClient:
    """One partner's endpoints; `bytes_moved` counts the bytes on the wire both ways."""

    def __init__(self, base_url: str, token: str, secret: str | None, timeout: float) -> None:
        self.http = httpx.Client(base_url=base_url, auth=SignedAuth(token, secret), timeout=timeout)
        self.bytes_moved = 0

    def __enter__(self) -> "PartnerClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def _send(self, request: httpx.Request) -> dict[str, Any]:
        try:
            response = self.http.send(request)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"{request.url.host}: {exc!r}") from None
        self.bytes_moved += len(request.content) + response.num_bytes_downloaded
        if response.status_code >= 500:
            raise UpstreamUnavailable(f"{request.url}: HTTP {response.status_code}")
        body: Any = response.json() if response.content else {}
        if response.status_code >= 400:
            message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
            text = f"{request.url}: HTTP {response.status_code}: {message or response.text[:200]}"
            kind: type[HubError] = {
                401: PermissionDenied,
                403: PermissionDenied,
                409: Conflict,
            }.get(response.status_code, HubError)
            raise kind(text)
        if not isinstance(body, dict):
            raise UpstreamUnavailable(f"{request.url}: the answer is not a JSON object")
        return body

    def changes(self, since: int, first: int, types: list[str]) -> dict[str, Any]:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("since", str(since)),
            ("first", first),
        ]
        params += [("types", t) for t in types]
        return self._send(self.http.build_request("GET", CHANGES, params=params))

    def push(self, changes: list[dict[str, Any]]) -> dict[str, Any]:
        return self._send(self.http.build_request("POST", PUSH, json={"changes": changes}))
