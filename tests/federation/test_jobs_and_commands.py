"""The scheduler's federation jobs and the operator's commands, on a fresh database of each kind
that the process engine (HUB_DATABASE_URL) commits to for real."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from hub import runtime
from hub.auth.policy import SYSTEM
from hub.cli import app
from hub.db import get_engine, session_scope, utcnow
from hub.directory import service as directory
from hub.directory.models import Program
from hub.errors import Conflict
from hub.federation import jobs, partners
from hub.federation.models import Partner, SyncRun
from hub.federation.schemas import PartnerInput
from hub.federation.sync import Syncer
from hub.settings import get_settings
from tests import factories
from tests.fresh_db import migrated_engine

runner = CliRunner()
DOWN = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _clear() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def hub_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    with migrated_engine(db_url, tmp_path) as engine:
        monkeypatch.setenv("HUB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        _clear()
        yield engine
        get_engine().dispose()
        monkeypatch.undo()
        _clear()


def _add(engine: Engine, slug: str, direction: str = "pull") -> str:
    data = PartnerInput(
        slug=slug,
        name=f"{slug} center",
        level="state",
        base_url=DOWN,
        direction=direction,  # type: ignore[arg-type]
        sends=["program"],
        receives=["program"],
        interval_seconds=60,
    )
    with session_scope(engine) as session:
        return partners.add(session, SYSTEM, data, outbound_token="hubp_theirs").token


def _partner_jobs(scheduler: runtime.BackgroundScheduler) -> set[str]:
    ids = {job.id for job in scheduler.get_jobs(jobstore="default")}
    return {i for i in ids if i.startswith(("federation.pull.", "federation.push."))}


def test_refresh_keeps_one_job_per_partner_and_direction(hub_db: Engine) -> None:
    scheduler = runtime.make_scheduler(hub_db)
    scheduler.start(paused=True)
    try:
        _add(hub_db, "state-b", "both")
        _add(hub_db, "state-c", "pull")
        jobs.refresh(scheduler)
        want = {"federation.pull.state-b", "federation.push.state-b", "federation.pull.state-c"}
        assert _partner_jobs(scheduler) == want
        jobs.refresh(scheduler)  # idempotent
        assert _partner_jobs(scheduler) == want
        with session_scope(hub_db) as session:
            partners.remove(session, SYSTEM, "state-b")
            partners.get(session, "state-c").interval_seconds = 120
        jobs.refresh(scheduler)
        assert _partner_jobs(scheduler) == {"federation.pull.state-c"}
        job = scheduler.get_job("federation.pull.state-c", jobstore="default")
        assert job is not None
        assert job.trigger.interval == timedelta(seconds=120)
    finally:
        scheduler.shutdown(wait=False)


def test_a_dead_run_is_marked_failed_and_never_blocks_the_next(hub_db: Engine) -> None:
    _add(hub_db, "state-b")
    settings = get_settings()
    syncer = Syncer(engine=hub_db)
    with session_scope(hub_db) as session:
        dead = syncer.begin(session, "state-b", "pull", trigger="manual", actor=SYSTEM)
    with session_scope(hub_db) as session:
        run = session.get_one(SyncRun, dead)
        run.heartbeat_at = utcnow() - timedelta(seconds=settings.federation_stale_run_seconds + 1)
    jobs.housekeeping_job()
    with session_scope(hub_db) as session:
        run = session.get_one(SyncRun, dead)
        assert run.status == "failed"
        assert run.error is not None
        assert "no heartbeat" in run.error
    labels = {"partner": "state-b", "direction": "pull", "outcome": "failed"}
    before = REGISTRY.get_sample_value("hub_sync_runs_total", labels) or 0
    report = syncer.run("state-b", "pull")  # the partner is down: this run fails, but it runs
    assert REGISTRY.get_sample_value("hub_sync_runs_total", labels) == before + 1
    assert report is not None
    assert report.id != dead
    assert report.status == "failed"
    assert "Connection refused" in (report.error or "")
    with session_scope(hub_db) as session:
        partner = session.scalars(select(Partner)).one()
        assert partner.failures == 1
        assert partner.next_attempt_at is not None
        assert partner.next_attempt_at > utcnow()
    # A scheduled run waits out the backoff; a manual one does not.
    assert syncer.run("state-b", "pull", trigger="schedule") is None


def test_tombstones_are_restorable_within_the_grace_period_then_purged(hub_db: Engine) -> None:
    grace = timedelta(days=get_settings().federation_tombstone_grace_days)
    with session_scope(hub_db) as session:
        old = factories.program(session, title="Old")
        recent = factories.program(session, title="Recent")
        directory.retire_program(session, SYSTEM, program_id=old.id)
        directory.retire_program(session, SYSTEM, program_id=recent.id)
    with hub_db.begin() as conn:  # Core: a flush would stamp updated_at with now again
        long_ago = utcnow() - grace - timedelta(hours=1)
        conn.execute(update(Program).where(Program.id == old.id).values(updated_at=long_ago))
    with session_scope(hub_db) as session, pytest.raises(Conflict, match="more than"):
        directory.restore_program(session, SYSTEM, program_id=old.id)
    jobs.housekeeping_job()
    with session_scope(hub_db) as session:
        assert session.get(Program, old.id) is None
        restored = directory.restore_program(session, SYSTEM, program_id=recent.id)
        assert (restored.deleted, restored.version) == (False, 3)


def test_partners_commands_add_list_show_and_sync(hub_db: Engine) -> None:
    added = runner.invoke(
        app,
        [
            "partners", "add", "national", "--name", "National Center", "--url", DOWN,
            "--level", "national", "--direction", "both", "--sends", "program,practice",
            "--receives", "program", "--token", "hubp_theirs",
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "hubp_" in added.output
    listed = runner.invoke(app, ["partners", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    assert "national" in listed.output
    shown = runner.invoke(app, ["partners", "show", "national"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    assert "program" in shown.output
    bad = runner.invoke(app, ["partners", "add", "x", "--name", "X", "--url", "not a url"])
    assert bad.exit_code != 0
    assert "url" in bad.output.lower()
    synced = runner.invoke(app, ["sync", "national"], env={"COLUMNS": "200"})
    assert synced.exit_code == 1, synced.output
    assert "failed" in synced.output
    assert "Connection refused" in synced.output
    with session_scope(hub_db) as session:
        assert session.scalars(select(SyncRun.status)).all() == ["failed"]
