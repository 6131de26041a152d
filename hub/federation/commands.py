"""`hub partners …` (agreements with partner centers) and `hub sync PARTNER` (one run now)."""

from typing import Annotated

import typer
from pydantic import ValidationError
from rich import box
from rich.table import Table

from hub.auth.policy import SYSTEM
from hub.console import err, friendly, out
from hub.db import session_scope
from hub.errors import InvalidInput
from hub.federation import partners
from hub.federation.records import KIND_NAMES
from hub.federation.schemas import PartnerInput
from hub.federation.sync import RunReport, Syncer, Way

partners_app = typer.Typer(help="Partner centers: agreements, credentials, sync state.")

Types = Annotated[str, typer.Option(help=f"Comma-separated record types: {', '.join(KIND_NAMES)}.")]


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


@partners_app.command("add")
@friendly
def add(
    slug: Annotated[str, typer.Argument(help="The partner center's slug (its HUB_CENTER_SLUG).")],
    name: Annotated[str, typer.Option(help="Its name.")],
    url: Annotated[str, typer.Option(help="Its hub's base URL.")],
    level: Annotated[str, typer.Option(help="national, state, regional or district.")] = "state",
    state: Annotated[str | None, typer.Option(help="Its state (two letters).")] = None,
    direction: Annotated[str, typer.Option(help="pull, push or both.")] = "pull",
    sends: Types = "",
    receives: Types = "",
    relays_for: Annotated[
        str, typer.Option(help="Comma-separated centers whose records it may relay to us.")
    ] = "",
    interval: Annotated[int, typer.Option(help="Seconds between scheduled syncs.")] = 900,
    max_delete_share: Annotated[
        float | None, typer.Option(help="Deletion breaker: largest share one run may delete.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="The bearer token the partner issued us.")
    ] = None,
    signing_secret: Annotated[
        str | None, typer.Option(help="Shared HMAC secret: sign and check every request.")
    ] = None,
) -> None:
    """Register a partner; prints the bearer token to give it, shown only now."""
    given = {
        "slug": slug,
        "name": name,
        "level": level,
        "state": state,
        "base_url": url,
        "direction": direction,
        "sends": _list(sends),
        "receives": _list(receives),
        "relays_for": _list(relays_for),
        "interval_seconds": interval,
        "max_delete_share": max_delete_share,
    }
    try:
        data = PartnerInput.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "-".join(str(part) for part in first["loc"]).replace("_", "-")
        raise InvalidInput(f"--{field}: {first['msg']}", field=field) from None
    with session_scope() as session:
        added = partners.add(
            session, SYSTEM, data, outbound_token=token, signing_secret=signing_secret
        )
        issued = added.token
    out.print(f"[green]partner {slug}[/green] added; its bearer token, shown only now:")
    out.print(issued)


@partners_app.command("list")
@friendly
def list_command() -> None:
    """Every agreement with its sync state."""
    table = Table(box=box.SIMPLE)
    for column in ("slug", "level", "direction", "sends", "receives", "every", "state", "url"):
        table.add_column(column, no_wrap=True)
    with session_scope(write=False) as session:
        for p in partners.list_partners(session):
            state = (
                "breaker open"
                if p.breaker_open
                else f"{p.failures} failures"
                if p.failures
                else "ok"
            )
            table.add_row(
                p.slug,
                p.center.level,
                p.direction,
                ",".join(p.sends),
                ",".join(p.receives),
                f"{p.interval_seconds}s",
                state if p.enabled else "disabled",
                p.base_url,
            )
    out.print(table)


@partners_app.command("show")
@friendly
def show(slug: Annotated[str, typer.Argument(help="Partner slug.")]) -> None:
    """An agreement, its cursors and credentials state, and its latest runs."""
    with session_scope(write=False) as session:
        p = partners.get(session, slug)
        out.print(f"[bold]{p.center.name}[/bold] ({p.slug}, {p.center.level}) at {p.base_url}")
        out.print(
            f"direction {p.direction}; sends {', '.join(p.sends) or 'nothing'}; "
            f"receives {', '.join(p.receives) or 'nothing'}; "
            f"relays for {', '.join(p.relays_for) or 'nobody'}"
        )
        out.print(
            f"every {p.interval_seconds} s; breaker at {p.max_delete_share:.0%}"
            f"{' [red](open)[/red]' if p.breaker_open else ''}; "
            f"cursors pull {p.pull_cursor}, push {p.push_cursor}; failures {p.failures}"
        )
        out.print(
            f"token from them {'stored' if p.outbound_token else '[red]missing[/red]'}; "
            f"requests {'signed' if p.signing_secret else 'not signed'}"
        )
        table = Table(box=box.SIMPLE, title="latest runs")
        for column in (
            "id",
            "direction",
            "status",
            "started",
            "fetched",
            "created",
            "updated",
            "deleted",
            "skipped",
            "rejected",
            "error",
        ):
            table.add_column(column, no_wrap=column != "error")
        for r in partners.runs(session, p, first=10):
            table.add_row(
                str(r.id),
                r.direction,
                r.status,
                f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                *(
                    str(getattr(r, n))
                    for n in ("fetched", "created", "updated", "deleted", "skipped", "rejected")
                ),
                r.error or "",
            )
    out.print(table)


@partners_app.command("credentials")
@friendly
def credentials(
    slug: Annotated[str, typer.Argument(help="Partner slug.")],
    token: Annotated[str | None, typer.Option(help="The bearer token it issued us.")] = None,
    signing_secret: Annotated[str | None, typer.Option(help="Shared HMAC secret.")] = None,
    no_signing: Annotated[bool, typer.Option("--no-signing", help="Stop signing.")] = False,
) -> None:
    """Store the partner's token for us and/or the signing secret (kept encrypted)."""
    with session_scope() as session:
        partners.set_credentials(
            session,
            SYSTEM,
            slug,
            outbound_token=token,
            signing_secret=signing_secret,
            clear_signing=no_signing,
        )
    out.print(f"[green]credentials of {slug} stored[/green]")


@partners_app.command("token")
@friendly
def token_command(slug: Annotated[str, typer.Argument(help="Partner slug.")]) -> None:
    """Issue the partner a new bearer token; the old one stops working at once."""
    with session_scope() as session:
        issued = partners.issue_token(session, SYSTEM, slug)
    out.print(f"new token for {slug}, shown only now:")
    out.print(issued)


@partners_app.command("release")
@friendly
def release(slug: Annotated[str, typer.Argument(help="Partner slug.")]) -> None:
    """Release the deletion breaker: the next run applies the deletions it held back."""
    with session_scope() as session:
        partners.release_breaker(session, SYSTEM, slug)
    out.print(f"[yellow]breaker of {slug} released[/yellow]: the next sync applies its deletions")


@partners_app.command("remove")
@friendly
def remove(slug: Annotated[str, typer.Argument(help="Partner slug.")]) -> None:
    """End an agreement (records received from it stay, with their origin)."""
    with session_scope() as session:
        partners.remove(session, SYSTEM, slug)
    out.print(f"[yellow]partner {slug} removed[/yellow]")


def print_report(report: RunReport) -> None:
    colour = {"succeeded": "green", "blocked": "yellow"}.get(report.status, "red")
    out.print(
        f"run {report.id}: {report.direction} with {report.partner} "
        f"[{colour}]{report.status}[/{colour}] "
        f"(cursor {report.cursor_from} -> {'-' if report.cursor_to is None else report.cursor_to}"
        f", {report.bytes_moved:,} bytes)"
    )
    out.print(", ".join(f"{name} {value}" for name, value in report.counts.items()))
    for item in report.rejections[:20]:
        out.print(
            f"  rejected {item.get('type')} {item.get('origin_center')}/{item.get('origin_id')}: "
            f"{item.get('reason')}"
        )
    if report.error:
        err.print(f"[{colour}]{report.error}[/{colour}]")


@friendly
def sync_command(
    slug: Annotated[str, typer.Argument(metavar="PARTNER", help="Partner slug.")],
    direction: Annotated[str, typer.Option(help="pull or push.")] = "pull",
    allow_deletions: Annotated[
        bool,
        typer.Option("--allow-deletions", help="Apply deletions past the breaker this once."),
    ] = False,
) -> None:
    """Sync with a partner now and print the run's report; exit 1 unless it succeeded."""
    if direction not in ("pull", "push"):
        raise InvalidInput("--direction is pull or push", field="direction")
    way: Way = "pull" if direction == "pull" else "push"
    report = Syncer().run(slug, way, allow_deletions=allow_deletions)
    assert report is not None  # a manual run always runs (or raises)
    print_report(report)
    if report.status != "succeeded":
        raise typer.Exit(1)
