"""Alert pages for state staff: the list, compose (with previews and recipient counts), the
approval queue with its confirmation step, and the alert page with live delivery progress and
acknowledgements. Every rule (policy, two-person approval, states, audit) is the service's."""

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from hub.alerts import reads
from hub.alerts import service as alerts
from hub.alerts.models import STATES, Alert
from hub.alerts.schemas import AlertInput
from hub.auth import policy
from hub.auth.policy import Action
from hub.deps import SessionProvider
from hub.errors import Conflict, HubError, http_status
from hub.pagination import PageArgs
from hub.settings import Settings
from hub.web import alert_form
from hub.web import alert_views as views
from hub.web.alert_form import ComposeFields, FormErrors
from hub.web.pages import Viewer, attempt, form_post, page, see_other, signed_in

PAGE_SIZE = 25
LISTED = [s for s in STATES if s != "standby"]
QUEUE_SIZE = 100
# How often the alert page asks for fresh figures (milliseconds).
POLL_MS = 2500


def _save(session: Session, v: Viewer, draft_id: int | None, data: AlertInput) -> Alert:
    if draft_id is None:
        return alerts.create_alert(session, v.principal, data=data)
    return alerts.update_draft(session, v.principal, alert_id=draft_id, data=data)


def _form_field(field: str | None) -> str:
    """Where on the compose form a service error about `field` goes ("" : at the top)."""
    known = set(ComposeFields.model_fields) | {"targets"}
    return field if field in known and field not in ("csrf", "alert_id", "action") else ""


