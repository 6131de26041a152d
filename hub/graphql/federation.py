"""Federation in GraphQL (mixed into the Query and Mutation roots): the change feed for partners,
and partner agreements, sync runs and the deletion breaker for state admins."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.scalars import JSON

from hub.auth.policy import Action, require
from hub.errors import HubError
from hub.federation import partners
from hub.federation import schemas as federation_schemas
from hub.federation.feed import STAFF, changes, parse_cursor
from hub.federation.manual import sync_now
from hub.federation.models import Partner as PartnerRow
from hub.federation.models import SyncAlert as SyncAlertRow
from hub.federation.models import SyncRun as SyncRunRow
from hub.graphql import inputs
from hub.graphql.context import Info
from hub.graphql.errors import InputError, NotFoundError, PermissionProblem, as_member, validate

R = TypeVar("R")
MAX_FEED_PAGE = 1000


@strawberry.federation.type(shareable=True)
class Rejection:
    """A change a sync refused, and why."""

    type: str | None
    origin_center: str | None
    origin_id: str | None
    reason: str


@strawberry.federation.type(shareable=True)
class SyncRun:
    """One sync with a partner in one direction (or one push it sent us: "received")."""

    id: int
    direction: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    cursor_from: str
    cursor_to: str | None
    fetched: int
    created: int
    updated: int
    deleted: int
    skipped: int
    rejected: int
    rejections: list[Rejection]
    bytes_moved: int
    error: str | None

    @classmethod
    def from_model(cls, r: SyncRunRow) -> "SyncRun":
        return cls(
            id=r.id,
            direction=r.direction,
            trigger=r.trigger,
            status=r.status,
            started_at=r.started_at,
            finished_at=r.finished_at,
            cursor_from=str(r.cursor_from),
            cursor_to=None if r.cursor_to is None else str(r.cursor_to),
            fetched=r.fetched,
            created=r.created,
            updated=r.updated,
            deleted=r.deleted,
            skipped=r.skipped,
            rejected=r.rejected,
            rejections=[
                Rejection(
                    type=j.get("type"),
                    origin_center=j.get("origin_center"),
                    origin_id=j.get("origin_id"),
                    reason=str(j.get("reason")),
                )
                for j in r.rejections
            ],
            bytes_moved=r.bytes_moved,
            error=r.error,
        )


@strawberry.federation.type(shareable=True)
class Partner:
    """An agreement with a partner center. Credentials are never shown, only whether set."""

    row_id: strawberry.Private[int]
    slug: str
    name: str
    level: str
    base_url: str
    direction: str
    sends: list[str]
    receives: list[str]
    relays_for: list[str]
    interval_seconds: int
    max_delete_share: float
    enabled: bool
    pull_cursor: str
    push_cursor: str
    failures: int
    next_attempt_at: datetime | None
    breaker_open: bool
    has_outbound_token: bool
    signs_requests: bool

    @classmethod
    def from_model(cls, p: PartnerRow) -> "Partner":
        return cls(
            row_id=p.id,
            slug=p.slug,
            name=p.center.name,
            level=p.center.level,
            base_url=p.base_url,
            direction=p.direction,
            sends=list(p.sends),
            receives=list(p.receives),
            relays_for=list(p.relays_for),
            interval_seconds=p.interval_seconds,
            max_delete_share=p.max_delete_share,
            enabled=p.enabled,
            pull_cursor=str(p.pull_cursor),
            push_cursor=str(p.push_cursor),
            failures=p.failures,
            next_attempt_at=p.next_attempt_at,
            breaker_open=p.breaker_open,
            has_outbound_token=p.outbound_token is not None,
            signs_requests=p.signing_secret is not None,
        )

    @strawberry.field
    def runs(self, info: Info, first: int = 10) -> list[SyncRun]:
        """The latest sync runs, newest first."""
        session = info.context.session
        row = session.get_one(PartnerRow, self.row_id)
        return [SyncRun.from_model(r) for r in partners.runs(session, row, first=min(first, 100))]


@strawberry.federation.type(shareable=True)
class SyncAlert:
    """A sync held back for staff to look at (the deletion breaker)."""

    id: int
    partner: str
    kind: str
    message: str
    created_at: datetime

    @classmethod
    def from_model(cls, a: SyncAlertRow) -> "SyncAlert":
        return cls(
            id=a.id,
            partner=a.partner.slug,
            kind=a.kind,
            message=a.message,
            created_at=a.created_at,
        )


@strawberry.federation.type(shareable=True)
class ChangeEnvelope:
    """A record's latest state: its provenance, tombstone flag and payload (schemas/)."""

    type: str
    origin_center: str
    origin_id: str
    version: int
    updated_at: datetime
    deleted: bool
    change_seq: str
    payload: JSON | None


