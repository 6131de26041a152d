"""One sync with one partner in one direction, recorded as a SyncRun.

Pull: fetch the partner's feed since the stored cursor (page by page, with a heartbeat), then
screen, apply and move the cursor in one transaction, so the cursor never passes uncommitted
work. Push: send our feed since the partner's cursor, page by page, moving the cursor after each
page the partner acknowledged. A run that dies leaves a stale heartbeat and is marked failed by
the next one; failures back off exponentially per partner, and each partner is its own job, so
one that is down delays no other.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from hub import audit
from hub.auth.policy import Principal
from hub.db import get_engine, session_scope, utcnow
from hub.errors import Conflict, HubError
from hub.federation import partners, secrets
from hub.federation.apply import DeletionsHeld, Outcome, apply_changes, screen
from hub.federation.client import PartnerClient
from hub.federation.feed import changes as feed_changes
from hub.federation.models import Partner, SyncAlert, SyncRun
from hub.observability import SYNC_CHANGES, SYNC_RUNS
from hub.settings import Settings, get_settings

# The partner row only: PostgreSQL refuses FOR UPDATE on the outer-joined center.
LOCK_PARTNER = {"of": Partner}

log = logging.getLogger(__name__)

Way = Literal["pull", "push"]
SCHEDULER = Principal(user_id=0, username="scheduler", role="state_admin")


@dataclass(slots=True)
class RunReport:
    """A finished run, detached from its session (what `hub sync` prints)."""

    id: int
    partner: str
    direction: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    cursor_from: int
    cursor_to: int | None
    counts: dict[str, int]
    bytes_moved: int
    error: str | None
    rejections: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, run: SyncRun) -> "RunReport":
        return cls(
            id=run.id,
            partner=run.partner.slug,
            direction=run.direction,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            cursor_from=run.cursor_from,
            cursor_to=run.cursor_to,
            counts={
                "fetched": run.fetched,
                "created": run.created,
                "updated": run.updated,
                "deleted": run.deleted,
                "skipped": run.skipped,
                "rejected": run.rejected,
            },
            bytes_moved=run.bytes_moved,
            error=run.error,
            rejections=list(run.rejections),
        )


def reap(session: Session, now: datetime, stale_seconds: int) -> int:
    """Mark failed every running run whose heartbeat stopped: its process is gone."""
    cutoff = now - timedelta(seconds=stale_seconds)
    result = session.execute(
        update(SyncRun)
        .where(SyncRun.status == "running", SyncRun.heartbeat_at < cutoff)
        .values(
            status="failed",
            finished_at=now,
            error=f"the process running it stopped (no heartbeat for {stale_seconds} s)",
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def record_outcome(
    session: Session,
    partner: Partner,
    run: SyncRun,
    raws: list[Any],
    *,
    allow_deletions: bool,
) -> DeletionsHeld | None:
    """Screen and apply a batch of a partner's envelopes into `run`; when the deletion
    breaker holds it back, nothing is written but the blocked run, the open breaker and a
    sync alert for staff, all in the caller's transaction."""
    outcome = Outcome()
    agreement = partners.agreement(partner)
    accepted = screen(agreement, raws, outcome)
    release = allow_deletions or partner.breaker_released
    try:
        with session.begin_nested():
            apply_changes(session, agreement, accepted, outcome, allow_deletions=release)
    except DeletionsHeld as held:
        run.fetched += outcome.fetched
        run.status, run.error = "blocked", held.message
        partner.breaker_open = True
        session.add(
            SyncAlert(partner=partner, run_id=run.id, kind="deletions", message=held.message)
        )
        audit.record(
            session,
            actor="scheduler",
            action="federation.breaker_open",
            entity_type="partner",
            entity_id=partner.slug,
            after={"run": run.id, "deletions": held.deletions, "held": held.held},
        )
        log.error("sync with %s held back: %s", partner.slug, held.message)
        return held
    if partner.breaker_released:
        partner.breaker_open = partner.breaker_released = False
    for name, value in outcome.counts().items():
        setattr(run, name, getattr(run, name) + value)
        if name != "fetched" and value:
            SYNC_CHANGES.labels(partner.slug, name).inc(value)
    room = 200 - len(run.rejections)
    if room > 0 and outcome.rejections:
        run.rejections = [*run.rejections, *outcome.rejections[:room]]
    return None


