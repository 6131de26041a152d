"""The background parts of the hub, for `hub serve` (all in process), `hub worker` (relay and
delivery consumers) and `hub scheduler`: the embedded broker when no Kafka is configured, the
outbox relay, delivery workers and the APScheduler jobs."""

import logging
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from hub.alerts import jobs
from hub.alerts.channels import Channel, build_channels, close_channels
from hub.alerts.worker import DeliveryWorker
from hub.db import get_engine, session_scope, utcnow
from hub.events.broker import EmbeddedBroker
from hub.events.relay import Relay
from hub.federation import jobs as federation_jobs
from hub.settings import Settings, get_settings

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 30
ESCALATE_SECONDS = 60
EXPIRE_SECONDS = 60


def reconcile_job() -> None:
    """Announce stalled and due deliveries again (scheduled; module-level for the job store)."""
    settings = get_settings()
    with session_scope(write=True) as session:
        count = jobs.reconcile(
            session, utcnow(), timedelta(seconds=settings.alerts_stuck_after_seconds)
        )
    if count:
        log.info("reconciler announced %d deliveries again", count)


def escalate_job() -> None:
    """Escalate urgent alerts that districts have not acknowledged (scheduled)."""
    after = timedelta(minutes=get_settings().alerts_escalate_after_minutes)
    with session_scope(write=True) as session:
        for alert in jobs.escalate(session, utcnow(), after):
            log.info("escalated alert %s to stage %d", alert.identifier, alert.escalated_stage)


def expire_job() -> None:
    """Expire sent alerts past their `expires` (scheduled)."""
    with session_scope(write=True) as session:
        for alert in jobs.expire(session, utcnow()):
            log.info("alert %s expired", alert.identifier)


def make_scheduler(engine: Engine) -> BackgroundScheduler:
    """The scheduler with the hub's jobs under fixed ids in a job store in the hub's database:
    one scheduler process at a time (the Helm chart runs one replica), a missed run coalesces
    into one, and a run never overlaps the previous one."""
    scheduler = BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=engine, tablename="scheduler_jobs"),
            "memory": MemoryJobStore(),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        timezone="UTC",
    )
    for job, seconds in (
        (reconcile_job, RECONCILE_SECONDS),
        (escalate_job, ESCALATE_SECONDS),
        (expire_job, EXPIRE_SECONDS),
    ):
        scheduler.add_job(
            job, "interval", seconds=seconds, id=f"alerts.{job.__name__}", replace_existing=True
        )
    federation_jobs.install(scheduler)
    return scheduler


class Runtime:
    """Starts and stops the background parts asked for; with no HUB_KAFKA_BOOTSTRAP_SERVERS,
    first the embedded broker (its address replaces the setting for this process)."""

    def __init__(
        self,
        settings: Settings | None = None,
        engine: Engine | None = None,
        *,
        relay: bool = True,
        workers: int = 1,
        scheduler: bool = True,
        channels: Mapping[str, Channel] | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.engine = engine or get_engine()
        self.want_relay, self.workers, self.want_scheduler = relay, workers, scheduler
        self.channels = channels
        self.broker: EmbeddedBroker | None = None
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []
        self.scheduler: BackgroundScheduler | None = None
        self._owned_channels: dict[str, Channel] = {}

    def start(self) -> "Runtime":
        if self.settings.kafka_bootstrap_servers is None and (self.want_relay or self.workers):
            self.broker = EmbeddedBroker()
            self.broker.start()
            values: dict[str, Any] = {"kafka_bootstrap_servers": self.broker.bootstrap_servers}
            self.settings = self.settings.model_copy(update=values)
            log.info("embedded Kafka broker on %s", self.broker.bootstrap_servers)
        if self.want_relay:
            relay = Relay(self.settings, self.engine)
            self._thread("outbox-relay", relay.run_forever)
        if self.workers:
            channels = self.channels
            if channels is None:
                self._owned_channels = build_channels(self.settings)
                channels = self._owned_channels
            for n in range(self.workers):
                worker = DeliveryWorker(self.settings, self.engine, channels, n)
                self._thread(f"delivery-{n}", worker.run_forever)
        if self.want_scheduler:
            self.scheduler = make_scheduler(self.engine)
            self.scheduler.start()
        return self

    def _thread(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, args=(self.stop_event,), name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        """Stop consuming and relaying (workers leave the group), then the broker."""
        self.stop_event.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        for thread in self.threads:
            thread.join(timeout=15)
        close_channels(self._owned_channels)
        if self.broker is not None:
            self.broker.stop()

    def __enter__(self) -> "Runtime":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
