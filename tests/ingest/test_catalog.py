"""`hub ingest catalog`: programs and practices from CSV, JSON and YAML, upserted by their id."""

import io
import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.audit import AuditEntry
from hub.auth.policy import Principal
from hub.cli import app
from hub.db import make_engine
from hub.directory import service as directory
from hub.directory import taxonomy
from hub.directory.models import Practice, Program
from hub.errors import PermissionDenied
from hub.ingest.report import Report
from hub.ingest.runner import Request, run
from hub.settings import get_settings
from tests import factories as f
from tests.ingest.csvfiles import write_dicts

HEADER = [
    "type",
    "id",
    "title",
    "summary",
    "description",
    "provider",
    "topics",
    "phases",
    "audiences",
    "delivery_modes",
    "free",
    "cost_note",
    "url",
    "evidence_tier",
    "evidence_source",
    "evidence_as_of",
    "available_states",
    "available_regions",
    "available_districts",
    "starts_on",
    "ends_on",
    "body",
    "status",
]
PROGRAM = {
    "type": "program",
    "id": "p-1",
    "title": "Threat assessment teams",
    "summary": "Training, coaching and templates",
    "description": "Two days, in person, for a district's whole team",
    "provider": "Center University",
    "topics": "threat-assessment; school-climate",
    "phases": "prevention",
    "audiences": "administrators;mental-health-professionals",
    "delivery_modes": "in-person",
    "free": "yes",
    "url": "https://center.example.org/tat",
    "evidence_tier": "tier-2",
    "evidence_source": "Clearinghouse",
    "evidence_as_of": "2024-05-01",
    "available_states": "ZZ",
    "starts_on": "2025-01-01",
    "ends_on": "2025-12-31",
}
PRACTICE = {
    "type": "practice",
    "id": "b-1",
    "title": "Reunification site agreements",
    "body": "Sign them **before** you need them.",
    "topics": "family-reunification",
    "status": "published",
}
runner = CliRunner()


def _allowed(vocabulary: str) -> str:
    return ", ".join(taxonomy.load().slugs(vocabulary))


write_csv = partial(write_dicts, header=HEADER)


def ingest(
    session: Session,
    path: Path,
    principal: Principal = f.ADMIN,
    *,
    rejected: io.StringIO | None = None,
    **options: Any,
) -> Report:
    with path.open("rb") as stream:
        request = Request(kind="catalog", stream=stream, name=path.name, **options)
        return run(session, principal, request, rejected=rejected)


def counts(report: Report) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


def rejections(report: Report) -> list[tuple[int, str | None, str]]:
    return [(r.line, r.field, r.reason) for r in report.rejections]


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _audit(session: Session, action: str) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    return int(session.scalar(query) or 0)


def _program(session: Session, origin_id: str) -> Program:
    program = session.scalar(select(Program).where(Program.origin_id == origin_id))
    assert program is not None
    return program


def test_csv_creates_then_reports_unchanged_then_updates(session: Session, tmp_path: Path) -> None:
    second = {"type": "program", "id": "p-2", "title": "Tabletops, drills, and exercises"}
    second |= {"topics": "tabletop-exercises", "free": "0", "cost_note": "$200, per site"}
    path = write_csv(tmp_path / "catalog.csv", [PROGRAM, second, PRACTICE])

    report = ingest(session, path)
    assert (counts(report), report.committed, report.exit_code) == ((3, 0, 0, 0), True, 0)
    program = _program(session, "p-1")
    assert program.origin_center == get_settings().center_slug
    assert (program.title, program.free, program.url) == (
        "Threat assessment teams",
        True,
        "https://center.example.org/tat",
    )
    snapshot = directory.program_snapshot(program)
    assert snapshot["topics"] == ["school-climate", "threat-assessment"]
    assert snapshot["audiences"] == ["administrators", "mental-health-professionals"]
    assert snapshot["availability"] == [["state", "ZZ"]]
    assert [(r["tier"], r["source"], str(r["as_of"])) for r in snapshot["ratings"]] == [
        ("tier-2", "Clearinghouse", "2024-05-01")
    ]
    assert _program(session, "p-2").title == "Tabletops, drills, and exercises"
    assert _program(session, "p-2").cost_note == "$200, per site"
    practice = session.scalar(select(Practice).where(Practice.origin_id == "b-1"))
    assert practice is not None
    assert (practice.status, practice.body) == ("published", PRACTICE["body"])
    assert (_audit(session, "program.create"), _audit(session, "practice.create")) == (2, 1)
    versions = (program.version, program.change_seq)

    again = ingest(session, path)
    assert counts(again) == (0, 0, 3, 0)
    assert (
        again.summary()
        == "catalog.csv: 0 created, 0 updated, 3 unchanged, 0 rejected; nothing changed"
    )
    assert (program.version, program.change_seq) == versions
    assert _audit(session, "program.update") + _audit(session, "practice.update") == 0
    assert _audit(session, "ingest.catalog") == 2

    changed = write_csv(tmp_path / "catalog.csv", [{**PROGRAM, "phases": "prevention;response"}])
    assert counts(ingest(session, changed)) == (0, 1, 0, 0)
    assert program.version == versions[0] + 1
    assert _audit(session, "program.update") == 1
    assert _count(session, Program) == 2


