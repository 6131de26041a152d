"""Alert queries and mutations (mixed into the Query and Mutation roots): each a few lines over
hub.alerts.service, errors as union members."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import strawberry

from hub.alerts import reads
from hub.alerts import schemas as alert_schemas
from hub.alerts import service as alerts
from hub.alerts.models import Alert as AlertRow
from hub.errors import HubError
from hub.graphql import inputs
from hub.graphql.context import Info
from hub.graphql.errors import InputError, NotFoundError, PermissionProblem, as_member, validate
from hub.graphql.types.alerts import Alert
from hub.graphql.types.common import Connection, connection
from hub.pagination import PageArgs


@strawberry.input
class AlertTargetsInput:
    state: bool | None = strawberry.field(default=None, description="The whole state.")
    regions: list[str] | None = None
    counties: list[str] | None = strawberry.field(default=None, description="5-digit FIPS.")
    districts: list[str] | None = strawberry.field(default=None, description="LEAIDs.")
    schools: list[str] | None = strawberry.field(default=None, description="NCESSCH ids.")
    roles: list[str] | None = strawberry.field(
        default=None, description="Contact roles (taxonomy contact_roles); none: every role."
    )


@strawberry.input
class AlertInput:
    status: str = strawberry.field(description="Actual, Exercise or Test.")
    category: str = strawberry.field(description="Taxonomy alert_categories slug.")
    event: str
    urgency: str = strawberry.field(description="Immediate, Expected, Future, Past, Unknown.")
    severity: str = strawberry.field(description="Extreme, Severe, Moderate, Minor, Unknown.")
    certainty: str = strawberry.field(description="Observed, Likely, Possible, Unlikely, Unknown.")
    headline: str
    targets: AlertTargetsInput
    channels: list[str] = strawberry.field(description="email, sms, webhook.")
    scope: str | None = strawberry.field(default=None, description="Restricted (default).")
    response: str | None = strawberry.field(
        default=None,
        description="Standard Response Protocol: hold, secure, lockdown, evacuate, shelter, "
        "all-clear.",
    )
    description: str | None = None
    instruction: str | None = None
    expires: datetime | None = None


@strawberry.input
class AlertFilter:
    states: list[str] | None = None
    statuses: list[str] | None = None
    msg_types: list[str] | None = None
    since: datetime | None = None


AlertResult = Annotated[
    Alert | InputError | PermissionProblem | NotFoundError, strawberry.union("AlertResult")
]


def _input(data: AlertInput) -> alert_schemas.AlertInput:
    return validate(alert_schemas.AlertInput, inputs.as_data(data))


def _attempt(info: Info, action: Callable[[], AlertRow]) -> AlertResult:
    """Run `action` in a savepoint; an expected failure rolls it back and becomes a member."""
    try:
        with info.context.session.begin_nested():
            return Alert.from_model(action())
    except HubError as exc:
        return as_member(exc)


@strawberry.type
class AlertQueries:
    @strawberry.field
    def alert(self, info: Info, id: int) -> Alert | None:
        """An alert (state staff)."""
        try:
            row = alerts.get_alert(info.context.session, info.context.principal, alert_id=id)
        except HubError as exc:
            if exc.code == "not_found":
                return None
            raise
        return Alert.from_model(row)

    @strawberry.field
    def alerts(
        self,
        info: Info,
        filter: AlertFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Alert]:
        """Alerts, newest first (state staff)."""
        given = inputs.as_data(filter) if filter is not None else {}
        page = reads.list_alerts(
            info.context.session,
            info.context.principal,
            filter=validate(reads.AlertFilter, given),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, Alert.from_model)


@strawberry.type
class AlertMutations:
    @strawberry.mutation
    def create_alert(self, info: Info, input: AlertInput) -> AlertResult:
        """A new draft (alert authors)."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.create_alert(s, p, data=_input(input)))

    @strawberry.mutation
    def update_draft(self, info: Info, id: int, input: AlertInput) -> AlertResult:
        """Replace a draft's or a rejected alert's content (it becomes a draft)."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.update_draft(s, p, alert_id=id, data=_input(input)))

    @strawberry.mutation
    def submit_alert(self, info: Info, id: int) -> AlertResult:
        """Ask for approval."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.submit_alert(s, p, alert_id=id))

    @strawberry.mutation
    def approve_alert(self, info: Info, id: int) -> AlertResult:
        """Approve and send (an approver who is not the author)."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.approve_alert(s, p, alert_id=id))

    @strawberry.mutation
    def reject_alert(self, info: Info, id: int, reason: str) -> AlertResult:
        """Send a pending alert back with the reason."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.reject_alert(s, p, alert_id=id, reason=reason))

    @strawberry.mutation
    def cancel_alert(self, info: Info, id: int) -> AlertResult:
        """Withdraw an unsent alert, or cancel a sent one: its Cancel goes out at once."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.cancel_alert(s, p, alert_id=id))

    @strawberry.mutation
    def send_all_clear(self, info: Info, id: int) -> AlertResult:
        """Send a sent alert's prepared All Clear; answers with the All Clear."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: alerts.send_all_clear(s, p, alert_id=id))
