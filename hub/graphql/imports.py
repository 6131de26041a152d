"""The importFile mutation: a file uploaded by staff, run through hub.ingest.runner like the CLI.

The runner checks the permission, imports in a savepoint (rolled back for a dry run and for a
file with rejected rows, unless skipInvalid) and returns the report the CLI prints.
"""

from enum import Enum
from typing import Annotated, Any

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from hub.directory.schemas import STATE
from hub.errors import HubError, InvalidInput
from hub.graphql.context import Info
from hub.graphql.errors import InputError, NotFoundError, PermissionProblem, as_member
from hub.ingest import runner
from hub.ingest.report import Notice, Rejection, Report


@strawberry.enum
class ImportKind(Enum):
    """What a file holds; the values are hub.ingest.runner's kinds (`hub ingest <kind>`)."""

    NCES_DISTRICTS = "nces-districts"
    NCES_SCHOOLS = "nces-schools"
    NCES_GEOCODES = "nces-geocodes"
    CATALOG = "catalog"
    CONTACTS = "contacts"
    CAP = "cap"


# The arguments each kind takes; any other one given is refused, not ignored.
PARAMS: dict[ImportKind, frozenset[str]] = {
    ImportKind.NCES_DISTRICTS: frozenset({"state"}),
    ImportKind.NCES_SCHOOLS: frozenset({"state"}),
    ImportKind.NCES_GEOCODES: frozenset(),
    ImportKind.CATALOG: frozenset(),
    ImportKind.CONTACTS: frozenset({"district"}),
    ImportKind.CAP: frozenset(),
}
# ... and those it cannot do without: a contact list is one district's (its LEAID).
REQUIRED: dict[ImportKind, frozenset[str]] = {ImportKind.CONTACTS: frozenset({"district"})}


@strawberry.federation.type(shareable=True)
class ImportRejection:
    """A row that was not imported: the line (record index in JSON/YAML), the field, why."""

    file: str
    line: int
    field: str | None
    reason: str

    @classmethod
    def from_rejection(cls, r: Rejection) -> "ImportRejection":
        return cls(file=r.file, line=r.line, field=r.field, reason=r.reason)


@strawberry.federation.type(shareable=True)
class ImportWarning:
    """A value that could not be used and was left empty; its row was imported."""

    file: str
    line: int
    field: str
    reason: str

    @classmethod
    def from_notice(cls, n: Notice) -> "ImportWarning":
        return cls(file=n.file, line=n.line, field=n.field, reason=n.reason)


@strawberry.federation.type(shareable=True)
class ImportReport:
    """What the import did, as `hub ingest` reports it. `committed` is false for a dry run and
    for a file with rejected rows (unless skipInvalid): then nothing was written."""

    kind: ImportKind
    file: str
    dry_run: bool
    skip_invalid: bool
    created: int
    updated: int
    unchanged: int
    skipped: int
    rejected: int
    committed: bool
    summary: str
    rejections: list[ImportRejection]
    warnings: list[ImportWarning]
    warning_count: int

    @classmethod
    def from_report(cls, r: Report) -> "ImportReport":
        return cls(
            kind=ImportKind(r.kind),
            file=r.file,
            dry_run=r.dry_run,
            skip_invalid=r.skip_invalid,
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
            skipped=r.skipped,
            rejected=r.rejected,
            committed=r.committed,
            summary=r.summary(),
            rejections=[ImportRejection.from_rejection(x) for x in r.rejections],
            warnings=[ImportWarning.from_notice(x) for x in r.warnings],
            warning_count=r.warning_count,
        )


@strawberry.federation.type(shareable=True)
class UnusableFileError:
    """The file as a whole cannot be imported (unreadable, empty, missing columns); nothing was
    written."""

    message: str


ImportFileResult = Annotated[
    ImportReport | InputError | PermissionProblem | NotFoundError | UnusableFileError,
    strawberry.union("ImportFileResult"),
]


def _params(kind: ImportKind, given: dict[str, str | None]) -> dict[str, Any]:
    """The runner's params from the optional arguments; InvalidInput for one the kind lacks."""
    params: dict[str, Any] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name not in PARAMS[kind]:
            takes = [k.name for k, names in PARAMS.items() if name in names]
            raise InvalidInput(f"{name} applies only to {' and '.join(takes)}", field=name)
        params[name] = value
    missing = sorted(REQUIRED.get(kind, frozenset()) - params.keys())
    if missing:
        raise InvalidInput(f"{missing[0]} is required for {kind.name}", field=missing[0])
    if "state" in params:
        state = params["state"].upper()
        if not STATE.match(state):
            message = f"a state is a two-letter code, got {params['state']!r}"
            raise InvalidInput(message, field="state")
        params["state"] = state
    return params


def import_file(
    info: Info,
    kind: ImportKind,
    file: Upload,
    dry_run: bool = False,
    skip_invalid: bool = False,
    state: str | None = None,
    district: str | None = None,
) -> ImportFileResult:
    """Import an uploaded file (sent as a multipart request); the runner checks who may: state
    admins, and district users for their own district's contact list."""
    if not isinstance(file, UploadFile):
        message = "send the file as a part of a multipart request (GraphQL multipart request spec)"
        return InputError(message=message, field="file")
    try:
        request = runner.Request(
            kind=kind.value,
            stream=file.file,
            name=file.filename or "upload",
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            params=_params(kind, {"state": state, "district": district}),
        )
        report = runner.run(info.context.session, info.context.principal, request)
    except HubError as exc:
        return as_member(exc)
    if report.unusable is not None:
        return UnusableFileError(message=report.unusable)
    return ImportReport.from_report(report)
