"""Directory service: writes (catalog, practice review, contacts) and, re-exported, reads and
batch loads. Import as `from hub.directory import service as directory`."""

from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.db import utcnow
from hub.directory.contacts import (
    confirm_contacts,
    contact_columns,
    contact_details_visible,
    contact_snapshot,
    create_contact,
    delete_contact,
    update_contact,
)
from hub.directory.loaders import *  # noqa: F403 - the contract's batch loads
from hub.directory.loaders import __all__ as _loaders
from hub.directory.models import (
    Contact,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Term,
)
from hub.directory.reads import *  # noqa: F403 - the contract's reads
from hub.directory.reads import __all__ as _reads
from hub.directory.schemas import (
    PracticeInput,
    PracticeStatus,
    ProgramInput,
    RatingInput,
)
from hub.errors import Conflict, InvalidInput, NotFound
from hub.settings import get_settings

Upserted = Literal["created", "updated", "unchanged"]
TAGS = ("topics", "phases", "audiences", "delivery_modes")
# review_practice: from status -> statuses it may move to.
REVIEW = {
    PracticeStatus.SUBMITTED: (PracticeStatus.APPROVED, PracticeStatus.DRAFT),
    PracticeStatus.APPROVED: (PracticeStatus.PUBLISHED,),
    PracticeStatus.PUBLISHED: (PracticeStatus.RETIRED,),
}


# ---- snapshots for the audit log ---------------------------------------------------------


def _ratings(ratings: list[EvidenceRating]) -> list[dict[str, Any]]:
    return [
        {"tier": r.tier.slug, "source": r.source, "as_of": r.as_of, "url": r.url} for r in ratings
    ]


def _provenance(obj: Any) -> dict[str, Any]:
    return {
        "origin_center": obj.origin_center,
        "origin_id": obj.origin_id,
        "version": obj.version,
        "deleted": obj.deleted,
    }


def program_snapshot(p: Program) -> dict[str, Any]:
    """A program as a plain dict (audit before/after)."""
    terms = {v: sorted(t.slug for t in p.terms if t.vocabulary == v) for v in TAGS}
    return {
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "description": p.description,
        "provider_id": p.provider_id,
        "contact_id": p.contact_id,
        "free": p.free,
        "cost_note": p.cost_note,
        "url": p.url,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        **terms,
        "ratings": _ratings(p.ratings),
        "availability": sorted([a.scope, a.code] for a in p.availability),
        **_provenance(p),
    }


def practice_snapshot(p: Practice) -> dict[str, Any]:
    """A practice as a plain dict (audit before/after)."""
    return {
        "id": p.id,
        "title": p.title,
        "summary": p.summary,
        "body": p.body,
        "status": p.status,
        "citations": p.citations,
        "submitted_by_district_id": p.submitted_by_district_id,
        "topics": sorted(t.slug for t in p.terms if t.vocabulary == "topics"),
        "phases": sorted(t.slug for t in p.terms if t.vocabulary == "phases"),
        "ratings": _ratings(p.ratings),
        **_provenance(p),
    }


# ---- shared write helpers ----------------------------------------------------------------