class Syncer:
    """Runs syncs on one engine with one set of settings."""

    def __init__(self, engine: Engine | None = None, settings: Settings | None = None) -> None:
        self.engine = engine or get_engine()
        self.settings = settings or get_settings()

    def run(
        self,
        slug: str,
        way: Way,
        *,
        trigger: str = "manual",
        actor: Principal = SCHEDULER,
        allow_deletions: bool = False,
    ) -> RunReport | None:
        """Sync now; None when a scheduled run has nothing to do yet (backing off, breaker
        open). A manual run while another runs is a Conflict."""
        with session_scope(self.engine, write=True) as session:
            run_id = self.begin(session, slug, way, trigger=trigger, actor=actor)
        if run_id is None:
            return None
        return self.carry_out(run_id, allow_deletions=allow_deletions)

    def carry_out(self, run_id: int, *, allow_deletions: bool = False) -> RunReport:
        """Do a begun run (committed by `begin`'s caller) to its end, whatever happens."""
        with session_scope(self.engine, write=False) as session:
            way = session.get_one(SyncRun, run_id).direction
        try:
            if way == "pull":
                self._pull(run_id, allow_deletions=allow_deletions)
            else:
                self._push(run_id)
        except HubError as exc:
            self._fail(run_id, exc.message)
        except Exception as exc:
            log.exception("sync run %d failed", run_id)
            self._fail(run_id, f"unexpected error: {exc!r}")
        with session_scope(self.engine, write=False) as session:
            report = RunReport.of(session.get_one(SyncRun, run_id))
        SYNC_RUNS.labels(report.partner, way, report.status).inc()
        return report

    def begin(
        self, session: Session, slug: str, way: Way, *, trigger: str, actor: Principal
    ) -> int | None:
        """Record a new running run in `session` (or None: a scheduled run not due)."""
        now = utcnow()
        reap(session, now, self.settings.federation_stale_run_seconds)
        partner = partners.get(session, slug)
        session.refresh(partner, with_for_update=LOCK_PARTNER)
        if (way == "pull" and not partner.pulls) or (way == "push" and not partner.pushes):
            raise Conflict(f"the agreement with {slug} does not {way} ({partner.direction})")
        if trigger == "schedule":
            due = partner.next_attempt_at is None or partner.next_attempt_at <= now
            held = partner.breaker_open and not partner.breaker_released
            if not partner.enabled or not due or held:
                return None
        busy = session.scalar(
            select(SyncRun.id).where(
                SyncRun.partner_id == partner.id,
                SyncRun.direction == way,
                SyncRun.status == "running",
            )
        )
        if busy is not None:
            if trigger == "schedule":
                return None
            raise Conflict(f"sync run {busy} with {slug} ({way}) is still running")
        if partner.outbound_token is None:
            raise Conflict(
                f"no token from {slug} is stored: `hub partners credentials {slug} --token`"
            )
        cursor = partner.pull_cursor if way == "pull" else partner.push_cursor
        run = SyncRun(partner=partner, direction=way, trigger=trigger, cursor_from=cursor)
        session.add(run)
        session.flush()
        audit.record(
            session,
            actor=actor.actor,
            action=f"federation.{way}",
            entity_type="sync_run",
            entity_id=run.id,
            after={"partner": slug, "trigger": trigger},
        )
        return run.id

    def _client(self, partner: Partner) -> PartnerClient:
        assert partner.outbound_token is not None
        secret = secrets.unseal(partner.signing_secret) if partner.signing_secret else None
        return PartnerClient(
            partner.base_url,
            secrets.unseal(partner.outbound_token),
            secret,
            self.settings.federation_timeout_seconds,
        )

    def _heartbeat(self, run_id: int, **values: Any) -> None:
        with session_scope(self.engine, write=True) as session:
            session.execute(
                update(SyncRun).where(SyncRun.id == run_id).values(heartbeat_at=utcnow(), **values)
            )

    def _pull(self, run_id: int, *, allow_deletions: bool) -> None:
        with session_scope(self.engine, write=False) as session:
            run = session.get_one(SyncRun, run_id)
            partner = run.partner
            types, cursor = list(partner.receives), run.cursor_from
            client = self._client(partner)
        raws: list[Any] = []
        limit, size = (
            self.settings.federation_max_changes_per_run,
            self.settings.federation_page_size,
        )
        with client:
            while True:
                page = client.changes(cursor, min(size, limit - len(raws)), types)
                batch = page.get("changes")
                if not isinstance(batch, list):
                    raise HubError("the partner's feed page has no list of changes")
                raws += batch
                cursor = max(cursor, _cursor(page.get("cursor"), cursor))
                self._heartbeat(run_id, fetched=len(raws), bytes_moved=client.bytes_moved)
                if not page.get("has_more") or not batch or len(raws) >= limit:
                    break
        with session_scope(self.engine, write=True) as session:
            run = session.get_one(SyncRun, run_id)
            partner = session.get_one(Partner, run.partner_id, with_for_update=LOCK_PARTNER)
            run.fetched, run.bytes_moved = 0, client.bytes_moved
            held = record_outcome(session, partner, run, raws, allow_deletions=allow_deletions)
            if held is None:
                partner.pull_cursor = cursor
                run.status, run.cursor_to = "succeeded", cursor
                partner.failures, partner.next_attempt_at = 0, None
            run.finished_at = utcnow()

    def _push(self, run_id: int) -> None:
        with session_scope(self.engine, write=False) as session:
            run = session.get_one(SyncRun, run_id)
            partner = run.partner
            audience, cursor = partners.audience(partner), run.cursor_from
            client = self._client(partner)
        size = self.settings.federation_page_size
        totals = Outcome()
        with client:
            while True:
                with session_scope(self.engine, write=False) as session:
                    page = feed_changes(session, audience, since=cursor, first=size)
                if not page.changes:
                    break
                try:
                    answer = client.push(page.changes)
                except Conflict as exc:  # the partner's own breaker held our deletions back
                    self._finish(run_id, "blocked", totals, client.bytes_moved, error=exc.message)
                    return
                for name in ("created", "updated", "deleted", "skipped", "rejected"):
                    setattr(totals, name, getattr(totals, name) + int(answer.get(name, 0)))
                totals.fetched += len(page.changes)
                totals.rejections += list(answer.get("rejections", []))[:50]
                cursor = page.cursor
                with session_scope(self.engine, write=True) as session:
                    session.execute(
                        update(Partner).where(Partner.id == partner.id).values(push_cursor=cursor)
                    )
                self._heartbeat(run_id, cursor_to=cursor, fetched=totals.fetched)
                if not page.has_more:
                    break
        self._finish(run_id, "succeeded", totals, client.bytes_moved, cursor=cursor)

    def _finish(
        self,
        run_id: int,
        status: str,
        totals: Outcome,
        bytes_moved: int,
        *,
        cursor: int | None = None,
        error: str | None = None,
    ) -> None:
        with session_scope(self.engine, write=True) as session:
            run = session.get_one(SyncRun, run_id)
            for name, value in totals.counts().items():
                setattr(run, name, value)
            run.rejections = totals.rejections[:200]
            run.status, run.error, run.bytes_moved = status, error, bytes_moved
            run.finished_at = utcnow()
            if cursor is not None:
                run.cursor_to = cursor
            if status == "succeeded":
                run.partner.failures, run.partner.next_attempt_at = 0, None

    def _fail(self, run_id: int, message: str) -> None:
        """The run failed: record why and back off this partner, base * 2^(failures - 1)."""
        with session_scope(self.engine, write=True) as session:
            run = session.get_one(SyncRun, run_id)
            partner = session.get_one(Partner, run.partner_id, with_for_update=LOCK_PARTNER)
            run.status, run.error, run.finished_at = "failed", message, utcnow()
            partner.failures += 1
            delay = min(
                self.settings.federation_retry_base_seconds * 2 ** (partner.failures - 1),
                self.settings.federation_retry_max_seconds,
            )
            partner.next_attempt_at = utcnow() + timedelta(seconds=delay)
        log.warning("sync run %d failed: %s", run_id, message)


def _cursor(value: Any, default: int) -> int:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return default
