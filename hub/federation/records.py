"""The record types partners exchange, each both ways: rows to feed payloads (batched per page)
and accepted changes to rows (Core executemany per batch, not one ORM object per record, so a
50,000-record sync costs a few hundred statements). An updated record's terms, ratings and
availability are read in batches and rewritten only where they differ from the payload.

A payload is the record as its JSON Schema in schemas/ describes it, and never carries contact
details: a program's contact is a local row and stays home.
"""

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    insert,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session

from hub.directory.models import (
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    practice_terms,
    program_terms,
)
from hub.directory.schemas import PracticeStatus
from hub.federation.children import (
    by_vocabulary,
    ratings_of,
    terms_of,
    unknown_slugs,
    write_places,
    write_ratings,
    write_terms,
)
from hub.federation.rows import Change, SharedModel, TermIds, iso_day, parse_day, table_of

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


class ProgramKind(Kind):
    name = "program"
    model = Program

    def __init__(self, terms: TermIds) -> None:
        self.terms = terms

    def payloads(self, session: Session, rows: Sequence[Any]) -> list[dict[str, Any]]:
        ids = [r.id for r in rows]
        tags = terms_of(session, program_terms, "program_id", ids, self.terms)
        ratings = ratings_of(session, EvidenceRating.program_id, ids, self.terms)
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
                **by_vocabulary(tags[r.id], PROGRAM_TAGS),
                "free": r.free,
                "cost_note": r.cost_note,
                "ratings": ratings[r.id],
                "availability": places[r.id],
                "url": r.url,
                "starts_on": iso_day(r.starts_on),
                "ends_on": iso_day(r.ends_on),
            }
            for r in rows
        ]

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        return unknown_slugs(changes, self.terms, PROGRAM_TAGS)

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
                    "starts_on": parse_day(p.get("starts_on")),
                    "ends_on": parse_day(p.get("ends_on")),
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
        write_terms(
            session, changes, self.terms, PROGRAM_TAGS, program_terms, "program_id", new=new
        )
        write_ratings(session, changes, self.terms, "program_id", new=new)
        write_places(session, changes, new=new)


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
        tags = terms_of(session, practice_terms, "practice_id", ids, self.terms)
        ratings = ratings_of(session, EvidenceRating.practice_id, ids, self.terms)
        return [
            {
                "title": r.title,
                "summary": r.summary,
                "body": r.body,
                **by_vocabulary(tags[r.id], PRACTICE_TAGS),
                "ratings": ratings[r.id],
                "citations": r.citations,
                "status": r.status,
            }
            for r in rows
        ]

    def refusals(self, session: Session, changes: Sequence[Change]) -> dict[int, str]:
        refused = unknown_slugs(changes, self.terms, PRACTICE_TAGS)
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
        write_terms(
            session, changes, self.terms, PRACTICE_TAGS, practice_terms, "practice_id", new=new
        )
        write_ratings(session, changes, self.terms, "practice_id", new=new)


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
