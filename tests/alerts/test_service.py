"""The alert lifecycle: who may do what (two-person rule), what each step writes (deliveries,
outbox, companions, audit), and what it refuses."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.alerts import service as alerts
from hub.alerts.models import Alert, Delivery
from hub.audit import AuditEntry
from hub.db import utcnow
from hub.directory.models import District
from hub.errors import Conflict, InvalidInput, PermissionDenied
from hub.events import topics
from hub.events.models import OutboxMessage
from hub.settings import get_settings
from tests import factories as f


@pytest.fixture
def reached(session: Session) -> District:
    """A district with two e-mail contacts, one of them also on SMS."""
    district = f.district(session)
    f.contact(session, district, email="supt@example.org", channels=["email"])
    f.contact(
        session,
        district,
        role="safety-director",
        email="safety@example.org",
        phone="+12025550143",
        channels=["email", "sms"],
    )
    return district


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _actions(session: Session, alert: Alert) -> list[str]:
    query = select(AuditEntry.action).where(
        AuditEntry.entity_type == "alert", AuditEntry.entity_id == str(alert.id)
    )
    return list(session.scalars(query.order_by(AuditEntry.seq)))


def _pending(session: Session, **kw: object) -> Alert:
    alert = alerts.create_alert(session, f.AUTHOR, data=f.alert_input(**kw))
    return alerts.submit_alert(session, f.AUTHOR, alert_id=alert.id)


def test_an_author_composes_and_submits_and_every_step_is_audited(
    session: Session, reached: District
) -> None:
    alert = alerts.create_alert(session, f.AUTHOR, data=f.alert_input())
    assert (alert.state, alert.msg_type, alert.author) == ("draft", "Alert", "author")
    assert alert.identifier.startswith("state-")
    alerts.submit_alert(session, f.AUTHOR, alert_id=alert.id)
    assert alert.state == "pending_approval"
    assert _actions(session, alert) == ["alert.create", "alert.submit"]


@pytest.mark.parametrize("who", [f.APPROVER, f.VIEWER])
def test_only_authors_compose(session: Session, who: object) -> None:
    with pytest.raises(PermissionDenied, match="may not compose"):
        alerts.create_alert(session, who, data=f.alert_input())  # type: ignore[arg-type]
    assert _count(session, Alert) == 0


def test_an_alert_nobody_would_receive_is_not_submitted(session: Session) -> None:
    district = f.district(session)
    f.contact(session, district, role="principal", email="p@example.org", channels=["email"])
    alert = alerts.create_alert(
        session, f.AUTHOR, data=f.alert_input(targets={"state": True, "roles": ["it-security"]})
    )
    with pytest.raises(InvalidInput, match="nobody would receive it"):
        alerts.submit_alert(session, f.AUTHOR, alert_id=alert.id)
    assert alert.state == "draft"


def test_approval_dispatches_once_per_recipient_and_channel(
    session: Session, reached: District
) -> None:
    school = f.school(session, reached)
    # The same district named twice over: by itself, by its county, and through its school.
    reached.county_fips = "99001"
    alert = _pending(
        session,
        targets={
            "districts": [reached.nces_id],
            "counties": ["99001"],
            "schools": [school.nces_id],
        },
        channels=["email", "sms"],
    )
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    assert (alert.state, alert.approver) == ("dispatching", "approver")
    assert alert.sent_at is not None
    rows = session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).all()
    assert sorted((d.channel, d.address) for d in rows) == [
        ("email", "safety@example.org"),
        ("email", "supt@example.org"),
        ("sms", "+12025550143"),
    ]
    assert {d.status for d in rows} == {"queued"}
    outbox = session.scalars(select(OutboxMessage)).all()
    assert [m.key for m in outbox] == [reached.nces_id]
    assert outbox[0].topic == topics.delivery_topic(get_settings(), "Actual")
    assert sorted(outbox[0].payload["data"]["delivery_ids"]) == sorted(d.id for d in rows)
    assert _actions(session, alert) == [
        "alert.create",
        "alert.submit",
        "alert.approve",
        "alert.dispatch",
    ]


def test_approval_prepares_cancel_and_all_clear_companions(
    session: Session, reached: District
) -> None:
    alert = _pending(session)
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    companions = session.scalars(select(Alert).where(Alert.references_id == alert.id)).all()
    assert sorted((c.msg_type, c.state, c.response or "") for c in companions) == [
        ("Cancel", "standby", ""),
        ("Update", "standby", "all-clear"),
    ]
    assert all(c.approver == "approver" and c.targets == alert.targets for c in companions)
    assert _count(session, Delivery, Delivery.alert_id != alert.id) == 0


def test_the_author_cannot_approve_their_own_actual_alert(
    session: Session, reached: District
) -> None:
    alert = alerts.create_alert(session, f.ADMIN, data=f.alert_input())
    alerts.submit_alert(session, f.ADMIN, alert_id=alert.id)
    with pytest.raises(PermissionDenied, match="two-person rule"):
        alerts.approve_alert(session, f.ADMIN, alert_id=alert.id)
    with pytest.raises(PermissionDenied, match="may not approve"):
        alerts.approve_alert(session, f.AUTHOR2, alert_id=alert.id)
    assert alert.state == "pending_approval"
    assert _count(session, Delivery) == 0


@pytest.fixture
def self_approval(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HUB_ALERTS_ALLOW_SELF_APPROVAL_OF_EXERCISES", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_exercises_are_self_approved_only_when_allowed(
    session: Session, reached: District, self_approval: None
) -> None:
    actual = alerts.create_alert(session, f.ADMIN, data=f.alert_input())
    alerts.submit_alert(session, f.ADMIN, alert_id=actual.id)
    with pytest.raises(PermissionDenied, match="two-person rule"):
        alerts.approve_alert(session, f.ADMIN, alert_id=actual.id)
    drill = alerts.create_alert(session, f.AUTHOR, data=f.alert_input(status="Exercise"))
    alerts.submit_alert(session, f.AUTHOR, alert_id=drill.id)
    with pytest.raises(PermissionDenied, match="may not approve"):
        alerts.approve_alert(session, f.AUTHOR2, alert_id=drill.id)  # not theirs, not approver
    alerts.approve_alert(session, f.AUTHOR, alert_id=drill.id)
    assert (drill.state, drill.approver) == ("dispatching", "author")
    topic = session.scalars(select(OutboxMessage.topic)).one()
    assert topic == topics.delivery_topic(get_settings(), "Exercise")
    assert topic != topics.delivery_topic(get_settings(), "Actual")
    # An exercise has no companions: it is cancelled by withdrawing nothing real.
    assert _count(session, Alert, Alert.references_id == drill.id) == 0


def test_exercises_need_a_second_person_by_default(session: Session, reached: District) -> None:
    drill = alerts.create_alert(session, f.ADMIN, data=f.alert_input(status="Exercise"))
    alerts.submit_alert(session, f.ADMIN, alert_id=drill.id)
    with pytest.raises(PermissionDenied, match="two-person rule"):
        alerts.approve_alert(session, f.ADMIN, alert_id=drill.id)


def test_a_rejected_alert_goes_back_to_draft_when_edited(
    session: Session, reached: District
) -> None:
    alert = _pending(session)
    with pytest.raises(InvalidInput, match="say why"):
        alerts.reject_alert(session, f.APPROVER, alert_id=alert.id, reason="  ")
    alerts.reject_alert(session, f.APPROVER, alert_id=alert.id, reason="Wrong county")
    assert (alert.state, alert.rejection_reason) == ("rejected", "Wrong county")
    with pytest.raises(Conflict, match="only an alert that is pending approval"):
        alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    alerts.update_draft(session, f.AUTHOR, alert_id=alert.id, data=f.alert_input(headline="New"))
    assert (alert.state, alert.headline, alert.rejection_reason) == ("draft", "New", None)
    assert _actions(session, alert)[-2:] == ["alert.reject", "alert.update"]


def test_a_sent_alert_cannot_be_edited(session: Session, reached: District) -> None:
    alert = _pending(session)
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    with pytest.raises(Conflict, match="can be edited"):
        alerts.update_draft(session, f.AUTHOR, alert_id=alert.id, data=f.alert_input())


def test_cancel_sends_the_prepared_cancel_and_stops_unsent_messages(
    session: Session, reached: District
) -> None:
    alert = _pending(session, channels=["email", "sms"])
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    first = session.scalars(select(Delivery).where(Delivery.alert_id == alert.id)).first()
    assert first is not None
    first.status = "sent"
    with pytest.raises(PermissionDenied):
        alerts.cancel_alert(session, f.AUTHOR, alert_id=alert.id)
    alerts.cancel_alert(session, f.APPROVER2, alert_id=alert.id)
    assert alert.state == "cancelled"
    cancel = session.scalars(
        select(Alert).where(Alert.references_id == alert.id, Alert.msg_type == "Cancel")
    ).one()
    assert cancel.state == "dispatching"
    stopped = session.scalars(
        select(Delivery).where(Delivery.alert_id == alert.id, Delivery.status == "failed")
    ).all()
    assert len(stopped) == 2
    assert {d.last_error for d in stopped} == {"the alert was cancelled before this was sent"}
    # The Cancel reaches everyone the alert did, on the same channels.
    assert _count(session, Delivery, Delivery.alert_id == cancel.id) == 3
    with pytest.raises(Conflict, match="can be given an All Clear"):
        alerts.send_all_clear(session, f.APPROVER, alert_id=alert.id)


def test_all_clear_updates_the_alert(session: Session, reached: District) -> None:
    alert = _pending(session)
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    clear = alerts.send_all_clear(session, f.APPROVER, alert_id=alert.id)
    assert (clear.msg_type, clear.response, clear.state) == ("Update", "all-clear", "dispatching")
    assert clear.headline.startswith("ALL CLEAR: ")
    assert alert.state == "updated"
    assert _count(session, Delivery, Delivery.alert_id == clear.id) == 2


def test_an_unsent_alert_is_withdrawn_by_its_author(session: Session, reached: District) -> None:
    alert = _pending(session)
    with pytest.raises(PermissionDenied):
        alerts.cancel_alert(session, f.AUTHOR2, alert_id=alert.id)
    alerts.cancel_alert(session, f.AUTHOR, alert_id=alert.id)
    assert alert.state == "cancelled"
    assert _count(session, Delivery) == 0
    assert _actions(session, alert)[-1] == "alert.withdraw"


def test_expired_alerts_stop_their_unsent_messages(session: Session, reached: District) -> None:
    alert = _pending(session, expires=utcnow() + timedelta(minutes=5))
    alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)
    assert alerts.expire_alerts(session, f.ADMIN, utcnow()) == []
    done = alerts.expire_alerts(session, f.ADMIN, utcnow() + timedelta(minutes=6))
    assert done == [alert]
    assert alert.state == "expired"
    statuses = session.scalars(select(Delivery.status).where(Delivery.alert_id == alert.id))
    assert set(statuses) == {"failed"}
