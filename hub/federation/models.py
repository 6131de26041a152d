"""Federation tables: partner agreements, sync runs, sync alerts for staff, and the request
signatures seen inside the replay window."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String
from sqlalchemy import Text as SqlText
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import Base, utcnow
from hub.directory.models import Center
from hub.events.models import BigId

DIRECTIONS = ("pull", "push", "both")


class Partner(Base):
    """An agreement with a partner center: where it is, which way records flow, which record
    types go each way, whose records it may relay, and the credentials of both sides.

    `sends` are the types this hub shares with the partner (its pulls of our feed, our pushes);
    `receives` the types accepted from it (our pulls of its feed, its pushes). Cursors are
    change_seq values: `pull_cursor` in the partner's feed, `push_cursor` in ours."""

    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint("direction IN ('pull', 'push', 'both')", name="direction"),
        CheckConstraint("max_delete_share > 0 AND max_delete_share <= 1", name="delete_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(ForeignKey("centers.id"), unique=True)
    base_url: Mapped[str] = mapped_column(String(500))
    direction: Mapped[str] = mapped_column(String(4))
    sends: Mapped[list[str]] = mapped_column(JSON, default=list)
    receives: Mapped[list[str]] = mapped_column(JSON, default=list)
    relays_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    max_delete_share: Mapped[float] = mapped_column(Float, default=0.2)
    # The token we issued them (sha256 of it) and the one they issued us (encrypted).
    inbound_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    outbound_token: Mapped[str | None] = mapped_column(SqlText)
    # HMAC request signing, both ways, when set (encrypted).
    signing_secret: Mapped[str | None] = mapped_column(SqlText)
    pull_cursor: Mapped[int] = mapped_column(BigId, default=0)
    push_cursor: Mapped[int] = mapped_column(BigId, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    # Set when a run would have deleted too much; cleared by staff (one run may then pass).
    breaker_open: Mapped[bool] = mapped_column(Boolean, default=False)
    breaker_released: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    center: Mapped[Center] = relationship(lazy="joined")

    @property
    def slug(self) -> str:
        return self.center.slug

    @property
    def pulls(self) -> bool:
        return self.direction in ("pull", "both")

    @property
    def pushes(self) -> bool:
        return self.direction in ("push", "both")


class SyncRun(Base):
    """One sync with one partner in one direction, and what it did. A run whose heartbeat
    stops is marked failed by the next run, so a dead process never blocks the schedule."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'failed', 'blocked')", name="status"),
        CheckConstraint("direction IN ('pull', 'push', 'received')", name="direction"),
        Index("ix_sync_runs_partner_started", "partner_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    cursor_from: Mapped[int] = mapped_column(BigId, default=0)
    cursor_to: Mapped[int | None] = mapped_column(BigId)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{type, origin_center, origin_id, reason}], the first few hundred.
    rejections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    bytes_moved: Mapped[int] = mapped_column(BigId, default=0)
    error: Mapped[str | None] = mapped_column(SqlText)

    partner: Mapped[Partner] = relationship()


class SyncAlert(Base):
    """Something staff must look at: a sync held back by the deletion breaker."""

    __tablename__ = "sync_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_runs.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(SqlText)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column()
    cleared_by: Mapped[str | None] = mapped_column(String(200))

    partner: Mapped[Partner] = relationship()


class SeenSignature(Base):
    """A signed request's signature, kept for the replay window so it cannot be sent again."""

    __tablename__ = "seen_signatures"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
