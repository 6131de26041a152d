"""The channels a delivery worker sends through, built from settings, by channel name."""

import logging
from collections.abc import Callable, Mapping

from hub.alerts.channels.base import Channel, Message, PermanentFailure, Sent
from hub.alerts.channels.email import LogEmail, SmtpEmail
from hub.alerts.channels.sms import SmsGateway
from hub.alerts.channels.webhook import Webhook
from hub.settings import Settings

log = logging.getLogger(__name__)


class Unavailable:
    """A channel that is not configured: each message fails permanently with the reason, so
    the delivery records what to set, and the other channels keep working."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason

    def send(self, message: Message) -> Sent:
        raise PermanentFailure(self.reason)

    def close(self) -> None:
        """Nothing to release."""


def _email(settings: Settings) -> Channel:
    if not settings.smtp_url:  # unset or empty
        return LogEmail(sender=settings.smtp_from)
    try:
        return SmtpEmail(
            settings.smtp_url.get_secret_value(),
            sender=settings.smtp_from,
            timeout=settings.smtp_timeout_seconds,
        )
    except ValueError as exc:
        log.error("e-mail channel unavailable: %s", exc)
        return Unavailable("email", str(exc))


def _sms(settings: Settings) -> Channel:
    if not settings.sms_gateway_url:
        return Unavailable("sms", "no SMS gateway configured (HUB_SMS_GATEWAY_URL)")
    sid, token, sender = settings.sms_account_sid, settings.sms_auth_token, settings.sms_from
    if not (sid and token and sender):
        given = {"HUB_SMS_ACCOUNT_SID": sid, "HUB_SMS_AUTH_TOKEN": token, "HUB_SMS_FROM": sender}
        reason = "SMS gateway configured without " + ", ".join(k for k, v in given.items() if not v)
        log.error("SMS channel unavailable: %s", reason)
        return Unavailable("sms", reason)
    return SmsGateway(
        settings.sms_gateway_url,
        account_sid=sid,
        auth_token=token.get_secret_value(),
        sender=sender,
    )


def _webhook(settings: Settings) -> Channel:
    return Webhook(
        secret_key=settings.secret_key.get_secret_value(),
        timeout=settings.webhook_timeout_seconds,
    )


_BUILDERS: dict[str, Callable[[Settings], Channel]] = {
    "email": _email,
    "sms": _sms,
    "webhook": _webhook,
}


def build_channels(
    settings: Settings, overrides: Mapping[str, Channel] | None = None
) -> dict[str, Channel]:
    """The configured channels by name (email, sms, webhook). `overrides` replace entries (tests
    and the benchmark put a RecordingChannel there); what they replace is never built."""
    overrides = overrides or {}
    channels = {name: build(settings) for name, build in _BUILDERS.items() if name not in overrides}
    channels.update(overrides)
    return channels


def close_channels(channels: Mapping[str, Channel]) -> None:
    """Close every channel's connections, when the worker stops."""
    for channel in channels.values():
        channel.close()
