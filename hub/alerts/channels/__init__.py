"""Delivery channels of the alert network: e-mail, SMS and signed webhooks, built by name."""

from hub.alerts.channels.base import (
    Channel,
    DeliveryFailure,
    Message,
    PermanentFailure,
    Sent,
    TransientFailure,
    backoff_seconds,
)
from hub.alerts.channels.recording import RecordingChannel
from hub.alerts.channels.registry import build_channels, close_channels
from hub.alerts.channels.webhook import district_secret, verify_signature

__all__ = [
    "Channel",
    "DeliveryFailure",
    "Message",
    "PermanentFailure",
    "RecordingChannel",
    "Sent",
    "TransientFailure",
    "backoff_seconds",
    "build_channels",
    "close_channels",
    "district_secret",
    "verify_signature",
]
