"""The record types partners exchange, each both ways: rows to feed payloads (batched per page)
and accepted changes to rows (Core executemany per batch, not one ORM object per record, so a
50,000-record sync costs a few hundred statements). An updated record's terms, ratings and
availability are read in batches and rewritten only where they differ from the payload.

A payload is the record as its JSON Schema in schemas/ describes it, and never carries contact
details: a program's contact is a local row and stays home.
"""

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    ColumnElement,
    Table,
    bindparam,
    delete,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from hub.directory.models import (
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Term,
    practice_terms,
    program_terms,
)
from hub.directory.schemas import PracticeStatus

SharedModel = type[Program] | type[Practice] | type[District]
CHUNK = 500  # ids per IN list: well under SQLite's bound-parameter limit
PROGRAM_TAGS = ("topics", "phases", "audiences", "delivery_modes")
PRACTICE_TAGS = ("topics", "phases")
SHARED_PRACTICE = (PracticeStatus.APPROVED.value, PracticeStatus.PUBLISHED.value)
DISTRICT_FIELDS = (
    "nces_id",
    "name",
    "state",
    "county_name",
    "county_fips",
    "street",
    "city",
    "zip",
    "phone",
    "website",
    "grade_low",
    "grade_high",
    "charter",
    "enrollment",
    "closed",
)


@dataclass(slots=True)
class Change:
    """An accepted change, ready to write; `row_id` is set once the local row is known."""

    kind: str
    origin_center: str
    origin_id: str
    version: int
    updated_at: datetime
    deleted: bool
    payload: dict[str, Any] | None
    row_id: int | None = None


