"""Webhook delivery: JSON POSTed to a district's URL, signed with a secret derived per district.

Signature: `X-Hub-Signature: sha256=<hex>`, the HMAC-SHA256 of `f"{timestamp}.".encode() + body`
keyed with the district's secret (its UTF-8 bytes), where `timestamp` is the `X-Hub-Timestamp`
header (unix seconds) and `body` the exact bytes received. A receiver checks it with
`verify_signature` or its own equivalent and refuses timestamps more than five minutes off.
"""

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from hub.alerts.channels.base import (
    Message,
    PermanentFailure,
    Sent,
    TransientFailure,
    http_failure,
)

SIGNATURE_PREFIX = "sha256="


def district_secret(secret_key: str, nces_id: str) -> str:
    """A district's webhook secret: HMAC-SHA256(HUB_SECRET_KEY, "webhook:" + NCES id), hex.
    Nothing is stored, and rotating HUB_SECRET_KEY rotates every district's secret."""
    return hmac.new(secret_key.encode(), f"webhook:{nces_id}".encode(), hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    """The `X-Hub-Signature` value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    now: float,
    tolerance: float = 300,
) -> bool:
    """Whether `signature` is ours for this body and timestamp, and the timestamp is within
    `tolerance` seconds of `now` (so a captured request cannot be replayed later)."""
    stamp = str(timestamp)
    if not (stamp.isascii() and stamp.isdigit()) or abs(now - int(stamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body).encode(), signature.encode())


class Webhook:
    """POSTs `Message.data` as JSON to `Message.to`, signed for `Message.district`, with one
    pooled HTTP client. Redirects are not followed: the signed request goes where the district
    said, or nowhere."""

    name = "webhook"

    def __init__(
        self,
        *,
        secret_key: str,
        timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret_key = secret_key
        self._clock = clock
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)

    def send(self, message: Message) -> Sent:
        url = _webhook_url(message.to)
        if message.district is None:
            raise PermanentFailure("a webhook message needs its district's NCES id to be signed")
        body = json.dumps(message.data, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(self._clock()))
        secret = district_secret(self._secret_key, message.district)
        headers = httpx.Headers(message.headers)
        headers["Content-Type"] = "application/json"
        headers["X-Hub-Timestamp"] = timestamp
        headers["X-Hub-Signature"] = sign(secret, timestamp, body)
        headers["X-Hub-Delivery-Id"] = str(message.delivery_id)
        headers["X-Hub-Alert"] = message.alert_identifier
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise TransientFailure(f"webhook: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return Sent(provider_id=None, detail=f"webhook HTTP {response.status_code}")
        reason = f"webhook HTTP {response.status_code}: {response.text[:300]}"
        if response.is_redirect:
            reason += f" (redirect to {response.headers.get('Location')}, not followed)"
        raise http_failure(response.status_code, reason)

    def close(self) -> None:
        self._client.close()


def _webhook_url(to: str) -> httpx.URL:
    """The URL, if it is one we will POST to; a bad one is a bounce: the contact needs fixing."""
    try:
        url = httpx.URL(to)
    except httpx.InvalidURL:
        raise PermanentFailure(f"{to!r} is not a URL", bounce=True) from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PermanentFailure(f"{to!r} is not an http(s) URL", bounce=True)
    return url
