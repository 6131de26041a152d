"""An approved alert through the real parts: outbox, relay, the Kafka-protocol broker (Tansu),
two delivery workers, SMTP to an aiosmtpd receiver; each recipient gets exactly one e-mail."""

import time
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.alerts.channels.email import SmtpEmail
from hub.alerts.models import Alert, Delivery
from hub.runtime import Runtime
from hub.settings import get_settings
from tests.alerts.channels.servers import SmtpServer
from tests.alerts.sending import approved_alert


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def wait_for(check: object, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"not done within {seconds} s")


def _open(engine: Engine, alert_id: int) -> int:
    with Session(engine) as s:
        query = select(func.count()).where(
            Delivery.alert_id == alert_id, Delivery.status.in_(("queued", "sending"))
        )
        return int(s.scalar(query) or 0)


def test_an_alert_reaches_every_recipient_once(live_engine: Engine, smtp: SmtpServer) -> None:
    settings = get_settings()
    channel = SmtpEmail(smtp.url(), sender=settings.smtp_from, timeout=5)
    sent = approved_alert(live_engine, districts=10, contacts=5)
    with Runtime(settings, live_engine, workers=2, scheduler=False, channels={"email": channel}):
        wait_for(lambda: _open(live_engine, sent.alert_id) == 0)
    received = Counter(r for m in smtp.received for r in m.rcpt_tos)
    assert len(received) == 50
    assert set(received.values()) == {1}
    with Session(live_engine) as s:
        alert = s.get(Alert, sent.alert_id)
        assert alert is not None
        assert alert.state == "dispatched"
        statuses = s.scalars(select(Delivery.status).where(Delivery.alert_id == alert.id))
        assert set(statuses) == {"sent"}
