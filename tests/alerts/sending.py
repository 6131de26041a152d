"""Alerts committed for real, for tests whose workers use their own connections: districts,
contacts and an approved alert to them."""

from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.alerts import service as alerts
from hub.alerts.models import Delivery
from tests import factories as f


@dataclass
class Sent:
    """An approved alert and its deliveries, committed."""

    alert_id: int
    delivery_ids: list[int]
    district_ids: list[int]


def approved_alert(
    engine: Engine,
    *,
    districts: int = 2,
    contacts: int = 2,
    channels: tuple[str, ...] = ("email",),
    webhooks: str = "http://127.0.0.1:9/hooks",
    **alert: object,
) -> Sent:
    """Districts with contacts on `channels`, and an alert to exactly them, approved."""
    with Session(engine) as session, session.begin():
        rows = [f.district(session) for _ in range(districts)]
        for d in rows:
            for n in range(contacts):
                f.contact(
                    session,
                    d,
                    email=f"c{n}.{d.nces_id}@example.org",
                    phone=f"+1202555{n:04d}",
                    webhook_url=f"{webhooks}/{d.nces_id}" if "webhook" in channels else None,
                    channels=list(channels),
                    available_24x7=n == 0,
                )
        values: dict[str, object] = {
            "targets": {"districts": [d.nces_id for d in rows]},
            "channels": list(channels),
        }
        values.update(alert)
        made = alerts.create_alert(session, f.AUTHOR, data=f.alert_input(**values))
        alerts.submit_alert(session, f.AUTHOR, alert_id=made.id)
        alerts.approve_alert(session, f.APPROVER, alert_id=made.id)
        ids = session.scalars(
            select(Delivery.id).where(Delivery.alert_id == made.id).order_by(Delivery.id)
        ).all()
        return Sent(made.id, list(ids), [d.id for d in rows])
