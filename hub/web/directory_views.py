"""What the directory pages show of a record: cards with their terms, ratings and provider
(batch loaded, so a list costs the same few statements at any length), contacts as the viewer may
see them, where a program is offered, and small formatting helpers."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.policy import Principal
from hub.directory import service as directory
from hub.directory import taxonomy
from hub.directory.models import (
    Contact,
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Region,
    School,
    Term,
)


def labels(vocabulary: str) -> dict[str, str]:
    """Slug → label of a vocabulary, from the taxonomy file."""
    return {e.slug: e.label for e in taxonomy.load().entries.get(vocabulary, [])}


@dataclass(frozen=True, slots=True)
class Card:
    """A program or practice with what its card or page shows beside it."""

    record: Program | Practice
    terms: list[Term]
    ratings: list[EvidenceRating]
    provider: Provider | None = None

    def labels(self, vocabulary: str) -> list[str]:
        return [t.label for t in self.terms if t.vocabulary == vocabulary]

    @property
    def tiers(self) -> list[str]:
        return list(dict.fromkeys(r.tier.label for r in self.ratings))


@dataclass(frozen=True, slots=True)
class ContactView:
    """A contact as this viewer may see it: e-mail and phone only when `details`."""

    contact: Contact
    role: str
    details: bool
    school: School | None = None

    @property
    def phone(self) -> str | None:
        return display_phone(self.contact.phone) if self.details else None

    @property
    def email(self) -> str | None:
        return self.contact.email if self.details else None


@dataclass(slots=True)
class Places:
    """Where a program is offered; all empty: everywhere."""

    states: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    districts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def everywhere(self) -> bool:
        return not (self.states or self.regions or self.districts)


def display_phone(value: str | None) -> str | None:
    """An E.164 number the way people write it at home; anything else as stored."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return value
    region = "NATIONAL" if number.country_code == 1 else "INTERNATIONAL"
    return str(phonenumbers.format_number(number, getattr(phonenumbers.PhoneNumberFormat, region)))


def when(value: datetime | None) -> str:
    """A stored time for people: UTC, to the minute."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def safe_url(value: str | None) -> str | None:
    """Only http(s) addresses become links (records may come from partners)."""
    if value and value.lower().startswith(("https://", "http://")):
        return value
    return None


def contact_view(
    principal: Principal, contact: Contact, roles: dict[str, str], school: School | None = None
) -> ContactView:
    return ContactView(
        contact=contact,
        role=roles.get(contact.role, contact.role),
        details=directory.contact_details_visible(principal, contact),
        school=school,
    )


def contact_views(
    principal: Principal, contacts: Sequence[Contact], schools: Sequence[School]
) -> list[ContactView]:
    """A district's contacts as `principal` may see them, each with its school (from `schools`):
    the district-wide ones first, then by school name."""
    by_id = {s.id: s for s in schools}
    roles = labels("contact_roles")
    people = [
        contact_view(principal, c, roles, by_id.get(c.school_id) if c.school_id else None)
        for c in contacts
    ]
    people.sort(key=lambda c: (c.school is not None, c.school.name if c.school else ""))
    return people


def verification(contacts: Sequence[Contact]) -> dict[str, Any]:
    """For a template: `last_verified`, when a contact was last confirmed as current ("never"),
    and `unconfirmed`, how many never were."""
    verified = [c.verified_at for c in contacts if c.verified_at is not None]
    return {
        "last_verified": when(max(verified)) if verified else "never",
        "unconfirmed": len(contacts) - len(verified),
    }


def program_cards(session: Session, programs: Sequence[Program]) -> list[Card]:
    """Cards for a page of programs: three batch statements, whatever the page size."""
    ids = [p.id for p in programs]
    terms = directory.terms_by_program_ids(session, ids)
    ratings = directory.ratings_by_program_ids(session, ids)
    provider_ids = sorted({p.provider_id for p in programs if p.provider_id is not None})
    providers = {
        row.id: row for row in directory.providers_by_ids(session, provider_ids) if row is not None
    }
    return [
        Card(p, t, r, providers.get(p.provider_id) if p.provider_id else None)
        for p, t, r in zip(programs, terms, ratings, strict=True)
    ]


def practice_cards(session: Session, practices: Sequence[Practice]) -> list[Card]:
    ids = [p.id for p in practices]
    terms = directory.terms_by_practice_ids(session, ids)
    ratings = directory.ratings_by_practice_ids(session, ids)
    return [Card(p, t, r) for p, t, r in zip(practices, terms, ratings, strict=True)]


def places(session: Session, rows: list[ProgramAvailability]) -> Places:
    places = Places(states=sorted(r.code for r in rows if r.scope == "state"))
    regions = sorted(r.code for r in rows if r.scope == "region")
    if regions:
        names = dict(
            session.execute(select(Region.code, Region.name).where(Region.code.in_(regions))).all()
        )
        places.regions = [names.get(code, code) for code in regions]
    districts = sorted(r.code for r in rows if r.scope == "district")
    if districts:
        names = dict(
            session.execute(
                select(District.nces_id, District.name).where(District.nces_id.in_(districts))
            ).all()
        )
        places.districts = [(code, names.get(code, code)) for code in districts]
    return places


def program_contact(session: Session, principal: Principal, program: Program) -> ContactView | None:
    contact = session.get(Contact, program.contact_id) if program.contact_id else None
    if contact is None or contact.deleted:
        return None
    return contact_view(principal, contact, labels("contact_roles"))