def test_csv_rejections_name_line_column_and_reason(session: Session, tmp_path: Path) -> None:
    rows = [
        PROGRAM,
        {**PROGRAM, "id": "p-2", "topics": "threat-assessment;cooking"},
        {**PROGRAM, "id": "p-3", "evidence_tier": "tier-9"},
        {**PROGRAM, "id": "p-4", "starts_on": "2025-13-01"},
        {**PROGRAM, "id": "p-5", "free": "maybe"},
        {**PROGRAM, "title": "Same id again"},
        {**PRACTICE, "id": "b-2", "free": "yes"},
        {**PROGRAM, "id": "p-6", "title": ""},
        {**PROGRAM, "id": "p-7", "type": "webinar"},
        {**PROGRAM, "id": "p-8", "evidence_source": ""},
        {**PROGRAM, "id": "p-9", "available_districts": "123"},
        {**PROGRAM, "id": "p-10", "starts_on": "2025-06-01", "ends_on": "2025-01-01"},
        {**PRACTICE, "id": "b-3", "status": "finished"},
        {**PROGRAM, "id": "p-11", "url": "not a url"},
        {**PROGRAM, "id": ""},
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with path.open("a", encoding="utf-8") as out:
        out.write("program,p-12,too few fields\n")

    report = ingest(session, path)
    statuses = "draft, submitted, approved, published, retired"
    assert rejections(report) == [
        (3, "topics", f"unknown topics 'cooking'; allowed: {_allowed('topics')}"),
        (
            4,
            "evidence_tier",
            f"unknown evidence tier 'tier-9'; allowed: {_allowed('evidence_tiers')}",
        ),
        (5, "starts_on", "'2025-13-01' is not a valid date"),
        (6, "free", "expected yes/no, true/false or 1/0, got 'maybe'"),
        (7, "id", "'p-1' already on line 2"),
        (8, "free", "is a program column; leave it empty for a practice"),
        (9, "title", "is required"),
        (10, "type", "expected 'program' or 'practice', got 'webinar'"),
        (11, "evidence_source", "is required"),
        (12, "available_districts", "'123' does not match the pattern ^\\d{7}$"),
        (13, None, "ends_on is before starts_on"),
        (14, "status", f"unknown status 'finished'; allowed: {statuses}"),
        (15, "url", "Input should be a valid URL, relative URL without a base"),
        (16, "id", "is required"),
        (17, None, f"expected {len(HEADER)} fields, found 3"),
    ]
    assert counts(report) == (1, 0, 0, 15)
    assert (report.committed, report.exit_code) == (False, 1)
    assert _count(session, Program) == 0
    assert _audit(session, "program.create") + _audit(session, "ingest.catalog") == 0


def test_dry_run_validates_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "catalog.csv", [PROGRAM, PRACTICE])
    report = ingest(session, path, dry_run=True)
    assert (counts(report), report.committed, report.exit_code) == ((2, 0, 0, 0), False, 0)
    assert "dry run: nothing written" in report.summary()
    assert (_count(session, Program), _count(session, Practice)) == (0, 0)
    assert _count(session, AuditEntry) == 0


def test_skip_invalid_keeps_valid_rows_and_writes_the_rejected_ones(
    session: Session, tmp_path: Path
) -> None:
    bad = {**PROGRAM, "id": "p-2", "topics": "cooking"}
    path = write_csv(tmp_path / "catalog.csv", [PROGRAM, bad, PRACTICE])
    out = io.StringIO()
    report = ingest(session, path, skip_invalid=True, rejected=out)
    assert counts(report) == (2, 0, 0, 1)
    assert (report.committed, report.exit_code) == (True, 1)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert out.getvalue().splitlines() == [lines[0], lines[2]]
    assert _count(session, Program) == 1
    assert _audit(session, "ingest.catalog") == 1


