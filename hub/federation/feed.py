"""The change feed: every shareable record's latest state after a cursor, in change_seq order.

A partner sees only the types its agreement shares, of this hub's own records and of the centers
the agreement relays between us (an agreed relay carries their records both ways), so it never
gets its own records echoed back.
change_seq is global across tables and assigned under a lock held to commit, so "after N" never
skips a late commit (hub.provenance).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.errors import InvalidInput, PermissionDenied
from hub.federation.records import KIND_NAMES, kinds
from hub.federation.rows import table_of


@dataclass(frozen=True, slots=True)
class Audience:
    """Who reads the feed: a partner (its slug, agreed types and the origins it may have:
    ours and those it is an agreed relay for) or staff (everything)."""

    types: tuple[str, ...]
    partner: str | None = None
    origins: tuple[str, ...] | None = None


STAFF = Audience(types=KIND_NAMES)


@dataclass(slots=True)
class FeedPage:
    changes: list[dict[str, Any]]
    cursor: int
    has_more: bool

    def as_json(self) -> dict[str, Any]:
        return {"changes": self.changes, "cursor": str(self.cursor), "has_more": self.has_more}


def parse_cursor(value: str | None) -> int:
    """A cursor is the change_seq a page ended at; none means from the start."""
    if value is None or value == "":
        return 0
    if not value.isdigit():
        raise InvalidInput(f"not a change feed cursor: {value!r}", field="since")
    return int(value)


def wanted_types(audience: Audience, types: Sequence[str] | None) -> tuple[str, ...]:
    """The asked types, refused if the agreement does not share one of them."""
    if not types:
        return audience.types
    unknown = [t for t in types if t not in KIND_NAMES]
    if unknown:
        raise InvalidInput(
            f"unknown record type {', '.join(unknown)}; known: {', '.join(KIND_NAMES)}",
            field="types",
        )
    refused = [t for t in types if t not in audience.types]
    if refused:
        raise PermissionDenied(f"the agreement does not share {', '.join(refused)}", field="types")
    return tuple(dict.fromkeys(types))


def changes(
    session: Session,
    audience: Audience,
    *,
    since: int,
    first: int,
    types: Sequence[str] | None = None,
) -> FeedPage:
    """Up to `first` envelopes after `since`. One statement per type, plus the payloads' batch
    reads for the page, whatever `first` is."""
    registry = kinds(session)
    picked: list[tuple[int, str, Any]] = []
    for name in wanted_types(audience, types):
        kind = registry[name]
        model = kind.model
        # Plain rows, not ORM objects: the feed reads a page once and builds no identity map.
        query = (
            select(table_of(model))
            .where(model.change_seq > since, kind.shareable())
            .order_by(model.change_seq)
            .limit(first + 1)
        )
        if audience.origins is not None:
            query = query.where(model.origin_center.in_(audience.origins))
        rows: list[Any] = list(session.execute(query))
        picked += [(row.change_seq, name, row) for row in rows]
    picked.sort(key=lambda item: item[0])
    page, has_more = picked[:first], len(picked) > first
    envelopes = []
    by_kind: dict[str, list[Any]] = {}
    for _seq, name, row in page:
        if not row.deleted:
            by_kind.setdefault(name, []).append(row)
    payloads = {
        id(row): payload
        for name, rows in by_kind.items()
        for row, payload in zip(rows, registry[name].payloads(session, rows), strict=True)
    }
    for seq, name, row in page:
        envelopes.append(
            {
                "type": name,
                "origin_center": row.origin_center,
                "origin_id": row.origin_id,
                "version": row.version,
                "updated_at": row.updated_at.isoformat(),
                "deleted": row.deleted,
                "change_seq": seq,
                "payload": payloads.get(id(row)),
            }
        )
    return FeedPage(envelopes, page[-1][0] if page else since, has_more)
