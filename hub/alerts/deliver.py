"""Sending a batch of deliveries: claim them with a conditional update (so a message delivered
twice sends nothing twice), render, send, and record each result as soon as it is known."""

import logging
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from hub import audit
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
from hub.observability import DELIVERIES, DISPATCH_SECONDS
from hub.settings import Settings

log = logging.getLogger(__name__)

_deliveries = cast(Table, Delivery.__table__)
RESULT = (
    update(_deliveries)
    .where(_deliveries.c.id == bindparam("b_id"), _deliveries.c.status == "sending")
    .values(
        status=bindparam("b_status"),
        provider_id=bindparam("b_provider"),
        last_error=bindparam("b_error"),
        retry_at=bindparam("b_retry"),
        finished_at=bindparam("b_finished"),
    )
)
_attempts = cast(Table, DeliveryAttempt.__table__)
ATTEMPT = insert(_attempts)
# PostgreSQL: the result and its attempt in one statement, run in autocommit: one round trip
# per delivery instead of five (BEGIN, SET, UPDATE, INSERT, COMMIT).
_updated = RESULT.returning(_deliveries.c.id).cte("updated")
RESULT_AND_ATTEMPT = insert(_attempts).from_select(
    ["delivery_id", "number", "at", "outcome", "detail", "worker"],
    select(
        _updated.c.id,
        bindparam("number", type_=_attempts.c.number.type),
        bindparam("at", type_=_attempts.c.at.type),
        bindparam("outcome", type_=_attempts.c.outcome.type),
        bindparam("detail", type_=_attempts.c.detail.type),
        bindparam("worker", type_=_attempts.c.worker.type),
    ),
)


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

    def _begin(self, conn: Connection | None = None) -> Connection:
        """A writing transaction, on `conn` if given (its own connection otherwise)."""
        if conn is None:
            conn = self.engine.connect().execution_options(**{WRITE_OPTION: True})
        conn.begin()
        if conn.dialect.name == "postgresql":
            # As for results (see _results): claims and the dispatched mark need no fsync.
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
            with self._results() as conn:
                for item in claimed:
                    outcome = self._send(conn, alert, item)
                    DELIVERIES.labels(item.channel, outcome).inc()
                    outcomes[outcome] += 1
        self._finish(alert_id)
        return outcomes

    @contextmanager
    def _results(self) -> Iterator[Connection]:
        """The connection results are recorded on. PostgreSQL: autocommit, and commits that do
        not wait for the disk: a result lost to a database crash only makes the reconciler
        send again, and what a killed worker committed is in the server's WAL buffers."""
        with self.engine.connect() as conn:
            if conn.dialect.name != "postgresql":
                yield conn.execution_options(**{WRITE_OPTION: True})
                return
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("SET synchronous_commit TO OFF"))
            try:
                yield conn
            finally:
                conn.execute(text("RESET synchronous_commit"))

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

    def _send(self, conn: Connection, alert: Alert, item: _Claimed) -> str:
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
            return self._failed(conn, item, failure)
        self._record(conn, item, "sent", "sent", sent.detail, provider_id=sent.provider_id)
        return "sent"

    def _failed(self, conn: Connection, item: _Claimed, failure: DeliveryFailure) -> str:
        if isinstance(failure, TransientFailure) and (
            item.attempts < self.settings.delivery_max_attempts
        ):
            wait = backoff_seconds(item.attempts, self.settings.delivery_retry_base_seconds)
            retry_at = utcnow() + timedelta(seconds=wait)
            self._record(conn, item, "transient", "queued", failure.reason, retry_at=retry_at)
            return "retry"
        self._record(conn, item, "permanent", "failed", failure.reason)
        if isinstance(failure, PermanentFailure) and failure.bounce:
            self._unverify(item)
        log.warning("delivery %s failed for good: %s", item.id, failure.reason)
        return "failed"

    def _record(
        self,
        conn: Connection,
        item: _Claimed,
        outcome: str,
        status: str,
        detail: str,
        *,
        provider_id: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        """The result and the attempt, committed at once: the smaller the gap between send and
        commit, the smaller the chance a crash makes the reconciler send again. Statements are
        built once (RESULT, ATTEMPT): building them per delivery cost more than running them."""
        now = utcnow()
        result = {
            "b_id": item.id,
            "b_status": status,
            "b_provider": provider_id,
            "b_error": None if status == "sent" else detail[:2000],
            "b_retry": retry_at,
            "b_finished": None if status == "queued" else now,
        }
        attempt = {
            "number": item.attempts,
            "at": now,
            "outcome": outcome,
            "detail": detail[:2000],
            "worker": self.name,
        }
        if conn.dialect.name == "postgresql":
            conn.execute(RESULT_AND_ATTEMPT, result | attempt)
            return
        self._begin(conn)
        conn.execute(RESULT, result)
        conn.execute(ATTEMPT, attempt | {"delivery_id": item.id})
        conn.commit()

    def _unverify(self, item: _Claimed) -> None:
        """Flag the contact's channel: its address bounced, the district should correct it."""
        with Session(self.engine) as session, session.begin():
            contact = session.get(Contact, item.contact_id)
            if contact is not None and item.channel not in (contact.unverified_channels or []):
                contact.unverified_channels = [*(contact.unverified_channels or []), item.channel]

    def _finish(self, alert_id: int) -> None:
        """An alert whose deliveries all ended is dispatched (audited, by this worker)."""
        pending = exists().where(
            and_(Delivery.alert_id == alert_id, Delivery.status.in_(("queued", "sending")))
        )
        with self._begin() as conn, Session(bind=conn) as session:
            done = session.execute(
                update(Alert)
                .where(Alert.id == alert_id, Alert.state == "dispatching", ~pending)
                .values(state="dispatched", dispatched_at=utcnow())
                .returning(Alert.sent_at)
            ).first()
            if done is not None:
                if done.sent_at is not None:
                    DISPATCH_SECONDS.observe((utcnow() - done.sent_at).total_seconds())
                audit.record(
                    session,
                    actor=f"worker:{self.name}",
                    action="alert.dispatched",
                    entity_type="alert",
                    entity_id=alert_id,
                    before={"state": "dispatching"},
                    after={"state": "dispatched"},
                )
            conn.commit()