@pytest.mark.parametrize(
    ("encoding", "newline"), [("iso-8859-1", "\n"), ("utf-8-sig", "\n"), ("utf-8", "\r\n")]
)
def test_csv_encodings_and_line_endings(
    session: Session, tmp_path: Path, encoding: str, newline: str
) -> None:
    title = "Seguridad escolar en Peñasco, Año 1"
    rows = [{**PROGRAM, "title": title}, {**PROGRAM, "id": "p-2", "free": "maybe"}]
    path = write_csv(tmp_path / "catalog.csv", rows, encoding=encoding, newline=newline)
    report = ingest(session, path, skip_invalid=True)
    assert counts(report) == (1, 0, 0, 1)
    assert rejections(report) == [(3, "free", "expected yes/no, true/false or 1/0, got 'maybe'")]
    assert _program(session, "p-1").title == title
    assert _program(session, "p-1").url == PROGRAM["url"]


JSON_PROGRAM: dict[str, Any] = {
    "id": "p-1",
    "title": "Threat assessment teams",
    "topics": ["threat-assessment"],
    "free": True,
    "ratings": [{"tier": "tier-2", "source": "Clearinghouse", "as_of": "2024-05-01"}],
    "availability": {"states": ["ZZ"], "districts": ["9900001"]},
}
JSON_PRACTICE: dict[str, Any] = {
    "id": "b-1",
    "title": "Reunification site agreements",
    "topics": ["family-reunification"],
    "citations": [{"title": "REMS guide", "url": "https://rems.example.org/guide"}],
    "status": "published",
}


def test_json_mapping_and_yaml_list_import_the_same_catalog(
    session: Session, tmp_path: Path
) -> None:
    as_json = tmp_path / "catalog.json"
    as_json.write_text(json.dumps({"programs": [JSON_PROGRAM], "practices": [JSON_PRACTICE]}))
    assert counts(ingest(session, as_json)) == (2, 0, 0, 0)
    practice = session.scalar(select(Practice).where(Practice.origin_id == "b-1"))
    assert practice is not None
    assert practice.citations == [{"title": "REMS guide", "url": "https://rems.example.org/guide"}]

    # YAML as people write it: unquoted dates, yes for true, an integer-looking id.
    as_yaml = tmp_path / "catalog.yml"
    as_yaml.write_text(
        "- type: program\n"
        "  id: p-1\n"
        "  title: Threat assessment teams\n"
        "  topics: [threat-assessment]\n"
        "  free: yes\n"
        "  ratings:\n"
        "    - {tier: tier-2, source: Clearinghouse, as_of: 2024-05-01}\n"
        "  availability: {states: [ZZ], districts: ['9900001']}\n"
        "- type: practice\n"
        + "".join(f"  {line}\n" for line in yaml.safe_dump(JSON_PRACTICE).splitlines())
        + "- type: program\n  id: 42\n  title: Tabletops\n  topics: [tabletop-exercises]\n"
    )
    report = ingest(session, as_yaml)
    assert counts(report) == (1, 0, 2, 0)
    assert _program(session, "42").title == "Tabletops"


