"""Real servers on 127.0.0.1 for channel tests (SMTP, an SMS gateway, a webhook receiver) and
the messages sent to them."""

import base64
import hashlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from hub.alerts.channels import Message, district_secret, verify_signature


def free_port() -> int:
    """A loopback port nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One message the SMTP server accepted, with its envelope."""

    mail_from: str
    rcpt_tos: list[str]
    email: EmailMessage
    authenticated: bool


class SmtpServer:
    """An aiosmtpd server that keeps what it accepts. `rcpt_replies` answers chosen recipients
    (e.g. "550 5.1.1 no such user"); `data_reply` answers DATA instead of accepting."""

    def __init__(self, **smtp_options: Any) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.rcpt_replies: dict[str, str] = {}
        self.data_reply: str | None = None
        self.tls_sessions = 0
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **smtp_options)

    def url(self, scheme: str = "smtp", credentials: str = "") -> str:
        return f"{scheme}://{credentials}127.0.0.1:{self.port}"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.data_reply is not None:
            return self.data_reply
        content = envelope.original_content or b""
        email = message_from_bytes(content, policy=policy.default)
        self.received.append(
            Received(
                envelope.mail_from or "",
                list(envelope.rcpt_tos),
                email,
                authenticated=bool(session.authenticated),
            )
        )
        if server.transport is not None and server.transport.get_extra_info("ssl_object"):
            self.tls_sessions += 1
        return "250 2.0.0 queued"

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


@dataclass(frozen=True)
class Request:
    """One HTTP request as received; header names lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int


@dataclass(frozen=True)
class Reply:
    """What to answer, optionally after `delay` seconds. A dict body is sent as JSON."""

    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so tests can see connections reused
    server: "HttpServer._Server"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        request = Request(
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            client_port=self.client_address[1],
        )
        with self.server.lock:
            self.server.requests.append(request)
        reply = self.server.respond(request)
        if reply.delay:
            self.server.stopping.wait(reply.delay)
        payload = json.dumps(reply.body).encode() if isinstance(reply.body, dict) else reply.body
        try:
            self.send_response(reply.status)
            content_type = "application/json" if isinstance(reply.body, dict) else "text/plain"
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: what the timeout tests want

    def log_message(self, format: str, *args: Any) -> None:
        pass


class HttpServer:
    """A threaded HTTP server answering POSTs with `respond(request)`; keeps every request."""

    class _Server(ThreadingHTTPServer):
        respond: Callable[[Request], Reply]
        requests: list[Request]
        lock: threading.Lock
        stopping: threading.Event

    def __init__(self, respond: Callable[[Request], Reply]) -> None:
        self._server = self._Server(("127.0.0.1", 0), _Handler)
        self._server.respond = respond
        self._server.requests = []
        self._server.lock = threading.Lock()
        self._server.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[Request]:
        with self._server.lock:
            return list(self._server.requests)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()


def tls_contexts(cert: str, key: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts for a self-signed certificate the client trusts."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=cert)


SECRET_KEY = "channel-tests-secret-key"
ACCOUNT_SID = "AC0123456789"
AUTH_TOKEN = "gateway-token"
SMS_FROM = "+15005550006"
# Numbers the fake gateway answers specially, as Twilio's test credentials do.
INVALID_NUMBER = "+15005550001"
LANDLINE = "+15005550009"
UNSUBSCRIBED = "+15005550010"
REGION_BLOCKED = "+15005550007"
OVERLOADED = "+15005550002"
THROTTLED = "+15005550004"
NO_SID = "+15005550005"
SMS_ANSWERS = {
    INVALID_NUMBER: Reply(400, {"code": 21211, "message": "The 'To' number is not valid."}),
    LANDLINE: Reply(400, {"code": 21614, "message": "'To' is not a mobile number"}),
    UNSUBSCRIBED: Reply(400, {"code": 21610, "message": "Attempt to send to unsubscribed"}),
    REGION_BLOCKED: Reply(400, {"code": 21408, "message": "Permission to send not enabled"}),
    OVERLOADED: Reply(503, b"Service Unavailable"),
    THROTTLED: Reply(429, {"code": 20429, "message": "Too Many Requests"}),
    NO_SID: Reply(201, b"queued"),
}


def sms_gateway(account_sid: str, auth_token: str) -> Callable[[Request], Reply]:
    """A Twilio-style Messages endpoint: checks the path and basic auth, answers 201 with a
    sid, or what SMS_ANSWERS says for the number."""
    token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()

    def respond(request: Request) -> Reply:
        if request.path != f"/Accounts/{account_sid}/Messages.json":
            return Reply(404, {"code": 20404, "message": "The requested resource was not found"})
        if request.headers.get("authorization") != f"Basic {token}":
            return Reply(401, {"code": 20003, "message": "Authenticate"})
        to = parse_qs(request.body.decode())["To"][0]
        return SMS_ANSWERS.get(to) or Reply(
            201, {"sid": "SM" + hashlib.sha256(request.body).hexdigest()}
        )

    return respond


WEBHOOK_ANSWERS = {
    "/gone": Reply(410, b"this hook was removed"),
    "/missing": Reply(404, b"no such hook"),
    "/broken": Reply(500, b"boom"),
    "/throttled": Reply(429, b"slow down"),
    "/request-timeout": Reply(408, b"too slow"),
    "/moved": Reply(301, headers={"Location": "https://elsewhere.example/hook"}),
    "/slow": Reply(200, delay=5),
}


def webhook_receiver(secret_key: str) -> Callable[[Request], Reply]:
    """A district's receiver at /hooks/<NCES id>: 200 when the signature verifies with that
    district's secret, 401 when not; other paths answer as WEBHOOK_ANSWERS says."""

    def respond(request: Request) -> Reply:
        if request.path in WEBHOOK_ANSWERS:
            return WEBHOOK_ANSWERS[request.path]
        nces_id = request.path.removeprefix("/hooks/")
        verified = verify_signature(
            district_secret(secret_key, nces_id),
            request.headers.get("x-hub-timestamp", ""),
            request.body,
            request.headers.get("x-hub-signature", ""),
            now=time.time(),
        )
        return Reply(200, {"ok": True}) if verified else Reply(401, b"bad signature")

    return respond


def make_message(channel: str, to: str, **fields: Any) -> Message:
    """A message as the delivery worker would render it; `fields` override the defaults."""
    defaults: dict[str, Any] = {
        "subject": "Lockdown: Central High",
        "text": "Central High is in lockdown. Stay away from the campus.",
        "delivery_id": 42,
        "alert_identifier": "urn:oid:2.49.0.1.840.0.ZZ.2025.7",
    }
    return Message(channel=channel, to=to, **{**defaults, **fields})
