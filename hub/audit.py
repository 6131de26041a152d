"""Append-only, hash-chained audit log: who did what, when, with the record before and after.

Each entry's hash covers its content and the previous entry's hash, so altering an entry breaks
every hash after it, and removing one leaves a gap in `seq`. The database refuses UPDATE and DELETE
on the table (triggers, see the migrations). The chain head lives in the `audit` counter row,
which the writing transaction holds locked, so concurrent writers append one after another.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.db import Base, utcnow
from hub.provenance import Counter

AUDIT = "audit"
GENESIS = "0" * 64


class AuditEntry(Base):
    """One audited action. Never updated, never deleted."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(120), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _digest(
    prev_hash: str,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | None,
    before: Any,
    after: Any,
) -> str:
    body = json.dumps(
        [prev_hash, seq, at.isoformat(), actor, action, entity_type, entity_id, before, after],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if value is None else json.loads(json.dumps(value, default=str))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an entry in the caller's transaction (it commits or rolls back with the change)."""
    conn = session.connection()
    row = conn.execute(
        update(Counter)
        .where(Counter.name == AUDIT)
        .values(value=Counter.value + 1)
        .returning(Counter.value, Counter.head)
    ).one_or_none()
    if row is None:
        conn.execute(insert(Counter).values(name=AUDIT, value=1, head=GENESIS))
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(row[0]), row[1] or GENESIS
    at = utcnow()
    eid = None if entity_id is None else str(entity_id)
    before_j, after_j = _jsonable(before), _jsonable(after)
    digest = _digest(prev, seq, at, actor, action, entity_type, eid, before_j, after_j)
    conn.execute(update(Counter).where(Counter.name == AUDIT).values(head=digest))
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=eid,
        before=before_j,
        after=after_j,
        prev_hash=prev,
        hash=digest,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain: entries checked, and the first problem if any."""

    checked: int
    problem: str | None = None
    seq: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(session: Session) -> VerifyResult:
    """Walk the chain in order and report the first altered, removed or reordered entry."""
    prev, expected, checked = GENESIS, 1, 0
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).yield_per(1000):
        if entry.seq != expected:
            return VerifyResult(
                checked, f"entry {expected} is missing (next is {entry.seq})", expected
            )
        if entry.prev_hash != prev:
            return VerifyResult(
                checked, f"entry {entry.seq} does not follow entry {expected - 1}", entry.seq
            )
        digest = _digest(
            prev,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.entity_type,
            entry.entity_id,
            entry.before,
            entry.after,
        )
        if digest != entry.hash:
            return VerifyResult(checked, f"entry {entry.seq} was altered", entry.seq)
        prev, expected, checked = entry.hash, expected + 1, checked + 1
    head = session.get(Counter, AUDIT)
    if head is not None and head.value != checked:
        return VerifyResult(
            checked, f"entries {checked + 1}..{head.value} are missing", checked + 1
        )
    return VerifyResult(checked)
