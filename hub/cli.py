"""The `hub` command line: migrations, serving, demo data, users and tokens, audit, schemas.

Thin over the services: each command opens one transaction with session_scope(), acts as
hub.auth.policy.SYSTEM, and prints with rich. Expected failures (HubError) print a red message
and exit with status 1, never a traceback.
"""

import gc
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import aliased

from hub import audit, migrate
from hub.auth import service as auth
from hub.auth.models import ROLES, User
from hub.auth.policy import SYSTEM
from hub.console import err, friendly, out
from hub.db import get_engine, session_scope
from hub.directory import demo
from hub.directory.models import Center, District
from hub.errors import HubError
from hub.ingest.commands import app as ingest_app
from hub.settings import get_settings

if TYPE_CHECKING:
    from hub.runtime import Runtime

app = typer.Typer(
    help="School Safety Hub: run, migrate and administer a hub.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
users_app = typer.Typer(help="Users who sign in.", no_args_is_help=True)
tokens_app = typer.Typer(help="Bearer API tokens.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
schemas_app = typer.Typer(help="Exported schemas (GraphQL SDL, JSON Schema).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(audit_app, name="audit")
app.add_typer(schemas_app, name="schemas")
app.add_typer(ingest_app, name="ingest")
alerts_app = typer.Typer(help="The alert network.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")

from hub.federation.commands import partners_app, sync_command  # noqa: E402

app.add_typer(partners_app, name="partners")
app.command("sync")(sync_command)


# ---- db ----------------------------------------------------------------------------------


@db_app.command("upgrade")
@friendly
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION and sync the topic vocabulary."""
    migrate.upgrade(get_engine(), revision)
    out.print(f"[green]database at {revision}[/green]: {_safe_url()}")


@db_app.command("downgrade")
@friendly
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or base.")],
) -> None:
    """Step the schema back to REVISION."""
    migrate.downgrade(get_engine(), revision)
    out.print(f"[yellow]database downgraded to {revision}[/yellow]: {_safe_url()}")


def _safe_url() -> str:
    return get_engine().url.render_as_string(hide_password=True)


# ---- demo and serve ----------------------------------------------------------------------


def _load_demo(seed: int) -> None:
    """Fill the demo state unless the directory has districts; print what was made."""
    with session_scope() as session:
        if demo.is_loaded(session):
            out.print("[yellow]demo data not loaded:[/yellow] the directory has districts already")
            return
        result = demo.load(session, seed=seed)
    counts = ", ".join(f"{n} {table}" for table, n in result.counts.items())
    out.print(f"[green]demo state {result.state} loaded[/green] (seed {seed}): {counts}")
    if not result.credentials:
        return
    table = Table(title="Demo users (passwords and tokens are shown only now)", box=box.SIMPLE)
    creds = result.credentials
    table.add_column("username", no_wrap=True, min_width=max(len(c.username) for c in creds))
    table.add_column("role", no_wrap=True, min_width=max(len(c.role) for c in creds))
    table.add_column("scope", overflow="fold")
    table.add_column("password", no_wrap=True, min_width=max(len(c.password) for c in creds))
    for c in creds:
        table.add_row(c.username, c.role, c.scope, c.password)
    out.print(table)
    out.print("Bearer tokens:")
    for c in creds:
        out.print(f"  {c.username:<10} {c.token}")


@app.command("demo")
@friendly
def demo_command(
    seed: Annotated[int, typer.Option(help="Seed of the generated state.")] = 1,
) -> None:
    """Migrate, then fill an empty directory with a generated fictional state and demo users."""
    migrate.upgrade(get_engine())
    _load_demo(seed)


@app.command("serve")
@friendly
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    with_demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo state into an empty directory.")
    ] = False,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Do not apply migrations first.")
    ] = False,
    background: Annotated[
        bool,
        typer.Option(
            "--background/--no-background",
            help="Run the outbox relay, a delivery worker and the scheduler in this process "
            "(and the embedded broker when HUB_KAFKA_BOOTSTRAP_SERVERS is unset).",
        ),
    ] = True,
) -> None:
    """Migrate (unless --no-migrate), load the demo state (with --demo), serve over HTTP."""
    import uvicorn

    from hub.app import create_app
    from hub.runtime import Runtime

    if not no_migrate:
        migrate.upgrade(get_engine())
    if with_demo:
        _load_demo(seed=1)
    _log_to_stderr()
    runtime = Runtime(workers=1 if background else 0, relay=background, scheduler=background)
    runtime.start()
    application = create_app(settings=runtime.settings)
    if runtime.broker is not None:
        out.print(f"embedded Kafka broker on [bold]{runtime.broker.bootstrap_servers}[/bold]")
    # Start-up objects live for the whole process: keep the collector from rescanning them.
    gc.freeze()
    out.print(f"serving on [bold]http://{host}:{port}/graphql[/bold]")
    out.print(f"web console on [bold]http://{host}:{port}/[/bold] (sign in as a demo user)")
    try:
        uvicorn.run(application, host=host, port=port, log_level=get_settings().log_level.lower())
    finally:
        runtime.stop()


def _log_to_stderr() -> None:
    """Long-running commands log at HUB_LOG_LEVEL to stderr, as HUB_LOG_FORMAT says (e-mails
    without SMTP included)."""
    from hub.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


def _run_until_interrupted(runtime: "Runtime") -> None:
    """Start the background parts and keep them running until Ctrl-C or SIGTERM."""
    from prometheus_client import start_http_server

    _log_to_stderr()
    signal.signal(signal.SIGTERM, lambda *_: runtime.stop_event.set())
    port = get_settings().metrics_port
    if port:
        try:
            start_http_server(port)  # /metrics of this worker or scheduler process
        except OSError as exc:  # a second worker on one host: it runs, unscraped
            logging.getLogger(__name__).warning("no /metrics on port %d: %s", port, exc)
    runtime.start()
    try:
        while not runtime.stop_event.wait(1):
            pass
    except KeyboardInterrupt:
        out.print("stopping")
    finally:
        runtime.stop()


@app.command("worker")
@friendly
def worker(
    consumers: Annotated[
        int, typer.Option(min=1, help="Delivery consumers in this process (threads).")
    ] = 1,
) -> None:
    """Relay the outbox to Kafka and consume deliveries until interrupted. Run as many as the
    delivery topic has partitions; they share one consumer group."""
    from hub.runtime import Runtime

    _run_until_interrupted(Runtime(workers=consumers, scheduler=False))


@app.command("scheduler")
@friendly
def scheduler() -> None:
    """Run the scheduled jobs (reconcile stalled deliveries, escalate, expire) until
    interrupted. Run exactly one."""
    from hub.runtime import Runtime

    _run_until_interrupted(Runtime(relay=False, workers=0, scheduler=True))


# ---- users and tokens --------------------------------------------------------------------


@users_app.command("create")
@friendly
def users_create(
    name: Annotated[str, typer.Argument(help="Username.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")],
    district: Annotated[
        str | None, typer.Option(help="NCES id of a district_user's district.")
    ] = None,
    center: Annotated[str | None, typer.Option(help="Slug of a partner's center.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; asked for when not given.")
    ] = None,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Token-only user (machines).")
    ] = False,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
) -> None:
    """Create a user."""
    if password is None and not no_password:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with session_scope() as session:
        user = auth.create_user(
            session,
            SYSTEM,
            username=name,
            role=role,
            password=password,
            email=email,
            district_nces_id=district,
            center_slug=center,
        )
        user_id = user.id
    out.print(f"[green]user {name}[/green] created (id {user_id}, role {role})")


@alerts_app.command("webhook-secret")
@friendly
def alerts_webhook_secret(
    leaid: Annotated[str, typer.Argument(metavar="LEAID", help="The district's NCES id.")],
) -> None:
    """Print the secret a district's system verifies our webhook signatures with (HMAC-SHA256
    over "{X-Hub-Timestamp}.{body}"). Derived from HUB_SECRET_KEY: rotating it rotates all."""
    from hub.alerts.channels import district_secret

    with session_scope() as session:
        found = session.scalar(select(District.id).where(District.nces_id == leaid))
    if found is None:
        raise HubError(f"no district with NCES id {leaid}")
    out.print(district_secret(get_settings().secret_key.get_secret_value(), leaid))


@users_app.command("list")
@friendly
def users_list() -> None:
    """List users with their role and scope."""
    scoped_center = aliased(Center)
    with session_scope(write=False) as session:
        rows = session.execute(
            select(User, District.nces_id, scoped_center.slug)
            .outerjoin(District, District.id == User.district_id)
            .outerjoin(scoped_center, scoped_center.id == User.center_id)
            .order_by(User.username)
        ).all()
    table = Table(box=box.SIMPLE)
    for column in ("id", "username", "role", "district", "center", "active", "created"):
        table.add_column(column, no_wrap=True)
    for user, nces, slug in rows:
        created = user.created_at.strftime("%Y-%m-%d %H:%M")
        active = "yes" if user.active else "no"
        table.add_row(
            str(user.id), user.username, user.role, nces or "", slug or "", active, created
        )
    out.print(table)


@tokens_app.command("create")
@friendly
def tokens_create(
    name: Annotated[str, typer.Argument(help="Username the token signs in as.")],
    label: Annotated[str, typer.Option(help="What the token is for.")] = "api",
) -> None:
    """Issue a bearer token; it is printed once and only its SHA-256 is stored."""
    with session_scope() as session:
        row, token = auth.create_token(session, SYSTEM, username=name, name=label)
        token_id = row.id
    out.print(f"[green]token {token_id}[/green] for {name} ({label}); shown only now:")
    out.print(token)


@tokens_app.command("revoke")
@friendly
def tokens_revoke(token_id: Annotated[int, typer.Argument(metavar="ID", help="Token id.")]) -> None:
    """Revoke a token; it stops working at once."""
    with session_scope() as session:
        auth.revoke_token(session, SYSTEM, token_id=token_id)
    out.print(f"[yellow]token {token_id} revoked[/yellow]")


# ---- audit -------------------------------------------------------------------------------


@audit_app.command("verify")
@friendly
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and name the first altered or missing entry."""
    with session_scope(write=False) as session:
        result = audit.verify(session)
    if result.ok:
        out.print(f"[green]audit log intact[/green]: {result.checked} entries checked")
        return
    err.print(f"[red]audit log broken:[/red] {result.problem} ({result.checked} entries intact)")
    raise typer.Exit(1)


@audit_app.command("list")
@friendly
def audit_list(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
) -> None:
    """Show the newest audit entries."""
    with session_scope(write=False) as session:
        entries = session.scalars(
            select(audit.AuditEntry).order_by(audit.AuditEntry.seq.desc()).limit(limit)
        ).all()
    table = Table(box=box.SIMPLE)
    for column in ("seq", "at", "actor", "action", "entity"):
        table.add_column(column)
    for e in entries:
        entity = f"{e.entity_type} {e.entity_id}" if e.entity_id else e.entity_type
        table.add_row(str(e.seq), e.at.strftime("%Y-%m-%d %H:%M:%S"), e.actor, e.action, entity)
    out.print(table)


# ---- schemas -----------------------------------------------------------------------------


@schemas_app.command("export")
@friendly
def schemas_export(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Where to write (default HUB_SCHEMAS_DIR).")
    ] = None,
) -> None:
    """Rewrite schema.graphql and the JSON Schemas of the directory's records."""
    from hub.directory import jsonschema_export
    from hub.graphql.export import print_sdl

    target = directory or get_settings().schemas_dir
    target.mkdir(parents=True, exist_ok=True)
    sdl = target / "schema.graphql"
    sdl.write_text(print_sdl(), encoding="utf-8")
    jsonschema_export.export(target)
    written = sorted(p.name for p in target.glob("*.schema.json"))
    out.print(f"[green]wrote[/green] {sdl} and {len(written)} JSON Schemas in {target}")
