"""The scheduler's jobs: fixed ids in a job store in the hub's database, and each job doing its
work through the process's own engine (HUB_DATABASE_URL)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from hub import runtime
from hub.alerts.models import Alert, Delivery
from hub.db import get_engine, utcnow
from hub.events.models import OutboxMessage
from hub.settings import get_settings
from tests.alerts.sending import approved_alert

JOB_IDS = {
    "alerts.reconcile_job",
    "alerts.escalate_job",
    "alerts.expire_job",
    "federation.refresh",
    "federation.housekeeping_job",
}


@pytest.fixture
def hub_env(live_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """HUB_DATABASE_URL pointing at the live database, as in a scheduler process."""
    monkeypatch.setenv("HUB_DATABASE_URL", live_engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield live_engine
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_the_jobs_are_stored_under_fixed_ids_and_replaced_not_doubled(hub_env: Engine) -> None:
    for _ in range(2):
        scheduler = runtime.make_scheduler(hub_env)
        scheduler.start(paused=True)
        assert {job.id for job in scheduler.get_jobs()} == JOB_IDS
        scheduler.shutdown(wait=False)
    assert "scheduler_jobs" in inspect(hub_env).get_table_names()


def test_the_jobs_reconcile_and_expire_through_the_process_engine(hub_env: Engine) -> None:
    sent = approved_alert(hub_env, districts=1, contacts=2)
    stale = utcnow() - timedelta(seconds=get_settings().alerts_stuck_after_seconds + 5)
    with Session(hub_env) as s, s.begin():
        for d in s.scalars(select(Delivery).where(Delivery.alert_id == sent.alert_id)):
            d.claimed_at = stale
        alert = s.get(Alert, sent.alert_id)
        assert alert is not None
        alert.expires = utcnow() - timedelta(seconds=1)
        before = len(s.scalars(select(OutboxMessage.id)).all())
    runtime.reconcile_job()
    with Session(hub_env) as s:
        assert len(s.scalars(select(OutboxMessage.id)).all()) == before + 1
    runtime.expire_job()
    runtime.escalate_job()
    with Session(hub_env) as s:
        alert = s.get(Alert, sent.alert_id)
        assert alert is not None
        assert alert.state == "expired"
