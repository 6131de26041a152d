"""`hub ingest contacts`: a district's contact list, upserted by (school, name, role)."""

import io
import json
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from hub.audit import AuditEntry
from hub.auth.policy import Principal
from hub.cli import app
from hub.db import make_engine, session_scope
from hub.directory import taxonomy
from hub.directory.models import Contact, District, School
from hub.errors import NotFound, PermissionDenied
from hub.ingest.report import Report
from hub.ingest.runner import Request, run
from tests import factories as f
from tests.ingest.csvfiles import write_dicts

HEADER = [
    "name",
    "title",
    "role",
    "email",
    "phone",
    "channels",
    "available_24x7",
    "school_nces_id",
]
SUPERINTENDENT = {
    "name": "Dana Ortiz",
    "title": "Superintendent",
    "role": "superintendent",
    "email": "dana.ortiz@cedarbrook.example.org",
    "phone": "(208) 555-0142",
    "channels": "email; sms",
    "available_24x7": "yes",
}
runner = CliRunner()


write_csv = partial(write_dicts, header=HEADER)


def ingest(
    session: Session,
    path: Path,
    district: District,
    principal: Principal = f.ADMIN,
    *,
    rejected: io.StringIO | None = None,
    **options: Any,
) -> Report:
    with path.open("rb") as stream:
        request = Request(
            kind="contacts",
            stream=stream,
            name=path.name,
            params={"district": district.nces_id},
            **options,
        )
        return run(session, principal, request, rejected=rejected)


def counts(report: Report) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


def rejections(report: Report) -> list[tuple[int, str | None, str]]:
    return [(r.line, r.field, r.reason) for r in report.rejections]


def _contacts(session: Session, district: District) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact).where(Contact.district_id == district.id).order_by(Contact.id)
        )
    )


def _audit(session: Session, action: str) -> int:
    query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    return int(session.scalar(query) or 0)


@pytest.fixture
def district(session: Session) -> District:
    return f.district(session)


@pytest.fixture
def school(session: Session, district: District) -> School:
    return f.school(session, district)


def test_creates_then_reports_unchanged_then_updates_and_leaves_others_alone(
    session: Session, tmp_path: Path, district: District, school: School
) -> None:
    other = f.contact(session, district, name="Lee Park", role="communications")
    principal = {
        "name": "Sam Reyes",
        "role": "principal",
        "email": "SAM.REYES@cedarbrook.example.org",
        "school_nces_id": school.nces_id,
    }
    path = write_csv(tmp_path / "contacts.csv", [SUPERINTENDENT, principal])

    report = ingest(session, path, district)
    assert (counts(report), report.committed, report.exit_code) == ((2, 0, 0, 0), True, 0)
    dana = session.scalar(select(Contact).where(Contact.name == "Dana Ortiz"))
    assert dana is not None
    assert (dana.district_id, dana.school_id, dana.title) == (district.id, None, "Superintendent")
    assert (dana.phone, dana.channels, dana.available_24x7) == (
        "+12085550142",
        ["email", "sms"],
        True,
    )
    sam = session.scalar(select(Contact).where(Contact.name == "Sam Reyes"))
    assert sam is not None
    assert (sam.district_id, sam.school_id, sam.channels) == (district.id, school.id, [])
    assert _audit(session, "contact.create") == 3  # the factory's, and the two imported
    versions = (dana.version, dana.change_seq, other.version)

    again = ingest(session, path, district)
    assert counts(again) == (0, 0, 2, 0)
    assert "nothing changed" in again.summary()
    assert (dana.version, dana.change_seq, other.version) == versions
    assert _audit(session, "contact.update") == 0

    # The key is (school, name without case, role): a new title and name casing update in place.
    changed = {**SUPERINTENDENT, "name": "DANA ORTIZ", "title": "Interim superintendent"}
    report = ingest(session, write_csv(tmp_path / "contacts.csv", [changed, principal]), district)
    assert counts(report) == (0, 1, 1, 0)
    assert (dana.name, dana.title, dana.version) == (
        "DANA ORTIZ",
        "Interim superintendent",
        versions[0] + 1,
    )
    assert _audit(session, "contact.update") == 1
    assert [c.name for c in _contacts(session, district)] == ["Lee Park", "DANA ORTIZ", "Sam Reyes"]
    assert not other.deleted


