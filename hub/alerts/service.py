"""The alert lifecycle and who may move it: compose, submit, approve (two people), reject,
cancel, All Clear, expire. Every transition is audited; approval dispatches in the same
transaction (hub.alerts.dispatch), so an approved alert always has its deliveries."""

import logging
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub import audit
from hub.alerts import dispatch, targeting
from hub.alerts.models import Alert, Delivery
from hub.alerts.schemas import AlertInput
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.db import utcnow
from hub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from hub.settings import get_settings

log = logging.getLogger(__name__)

EDITABLE = ("draft", "rejected")
WITHDRAWABLE = ("draft", "pending_approval", "rejected")
SENT = ("dispatching", "dispatched")
# The fields AlertInput sets; an update audits their before and after.
FIELDS = (
    "status",
    "scope",
    "category",
    "event",
    "urgency",
    "severity",
    "certainty",
    "response",
    "headline",
    "description",
    "instruction",
    "expires",
    "targets",
    "channels",
)


def snapshot(alert: Alert) -> dict[str, Any]:
    """An alert as the audit log keeps it."""
    out = {f: getattr(alert, f) for f in FIELDS}
    return out | {
        "identifier": alert.identifier,
        "msg_type": alert.msg_type,
        "state": alert.state,
        "author": alert.author,
        "approver": alert.approver,
        "references_id": alert.references_id,
    }


def _log(session: Session, principal: Principal, action: str, alert: Alert, before: Any) -> None:
    log.info(
        "alert %s %s by %s (now %s)",
        alert.id,
        action,
        principal.actor,
        alert.state,
        extra={"alert_id": alert.identifier},
    )
    audit.record(
        session,
        actor=principal.actor,
        action=f"alert.{action}",
        entity_type="alert",
        entity_id=alert.id,
        before=before,
        after=snapshot(alert),
    )


def sender() -> str:
    """CAP sender: the center, at the hub's public host."""
    settings = get_settings()
    host = urlsplit(settings.public_base_url).hostname or "localhost"
    return f"{settings.center_slug}@{host}"


def _identifier(now: datetime) -> str:
    return f"{get_settings().center_slug}-{now:%Y%m%d}-{uuid.uuid4().hex[:12]}"


def _columns(data: AlertInput) -> dict[str, Any]:
    values = data.model_dump(mode="python")
    values["targets"] = data.targets.model_dump(mode="json")
    return {f: values[f] for f in FIELDS}


def get_alert(session: Session, principal: Principal, *, alert_id: int) -> Alert:
    """An alert state staff may read; NotFound for an unknown id."""
    policy.require(principal, Action.READ_ALERTS)
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}", field="id")
    return alert


def _locked(session: Session, alert_id: int) -> Alert:
    """The alert, its row locked (PostgreSQL) so two approvers cannot both act on it."""
    query = select(Alert).where(Alert.id == alert_id).with_for_update()
    alert = session.scalar(query.execution_options(populate_existing=True))
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}", field="id")
    return alert


def _expect(alert: Alert, states: tuple[str, ...], doing: str) -> None:
    if alert.state not in states:
        raise Conflict(
            f"alert {alert.id} is {alert.state}; only an alert that is "
            f"{' or '.join(s.replace('_', ' ') for s in states)} can be {doing}",
            field="id",
        )


def create_alert(
    session: Session, principal: Principal, *, data: AlertInput, source: str | None = None
) -> Alert:
    """A new draft by an alert author; `source` names an upstream CAP message it came from."""
    policy.require(principal, Action.COMPOSE_ALERT)
    now = utcnow()
    alert = Alert(
        identifier=_identifier(now),
        sender=sender(),
        msg_type="Alert",
        state="draft",
        author=principal.actor,
        source=source,
        created_at=now,
        **_columns(data),
    )
    session.add(alert)
    session.flush()
    _log(session, principal, "create", alert, None)
    return alert


def update_draft(
    session: Session, principal: Principal, *, alert_id: int, data: AlertInput
) -> Alert:
    """Replace a draft's (or a rejected alert's) content; a rejected one becomes a draft again."""
    policy.require(principal, Action.COMPOSE_ALERT)
    alert = _locked(session, alert_id)
    _expect(alert, EDITABLE, "edited")
    before = snapshot(alert)
    for name, value in _columns(data).items():
        setattr(alert, name, value)
    alert.state, alert.rejection_reason = "draft", None
    session.flush()
    _log(session, principal, "update", alert, before)
    return alert


