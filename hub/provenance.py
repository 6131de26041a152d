"""Provenance for every shareable record, stamped at flush so no service can forget it.

Each shared row carries origin_center / origin_id (who made it, under what id), a version that
rises on every change, updated_at, a tombstone flag and a local change_seq. change_seq values come
from a counter row that the writing transaction holds locked until it commits, so rows become
visible in change_seq order and a change feed that reads "after seq N" never skips a late commit.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Integer, String, UniqueConstraint, event, insert, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.db import Base, utcnow
from hub.settings import get_settings


class Counter(Base):
    """Named monotonic counters (change_seq, audit sequence); the row lock orders writers."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    head: Mapped[str | None] = mapped_column(String(64))


CHANGE_SEQ = "change_seq"


def take(session: Session, name: str, count: int = 1) -> int:
    """Reserve `count` values of counter `name`; returns the last. Locks the row until commit."""
    conn = session.connection()
    result = conn.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    ).scalar_one_or_none()
    if result is None:
        conn.execute(insert(Counter).values(name=name, value=count))
        return count
    return int(result)


class Provenanced:
    """Mixin: the provenance columns every shareable record carries."""

    origin_center: Mapped[str] = mapped_column(String(64), index=True)
    origin_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)


def origin_unique() -> UniqueConstraint:
    """The federation key: one row per (origin center, origin id), on every Provenanced table."""
    return UniqueConstraint("origin_center", "origin_id")


@event.listens_for(Session, "before_flush")
def _stamp(session: Session, _ctx: Any, _instances: Any) -> None:
    new = [o for o in session.new if isinstance(o, Provenanced)]
    changed = [
        o
        for o in session.dirty
        if isinstance(o, Provenanced) and session.is_modified(o, include_collections=True)
    ]
    touched = new + changed
    if not touched:
        return
    last = take(session, CHANGE_SEQ, len(touched))
    now = utcnow()
    local = get_settings().center_slug
    new_ids = {id(o) for o in new}
    for offset, obj in enumerate(touched):
        obj.change_seq = last - len(touched) + 1 + offset
        if id(obj) in new_ids:
            obj.origin_center = obj.origin_center or local
            obj.origin_id = obj.origin_id or uuid.uuid4().hex
            obj.version = obj.version or 1
            obj.updated_at = obj.updated_at or now
            continue
        obj.version = (obj.version or 0) + 1
        obj.updated_at = now


def stamp_inserts(session: Session, rows: list[dict[str, Any]]) -> None:
    """Provenance for rows inserted with Core (bulk imports), as the flush listener gives objects:
    this hub as origin unless the row names one, version 1, now, and fresh change_seq values."""
    if not rows:
        return
    last = take(session, CHANGE_SEQ, len(rows))
    now = utcnow()
    local = get_settings().center_slug
    for offset, row in enumerate(rows):
        row.setdefault("origin_center", local)
        row.setdefault("origin_id", uuid.uuid4().hex)
        row.update(version=1, updated_at=now, deleted=False)
        row["change_seq"] = last - len(rows) + 1 + offset


def stamp_updates(session: Session, rows: list[dict[str, Any]]) -> None:
    """Provenance for rows updated with Core: each carries its current `version`; it goes up by
    one, with now and a fresh change_seq, so partners see the change in the feed."""
    if not rows:
        return
    last = take(session, CHANGE_SEQ, len(rows))
    now = utcnow()
    for offset, row in enumerate(rows):
        row.update(version=row["version"] + 1, updated_at=now)
        row["change_seq"] = last - len(rows) + 1 + offset
