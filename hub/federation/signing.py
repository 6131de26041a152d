"""HMAC request signing between hubs: a signature over the timestamp, a nonce, the method, the
path with query and the body, checked against a replay window; a signature is accepted once (the
nonce keeps two identical requests in the same second apart)."""

import hashlib
import hmac
import secrets
import time
from collections.abc import Generator
from datetime import timedelta

import httpx
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.errors import PermissionDenied
from hub.federation.models import SeenSignature

TIMESTAMP = "X-Hub-Timestamp"
SIGNATURE = "X-Hub-Signature"
NONCE = "X-Hub-Nonce"


def signature(
    secret: str, timestamp: str, nonce: str, method: str, target: str, body: bytes
) -> str:
    """hex HMAC-SHA256 of "timestamp\\nnonce\\nMETHOD\\n/path?query\\n" + body."""
    message = f"{timestamp}\n{nonce}\n{method.upper()}\n{target}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class SignedAuth(httpx.Auth):
    """httpx auth: the bearer token, and the signature headers when a secret is shared."""

    requires_request_body = True

    def __init__(self, token: str, secret: str | None) -> None:
        self.token, self.secret = token, secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        if self.secret is not None:
            stamp, nonce = str(int(time.time())), secrets.token_hex(16)
            target = request.url.raw_path.decode()
            request.headers[TIMESTAMP] = stamp
            request.headers[NONCE] = nonce
            request.headers[SIGNATURE] = "sha256=" + signature(
                self.secret, stamp, nonce, request.method, target, request.content
            )
        yield request


def verify(
    session: Session,
    secret: str,
    *,
    timestamp: str | None,
    nonce: str | None,
    given: str | None,
    method: str,
    target: str,
    body: bytes,
    window_seconds: int,
) -> None:
    """Refuse a request that is unsigned, signed wrongly, outside the window, or seen before."""
    if not timestamp or not nonce or not given:
        raise PermissionDenied(
            f"this partner signs its requests: {TIMESTAMP}, {NONCE} and {SIGNATURE}"
        )
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > window_seconds:
        raise PermissionDenied(
            f"{TIMESTAMP} is outside the {window_seconds} s replay window (check the clocks)"
        )
    expected = signature(secret, timestamp, nonce, method, target, body)
    if not hmac.compare_digest("sha256=" + expected, given):
        raise PermissionDenied(f"{SIGNATURE} does not match the request")
    try:
        with session.begin_nested():
            session.add(SeenSignature(signature=expected))
    except IntegrityError:
        raise PermissionDenied("this signed request was seen already (a replay)") from None


def forget_old(session: Session, window_seconds: int) -> int:
    """Drop signatures older than the window: their timestamps are refused anyway."""
    cutoff = utcnow() - timedelta(seconds=2 * window_seconds)
    result = session.execute(delete(SeenSignature).where(SeenSignature.seen_at < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