def submit_alert(session: Session, principal: Principal, *, alert_id: int) -> Alert:
    """Ask for approval. Refused when nobody would receive it: better now than at 2 a.m."""
    policy.require(principal, Action.COMPOSE_ALERT)
    alert = _locked(session, alert_id)
    _expect(alert, ("draft",), "submitted")
    if alert.expires is not None and alert.expires <= utcnow():
        raise InvalidInput("the alert has already expired; change expires", field="expires")
    counts = targeting.count(session, alert.targets, alert.channels)
    if counts["contacts"] == 0:
        raise InvalidInput(
            "no contact with these channels matches the targets; nobody would receive it",
            field="targets",
        )
    before = snapshot(alert)
    alert.state, alert.submitted_at = "pending_approval", utcnow()
    session.flush()
    _log(session, principal, "submit", alert, before)
    return alert


def _may_approve(principal: Principal, alert: Alert) -> None:
    """An approver who did not write it; for an Exercise or Test, when the setting allows, also
    its own author (an alert author running a drill needs no second person then)."""
    own = principal.actor == alert.author
    if own and alert.status != "Actual" and get_settings().alerts_allow_self_approval_of_exercises:
        policy.require(principal, Action.COMPOSE_ALERT)
        return
    policy.require(principal, Action.APPROVE_ALERT)
    if not own:
        return
    raise PermissionDenied(
        f"{principal.actor} wrote alert {alert.id}: another approver must approve it "
        "(two-person rule)"
    )


def approve_alert(session: Session, principal: Principal, *, alert_id: int) -> Alert:
    """Approve and dispatch in one transaction: deliveries and outbox rows are written with the
    approval, and an Actual alert gets its Cancel and All Clear companions, approved with it."""
    alert = _locked(session, alert_id)
    _may_approve(principal, alert)
    _expect(alert, ("pending_approval",), "approved")
    before = snapshot(alert)
    alert.state, alert.approver, alert.decided_at = "approved", principal.actor, utcnow()
    _log(session, principal, "approve", alert, before)
    if alert.status == "Actual" and alert.msg_type == "Alert":
        for kind in ("cancel", "all-clear"):
            companion = _companion(alert, kind)
            session.add(companion)
            session.flush()
            _log(session, principal, f"prepare_{kind.replace('-', '_')}", companion, None)
    _send(session, principal, alert)
    return alert


def _companion(alert: Alert, kind: str) -> Alert:
    """The Cancel (msgType Cancel) or All Clear (an Update with response all-clear) of
    `alert`: same targets and channels, approved with it, waiting in standby."""
    now = utcnow()
    values = {f: getattr(alert, f) for f in FIELDS}
    if kind == "cancel":
        values |= {
            "headline": f"CANCEL: {alert.headline}"[:160],
            "description": f"Disregard the earlier alert: {alert.headline}",
            "instruction": "Disregard the earlier alert. No action is needed.",
            "urgency": "Immediate",
            "certainty": "Observed",
            "severity": "Minor",
            "response": None,
        }
    else:
        values |= {
            "headline": f"ALL CLEAR: {alert.headline}"[:160],
            "description": f"The situation is over: {alert.headline}",
            "instruction": "All clear. Resume normal activities.",
            "urgency": "Immediate",
            "certainty": "Observed",
            "severity": "Minor",
            "response": "all-clear",
        }
    return Alert(
        identifier=_identifier(now),
        sender=alert.sender,
        msg_type="Cancel" if kind == "cancel" else "Update",
        state="standby",
        author=alert.author,
        approver=alert.approver,
        decided_at=alert.decided_at,
        references_id=alert.id,
        created_at=now,
        **values,
    )


def _send(session: Session, principal: Principal, alert: Alert) -> None:
    before = snapshot(alert)
    alert.state, alert.sent_at = "dispatching", utcnow()
    made = dispatch.dispatch(session, alert)
    if made == 0:
        alert.state, alert.dispatched_at = "dispatched", alert.sent_at
    session.flush()
    _log(session, principal, "dispatch", alert, before | {"deliveries": made})


