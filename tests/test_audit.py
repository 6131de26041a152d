"""The audit log is a hash chain: verify finds altered and removed entries, and the database
refuses UPDATE and DELETE while its triggers are on."""

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub import audit
from hub.audit import AuditEntry


def _record(session: Session, count: int) -> list[AuditEntry]:
    return [
        audit.record(
            session,
            actor="tester",
            action="program.update",
            entity_type="program",
            entity_id=n,
            before={"title": f"Old {n}"},
            after={"title": f"New {n}", "free": True},
        )
        for n in range(count)
    ]


def _allow_tampering(session: Session, dialect: str) -> None:
    """Switch the append-only triggers off inside the test's transaction (rolled back after)."""
    if dialect == "postgresql":
        session.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_log_no_update"))
        session.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_entries_chain_and_verify_passes(session: Session) -> None:
    first, second, third = _record(session, 3)
    assert (second.seq, third.seq) == (first.seq + 1, first.seq + 2)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert second.before == {"title": "Old 1"}
    result = audit.verify(session)
    assert result.ok, result.problem
    assert result.checked == session.scalar(select(func.count()).select_from(AuditEntry))


def test_altered_entry_is_reported_with_its_seq(session: Session, dialect: str) -> None:
    entries = _record(session, 4)
    target = entries[1].seq
    _allow_tampering(session, dialect)
    session.execute(update(AuditEntry).where(AuditEntry.seq == target).values(actor="mallory"))
    session.expire_all()
    result = audit.verify(session)
    assert not result.ok
    assert result.seq == target
    assert result.problem == f"entry {target} was altered"
    assert result.checked == target - 1


def test_rehashed_entry_breaks_the_link_to_the_next(session: Session, dialect: str) -> None:
    entries = _record(session, 3)
    victim = entries[0]
    forged = audit._digest(
        victim.prev_hash,
        victim.seq,
        victim.at,
        "mallory",
        victim.action,
        victim.entity_type,
        victim.entity_id,
        victim.before,
        victim.after,
    )
    _allow_tampering(session, dialect)
    session.execute(
        update(AuditEntry).where(AuditEntry.seq == victim.seq).values(actor="mallory", hash=forged)
    )
    session.expire_all()
    result = audit.verify(session)
    assert result.seq == victim.seq + 1
    assert result.problem == f"entry {victim.seq + 1} does not follow entry {victim.seq}"


def test_removed_entry_is_reported_as_missing(session: Session, dialect: str) -> None:
    entries = _record(session, 3)
    gone = entries[1].seq
    _allow_tampering(session, dialect)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == gone))
    session.expire_all()
    result = audit.verify(session)
    assert result.seq == gone
    assert result.problem == f"entry {gone} is missing (next is {gone + 1})"


def test_removed_last_entry_is_reported_as_missing(session: Session, dialect: str) -> None:
    last = _record(session, 2)[-1].seq
    _allow_tampering(session, dialect)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    session.expire_all()
    result = audit.verify(session)
    assert result.seq == last
    assert result.problem == f"entries {last}..{last} are missing"


def test_database_refuses_changes_while_triggers_are_on(session: Session, dialect: str) -> None:
    _record(session, 1)
    statements = ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"]
    if dialect == "postgresql":
        statements.append("TRUNCATE audit_log")  # SQLite has no TRUNCATE
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(text(statement))
    assert audit.verify(session).ok
