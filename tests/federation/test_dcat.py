"""/catalog.json: the public catalog as DCAT-US 3.0 JSON-LD. Public programs and published
practices only, no person's e-mail or phone, themes from the taxonomy, valid against
schemas/dcat-us/, in a number of statements that does not grow with the catalog."""

import copy
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.directory import service as directory
from hub.directory import taxonomy
from hub.directory.models import Center, Contact, District, Practice, Program, Provider, Region
from hub.directory.schemas import AvailabilityInput, RatingInput
from hub.federation.dcat import MEDIA_TYPE, build_catalog
from hub.settings import SCHEMAS_DIR, get_settings
from tests import factories as f
from tests.sql_count import statements

SCHEMA = json.loads((SCHEMAS_DIR / "dcat-us" / "catalog.schema.json").read_text(encoding="utf-8"))
EMAIL = "pat.doe@district.example.org"
PHONE = "(202) 555-0143"
PARTNER = "md-center"

# Draft 2020-12's checkers, plus two that jsonschema leaves to packages the hub does not install:
# every link the hub writes is an absolute http(s) URL, and every date-time carries its offset.
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("iri")
def _absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def problems(document: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=FORMATS)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def key(kind: str, row: Program | Practice) -> str:
    return f"{row.origin_center}:{kind}:{row.origin_id}"


@dataclass
class Shelf:
    """A catalog with one record of each visibility, and the contact whose details must not show."""

    program: Program
    plain: Program
    partner: Program
    practice: Practice
    person: Contact
    region: Region
    district: District
    shown: set[str]
    hidden: set[str]


@pytest.fixture
def shelf(session: Session) -> Shelf:
    region = f.region(session)
    district = f.district(session, name="Harbor District", region=region)
    person = f.contact(session, district, email=EMAIL, phone=PHONE)
    program = f.program(
        session,
        title="Threat assessment team training",
        description="Two days for school teams.",
        provider="Acme Training",
        contact_id=person.id,
        topics=["threat-assessment", "tabletop-exercises"],
        phases=["prevention"],
        audiences=["teachers"],
        delivery_modes=["in-person"],
        ratings=[RatingInput(tier="tier-2", source="Clearinghouse")],
        availability=AvailabilityInput(
            states=["ZZ"], regions=[region.code], districts=[district.nces_id]
        ),
        url="https://acme.example.org/threat-teams",
    )
    provider = session.get(Provider, program.provider_id)
    assert provider is not None
    provider.website = "https://acme.example.org"
    plain = f.program(session, topics=["mental-health"])
    partner = f.program(session, topics=["cyber-security"])
    partner.origin_center, partner.origin_id = PARTNER, "p-7"
    session.add(
        Center(
            slug=PARTNER,
            name="Maryland Center for School Safety",
            level="state",
            state="MD",
            website="https://md.example.org",
        )
    )
    retired = f.program(session)
    directory.retire_program(session, f.ADMIN, program_id=retired.id)
    practice = f.practice(session, status="published", summary="Plan with the people who act.")
    unpublished = [f.practice(session, status=s) for s in ("draft", "submitted", "approved")]
    gone = f.practice(session, status="published")
    directory.retire_practice(session, f.ADMIN, practice_id=gone.id)
    session.flush()
    return Shelf(
        program=program,
        plain=plain,
        partner=partner,
        practice=practice,
        person=person,
        region=region,
        district=district,
        shown={key("program", p) for p in (program, plain, partner)} | {key("practice", practice)},
        hidden={key("program", retired)} | {key("practice", p) for p in [*unpublished, gone]},
    )


def datasets(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["identifier"]: d for d in body["dataset"]}


