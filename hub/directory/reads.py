"""Directory reads and listings: each listing is one COUNT statement plus one page statement."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.directory import taxonomy
from hub.directory.models import (
    Center,
    Contact,
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Region,
    School,
    Term,
    practice_terms,
    program_terms,
)
from hub.directory.schemas import (
    ContactFilter,
    DistrictFilter,
    PracticeFilter,
    PracticeStatus,
    ProgramFilter,
    ProgramOrder,
    SchoolFilter,
    check_leaid,
    check_ncessch,
)
from hub.directory.search import Ranked, ranked
from hub.errors import InvalidInput, NotFound
from hub.pagination import MAX_PAGE, Page, PageArgs


def _listing(
    session: Session,
    model: Any,
    conditions: list[ColumnElement[bool]],
    page: PageArgs,
    order: list[Any],
    search: Ranked | None = None,
) -> Page[Any]:
    if not 0 <= page.first <= MAX_PAGE:
        raise InvalidInput(f"must be between 0 and {MAX_PAGE}", field="first")
    if page.offset < 0:
        raise InvalidInput("must not be negative", field="after")
    count = select(func.count()).select_from(model).where(*conditions)
    rows = select(model).where(*conditions)
    if search is not None:
        count, rows = search.apply(count), search.apply(rows)
        order = [search.rank, *order]
    total = session.scalar(count) or 0
    items = session.scalars(rows.order_by(*order).offset(page.offset).limit(page.first)).all()
    return Page(items=list(items), total=int(total), offset=page.offset)


def _contains(column: Any, needle: str | None) -> list[ColumnElement[bool]]:
    if not needle or not needle.strip():
        return []
    return [func.lower(column).contains(needle.strip().lower(), autoescape=True)]


def _county(name_col: Any, fips_col: Any, county: str | None) -> list[ColumnElement[bool]]:
    if not county or not county.strip():
        return []
    county = county.strip()
    if county.isdigit() and len(county) == 5:
        return [fips_col == county]
    return [func.lower(name_col) == county.lower()]


# ---- districts and schools ---------------------------------------------------------------


def get_district(session: Session, *, nces_id: str) -> District | None:
    check_leaid(nces_id)
    return session.scalar(
        select(District).where(District.nces_id == nces_id, District.deleted.is_(False))
    )


def list_districts(session: Session, *, filter: DistrictFilter, page: PageArgs) -> Page[District]:
    cond: list[ColumnElement[bool]] = [District.deleted.is_(False)]
    if filter.state:
        cond.append(District.state == filter.state)
    if filter.region:
        cond.append(District.region_id.in_(select(Region.id).where(Region.code == filter.region)))
    cond += _county(District.county_name, District.county_fips, filter.county)
    cond += _contains(District.name, filter.search)
    return _listing(session, District, cond, page, [func.lower(District.name), District.id])


def get_school(session: Session, *, nces_id: str) -> School | None:
    check_ncessch(nces_id)
    return session.scalar(
        select(School).where(School.nces_id == nces_id, School.deleted.is_(False))
    )


def list_schools(session: Session, *, filter: SchoolFilter, page: PageArgs) -> Page[School]:
    cond: list[ColumnElement[bool]] = [School.deleted.is_(False)]
    if filter.district_nces_id:
        cond.append(
            School.district_id.in_(
                select(District.id).where(District.nces_id == filter.district_nces_id)
            )
        )
    if filter.state:
        cond.append(
            School.district_id.in_(select(District.id).where(District.state == filter.state))
        )
    cond += _county(School.county_name, School.county_fips, filter.county)
    if filter.level:
        cond.append(func.lower(School.level) == filter.level.strip().lower())
    cond += _contains(School.name, filter.search)
    return _listing(session, School, cond, page, [func.lower(School.name), School.id])


# ---- programs and practices --------------------------------------------------------------


def _tagged(table: Any, owner: str, vocabulary: str, slugs: list[str]) -> Any:
    return (
        select(table.c[owner])
        .join(Term, Term.id == table.c.term_id)
        .where(Term.vocabulary == vocabulary, Term.slug.in_(slugs))
    )


def _topics(slugs: list[str]) -> list[str]:
    tax = taxonomy.load()
    return list(dict.fromkeys(s for slug in slugs for s in tax.descendants("topics", slug)))


def _rated(column: Any, id_col: Any, tiers: list[str]) -> ColumnElement[bool]:
    """Any rating in `tiers`; "unrated" also matches records that carry no rating at all."""
    rated = id_col.in_(
        select(column).join(Term, Term.id == EvidenceRating.tier_id).where(Term.slug.in_(tiers))
    )
    if "unrated" not in tiers:
        return rated  # type: ignore[no-any-return]
    return or_(rated, ~exists().where(column == id_col))


def get_program(session: Session, *, program_id: int) -> Program | None:
    """A program by id, also a retired one."""
    return session.get(Program, program_id)


def _available_to(session: Session, nces_id: str) -> ColumnElement[bool]:
    row = session.execute(
        select(District.id, District.state, Region.code)
        .outerjoin(Region, Region.id == District.region_id)
        .where(District.nces_id == nces_id)
    ).first()
    if row is None:
        raise NotFound(f"no district with NCES id {nces_id}", field="availableToDistrict")
    _, state, region = row
    av = ProgramAvailability
    places = [
        and_(av.scope == "state", av.code == state),
        and_(av.scope == "district", av.code == nces_id),
    ]
    if region:
        places.append(and_(av.scope == "region", av.code == region))
    return or_(
        ~exists().where(av.program_id == Program.id),
        Program.id.in_(select(av.program_id).where(or_(*places))),
    )


def list_programs(
    session: Session,
    *,
    filter: ProgramFilter,
    page: PageArgs,
    order: ProgramOrder = ProgramOrder.RELEVANCE,
) -> Page[Program]:
    cond: list[ColumnElement[bool]] = []
    if not filter.include_retired:
        cond.append(Program.deleted.is_(False))
    tags = {
        "topics": _topics(filter.topics),
        "phases": filter.phases,
        "audiences": filter.audiences,
        "delivery_modes": filter.delivery_modes,
    }
    for vocabulary, slugs in tags.items():
        if slugs:
            cond.append(Program.id.in_(_tagged(program_terms, "program_id", vocabulary, slugs)))
    if filter.evidence_tiers:
        cond.append(_rated(EvidenceRating.program_id, Program.id, filter.evidence_tiers))
    if filter.free is not None:
        cond.append(Program.free.is_(filter.free))
    if filter.available_to_district:
        cond.append(_available_to(session, filter.available_to_district))
    if filter.origin:
        cond.append(Program.origin_center == filter.origin)
    search = ranked(session, "programs", filter.search)
    if order == ProgramOrder.UPDATED:
        by: list[Any] = [Program.updated_at.desc(), Program.id]
    else:
        by = [func.lower(Program.title), Program.id]
    if search is not None and order != ProgramOrder.RELEVANCE:
        search = Ranked(apply=search.apply, rank=by[0])  # the search filters, the order stays
        by = by[1:]
    return _listing(session, Program, cond, page, by, search)


def _practice_visibility(principal: Principal) -> list[ColumnElement[bool]]:
    if policy.allows(principal, Action.READ_UNPUBLISHED):
        return []
    published = Practice.status == PracticeStatus.PUBLISHED.value
    if principal.role == "district_user" and principal.district_id is not None:
        return [or_(published, Practice.submitted_by_district_id == principal.district_id)]
    return [published]


def _may_see(principal: Principal, practice: Practice) -> bool:
    if practice.status == PracticeStatus.PUBLISHED.value:
        return True
    if policy.allows(principal, Action.READ_UNPUBLISHED):
        return True
    return (
        principal.role == "district_user"
        and principal.district_id is not None
        and practice.submitted_by_district_id == principal.district_id
    )


def get_practice(session: Session, principal: Principal, *, practice_id: int) -> Practice | None:
    """A practice, if `principal` may see it (published, or may read unpublished, or own)."""
    practice = session.get(Practice, practice_id)
    if practice is None or not _may_see(principal, practice):
        return None
    return practice


def list_practices(
    session: Session, principal: Principal, *, filter: PracticeFilter, page: PageArgs
) -> Page[Practice]:
    """Practices the principal may see; tombstones only when the filter asks for retired ones."""
    cond = _practice_visibility(principal)
    if PracticeStatus.RETIRED not in filter.status:
        cond.append(Practice.deleted.is_(False))
    if filter.status:
        cond.append(Practice.status.in_([s.value for s in filter.status]))
    for vocabulary, slugs in (("topics", _topics(filter.topics)), ("phases", filter.phases)):
        if slugs:
            cond.append(Practice.id.in_(_tagged(practice_terms, "practice_id", vocabulary, slugs)))
    if filter.evidence_tiers:
        cond.append(_rated(EvidenceRating.practice_id, Practice.id, filter.evidence_tiers))
    if filter.origin:
        cond.append(Practice.origin_center == filter.origin)
    search = ranked(session, "practices", filter.search)
    by = [func.lower(Practice.title), Practice.id]
    return _listing(session, Practice, cond, page, by, search)


# ---- topics, centers, contacts -----------------------------------------------------------


@dataclass(frozen=True)
class TopicNode:
    """A topic with counts of non-deleted programs / published practices in it or below it."""

    slug: str
    label: str
    program_count: int
    practice_count: int
    children: list["TopicNode"] = field(default_factory=list)


def _pairs(session: Session, table: Any, owner: Any, model: Any, live: Any) -> dict[str, set[int]]:
    rows = session.execute(
        select(Term.slug, table.c[owner])
        .join(Term, Term.id == table.c.term_id)
        .join(model, model.id == table.c[owner])
        .where(Term.vocabulary == "topics", live)
    ).all()
    tagged: dict[str, set[int]] = {}
    for slug, owner_id in rows:
        tagged.setdefault(slug, set()).add(owner_id)
    return tagged


def topic_tree(session: Session) -> list[TopicNode]:
    """The topic hierarchy with counts; two statements whatever the number of topics."""
    programs = _pairs(session, program_terms, "program_id", Program, Program.deleted.is_(False))
    practices = _pairs(
        session,
        practice_terms,
        "practice_id",
        Practice,
        and_(Practice.deleted.is_(False), Practice.status == PracticeStatus.PUBLISHED.value),
    )
    tax = taxonomy.load()
    entries = tax.entries.get("topics", [])

    def node(slug: str, label: str) -> TopicNode:
        below = tax.descendants("topics", slug)
        prog = set().union(*(programs.get(s, set()) for s in below))
        prac = set().union(*(practices.get(s, set()) for s in below))
        kids = [node(e.slug, e.label) for e in entries if e.parent == slug]
        return TopicNode(slug, label, len(prog), len(prac), kids)

    return [node(e.slug, e.label) for e in entries if e.parent is None]


def list_centers(session: Session) -> list[Center]:
    """Centers, the local one first, then by name."""
    return list(
        session.scalars(
            select(Center).order_by(Center.is_local.desc(), func.lower(Center.name), Center.id)
        )
    )


def list_contacts(session: Session, *, filter: ContactFilter, page: PageArgs) -> Page[Contact]:
    """Contacts by name; a district filter includes its schools' contacts."""
    cond: list[ColumnElement[bool]] = [Contact.deleted.is_(False)]
    if filter.district_nces_id:
        cond.append(
            Contact.district_id.in_(
                select(District.id).where(District.nces_id == filter.district_nces_id)
            )
        )
    if filter.school_nces_id:
        cond.append(
            Contact.school_id.in_(select(School.id).where(School.nces_id == filter.school_nces_id))
        )
    if filter.role:
        cond.append(Contact.role.in_(filter.role))
    return _listing(session, Contact, cond, page, [func.lower(Contact.name), Contact.id])


__all__ = [
    "TopicNode",
    "get_district",
    "get_practice",
    "get_program",
    "get_school",
    "list_centers",
    "list_contacts",
    "list_districts",
    "list_practices",
    "list_programs",
    "list_schools",
    "topic_tree",
]