def _set(obj: Any, **values: Any) -> None:
    """Assign only what changes, so a no-op update bumps neither version nor change_seq."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _load_terms(session: Session, wanted: dict[str, list[str]]) -> dict[tuple[str, str], Term]:
    """The Term rows for every (vocabulary, slug) wanted, in one statement."""
    clauses = [(Term.vocabulary == v) & Term.slug.in_(s) for v, s in wanted.items() if s]
    if not clauses:
        return {}
    found = {(t.vocabulary, t.slug): t for t in session.scalars(select(Term).where(or_(*clauses)))}
    for vocabulary, slugs in wanted.items():
        missing = [s for s in slugs if (vocabulary, s) not in found]
        if missing:
            raise InvalidInput(f"unknown {vocabulary} {', '.join(missing)}", field=vocabulary)
    return found


def _set_terms(obj: Program | Practice, terms: list[Term]) -> None:
    if {t.id for t in obj.terms} != {t.id for t in terms}:
        obj.terms = terms


def _rating_key(r: tuple[str, str, Any, str | None]) -> tuple[str, str, str, str]:
    return (r[0], r[1], str(r[2] or ""), r[3] or "")


def _set_ratings(
    obj: Program | Practice, ratings: list[RatingInput], terms: dict[tuple[str, str], Term]
) -> None:
    new = [(r.tier, r.source, r.as_of, str(r.url) if r.url else None) for r in ratings]
    old = [(r.tier.slug, r.source, r.as_of, r.url) for r in obj.ratings]
    if sorted(map(_rating_key, new)) == sorted(map(_rating_key, old)):
        return
    obj.ratings = [
        EvidenceRating(tier=terms[("evidence_tiers", t)], source=s, as_of=a, url=u)
        for t, s, a, u in new
    ]


def _provider_id(session: Session, name: str | None) -> int | None:
    if not name:
        return None
    provider = session.scalar(select(Provider).where(Provider.name == name))
    if provider is None:
        provider = Provider(name=name)
        session.add(provider)
        session.flush()
    return provider.id


def _log(
    session: Session,
    principal: Principal,
    action: str,
    entity_type: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    audit.record(
        session,
        actor=principal.actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )


# ---- programs ----------------------------------------------------------------------------


def _apply_program(session: Session, program: Program, data: ProgramInput) -> None:
    if data.contact_id is not None and session.get(Contact, data.contact_id) is None:
        raise NotFound(f"no contact {data.contact_id}", field="contactId")
    wanted = {v: list(getattr(data, v)) for v in TAGS}
    wanted["evidence_tiers"] = [r.tier for r in data.ratings]
    terms = _load_terms(session, wanted)
    provider_id = _provider_id(session, data.provider)
    session.add(program)  # after the provider's flush, so a new program is inserted once
    _ = (program.terms, program.ratings, program.availability)  # load before changing anything
    with session.no_autoflush:
        _set(
            program,
            title=data.title,
            summary=data.summary,
            description=data.description,
            provider_id=provider_id,
            contact_id=data.contact_id,
            free=data.free,
            cost_note=data.cost_note,
            url=str(data.url) if data.url else None,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        _set_terms(program, [terms[(v, s)] for v in TAGS for s in wanted[v]])
        _set_ratings(program, data.ratings, terms)
        av = data.availability
        new = {("state", c) for c in av.states} | {("region", c) for c in av.regions}
        new |= {("district", c) for c in av.districts}
        old = {(a.scope, a.code): a for a in program.availability}
        for key, row in old.items():
            if key not in new:
                program.availability.remove(row)
        for scope, code in sorted(new - old.keys()):
            program.availability.append(ProgramAvailability(scope=scope, code=code))
    session.flush()


def _program(session: Session, program_id: int) -> Program:
    program = session.get(Program, program_id)
    if program is None:
        raise NotFound(f"no program {program_id}", field="id")
    return program


def create_program(session: Session, principal: Principal, data: ProgramInput) -> Program:
    policy.require(principal, Action.MANAGE_CATALOG)
    program = Program(title=data.title)
    _apply_program(session, program, data)
    _log(
        session, principal, "program.create", "program", program.id, None, program_snapshot(program)
    )
    return program


def update_program(
    session: Session, principal: Principal, *, program_id: int, data: ProgramInput
) -> Program:
    """Replace a program as a whole; unchanged data changes nothing (no version bump)."""
    policy.require(principal, Action.MANAGE_CATALOG)
    program = _program(session, program_id)
    if program.deleted:
        raise Conflict(f"program {program_id} is retired", field="id")
    before = program_snapshot(program)
    _apply_program(session, program, data)
    _log(
        session,
        principal,
        "program.update",
        "program",
        program.id,
        before,
        program_snapshot(program),
    )
    return program


def retire_program(session: Session, principal: Principal, *, program_id: int) -> Program:
    """Tombstone a program (partners receive the deletion through the change feed)."""
    policy.require(principal, Action.MANAGE_CATALOG)
    program = _program(session, program_id)
    if program.deleted:
        raise Conflict(f"program {program_id} is retired already", field="id")
    before = program_snapshot(program)
    program.deleted = True
    session.flush()
    _log(
        session,
        principal,
        "program.retire",
        "program",
        program.id,
        before,
        program_snapshot(program),
    )
    return program


def _restorable(record: Program | Practice, what: str) -> None:
    """Only this hub's own tombstones, and only within the grace period (then they are purged);
    a partner's record comes back when its origin restores it."""
    settings = get_settings()
    if not record.deleted:
        raise Conflict(f"{what} {record.id} is not retired", field="id")
    if record.origin_center != settings.center_slug:
        raise Conflict(
            f"{what} {record.id} comes from {record.origin_center}; only its origin restores it",
            field="id",
        )
    grace = timedelta(days=settings.federation_tombstone_grace_days)
    if record.updated_at < utcnow() - grace:
        raise Conflict(
            f"{what} {record.id} was retired more than {grace.days} days ago", field="id"
        )


