"""CAP 1.2 export: valid against the OASIS schema, honest about exercises, areas in four queries."""

from datetime import timedelta
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from sqlalchemy.orm import Session

from hub.alerts.cap import cap_time, schema_path
from hub.alerts.cap_export import Area, areas_for, reference, references_for, to_cap
from hub.settings import get_settings
from tests import factories as f
from tests.alerts.cap_fixtures import (
    EXAMPLES,
    SENT,
    XSD,
    alert,
    county_district,
    find,
    problems,
    saved_alert,
)
from tests.conftest import SHARED
from tests.sql_count import statements

AREAS = [
    Area("Baltimore County", ["24005"]),
    Area("Harford County Public Schools", leaids=["2400420"]),
]


def test_the_hub_ships_the_oasis_schema() -> None:
    assert XSD.read_bytes() == (SHARED / "cap" / "CAP-v1.2.xsd").read_bytes()
    assert schema_path() == XSD


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_the_specification_examples_validate(example: Path) -> None:
    assert problems(example.read_bytes()) == []


def test_the_validator_catches_what_cap_forbids() -> None:
    xml = EXAMPLES[0].read_bytes().replace(b"-07:00</sent>", b"Z</sent>", 1)
    assert problems(xml)


def test_cap_times_carry_an_offset_and_never_z() -> None:
    assert cap_time(SENT) == "2026-12-03T14:05:00-00:00"
    assert cap_time(SENT.replace(microsecond=999)) == "2026-12-03T14:05:00-00:00"


def test_an_actual_public_alert() -> None:
    row = alert(expires=SENT + timedelta(hours=2))
    xml = to_cap(row, references=[], areas=AREAS)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert problems(xml) == []
    root = fromstring(xml)
    assert root.tag == "{urn:oasis:names:tc:emergency:cap:1.2}alert"
    assert find(root, "cap:identifier") == [row.identifier]
    assert find(root, "cap:sent") == ["2026-12-03T14:05:00-00:00"]
    assert find(root, "cap:status") + find(root, "cap:msgType") == ["Actual", "Alert"]
    assert find(root, "cap:scope") == ["Public"]
    assert find(root, "cap:restriction") + find(root, "cap:references") == []
    assert find(root, "cap:info/cap:language") == ["en-US"]
    assert find(root, "cap:info/cap:category") == ["Met"]
    assert find(root, "cap:info/cap:responseType") == ["Shelter"]
    assert find(root, "cap:info/cap:expires") == ["2026-12-03T16:05:00-00:00"]
    assert find(root, "cap:info/cap:senderName") == [get_settings().center_name]
    assert find(root, "cap:info/cap:headline") == [row.headline]
    assert find(root, "cap:info/cap:instruction") == [row.instruction]
    names = find(root, "cap:info/cap:parameter/cap:valueName")
    assert dict(zip(names, find(root, "cap:info/cap:parameter/cap:value"), strict=True)) == {
        "SRP": "Shelter",
        "HubCategory": "weather",
    }
    assert find(root, "cap:info/cap:area/cap:areaDesc") == [a.desc for a in AREAS]
    county, district = root.findall("{*}info/{*}area")
    assert find(county, "cap:geocode/cap:valueName") == ["FIPS6", "SAME"]
    assert find(county, "cap:geocode/cap:value") == ["024005", "024005"]
    assert find(district, "cap:geocode/cap:valueName") == ["NCES-LEAID"]
    assert find(district, "cap:geocode/cap:value") == ["2400420"]


def test_a_restricted_alert_says_who_may_see_it_and_an_unsent_one_uses_its_creation_time() -> None:
    row = alert(scope="Restricted", sent_at=None, response=None, description="", instruction="")
    xml = to_cap(row, references=[], areas=[])
    assert problems(xml) == []
    root = fromstring(xml)
    assert find(root, "cap:restriction") == ["School safety officials"]
    assert find(root, "cap:sent") == ["2026-12-03T14:05:00-00:00"]
    assert find(root, "cap:info/cap:responseType") + find(root, "cap:info/cap:description") == []


def test_a_private_alert_lists_its_recipient_groups() -> None:
    xml = to_cap(alert(scope="Private"), references=[], areas=AREAS)
    assert problems(xml) == []
    addresses = find(fromstring(xml), "cap:addresses")
    assert addresses == ['"Baltimore County" "Harford County Public Schools"']


