"""The e-mail channel against a real aiosmtpd server: content, TLS, AUTH, and what failures
mean for retries."""

import logging
import socket
import ssl
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from hub.alerts.channels import Message, PermanentFailure, TransientFailure
from hub.alerts.channels.email import LogEmail, SmtpEmail, parse_smtp_url
from tests.alerts.channels.servers import SmtpServer, free_port, make_message, tls_contexts

SENDER = "School Safety Hub <alerts@hub.example>"
TO = "principal@central.example"


def smtp(url: str, *, timeout: float = 5.0, ssl_context: ssl.SSLContext | None = None) -> SmtpEmail:
    return SmtpEmail(url, sender=SENDER, timeout=timeout, ssl_context=ssl_context)


def email(to: str = TO, **fields: Any) -> Message:
    return make_message("email", to, **fields)


def test_sends_text_html_and_delivery_headers(smtp_server: SmtpServer) -> None:
    """Extra headers are added, but cannot replace the hub's own."""
    message = email(
        html="<p>Central High is in <b>lockdown</b>.</p>",
        headers={"Reply-To": "desk@center.example", "X-Hub-Delivery-Id": "999"},
    )
    sent = smtp(smtp_server.url()).send(message)

    [received] = smtp_server.received
    assert received.mail_from == "alerts@hub.example"
    assert received.rcpt_tos == [TO]
    assert not received.authenticated
    mail = received.email
    assert mail["From"] == SENDER
    assert mail["To"] == TO
    assert mail["Subject"] == "Lockdown: Central High"
    assert mail["Reply-To"] == "desk@center.example"
    assert mail.get_all("X-Hub-Delivery-Id") == ["42"]
    assert mail["X-Hub-Alert"] == "urn:oid:2.49.0.1.840.0.ZZ.2025.7"
    assert mail["Message-ID"] == sent.provider_id
    assert mail["Message-ID"].endswith("@hub.example>")
    assert mail["Date"]
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None
    assert html is not None
    assert text.get_content().strip() == message.text
    assert html.get_content().strip() == message.html


def test_text_only_message_is_not_multipart(smtp_server: SmtpServer) -> None:
    smtp(smtp_server.url()).send(email(subject="Drill\r\nBcc: everyone@example.org"))

    mail = smtp_server.received[0].email
    assert not mail.is_multipart()
    assert mail["Subject"] == "Drill Bcc: everyone@example.org"
    assert mail["Bcc"] is None


def test_refused_recipient_is_a_bounce(smtp_server: SmtpServer) -> None:
    smtp_server.rcpt_replies[TO] = "550 5.1.1 No such user"
    with pytest.raises(PermanentFailure, match=r"550 5\.1\.1 No such user") as caught:
        smtp(smtp_server.url()).send(email())
    assert caught.value.bounce
    assert smtp_server.received == []


def test_greylisted_recipient_is_retried(smtp_server: SmtpServer) -> None:
    smtp_server.rcpt_replies[TO] = "451 4.7.1 Greylisted, try again later"
    with pytest.raises(TransientFailure, match="451"):
        smtp(smtp_server.url()).send(email())


def test_message_refused_at_data_is_permanent_but_no_bounce(smtp_server: SmtpServer) -> None:
    smtp_server.data_reply = "554 5.7.1 Message rejected as spam"
    with pytest.raises(PermanentFailure, match="554") as caught:
        smtp(smtp_server.url()).send(email())
    assert not caught.value.bounce


def test_data_deferred_is_transient(smtp_server: SmtpServer) -> None:
    smtp_server.data_reply = "452 4.3.1 Insufficient system storage"
    with pytest.raises(TransientFailure, match="452"):
        smtp(smtp_server.url()).send(email())


@pytest.mark.parametrize("to", ["not an address", "a@b@c", "Name <x@y.example>", "x@y\r\nBcc: z"])
def test_malformed_address_is_a_bounce_and_not_sent(smtp_server: SmtpServer, to: str) -> None:
    with pytest.raises(PermanentFailure) as caught:
        smtp(smtp_server.url()).send(email(to=to))
    assert caught.value.bounce
    assert smtp_server.received == []


def test_connection_refused_is_transient() -> None:
    with pytest.raises(TransientFailure, match="ConnectionRefused"):
        smtp(f"smtp://127.0.0.1:{free_port()}").send(email())


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield sock.getsockname()[1]


def test_server_that_never_greets_times_out_as_transient(silent_server: int) -> None:
    with pytest.raises(TransientFailure, match="timed out"):
        smtp(f"smtp://127.0.0.1:{silent_server}", timeout=0.2).send(email())


def check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"hub", b"p@ss word")
    return AuthResult(success=ok, handled=False)


def test_logs_in_with_percent_encoded_credentials() -> None:
    with SmtpServer(authenticator=check_login, auth_require_tls=False) as server:
        smtp(server.url(credentials="hub:p%40ss%20word@")).send(email())
        assert server.received[0].authenticated


def test_wrong_password_is_permanent_and_not_a_bounce() -> None:
    with SmtpServer(authenticator=check_login, auth_require_tls=False) as server:
        with pytest.raises(PermanentFailure, match="535") as caught:
            smtp(server.url(credentials="hub:wrong@")).send(email())
        assert not caught.value.bounce


def test_starttls_when_offered_before_logging_in(certificate: tuple[str, str]) -> None:
    server_tls, client_tls = tls_contexts(*certificate)
    with SmtpServer(
        tls_context=server_tls, require_starttls=True, authenticator=check_login, auth_required=True
    ) as server:
        channel = smtp(server.url(credentials="hub:p%40ss%20word@"), ssl_context=client_tls)
        channel.send(email())
        assert server.tls_sessions == 1
        assert server.received[0].authenticated


def test_smtps_speaks_tls_from_the_start(certificate: tuple[str, str]) -> None:
    server_tls, client_tls = tls_contexts(*certificate)
    with SmtpServer(ssl_context=server_tls) as server:
        smtp(server.url("smtps"), ssl_context=client_tls).send(email())
        assert server.tls_sessions == 1


def test_untrusted_certificate_is_not_accepted(certificate: tuple[str, str]) -> None:
    server_tls, _ = tls_contexts(*certificate)
    with SmtpServer(tls_context=server_tls) as server, pytest.raises(TransientFailure):
        smtp(server.url()).send(email())
    assert server.received == []


def test_smtp_url_parts() -> None:
    assert parse_smtp_url("smtp://relay.example") == parse_smtp_url("smtp://relay.example:25")
    server = parse_smtp_url("smtps://me%40org:s%3Acret@mail.example")
    assert (server.host, server.port, server.implicit_tls) == ("mail.example", 465, True)
    assert (server.user, server.password) == ("me@org", "s:cret")
    assert "s:cret" not in repr(server)
    assert parse_smtp_url("smtp://relay:587").user is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://u:secret@relay", "must start with"),
        ("smtp://u:secret@", "no host"),
        ("smtp://u:secret@relay:99999", "invalid port"),
    ],
)
def test_bad_smtp_url_is_refused_without_quoting_the_password(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        parse_smtp_url(url)
    assert "secret" not in str(caught.value)


def test_log_email_writes_the_message_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hub.alerts.email"):
        sent = LogEmail(sender=SENDER).send(email())
    [record] = caplog.records
    assert record.name == "hub.alerts.email"
    assert TO in record.getMessage()
    assert "Central High is in lockdown" in record.getMessage()
    assert sent.provider_id is not None
    assert sent.provider_id.endswith("@hub.example>")
