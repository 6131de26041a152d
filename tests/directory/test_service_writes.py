"""Directory writes: versions, audit entries, permission denials, no-op updates."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit import AuditEntry
from hub.auth.policy import ANONYMOUS
from hub.directory import service as directory
from hub.directory.models import Contact, Practice, Program
from hub.directory.schemas import PracticeStatus
from hub.errors import Conflict, NotFound, PermissionDenied
from tests import factories as f


def _audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_update_bumps_version_and_change_seq_and_noop_does_not(session: Session) -> None:
    data = f.program_input(
        title="Threat teams",
        provider="Center U",
        ratings=[{"tier": "tier-2", "source": "CG"}],
        availability={"states": ["ZZ"]},
        phases=["prevention"],
    )
    p = directory.create_program(session, f.ADMIN, data)
    v, seq = p.version, p.change_seq
    directory.update_program(session, f.ADMIN, program_id=p.id, data=data)
    assert (p.version, p.change_seq) == (v, seq)
    changed = data.model_copy(update={"title": "Threat teams 2"})
    directory.update_program(session, f.ADMIN, program_id=p.id, data=changed)
    assert p.version == v + 1
    assert p.change_seq > seq
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id == str(p.id)).order_by(AuditEntry.seq)
    ).all()
    assert [e.action for e in entries] == ["program.create", "program.update", "program.update"]
    assert entries[-1].before is not None
    assert entries[-1].before["title"] == "Threat teams"
    assert entries[-1].after is not None
    assert entries[-1].after["title"] == "Threat teams 2"


@pytest.mark.parametrize("who", ["anonymous", "viewer"])
def test_denied_writes_leave_nothing(session: Session, who: str) -> None:
    principal = ANONYMOUS if who == "anonymous" else f.VIEWER
    before = _audit_count(session)
    with pytest.raises(PermissionDenied):
        directory.create_program(session, principal, f.program_input())
    with pytest.raises(PermissionDenied):
        directory.create_practice(session, principal, f.practice_input())
    assert session.scalar(select(func.count()).select_from(Program)) == 0
    assert session.scalar(select(func.count()).select_from(Practice)) == 0
    assert _audit_count(session) == before


def test_other_districts_user_may_not_manage_contacts(session: Session) -> None:
    mine, theirs = f.district(session), f.district(session)
    c = f.contact(session, theirs)
    before = _audit_count(session)
    with pytest.raises(PermissionDenied):
        directory.create_contact(
            session, f.district_user(mine), data=f.contact_input(), district_nces_id=theirs.nces_id
        )
    with pytest.raises(PermissionDenied):
        directory.delete_contact(session, f.district_user(mine), contact_id=c.id)
    assert _audit_count(session) == before
    own = directory.create_contact(
        session, f.district_user(mine), data=f.contact_input(), district_nces_id=mine.nces_id
    )
    assert own.district_id == mine.id


def test_school_contact_carries_district_and_confirm_counts(session: Session) -> None:
    d = f.district(session)
    s = f.school(session, d)
    f.contact(session, d)
    sc = f.contact(session, school_row=s, phone="(202) 555-0143", channels=["sms"])
    assert (sc.district_id, sc.school_id, sc.phone) == (d.id, s.id, "+12025550143")
    assert directory.confirm_contacts(session, f.ADMIN, district_nces_id=d.nces_id) == 2
    assert sc.verified_at is not None
    directory.delete_contact(session, f.ADMIN, contact_id=sc.id)
    assert session.get(Contact, sc.id) is not None
    assert sc.deleted
    with pytest.raises(NotFound):
        directory.update_contact(session, f.ADMIN, contact_id=sc.id, data=f.contact_input())


def test_review_workflow(session: Session) -> None:
    d = f.district(session)
    p = directory.submit_practice(session, f.district_user(d), f.practice_input(status="published"))
    assert (p.status, p.submitted_by_district_id) == ("submitted", d.id)
    with pytest.raises(PermissionDenied):
        directory.review_practice(
            session, f.district_user(d), practice_id=p.id, status=PracticeStatus.APPROVED
        )
    with pytest.raises(Conflict):
        directory.review_practice(
            session, f.ADMIN, practice_id=p.id, status=PracticeStatus.PUBLISHED
        )
    for status in (PracticeStatus.APPROVED, PracticeStatus.PUBLISHED, PracticeStatus.RETIRED):
        directory.review_practice(session, f.ADMIN, practice_id=p.id, status=status)
    assert (p.status, p.deleted) == ("retired", True)


def test_retire_program_and_unknown_contact(session: Session) -> None:
    p = f.program(session)
    directory.retire_program(session, f.ADMIN, program_id=p.id)
    assert p.deleted
    with pytest.raises(Conflict):
        directory.retire_program(session, f.ADMIN, program_id=p.id)
    with pytest.raises(NotFound) as exc:
        directory.create_program(session, f.ADMIN, f.program_input(contact_id=999999))
    assert exc.value.field == "contactId"