def reject_alert(session: Session, principal: Principal, *, alert_id: int, reason: str) -> Alert:
    """Send a pending alert back to its author with the reason."""
    alert = _locked(session, alert_id)
    policy.require(principal, Action.APPROVE_ALERT)
    _expect(alert, ("pending_approval",), "rejected")
    if not reason.strip():
        raise InvalidInput("say why the alert is rejected", field="reason")
    before = snapshot(alert)
    alert.state, alert.rejection_reason = "rejected", reason.strip()[:2000]
    alert.approver, alert.decided_at = principal.actor, utcnow()
    session.flush()
    _log(session, principal, "reject", alert, before)
    return alert


def companion(session: Session, alert: Alert, msg_type: str) -> Alert | None:
    """The standby Cancel or All Clear (msg_type Update) of an approved alert."""
    return session.scalar(
        select(Alert).where(
            Alert.references_id == alert.id,
            Alert.msg_type == msg_type,
            Alert.state == "standby",
        )
    )


def cancel_alert(session: Session, principal: Principal, *, alert_id: int) -> Alert:
    """Withdraw an alert not yet sent (its author or an approver), or cancel a sent one (an
    approver): its prepared Cancel goes out to the same recipients at once, and its messages
    not yet sent are stopped. Returns the alert that was cancelled."""
    alert = _locked(session, alert_id)
    if alert.state in WITHDRAWABLE:
        if principal.actor != alert.author:
            policy.require(principal, Action.APPROVE_ALERT)
        policy.require(principal, Action.READ_ALERTS)
        before = snapshot(alert)
        alert.state, alert.closed_at = "cancelled", utcnow()
        session.flush()
        _log(session, principal, "withdraw", alert, before)
        return alert
    policy.require(principal, Action.APPROVE_ALERT)
    _expect(alert, SENT, "cancelled")
    _close(session, principal, alert, "cancelled", "Cancel")
    return alert


def send_all_clear(session: Session, principal: Principal, *, alert_id: int) -> Alert:
    """Send the prepared All Clear of a sent alert; the alert becomes `updated`. Returns the
    All Clear."""
    alert = _locked(session, alert_id)
    policy.require(principal, Action.APPROVE_ALERT)
    _expect(alert, SENT, "given an All Clear")
    return _close(session, principal, alert, "updated", "Update")


def _close(
    session: Session, principal: Principal, alert: Alert, state: str, msg_type: str
) -> Alert:
    follow = companion(session, alert, msg_type)
    if follow is None:
        word = "Cancel" if msg_type == "Cancel" else "All Clear"
        raise Conflict(f"alert {alert.id} has no prepared {word} (already sent?)", field="id")
    before = snapshot(alert)
    alert.state, alert.closed_at = state, utcnow()
    _log(session, principal, state, alert, before)
    stop_unsent(session, alert, f"the alert was {state} before this was sent")
    other = companion(session, alert, "Update" if msg_type == "Cancel" else "Cancel")
    if other is not None:
        other.state = "cancelled"
    _send(session, principal, follow)
    return follow


def stop_unsent(session: Session, alert: Alert, reason: str) -> int:
    """Mark the alert's still-queued deliveries failed with `reason` (a worker that claims
    one later finds nothing to send)."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.alert_id == alert.id, Delivery.status == "queued")
        .values(status="failed", last_error=reason, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def expire_alerts(session: Session, principal: Principal, now: datetime) -> list[Alert]:
    """Mark sent alerts past their `expires` as expired (the scheduler runs this)."""
    due = session.scalars(
        select(Alert).where(Alert.state.in_(SENT), Alert.expires.is_not(None), Alert.expires <= now)
    ).all()
    for alert in due:
        before = snapshot(alert)
        alert.state, alert.closed_at = "expired", now
        stop_unsent(session, alert, "the alert expired before this was sent")
        for msg_type in ("Cancel", "Update"):
            follow = companion(session, alert, msg_type)
            if follow is not None:
                follow.state = "expired"
        _log(session, principal, "expire", alert, before)
    session.flush()
    return list(due)
