"""The permission rules of hub/auth/policy.py, as a table."""

import pytest

from hub.auth.policy import ANONYMOUS, SYSTEM, Action, Principal, allows, require
from hub.errors import PermissionDenied

OWN, OTHER = 1, 2

PRINCIPALS = {
    "anonymous": ANONYMOUS,
    "state_admin": Principal(user_id=10, username="admin", role="state_admin"),
    "alert_author": Principal(user_id=11, username="author", role="alert_author"),
    "alert_approver": Principal(user_id=12, username="approver", role="alert_approver"),
    "district_user": Principal(user_id=13, username="dee", role="district_user", district_id=OWN),
    "partner": Principal(user_id=14, username="peer", role="partner", center_id=5),
    "viewer": Principal(user_id=15, username="viewer", role="viewer"),
}

A = Action
# (who, action, district the target belongs to, allowed?)
RULES = [
    # state admins may do everything
    *[("state_admin", action, OTHER, True) for action in Action],
    # contact details: state staff see all; a district user only their own district's
    ("alert_author", A.READ_CONTACT_DETAILS, OTHER, True),
    ("alert_approver", A.READ_CONTACT_DETAILS, OTHER, True),
    ("district_user", A.READ_CONTACT_DETAILS, OWN, True),
    ("district_user", A.READ_CONTACT_DETAILS, OTHER, False),
    ("district_user", A.READ_CONTACT_DETAILS, None, False),
    ("viewer", A.READ_CONTACT_DETAILS, OWN, False),
    ("partner", A.READ_CONTACT_DETAILS, OWN, False),
    ("anonymous", A.READ_CONTACT_DETAILS, OWN, False),
    # contacts are managed by admins and by the owning district
    ("district_user", A.MANAGE_CONTACTS, OWN, True),
    ("district_user", A.MANAGE_CONTACTS, OTHER, False),
    ("alert_author", A.MANAGE_CONTACTS, OWN, False),
    ("viewer", A.MANAGE_CONTACTS, OWN, False),
    # practices: district users submit, state staff read unpublished, admins review
    ("district_user", A.SUBMIT_PRACTICE, None, True),
    ("alert_author", A.SUBMIT_PRACTICE, None, False),
    ("viewer", A.SUBMIT_PRACTICE, None, False),
    ("alert_author", A.READ_UNPUBLISHED, None, True),
    ("alert_approver", A.READ_UNPUBLISHED, None, True),
    ("district_user", A.READ_UNPUBLISHED, None, False),
    ("viewer", A.READ_UNPUBLISHED, None, False),
    ("anonymous", A.READ_UNPUBLISHED, None, False),
    ("alert_approver", A.REVIEW_PRACTICE, None, False),
    ("district_user", A.REVIEW_PRACTICE, OWN, False),
    # alerts: authors compose, approvers decide, state staff read; nobody else
    ("alert_author", A.COMPOSE_ALERT, None, True),
    ("alert_author", A.APPROVE_ALERT, None, False),
    ("alert_approver", A.APPROVE_ALERT, None, True),
    ("alert_approver", A.COMPOSE_ALERT, None, False),
    ("alert_author", A.READ_ALERTS, None, True),
    ("alert_approver", A.READ_ALERTS, None, True),
    *[
        (who, action, OWN, False)
        for who in ("district_user", "partner", "viewer")
        for action in (A.COMPOSE_ALERT, A.APPROVE_ALERT, A.READ_ALERTS)
    ],
    # catalog, users, imports and the audit log are for admins only
    *[
        (who, action, OWN, False)
        for who in ("alert_author", "alert_approver", "district_user", "partner", "viewer")
        for action in (A.MANAGE_CATALOG, A.MANAGE_USERS, A.RUN_IMPORT, A.READ_AUDIT)
    ],
    *[("anonymous", action, OWN, False) for action in Action],
]


@pytest.mark.parametrize(
    ("who", "action", "district_id", "expected"),
    RULES,
    ids=[f"{w}-{a.name}-{d}" for w, a, d, _ in RULES],
)
def test_allows(who: str, action: Action, district_id: int | None, expected: bool) -> None:
    assert allows(PRINCIPALS[who], action, district_id=district_id) is expected


def test_system_acts_as_state_admin() -> None:
    assert all(allows(SYSTEM, action) for action in Action)
    assert SYSTEM.actor == "system"


def test_require_names_the_caller_and_the_action() -> None:
    with pytest.raises(PermissionDenied, match="viewer may not manage the catalog"):
        require(PRINCIPALS["viewer"], Action.MANAGE_CATALOG)
    with pytest.raises(PermissionDenied, match="an anonymous caller may not manage users"):
        require(ANONYMOUS, Action.MANAGE_USERS)
    require(PRINCIPALS["district_user"], Action.MANAGE_CONTACTS, district_id=OWN)
    assert not ANONYMOUS.authenticated
    assert PRINCIPALS["viewer"].authenticated
