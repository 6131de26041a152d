"""Reading alerts for staff: listings, delivery figures by channel and status, the
acknowledgement roll-up by district, and a channel preview for a sample recipient."""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hub.alerts import targeting
from hub.alerts.models import MSG_TYPES, Acknowledgement, Alert, Delivery
from hub.alerts.render import Recipient, Rendered, render
from hub.alerts.schemas import Channel, Status
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.directory.models import Contact, District
from hub.pagination import Page, PageArgs

AlertState = str


class AlertFilter(BaseModel):
    """Which alerts to list (newest first)."""

    states: list[AlertState] = Field(default_factory=list, max_length=10)
    statuses: list[Status] = Field(default_factory=list, max_length=3)
    msg_types: list[str] = Field(default_factory=list, max_length=len(MSG_TYPES))
    since: datetime | None = None


def list_alerts(
    session: Session, principal: Principal, *, filter: AlertFilter, page: PageArgs
) -> Page[Alert]:
    """Alerts state staff may read, newest first."""
    policy.require(principal, Action.READ_ALERTS)
    cond: list[ColumnElement[bool]] = []
    if filter.states:
        cond.append(Alert.state.in_(filter.states))
    if filter.statuses:
        cond.append(Alert.status.in_(filter.statuses))
    if filter.msg_types:
        cond.append(Alert.msg_type.in_(filter.msg_types))
    if filter.since:
        cond.append(Alert.created_at >= filter.since)
    total = session.scalar(select(func.count()).select_from(Alert).where(*cond)) or 0
    items = session.scalars(
        select(Alert)
        .where(*cond)
        .order_by(Alert.created_at.desc(), Alert.id.desc())
        .offset(page.offset)
        .limit(page.first)
    ).all()
    return Page(items=list(items), total=int(total), offset=page.offset)


@dataclass(frozen=True, slots=True)
class StatusCount:
    """Deliveries of one channel in one status."""

    channel: str
    status: str
    count: int


def delivery_stats(session: Session, alert_ids: list[int]) -> dict[int, list[StatusCount]]:
    """Per alert, its deliveries counted by channel and status (one query for all)."""
    query = (
        select(Delivery.alert_id, Delivery.channel, Delivery.status, func.count())
        .where(Delivery.alert_id.in_(alert_ids))
        .group_by(Delivery.alert_id, Delivery.channel, Delivery.status)
        .order_by(Delivery.alert_id, Delivery.channel, Delivery.status)
    )
    out: dict[int, list[StatusCount]] = {i: [] for i in alert_ids}
    for alert_id, channel, status, n in session.execute(query):
        out[alert_id].append(StatusCount(channel, status, int(n)))
    return out


@dataclass(frozen=True, slots=True)
class AckRollup:
    """How many of the districts an alert reached have acknowledged it, and how many people."""

    districts_acknowledged: int
    districts_reached: int
    contacts_acknowledged: int

    @property
    def summary(self) -> str:
        return f"{self.districts_acknowledged} of {self.districts_reached} districts acknowledged"


def ack_rollups(session: Session, alert_ids: list[int]) -> dict[int, AckRollup]:
    """Per alert, the acknowledgement roll-up by district (two queries for all)."""
    reached = dict.fromkeys(alert_ids, 0)
    query = (
        select(Delivery.alert_id, func.count(func.distinct(Delivery.district_id)))
        .where(Delivery.alert_id.in_(alert_ids), Delivery.district_id.is_not(None))
        .group_by(Delivery.alert_id)
    )
    reached.update({a: int(n) for a, n in session.execute(query)})
    acked: dict[int, tuple[int, int]] = {}
    counted = (
        select(
            Acknowledgement.alert_id,
            func.count(func.distinct(Acknowledgement.district_id)),
            func.count(),
        )
        .where(Acknowledgement.alert_id.in_(alert_ids))
        .group_by(Acknowledgement.alert_id)
    )
    acked.update({a: (int(d), int(c)) for a, d, c in session.execute(counted)})
    return {
        i: AckRollup(acked.get(i, (0, 0))[0], reached[i], acked.get(i, (0, 0))[1])
        for i in alert_ids
    }


def unacknowledged_districts(session: Session, alert: Alert) -> list[int]:
    """Districts the alert reached where nobody has acknowledged it yet."""
    acked = select(Acknowledgement.district_id).where(
        Acknowledgement.alert_id == alert.id, Acknowledgement.district_id.is_not(None)
    )
    query = (
        select(Delivery.district_id)
        .where(
            Delivery.alert_id == alert.id,
            Delivery.district_id.is_not(None),
            Delivery.district_id.not_in(acked),
        )
        .distinct()
    )
    return [int(d) for d in session.scalars(query) if d is not None]


def preview(session: Session, principal: Principal, alert: Alert, channel: Channel) -> Rendered:
    """The message on `channel` as its first recipient would get it (a sample name when the
    targets match nobody yet). Its acknowledgement link names no contact, so it records
    nothing if staff follow it."""
    policy.require(principal, Action.READ_ALERTS)
    first = next(iter(targeting.recipients(session, alert.targets, [channel])), None)
    if first is None:
        return render(alert, channel, Recipient(contact_id=0, name="Sample Recipient"))
    contact = session.get(Contact, first.contact_id)
    district = session.get(District, first.district_id) if first.district_id else None
    assert contact is not None
    return render(
        alert,
        channel,
        Recipient(
            contact_id=0,
            name=contact.name,
            district=district.name if district else None,
            district_nces=district.nces_id if district else None,
        ),
    )


def acknowledged_districts(session: Session, alert: Alert) -> list[int]:
    """Districts where somebody has acknowledged the alert."""
    query = (
        select(Acknowledgement.district_id)
        .where(Acknowledgement.alert_id == alert.id, Acknowledgement.district_id.is_not(None))
        .distinct()
    )
    return [int(d) for d in session.scalars(query) if d is not None]


def follow_ups(session: Session, alert: Alert) -> list[Alert]:
    """The alerts that update or cancel `alert` (its Cancel and All Clear), oldest first."""
    query = select(Alert).where(Alert.references_id == alert.id).order_by(Alert.id)
    return list(session.scalars(query))