def test_rejections_name_line_column_and_reason(
    session: Session, tmp_path: Path, district: District, school: School
) -> None:
    elsewhere = f.school(session)
    roles = ", ".join(taxonomy.load().slugs("contact_roles"))
    rows = [
        SUPERINTENDENT,
        {**SUPERINTENDENT, "name": "Pat Kim", "phone": "555-0100"},
        {**SUPERINTENDENT, "name": "Pat Kim", "email": "pat.kim@", "channels": ""},
        {**SUPERINTENDENT, "name": "Pat Kim", "role": "janitor", "email": ""},
        {**SUPERINTENDENT, "name": "Pat Kim", "role": "principal"},
        {**SUPERINTENDENT, "email": "pat.kim@cedarbrook.example.org"},
        {**SUPERINTENDENT, "name": "Lou Diaz", "school_nces_id": elsewhere.nces_id},
        {**SUPERINTENDENT, "name": "Lou Diaz", "school_nces_id": "12345"},
        {"name": "Lou Diaz", "role": "principal", "channels": "sms"},
        {"name": "Lou Diaz", "role": "principal", "available_24x7": "always"},
        {"name": "Lou Diaz", "role": "principal", "channels": "fax"},
        {"name": "", "role": "principal"},
    ]
    path = write_csv(tmp_path / "contacts.csv", rows)
    report = ingest(session, path, district)
    assert rejections(report) == [
        (3, "phone", "not a valid phone number: '555-0100'"),
        (
            4,
            "email",
            "value is not a valid email address: There must be something after the @-sign.",
        ),
        (5, "role", f"unknown contact role 'janitor'; allowed: {roles}"),
        (6, "email", "dana.ortiz@cedarbrook.example.org already on line 2"),
        (7, "name", "Dana Ortiz (superintendent) already on line 2"),
        (8, "school_nces_id", f"no school {elsewhere.nces_id} in district {district.nces_id}"),
        (9, "school_nces_id", "a school NCES id is exactly 12 digits, got '12345'"),
        (10, None, "channels 'sms' and 'voice' need a phone number"),
        (11, "available_24x7", "expected yes/no, true/false or 1/0, got 'always'"),
        (12, "channels/0", "unknown channels 'fax'; allowed: email, sms, voice, webhook"),
        (13, "name", "is required"),
    ]
    assert counts(report) == (1, 0, 0, 11)
    assert (report.committed, report.exit_code) == (False, 1)
    assert _contacts(session, district) == []
    assert _audit(session, "contact.create") == 0


def test_an_email_without_at_sign_is_caught_by_the_json_schema(
    session: Session, tmp_path: Path, district: District
) -> None:
    path = write_csv(tmp_path / "c.csv", [{**SUPERINTENDENT, "email": "dana.example.org"}])
    report = ingest(session, path, district)
    assert rejections(report) == [(2, "email", "'dana.example.org' is not a valid email")]


def test_dry_run_and_skip_invalid(session: Session, tmp_path: Path, district: District) -> None:
    bad = {**SUPERINTENDENT, "name": "Pat Kim", "email": "pat@example.org", "role": "janitor"}
    path = write_csv(tmp_path / "contacts.csv", [SUPERINTENDENT, bad])
    dry = ingest(session, path, district, dry_run=True)
    assert (counts(dry), dry.committed) == ((1, 0, 0, 1), False)
    assert _contacts(session, district) == []

    out = io.StringIO()
    kept = ingest(session, path, district, skip_invalid=True, rejected=out)
    assert (counts(kept), kept.committed, kept.exit_code) == ((1, 0, 0, 1), True, 1)
    assert [c.name for c in _contacts(session, district)] == ["Dana Ortiz"]
    lines = path.read_text(encoding="utf-8").splitlines()
    assert out.getvalue().splitlines() == [lines[0], lines[2]]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "ingest.contacts"))
    assert entry is not None
    assert entry.after is not None
    assert (entry.after["district"], entry.after["created"]) == (district.nces_id, 1)


