"""The rows hanging off a shared record (terms, evidence ratings, availability): what a payload
wants, what is held, and rewriting only the owners whose children differ."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Table,
    delete,
    select,
)
from sqlalchemy.orm import Session

from hub.directory.models import (
    EvidenceRating,
    ProgramAvailability,
)
from hub.federation.rows import Change, TermIds, chunks, insert_rows, iso_day, parse_day, table_of


def terms_of(
    session: Session, table: Any, column: str, ids: Sequence[int], terms: TermIds
) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = session.execute(select(table.c[column], table.c.term_id).where(table.c[column].in_(ids)))
    for owner, term_id in rows:
        found[owner].append(terms.slugs[term_id])
    return found


def ratings_of(
    session: Session, column: Any, ids: Sequence[int], terms: TermIds
) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = session.execute(
        select(column, EvidenceRating.tier_id, EvidenceRating.source, EvidenceRating.as_of)
        .add_columns(EvidenceRating.url)
        .where(column.in_(ids))
        .order_by(EvidenceRating.id)
    )
    for owner, tier_id, source, as_of, url in rows:
        found[owner].append(
            {"tier": terms.slugs[tier_id][1], "source": source, "as_of": iso_day(as_of), "url": url}
        )
    return found


def by_vocabulary(
    pairs: list[tuple[str, str]], vocabularies: Sequence[str]
) -> dict[str, list[str]]:
    return {v: sorted(s for voc, s in pairs if voc == v) for v in vocabularies}


def _wanted_terms(change: Change, terms: TermIds, vocabularies: Sequence[str]) -> frozenset[int]:
    payload = change.payload or {}
    return frozenset(terms.ids[(v, s)] for v in vocabularies for s in payload.get(v, []))


def _wanted_ratings(change: Change, terms: TermIds) -> tuple[tuple[Any, ...], ...]:
    """(tier id, source, as of, url) of each rating, in the payload's order (the feed's: by id)."""
    return tuple(
        (
            terms.ids[("evidence_tiers", r["tier"])],
            r["source"],
            parse_day(r.get("as_of")),
            r.get("url"),
        )
        for r in (change.payload or {}).get("ratings", [])
    )


def _wanted_places(change: Change) -> frozenset[tuple[str, str]]:
    offered = (change.payload or {}).get("availability", {})
    return frozenset(
        (scope, code)
        for scope in ("state", "region", "district")
        for code in offered.get(f"{scope}s", [])
    )


def _held_terms(
    session: Session, table: Table, column: str, ids: Sequence[int]
) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for part in chunks(ids):
        rows = session.execute(
            select(table.c[column], table.c.term_id).where(table.c[column].in_(part))
        )
        for owner, term_id in rows:
            found[owner].add(term_id)
    return {owner: frozenset(held) for owner, held in found.items()}


def _held_ratings(
    session: Session, column: str, ids: Sequence[int]
) -> dict[int, tuple[tuple[Any, ...], ...]]:
    table = table_of(EvidenceRating)
    found: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for part in chunks(ids):
        rows = session.execute(
            select(table.c[column], table.c.tier_id, table.c.source, table.c.as_of, table.c.url)
            .where(table.c[column].in_(part))
            .order_by(table.c.id)
        )
        for owner, *rating in rows:
            found[owner].append(tuple(rating))
    return {owner: tuple(held) for owner, held in found.items()}


def _held_places(session: Session, ids: Sequence[int]) -> dict[int, frozenset[tuple[str, str]]]:
    table = table_of(ProgramAvailability)
    found: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for part in chunks(ids):
        rows = session.execute(
            select(table.c.program_id, table.c.scope, table.c.code).where(
                table.c.program_id.in_(part)
            )
        )
        for owner, scope, code in rows:
            found[owner].add((scope, code))
    return {owner: frozenset(held) for owner, held in found.items()}


def _to_rewrite(
    changes: Sequence[Change], wanted: dict[int, Any], held: dict[int, Any], empty: Any
) -> list[Change]:
    """The changes whose child rows differ from what is held (none held counts as `empty`)."""
    return [c for c in changes if held.get(_row_id(c), empty) != wanted[_row_id(c)]]


def _row_id(change: Change) -> int:
    assert change.row_id is not None
    return change.row_id


def _rewrite(
    session: Session,
    table: Table,
    column: str,
    stale: Sequence[int],
    rows: list[dict[str, Any]],
) -> None:
    """Delete the child rows of `stale` owners, then insert `rows` (Core, no RETURNING)."""
    for part in chunks(stale):
        session.execute(delete(table).where(table.c[column].in_(part)))
    insert_rows(session, table, rows)


def write_terms(
    session: Session,
    changes: Sequence[Change],
    terms: TermIds,
    vocabularies: Sequence[str],
    table: Table,
    column: str,
    *,
    new: bool,
) -> None:
    wanted = {_row_id(c): _wanted_terms(c, terms, vocabularies) for c in changes}
    held = {} if new else _held_terms(session, table, column, list(wanted))
    changed = _to_rewrite(changes, wanted, held, frozenset())
    rows = [{column: _row_id(c), "term_id": t} for c in changed for t in sorted(wanted[_row_id(c)])]
    _rewrite(session, table, column, [_row_id(c) for c in changed if _row_id(c) in held], rows)


def write_ratings(
    session: Session, changes: Sequence[Change], terms: TermIds, column: str, *, new: bool
) -> None:
    wanted = {_row_id(c): _wanted_ratings(c, terms) for c in changes}
    held = {} if new else _held_ratings(session, column, list(wanted))
    changed = _to_rewrite(changes, wanted, held, ())
    other = "program_id" if column == "practice_id" else "practice_id"
    rows = [
        {
            column: _row_id(c),
            other: None,
            "tier_id": tier_id,
            "source": source,
            "as_of": as_of,
            "url": url,
        }
        for c in changed
        for tier_id, source, as_of, url in wanted[_row_id(c)]
    ]
    stale = [_row_id(c) for c in changed if _row_id(c) in held]
    _rewrite(session, table_of(EvidenceRating), column, stale, rows)


def write_places(session: Session, changes: Sequence[Change], *, new: bool) -> None:
    wanted = {_row_id(c): _wanted_places(c) for c in changes}
    held = {} if new else _held_places(session, list(wanted))
    changed = _to_rewrite(changes, wanted, held, frozenset())
    rows = [
        {"program_id": _row_id(c), "scope": scope, "code": code}
        for c in changed
        for scope, code in sorted(wanted[_row_id(c)], key=_place_order)
    ]
    stale = [_row_id(c) for c in changed if _row_id(c) in held]
    _rewrite(session, table_of(ProgramAvailability), "program_id", stale, rows)


def _place_order(place: tuple[str, str]) -> tuple[int, str]:
    return (("state", "region", "district").index(place[0]), place[1])


def unknown_slugs(
    changes: Sequence[Change], terms: TermIds, vocabularies: Sequence[str]
) -> dict[int, str]:
    refused = {}
    for n, change in enumerate(changes):
        payload = change.payload or {}
        wanted = {v: payload.get(v, []) for v in vocabularies}
        wanted["evidence_tiers"] = [r["tier"] for r in payload.get("ratings", [])]
        for vocabulary, slugs in wanted.items():
            unknown = terms.unknown(vocabulary, slugs)
            if unknown:
                refused[n] = f"unknown {vocabulary} {', '.join(unknown)} in this hub's taxonomy"
                break
    return refused
