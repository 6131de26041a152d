"""Catalog files: programs and practices in CSV, JSON or YAML, upserted by the catalog's own id.

Each record is checked against the exported JSON Schema (schemas/program.schema.json,
practice.schema.json: what a publisher validates against) and then built as the pydantic input
that GraphQL uses too, so every entry point accepts the same records. The record's `id` becomes
origin_id with this hub as origin_center, so importing the file again updates in place.

A rejection names the CSV line, or in JSON/YAML the record's 1-based position in the file, and
the field: the CSV column, or a JSON pointer into the record such as `ratings/0/tier`.
"""

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, TypeVar, cast

import jsonschema
import yaml
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match
from pydantic import BaseModel
from pydantic import ValidationError as InputError
from sqlalchemy.orm import Session

from hub.auth.policy import Principal
from hub.directory import service as directory
from hub.directory.schemas import PracticeInput, ProgramInput
from hub.errors import HubError
from hub.ingest.files import CsvRows, Row, UnusableFile, detect_encoding
from hub.ingest.report import Report
from hub.settings import get_settings

FORMATS = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
KINDS = ("program", "practice")
INPUTS: dict[str, type[BaseModel]] = {"program": ProgramInput, "practice": PracticeInput}
MAX_ID = 64  # origin_id's length

CSV_REQUIRED = ("type", "id", "title", "topics")
CSV_COMMON = (
    *CSV_REQUIRED,
    "summary",
    "phases",
    "evidence_tier",
    "evidence_source",
    "evidence_as_of",
)
CSV_ONLY = {
    "program": (
        "description",
        "provider",
        "audiences",
        "delivery_modes",
        "free",
        "cost_note",
        "url",
        "available_states",
        "available_regions",
        "available_districts",
        "starts_on",
        "ends_on",
    ),
    "practice": ("body", "status"),
}
CSV_COLUMNS = (*CSV_COMMON, *CSV_ONLY["program"], *CSV_ONLY["practice"])
CSV_LISTS = {"topics", "phases", "audiences", "delivery_modes"}
CSV_RATING = {"evidence_tier": "tier", "evidence_source": "source", "evidence_as_of": "as_of"}
CSV_AVAILABILITY = {
    "available_states": "states",
    "available_regions": "regions",
    "available_districts": "districts",
}
FLAGS = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}
T = TypeVar("T", bound=BaseModel)
# What a slug vocabulary is called in "unknown … ; allowed: …", by the field holding it.
ENUM_NAMES = {"tier": "evidence tier", "role": "contact role", "status": "status"}
# Fields of service errors (GraphQL's camelCase) as record fields.
SERVICE_FIELDS = {"contactId": "contact_id"}