@strawberry.federation.type(shareable=True)
class ChangeFeed:
    changes: list[ChangeEnvelope]
    cursor: str = strawberry.field(description="Pass as `since` for the next page.")
    has_more: bool


@strawberry.federation.type(shareable=True)
class PartnerAdded:
    """The new agreement and the bearer token issued to the partner, shown only this once."""

    partner: Partner
    token: str


@strawberry.federation.type(shareable=True)
class PartnerToken:
    """A new bearer token for the partner (the old one stops working); shown only once."""

    token: str


@strawberry.federation.type(shareable=True)
class PartnerRemoved:
    slug: str


@strawberry.input
class PartnerInput:
    slug: str
    name: str
    level: str = strawberry.field(description="national, state, regional or district.")
    base_url: str
    direction: str = strawberry.field(default="pull", description="pull, push or both.")
    sends: list[str] | None = strawberry.field(
        default=None, description="Types we share with them: program, practice, district."
    )
    receives: list[str] | None = strawberry.field(
        default=None, description="Types we take from them."
    )
    relays_for: list[str] | None = strawberry.field(
        default=None, description="Centers whose records they may relay to us."
    )
    state: str | None = None
    interval_seconds: int | None = None
    max_delete_share: float | None = None


Errors = InputError | PermissionProblem | NotFoundError
PartnerResult = Annotated[Partner | Errors, strawberry.union("PartnerResult")]
PartnerAddedResult = Annotated[PartnerAdded | Errors, strawberry.union("PartnerAddedResult")]
PartnerTokenResult = Annotated[PartnerToken | Errors, strawberry.union("PartnerTokenResult")]
PartnerRemovedResult = Annotated[PartnerRemoved | Errors, strawberry.union("PartnerRemovedResult")]
SyncRunResult = Annotated[SyncRun | Errors, strawberry.union("SyncRunResult")]


def _attempt(info: Info, action: Callable[[], R]) -> R | Errors:
    try:
        with info.context.session.begin_nested():
            return action()
    except HubError as exc:
        return as_member(exc)


def _partner_input(data: PartnerInput) -> federation_schemas.PartnerInput:
    given: dict[str, Any] = {k: v for k, v in inputs.as_data(data).items() if v is not None}
    return validate(federation_schemas.PartnerInput, given)


