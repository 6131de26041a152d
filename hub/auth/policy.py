"""The one place that decides permissions. Every mutation and every contact field asks here.

Rules:
- anyone (also anonymous) reads the public catalog: programs, practices that are published,
  districts, schools, centers, and contacts' names, titles and roles;
- a contact's e-mail and phone: state staff (admin, author, approver) see all; a district user sees
  their own district's (and its schools'); nobody else does;
- state admins manage the catalog, users and every district's contacts;
- a district user manages their own district's contacts and submits practices for review;
- imports are for state admins;
- alert authors compose and submit alerts; alert approvers approve, reject, cancel and send the
  All Clear (the two-person rule itself, approver != author, lives in hub.alerts.service);
  state staff read alerts and their delivery figures;
- state admins manage partner agreements and run syncs; a partner center (by the token we issued
  it) reads the change feed as its agreement allows and pushes its changes, and nothing else.
"""

from dataclasses import dataclass
from enum import StrEnum

from hub.errors import PermissionDenied

STATE_STAFF = frozenset({"state_admin", "alert_author", "alert_approver"})


class Action(StrEnum):
    """What a caller may ask to do."""

    MANAGE_CATALOG = "manage the catalog"
    SUBMIT_PRACTICE = "submit a practice"
    REVIEW_PRACTICE = "review practices"
    MANAGE_CONTACTS = "manage contacts"
    READ_CONTACT_DETAILS = "read contact e-mail and phone"
    READ_UNPUBLISHED = "read unpublished practices"
    MANAGE_USERS = "manage users"
    RUN_IMPORT = "run imports"
    READ_AUDIT = "read the audit log"
    COMPOSE_ALERT = "compose and submit alerts"
    APPROVE_ALERT = "approve, reject or cancel alerts"
    READ_ALERTS = "read alerts"
    MANAGE_PARTNERS = "manage partner centers and run syncs"
    READ_CHANGES = "read the change feed"
    PUSH_CHANGES = "push changes"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a user, or anonymous (user_id None)."""

    user_id: int | None = None
    username: str = "anonymous"
    role: str | None = None
    district_id: int | None = None
    center_id: int | None = None
    # A partner center's slug, when the caller is one (role "partner").
    partner: str | None = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None or self.partner is not None

    @property
    def actor(self) -> str:
        """How the audit log names this caller."""
        return self.username


ANONYMOUS = Principal()
SYSTEM = Principal(user_id=0, username="system", role="state_admin")


def allows(principal: Principal, action: Action, *, district_id: int | None = None) -> bool:
    """Whether `principal` may do `action`; `district_id` is the district the target belongs to."""
    role = principal.role
    if role is None:
        return False
    if role == "state_admin":
        return True
    match action:
        case Action.READ_CONTACT_DETAILS:
            if role in STATE_STAFF:
                return True
            return role == "district_user" and _same_district(principal, district_id)
        case Action.MANAGE_CONTACTS:
            return role == "district_user" and _same_district(principal, district_id)
        case Action.SUBMIT_PRACTICE:
            return role == "district_user"
        case Action.READ_UNPUBLISHED | Action.READ_ALERTS:
            return role in STATE_STAFF
        case Action.COMPOSE_ALERT:
            return role == "alert_author"
        case Action.APPROVE_ALERT:
            return role == "alert_approver"
        case Action.READ_CHANGES | Action.PUSH_CHANGES:
            return role == "partner" and principal.partner is not None
        case _:
            return False


def require(principal: Principal, action: Action, *, district_id: int | None = None) -> None:
    """Raise PermissionDenied unless `principal` may do `action`."""
    if not allows(principal, action, district_id=district_id):
        who = principal.username if principal.authenticated else "an anonymous caller"
        raise PermissionDenied(f"{who} may not {action.value}")


def _same_district(principal: Principal, district_id: int | None) -> bool:
    return district_id is not None and principal.district_id == district_id
