"""Signed webhooks: the signature a district can check, and what each answer means."""

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hub.alerts.channels import (
    Message,
    PermanentFailure,
    TransientFailure,
    district_secret,
    verify_signature,
)
from hub.alerts.channels.webhook import Webhook, sign
from tests.alerts.channels.servers import SECRET_KEY, HttpServer, free_port, make_message

DISTRICT = "0100005"
DATA = {
    "alert": "urn:oid:2.49.0.1.840.0.ZZ.2025.7",
    "headline": "Lockdown: Central High, Élèves à l'abri",
}


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    channel = Webhook(secret_key=SECRET_KEY, timeout=2.0)
    yield channel
    channel.close()


def hook(url: str, **fields: Any) -> Message:
    return make_message("webhook", url, data=DATA, district=DISTRICT, **fields)


def test_signed_post_verifies_at_the_receiver(receiver: HttpServer, webhook: Webhook) -> None:
    sent = webhook.send(hook(f"{receiver.url}/hooks/{DISTRICT}"))

    assert sent.detail == "webhook HTTP 200"
    [request] = receiver.requests
    assert json.loads(request.body) == DATA
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-hub-delivery-id"] == "42"
    assert request.headers["x-hub-alert"] == DATA["alert"]
    assert request.headers["x-hub-signature"].startswith("sha256=")
    assert abs(int(request.headers["x-hub-timestamp"]) - time.time()) < 5


def test_extra_headers_are_sent_but_cannot_replace_the_signature(
    receiver: HttpServer, webhook: Webhook
) -> None:
    headers = {"X-District-Ref": "A-7", "x-hub-signature": "sha256=00", "content-type": "text/xml"}
    webhook.send(hook(f"{receiver.url}/hooks/{DISTRICT}", headers=headers))
    request = receiver.requests[0]
    assert request.headers["x-district-ref"] == "A-7"
    assert request.headers["content-type"] == "application/json"


def test_each_district_has_its_own_secret(receiver: HttpServer, webhook: Webhook) -> None:
    """Signed for one district, the request fails at another district's receiver."""
    message = hook(f"{receiver.url}/hooks/0100006")
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        webhook.send(message)


def test_a_stale_timestamp_is_refused_by_the_receiver(receiver: HttpServer) -> None:
    late = Webhook(secret_key=SECRET_KEY, timeout=2.0, clock=lambda: time.time() - 1000)
    with pytest.raises(PermanentFailure, match="HTTP 401"):
        late.send(hook(f"{receiver.url}/hooks/{DISTRICT}"))
    late.close()


def test_one_connection_serves_many_messages(receiver: HttpServer, webhook: Webhook) -> None:
    for _ in range(3):
        webhook.send(hook(f"{receiver.url}/hooks/{DISTRICT}"))
    assert len({request.client_port for request in receiver.requests}) == 1


SECRET = district_secret(SECRET_KEY, DISTRICT)
BODY = b'{"alert":"x"}'
NOW = 1_750_000_000


def test_verify_signature_accepts_what_sign_makes() -> None:
    assert verify_signature(SECRET, str(NOW), BODY, sign(SECRET, NOW, BODY), now=NOW + 299)


@pytest.mark.parametrize(
    ("timestamp", "body", "now"),
    [
        (str(NOW), BODY + b" ", NOW),  # body changed
        (str(NOW + 1), BODY, NOW),  # timestamp changed
        (str(NOW), BODY, NOW + 301),  # too old: a replay
        (str(NOW), BODY, NOW - 301),  # from the future
        ("1_750_000_000", BODY, NOW),  # not how we write timestamps
        ("", BODY, NOW),
    ],
)
def test_verify_signature_refuses_tampering_and_replays(
    timestamp: str, body: bytes, now: int
) -> None:
    assert not verify_signature(SECRET, timestamp, body, sign(SECRET, NOW, BODY), now=now)


def test_verify_signature_refuses_other_secrets_and_junk() -> None:
    signature = sign(SECRET, NOW, BODY)
    other = district_secret(SECRET_KEY, "0100006")
    assert not verify_signature(other, NOW, BODY, signature, now=NOW)
    assert not verify_signature(SECRET, NOW, BODY, "sha256=é", now=NOW)
    assert not verify_signature(SECRET, NOW, BODY, signature.removeprefix("sha256="), now=NOW)


def test_district_secret_is_derived_from_the_hub_key() -> None:
    assert district_secret(SECRET_KEY, DISTRICT) == SECRET
    assert re.fullmatch("[0-9a-f]{64}", SECRET)
    assert district_secret("rotated-key", DISTRICT) != SECRET


def test_gone_is_a_bounce(receiver: HttpServer, webhook: Webhook) -> None:
    with pytest.raises(PermanentFailure, match="HTTP 410") as caught:
        webhook.send(hook(f"{receiver.url}/gone"))
    assert caught.value.bounce


def test_not_found_is_permanent_without_bounce(receiver: HttpServer, webhook: Webhook) -> None:
    with pytest.raises(PermanentFailure, match="HTTP 404") as caught:
        webhook.send(hook(f"{receiver.url}/missing"))
    assert not caught.value.bounce


def test_redirects_are_not_followed(receiver: HttpServer, webhook: Webhook) -> None:
    with pytest.raises(PermanentFailure, match=r"elsewhere\.example/hook, not followed"):
        webhook.send(hook(f"{receiver.url}/moved"))
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("path", ["/broken", "/throttled", "/request-timeout"])
def test_server_trouble_is_retried(receiver: HttpServer, webhook: Webhook, path: str) -> None:
    with pytest.raises(TransientFailure, match="webhook HTTP"):
        webhook.send(hook(receiver.url + path))


def test_connection_refused_is_transient(webhook: Webhook) -> None:
    with pytest.raises(TransientFailure, match="ConnectError"):
        webhook.send(hook(f"http://127.0.0.1:{free_port()}/hooks/{DISTRICT}"))


def test_a_receiver_slower_than_the_timeout_is_transient(receiver: HttpServer) -> None:
    impatient = Webhook(secret_key=SECRET_KEY, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(TransientFailure, match="ReadTimeout"):
        impatient.send(hook(f"{receiver.url}/slow"))
    assert time.monotonic() - started < 2
    impatient.close()


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "file:///etc/passwd", "not a url", "http://", "https:///x"]
)
def test_only_http_urls_are_posted_to(webhook: Webhook, url: str) -> None:
    with pytest.raises(PermanentFailure, match="URL") as caught:
        webhook.send(hook(url))
    assert caught.value.bounce


def test_a_message_without_district_cannot_be_signed(
    receiver: HttpServer, webhook: Webhook
) -> None:
    message = make_message("webhook", f"{receiver.url}/hooks/{DISTRICT}", data=DATA)
    with pytest.raises(PermanentFailure, match="NCES id"):
        webhook.send(message)
    assert receiver.requests == []
