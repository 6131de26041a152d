"""The alert network's scheduled work: re-announce deliveries that stalled or wait for a retry,
escalate urgent alerts a district has not acknowledged, expire alerts. Each takes a session
and a clock, so the scheduler and the tests run the same code."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from hub import audit
from hub.alerts import dispatch, reads, service
from hub.alerts.models import (
    STAGE_CENTER_STAFF,
    STAGE_DISTRICT_24X7,
    Alert,
    Delivery,
)
from hub.auth.policy import SYSTEM
from hub.directory.models import Center, Contact, District

BATCH = 5000


def reconcile(session: Session, now: datetime, stuck_after: timedelta) -> int:
    """Announce again what Kafka lost or a dead worker held: deliveries `sending` or
    `queued` for longer than `stuck_after`, and queued retries whose time has come. Returns
    how many were announced; their claimed_at is reset so the next run leaves them alone."""
    cutoff = now - stuck_after
    session.execute(
        update(Delivery)
        .where(Delivery.status == "sending", Delivery.claimed_at <= cutoff)
        .values(status="queued", retry_at=None)
        .execution_options(synchronize_session="fetch")
    )
    due = or_(
        Delivery.retry_at <= now,
        Delivery.retry_at.is_(None) & (Delivery.claimed_at <= cutoff),
    )
    total = 0
    while True:
        rows = session.scalars(
            select(Delivery)
            .where(Delivery.status == "queued", due)
            .order_by(Delivery.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return total
        for d in rows:
            d.claimed_at, d.retry_at = now, None
        total += dispatch.republish(session, rows)
        session.flush()


def escalate(session: Session, now: datetime, after: timedelta) -> list[Alert]:
    """An urgent alert (Immediate or Extreme) that a district has not acknowledged `after`
    being sent goes to that district's 24x7 contacts; after as long again, to the center staff
    of its region and the statewide ones. Returns the alerts escalated now."""
    candidates = session.scalars(
        select(Alert).where(
            Alert.state.in_(("dispatching", "dispatched")),
            Alert.msg_type == "Alert",
            or_(Alert.urgency == "Immediate", Alert.severity == "Extreme"),
            Alert.escalated_stage < STAGE_CENTER_STAFF,
            Alert.sent_at.is_not(None),
        )
    ).all()
    done = []
    for alert in candidates:
        assert alert.sent_at is not None
        stage = alert.escalated_stage + 1
        if now < alert.sent_at + after * stage:
            continue
        waiting = reads.unacknowledged_districts(session, alert)
        if waiting:
            if stage == STAGE_DISTRICT_24X7:
                contacts: ColumnElement[bool] = Contact.district_id.in_(waiting) & (
                    Contact.available_24x7.is_(True)
                )
            else:
                contacts = _center_staff_for(waiting)
            made = dispatch.dispatch(session, alert, stage=stage, contacts=contacts)
            if made and alert.state == "dispatched":
                alert.state = "dispatching"
        before = {"escalated_stage": alert.escalated_stage}
        alert.escalated_stage = stage
        audit.record(
            session,
            actor=SYSTEM.actor,
            action="alert.escalate",
            entity_type="alert",
            entity_id=alert.id,
            before=before,
            after={"escalated_stage": stage, "unacknowledged_districts": len(waiting)},
        )
        done.append(alert)
    session.flush()
    return done


def _center_staff_for(district_ids: list[int]) -> ColumnElement[bool]:
    """The center's staff for these districts' regions, and its statewide staff (no region)."""
    local = select(Center.id).where(Center.is_local.is_(True))
    regions = select(District.region_id).where(District.id.in_(district_ids))
    return (
        Contact.center_id.in_(local)
        & (Contact.role == "center-staff")
        & or_(Contact.region_id.is_(None), Contact.region_id.in_(regions))
    )


def expire(session: Session, now: datetime) -> list[Alert]:
    """Sent alerts past their `expires` become expired."""
    return service.expire_alerts(session, SYSTEM, now)
