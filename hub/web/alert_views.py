"""What the alert pages show, apart from the routes: status words and banners' text, times,
which buttons a viewer gets, recipient counts, and the delivery and acknowledgement figures the
alert page and its poller share."""

from datetime import UTC, datetime
from typing import Any

from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.alerts import reads, targeting
from hub.alerts import service as alerts
from hub.alerts.models import DELIVERY_STATUSES, STATES, Alert
from hub.alerts.schemas import NOT_REAL, SRP_LABEL
from hub.auth.policy import Action
from hub.directory import taxonomy
from hub.directory.models import District, Region
from hub.web.pages import Viewer, render

STATE_LABEL = {s: s.replace("_", " ") for s in STATES}


def status_words(status: str) -> str:
    """What a banner says about an alert's CAP status, in capitals, before anything else."""
    if status == "Actual":
        return "ACTUAL — REAL ALERT"
    return NOT_REAL.get(status, f"{status.upper()} — NOT A REAL EVENT")


def when(value: datetime | None) -> str:
    """A stored time as staff read it."""
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def plural(n: int, word: str) -> str:
    """`1 recipient`, `2 recipients`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def show(v: Viewer, template: str, *, title: str, status: int = 200, **values: Any) -> Response:
    """An alert page: `render` with the helpers and labels the alert templates use."""
    return render(
        v,
        template,
        status=status,
        title=title,
        when=when,
        words=status_words,
        plural=plural,
        srp=SRP_LABEL,
        state_label=STATE_LABEL,
        may_approve=v.may(Action.APPROVE_ALERT),
        **values,
    )


def _district_names(session: Session, ids: list[int]) -> list[str]:
    if not ids:
        return []
    query = select(District.name).where(District.id.in_(ids)).order_by(District.name)
    return list(session.scalars(query))


def figures(
    channels: list[str], stats: list[reads.StatusCount]
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Deliveries per channel and status (with totals), and the same over all channels."""
    blank = dict.fromkeys(DELIVERY_STATUSES, 0)
    per: dict[str, dict[str, int]] = {ch: dict(blank) for ch in channels}
    for stat in stats:
        per.setdefault(stat.channel, dict(blank))[stat.status] += stat.count
    for counts in per.values():
        counts["total"] = sum(counts[s] for s in DELIVERY_STATUSES)
    totals = {k: sum(f[k] for f in per.values()) for k in (*DELIVERY_STATUSES, "total")}
    return per, totals


def progress(session: Session, alert: Alert) -> dict[str, Any]:
    """The alert's delivery figures per channel and status, and its acknowledgements by
    district: what the alert page shows and its poller fetches."""
    stats = reads.delivery_stats(session, [alert.id])[alert.id]
    channels, totals = figures(alert.channels, stats)
    rollup = reads.ack_rollups(session, [alert.id])[alert.id]
    waiting = totals["queued"] + totals["sending"]
    n = rollup.contacts_acknowledged
    people = f"{n} person" if n == 1 else f"{n} people"
    summary = (
        f"{totals['sent']} of {plural(totals['total'], 'message')} sent, "
        f"{totals['failed']} failed, {waiting} still to send."
    )
    return {
        "id": alert.id,
        "state": alert.state,
        "state_label": STATE_LABEL.get(alert.state, alert.state),
        "channels": channels,
        "totals": totals,
        "summary": summary,
        "acknowledgements": {
            "districts_acknowledged": rollup.districts_acknowledged,
            "districts_reached": rollup.districts_reached,
            "contacts_acknowledged": rollup.contacts_acknowledged,
            "summary": f"{rollup.summary}; {people} confirmed receipt.",
        },
        "districts": {
            "acknowledged": _district_names(session, reads.acknowledged_districts(session, alert)),
            "waiting": _district_names(session, reads.unacknowledged_districts(session, alert)),
        },
        # Worth asking again: messages still going out, or acknowledgements still coming in.
        "live": waiting > 0 or alert.state in alerts.SENT,
    }


def actions(session: Session, v: Viewer, alert: Alert) -> dict[str, bool]:
    """Which buttons the alert page shows; the service decides again when one is pressed."""
    approver = v.may(Action.APPROVE_ALERT)
    sent = alert.state in alerts.SENT
    own = v.principal.actor == alert.author
    return {
        "edit": v.may(Action.COMPOSE_ALERT) and alert.state in alerts.EDITABLE,
        "approve": alert.state == "pending_approval" and approver,
        "reject": alert.state == "pending_approval" and approver,
        "withdraw": alert.state in alerts.WITHDRAWABLE and (approver or own),
        "cancel": sent and approver and alerts.companion(session, alert, "Cancel") is not None,
        "all_clear": sent and approver and alerts.companion(session, alert, "Update") is not None,
    }


def reach(session: Session, alert: Alert) -> dict[str, int]:
    """Whom the alert's targets reach now: contacts, and messages per channel."""
    return targeting.count(session, alert.targets, alert.channels)


def category_label(slug: str) -> str:
    """An alert category's label from the taxonomy (the slug if it has none)."""
    labels = {e.slug: e.label for e in taxonomy.load().entries.get("alert_categories", [])}
    return labels.get(slug, slug)


def target_names(session: Session, targets: dict[str, Any]) -> dict[str, list[str]]:
    """The alert's regions, counties and districts by name (with their codes), for reading."""
    regions = targets.get("regions") or []
    counties = targets.get("counties") or []
    districts = targets.get("districts") or []
    named_regions = dict(
        session.execute(select(Region.code, Region.name).where(Region.code.in_(regions))).all()
    )
    named_counties = dict(
        session.execute(
            select(District.county_fips, District.county_name)
            .where(District.county_fips.in_(counties))
            .distinct()
        ).all()
    )
    named_districts = dict(
        session.execute(
            select(District.nces_id, District.name).where(District.nces_id.in_(districts))
        ).all()
    )
    return {
        "regions": [named_regions.get(c, c) for c in regions],
        "counties": [f"{named_counties.get(f) or 'County'} ({f})" for f in counties],
        "districts": [
            f"{named_districts.get(n, 'Unknown district')} (NCES {n})" for n in districts
        ],
    }