@pytest.mark.parametrize(
    ("encoding", "newline"), [("iso-8859-1", "\n"), ("utf-8-sig", "\n"), ("utf-8", "\r\n")]
)
def test_csv_encodings_and_line_endings(
    session: Session, tmp_path: Path, district: District, encoding: str, newline: str
) -> None:
    rows = [{**SUPERINTENDENT, "name": "José Muñoz", "title": "Superintendent, acting"}]
    path = write_csv(tmp_path / "c.csv", rows, encoding=encoding, newline=newline)
    assert counts(ingest(session, path, district)) == (1, 0, 0, 0)
    [contact] = _contacts(session, district)
    assert (contact.name, contact.title, contact.available_24x7) == (
        "José Muñoz",
        "Superintendent, acting",
        True,
    )


def test_permission_and_unknown_district(
    session: Session, tmp_path: Path, district: District
) -> None:
    path = write_csv(tmp_path / "c.csv", [SUPERINTENDENT])
    theirs = f.district(session)
    for principal in (f.VIEWER, f.district_user(theirs)):
        with pytest.raises(PermissionDenied):
            ingest(session, path, district, principal)
    assert _contacts(session, district) == []
    assert counts(ingest(session, path, district, f.district_user(district))) == (1, 0, 0, 0)

    unknown = District(nces_id="9999999", name="Nowhere", state="ZZ")
    with pytest.raises(NotFound, match="no district with NCES id 9999999"):
        ingest(session, path, unknown)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,title\n", "c.csv lacks the required column(s) role"),
        ("name,role,mobile\n", "c.csv has unknown column(s) mobile; known: name, role, title"),
        ("", "c.csv is empty"),
    ],
)
def test_unusable_files(
    session: Session, tmp_path: Path, district: District, content: str, message: str
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(content, encoding="utf-8")
    report = ingest(session, path, district)
    assert report.unusable is not None
    assert report.unusable.startswith(message)
    assert report.exit_code == 2


def test_cli_exit_codes(cli_db: str, tmp_path: Path) -> None:
    with session_scope() as s:
        s.add(District(nces_id="9900001", name="Cedarbrook School District", state="ZZ"))
    good = write_csv(tmp_path / "contacts.csv", [SUPERINTENDENT])
    result = runner.invoke(app, ["ingest", "contacts", str(good), "--district", "9900001"])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 0 rejected; imported" in result.output
    report = json.loads((tmp_path / "contacts.csv.report.json").read_text(encoding="utf-8"))
    assert (report["kind"], report["created"], report["exit_code"]) == ("contacts", 1, 0)

    bad = write_csv(tmp_path / "bad.csv", [{**SUPERINTENDENT, "role": "janitor"}])
    result = runner.invoke(app, ["ingest", "contacts", str(bad), "--district", "9900001"])
    assert result.exit_code == 1, result.output
    assert "nothing imported" in result.output

    result = runner.invoke(app, ["ingest", "contacts", str(good), "--district", "9900002"])
    assert result.exit_code == 2, result.output
    assert "no district with NCES id 9900002" in result.output

    missing = tmp_path / "missing.csv"
    missing.write_text("name,title\nDana,Boss\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "contacts", str(missing), "--district", "9900001"])
    assert result.exit_code == 2, result.output
    assert "lacks the required column(s) role" in result.output

    engine = make_engine(cli_db)
    try:
        with Session(engine) as s:
            assert [c.name for c in s.scalars(select(Contact))] == ["Dana Ortiz"]
    finally:
        engine.dispose()
