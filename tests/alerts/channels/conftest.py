"""Fixtures of the channel tests: real SMTP and HTTP servers on 127.0.0.1, no database."""

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.alerts.channels.servers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SECRET_KEY,
    HttpServer,
    SmtpServer,
    sms_gateway,
    webhook_receiver,
)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A plain SMTP server: no TLS, no AUTH."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def gateway() -> Iterator[HttpServer]:
    """The Twilio-style SMS gateway, for ACCOUNT_SID / AUTH_TOKEN."""
    with HttpServer(sms_gateway(ACCOUNT_SID, AUTH_TOKEN)) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[HttpServer]:
    """A district's webhook receiver that checks signatures made from SECRET_KEY."""
    with HttpServer(webhook_receiver(SECRET_KEY)) as server:
        yield server


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(cert, key) files of a self-signed certificate for 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)
