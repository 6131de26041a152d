"""Test data factories with sensible defaults: districts, schools, regions, programs, practices,
contacts, principals. Each flushes and returns the row."""

import itertools
from typing import Any

from sqlalchemy.orm import Session

from hub.alerts.schemas import AlertInput
from hub.auth.policy import Principal
from hub.directory import service as directory
from hub.directory.models import Contact, District, Practice, Program, Region, School
from hub.directory.schemas import ContactInput, PracticeInput, ProgramInput

_seq = itertools.count(1)

ADMIN = Principal(user_id=1, username="admin", role="state_admin")
VIEWER = Principal(user_id=2, username="viewer", role="viewer")


def district_user(district: District) -> Principal:
    return Principal(user_id=3, username="district", role="district_user", district_id=district.id)


def region(session: Session, *, code: str | None = None, state: str = "ZZ") -> Region:
    n = next(_seq)
    row = Region(state=state, code=code or f"R{n}", name=f"Region {n}")
    session.add(row)
    session.flush()
    return row


def district(session: Session, **kw: Any) -> District:
    n = next(_seq)
    values: dict[str, Any] = {
        "nces_id": f"{9000000 + n:07d}",
        "name": f"District {n}",
        "state": "ZZ",
    }
    values.update(kw)
    if isinstance(values.get("region"), Region):
        values["region_id"] = values.pop("region").id
    row = District(**values)
    session.add(row)
    session.flush()
    return row


def school(session: Session, district_row: District | None = None, **kw: Any) -> School:
    n = next(_seq)
    d = district_row or district(session)
    values: dict[str, Any] = {"nces_id": f"{d.nces_id}{n % 100000:05d}", "name": f"School {n}"}
    values.update(kw)
    row = School(district_id=d.id, **values)
    session.add(row)
    session.flush()
    return row


def program_input(**kw: Any) -> ProgramInput:
    values: dict[str, Any] = {"title": f"Program {next(_seq)}", "topics": ["threat-assessment"]}
    values.update(kw)
    return ProgramInput(**values)


def program(session: Session, **kw: Any) -> Program:
    return directory.create_program(session, ADMIN, program_input(**kw))


def practice_input(**kw: Any) -> PracticeInput:
    values: dict[str, Any] = {"title": f"Practice {next(_seq)}", "topics": ["mental-health"]}
    values.update(kw)
    return PracticeInput(**values)


def practice(session: Session, **kw: Any) -> Practice:
    return directory.create_practice(session, ADMIN, practice_input(**kw))


def contact_input(**kw: Any) -> ContactInput:
    values: dict[str, Any] = {
        "name": f"Contact {next(_seq)}",
        "role": "superintendent",
        "email": "someone@district.example.org",
    }
    values.update(kw)
    return ContactInput(**values)


def contact(
    session: Session,
    district_row: District | None = None,
    school_row: School | None = None,
    **kw: Any,
) -> Contact:
    if school_row is not None:
        return directory.create_contact(
            session, ADMIN, data=contact_input(**kw), school_nces_id=school_row.nces_id
        )
    d = district_row or district(session)
    return directory.create_contact(
        session, ADMIN, data=contact_input(**kw), district_nces_id=d.nces_id
    )


AUTHOR = Principal(user_id=21, username="author", role="alert_author")
AUTHOR2 = Principal(user_id=22, username="author2", role="alert_author")
APPROVER = Principal(user_id=23, username="approver", role="alert_approver")
APPROVER2 = Principal(user_id=24, username="approver2", role="alert_approver")


def alert_input(**kw: Any) -> AlertInput:
    values: dict[str, Any] = {
        "status": "Actual",
        "category": "violence-threat",
        "event": "Threat of violence",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Likely",
        "response": "secure",
        "headline": "Threat reported near schools: secure buildings",
        "description": "Police report an armed person in the area.",
        "instruction": "Bring everyone inside and lock outside doors.",
        "targets": {"state": True},
        "channels": ["email"],
    }
    values.update(kw)
    return AlertInput(**values)


def tornado_warning(**kw: Any) -> dict[str, Any]:
    """The fields of a tornado warning (shelter in place, e-mail and SMS) as the console's compose
    form and the GraphQL `AlertInput` both spell them; each adds its own way of naming targets."""
    values: dict[str, Any] = {
        "status": "Actual",
        "category": "weather",
        "event": "Tornado warning",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Observed",
        "response": "shelter",
        "headline": "Tornado warning: shelter in place",
        "instruction": "Move to interior rooms on the lowest floor.",
        "channels": ["email", "sms"],
    }
    values.update(kw)
    return values
