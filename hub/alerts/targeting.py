"""Who an alert reaches: its targets (state, regions, counties, districts, schools by roles)
resolved into contacts and their addresses, in one query however many targets there are."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, String, cast, false, func, or_, select
from sqlalchemy.orm import Session

from hub.directory.models import Contact, District, Region, School

# Where each channel sends to.
ADDRESS_COLUMN = {"email": Contact.email, "sms": Contact.phone, "webhook": Contact.webhook_url}


@dataclass(frozen=True, slots=True)
class Recipient:
    """One contact on one channel, with the address it is sent to."""

    contact_id: int
    district_id: int | None
    channel: str
    address: str


def _live_districts(targets: dict[str, Any]) -> Select[int]:
    """Ids of the open districts that the geographic targets name."""
    where: list[ColumnElement[bool]] = []
    if targets.get("state"):
        where.append(District.id.is_not(None))
    if targets.get("regions"):
        regions = select(Region.id).where(Region.code.in_(targets["regions"]))
        where.append(District.region_id.in_(regions))
    if targets.get("counties"):
        where.append(District.county_fips.in_(targets["counties"]))
    if targets.get("districts"):
        where.append(District.nces_id.in_(targets["districts"]))
    return select(District.id).where(
        or_(false(), *where), District.deleted.is_(False), District.closed.is_(False)
    )


def _closed_schools() -> Select[int]:
    return select(School.id).where(or_(School.deleted.is_(True), School.closed.is_(True)))


def matching(targets: dict[str, Any]) -> ColumnElement[bool]:
    """The contacts an alert with `targets` reaches: every contact of a named district (its own
    and its schools'), the contacts of named schools; none of a closed school; only the roles
    asked for."""
    owners: ColumnElement[bool] = Contact.district_id.in_(_live_districts(targets))
    if targets.get("schools"):
        schools = select(School.id).where(School.nces_id.in_(targets["schools"]))
        owners = or_(owners, Contact.school_id.in_(schools))
    condition = owners & Contact.deleted.is_(False)
    condition &= or_(Contact.school_id.is_(None), Contact.school_id.not_in(_closed_schools()))
    if targets.get("roles"):
        condition &= Contact.role.in_(targets["roles"])
    return condition


def takes(channel: str) -> ColumnElement[bool]:
    """Whether a contact takes `channel`, in SQL on SQLite and PostgreSQL alike: the JSON list
    of slugs holds it quoted (no channel slug is part of another)."""
    return cast(Contact.channels, String).contains(f'"{channel}"')


def recipients(
    session: Session,
    targets: dict[str, Any],
    channels: list[str],
    *,
    contact_filter: ColumnElement[bool] | None = None,
) -> Iterator[Recipient]:
    """Every (contact, channel) the alert reaches, once each: a contact matched by several
    targets is one row. A channel counts only if the contact takes it and has its address."""
    condition = matching(targets) if contact_filter is None else contact_filter
    query = select(
        Contact.id,
        Contact.district_id,
        Contact.channels,
        *(ADDRESS_COLUMN[ch] for ch in channels),
    ).where(condition & Contact.deleted.is_(False))
    for row in session.execute(query.order_by(Contact.district_id, Contact.id)).yield_per(2000):
        taken = set(row[2] or [])
        for channel, address in zip(channels, row[3:], strict=True):
            if channel in taken and address:
                yield Recipient(row[0], row[1], channel, address)


def count(session: Session, targets: dict[str, Any], channels: list[str]) -> dict[str, int]:
    """How many contacts the targets reach (`contacts`) and the messages per channel."""
    counts = {"contacts": 0, **dict.fromkeys(channels, 0)}
    seen: set[int] = set()
    for r in recipients(session, targets, channels):
        counts[r.channel] += 1
        seen.add(r.contact_id)
    counts["contacts"] = len(seen)
    return counts


def districts_reached(session: Session, targets: dict[str, Any]) -> int:
    """How many districts have at least one contact the targets reach."""
    query = select(func.count(func.distinct(Contact.district_id))).where(matching(targets))
    return int(session.scalar(query) or 0)