def restore_program(session: Session, principal: Principal, *, program_id: int) -> Program:
    """Bring back a retired program (partners receive it as a new version)."""
    policy.require(principal, Action.MANAGE_CATALOG)
    program = _program(session, program_id)
    _restorable(program, "program")
    before = program_snapshot(program)
    program.deleted = False
    session.flush()
    after = program_snapshot(program)
    _log(session, principal, "program.restore", "program", program.id, before, after)
    return program


def _local(session: Session, model: type[Program] | type[Practice], origin_id: str) -> Any:
    """This hub's own record with `origin_id` (a catalog file's key), or None."""
    local = get_settings().center_slug
    return session.scalar(
        select(model).where(model.origin_center == local, model.origin_id == origin_id)
    )


def upsert_program(
    session: Session, principal: Principal, *, origin_id: str, data: ProgramInput
) -> Upserted:
    """Create or replace this hub's program keyed `origin_id` (a catalog file's own id).

    Unchanged data writes nothing: no version bump, no audit entry. A retired one is a Conflict.
    """
    policy.require(principal, Action.MANAGE_CATALOG)
    program: Program | None = _local(session, Program, origin_id)
    if program is None:
        program = Program(
            title=data.title, origin_center=get_settings().center_slug, origin_id=origin_id
        )
        _apply_program(session, program, data)
        after = program_snapshot(program)
        _log(session, principal, "program.create", "program", program.id, None, after)
        return "created"
    if program.deleted:
        raise Conflict(f"program {origin_id!r} is retired", field="id")
    before = program_snapshot(program)
    _apply_program(session, program, data)
    after = program_snapshot(program)
    if after == before:
        return "unchanged"
    _log(session, principal, "program.update", "program", program.id, before, after)
    return "updated"


# ---- practices ---------------------------------------------------------------------------


def _apply_practice(
    session: Session, practice: Practice, data: PracticeInput, status: PracticeStatus
) -> None:
    if status == PracticeStatus.RETIRED:
        raise InvalidInput("retire a practice with retirePractice", field="status")
    wanted = {"topics": list(data.topics), "phases": list(data.phases)}
    wanted["evidence_tiers"] = [r.tier for r in data.ratings]
    terms = _load_terms(session, wanted)
    _ = (practice.terms, practice.ratings)
    citations = [c.model_dump(mode="json", exclude_none=True) for c in data.citations]
    with session.no_autoflush:
        _set(
            practice,
            title=data.title,
            summary=data.summary,
            body=data.body,
            citations=citations,
            status=status.value,
        )
        _set_terms(practice, [terms[(v, s)] for v in ("topics", "phases") for s in wanted[v]])
        _set_ratings(practice, data.ratings, terms)
    session.flush()


def _practice(session: Session, practice_id: int) -> Practice:
    practice = session.get(Practice, practice_id)
    if practice is None:
        raise NotFound(f"no practice {practice_id}", field="id")
    return practice


def _new_practice(
    session: Session,
    principal: Principal,
    data: PracticeInput,
    status: PracticeStatus,
    action: str,
    district_id: int | None = None,
) -> Practice:
    practice = Practice(title=data.title, submitted_by_district_id=district_id)
    session.add(practice)
    _apply_practice(session, practice, data, status)
    _log(session, principal, action, "practice", practice.id, None, practice_snapshot(practice))
    return practice


def create_practice(session: Session, principal: Principal, data: PracticeInput) -> Practice:
    policy.require(principal, Action.MANAGE_CATALOG)
    return _new_practice(session, principal, data, data.status, "practice.create")


def submit_practice(session: Session, principal: Principal, data: PracticeInput) -> Practice:
    """A district proposes a practice; it waits for review as "submitted"."""
    policy.require(principal, Action.SUBMIT_PRACTICE)
    return _new_practice(
        session,
        principal,
        data,
        PracticeStatus.SUBMITTED,
        "practice.submit",
        district_id=principal.district_id,
    )