@pytest.mark.parametrize(("status", "label"), [("Exercise", "EXERCISE"), ("Test", "TEST")])
def test_an_exercise_or_test_headline_says_it_is_not_real(status: str, label: str) -> None:
    xml = to_cap(alert(status=status, headline="Lockdown drill"), references=[], areas=AREAS)
    assert problems(xml) == []
    root = fromstring(xml)
    assert find(root, "cap:status") == [status]
    assert find(root, "cap:info/cap:headline") == [f"{label} — NOT A REAL EVENT: Lockdown drill"]


def test_a_cancel_references_the_alerts_it_follows() -> None:
    original = alert(sent_at=SENT - timedelta(hours=2))
    update = alert(msg_type="Update", sent_at=SENT - timedelta(hours=1))
    cancel = alert(msg_type="Cancel", response="all-clear", category="violence-threat")
    xml = to_cap(cancel, references=[original, update], areas=AREAS)
    assert problems(xml) == []
    root = fromstring(xml)
    assert find(root, "cap:msgType") == ["Cancel"]
    assert find(root, "cap:references") == [
        f"state@hub.example.org,{original.identifier},2026-12-03T12:05:00-00:00 "
        f"state@hub.example.org,{update.identifier},2026-12-03T13:05:00-00:00"
    ]
    assert find(root, "cap:info/cap:category") == ["Security"]
    assert find(root, "cap:info/cap:responseType") == ["AllClear"]


def test_text_is_escaped_and_a_retired_category_exports_as_other() -> None:
    row = alert(headline="Gas leak <Main & 5th>", description='He said "leave"', category="gone")
    xml = to_cap(row, references=[], areas=[Area('The "North" & <South>', ["24005"])])
    assert problems(xml) == []
    root = fromstring(xml)
    assert find(root, "cap:info/cap:headline") == ["Gas leak <Main & 5th>"]
    assert find(root, "cap:info/cap:category") == ["Other"]
    assert find(root, "cap:info/cap:area/cap:areaDesc") == ['The "North" & <South>']


def test_references_walk_the_chain_oldest_first(session: Session) -> None:
    original = saved_alert(session)
    update = saved_alert(session, msg_type="Update", references_id=original.id)
    cancel = saved_alert(session, msg_type="Cancel", references_id=update.id)
    assert references_for(session, cancel) == [original, update]
    assert references_for(session, original) == []
    assert reference(original).startswith(f"state@hub.example.org,{original.identifier},")


def test_areas_for_every_kind_of_target(session: Session) -> None:
    north = f.region(session, code="cap-north")
    a = county_district(session, "24005", "Baltimore County", region=north, name="A District")
    county_district(session, "24013", "Carroll County", region=north, name="B District")
    county_district(session, "24025", "Harford County", closed=True, region=north)
    c = county_district(session, "24027", "Howard County", name="C District")
    school = f.school(session, c)
    row = alert(
        targets={
            "state": True,
            "regions": ["cap-north", "unknown-region"],
            "counties": ["24027", "24999"],
            "districts": [a.nces_id],
            "schools": [school.nces_id],
        }
    )
    areas = areas_for(session, row)
    assert areas == [
        Area(f"State of {get_settings().center_state}", ["24005", "24013", "24027"]),
        Area(north.name, ["24005", "24013"]),
        Area("Howard County", ["24027"]),
        Area("County 24999", ["24999"]),
        Area("A District", leaids=[a.nces_id]),
        Area("C District", leaids=[c.nces_id]),
    ]
    assert problems(to_cap(row, references=[], areas=areas)) == []


@pytest.mark.parametrize("size", [1, 30])
def test_areas_for_issues_four_queries_however_many_targets(session: Session, size: int) -> None:
    regions = [f.region(session) for _ in range(size)]
    districts = [
        county_district(session, f"24{100 + i:03d}", region=regions[i]) for i in range(size)
    ]
    schools = [f.school(session, d) for d in districts]
    row = alert(
        targets={
            "state": True,
            "regions": [r.code for r in regions],
            "counties": [d.county_fips for d in districts],
            "districts": [d.nces_id for d in districts],
            "schools": [s.nces_id for s in schools],
        }
    )
    with statements(session) as seen:
        areas = areas_for(session, row)
    assert len(seen) == 4, seen
    assert len(areas) == 1 + 3 * size