def test_json_rejections_name_the_record_and_a_pointer(session: Session, tmp_path: Path) -> None:
    records: list[Any] = [
        {"type": "program", **JSON_PROGRAM},
        {
            "type": "program",
            **JSON_PROGRAM,
            "id": "p-2",
            "ratings": [{"tier": "gold", "source": "X"}],
        },
        {"type": "program", **JSON_PROGRAM, "id": "p-3", "availability": {"states": ["zz"]}},
        {"type": "program", **JSON_PROGRAM, "id": "p-4", "colour": "red"},
        {"type": "program", **JSON_PROGRAM},
        {**JSON_PRACTICE},
        "a string",
        {"type": "practice", **JSON_PRACTICE, "id": "b-2", "topics": []},
        {"type": "practice", **JSON_PRACTICE, "id": ["b-3"]},
        {"type": "program", **JSON_PROGRAM, "id": "p-5", "contact_id": 999999},
        {"type": "practice", **JSON_PRACTICE, "id": "b-4", "status": "retired"},
    ]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    out = io.StringIO()
    report = ingest(session, path, skip_invalid=True, rejected=out)
    known = "audiences, availability, contact_id, cost_note, delivery_modes, description, "
    known += "ends_on, free, phases, provider, ratings, starts_on, summary, title, topics, url"
    assert rejections(report) == [
        (
            2,
            "ratings/0/tier",
            f"unknown evidence tier 'gold'; allowed: {_allowed('evidence_tiers')}",
        ),
        (3, "availability/states/0", "'zz' does not match the pattern ^[A-Z]{2}$"),
        (4, "colour", f"unknown field; known: {known}"),
        (5, "id", "'p-1' already in record 1"),
        (6, "type", "expected 'program' or 'practice', got None"),
        (7, None, "a record is a mapping, got str"),
        (8, "topics", "[] should be non-empty"),
        (9, "id", "must be a string, got ['b-3']"),
        (10, "contact_id", "no contact 999999"),
        (11, "status", "retire a practice with retirePractice"),
    ]
    assert counts(report) == (1, 0, 0, 10)
    assert _count(session, Program) == 1
    # The rejected records as a JSON list, each with its type: fix them and import that file.
    again = json.loads(out.getvalue())
    assert again == records[1:]


def test_mapping_form_checks_a_record_type_against_its_list(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"practices": [{**JSON_PROGRAM, "type": "program"}]}))
    report = ingest(session, path)
    assert rejections(report) == [(1, "type", "a program in the practices list")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "c.json",
            "[{",
            "c.json is not valid JSON: Expecting property name enclosed in double quotes "
            "(line 1, column 3)",
        ),
        (
            "c.json",
            '{"title": "x"}',
            "c.json: unknown key(s) title; expected programs and practices",
        ),
        (
            "c.json",
            '"programs"',
            "c.json: expected a list of records or {programs: [...], practices: [...]}, got a str",
        ),
        (
            "c.yaml",
            "",
            "c.yaml: expected a list of records or {programs: [...], practices: [...]}, "
            "got an empty file",
        ),
        ("c.yaml", "programs: {a: 1}\n", "c.yaml: programs is a dict, not a list"),
        ("c.yaml", "- [unclosed\n", "c.yaml is not valid YAML: while parsing a flow sequence"),
        ("c.csv", "type,id,title\n", "c.csv lacks the required column(s) topics"),
        ("c.csv", "type,id,title,topics,colour\n", "c.csv has unknown column(s) colour; known: "),
        ("c.xlsx", "", "c.xlsx: a catalog file is .csv, .json, .yaml or .yml"),
    ],
)
def test_unusable_files(
    session: Session, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    report = ingest(session, path)
    assert report.unusable is not None
    assert report.unusable.startswith(message)
    assert report.exit_code == 2
    assert counts(report) == (0, 0, 0, 0)


def test_a_viewer_may_not_import_a_catalog(session: Session, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "catalog.csv", [PROGRAM])
    with pytest.raises(PermissionDenied):
        ingest(session, path, f.VIEWER)
    district = f.district(session)
    with pytest.raises(PermissionDenied):
        ingest(session, path, f.district_user(district))
    assert _count(session, Program) == 0
    assert _count(session, AuditEntry) == 0


def test_cli_exit_codes(cli_db: str, tmp_path: Path) -> None:
    good = write_csv(tmp_path / "catalog.csv", [PROGRAM, PRACTICE])
    result = runner.invoke(app, ["ingest", "catalog", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated, 0 unchanged, 0 rejected; imported" in result.output
    report = json.loads((tmp_path / "catalog.csv.report.json").read_text(encoding="utf-8"))
    assert (report["kind"], report["created"], report["exit_code"]) == ("catalog", 2, 0)

    bad = write_csv(tmp_path / "bad.csv", [{**PROGRAM, "id": "p-2", "topics": "cooking"}])
    result = runner.invoke(app, ["ingest", "catalog", str(bad), "--skip-invalid"])
    assert result.exit_code == 1, result.output
    rejected = (tmp_path / "bad.rejected.csv").read_text(encoding="utf-8").splitlines()
    assert rejected == bad.read_text(encoding="utf-8").splitlines()

    unusable = tmp_path / "catalog.json"
    unusable.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "catalog", str(unusable)])
    assert result.exit_code == 2, result.output
    assert "unusable file" in result.output

    engine = make_engine(cli_db)
    try:
        with Session(engine) as s:
            assert _count(s, Program) == 1
            assert _count(s, Practice) == 1
    finally:
        engine.dispose()
