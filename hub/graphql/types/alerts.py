"""Alerts as GraphQL types: the CAP-shaped alert, its previews, counts and delivery figures."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from hub.alerts import cap_export, models, targeting
from hub.alerts import reads as alerts
from hub.alerts.schemas import Channel
from hub.errors import InvalidInput
from hub.graphql.context import Info


@strawberry.federation.type(shareable=True)
class AlertTargets:
    """Where the alert goes; roles empty means every role."""

    state: bool
    regions: list[str]
    counties: list[str] = strawberry.field(description="5-digit county FIPS codes.")
    districts: list[str] = strawberry.field(description="District NCES ids (LEAID).")
    schools: list[str] = strawberry.field(description="School NCES ids (NCESSCH).")
    roles: list[str]


@strawberry.federation.type(shareable=True)
class MessagePreview:
    """A rendered message: subject and text always, HTML for e-mail, the JSON of a webhook."""

    channel: str
    subject: str
    text: str
    html: str | None
    data: JSON | None


@strawberry.federation.type(shareable=True)
class RecipientsCount:
    """Whom the targets reach now: contacts, and messages per channel."""

    contacts: int
    email: int
    sms: int
    webhook: int


@strawberry.federation.type(shareable=True)
class DeliveryStat:
    """Deliveries of one channel in one status (queued, sending, sent, failed)."""

    channel: str
    status: str
    count: int


@strawberry.federation.type(shareable=True)
class AckRollup:
    """Acknowledgements by district: `summary` reads "42 of 172 districts acknowledged"."""

    districts_acknowledged: int
    districts_reached: int
    contacts_acknowledged: int
    summary: str


@strawberry.federation.type(shareable=True)
class Alert:
    """An alert, shaped like CAP 1.2 (status, msgType, scope, category, urgency, severity,
    certainty), with `response` the Standard Response Protocol action, and its lifecycle
    `state`: draft, pending_approval, approved, rejected, standby, dispatching, dispatched,
    updated, cancelled, expired."""

    model: strawberry.Private[models.Alert]
    id: int
    identifier: str
    sender: str
    status: str
    msg_type: str
    scope: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    response: str | None
    headline: str
    description: str
    instruction: str
    expires: datetime | None
    targets: AlertTargets
    channels: list[str]
    state: str
    author: str
    approver: str | None
    rejection_reason: str | None
    source: str | None = strawberry.field(description="The upstream CAP message, if any.")
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    sent_at: datetime | None
    dispatched_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def from_model(cls, a: models.Alert) -> "Alert":
        t = a.targets
        return cls(
            model=a,
            id=a.id,
            identifier=a.identifier,
            sender=a.sender,
            status=a.status,
            msg_type=a.msg_type,
            scope=a.scope,
            category=a.category,
            event=a.event,
            urgency=a.urgency,
            severity=a.severity,
            certainty=a.certainty,
            response=a.response,
            headline=a.headline,
            description=a.description,
            instruction=a.instruction,
            expires=a.expires,
            targets=AlertTargets(
                state=bool(t.get("state")),
                regions=list(t.get("regions", [])),
                counties=list(t.get("counties", [])),
                districts=list(t.get("districts", [])),
                schools=list(t.get("schools", [])),
                roles=list(t.get("roles", [])),
            ),
            channels=list(a.channels),
            state=a.state,
            author=a.author,
            approver=a.approver,
            rejection_reason=a.rejection_reason,
            source=a.source,
            created_at=a.created_at,
            submitted_at=a.submitted_at,
            decided_at=a.decided_at,
            sent_at=a.sent_at,
            dispatched_at=a.dispatched_at,
            closed_at=a.closed_at,
        )

    @strawberry.field
    def references(self, info: Info) -> "Alert | None":
        """The alert this one updates or cancels."""
        if self.model.references_id is None:
            return None
        row = info.context.session.get(models.Alert, self.model.references_id)
        return None if row is None else Alert.from_model(row)

    @strawberry.field
    def preview(self, info: Info, channel: str) -> MessagePreview:
        """The message on `channel` (email, sms, webhook) for a sample recipient."""
        chosen = _channel(channel)
        shown = alerts.preview(info.context.session, info.context.principal, self.model, chosen)
        return MessagePreview(
            channel=chosen,
            subject=shown.subject,
            text=shown.text,
            html=shown.html,
            data=shown.data or None,  # type: ignore[arg-type]  # strawberry's JSON is Any
        )

    @strawberry.field
    def cap(self, info: Info) -> str:
        """The alert as CAP 1.2 XML (validates against the OASIS schema)."""
        session = info.context.session
        xml = cap_export.to_cap(
            self.model,
            references=cap_export.references_for(session, self.model),
            areas=cap_export.areas_for(session, self.model),
        )
        return xml.decode("utf-8")

    @strawberry.field
    def recipients_count(self, info: Info) -> RecipientsCount:
        """Counted from the directory now (for a draft: who would get it if sent now)."""
        c = targeting.count(info.context.session, self.model.targets, self.model.channels)
        return RecipientsCount(
            contacts=c["contacts"],
            email=c.get("email", 0),
            sms=c.get("sms", 0),
            webhook=c.get("webhook", 0),
        )

    @strawberry.field
    async def delivery_stats(self, info: Info) -> list[DeliveryStat]:
        rows = await info.context.loaders.delivery_stats_by_alert_id_loader.load(self.id)
        return [DeliveryStat(channel=r.channel, status=r.status, count=r.count) for r in rows]

    @strawberry.field
    async def acknowledgements(self, info: Info) -> AckRollup:
        r = await info.context.loaders.ack_rollup_by_alert_id_loader.load(self.id)
        return AckRollup(
            districts_acknowledged=r.districts_acknowledged,
            districts_reached=r.districts_reached,
            contacts_acknowledged=r.contacts_acknowledged,
            summary=r.summary,
        )


def _channel(value: str) -> Channel:
    if value not in models.CHANNELS:
        raise InvalidInput(f"channel is one of {', '.join(models.CHANNELS)}", field="channel")
    return value  # type: ignore[return-value]
