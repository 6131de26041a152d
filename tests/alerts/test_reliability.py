"""Nothing lost, nothing twice, with the real broker and PostgreSQL: the broker killed in the
middle of a 5,000-recipient dispatch, a worker process killed mid-batch while another runs,
the API gone between approval and relay. Each (recipient, channel) gets exactly one message
(counted at the SMTP receiver) and every delivery ends sent or failed."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.alerts import jobs
from hub.alerts.channels.email import SmtpEmail
from hub.alerts.models import Delivery
from hub.db import utcnow
from hub.events.broker import EmbeddedBroker
from hub.runtime import Runtime
from hub.settings import Settings, get_settings
from tests.alerts.channels.servers import SmtpServer
from tests.alerts.sending import approved_alert
from tests.conftest import PG_ADMIN_URL
from tests.fresh_db import migrated_engine

STUCK = timedelta(seconds=3)


@pytest.fixture(scope="module")
def live_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated PostgreSQL database of this module's own: the reliability runs use
    PostgreSQL, as production does (this replaces the fixture that runs on both kinds)."""
    with migrated_engine(PG_ADMIN_URL, tmp_path_factory.mktemp("reliability")) as engine:
        yield engine


class TrippingSmtp(SmtpServer):
    """An SMTP receiver that, on the message after `after` accepted ones, calls `trip` with
    its envelope sender (kill that worker, restart the broker) once; when `refuse` it answers
    that message 421 instead of accepting it, as a server whose client died mid-DATA never
    accepts it."""

    def __init__(self, after: int, trip: Callable[[str], None], *, refuse: bool) -> None:
        super().__init__()
        self.after, self.trip, self.refuse = after, trip, refuse
        self.tripped = threading.Event()

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: SmtpSession, envelope: Envelope
    ) -> str:
        if len(self.received) >= self.after and not self.tripped.is_set():
            self.tripped.set()
            self.trip(envelope.mail_from or "")
            if self.refuse:
                return "421 4.3.0 closing"
        return await super().handle_DATA(server, session, envelope)

    def counts(self) -> Counter[str]:
        return Counter(r for m in self.received for r in m.rcpt_tos)


def _open(engine: Engine, alert_id: int) -> int:
    with Session(engine) as s:
        query = select(func.count()).where(
            Delivery.alert_id == alert_id, Delivery.status.in_(("queued", "sending"))
        )
        return int(s.scalar(query) or 0)


def _statuses(engine: Engine, alert_id: int) -> Counter[str]:
    with Session(engine) as s:
        return Counter(s.scalars(select(Delivery.status).where(Delivery.alert_id == alert_id)))


def reconcile_until_done(engine: Engine, alert_id: int, seconds: float = 180) -> None:
    """What the scheduler does, every second with a short stall time, until all ended."""
    deadline = time.monotonic() + seconds
    while _open(engine, alert_id):
        assert time.monotonic() < deadline, f"open deliveries: {_statuses(engine, alert_id)}"
        with Session(engine) as s, s.begin():
            jobs.reconcile(s, utcnow(), STUCK)
        time.sleep(1)


def _settings(broker: EmbeddedBroker) -> Settings:
    return get_settings().model_copy(update={"kafka_bootstrap_servers": broker.bootstrap_servers})


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(log_path=tmp_path / "tansu.log") as b:
        yield b


def test_the_broker_dies_mid_dispatch_of_5000(live_engine: Engine, broker: EmbeddedBroker) -> None:
    smtp = TrippingSmtp(1000, lambda _sender: broker.restart(), refuse=False)
    settings = _settings(broker)
    with smtp:
        channel = SmtpEmail(smtp.url(), sender=settings.smtp_from, timeout=10)
        sent = approved_alert(live_engine, districts=100, contacts=50)
        with Runtime(
            settings, live_engine, workers=2, scheduler=False, channels={"email": channel}
        ):
            reconcile_until_done(live_engine, sent.alert_id)
        assert smtp.tripped.is_set()
        counts = smtp.counts()
    assert len(counts) == 5000
    assert set(counts.values()) == {1}
    assert _statuses(live_engine, sent.alert_id) == {"sent": 5000}


def _worker(settings: Settings, smtp_url: str, log: Path, n: int) -> subprocess.Popen[bytes]:
    """`hub worker` number `n`, sending from worker<n>@hub.example.org (so the SMTP receiver
    knows whose message it holds)."""
    env = os.environ | {
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_KAFKA_BOOTSTRAP_SERVERS": str(settings.kafka_bootstrap_servers),
        "HUB_SMTP_URL": smtp_url,
        "HUB_SMTP_FROM": f"worker{n}@hub.example.org",
        "HUB_METRICS_PORT": "0",
    }
    hub = Path(sys.executable).parent / "hub"
    return subprocess.Popen(  # noqa: S603 - our own command
        [str(hub), "worker"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def test_a_worker_killed_mid_batch_while_another_runs(
    live_engine: Engine, broker: EmbeddedBroker, tmp_path: Path
) -> None:
    url = live_engine.url.render_as_string(hide_password=False)
    settings = _settings(broker).model_copy(update={"database_url": url})
    workers: list[subprocess.Popen[bytes]] = []
    killed: list[int] = []

    def kill_sender(sender: str) -> None:
        # The worker whose message this is waits for our answer: killed now, mid-send, it
        # has committed everything it sent before (the other worker runs on untouched).
        n = int(sender.removeprefix("worker").split("@")[0])
        workers[n].send_signal(signal.SIGKILL)
        killed.append(n)

    smtp = TrippingSmtp(150, kill_sender, refuse=True)
    with smtp:
        sent = approved_alert(live_engine, districts=20, contacts=30)
        log = tmp_path / "workers.log"
        try:
            workers.append(_worker(settings, smtp.url(), log, 0))
            workers.append(_worker(settings, smtp.url(), log, 1))
            deadline = time.monotonic() + 120
            while not killed or workers[killed[0]].poll() is None:
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.2)
            assert workers[killed[0]].returncode == -signal.SIGKILL
            workers.append(_worker(settings, smtp.url(), log, 2))
            reconcile_until_done(live_engine, sent.alert_id)
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait(timeout=30)
        counts = smtp.counts()
    assert len(counts) == 600
    assert set(counts.values()) == {1}
    assert _statuses(live_engine, sent.alert_id) == {"sent": 600}


def test_deliveries_approved_while_no_relay_runs_go_out_when_one_starts(
    live_engine: Engine, broker: EmbeddedBroker
) -> None:
    settings = _settings(broker)
    with SmtpServer() as smtp:
        sent = approved_alert(live_engine, districts=5, contacts=4)
        # Approved and committed with its outbox rows while nothing relays (the API went down
        # between approval and relay); a process started afterwards sends them.
        assert _open(live_engine, sent.alert_id) == 20
        channel = SmtpEmail(smtp.url(), sender=settings.smtp_from, timeout=10)
        with Runtime(
            settings, live_engine, workers=1, scheduler=False, channels={"email": channel}
        ):
            reconcile_until_done(live_engine, sent.alert_id, seconds=60)
        counts: Any = Counter(r for m in smtp.received for r in m.rcpt_tos)
    assert len(counts) == 20
    assert set(counts.values()) == {1}
