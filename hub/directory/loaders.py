"""Batch loads for DataLoaders: one SQL statement each, results aligned with the keys.

By-id loads return rows whatever their tombstone (a reference resolves); by-parent loads leave
tombstoned rows out.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.directory.models import (
    Center,
    Contact,
    District,
    EvidenceRating,
    ProgramAvailability,
    Provider,
    Region,
    School,
    Term,
    practice_terms,
    program_terms,
)

M = TypeVar("M")
K = TypeVar("K", bound=Hashable)


def _by_key(rows: Sequence[M], keys: Sequence[K], key: Callable[[M], Any]) -> list[M | None]:
    found = {key(r): r for r in rows}
    return [found.get(k) for k in keys]


def _grouped(rows: Sequence[M], keys: Sequence[K], key: Callable[[M], Any]) -> list[list[M]]:
    groups: dict[Any, list[M]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return [list(groups.get(k, [])) for k in keys]


def _ids(session: Session, model: Any, ids: Sequence[int]) -> list[Any]:
    if not ids:
        return []
    rows = session.scalars(select(model).where(model.id.in_(set(ids)))).all()
    return _by_key(rows, ids, lambda r: r.id)


def districts_by_ids(session: Session, ids: Sequence[int]) -> list[District | None]:
    return _ids(session, District, ids)


def regions_by_ids(session: Session, ids: Sequence[int]) -> list[Region | None]:
    return _ids(session, Region, ids)


def schools_by_ids(session: Session, ids: Sequence[int]) -> list[School | None]:
    return _ids(session, School, ids)


def providers_by_ids(session: Session, ids: Sequence[int]) -> list[Provider | None]:
    return _ids(session, Provider, ids)


def contacts_by_ids(session: Session, ids: Sequence[int]) -> list[Contact | None]:
    return _ids(session, Contact, ids)


def schools_by_district_ids(session: Session, ids: Sequence[int]) -> list[list[School]]:
    """Each district's non-deleted schools, by name."""
    if not ids:
        return []
    rows = session.scalars(
        select(School)
        .where(School.district_id.in_(set(ids)), School.deleted.is_(False))
        .order_by(func.lower(School.name), School.id)
    ).all()
    return _grouped(rows, ids, lambda s: s.district_id)


def _contacts(session: Session, column: Any, ids: Sequence[int]) -> list[list[Contact]]:
    if not ids:
        return []
    rows = session.scalars(
        select(Contact)
        .where(column.in_(set(ids)), Contact.deleted.is_(False))
        .order_by(func.lower(Contact.name), Contact.id)
    ).all()
    return _grouped(rows, ids, lambda c: getattr(c, column.key))


def contacts_by_district_ids(session: Session, ids: Sequence[int]) -> list[list[Contact]]:
    """District-level contacts and those of its schools (school contacts carry the district)."""
    return _contacts(session, Contact.district_id, ids)


def contacts_by_school_ids(session: Session, ids: Sequence[int]) -> list[list[Contact]]:
    return _contacts(session, Contact.school_id, ids)


def contacts_by_center_ids(session: Session, ids: Sequence[int]) -> list[list[Contact]]:
    return _contacts(session, Contact.center_id, ids)


def _terms(session: Session, table: Any, column: str, ids: Sequence[int]) -> list[list[Term]]:
    if not ids:
        return []
    owner = table.c[column]
    rows = session.execute(
        select(owner, Term)
        .join(Term, Term.id == table.c.term_id)
        .where(owner.in_(set(ids)))
        .order_by(Term.position, Term.id)
    ).all()
    groups: dict[int, list[Term]] = defaultdict(list)
    for owner_id, term in rows:
        groups[owner_id].append(term)
    return [list(groups.get(i, [])) for i in ids]


def terms_by_program_ids(session: Session, ids: Sequence[int]) -> list[list[Term]]:
    """Every vocabulary's terms of each program, by position."""
    return _terms(session, program_terms, "program_id", ids)


def terms_by_practice_ids(session: Session, ids: Sequence[int]) -> list[list[Term]]:
    return _terms(session, practice_terms, "practice_id", ids)


def _ratings(session: Session, column: Any, ids: Sequence[int]) -> list[list[EvidenceRating]]:
    if not ids:
        return []
    rows = session.scalars(
        select(EvidenceRating).where(column.in_(set(ids))).order_by(EvidenceRating.id)
    ).all()
    return _grouped(rows, ids, lambda r: getattr(r, column.key))


def ratings_by_program_ids(session: Session, ids: Sequence[int]) -> list[list[EvidenceRating]]:
    """Ratings with their tier (joined in the same statement)."""
    return _ratings(session, EvidenceRating.program_id, ids)


def ratings_by_practice_ids(session: Session, ids: Sequence[int]) -> list[list[EvidenceRating]]:
    return _ratings(session, EvidenceRating.practice_id, ids)


def availability_by_program_ids(
    session: Session, ids: Sequence[int]
) -> list[list[ProgramAvailability]]:
    if not ids:
        return []
    rows = session.scalars(
        select(ProgramAvailability)
        .where(ProgramAvailability.program_id.in_(set(ids)))
        .order_by(ProgramAvailability.scope, ProgramAvailability.code)
    ).all()
    return _grouped(rows, ids, lambda a: a.program_id)


def centers_by_slugs(session: Session, slugs: Sequence[str]) -> list[Center | None]:
    if not slugs:
        return []
    rows = session.scalars(select(Center).where(Center.slug.in_(set(slugs)))).all()
    return _by_key(rows, slugs, lambda c: c.slug)


__all__ = [
    "availability_by_program_ids",
    "centers_by_slugs",
    "contacts_by_center_ids",
    "contacts_by_district_ids",
    "contacts_by_ids",
    "contacts_by_school_ids",
    "districts_by_ids",
    "providers_by_ids",
    "ratings_by_practice_ids",
    "ratings_by_program_ids",
    "regions_by_ids",
    "schools_by_district_ids",
    "schools_by_ids",
    "terms_by_practice_ids",
    "terms_by_program_ids",
]
