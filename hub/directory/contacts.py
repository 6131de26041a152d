"""Directory contacts: create, replace, tombstone and confirm, scoped to the owning district."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.db import utcnow
from hub.directory.models import Contact, District, School
from hub.directory.schemas import ContactInput, check_leaid, check_ncessch
from hub.errors import InvalidInput, NotFound


def _set(obj: Any, **values: Any) -> None:
    """Assign only what changes, so a no-op update bumps neither version nor change_seq."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)


def _log(
    session: Session, principal: Principal, action: str, contact: Contact, before: Any
) -> None:
    audit.record(
        session,
        actor=principal.actor,
        action=action,
        entity_type="contact",
        entity_id=contact.id,
        before=before,
        after=contact_snapshot(contact),
    )


def contact_snapshot(c: Contact) -> dict[str, Any]:
    """A contact as a plain dict (audit before/after)."""
    fields = ("id", "district_id", "school_id", "center_id", "name", "title", "role", "email")
    out = {f: getattr(c, f) for f in fields}
    out |= {
        "phone": c.phone,
        "channels": list(c.channels or []),
        "webhook_url": c.webhook_url,
        "unverified_channels": list(c.unverified_channels or []),
        "available_24x7": c.available_24x7,
        "verified_at": c.verified_at,
    }
    return out | {
        "origin_center": c.origin_center,
        "origin_id": c.origin_id,
        "version": c.version,
        "deleted": c.deleted,
    }


def contact_details_visible(principal: Principal, contact: Contact) -> bool:
    """Whether `principal` may read the contact's e-mail and phone."""
    return policy.allows(principal, Action.READ_CONTACT_DETAILS, district_id=contact.district_id)


def _live_district(session: Session, nces_id: str, field: str) -> District:
    check_leaid(nces_id, field=field)
    district = session.scalar(
        select(District).where(District.nces_id == nces_id, District.deleted.is_(False))
    )
    if district is None:
        raise NotFound(f"no district with NCES id {nces_id}", field=field)
    return district


def contact_columns(data: ContactInput) -> dict[str, Any]:
    """The contact's columns as `data` sets them (the service and the importer share this)."""
    return {
        "name": data.name,
        "title": data.title,
        "role": data.role,
        "email": str(data.email) if data.email else None,
        "phone": data.phone,
        "channels": list(data.channels),
        "webhook_url": str(data.webhook_url) if data.webhook_url else None,
        "available_24x7": data.available_24x7,
    }


# The column holding each channel's address: a new address is no longer known to bounce.
ADDRESS_OF = {"email": "email", "sms": "phone", "voice": "phone", "webhook": "webhook_url"}


def _set_contact(contact: Contact, data: ContactInput) -> None:
    wanted = contact_columns(data)
    still = [
        ch
        for ch in contact.unverified_channels or []
        if getattr(contact, ADDRESS_OF[ch]) == wanted[ADDRESS_OF[ch]]
    ]
    _set(contact, **wanted, unverified_channels=still)


def create_contact(
    session: Session,
    principal: Principal,
    *,
    data: ContactInput,
    district_nces_id: str | None = None,
    school_nces_id: str | None = None,
) -> Contact:
    """A district's or a school's contact (exactly one of the two ids)."""
    if (district_nces_id is None) == (school_nces_id is None):
        raise InvalidInput("give a district or a school NCES id, not both", field="districtNcesId")
    school_id = None
    if school_nces_id is not None:
        check_ncessch(school_nces_id, field="schoolNcesId")
        school = session.scalar(
            select(School).where(School.nces_id == school_nces_id, School.deleted.is_(False))
        )
        if school is None:
            raise NotFound(f"no school with NCES id {school_nces_id}", field="schoolNcesId")
        district_id, school_id = school.district_id, school.id
    else:
        assert district_nces_id is not None
        district_id = _live_district(session, district_nces_id, "districtNcesId").id
    policy.require(principal, Action.MANAGE_CONTACTS, district_id=district_id)
    contact = Contact(district_id=district_id, school_id=school_id, channels=[])
    _set_contact(contact, data)
    session.add(contact)
    session.flush()
    _log(session, principal, "contact.create", contact, None)
    return contact


def _contact(session: Session, principal: Principal, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.deleted:
        raise NotFound(f"no contact {contact_id}", field="id")
    policy.require(principal, Action.MANAGE_CONTACTS, district_id=contact.district_id)
    return contact


def update_contact(
    session: Session, principal: Principal, *, contact_id: int, data: ContactInput
) -> Contact:
    contact = _contact(session, principal, contact_id)
    before = contact_snapshot(contact)
    _set_contact(contact, data)
    session.flush()
    _log(session, principal, "contact.update", contact, before)
    return contact


def delete_contact(session: Session, principal: Principal, *, contact_id: int) -> Contact:
    """Tombstone a contact."""
    contact = _contact(session, principal, contact_id)
    before = contact_snapshot(contact)
    contact.deleted = True
    session.flush()
    _log(session, principal, "contact.delete", contact, before)
    return contact


def confirm_contacts(session: Session, principal: Principal, *, district_nces_id: str) -> int:
    """Mark the district's (and its schools') contacts verified now; returns how many."""
    district = _live_district(session, district_nces_id, "districtNcesId")
    policy.require(principal, Action.MANAGE_CONTACTS, district_id=district.id)
    contacts = session.scalars(
        select(Contact)
        .where(Contact.district_id == district.id, Contact.deleted.is_(False))
        .order_by(Contact.id)
    ).all()
    before = {str(c.id): c.verified_at for c in contacts}
    now = utcnow()
    for c in contacts:
        c.verified_at = now
    session.flush()
    audit.record(
        session,
        actor=principal.actor,
        action="contact.confirm",
        entity_type="district",
        entity_id=district.nces_id,
        before={"verified_at": before},
        after={"verified_at": {str(c.id): now for c in contacts}},
    )
    return len(contacts)
