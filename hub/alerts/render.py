"""Rendering an alert for one recipient on one channel, from the Jinja2 templates in
hub/alerts/templates/ (HTML autoescaped, undefined names an error)."""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hub.alerts import ack
from hub.alerts.models import STAGE_INITIAL, Alert
from hub.alerts.schemas import CAP_CATEGORY, NOT_REAL, SRP_LABEL
from hub.settings import get_settings

ENV = Environment(
    loader=PackageLoader("hub.alerts", "templates"),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    keep_trailing_newline=False,
)
# Twilio's limit for one message (split into segments by the carrier).
SMS_LIMIT = 1600


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a message is for, as the templates name them."""

    contact_id: int
    name: str
    district: str | None = None
    district_nces: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """A message ready for a channel: subject and text always; HTML for e-mail; the JSON body
    for a webhook."""

    subject: str
    text: str
    html: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


def kind(alert: Alert, stage: int) -> str:
    """What the message is, in words a recipient reads first."""
    if stage != STAGE_INITIAL:
        return "ESCALATION (not yet acknowledged)"
    if alert.msg_type == "Cancel":
        return "CANCEL"
    if alert.response == "all-clear":
        return "ALL CLEAR"
    return "UPDATE" if alert.msg_type == "Update" else "ALERT"


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def context(alert: Alert, recipient: Recipient, stage: int) -> dict[str, Any]:
    """What the templates see; the acknowledgement link is signed for this recipient."""
    settings = get_settings()
    base = settings.public_base_url.rstrip("/")
    return {
        "identifier": alert.identifier,
        "sender": alert.sender,
        "status": alert.status,
        "msg_type": alert.msg_type,
        "not_real": NOT_REAL.get(alert.status),
        "kind": kind(alert, stage),
        "category": CAP_CATEGORY.get(alert.category, "Other"),
        "event": alert.event,
        "urgency": alert.urgency,
        "severity": alert.severity,
        "certainty": alert.certainty,
        "response": SRP_LABEL.get(alert.response) if alert.response else None,
        "response_slug": alert.response,
        "headline": alert.headline,
        "description": alert.description,
        "instruction": alert.instruction,
        "expires": _when(alert.expires),
        "expires_iso": alert.expires.isoformat() if alert.expires else None,
        "recipient": recipient.name,
        "district": recipient.district,
        "district_nces": recipient.district_nces,
        "center": settings.center_name,
        "center_short": settings.center_slug.upper(),
        "ack_url": ack.link(alert.id, recipient.contact_id),
        "cap_url": f"{base}/cap/{alert.identifier}.xml",
    }


def subject(alert: Alert, stage: int) -> str:
    """The e-mail subject: the not-real notice first, then what it is and the headline."""
    notice = NOT_REAL.get(alert.status)
    text = f"{kind(alert, stage)}: {alert.headline}"
    return f"{notice}: {text}" if notice else text


def _sms(values: dict[str, Any]) -> str:
    return " ".join(ENV.get_template("sms.txt").render(values).split())


def render(
    alert: Alert, channel: str, recipient: Recipient, stage: int = STAGE_INITIAL
) -> Rendered:
    """The message `recipient` gets on `channel`."""
    values = context(alert, recipient, stage)
    title = subject(alert, stage)
    if channel == "email":
        text = ENV.get_template("email.txt").render(values)
        html = ENV.get_template("email.html").render(values)
        return Rendered(subject=title, text=text, html=html)
    if channel == "sms":
        text = _sms(values)
        over = len(text) - SMS_LIMIT
        if over > 0:  # shorten the instruction, never the link
            values["instruction"] = values["instruction"][: max(0, -over - 1)] + "…"
            text = _sms(values)[:SMS_LIMIT]
        return Rendered(subject=title, text=text)
    if channel == "webhook":
        data = json.loads(ENV.get_template("webhook.json").render(values))
        data["stage"] = stage
        return Rendered(subject=title, text=json.dumps(data, ensure_ascii=False), data=data)
    raise ValueError(f"unknown channel {channel!r}")
