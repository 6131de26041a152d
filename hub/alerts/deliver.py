"""Sending a batch of deliveries: claim them with a conditional update (so a message delivered
twice sends nothing twice), render, send, and record each result as soon as it is known."""

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, insert, or_, select, text, update
from sqlalchemy.orm import Session

from hub.alerts.channels import (
    Channel,
    DeliveryFailure,
    Message,
    PermanentFailure,
    TransientFailure,
    backoff_seconds,
)
from hub.alerts.models import Alert, Delivery, DeliveryAttempt
from hub.alerts.render import Recipient, render
from hub.db import WRITE_OPTION, utcnow
from hub.directory.models import Contact, District
from hub.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    channel: str
    address: str
    stage: int
    attempts: int
    contact_id: int
    contact_name: str
    district: str | None
    district_nces: str | None


class Deliverer:
    """Sends the deliveries named in a Kafka message. One per worker thread; channels shared."""

    def __init__(
        self, engine: Engine, channels: Mapping[str, Channel], settings: Settings, name: str
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.settings = settings
        self.name = name

    def _begin(self) -> Connection:
        conn = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        conn.begin()
        if conn.dialect.name == "postgresql":
            # A result lost to a database crash only makes the reconciler send again; what a
            # killed worker committed is in the server's WAL buffers and survives.
            conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
        return conn

    def deliver(self, alert_id: int, delivery_ids: Sequence[int]) -> Counter[str]:
        """Claim, send and record these deliveries; returns the outcomes counted. Ids that are
        not queued (sent already, claimed by another worker, cancelled) are skipped."""
        outcomes: Counter[str] = Counter()
        claimed = self._claim(delivery_ids)
        outcomes["skipped"] = len(delivery_ids) - len(claimed)
        if claimed:
            with Session(self.engine) as session:
                alert = session.get(Alert, alert_id)
            assert alert is not None
            for item in claimed:
                outcomes[self._send(alert, item)] += 1
        self._finish(alert_id)
        return outcomes

    def _claim(self, ids: Sequence[int]) -> list[_Claimed]:
        now = utcnow()
        with self._begin() as conn:
            taken = conn.execute(
                update(Delivery)
                .where(
                    Delivery.id.in_(ids),
                    Delivery.status == "queued",
                    or_(Delivery.retry_at.is_(None), Delivery.retry_at <= now),
                )
                .values(status="sending", claimed_at=now, attempts=Delivery.attempts + 1)
                .returning(Delivery.id)
            ).scalars()
            claimed_ids = list(taken)
            rows = conn.execute(
                select(
                    Delivery.id,
                    Delivery.channel,
                    Delivery.address,
                    Delivery.stage,
                    Delivery.attempts,
                    Delivery.contact_id,
                    Contact.name,
                    District.name,
                    District.nces_id,
                )
                .join(Contact, Contact.id == Delivery.contact_id)
                .outerjoin(District, District.id == Delivery.district_id)
                .where(Delivery.id.in_(claimed_ids))
                .order_by(Delivery.id)
            ).all()
            conn.commit()
        return [_Claimed(*row) for row in rows]

    def _send(self, alert: Alert, item: _Claimed) -> str:
        recipient = Recipient(item.contact_id, item.contact_name, item.district, item.district_nces)
        rendered = render(alert, item.channel, recipient, item.stage)
        message = Message(
            channel=item.channel,
            to=item.address,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            data=rendered.data,
            delivery_id=item.id,
            alert_identifier=alert.identifier,
            district=item.district_nces,
        )
        try:
            sent = self.channels[item.channel].send(message)
        except DeliveryFailure as failure:
            return self._failed(item, failure)
        self._record(item, "sent", {"status": "sent", "provider_id": sent.provider_id}, sent.detail)
        return "sent"

    def _failed(self, item: _Claimed, failure: DeliveryFailure) -> str:
        if isinstance(failure, TransientFailure) and (
            item.attempts < self.settings.delivery_max_attempts
        ):
            wait = backoff_seconds(item.attempts, self.settings.delivery_retry_base_seconds)
            retry_at = utcnow() + timedelta(seconds=wait)
            values = {"status": "queued", "retry_at": retry_at, "last_error": failure.reason}
            self._record(item, "transient", values, failure.reason)
            return "retry"
        values = {"status": "failed", "last_error": failure.reason}
        bounce = isinstance(failure, PermanentFailure) and failure.bounce
        self._record(item, "permanent", values, failure.reason, bounce=bounce)
        log.warning("delivery %s failed for good: %s", item.id, failure.reason)
        return "failed"

    def _record(
        self,
        item: _Claimed,
        outcome: str,
        values: dict[str, Any],
        detail: str,
        *,
        bounce: bool = False,
    ) -> None:
        """The result and the attempt, committed at once: the smaller the gap between send and
        commit, the smaller the chance a crash makes the reconciler send again."""
        now = utcnow()
        if values["status"] != "queued":
            values["finished_at"] = now
        with self._begin() as conn:
            conn.execute(
                update(Delivery)
                .where(Delivery.id == item.id, Delivery.status == "sending")
                .values(**values)
            )
            conn.execute(
                insert(DeliveryAttempt).values(
                    delivery_id=item.id,
                    number=item.attempts,
                    at=now,
                    outcome=outcome,
                    detail=detail[:2000],
                    worker=self.name,
                )
            )
            conn.commit()
        if bounce:
            self._unverify(item)

    def _unverify(self, item: _Claimed) -> None:
        """Flag the contact's channel: its address bounced, the district should correct it."""
        with Session(self.engine) as session, session.begin():
            contact = session.get(Contact, item.contact_id)
            if contact is not None and item.channel not in (contact.unverified_channels or []):
                contact.unverified_channels = [*(contact.unverified_channels or []), item.channel]

    def _finish(self, alert_id: int) -> None:
        """An alert whose deliveries all ended is dispatched."""
        pending = exists().where(
            and_(Delivery.alert_id == alert_id, Delivery.status.in_(("queued", "sending")))
        )
        with self._begin() as conn:
            conn.execute(
                update(Alert)
                .where(Alert.id == alert_id, Alert.state == "dispatching", ~pending)
                .values(state="dispatched", dispatched_at=utcnow())
            )
            conn.commit()