def update_practice(
    session: Session, principal: Principal, *, practice_id: int, data: PracticeInput
) -> Practice:
    """Replace a practice as a whole, status included."""
    policy.require(principal, Action.MANAGE_CATALOG)
    practice = _practice(session, practice_id)
    if practice.deleted:
        raise Conflict(f"practice {practice_id} is retired", field="id")
    before = practice_snapshot(practice)
    _apply_practice(session, practice, data, data.status)
    after = practice_snapshot(practice)
    _log(session, principal, "practice.update", "practice", practice.id, before, after)
    return practice


def _retire(session: Session, practice: Practice) -> None:
    practice.status = PracticeStatus.RETIRED.value
    practice.deleted = True
    session.flush()


def retire_practice(session: Session, principal: Principal, *, practice_id: int) -> Practice:
    policy.require(principal, Action.MANAGE_CATALOG)
    practice = _practice(session, practice_id)
    if practice.deleted:
        raise Conflict(f"practice {practice_id} is retired already", field="id")
    before = practice_snapshot(practice)
    _retire(session, practice)
    after = practice_snapshot(practice)
    _log(session, principal, "practice.retire", "practice", practice.id, before, after)
    return practice


def restore_practice(session: Session, principal: Principal, *, practice_id: int) -> Practice:
    """Bring back a retired practice as a draft: it goes through review again."""
    policy.require(principal, Action.MANAGE_CATALOG)
    practice = _practice(session, practice_id)
    _restorable(practice, "practice")
    before = practice_snapshot(practice)
    practice.deleted = False
    practice.status = PracticeStatus.DRAFT.value
    session.flush()
    after = practice_snapshot(practice)
    _log(session, principal, "practice.restore", "practice", practice.id, before, after)
    return practice


def upsert_practice(
    session: Session, principal: Principal, *, origin_id: str, data: PracticeInput
) -> Upserted:
    """Create or replace this hub's practice keyed `origin_id`, status included; unchanged data
    writes nothing. A retired one is a Conflict."""
    policy.require(principal, Action.MANAGE_CATALOG)
    practice: Practice | None = _local(session, Practice, origin_id)
    if practice is None:
        practice = Practice(
            title=data.title, origin_center=get_settings().center_slug, origin_id=origin_id
        )
        session.add(practice)
        _apply_practice(session, practice, data, data.status)
        after = practice_snapshot(practice)
        _log(session, principal, "practice.create", "practice", practice.id, None, after)
        return "created"
    if practice.deleted:
        raise Conflict(f"practice {origin_id!r} is retired", field="id")
    before = practice_snapshot(practice)
    _apply_practice(session, practice, data, data.status)
    after = practice_snapshot(practice)
    if after == before:
        return "unchanged"
    _log(session, principal, "practice.update", "practice", practice.id, before, after)
    return "updated"


def review_practice(
    session: Session, principal: Principal, *, practice_id: int, status: PracticeStatus
) -> Practice:
    """Move a practice along review: submitted -> approved or back to draft; approved ->
    published; published -> retired."""
    policy.require(principal, Action.REVIEW_PRACTICE)
    practice = _practice(session, practice_id)
    allowed = REVIEW.get(PracticeStatus(practice.status), ())
    if status not in allowed:
        raise Conflict(
            f"a {practice.status} practice can move to {', '.join(allowed) or 'nothing'}",
            field="status",
        )
    before = practice_snapshot(practice)
    if status == PracticeStatus.RETIRED:
        _retire(session, practice)
    else:
        practice.status = status.value
        session.flush()
    after = practice_snapshot(practice)
    _log(session, principal, "practice.review", "practice", practice.id, before, after)
    return practice


__all__ = [
    *_reads,
    *_loaders,
    "confirm_contacts",
    "contact_columns",
    "contact_details_visible",
    "contact_snapshot",
    "create_contact",
    "create_practice",
    "create_program",
    "delete_contact",
    "practice_snapshot",
    "program_snapshot",
    "retire_practice",
    "retire_program",
    "review_practice",
    "submit_practice",
    "update_contact",
    "update_practice",
    "update_program",
    "upsert_practice",
    "upsert_program",
]