class RecordError(Exception):
    """A record that cannot be imported: the field at fault (None: the record) and why."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


# ---- checks shared with the contacts importer ----------------------------------------------


def check_columns(rows: CsvRows, required: tuple[str, ...], known: tuple[str, ...]) -> None:
    """UnusableFile when the header lacks a required column or has one nobody reads (a typo
    would otherwise drop that column's values silently)."""
    rows.require(required)
    unknown = [c for c in rows.header if c not in known]
    if unknown:
        raise UnusableFile(
            f"{rows.name} has unknown column(s) {', '.join(unknown)}; known: {', '.join(known)}",
            field=unknown[0],
        )


def csv_values(row: Row) -> dict[str, str]:
    """The row's values, stripped, quoting honoured (files.CsvRows splits unquoted lines first,
    as NCES files need; a catalog or contact list is ordinary quoted CSV)."""
    fields = next(csv.reader([row.raw]))
    values = dict(zip(row.values, fields, strict=True)) if len(fields) == len(row.values) else {}
    return {k: v.strip() for k, v in (values or row.values).items()}


def flag(value: str, field: str) -> bool:
    """yes/no, true/false or 1/0, any case."""
    found = FLAGS.get(value.lower())
    if found is None:
        raise RecordError(field, f"expected yes/no, true/false or 1/0, got {value!r}")
    return found


def semicolon_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator (format checks on) for schemas/`name` as exported."""
    path = get_settings().schemas_dir / name
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _schema_error(error: SchemaError) -> RecordError:
    path = [str(p) for p in error.absolute_path]
    instance, value = error.instance, cast(Any, error.validator_value)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required" and isinstance(instance, dict):
        missing = next(p for p in value if p not in instance)
        return RecordError("/".join([*path, missing]), "is required")
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = sorted(schema.get("properties", {}))
        extra = next(k for k in instance if k not in known)
        return RecordError("/".join([*path, extra]), f"unknown field; known: {', '.join(known)}")
    field = "/".join(path) or None
    if error.validator == "enum":
        named = next((p for p in reversed(path) if not p.isdigit()), "value")
        name = ENUM_NAMES.get(named, named.replace("_", " "))
        allowed = ", ".join(map(str, value))
        return RecordError(field, f"unknown {name} {instance!r}; allowed: {allowed}")
    if error.validator == "pattern":
        return RecordError(field, f"{instance!r} does not match the pattern {value}")
    if error.validator == "format":
        return RecordError(field, f"{instance!r} is not a valid {value}")
    return RecordError(field, error.message)


def _input_error(error: InputError) -> RecordError:
    first = error.errors()[0]
    field = "/".join(str(p) for p in first["loc"]) or None
    return RecordError(field, first["msg"].removeprefix("Value error, "))


def check_record(
    validator: jsonschema.Draft202012Validator, model: type[T], body: dict[str, Any]
) -> T:
    """`body` checked against the JSON Schema, then built as `model`; RecordError on the most
    relevant problem."""
    found = best_match(validator.iter_errors(body))
    if found is not None:
        raise _schema_error(found)
    try:
        return model.model_validate(body)
    except InputError as exc:
        raise _input_error(exc) from None


def service_error(exc: HubError) -> RecordError:
    return RecordError(SERVICE_FIELDS.get(exc.field or "", exc.field), exc.message)


# ---- reading records -----------------------------------------------------------------------


@dataclass
class Record:
    """One catalog record as read, before validation; `error` when reading it already failed.

    `raw` is the CSV line for the rejected-rows file; JSON/YAML records keep `source` instead.
    """

    line: int
    kind: str
    id: str
    body: dict[str, Any]
    raw: str | None = None
    source: Any = None
    error: RecordError | None = None


def file_format(name: str) -> str:
    """'csv', 'json' or 'yaml' by the file's suffix; UnusableFile for any other."""
    found = FORMATS.get(Path(name).suffix.lower())
    if found is None:
        raise UnusableFile(f"{name}: a catalog file is .csv, .json, .yaml or .yml", field="file")
    return found


def _kind(value: Any) -> str:
    for kind in KINDS:
        if value == kind:
            return kind
    raise RecordError("type", f"expected 'program' or 'practice', got {value!r}")


def _id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        raise RecordError("id", "is required")
    if not isinstance(value, str):
        raise RecordError("id", f"must be a string, got {value!r}")
    found = value.strip()
    if not found:
        raise RecordError("id", "is required")
    if len(found) > MAX_ID:
        raise RecordError("id", f"is longer than {MAX_ID} characters")
    return found


def _csv_body(kind: str, values: dict[str, str]) -> dict[str, Any]:
    other = KINDS[1 - KINDS.index(kind)]
    body: dict[str, Any] = {}
    rating: dict[str, str] = {}
    availability: dict[str, list[str]] = {}
    for column, value in values.items():
        if column in ("type", "id") or not value:
            continue
        if column in CSV_ONLY[other]:
            raise RecordError(column, f"is a {other} column; leave it empty for a {kind}")
        if column in CSV_LISTS:
            body[column] = semicolon_list(value)
        elif column in CSV_RATING:
            rating[CSV_RATING[column]] = value
        elif column in CSV_AVAILABILITY:
            availability[CSV_AVAILABILITY[column]] = semicolon_list(value)
        elif column == "free":
            body["free"] = flag(value, column)
        else:
            body[column] = value
    if rating:
        body["ratings"] = [rating]
    if availability:
        body["availability"] = availability
    return body


def csv_records(rows: CsvRows, progress: Callable[[int], None]) -> Iterator[Record]:
    """A catalog CSV's records: one row each, lists separated by `;`, one evidence rating."""
    check_columns(rows, CSV_REQUIRED, CSV_COLUMNS)
    for count, item in enumerate(rows, 1):
        if count % 100 == 0:
            progress(rows.bytes_read)
        if not isinstance(item, Row):
            line, raw, reason = item
            yield Record(line, "", "", {}, raw=raw, error=RecordError(None, reason))
            continue
        values = csv_values(item)
        record = Record(item.line, "", "", {}, raw=item.raw)
        try:
            record.kind = _kind(values.get("type", "").lower())
            record.id = _id(values.get("id"))
            record.body = _csv_body(record.kind, values)
        except RecordError as exc:
            record.error = exc
        yield record
    progress(rows.bytes_read)


def _plain(value: Any) -> Any:
    """YAML's dates as the ISO strings the JSON Schema expects, at any depth."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _load(stream: BinaryIO, name: str, fmt: str) -> Any:
    encoding = detect_encoding(stream)
    text = stream.read().decode(encoding)
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise UnusableFile(
                f"{name} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
    try:
        return _plain(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise UnusableFile(f"{name} is not valid YAML: {' '.join(str(exc).split())}") from None


def _items(document: Any, name: str) -> Iterator[tuple[str | None, Any]]:
    """(kind given by the enclosing list or None, record) in file order."""
    if isinstance(document, list):
        for item in document:
            yield None, item
        return
    if not isinstance(document, dict):
        got = "an empty file" if document is None else f"a {type(document).__name__}"
        raise UnusableFile(
            f"{name}: expected a list of records or {{programs: [...], practices: [...]}}, "
            f"got {got}"
        )
    unknown = [str(k) for k in document if k not in ("programs", "practices")]
    if unknown:
        raise UnusableFile(
            f"{name}: unknown key(s) {', '.join(unknown)}; expected programs and practices"
        )
    for key, items in document.items():
        if items is None:
            continue
        if not isinstance(items, list):
            raise UnusableFile(f"{name}: {key} is a {type(items).__name__}, not a list")
        for item in items:
            yield key.removesuffix("s"), item


def document_records(
    stream: BinaryIO, name: str, fmt: str, progress: Callable[[int], None]
) -> Iterator[Record]:
    """A JSON or YAML catalog's records, numbered from 1 through the file.

    Either a list of records, each with `type`, or `{programs: [...], practices: [...]}`.
    """
    document = _load(stream, name, fmt)
    progress(stream.tell())
    for number, (given, item) in enumerate(_items(document, name), 1):
        record = Record(number, given or "", "", {}, source=item)
        try:
            if not isinstance(item, dict):
                raise RecordError(None, f"a record is a mapping, got {type(item).__name__}")
            if given is None or "type" in item:
                record.kind = _kind(item.get("type"))
                if given is not None and record.kind != given:
                    raise RecordError("type", f"a {record.kind} in the {given}s list")
            record.source = {"type": record.kind, **item}
            record.id = _id(item.get("id"))
            record.body = {k: v for k, v in item.items() if k not in ("type", "id")}
        except RecordError as exc:
            record.error = exc
        yield record


# ---- importing -----------------------------------------------------------------------------


def _csv_column(pointer: str | None) -> str | None:
    """A record field (JSON pointer) as the CSV column it came from."""
    if pointer is None:
        return None
    parts = pointer.split("/")
    if parts[0] == "ratings":
        reverse = {v: k for k, v in CSV_RATING.items()}
        return reverse.get(parts[2] if len(parts) > 2 else "tier", "evidence_tier")
    if parts[0] == "availability" and len(parts) > 1:
        reverse = {v: k for k, v in CSV_AVAILABILITY.items()}
        return reverse.get(parts[1], pointer)
    return parts[0]


def _dump(sources: list[Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(sources, indent=2, ensure_ascii=False, default=str)
    return yaml.safe_dump(sources, sort_keys=False, allow_unicode=True).rstrip("\n")


def import_records(
    session: Session,
    principal: Principal,
    records: Iterator[Record],
    report: Report,
    *,
    fmt: str,
) -> None:
    """Validate and upsert each record in its own savepoint, counting into the report.

    An id seen twice in the file (per type) rejects the later record.
    """
    validators = {kind: schema_validator(f"{kind}.schema.json") for kind in KINDS}
    upserts: dict[str, Callable[..., directory.Upserted]] = {
        "program": directory.upsert_program,
        "practice": directory.upsert_practice,
    }
    seen: dict[tuple[str, str], int] = {}
    rejected_sources: list[Any] = []
    where = "on line" if fmt == "csv" else "in record"
    for record in records:
        try:
            if record.error is not None:
                raise record.error
            first = seen.setdefault((record.kind, record.id), record.line)
            if first != record.line:
                raise RecordError("id", f"{record.id!r} already {where} {first}")
            data: Any = check_record(validators[record.kind], INPUTS[record.kind], record.body)
            try:
                with session.begin_nested():
                    outcome = upserts[record.kind](
                        session, principal, origin_id=record.id, data=data
                    )
            except HubError as exc:
                raise service_error(exc) from None
        except RecordError as exc:
            field = _csv_column(exc.field) if fmt == "csv" else exc.field
            report.reject(record.line, field, exc.reason, raw=record.raw)
            if record.raw is None:
                rejected_sources.append(record.source)
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    if rejected_sources and report.rejected_sink is not None:
        report.rejected_sink(_dump(rejected_sources, fmt))
