"""`hub ingest …`: one command per kind of file, all run through hub.ingest.runner.

Each prints the report, writes it as JSON beside the input (`FILE.report.json`, or --report),
writes rejected rows beside the report with --skip-invalid, and exits 0 (all imported),
1 (rows rejected) or 2 (file unusable).
"""

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from hub.auth.policy import SYSTEM
from hub.db import session_scope
from hub.errors import HubError
from hub.ingest import contacts as contact_lists
from hub.ingest import runner
from hub.ingest.files import UnusableFile, open_binary
from hub.ingest.report import UNUSABLE_FILE

app = typer.Typer(help="Import NCES directories, catalog files and contact lists.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DryRun = Annotated[bool, typer.Option("--dry-run", help="Validate and report; write nothing.")]
SkipInvalid = Annotated[
    bool,
    typer.Option(
        "--skip-invalid", help="Import the valid rows; write the rejected ones beside the report."
    ),
]
ReportPath = Annotated[
    Path | None, typer.Option("--report", help="Where to write the JSON report.", dir_okay=False)
]
State = Annotated[
    str | None, typer.Option("--state", help="Only rows of this state (two-letter code).")
]
File = Annotated[Path, typer.Argument(help="The file to import.", dir_okay=False)]


def ingest(
    kind: str,
    path: Path,
    *,
    dry_run: bool,
    skip_invalid: bool,
    report_path: Path | None,
    params: dict[str, Any],
) -> None:
    """Run one import as the system user and exit with the report's code."""
    report_path = report_path or path.with_name(path.name + ".report.json")
    rejected_path = report_path.with_name(f"{path.stem}.rejected{path.suffix}")
    with ExitStack() as stack:
        try:
            stream = stack.enter_context(open_binary(path))
        except UnusableFile as exc:
            err.print(f"[red]{path}: unusable file: {exc.message}[/red]")
            raise typer.Exit(UNUSABLE_FILE) from None
        rejected = None
        if skip_invalid and not dry_run:
            rejected = stack.enter_context(rejected_path.open("w", encoding="utf-8", newline=""))
        size = path.stat().st_size
        progress = stack.enter_context(
            Progress(
                *Progress.get_default_columns()[:1],
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
                disable=not err.is_terminal or size < 1 << 20,
            )
        )
        task = progress.add_task(path.name, total=size)
        request = runner.Request(
            kind=kind,
            stream=stream,
            name=path.name,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            params=params,
        )
        with session_scope() as session:
            report = runner.run(
                session,
                SYSTEM,
                request,
                rejected=rejected,
                progress=lambda done: progress.update(task, completed=done),
            )
    if rejected is not None and not report.rejected:
        rejected_path.unlink()
    report.write_json(report_path)
    report.print(out)
    out.print(f"report: {report_path}")
    if report.rejected and rejected is not None:
        out.print(f"rejected rows: {rejected_path}")
    raise typer.Exit(report.exit_code)


def _state(value: str | None) -> dict[str, Any]:
    if value is None:
        return {}
    if len(value) != 2 or not value.isalpha():
        raise typer.BadParameter(
            f"a state is a two-letter code, got {value!r}", param_hint="--state"
        )
    return {"state": value.upper()}


@app.command("nces-districts")
def nces_districts(
    file: File,
    state: State = None,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    report: ReportPath = None,
) -> None:
    """Upsert districts from an NCES CCD LEA directory file (CSV)."""
    ingest(
        "nces-districts",
        file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report,
        params=_state(state),
    )


@app.command("nces-schools")
def nces_schools(
    file: File,
    state: State = None,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    report: ReportPath = None,
) -> None:
    """Upsert schools from an NCES CCD school directory file (CSV); districts must exist."""
    ingest(
        "nces-schools",
        file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report,
        params=_state(state),
    )


@app.command("nces-geocodes")
def nces_geocodes(
    file: File,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    report: ReportPath = None,
) -> None:
    """Set school coordinates and counties from an NCES EDGE geocode file (NCESSCH, LAT, LON,
    CNTY, NMCNTY); rows for schools the hub does not have are skipped."""
    ingest(
        "nces-geocodes",
        file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report,
        params={},
    )


@app.command("catalog")
def catalog(
    file: File,
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    report: ReportPath = None,
) -> None:
    """Upsert programs and practices from a catalog file: .csv, .json, .yaml or .yml.

    Each record has the catalog's own stable `id`: importing the file again updates those
    records, and unchanged ones are left as they are. JSON/YAML: a list of records, each with
    `type: program|practice`, or {programs: [...], practices: [...]}; the other keys are the
    fields of schemas/program.schema.json and practice.schema.json. CSV: one record per line,
    columns type, id, title, summary, description (program) or body (practice), provider,
    topics, phases, audiences, delivery_modes (lists separated by ";"), free (yes/no), cost_note,
    url, evidence_tier, evidence_source, evidence_as_of, available_states, available_regions,
    available_districts (";"), starts_on, ends_on, status (practice). Records in the hub that
    the file does not list are left alone.
    """
    ingest(
        "catalog",
        file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report,
        params={},
    )


def _known_district(nces_id: str) -> dict[str, Any]:
    """--district checked before the file is read: exit 2 when it names no district."""
    try:
        with session_scope() as session:
            contact_lists.district_for_import(session, SYSTEM, nces_id)
    except HubError as exc:
        raise typer.BadParameter(exc.message, param_hint="--district") from None
    return {"district": nces_id}


@app.command("contacts")
def contacts(
    file: File,
    district: Annotated[
        str, typer.Option("--district", help="The district's NCES id (LEAID, 7 digits).")
    ],
    dry_run: DryRun = False,
    skip_invalid: SkipInvalid = False,
    report: ReportPath = None,
) -> None:
    """Upsert a district's contact list (CSV) by school, name and role.

    Columns: name, title, role, email, phone, channels (";": email, sms, voice, webhook),
    available_24x7 (yes/no), school_nces_id (empty: the district itself). Phones are stored in
    E.164. Contacts of the district that the file does not list are left alone: remove them
    with deleteContact.
    """
    ingest(
        "contacts",
        file,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        report_path=report,
        params=_known_district(district),
    )


@app.command("cap")
def cap(file: File, dry_run: DryRun = False, report: ReportPath = None) -> None:
    """Draft an alert for review from an upstream CAP 1.2 message (XML): it targets the counties
    its SAME/FIPS/UGC geocodes name where the hub has districts, by e-mail. Exits 2 when the file
    is not valid CAP 1.2 or concerns no county the hub has; the same message again changes
    nothing."""
    ingest("cap", file, dry_run=dry_run, skip_invalid=False, report_path=report, params={})
