"""E-mail delivery: SMTP through smtplib, or the log when HUB_SMTP_URL is unset."""

import logging
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

from hub.alerts.channels.base import (
    DeliveryFailure,
    Message,
    PermanentFailure,
    Sent,
    TransientFailure,
)

log = logging.getLogger("hub.alerts.email")

# A bare address: one @, no spaces, no display name, nothing that would split a header.
_ADDRESS = re.compile(r"[^@\s<>\",;]+@[^@\s<>\",;]+")


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect, read from HUB_SMTP_URL. `implicit_tls` is smtps://."""

    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None = field(repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """`smtp://[user:password@]host[:port]` (port 25) or `smtps://…` (port 465). User and
    password are percent-decoded. Errors never quote the URL: it holds the password."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("HUB_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("HUB_SMTP_URL has no host")
    implicit_tls = parts.scheme == "smtps"
    try:
        port = parts.port
    except ValueError:
        raise ValueError("HUB_SMTP_URL has an invalid port") from None
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        implicit_tls=implicit_tls,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def build_email(message: Message, sender: str) -> EmailMessage:
    """The e-mail for a message: text, an HTML alternative when there is one, and headers that
    tie it to its delivery. Subjects are folded onto one line; extra headers cannot replace
    ours."""
    email = EmailMessage()
    for name, value in message.headers.items():
        email[name] = value
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    own = {
        "From": sender,
        "To": message.to,
        "Subject": " ".join(message.subject.split()),
        "Date": format_datetime(datetime.now(UTC)),
        "Message-ID": make_msgid(idstring=f"delivery-{message.delivery_id}", domain=domain),
        "X-Hub-Delivery-Id": str(message.delivery_id),
        "X-Hub-Alert": message.alert_identifier,
    }
    for name, value in own.items():
        del email[name]
        email[name] = value
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def _check_address(to: str) -> None:
    if not _ADDRESS.fullmatch(to):
        raise PermanentFailure(f"{to!r} is not an e-mail address", bounce=True)


def _reply_failure(code: int, reply: bytes | str, *, bounce: bool) -> DeliveryFailure:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    reason = f"SMTP {code} {text}"
    if code >= 500:
        return PermanentFailure(reason, bounce=bounce)
    return TransientFailure(reason)


class SmtpEmail:
    """Sends through an SMTP server, one connection per message: no state shared between the
    worker's threads and no idle connection to go stale between alerts; a burst pays one
    handshake per e-mail. STARTTLS is used whenever the server offers it."""

    name = "email"

    def __init__(
        self,
        url: str,
        *,
        sender: str,
        timeout: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.server = parse_smtp_url(url)
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        self._timeout = timeout
        self._ssl = ssl_context or ssl.create_default_context()
        # smtplib looks this up on every connection otherwise, and the lookup can be slow.
        self._local_hostname = socket.getfqdn()

    def send(self, message: Message) -> Sent:
        _check_address(message.to)
        email = build_email(message, self._sender)
        try:
            smtp = self._connect()
            try:
                smtp.send_message(email, self._envelope_from, [message.to])
            finally:
                _quit(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients[message.to]
            raise _reply_failure(code, reply, bounce=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise _reply_failure(exc.smtp_code, exc.smtp_error, bounce=False) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentFailure(f"SMTP server lacks a needed extension: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientFailure(f"SMTP {type(exc).__name__}: {exc}") from exc
        return Sent(
            provider_id=str(email["Message-ID"]),
            detail=f"accepted by {self.server.host}:{self.server.port}",
        )

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        smtp: smtplib.SMTP
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(
                server.host,
                server.port,
                local_hostname=self._local_hostname,
                timeout=self._timeout,
                context=self._ssl,
            )
        else:
            smtp = smtplib.SMTP(
                server.host,
                server.port,
                local_hostname=self._local_hostname,
                timeout=self._timeout,
            )
        try:
            smtp.ehlo()
            if not server.implicit_tls and smtp.has_extn("starttls"):
                smtp.starttls(context=self._ssl)
                smtp.ehlo()
            if server.user:
                smtp.login(server.user, server.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        """Nothing held between messages."""


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; once the message is accepted, a failing QUIT must not make it a retry."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


class LogEmail:
    """Writes each e-mail to the `hub.alerts.email` log instead of sending it: what the demo
    and a development setup do when HUB_SMTP_URL is unset."""

    name = "email"

    def __init__(self, *, sender: str) -> None:
        self._sender = sender

    def send(self, message: Message) -> Sent:
        _check_address(message.to)
        email = build_email(message, self._sender)
        log.info(
            "e-mail not sent (HUB_SMTP_URL unset) to %s, delivery %d, alert %s\nSubject: %s\n\n%s",
            message.to,
            message.delivery_id,
            message.alert_identifier,
            email["Subject"],
            message.text,
        )
        return Sent(provider_id=str(email["Message-ID"]), detail="written to the log")

    def close(self) -> None:
        """Nothing to release."""
