"""NCES CCD directory imports: the real sample, published layouts, broken files, exact reports."""

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.ingest.generate import DISTRICT_HEADER, SCHOOL_HEADER, district_rows, school_rows, write
from hub.audit import AuditEntry
from hub.auth.policy import SYSTEM, Principal
from hub.directory.models import District, School
from hub.errors import PermissionDenied
from hub.ingest import runner
from hub.ingest.report import Notice, Rejection, Report

SAMPLE = Path(__file__).parents[2].parent / "shared" / "data" / "nces"
SAMPLE_FILE = SAMPLE / "ccd_sch_029_2526_head_sample.csv"
VIEWER = Principal(user_id=99, username="viewer", role="viewer")


def run(
    session: Session,
    kind: str,
    path: Path,
    *,
    principal: Principal = SYSTEM,
    rejected: io.StringIO | None = None,
    **options: Any,
) -> Report:
    params = {"state": options.pop("state")} if "state" in options else {}
    with path.open("rb") as stream:
        request = runner.Request(kind=kind, stream=stream, name=path.name, params=params, **options)
        return runner.run(session, principal, request, rejected=rejected)


def lea_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "lea.csv", **kw: Any) -> Path:
    return write(tmp_path / name, DISTRICT_HEADER, iter(rows), **kw)


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def counts(report: Report) -> tuple[int, int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected, report.skipped


def sample_districts(tmp_path: Path) -> Path:
    """The LEA file for the sample's nine Alabama districts, in the published layout."""
    with SAMPLE_FILE.open(encoding="utf-8") as f:
        first: dict[str, dict[str, str]] = {}
        for row in csv.DictReader(f):
            first.setdefault(row["LEAID"], row)
    rows = [
        {**{c: r.get(c, "") for c in DISTRICT_HEADER}, "CHARTER_LEA_TEXT": "No"}
        for r in first.values()
    ]
    return lea_file(tmp_path, rows)


def test_the_real_nces_sample_imports_and_a_rerun_changes_nothing(
    session: Session, tmp_path: Path
) -> None:
    report = run(session, "nces-districts", sample_districts(tmp_path))
    assert (counts(report), report.rejections, report.committed) == ((9, 0, 0, 0, 0), [], True)

    report = run(session, "nces-schools", SAMPLE_FILE)
    assert counts(report) == (80, 0, 0, 0, 0)
    assert report.rejections == []
    assert report.exit_code == 0
    albertville = session.scalars(select(School).where(School.nces_id == "010000500870")).one()
    assert (albertville.name, albertville.phone, albertville.level) == (
        "Albertville Middle School",
        "+12568782341",
        "Middle",
    )
    assert (albertville.grade_low, albertville.grade_high, albertville.zip) == ("07", "08", "35950")
    assert albertville.origin_id == "010000500870"
    assert albertville.version == 1
    # A future school (status 7) with grades "M" and level "Not reported": empty, not data.
    future = session.scalars(select(School).where(School.nces_id == "010000602755")).one()
    assert (future.grade_low, future.grade_high, future.level, future.closed) == (
        None,
        None,
        None,
        False,
    )

    again = run(session, "nces-schools", SAMPLE_FILE)
    assert counts(again) == (0, 0, 80, 0, 0)
    assert again.summary().endswith("nothing changed")
    assert albertville.version == 1


def test_update_bumps_version_and_change_seq_and_closed_is_marked_not_deleted(
    session: Session, tmp_path: Path
) -> None:
    rows = list(district_rows(3))
    run(session, "nces-districts", lea_file(tmp_path, rows))
    first = session.scalars(select(District).where(District.nces_id == rows[0]["LEAID"])).one()
    seq = first.change_seq
    rows[0] = {**rows[0], "LEA_NAME": "Renamed District", "UPDATED_STATUS": "2"}
    report = run(session, "nces-districts", lea_file(tmp_path, rows, name="lea2.csv"))
    assert counts(report) == (0, 1, 2, 0, 0)
    session.expire_all()
    assert (first.name, first.closed, first.deleted, first.version) == (
        "Renamed District",
        True,
        False,
        2,
    )
    assert first.change_seq > seq


def test_missing_required_column_makes_the_file_unusable(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "lea.csv"
    path.write_text("LEAID,ST\n0100005,AL\n", encoding="utf-8")
    report = run(session, "nces-districts", path)
    assert report.unusable == "lea.csv lacks the required column(s) LEA_NAME"
    assert report.exit_code == 2
    assert not report.committed
    assert count(session, District) == 0


def test_empty_file_is_unusable(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "lea.csv"
    path.write_bytes(b"")
    assert run(session, "nces-districts", path).unusable == "lea.csv is empty"


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [("iso-8859-1", "\n"), ("utf-8-sig", "\n"), ("utf-8", "\r\n")],
)
def test_latin1_bom_and_crlf_files_read_alike(
    session: Session, tmp_path: Path, encoding: str, newline: str
) -> None:
    rows = [{**next(district_rows(1)), "LEA_NAME": "Peñasco Independent Schools"}]
    path = lea_file(tmp_path, rows, encoding=encoding, newline=newline)
    report = run(session, "nces-districts", path)
    assert counts(report) == (1, 0, 0, 0, 0), report.rejections
    district = session.scalars(select(District)).one()
    assert district.name == "Peñasco Independent Schools"
    assert district.nces_id == "0100001"
    assert district.website == "http://www.d0.k12.example.us"
    assert district.grade_high == "12"


def test_bad_rows_are_reported_exactly_and_nothing_is_imported(
    session: Session, tmp_path: Path
) -> None:
    rows = list(district_rows(4))
    rows[1] = {**rows[1], "LEAID": "100005"}  # a leading zero lost in a spreadsheet
    rows[3] = {**rows[3], "LEAID": rows[0]["LEAID"]}  # the same district twice
    path = lea_file(tmp_path, rows)
    with path.open("a", encoding="utf-8") as f:
        f.write("0100099,Short Row,AL\n")
    report = run(session, "nces-districts", path)
    assert report.rejections == [
        Rejection(
            "lea.csv",
            3,
            "LEAID",
            "a district NCES id is exactly 7 digits, got '100005' "
            "(a spreadsheet may have dropped its leading zero)",
        ),
        Rejection("lea.csv", 5, "LEAID", "0100001 already appears on line 2"),
        Rejection("lea.csv", 6, None, f"expected {len(DISTRICT_HEADER)} fields, found 3"),
    ]
    assert counts(report) == (2, 0, 0, 3, 0)
    assert report.exit_code == 1
    assert not report.committed
    assert report.summary() == (
        "lea.csv: 2 created, 0 updated, 0 unchanged, 3 rejected; "
        "nothing imported: fix the rejected rows or use --skip-invalid"
    )
    assert count(session, District) == 0
    assert count(session, AuditEntry) == 0


def test_skip_invalid_imports_the_rest_and_keeps_the_rejected_rows(
    session: Session, tmp_path: Path
) -> None:
    rows = list(district_rows(3))
    rows[2] = {**rows[2], "ST": "Alabama"}
    rejected = io.StringIO()
    report = run(
        session, "nces-districts", lea_file(tmp_path, rows), skip_invalid=True, rejected=rejected
    )
    assert counts(report) == (2, 0, 0, 1, 0)
    assert report.committed
    assert report.rejections == [
        Rejection("lea.csv", 4, "ST", "a state is a two-letter code, got 'ALABAMA'")
    ]
    lines = rejected.getvalue().splitlines()
    assert lines[0] == ",".join(DISTRICT_HEADER)
    assert lines[1] == ",".join(rows[2].get(c, "") for c in DISTRICT_HEADER)
    assert count(session, District) == 2
    entry = session.scalars(select(AuditEntry)).one()
    assert (entry.actor, entry.action, entry.entity_id) == (
        "system",
        "ingest.nces-districts",
        "lea.csv",
    )
    assert entry.after is not None
    assert entry.after["created"] == 2


def test_dry_run_reports_and_writes_nothing(session: Session, tmp_path: Path) -> None:
    path = lea_file(tmp_path, list(district_rows(5)))
    report = run(session, "nces-districts", path, dry_run=True)
    assert counts(report) == (5, 0, 0, 0, 0)
    assert not report.committed
    assert report.summary().endswith("dry run: nothing written")
    assert count(session, District) == 0
    assert count(session, AuditEntry) == 0


def test_state_filter_skips_other_states(session: Session, tmp_path: Path) -> None:
    report = run(session, "nces-districts", lea_file(tmp_path, list(district_rows(24))), state="AL")
    assert counts(report) == (2, 0, 0, 0, 22)
    assert set(session.scalars(select(District.state))) == {"AL"}


def test_unusable_values_become_empty_with_a_warning(session: Session, tmp_path: Path) -> None:
    row = {
        **next(district_rows(1)),
        "PHONE": "(000)000-0000",
        "WEBSITE": "www.schools k12",
        "LZIP": "-1",
        "GSLO": "M",
        "LSTREET1": 'The "Old" Schoolhouse',  # a literal quote in an unquoted field
    }
    report = run(session, "nces-districts", lea_file(tmp_path, [row]))
    assert counts(report) == (1, 0, 0, 0, 0)
    assert report.warnings == [
        Notice("lea.csv", 2, "PHONE", "not a valid phone number: '(000)000-0000'; left empty"),
        Notice("lea.csv", 2, "WEBSITE", "not a web address: 'www.schools k12'; left empty"),
    ]
    d = session.scalars(select(District)).one()
    assert (d.phone, d.website, d.zip, d.grade_low, d.street) == (
        None,
        None,
        None,
        None,
        'The "Old" Schoolhouse',
    )


def test_a_school_of_an_unknown_district_is_rejected(session: Session, tmp_path: Path) -> None:
    run(session, "nces-districts", lea_file(tmp_path, list(district_rows(1))))
    schools = list(school_rows(2, districts=2))  # the second belongs to a district not imported
    path = write(tmp_path / "sch.csv", SCHOOL_HEADER, iter(schools))
    report = run(session, "nces-schools", path)
    assert report.rejections == [
        Rejection(
            "sch.csv", 3, "LEAID", "no district with LEAID 0400001; import the district file first"
        )
    ]
    assert count(session, School) == 0
    report = run(session, "nces-schools", path, skip_invalid=True)
    assert counts(report) == (1, 0, 0, 1, 0)
    assert session.scalars(select(School.nces_id)).all() == ["010000100000"]


def test_geocodes_set_coordinates_and_county_of_known_schools(
    session: Session, tmp_path: Path
) -> None:
    run(session, "nces-districts", lea_file(tmp_path, list(district_rows(1))))
    run(session, "nces-schools", write(tmp_path / "s.csv", SCHOOL_HEADER, school_rows(1, 1)))
    geo = tmp_path / "geo.csv"
    geo.write_text(
        "NCESSCH,LAT,LON,CNTY,NMCNTY\n"
        "010000100000,34.2673,-86.2089,01095,Marshall County\n"
        "999999900000,30.1,-85.2,12005,Bay County\n"
        "010000100000x,91,-86,01095,Marshall County\n",
        encoding="utf-8",
    )
    report = run(session, "nces-geocodes", geo, skip_invalid=True)
    assert counts(report) == (0, 1, 0, 1, 1)
    school = session.scalars(select(School)).one()
    assert (school.latitude, school.longitude, school.county_fips, school.county_name) == (
        34.2673,
        -86.2089,
        "01095",
        "Marshall County",
    )
    # The school file has no coordinates: re-importing it leaves them alone.
    again = run(session, "nces-schools", tmp_path / "s.csv")
    assert counts(again) == (0, 0, 1, 0, 0)
    assert school.latitude == 34.2673


def test_only_staff_who_may_import_can(session: Session, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied, match="viewer may not run imports"):
        run(session, "nces-districts", lea_file(tmp_path, list(district_rows(1))), principal=VIEWER)
    assert count(session, District) == 0


def test_report_json_has_counts_rejections_and_exit_code(session: Session, tmp_path: Path) -> None:
    rows = [{**next(district_rows(1)), "LEA_NAME": ""}]
    report = run(session, "nces-districts", lea_file(tmp_path, rows))
    out = tmp_path / "r.json"
    report.write_json(out)
    body = json.loads(out.read_text())
    assert body["rejections"] == [
        {"file": "lea.csv", "line": 2, "field": "LEA_NAME", "reason": "is empty"}
    ]
    assert (body["exit_code"], body["rejected"], body["created"]) == (1, 1, 0)
