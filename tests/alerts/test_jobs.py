"""The scheduled jobs: stalled and due deliveries announced again, urgent alerts escalated to
24x7 contacts and then to center staff while a district has not acknowledged."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.alerts import jobs
from hub.alerts import service as alerts
from hub.alerts.models import Acknowledgement, Alert, Delivery
from hub.db import utcnow
from hub.directory.models import Center, Contact, District
from hub.events.models import OutboxMessage
from tests import factories as f

T = timedelta(minutes=2)


def _sent(session: Session, districts: list[District], **kw: object) -> Alert:
    data = f.alert_input(targets={"districts": [d.nces_id for d in districts]}, **kw)
    alert = alerts.create_alert(session, f.AUTHOR, data=data)
    alerts.submit_alert(session, f.AUTHOR, alert_id=alert.id)
    return alerts.approve_alert(session, f.APPROVER, alert_id=alert.id)


def _outbox_ids(session: Session) -> list[int]:
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    return [i for m in rows for i in m.payload["data"]["delivery_ids"]]


def test_reconcile_announces_stalled_and_due_deliveries_once(session: Session) -> None:
    district = f.district(session)
    for n in range(3):
        f.contact(session, district, email=f"c{n}@example.org", channels=["email"])
    alert = _sent(session, [district])
    stuck, lost, retry = session.scalars(
        select(Delivery).where(Delivery.alert_id == alert.id).order_by(Delivery.id)
    ).all()
    now = utcnow()
    stuck.status, stuck.claimed_at = "sending", now - T * 2
    lost.claimed_at = now - T * 2
    retry.retry_at, retry.claimed_at = now - timedelta(seconds=1), now
    session.execute(OutboxMessage.__table__.delete())
    assert jobs.reconcile(session, now, T) == 3
    assert sorted(_outbox_ids(session)) == sorted([stuck.id, lost.id, retry.id])
    assert {d.status for d in (stuck, lost, retry)} == {"queued"}
    assert jobs.reconcile(session, now, T) == 0


def test_an_unacknowledged_urgent_alert_escalates_twice(session: Session) -> None:
    north, south = f.region(session), f.region(session)
    quiet, answered = f.district(session, region=north), f.district(session, region=south)
    for d in (quiet, answered):
        f.contact(session, d, email=f"supt.{d.nces_id}@example.org", channels=["email"])
        f.contact(
            session,
            d,
            role="safety-director",
            email=f"night.{d.nces_id}@example.org",
            channels=["email"],
            available_24x7=True,
        )
    center = session.scalars(select(Center).where(Center.is_local.is_(True))).one()
    for name, region in (("duty", None), ("north", north), ("south", south)):
        session.add(
            Contact(
                center_id=center.id,
                region_id=region.id if region else None,
                name=f"{name} officer",
                role="center-staff",
                email=f"{name}@center.example.org",
                channels=["email"],
            )
        )
    alert = _sent(session, [quiet, answered], urgency="Immediate")
    someone = session.scalars(
        select(Delivery.contact_id).where(Delivery.district_id == answered.id)
    ).first()
    session.add(Acknowledgement(alert_id=alert.id, contact_id=someone, district_id=answered.id))
    sent_at = alert.sent_at
    assert sent_at is not None
    assert jobs.escalate(session, sent_at + T / 2, T) == []
    assert jobs.escalate(session, sent_at + T, T) == [alert]
    stage1 = session.scalars(
        select(Delivery.address).where(Delivery.alert_id == alert.id, Delivery.stage == 1)
    ).all()
    assert stage1 == [f"night.{quiet.nces_id}@example.org"]
    assert jobs.escalate(session, sent_at + T, T) == []
    assert jobs.escalate(session, sent_at + T * 2, T) == [alert]
    stage2 = session.scalars(
        select(Delivery.address).where(Delivery.alert_id == alert.id, Delivery.stage == 2)
    ).all()
    # The quiet district's region's staff and the statewide duty officer; not the south's.
    assert sorted(stage2) == ["duty@center.example.org", "north@center.example.org"]
    assert alert.escalated_stage == 2
    assert jobs.escalate(session, sent_at + T * 10, T) == []


def test_routine_alerts_do_not_escalate(session: Session) -> None:
    district = f.district(session)
    f.contact(session, district, channels=["email"], available_24x7=True)
    alert = _sent(session, [district], urgency="Expected", severity="Moderate")
    assert alert.sent_at is not None
    assert jobs.escalate(session, alert.sent_at + T * 5, T) == []
