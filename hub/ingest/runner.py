"""Runs one import the same way for the CLI and GraphQL: permission, savepoint, report, audit.

An import writes inside a savepoint of the caller's transaction. It is rolled back for a dry run
and, unless `skip_invalid`, when any row was rejected: nothing is ever half-imported. A kept
import writes one audit entry with its counts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from sqlalchemy.orm import Session

from hub import audit
from hub.alerts import cap_import
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.errors import Conflict, InvalidInput
from hub.ingest import catalog, contacts, nces
from hub.ingest.files import CsvRows, UnusableFile
from hub.ingest.report import Report

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Request:
    """What to import and how: kind, file, options, and the kind's own parameters."""

    kind: str
    stream: BinaryIO
    name: str
    dry_run: bool = False
    skip_invalid: bool = False
    params: dict[str, Any] = field(default_factory=dict)


Importer = Callable[[Session, Principal, Request, Report, Progress], None]


class RejectedRows:
    """Writes rejected rows, in their original text, under the file's header line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.header: str | None = None
        self._started = False

    def __call__(self, raw: str) -> None:
        if not self._started and self.header is not None:
            self.out.write(self.header + "\n")
        self._started = True
        self.out.write(raw + "\n")


def _csv(request: Request, report: Report) -> CsvRows:
    rows = CsvRows(request.stream, request.name)
    sink = report.rejected_sink
    if isinstance(sink, RejectedRows):
        sink.header = ",".join(rows.header)
    return rows


def _nces_districts(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    policy.require(principal, Action.RUN_IMPORT)
    rows = _csv(request, report)
    nces.import_districts(
        session, rows, report, state=request.params.get("state"), progress=progress
    )


def _nces_schools(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    policy.require(principal, Action.RUN_IMPORT)
    rows = _csv(request, report)
    nces.import_schools(session, rows, report, state=request.params.get("state"), progress=progress)


def _nces_geocodes(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    policy.require(principal, Action.RUN_IMPORT)
    nces.import_geocodes(session, _csv(request, report), report, progress=progress)


def _catalog(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    policy.require(principal, Action.MANAGE_CATALOG)
    fmt = catalog.file_format(request.name)
    if fmt == "csv":
        records = catalog.csv_records(_csv(request, report), progress)
    else:
        records = catalog.document_records(request.stream, request.name, fmt, progress)
    catalog.import_records(session, principal, records, report, fmt=fmt)


def _contacts(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    district = contacts.district_for_import(session, principal, str(request.params["district"]))
    contacts.import_contacts(
        session, principal, _csv(request, report), report, district=district, progress=progress
    )


MAX_CAP_BYTES = 1 << 20


def _cap(
    session: Session, principal: Principal, request: Request, report: Report, progress: Progress
) -> None:
    """One upstream CAP message becomes a draft alert for an approver to review."""
    data = request.stream.read(MAX_CAP_BYTES + 1)
    if len(data) > MAX_CAP_BYTES:
        raise UnusableFile(f"a CAP message over {MAX_CAP_BYTES} bytes is not one we read")
    try:
        cap_import.import_cap(session, principal, data)
    except InvalidInput as exc:
        raise UnusableFile(exc.message) from None
    except Conflict as exc:
        report.unchanged += 1
        report.warn(1, "identifier", exc.message)
    else:
        report.created += 1
    progress(len(data))


IMPORTERS: dict[str, Importer] = {
    "nces-districts": _nces_districts,
    "nces-schools": _nces_schools,
    "nces-geocodes": _nces_geocodes,
    "catalog": _catalog,
    "contacts": _contacts,
    "cap": _cap,
}


def run(
    session: Session,
    principal: Principal,
    request: Request,
    *,
    rejected: TextIO | None = None,
    progress: Progress = lambda _: None,
) -> Report:
    """Import `request` in a savepoint of `session`'s transaction; returns the report.

    PermissionDenied propagates (nothing was read), as does NotFound for a contact list's
    unknown district; an unusable file becomes `report.unusable`.
    """
    importer = IMPORTERS[request.kind]
    report = Report(
        kind=request.kind,
        file=request.name,
        dry_run=request.dry_run,
        skip_invalid=request.skip_invalid,
    )
    if rejected is not None and request.skip_invalid:
        report.rejected_sink = RejectedRows(rejected)
    try:
        with session.begin_nested() as savepoint:
            importer(session, principal, request, report, progress)
            if request.dry_run or (report.rejected and not request.skip_invalid):
                savepoint.rollback()
            else:
                _audit(session, principal, request, report)
                report.committed = True
    except UnusableFile as exc:
        report.unusable = exc.message
    return report


def _audit(session: Session, principal: Principal, request: Request, report: Report) -> None:
    counts = {
        k: getattr(report, k) for k in ("created", "updated", "unchanged", "skipped", "rejected")
    }
    audit.record(
        session,
        actor=principal.actor,
        action=f"ingest.{request.kind}",
        entity_type="import",
        entity_id=request.name,
        after={**counts, **request.params, "skip_invalid": request.skip_invalid},
    )
