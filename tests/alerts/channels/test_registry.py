"""Which channel each setting gives, overrides for tests, and the recording channel."""

import threading
from typing import Any

import pytest

from hub.alerts.channels import (
    PermanentFailure,
    RecordingChannel,
    TransientFailure,
    build_channels,
    close_channels,
)
from hub.alerts.channels.email import LogEmail, SmtpEmail
from hub.alerts.channels.registry import Unavailable
from hub.alerts.channels.sms import SmsGateway
from hub.alerts.channels.webhook import Webhook
from hub.settings import Settings
from tests.alerts.channels.servers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    SECRET_KEY,
    SMS_FROM,
    HttpServer,
    SmtpServer,
    make_message,
)


def settings(**values: Any) -> Settings:
    """Settings from these values only: nothing from the environment's channel settings."""
    unset = {"smtp_url": None, "sms_gateway_url": None, "sms_account_sid": None}
    return Settings(_env_file=None, **{**unset, **values})


def test_unconfigured_channels_log_e_mail_and_refuse_sms() -> None:
    channels = build_channels(settings())
    assert set(channels) == {"email", "sms", "webhook"}
    assert isinstance(channels["email"], LogEmail)
    assert isinstance(channels["webhook"], Webhook)
    with pytest.raises(PermanentFailure) as caught:
        channels["sms"].send(make_message("sms", "+12065550123"))
    assert caught.value.reason == "no SMS gateway configured (HUB_SMS_GATEWAY_URL)"
    assert not caught.value.bounce
    close_channels(channels)


def test_configured_channels_send_through_the_servers(
    smtp_server: SmtpServer, gateway: HttpServer, receiver: HttpServer
) -> None:
    channels = build_channels(
        settings(
            smtp_url=smtp_server.url(),
            sms_gateway_url=gateway.url,
            sms_account_sid=ACCOUNT_SID,
            sms_auth_token=AUTH_TOKEN,
            sms_from=SMS_FROM,
            secret_key=SECRET_KEY,
        )
    )
    assert isinstance(channels["email"], SmtpEmail)
    assert isinstance(channels["sms"], SmsGateway)
    channels["email"].send(make_message("email", "nurse@central.example"))
    channels["sms"].send(make_message("sms", "+12065550123"))
    channels["webhook"].send(
        make_message("webhook", f"{receiver.url}/hooks/0100005", district="0100005")
    )
    close_channels(channels)
    assert len(smtp_server.received) == 1
    assert len(gateway.requests) == 1
    assert len(receiver.requests) == 1


def test_incomplete_sms_settings_name_what_is_missing() -> None:
    channels = build_channels(settings(sms_gateway_url="https://api.twilio.com/2010-04-01"))
    assert isinstance(channels["sms"], Unavailable)
    assert channels["sms"].reason == (
        "SMS gateway configured without HUB_SMS_ACCOUNT_SID, HUB_SMS_AUTH_TOKEN, HUB_SMS_FROM"
    )


def test_a_bad_smtp_url_disables_e_mail_only() -> None:
    channels = build_channels(settings(smtp_url="smtp://user:hunter2@"))
    email = channels["email"]
    assert isinstance(email, Unavailable)
    assert email.reason == "HUB_SMTP_URL has no host"
    assert isinstance(channels["webhook"], Webhook)


def test_overrides_replace_entries_without_building_them() -> None:
    recorder = RecordingChannel("email")
    channels = build_channels(settings(smtp_url="not even a URL"), {"email": recorder})
    assert channels["email"] is recorder
    assert isinstance(channels["sms"], Unavailable)


def test_recording_channel_keeps_messages_in_order_across_threads() -> None:
    recorder = RecordingChannel("webhook")
    messages = [make_message("webhook", "https://d.example/h", delivery_id=i) for i in range(200)]

    def send(part: list[Any]) -> None:
        for message in part:
            recorder.send(message)

    threads = [threading.Thread(target=send, args=(messages[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.delivery_id for m in recorder.messages) == list(range(200))
    assert recorder.send(messages[0]).provider_id == "webhook-201"


def test_recording_channel_can_fail_the_next_sends() -> None:
    recorder = RecordingChannel("sms")
    message = make_message("sms", "+12065550123")
    recorder.fail_next(TransientFailure("gateway busy"), PermanentFailure("bad", bounce=True))
    with pytest.raises(TransientFailure):
        recorder.send(message)
    with pytest.raises(PermanentFailure):
        recorder.send(message)
    assert recorder.messages == []
    assert recorder.send(message).detail == "recorded"
    recorder.messages.clear()
    assert recorder.messages == [message]


def test_empty_settings_count_as_unset() -> None:
    channels = build_channels(settings(smtp_url="", sms_gateway_url=""))
    assert isinstance(channels["email"], LogEmail)
    assert isinstance(channels["sms"], Unavailable)
