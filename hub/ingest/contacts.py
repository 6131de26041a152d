"""A district's contact list (CSV): upserted within the district by (school, name, role).

Each row is checked against schemas/contact.schema.json, then built as ContactInput, which puts
the phone in E.164, checks the e-mail address and the role against the taxonomy. A contact the
hub has for that district but the file does not list is left alone: the file adds and updates,
it never deletes.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.directory import service as directory
from hub.directory.models import Contact, District, School
from hub.directory.schemas import LEAID, NCESSCH, ContactInput
from hub.errors import HubError, InvalidInput, NotFound
from hub.ingest.catalog import (
    RecordError,
    check_columns,
    check_record,
    csv_values,
    flag,
    schema_validator,
    semicolon_list,
    service_error,
)
from hub.ingest.files import CsvRows, Row
from hub.ingest.report import Report

REQUIRED = ("name", "role")
COLUMNS = (
    *REQUIRED,
    "title",
    "email",
    "phone",
    "channels",
    "webhook_url",
    "available_24x7",
    "school_nces_id",
)
Key = tuple[int | None, str, str]


def district_for_import(session: Session, principal: Principal, nces_id: str) -> District:
    """The live district whose contact list is imported; checks `principal` may manage it."""
    if not LEAID.match(nces_id):
        raise InvalidInput(
            f"a district NCES id (LEAID) is exactly 7 digits, got {nces_id!r}", field="district"
        )
    district = session.scalar(
        select(District).where(District.nces_id == nces_id, District.deleted.is_(False))
    )
    if district is None:
        raise NotFound(f"no district with NCES id {nces_id}", field="district")
    policy.require(principal, Action.MANAGE_CONTACTS, district_id=district.id)
    return district


def _body(values: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for column, value in values.items():
        if not value or column == "school_nces_id":
            continue
        if column == "channels":
            body[column] = semicolon_list(value)
        elif column == "available_24x7":
            body[column] = flag(value, column)
        else:
            body[column] = value
    return body


class _Contacts:
    """The district's live contacts by upsert key, and its schools by NCES id."""

    def __init__(self, session: Session, district: District) -> None:
        self.district = district
        self.schools = {
            s.nces_id: s
            for s in session.scalars(
                select(School).where(School.district_id == district.id, School.deleted.is_(False))
            )
        }
        self.by_key: dict[Key, Contact] = {}
        contacts = session.scalars(
            select(Contact)
            .where(Contact.district_id == district.id, Contact.deleted.is_(False))
            .order_by(Contact.id)
        )
        for c in contacts:
            self.by_key.setdefault((c.school_id, c.name.casefold(), c.role), c)

    def school(self, nces_id: str | None) -> School | None:
        if nces_id is None:
            return None
        if not NCESSCH.match(nces_id):
            raise RecordError(
                "school_nces_id", f"a school NCES id is exactly 12 digits, got {nces_id!r}"
            )
        school = self.schools.get(nces_id)
        if school is None:
            raise RecordError(
                "school_nces_id", f"no school {nces_id} in district {self.district.nces_id}"
            )
        return school


def import_contacts(
    session: Session,
    principal: Principal,
    rows: CsvRows,
    report: Report,
    *,
    district: District,
    progress: Callable[[int], None] = lambda _: None,
) -> None:
    """Upsert each row as a contact of `district` (or of one of its schools), in its own
    savepoint; an unchanged contact is counted and not written."""
    check_columns(rows, REQUIRED, COLUMNS)
    validator = schema_validator("contact.schema.json")
    known = _Contacts(session, district)
    emails: dict[str, int] = {}
    keys: dict[Key, int] = {}
    for count, item in enumerate(rows, 1):
        if count % 100 == 0:
            progress(rows.bytes_read)
        if not isinstance(item, Row):
            line, raw, reason = item
            report.reject(line, None, reason, raw=raw)
            continue
        try:
            outcome = _row(session, principal, item, validator, known, emails, keys)
        except RecordError as exc:
            report.reject(item.line, exc.field, exc.reason, raw=item.raw)
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    progress(rows.bytes_read)


def _row(
    session: Session,
    principal: Principal,
    row: Row,
    validator: Any,
    known: _Contacts,
    emails: dict[str, int],
    keys: dict[Key, int],
) -> directory.Upserted:
    values = csv_values(row)
    school = known.school(values.get("school_nces_id") or None)
    data = check_record(validator, ContactInput, _body(values))
    key: Key = (school.id if school else None, data.name.casefold(), data.role)
    email = str(data.email).casefold() if data.email else None
    if email is not None and email in emails:
        raise RecordError("email", f"{data.email} already on line {emails[email]}")
    if key in keys:
        raise RecordError("name", f"{data.name} ({data.role}) already on line {keys[key]}")
    keys[key] = row.line
    if email is not None:
        emails[email] = row.line
    existing = known.by_key.get(key)
    if existing is not None:
        wanted = directory.contact_columns(data)
        if all(getattr(existing, k) == v for k, v in wanted.items()):
            return "unchanged"
    try:
        with session.begin_nested():
            if existing is not None:
                directory.update_contact(session, principal, contact_id=existing.id, data=data)
                return "updated"
            if school is not None:
                created = directory.create_contact(
                    session, principal, data=data, school_nces_id=school.nces_id
                )
            else:
                created = directory.create_contact(
                    session, principal, data=data, district_nces_id=known.district.nces_id
                )
    except HubError as exc:
        raise service_error(exc) from None
    known.by_key[key] = created
    return "created"