@strawberry.type
class FederationQueries:
    @strawberry.field
    def changes(
        self,
        info: Info,
        since: str | None = None,
        first: int = 100,
        types: list[str] | None = None,
    ) -> ChangeFeed:
        """Shareable records changed after `since`, in change order (partners: what the
        agreement shares; state admins: everything shareable). Never contact details."""
        principal = info.context.principal
        require(principal, Action.READ_CHANGES)
        session = info.context.session
        audience = (
            partners.audience(partners.get(session, principal.partner))
            if principal.partner is not None
            else STAFF
        )
        page = changes(
            session,
            audience,
            since=parse_cursor(since),
            first=max(1, min(first, MAX_FEED_PAGE)),
            types=types,
        )
        return ChangeFeed(
            changes=[
                ChangeEnvelope(
                    type=c["type"],
                    origin_center=c["origin_center"],
                    origin_id=c["origin_id"],
                    version=c["version"],
                    updated_at=datetime.fromisoformat(c["updated_at"]),
                    deleted=c["deleted"],
                    change_seq=str(c["change_seq"]),
                    payload=c["payload"],
                )
                for c in page.changes
            ],
            cursor=str(page.cursor),
            has_more=page.has_more,
        )

    @strawberry.field
    def partners(self, info: Info) -> list[Partner]:
        """Partner agreements (state admins)."""
        require(info.context.principal, Action.MANAGE_PARTNERS)
        return [Partner.from_model(p) for p in partners.list_partners(info.context.session)]

    @strawberry.field
    def partner(self, info: Info, slug: str) -> Partner | None:
        """One partner agreement (state admins)."""
        require(info.context.principal, Action.MANAGE_PARTNERS)
        try:
            return Partner.from_model(partners.get(info.context.session, slug))
        except HubError as exc:
            if exc.code == "not_found":
                return None
            raise

    @strawberry.field
    def sync_alerts(self, info: Info) -> list[SyncAlert]:
        """Syncs held back and not yet released (state admins)."""
        require(info.context.principal, Action.MANAGE_PARTNERS)
        return [SyncAlert.from_model(a) for a in partners.open_alerts(info.context.session)]


@strawberry.type
class FederationMutations:
    @strawberry.mutation
    def add_partner(
        self,
        info: Info,
        input: PartnerInput,
        outbound_token: str | None = None,
        signing_secret: str | None = None,
    ) -> PartnerAddedResult:
        """Register a partner center; answers with the token to give it (shown once)."""
        s, p = info.context.session, info.context.principal

        def add() -> PartnerAdded:
            added = partners.add(
                s,
                p,
                _partner_input(input),
                outbound_token=outbound_token,
                signing_secret=signing_secret,
            )
            return PartnerAdded(partner=Partner.from_model(added.partner), token=added.token)

        return _attempt(info, add)

    @strawberry.mutation
    def set_partner_credentials(
        self,
        info: Info,
        slug: str,
        outbound_token: str | None = None,
        signing_secret: str | None = None,
        clear_signing: bool = False,
    ) -> PartnerResult:
        """Store the token the partner issued us and/or the shared signing secret."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Partner.from_model(
                partners.set_credentials(
                    s,
                    p,
                    slug,
                    outbound_token=outbound_token,
                    signing_secret=signing_secret,
                    clear_signing=clear_signing,
                )
            ),
        )

    @strawberry.mutation
    def issue_partner_token(self, info: Info, slug: str) -> PartnerTokenResult:
        """Replace the partner's bearer token."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: PartnerToken(token=partners.issue_token(s, p, slug)))

    @strawberry.mutation
    def remove_partner(self, info: Info, slug: str) -> PartnerRemovedResult:
        """End an agreement; records received from the partner stay, with their origin."""
        s, p = info.context.session, info.context.principal

        def remove() -> PartnerRemoved:
            partners.remove(s, p, slug)
            return PartnerRemoved(slug=slug)

        return _attempt(info, remove)

    @strawberry.mutation
    def release_sync_breaker(self, info: Info, slug: str) -> PartnerResult:
        """Let the next sync apply the deletions the breaker held back."""
        s, p = info.context.session, info.context.principal
        return _attempt(info, lambda: Partner.from_model(partners.release_breaker(s, p, slug)))

    @strawberry.mutation
    def sync_partner(self, info: Info, slug: str, direction: str = "pull") -> SyncRunResult:
        """Start a sync now; answers with the running run (poll `partner { runs }`)."""
        s, p = info.context.session, info.context.principal

        def start() -> SyncRun:
            return SyncRun.from_model(s.get_one(SyncRunRow, sync_now(s, p, slug, direction)))

        return _attempt(info, start)
