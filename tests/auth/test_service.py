"""Users, argon2 passwords and bearer tokens, on both databases."""

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit import AuditEntry
from hub.auth import service as auth
from hub.auth.models import ApiToken, User
from hub.auth.policy import SYSTEM, Principal
from hub.directory.models import Center, District
from hub.errors import Conflict, InvalidInput, NotFound, PermissionDenied


@pytest.fixture
def district(session: Session) -> District:
    row = District(nces_id="9912345", name="Cedarbrook School District", state="ZZ")
    session.add(row)
    session.flush()
    return row


PASSWORD = "s3cret pass"


def _user(session: Session, username: str = "ann", password: str | None = PASSWORD) -> User:
    return auth.create_user(
        session, SYSTEM, username=username, role="alert_author", password=password
    )


def test_password_is_stored_as_an_argon2id_hash(session: Session) -> None:
    user = _user(session)
    assert user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$")
    assert "s3cret pass" not in user.password_hash


def test_authenticate_right_wrong_unknown_and_inactive(session: Session) -> None:
    user = _user(session)
    assert auth.authenticate(session, username="ann", password="s3cret pass") is user
    assert auth.authenticate(session, username="ann", password="wrong") is None
    assert auth.authenticate(session, username="nobody", password="s3cret pass") is None
    user.active = False
    session.flush()
    assert auth.authenticate(session, username="ann", password="s3cret pass") is None


def test_user_without_password_cannot_sign_in_with_one(session: Session) -> None:
    _user(session, "machine", password=None)
    assert auth.authenticate(session, username="machine", password="") is None


def test_token_is_shown_once_and_only_its_sha256_is_stored(session: Session) -> None:
    _user(session)
    row, token = auth.create_token(session, SYSTEM, username="ann", name="ci")
    assert token.startswith(auth.TOKEN_PREFIX)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = session.execute(select(ApiToken.__table__)).all()
    assert all(token not in (str(v) for v in r) for r in stored)
    principal = auth.principal_for_token(session, token)
    assert principal is not None
    assert (principal.username, principal.role) == ("ann", "alert_author")


def test_revoked_unknown_and_inactive_tokens_resolve_to_nobody(session: Session) -> None:
    user = _user(session)
    revoked, revoked_token = auth.create_token(session, SYSTEM, username="ann")
    _, live_token = auth.create_token(session, SYSTEM, username="ann")
    auth.revoke_token(session, SYSTEM, token_id=revoked.id)
    session.flush()
    assert auth.principal_for_token(session, revoked_token) is None
    assert auth.principal_for_token(session, live_token) is not None
    assert auth.principal_for_token(session, "hub_not-a-real-token") is None
    user.active = False
    session.flush()
    assert auth.principal_for_token(session, live_token) is None


def test_unknown_user_or_token_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as exc:
        auth.create_token(session, SYSTEM, username="ghost")
    assert exc.value.field == "username"
    with pytest.raises(NotFound) as exc:
        auth.revoke_token(session, SYSTEM, token_id=987654)
    assert exc.value.field == "id"


def test_district_user_needs_an_existing_district(session: Session, district: District) -> None:
    with pytest.raises(InvalidInput) as exc:
        auth.create_user(session, SYSTEM, username="dee", role="district_user")
    assert exc.value.field == "district"
    with pytest.raises(InvalidInput):
        auth.create_user(
            session, SYSTEM, username="dee", role="district_user", district_nces_id="12-34"
        )
    with pytest.raises(NotFound):
        auth.create_user(
            session, SYSTEM, username="dee", role="district_user", district_nces_id="9900000"
        )
    user = auth.create_user(
        session, SYSTEM, username="dee", role="district_user", district_nces_id="9912345"
    )
    assert user.district_id == district.id
    assert auth.principal_of(user).district_id == district.id


def test_database_refuses_a_district_user_without_district(session: Session) -> None:
    session.add(User(username="sneaky", role="district_user"))
    with pytest.raises(IntegrityError), session.begin_nested():
        session.flush()


def test_partner_needs_a_center(session: Session) -> None:
    with pytest.raises(InvalidInput) as exc:
        auth.create_user(session, SYSTEM, username="peer", role="partner")
    assert exc.value.field == "center"
    with pytest.raises(NotFound):
        auth.create_user(session, SYSTEM, username="peer", role="partner", center_slug="nowhere")
    center = session.scalar(select(Center).where(Center.is_local.is_(True)))
    assert center is not None
    user = auth.create_user(
        session, SYSTEM, username="peer", role="partner", center_slug=center.slug
    )
    assert user.center_id == center.id


def test_unknown_role_and_duplicate_username_are_refused(session: Session) -> None:
    with pytest.raises(InvalidInput) as exc:
        auth.create_user(session, SYSTEM, username="wiz", role="wizard")
    assert exc.value.field == "role"
    assert "state_admin" in exc.value.message
    _user(session)
    with pytest.raises(Conflict):
        _user(session)


def test_only_admins_manage_users_and_tokens(session: Session) -> None:
    _user(session)
    author = Principal(user_id=1, username="ann", role="alert_author")
    with pytest.raises(PermissionDenied):
        auth.create_user(session, author, username="eve", role="state_admin")
    with pytest.raises(PermissionDenied):
        auth.create_token(session, author, username="ann")


def test_user_and_token_changes_are_audited(session: Session) -> None:
    user = _user(session)
    row, _ = auth.create_token(session, SYSTEM, username="ann", name="ci")
    auth.revoke_token(session, SYSTEM, token_id=row.id)
    session.flush()
    entries = session.scalars(
        select(AuditEntry).where(AuditEntry.entity_id.in_([str(user.id), str(row.id)]))
    ).all()
    actions = [(e.action, e.entity_type, e.actor) for e in entries]
    assert ("user.create", "user", "system") in actions
    assert ("token.create", "api_token", "system") in actions
    assert ("token.revoke", "api_token", "system") in actions
    created = next(e for e in entries if e.action == "token.create")
    assert created.after == {"user": "ann", "name": "ci"}
