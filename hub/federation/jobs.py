"""The scheduler's federation jobs: one sync job per partner and direction (persistent, with
explicit ids `federation.pull.<slug>` / `federation.push.<slug>`, kept in step with the registry
by a refresh job), and housekeeping (dead runs, old signatures, tombstones past their grace)."""

import logging
from datetime import timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import delete
from sqlalchemy.orm import Session

from hub.db import session_scope, utcnow
from hub.directory.models import Practice, Program
from hub.federation import partners
from hub.federation.signing import forget_old
from hub.federation.sync import Syncer, Way, reap
from hub.settings import Settings, get_settings

log = logging.getLogger(__name__)

PREFIX = "federation."
HOUSEKEEPING = "federation.housekeeping_job"
REFRESH_SECONDS = 30
HOUSEKEEPING_SECONDS = 300


def sync_job(slug: str, way: Way) -> None:
    """One scheduled sync (module-level, so the job store can name it)."""
    report = Syncer().run(slug, way, trigger="schedule")
    if report is not None:
        log.info("sync %s %s: %s %s", way, slug, report.status, report.counts)


def purge_tombstones(session: Session, settings: Settings) -> int:
    """Delete programs and practices tombstoned longer ago than the grace period; until then
    they can be restored. (Districts stay: schools and contacts hang off them.)"""
    cutoff = utcnow() - timedelta(days=settings.federation_tombstone_grace_days)
    purged = 0
    for model in (Program, Practice):
        result = session.execute(
            delete(model).where(model.deleted.is_(True), model.updated_at < cutoff)
        )
        purged += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return purged


def housekeeping_job() -> None:
    """Mark dead runs failed, forget old request signatures, purge old tombstones."""
    settings = get_settings()
    with session_scope(write=True) as session:
        dead = reap(session, utcnow(), settings.federation_stale_run_seconds)
        forget_old(session, settings.federation_replay_window_seconds)
        purged = purge_tombstones(session, settings)
    if dead or purged:
        log.info(
            "federation housekeeping: %d dead runs marked failed, %d tombstones purged",
            dead,
            purged,
        )


def refresh(scheduler: BaseScheduler) -> None:
    """Add, reschedule and remove partner sync jobs to match the registry."""
    with session_scope(write=False) as session:
        wanted = {
            f"{PREFIX}{way}.{p.slug}": (p.slug, way, p.interval_seconds)
            for p in partners.list_partners(session)
            if p.enabled
            for way, on in (("pull", p.pulls), ("push", p.pushes))
            if on
        }
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id.startswith(PREFIX) and job.id != HOUSEKEEPING and job.id not in wanted:
            job.remove()
    for job_id, (slug, way, seconds) in wanted.items():
        job = scheduler.get_job(job_id, jobstore="default")
        interval = getattr(job.trigger, "interval", None) if job is not None else None
        if interval is not None and interval == timedelta(seconds=seconds):
            continue
        scheduler.add_job(
            sync_job,
            "interval",
            seconds=seconds,
            args=[slug, way],
            id=job_id,
            jobstore="default",
            replace_existing=True,
            next_run_time=utcnow(),
        )


def install(scheduler: BaseScheduler) -> None:
    """Housekeeping in the persistent store; the refresh (which holds the scheduler) in memory,
    run at start and then every REFRESH_SECONDS."""
    scheduler.add_job(
        housekeeping_job,
        "interval",
        seconds=HOUSEKEEPING_SECONDS,
        id=HOUSEKEEPING,
        jobstore="default",
        replace_existing=True,
    )
    scheduler.add_job(
        refresh,
        "interval",
        seconds=REFRESH_SECONDS,
        args=[scheduler],
        id="federation.refresh",
        jobstore="memory",
        replace_existing=True,
        next_run_time=utcnow(),
    )
