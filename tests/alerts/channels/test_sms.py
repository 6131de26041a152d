"""The SMS channel against a Twilio-style gateway on 127.0.0.1."""

import base64
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest

from hub.alerts.channels import PermanentFailure, TransientFailure
from hub.alerts.channels.sms import MAX_BODY_CHARS, SmsGateway, sms_body
from tests.alerts.channels.servers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    INVALID_NUMBER,
    LANDLINE,
    NO_SID,
    OVERLOADED,
    REGION_BLOCKED,
    SMS_FROM,
    THROTTLED,
    UNSUBSCRIBED,
    HttpServer,
    free_port,
    make_message,
)

TO = "+12065550123"


@pytest.fixture
def sms(gateway: HttpServer) -> Iterator[SmsGateway]:
    channel = SmsGateway(
        gateway.url, account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN, sender=SMS_FROM
    )
    yield channel
    channel.close()


def form(body: bytes) -> dict[str, list[str]]:
    return parse_qs(body.decode())


def test_posts_the_form_with_basic_auth_and_returns_the_sid(
    gateway: HttpServer, sms: SmsGateway
) -> None:
    sent = sms.send(make_message("sms", TO))

    [request] = gateway.requests
    assert request.path == f"/Accounts/{ACCOUNT_SID}/Messages.json"
    token = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {token}"
    assert form(request.body) == {
        "To": [TO],
        "From": [SMS_FROM],
        "Body": ["Central High is in lockdown. Stay away from the campus."],
    }
    assert sent.provider_id is not None
    assert sent.provider_id.startswith("SM")
    assert sent.detail == "SMS gateway HTTP 201"


def test_one_connection_serves_many_messages(gateway: HttpServer, sms: SmsGateway) -> None:
    for _ in range(3):
        sms.send(make_message("sms", TO))
    assert len({request.client_port for request in gateway.requests}) == 1


def test_long_text_is_cut_to_the_gateway_limit(gateway: HttpServer, sms: SmsGateway) -> None:
    sms.send(make_message("sms", TO, text="x" * 2000))
    body = form(gateway.requests[0].body)["Body"][0]
    assert len(body) == MAX_BODY_CHARS
    assert body.endswith("x…")


def test_text_at_the_limit_is_kept_whole() -> None:
    text = "é" * MAX_BODY_CHARS
    assert sms_body(text) == text


def test_accepted_without_a_sid_still_counts_as_sent(sms: SmsGateway) -> None:
    assert sms.send(make_message("sms", NO_SID)).provider_id is None


@pytest.mark.parametrize(
    ("to", "what"),
    [
        (INVALID_NUMBER, "code 21211"),
        (LANDLINE, "not a mobile number"),
        (UNSUBSCRIBED, "unsubscribed"),
    ],
)
def test_numbers_that_can_never_receive_are_bounces(sms: SmsGateway, to: str, what: str) -> None:
    with pytest.raises(PermanentFailure, match=what) as caught:
        sms.send(make_message("sms", to))
    assert caught.value.bounce


def test_other_refusals_are_permanent_without_bounce(sms: SmsGateway) -> None:
    with pytest.raises(PermanentFailure, match="code 21408") as caught:
        sms.send(make_message("sms", REGION_BLOCKED))
    assert not caught.value.bounce


def test_wrong_credentials_are_permanent(gateway: HttpServer) -> None:
    channel = SmsGateway(gateway.url, account_sid=ACCOUNT_SID, auth_token="nope", sender=SMS_FROM)
    with pytest.raises(PermanentFailure, match="HTTP 401") as caught:
        channel.send(make_message("sms", TO))
    assert not caught.value.bounce
    channel.close()


@pytest.mark.parametrize(("to", "status"), [(OVERLOADED, "503"), (THROTTLED, "429")])
def test_overload_and_throttling_are_retried(sms: SmsGateway, to: str, status: str) -> None:
    with pytest.raises(TransientFailure, match=f"HTTP {status}"):
        sms.send(make_message("sms", to))


@pytest.mark.parametrize(
    "to", ["2065550123", "+1 206 555 0123", "+0123456", "", "+1234567890123456"]
)
def test_not_e164_is_a_bounce_and_not_sent(gateway: HttpServer, sms: SmsGateway, to: str) -> None:
    with pytest.raises(PermanentFailure, match=r"E\.164") as caught:
        sms.send(make_message("sms", to))
    assert caught.value.bounce
    assert gateway.requests == []


def test_gateway_down_is_transient() -> None:
    channel = SmsGateway(
        f"http://127.0.0.1:{free_port()}", account_sid="AC1", auth_token="t", sender=SMS_FROM
    )
    with pytest.raises(TransientFailure, match="ConnectError"):
        channel.send(make_message("sms", TO))
    channel.close()
