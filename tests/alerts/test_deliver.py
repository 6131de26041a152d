"""Sending deliveries: claimed once however often a batch arrives, each result recorded, retries
with backoff, bounces flag the contact, the alert ends dispatched; e-mail through real SMTP."""

import json
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.alerts import service as alerts
from hub.alerts.channels import (
    PermanentFailure,
    RecordingChannel,
    TransientFailure,
    build_channels,
    close_channels,
)
from hub.alerts.channels.email import SmtpEmail
from hub.alerts.deliver import Deliverer
from hub.alerts.models import Alert, Delivery, DeliveryAttempt
from hub.audit import AuditEntry
from hub.directory.models import Contact
from hub.settings import Settings, get_settings
from tests import factories as f
from tests.alerts.channels.servers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HttpServer,
    SmtpServer,
    sms_gateway,
    webhook_receiver,
)
from tests.alerts.sending import approved_alert


@pytest.fixture
def recording() -> RecordingChannel:
    return RecordingChannel("email")


def _deliverer(engine: Engine, channel: object, **settings: object) -> Deliverer:
    values = get_settings().model_dump() | settings
    return Deliverer(engine, {"email": channel}, Settings(**values), "test-worker")  # type: ignore[dict-item]


def _statuses(engine: Engine, ids: list[int]) -> list[str]:
    with Session(engine) as s:
        rows = s.scalars(select(Delivery).where(Delivery.id.in_(ids)).order_by(Delivery.id))
        return [d.status for d in rows]


def test_a_batch_sends_once_however_often_it_arrives(
    live_engine: Engine, recording: RecordingChannel
) -> None:
    sent = approved_alert(live_engine)
    worker = _deliverer(live_engine, recording)
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"sent": 4, "skipped": 0}
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"skipped": 4}
    assert len(recording.messages) == 4
    assert _statuses(live_engine, sent.delivery_ids) == ["sent"] * 4
    with Session(live_engine) as s:
        alert = s.get(Alert, sent.alert_id)
        assert alert is not None
        assert alert.state == "dispatched"
        audited = s.scalars(
            select(AuditEntry.actor).where(
                AuditEntry.action == "alert.dispatched", AuditEntry.entity_id == str(alert.id)
            )
        ).all()
        assert audited == ["worker:test-worker"]
        attempts = s.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(sent.delivery_ids))
        ).all()
        assert (
            sorted((a.number, a.outcome, a.worker) for a in attempts)
            == [(1, "sent", "test-worker")] * 4
        )


def test_transient_failures_retry_with_backoff_then_fail(
    live_engine: Engine, recording: RecordingChannel
) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=1)
    worker = _deliverer(
        live_engine, recording, delivery_max_attempts=2, delivery_retry_base_seconds=0
    )
    recording.fail_next(TransientFailure("451 try later"), TransientFailure("451 again"))
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"retry": 1, "skipped": 0}
    with Session(live_engine) as s:
        d = s.get(Delivery, sent.delivery_ids[0])
        assert d is not None
        assert (d.status, d.attempts, d.last_error) == ("queued", 1, "451 try later")
        assert d.retry_at is not None
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"failed": 1, "skipped": 0}
    assert _statuses(live_engine, sent.delivery_ids) == ["failed"]
    assert recording.messages == []


def test_a_bounce_fails_the_delivery_and_flags_the_contact(
    live_engine: Engine, recording: RecordingChannel
) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=1)
    recording.fail_next(PermanentFailure("550 no such mailbox", bounce=True))
    worker = _deliverer(live_engine, recording)
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"failed": 1, "skipped": 0}
    with Session(live_engine) as s:
        d = s.get(Delivery, sent.delivery_ids[0])
        assert d is not None
        assert d.last_error == "550 no such mailbox"
        contact = s.get(Contact, d.contact_id)
        assert contact is not None
        assert contact.unverified_channels == ["email"]
        alert = s.get(Alert, sent.alert_id)
        assert alert is not None
        assert alert.state == "dispatched"


def test_a_cancelled_alert_sends_nothing_more(
    live_engine: Engine, recording: RecordingChannel
) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=2)
    with Session(live_engine) as s, s.begin():
        alerts.cancel_alert(s, f.APPROVER2, alert_id=sent.alert_id)
    worker = _deliverer(live_engine, recording)
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"skipped": 2}
    assert recording.messages == []


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def test_an_exercise_email_says_so_and_carries_its_ack_link(
    live_engine: Engine, smtp: SmtpServer
) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=1, status="Exercise")
    settings = get_settings()
    channel = SmtpEmail(smtp.url(), sender=settings.smtp_from, timeout=5)
    worker = _deliverer(live_engine, channel)
    assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"sent": 1, "skipped": 0}
    [received] = smtp.received
    mail = received.email
    assert mail["Subject"].startswith("EXERCISE — NOT A REAL EVENT: ALERT: ")
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.startswith("EXERCISE — NOT A REAL EVENT")
    assert "EXERCISE — NOT A REAL EVENT" in html
    assert f"{settings.public_base_url}/ack/" in text


def test_sms_and_signed_webhooks_through_the_configured_channels(live_engine: Engine) -> None:
    gateway = HttpServer(sms_gateway(ACCOUNT_SID, AUTH_TOKEN))
    hooks = HttpServer(webhook_receiver(get_settings().secret_key.get_secret_value()))
    with gateway, hooks:
        settings = get_settings().model_copy(
            update={
                "sms_gateway_url": gateway.url,
                "sms_account_sid": ACCOUNT_SID,
                "sms_auth_token": SecretStr(AUTH_TOKEN),
                "sms_from": "+12025550100",
            }
        )
        channels = build_channels(settings)
        sent = approved_alert(
            live_engine,
            districts=2,
            contacts=1,
            channels=("sms", "webhook"),
            webhooks=f"{hooks.url}/hooks",
        )
        worker = Deliverer(live_engine, channels, settings, "test-worker")
        try:
            assert worker.deliver(sent.alert_id, sent.delivery_ids) == {"sent": 4, "skipped": 0}
        finally:
            close_channels(channels)
    assert len(gateway.requests) == 2
    assert {parse_qs(r.body.decode())["From"][0] for r in gateway.requests} == {"+12025550100"}
    # The receiver answered 200 only to a signature made with that district's secret.
    bodies = [json.loads(r.body) for r in hooks.requests]
    assert len(bodies) == 2
    assert {b["msgType"] for b in bodies} == {"Alert"}
    assert all(b["acknowledgeUrl"].startswith(settings.public_base_url) for b in bodies)
