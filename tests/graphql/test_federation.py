"""The hub as an Apollo Federation v2 subgraph: SDL with @key, and entity resolution."""

from sqlalchemy import select

from hub.directory.models import Practice, Program, School
from tests.graphql.conftest import Hub

SERVICE = "{ _service { sdl } }"

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on District { ncesId name }
    ... on School { ncesId name }
    ... on Program { id title }
    ... on Practice { id title }
  }
}
"""


def test_service_sdl_declares_federation_2_keys(hub: Hub) -> None:
    sdl = hub.data(SERVICE)["_service"]["sdl"]
    assert "specs.apollo.dev/federation/v2" in sdl
    for key in (
        'type District @key(fields: "ncesId")',
        'type School @key(fields: "ncesId")',
        'type Program @key(fields: "id")',
        'type Practice @key(fields: "id")',
    ):
        assert key in sdl


def test_entities_resolve_through_the_loaders(hub: Hub) -> None:
    school = hub.session.scalars(select(School).order_by(School.id)).first()
    program = hub.session.scalars(select(Program).order_by(Program.id)).first()
    practice = hub.session.scalars(
        select(Practice).where(Practice.status == "published").order_by(Practice.id)
    ).first()
    assert school is not None
    assert program is not None
    assert practice is not None
    reps = [
        {"__typename": "District", "ncesId": hub.district.nces_id},
        {"__typename": "School", "ncesId": school.nces_id},
        {"__typename": "Program", "id": program.id},
        {"__typename": "Practice", "id": practice.id},
        {"__typename": "District", "ncesId": "0000000"},
    ]
    got = hub.data(ENTITIES, {"representations": reps})["_entities"]
    assert got == [
        {"__typename": "District", "ncesId": hub.district.nces_id, "name": hub.district.name},
        {"__typename": "School", "ncesId": school.nces_id, "name": school.name},
        {"__typename": "Program", "id": program.id, "title": program.title},
        {"__typename": "Practice", "id": practice.id, "title": practice.title},
        None,
    ]


def test_entity_with_a_malformed_key_is_an_error_naming_it(hub: Hub) -> None:
    body = hub.call(ENTITIES, {"representations": [{"__typename": "District", "ncesId": "x"}]})
    assert body["errors"][0]["extensions"] == {"code": "invalid_input", "field": "ncesId"}