def table_of(model: Any) -> Table:
    """A mapped class's table, for Core statements (no ORM bookkeeping per row)."""
    table: Table = model.__table__
    return table


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows that all set the same columns, without RETURNING: on PostgreSQL with COPY
    (several times faster than psycopg's pipelined executemany) unless a column is JSON, which
    COPY would not encode; elsewhere with Core executemany."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql" or any(isinstance(c.type, JSON) for c in table.c):
        session.execute(insert(table), rows)
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    target = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    driver: Any = conn.connection.driver_connection  # psycopg 3, inside this transaction
    with driver.cursor() as cursor, cursor.copy(target) as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


class TermIds:
    """(vocabulary, slug) -> term id and back, read once per sync."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Term.id, Term.vocabulary, Term.slug)).all()
        self.ids = {(v, s): i for i, v, s in rows}
        self.slugs = {i: (v, s) for i, v, s in rows}

    def unknown(self, vocabulary: str, slugs: Iterable[str]) -> list[str]:
        return [s for s in slugs if (vocabulary, s) not in self.ids]


class Kind(ABC):
    """One record type: its table, its schema file and both directions of its mapping."""

    name: ClassVar[str]
    model: ClassVar["SharedModel"]

    @property
    def schema(self) -> str:
        return f"{self.name}.schema.json"

    def shareable(self) -> ColumnElement[bool]:
        """Which rows the feed shows (tombstones included: deletions must travel)."""
        return true()

    @abstractmethod
    def payloads(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """The payload of each row, in a fixed number of statements per page."""

    @abstractmethod
    def columns(self, session: Session, changes: Sequence[Change]) -> list[dict[str, Any]]:
        """Row values of each live change (provenance added by the caller)."""

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        """Why some changes cannot be written here (index into `changes` -> reason)."""
        return {}

    def replace_children(  # noqa: B027
        self, session: Session, changes: Sequence[Change], *, new: bool = False
    ) -> None:
        """Write the rows that hang off each written record (terms, ratings...): all of them
        for `new` rows, and for updated ones only those that differ from the payload."""

    def tombstone(self) -> dict[str, Any]:
        """Columns a tombstone sets besides `deleted`."""
        return {}


def _terms_of(
    session: Session, table: Any, column: str, ids: Sequence[int], terms: TermIds
) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = session.execute(select(table.c[column], table.c.term_id).where(table.c[column].in_(ids)))
    for owner, term_id in rows:
        found[owner].append(terms.slugs[term_id])
    return found


def _ratings_of(
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
            {"tier": terms.slugs[tier_id][1], "source": source, "as_of": _iso(as_of), "url": url}
        )
    return found


def _tags(pairs: list[tuple[str, str]], vocabularies: Sequence[str]) -> dict[str, list[str]]:
    return {v: sorted(s for voc, s in pairs if voc == v) for v in vocabularies}


def _wanted_terms(change: Change, terms: TermIds, vocabularies: Sequence[str]) -> frozenset[int]:
    payload = change.payload or {}
    return frozenset(terms.ids[(v, s)] for v in vocabularies for s in payload.get(v, []))


def _wanted_ratings(change: Change, terms: TermIds) -> tuple[tuple[Any, ...], ...]:
    """(tier id, source, as of, url) of each rating, in the payload's order (the feed's: by id)."""
    return tuple(
        (terms.ids[("evidence_tiers", r["tier"])], r["source"], _day(r.get("as_of")), r.get("url"))
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


def _write_terms(
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


def _write_ratings(
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


def _write_places(session: Session, changes: Sequence[Change], *, new: bool) -> None:
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


def _unknown_slugs(
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


class ProgramKind(Kind):
    name = "program"
    model = Program

    def __init__(self, terms: TermIds) -> None:
        self.terms = terms

    def payloads(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        ids = [r.id for r in rows]
        tags = _terms_of(session, program_terms, "program_id", ids, self.terms)
        ratings = _ratings_of(session, EvidenceRating.program_id, ids, self.terms)
        places: dict[int, dict[str, list[str]]] = defaultdict(
            lambda: {"states": [], "regions": [], "districts": []}
        )
        offered = table_of(ProgramAvailability)
        for program_id, scope, code in session.execute(
            select(offered.c.program_id, offered.c.scope, offered.c.code)
            .where(offered.c.program_id.in_(ids))
            .order_by(offered.c.scope, offered.c.code)
        ):
            places[program_id][f"{scope}s"].append(code)
        provider_ids = {r.provider_id for r in rows if r.provider_id is not None}
        found = session.execute(
            select(Provider.id, Provider.name).where(Provider.id.in_(provider_ids))
        )
        providers: dict[int | None, str] = {i: n for i, n in found}  # noqa: C416 - rows to pairs
        return [
            {
                "title": r.title,
                "summary": r.summary,
                "description": r.description,
                "provider": providers.get(r.provider_id),
                **_tags(tags[r.id], PROGRAM_TAGS),
                "free": r.free,
                "cost_note": r.cost_note,
                "ratings": ratings[r.id],
                "availability": places[r.id],
                "url": r.url,
                "starts_on": _iso(r.starts_on),
                "ends_on": _iso(r.ends_on),
            }
            for r in rows
        ]

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        return _unknown_slugs(changes, self.terms, PROGRAM_TAGS)

    def columns(self, session: Session, changes: Sequence[Change]) -> list[dict[str, Any]]:
        providers = self._provider_ids(
            session, {c.payload.get("provider") for c in changes if c.payload}
        )
        out = []
        for change in changes:
            p = change.payload or {}
            out.append(
                {
                    "title": p["title"],
                    "summary": p.get("summary", ""),
                    "description": p.get("description", ""),
                    "provider_id": providers.get(p.get("provider") or ""),
                    "free": p.get("free", False),
                    "cost_note": p.get("cost_note"),
                    "url": p.get("url"),
                    "starts_on": _day(p.get("starts_on")),
                    "ends_on": _day(p.get("ends_on")),
                }
            )
        return out

    @staticmethod
    def _provider_ids(session: Session, names: set[Any]) -> dict[str, int]:
        wanted = {n for n in names if n}
        if not wanted:
            return {}
        rows = session.execute(select(Provider.name, Provider.id).where(Provider.name.in_(wanted)))
        found: dict[str, int] = {n: i for n, i in rows}  # noqa: C416 - rows to pairs
        missing = sorted(wanted - found.keys())
        if missing:
            added = session.execute(
                insert(Provider).returning(Provider.name, Provider.id),
                [{"name": n} for n in missing],
            )
            found.update({n: i for n, i in added})  # noqa: C416 - rows to pairs
        return found

    def replace_children(
        self, session: Session, changes: Sequence[Change], *, new: bool = False
    ) -> None:
        _write_terms(
            session, changes, self.terms, PROGRAM_TAGS, program_terms, "program_id", new=new
        )
        _write_ratings(session, changes, self.terms, "program_id", new=new)
        _write_places(session, changes, new=new)


class PracticeKind(Kind):
    name = "practice"
    model = Practice

    def __init__(self, terms: TermIds) -> None:
        self.terms = terms

    def shareable(self) -> ColumnElement[bool]:
        """Approved and published practices, and retired ones as tombstones; drafts and
        submissions under review stay home."""
        return or_(Practice.status.in_(SHARED_PRACTICE), Practice.deleted.is_(True))

    def tombstone(self) -> dict[str, Any]:
        return {"status": PracticeStatus.RETIRED.value}

    def payloads(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        ids = [r.id for r in rows]
        tags = _terms_of(session, practice_terms, "practice_id", ids, self.terms)
        ratings = _ratings_of(session, EvidenceRating.practice_id, ids, self.terms)
        return [
            {
                "title": r.title,
                "summary": r.summary,
                "body": r.body,
                **_tags(tags[r.id], PRACTICE_TAGS),
                "ratings": ratings[r.id],
                "citations": r.citations,
                "status": r.status,
            }
            for r in rows
        ]

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        refused = _unknown_slugs(changes, self.terms, PRACTICE_TAGS)
        for n, change in enumerate(changes):
            status = (change.payload or {}).get("status")
            if n not in refused and status not in SHARED_PRACTICE:
                refused[n] = f"only approved or published practices are shared, not {status!r}"
        return refused

    def columns(self, session: Session, changes: Sequence[Change]) -> list[dict[str, Any]]:
        return [
            {
                "title": p["title"],
                "summary": p.get("summary", ""),
                "body": p.get("body", ""),
                "citations": p.get("citations", []),
                "status": p["status"],
            }
            for p in (c.payload or {} for c in changes)
        ]

    def replace_children(
        self, session: Session, changes: Sequence[Change], *, new: bool = False
    ) -> None:
        _write_terms(
            session, changes, self.terms, PRACTICE_TAGS, practice_terms, "practice_id", new=new
        )
        _write_ratings(session, changes, self.terms, "practice_id", new=new)


class DistrictKind(Kind):
    """A district's public directory data (NCES fields); its contacts never travel."""

    name = "district"
    model = District

    def payloads(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        return [{f: getattr(r, f) for f in DISTRICT_FIELDS} for r in rows]

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        """An NCES id is one district: refuse it under a second origin."""
        wanted = {(c.payload or {})["nces_id"]: n for n, c in enumerate(changes) if c.payload}
        held = session.execute(
            select(District.nces_id, District.origin_center, District.origin_id).where(
                District.nces_id.in_(wanted)
            )
        )
        refused = {}
        for nces_id, center, origin_id in held:
            change = changes[wanted[nces_id]]
            if (center, origin_id) != (change.origin_center, change.origin_id):
                refused[wanted[nces_id]] = (
                    f"district {nces_id} is held here as {center}/{origin_id}"
                )
        return refused

    def columns(self, session: Session, changes: Sequence[Change]) -> list[dict[str, Any]]:
        return [{f: (c.payload or {}).get(f) for f in DISTRICT_FIELDS} for c in changes]


KIND_NAMES = ("program", "practice", "district")


def kinds(session: Session) -> dict[str, Kind]:
    """Every record type, sharing one read of the taxonomy's term ids."""
    terms = TermIds(session)
    return {
        "program": ProgramKind(terms),
        "practice": PracticeKind(terms),
        "district": DistrictKind(),
    }


def update_rows(session: Session, model: SharedModel, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (Core executemany), grouped by the set of columns each row
    sets."""
    table = table_of(model)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    for names, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({n: bindparam(f"new_{n}") for n in names if n != "id"})
        )
        session.execute(
            statement,
            [{"row_id": r["id"], **{f"new_{n}": r[n] for n in names if n != "id"}} for r in group],
        )
