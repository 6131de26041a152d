"""Alert tables: the alert (shaped like CAP 1.2), one delivery per recipient, channel and
escalation stage, each delivery's attempts, and acknowledgements."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, utcnow
from hub.events.models import BigId

CAP_STATUSES = ("Actual", "Exercise", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel")
SCOPES = ("Public", "Restricted", "Private")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
# Lifecycle. `standby` is a companion (the Cancel or All Clear of an approved Actual alert),
# prepared and approved with it, and sent only when an approver asks for it.
STATES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "standby",
    "dispatching",
    "dispatched",
    "updated",
    "cancelled",
    "expired",
)
DELIVERY_STATUSES = ("queued", "sending", "sent", "failed")
CHANNELS = ("email", "sms", "webhook")
# Escalation stages of a delivery: the first message, then a district's 24x7 contacts, then its
# region's center staff.
STAGE_INITIAL, STAGE_DISTRICT_24X7, STAGE_CENTER_STAFF = 0, 1, 2


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")", column)


class Alert(Base):
    """One alert message. author / approver are usernames (the system principal has no user
    row); the audit log holds every transition with who made it and what changed."""

    __tablename__ = "alerts"
    __table_args__ = (
        _one_of("status", CAP_STATUSES),
        _one_of("msg_type", MSG_TYPES),
        _one_of("scope", SCOPES),
        _one_of("urgency", URGENCIES),
        _one_of("severity", SEVERITIES),
        _one_of("certainty", CERTAINTIES),
        _one_of("state", STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(120), unique=True)
    sender: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    msg_type: Mapped[str] = mapped_column(String(10), default="Alert")
    scope: Mapped[str] = mapped_column(String(12), default="Restricted")
    category: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(200))
    urgency: Mapped[str] = mapped_column(String(12))
    severity: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    # A Standard Response Protocol action (taxonomy-free: hold, secure, lockdown, evacuate,
    # shelter, all-clear), mapped onto CAP responseType when exported.
    response: Mapped[str | None] = mapped_column(String(12))
    headline: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    expires: Mapped[datetime | None] = mapped_column()
    # {"state": bool, "regions": [...], "counties": [FIPS], "districts": [NCES], "schools":
    # [NCES], "roles": [slugs]}; empty roles mean every role.
    targets: Mapped[dict[str, Any]] = mapped_column(JSON)
    channels: Mapped[list[str]] = mapped_column(JSON)
    # The alert this one updates or cancels (CAP references point at it and its own references).
    references_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), index=True)
    # The upstream CAP message a draft was made from ("sender,identifier,sent"), if any.
    source: Mapped[str | None] = mapped_column(String(400))
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    author: Mapped[str] = mapped_column(String(120))
    approver: Mapped[str | None] = mapped_column(String(120))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column()
    # CAP `sent`: when the alert went out (dispatch began).
    sent_at: Mapped[datetime | None] = mapped_column()
    dispatched_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    escalated_stage: Mapped[int] = mapped_column(Integer, default=STAGE_INITIAL)


class Delivery(Base):
    """One message to one contact on one channel at one escalation stage; unique, so a contact
    that several targets match gets one message. `address` is where it went, as it was then."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "contact_id", "channel", "stage", name="uq_deliveries"),
        _one_of("status", DELIVERY_STATUSES),
        _one_of("channel", CHANNELS),
        Index("ix_deliveries_alert_status", "alert_id", "status"),
        Index("ix_deliveries_status_claimed", "status", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(500))
    stage: Mapped[int] = mapped_column(Integer, default=STAGE_INITIAL)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A transient failure is retried by the scheduler no earlier than this.
    retry_at: Mapped[datetime | None] = mapped_column()
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when queued for (re)publishing and when claimed: the reconciler finds stalled ones.
    claimed_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class DeliveryAttempt(Base):
    """One try at sending a delivery: what the channel answered."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(10))  # sent | transient | permanent
    detail: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str] = mapped_column(String(120), default="")


class Acknowledgement(Base):
    """A recipient confirmed they got the alert (once per alert and contact)."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("alert_id", "contact_id", name="uq_acknowledgements"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