def alerts_router(settings: Settings, sessions: SessionProvider) -> APIRouter:
    """GET /alerts, GET+POST /alerts/new, GET /alerts/queue, GET /alerts/{id} (+ /edit,
    /progress), GET+POST /alerts/{id}/approve, POST /alerts/{id}/reject, /cancel, /all-clear."""
    router = APIRouter()

    def compose_page(
        v: Viewer,
        session: Session,
        fields: ComposeFields,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        previews: Sequence[tuple[str, Any]] = (),
        counts: dict[str, int] | None = None,
    ) -> Response:
        draft = fields.draft_id
        return views.show(
            v,
            "alerts_compose.html",
            status=status,
            title=f"Edit draft alert {draft}" if draft else "New alert",
            form=fields,
            errors=errors or {},
            previews=previews,
            counts=counts,
            choices=alert_form.choices(session),
            statuses=alert_form.STATUSES,
            srp_actions=alert_form.SRP_ACTIONS,
            urgencies=alert_form.URGENCIES,
            severities=alert_form.SEVERITIES,
            certainties=alert_form.CERTAINTIES,
            channels=alert_form.CHANNELS,
            headline_limit=alert_form.HEADLINE_LIMIT,
        )

    def alert_page(
        v: Viewer, session: Session, alert: Alert, *, status: int = 200, **problems: Any
    ) -> Response:
        unsent = alert.state in ("draft", "pending_approval", "rejected", "standby")
        values = {"action_error": None, "reject_error": None, "reason": ""} | problems
        return views.show(
            v,
            "alerts_alert.html",
            status=status,
            title=f"Alert {alert.id}: {alert.headline}",
            alert=alert,
            reach=views.reach(session, alert) if unsent else None,
            figures=views.progress(session, alert),
            actions=views.actions(session, v, alert),
            original=session.get(Alert, alert.references_id) if alert.references_id else None,
            follow_ups=reads.follow_ups(session, alert),
            category=views.category_label(alert.category),
            places=views.target_names(session, alert.targets),
            poll_ms=POLL_MS,
            **values,
        )

    def approve_page(
        v: Viewer, session: Session, alert: Alert, *, status: int = 200, error: str | None = None
    ) -> Response:
        return views.show(
            v,
            "alerts_approve.html",
            status=status,
            title=f"Approve alert {alert.id}",
            alert=alert,
            reach=views.reach(session, alert),
            error=error,
        )

    def act(
        request: Request,
        alert_id: int,
        csrf: str,
        step: Callable[[Session, Viewer], Any],
        *,
        error: str = "action_error",
        **typed: Any,
    ) -> Response:
        """An alert action posted from the alert page: done, back to the alert page; refused,
        the alert page again with the reason in its `error` slot and the `typed` values kept."""
        with form_post(sessions, request, csrf) as (session, v):
            refused = attempt(session, lambda: step(session, v))
            if refused is not None:
                alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
                problems = {error: refused.message} | typed
                return alert_page(v, session, alert, status=http_status(refused), **problems)
        return see_other(f"/alerts/{alert_id}")

    @router.get("/alerts", include_in_schema=False)
    @page
    def listing(request: Request, state: str = "", status: str = "", offset: int = 0) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            chosen = reads.AlertFilter.model_validate(
                {
                    # Prepared Cancels and All Clears (standby) only when asked for.
                    "states": [state] if state in STATES else LISTED,
                    "statuses": [status] if status in ("Actual", "Exercise", "Test") else [],
                }
            )
            found = reads.list_alerts(
                session, v.principal, filter=chosen, page=PageArgs(PAGE_SIZE, max(offset, 0))
            )
            ids = [a.id for a in found.items]
            stats = reads.delivery_stats(session, ids)
            return views.show(
                v,
                "alerts_list.html",
                title="Alerts",
                found=found,
                figures={a.id: views.figures(a.channels, stats[a.id])[1] for a in found.items},
                rollups=reads.ack_rollups(session, ids),
                chosen_state=state,
                chosen_status=status,
                states=STATES,
                page_size=PAGE_SIZE,
            )

    @router.get("/alerts/new", include_in_schema=False)
    @page
    def compose_form(request: Request) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            policy.require(v.principal, Action.COMPOSE_ALERT)
            return compose_page(v, session, ComposeFields.new())

    @router.post("/alerts/new", include_in_schema=False)
    @page
    def compose(request: Request, form: Annotated[ComposeFields, Form()]) -> Response:
        with form_post(sessions, request, form.csrf) as (session, v):
            policy.require(v.principal, Action.COMPOSE_ALERT)
            try:
                data = alert_form.to_input(form)
            except FormErrors as exc:
                return compose_page(v, session, form, status=422, errors=exc.errors)
            try:
                with session.begin_nested():
                    alert = _save(session, v, form.draft_id, data)
                    if form.action == "submit":
                        alerts.submit_alert(session, v.principal, alert_id=alert.id)
            except HubError as exc:
                errors = {_form_field(exc.field): exc.message}
                return compose_page(v, session, form, status=http_status(exc), errors=errors)
            if form.action == "submit":
                return see_other(f"/alerts/{alert.id}")
            form.alert_id = str(alert.id)
            previews = [
                (ch, reads.preview(session, v.principal, alert, ch)) for ch in data.channels
            ]
            return compose_page(
                v, session, form, previews=previews, counts=views.reach(session, alert)
            )

    @router.get("/alerts/queue", include_in_schema=False)
    @page
    def queue(request: Request) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            policy.require(v.principal, Action.APPROVE_ALERT)
            waiting = reads.list_alerts(
                session,
                v.principal,
                filter=reads.AlertFilter(states=["pending_approval"]),
                page=PageArgs(QUEUE_SIZE, 0),
            )
            return views.show(
                v,
                "alerts_queue.html",
                title="Alerts awaiting approval",
                items=[(a, views.reach(session, a)) for a in waiting.items],
                total=waiting.total,
            )

    @router.get("/alerts/{alert_id}", include_in_schema=False)
    @page
    def detail(request: Request, alert_id: int) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
            return alert_page(v, session, alert)

    @router.get("/alerts/{alert_id}/progress", include_in_schema=False)
    @page
    def progress_figures(request: Request, alert_id: int) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
            return JSONResponse(
                views.progress(session, alert), headers={"Cache-Control": "no-store"}
            )

    @router.get("/alerts/{alert_id}/edit", include_in_schema=False)
    @page
    def edit(request: Request, alert_id: int) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            policy.require(v.principal, Action.COMPOSE_ALERT)
            alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
            if alert.state not in alerts.EDITABLE:
                state = views.STATE_LABEL[alert.state]
                raise Conflict(
                    f"alert {alert.id} is {state}; only a draft or rejected one can be edited"
                )
            return compose_page(v, session, alert_form.from_alert(alert))

    @router.get("/alerts/{alert_id}/approve", include_in_schema=False)
    @page
    def approve_form(request: Request, alert_id: int) -> Response:
        with sessions(False) as session:
            v = signed_in(request, session)
            alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
            return approve_page(v, session, alert)

    @router.post("/alerts/{alert_id}/approve", include_in_schema=False)
    @page
    def approve(
        request: Request,
        alert_id: int,
        csrf: Annotated[str, Form()] = "",
        confirm: Annotated[str, Form()] = "",
        expected: Annotated[str, Form()] = "",
    ) -> Response:
        with form_post(sessions, request, csrf) as (session, v):
            alert = alerts.get_alert(session, v.principal, alert_id=alert_id)
            reach = views.reach(session, alert)["contacts"]
            recipients = views.plural(reach, "recipient")
            if confirm != "yes":
                error = f"Tick “Send {alert.status.upper()} alert to {recipients}” to approve."
                return approve_page(v, session, alert, status=422, error=error)
            if expected != str(reach):
                error = (
                    f"The alert now reaches {recipients}, not {expected or '?'} as when the "
                    "page was shown. Check the figures and confirm again."
                )
                return approve_page(v, session, alert, status=409, error=error)
            refused = attempt(
                session, lambda: alerts.approve_alert(session, v.principal, alert_id=alert_id)
            )
            if refused is not None:
                return approve_page(
                    v, session, alert, status=http_status(refused), error=refused.message
                )
        return see_other(f"/alerts/{alert_id}")

    @router.post("/alerts/{alert_id}/reject", include_in_schema=False)
    @page
    def reject(
        request: Request,
        alert_id: int,
        csrf: Annotated[str, Form()] = "",
        reason: Annotated[str, Form()] = "",
    ) -> Response:
        return act(
            request,
            alert_id,
            csrf,
            lambda s, v: alerts.reject_alert(s, v.principal, alert_id=alert_id, reason=reason),
            error="reject_error",
            reason=reason,
        )

    @router.post("/alerts/{alert_id}/cancel", include_in_schema=False)
    @page
    def cancel(request: Request, alert_id: int, csrf: Annotated[str, Form()] = "") -> Response:
        return act(
            request,
            alert_id,
            csrf,
            lambda s, v: alerts.cancel_alert(s, v.principal, alert_id=alert_id),
        )

    @router.post("/alerts/{alert_id}/all-clear", include_in_schema=False)
    @page
    def all_clear(request: Request, alert_id: int, csrf: Annotated[str, Form()] = "") -> Response:
        return act(
            request,
            alert_id,
            csrf,
            lambda s, v: alerts.send_all_clear(s, v.principal, alert_id=alert_id),
        )

    return router