def test_public_programs_and_published_practices_only(shelf: Shelf, app_client: TestClient) -> None:
    response = app_client.get("/catalog.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    body = response.json()
    assert body["@type"] == "dcat:Catalog"
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert set(datasets(body)) == shelf.shown
    assert not shelf.hidden & set(datasets(body))


def test_no_contact_email_or_phone(shelf: Shelf, app_client: TestClient) -> None:
    text = app_client.get("/catalog.json").text
    assert shelf.person.phone == "+12025550143"
    for private in (EMAIL, "2025550143", "555-0143", "mailto:", "hasEmail", "tel:"):
        assert private not in text
    assert shelf.person.name not in text  # the program's contact person is not named either


def test_themes_come_from_the_taxonomy(shelf: Shelf, app_client: TestClient) -> None:
    body = app_client.get("/catalog.json").json()
    labels = {e.slug: e.label for e in taxonomy.load().entries["topics"]}
    scheme = body["themeTaxonomy"][0]["@id"]
    assert scheme == f"{get_settings().public_base_url}/taxonomy/topics"
    for dataset in body["dataset"]:
        assert dataset["theme"]
        for theme in dataset["theme"]:
            slug = theme["notation"][0]
            assert theme["@id"] == f"{scheme}/{slug}"
            assert theme["prefLabel"] == labels[slug]
            assert theme["inScheme"] == scheme
    program = datasets(body)[key("program", shelf.program)]
    assert {t["notation"][0] for t in program["theme"]} == {
        "threat-assessment",
        "tabletop-exercises",
    }


def test_a_program_and_a_practice_as_datasets(shelf: Shelf, app_client: TestClient) -> None:
    settings = get_settings()
    found = datasets(app_client.get("/catalog.json").json())
    program = found[key("program", shelf.program)]
    assert program["title"] == "Threat assessment team training"
    assert program["description"] == "Two days for school teams."
    assert program["publisher"]["name"] == settings.center_name
    assert program["creator"]["name"] == "Acme Training"
    assert program["contactPoint"] == "https://acme.example.org"
    assert program["landingPage"]["accessURL"] == "https://acme.example.org/threat-teams"
    assert (program["accessLevel"], program["accessRights"]) == ("public", "public")
    assert program["keyword"] == [  # vocabulary by vocabulary, in taxonomy order
        "Tabletop exercises",
        "Behavioral threat assessment and management",
        "Prevention",
        "Teachers",
        "In person",
        "ESSA Tier 2: moderate evidence",
    ]
    assert {(p["prefLabel"], p["identifier"]["notation"]) for p in program["spatial"]} == {
        ("ZZ", "ZZ"),
        (shelf.region.name, shelf.region.code),
        ("Harbor District", shelf.district.nces_id),
    }
    assert datetime.fromisoformat(program["modified"]) == shelf.program.updated_at.replace(
        microsecond=0
    )
    (graphql,) = program["distribution"]
    assert graphql["accessURL"] == f"{settings.public_base_url}/graphql"
    assert f"program(id: {shelf.program.id})" in graphql["description"]

    plain = found[key("program", shelf.plain)]
    assert plain["contactPoint"] == settings.public_base_url  # no provider: the center itself
    assert not {"creator", "landingPage", "spatial"} & set(plain)

    partner = found[f"{PARTNER}:program:p-7"]
    assert partner["publisher"]["name"] == "Maryland Center for School Safety"
    assert partner["contactPoint"] == "https://md.example.org"

    practice = found[key("practice", shelf.practice)]
    assert practice["description"] == "Plan with the people who act."
    assert practice["keyword"] == ["Mental health resources"]
    assert f"practice(id: {shelf.practice.id})" in practice["distribution"][0]["description"]


def test_the_catalog_validates_against_the_schema(shelf: Shelf, app_client: TestClient) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    body = app_client.get("/catalog.json").json()
    assert problems(body) == []
    broken = copy.deepcopy(body)
    del broken["dataset"][0]["contactPoint"]
    broken["dataset"][1]["contactPoint"] = {"fn": "Someone"}  # an inline Kind needs hasEmail
    broken["dataset"][2]["modified"] = "yesterday"
    assert len(problems(broken)) == 3


def test_an_empty_hub_serves_a_valid_empty_catalog(session: Session) -> None:
    body = build_catalog(session, get_settings())
    assert body["dataset"] == []
    assert problems(body) == []


def test_an_unchanged_catalog_answers_304(
    session: Session, shelf: Shelf, app_client: TestClient
) -> None:
    first = app_client.get("/catalog.json")
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = app_client.get("/catalog.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    directory.retire_program(session, f.ADMIN, program_id=shelf.plain.id)
    changed = app_client.get("/catalog.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert key("program", shelf.plain) not in datasets(changed.json())


def test_statements_do_not_grow_with_the_catalog(session: Session) -> None:
    counts = []
    for _ in range(2):
        for _ in range(4):
            district = f.district(session)
            f.program(
                session,
                topics=["threat-assessment"],
                phases=["response"],
                provider="Acme Training",
                ratings=[RatingInput(tier="tier-3", source="Review")],
                availability=AvailabilityInput(states=["ZZ"], districts=[district.nces_id]),
            )
            f.practice(session, status="published", topics=["mental-health"])
        with statements(session) as seen:
            body = build_catalog(session, get_settings())
        counts.append(len(seen))
        assert len(body["dataset"]) == 8 * len(counts)
    assert counts[0] == counts[1] == 7
