"""The hub as an Apollo Federation v2 subgraph: SDL with @key, and entity resolution in batches."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.directory.models import Center, District, Practice, Program, School
from tests.graphql.conftest import Hub
from tests.sql_count import statements

SERVICE = "{ _service { sdl } }"

ENTITIES = """
query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on District { ncesId name }
    ... on School { ncesId name }
    ... on Program { id originCenter originId title }
    ... on Practice { id originCenter originId title }
    ... on Center { slug name }
  }
}
"""

Representation = dict[str, Any]


def test_service_sdl_declares_federation_2_keys(hub: Hub) -> None:
    sdl = hub.data(SERVICE)["_service"]["sdl"]
    assert "specs.apollo.dev/federation/v2" in sdl
    for key in (
        'type District @key(fields: "ncesId") @shareable',
        'type School @key(fields: "ncesId") @shareable',
        'type Program @key(fields: "id") @key(fields: "originCenter originId") @shareable',
        'type Practice @key(fields: "id") @key(fields: "originCenter originId") @shareable',
        'type Center @key(fields: "slug") @shareable',
        "type Query @shareable",
        "type Mutation @shareable",
    ):
        assert key in sdl


def _published(session: Session) -> list[Practice]:
    query = select(Practice).where(Practice.status == "published").order_by(Practice.id)
    return list(session.scalars(query))


def test_entities_resolve_through_the_loaders(hub: Hub) -> None:
    school = hub.session.scalars(select(School).order_by(School.id)).first()
    program = hub.session.scalars(select(Program).order_by(Program.id)).first()
    practice = _published(hub.session)[0]
    center = hub.session.scalars(select(Center)).one()
    assert school is not None
    assert program is not None
    reps = [
        {"__typename": "District", "ncesId": hub.district.nces_id},
        {"__typename": "School", "ncesId": school.nces_id},
        {"__typename": "Program", "id": program.id},
        {"__typename": "Practice", "id": practice.id},
        {"__typename": "District", "ncesId": "0000000"},
        {"__typename": "Center", "slug": center.slug},
        {"__typename": "Center", "slug": "nowhere"},
    ]
    got = hub.data(ENTITIES, {"representations": reps})["_entities"]
    program_origin = {"originCenter": program.origin_center, "originId": program.origin_id}
    practice_origin = {"originCenter": practice.origin_center, "originId": practice.origin_id}
    assert got == [
        {"__typename": "District", "ncesId": hub.district.nces_id, "name": hub.district.name},
        {"__typename": "School", "ncesId": school.nces_id, "name": school.name},
        {"__typename": "Program", "id": program.id, **program_origin, "title": program.title},
        {"__typename": "Practice", "id": practice.id, **practice_origin, "title": practice.title},
        None,
        {"__typename": "Center", "slug": center.slug, "name": center.name},
        None,
    ]


def test_programs_and_practices_resolve_by_their_origin(hub: Hub) -> None:
    program = hub.session.scalars(select(Program).order_by(Program.id)).first()
    practice = _published(hub.session)[0]
    assert program is not None
    reps = [
        {
            "__typename": "Program",
            "originCenter": program.origin_center,
            "originId": program.origin_id,
        },
        {
            "__typename": "Practice",
            "originCenter": practice.origin_center,
            "originId": practice.origin_id,
        },
        {"__typename": "Program", "originCenter": program.origin_center, "originId": "unknown"},
        {"__typename": "Practice", "originCenter": "elsewhere", "originId": practice.origin_id},
    ]
    got = hub.data(ENTITIES, {"representations": reps})["_entities"]
    assert [e and (e["__typename"], e["id"]) for e in got] == [
        ("Program", program.id),
        ("Practice", practice.id),
        None,
        None,
    ]


def test_a_practice_reference_shows_only_what_the_caller_may_see(hub: Hub) -> None:
    hidden = hub.session.scalars(
        select(Practice).where(Practice.status != "published").order_by(Practice.id)
    ).first()
    assert hidden is not None
    reps = [
        {"__typename": "Practice", "id": hidden.id},
        {
            "__typename": "Practice",
            "originCenter": hidden.origin_center,
            "originId": hidden.origin_id,
        },
    ]
    anonymous = hub.data(ENTITIES, {"representations": reps})["_entities"]
    admin = hub.data(ENTITIES, {"representations": reps}, as_="admin")["_entities"]
    assert anonymous == [None, None]
    assert [e["id"] for e in admin] == [hidden.id, hidden.id]


def _partner_centers(session: Session, count: int) -> list[Center]:
    rows = [
        Center(
            slug=f"partner-{count}-{i}",
            name=f"Partner {count}.{i}",
            level="regional",
            is_local=False,
        )
        for i in range(count)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _references(session: Session, n: int) -> list[Representation]:
    """`n` references of each kind: districts, schools, centers, and programs and practices both
    by id and by origin."""
    districts = session.scalars(select(District).order_by(District.id).limit(n))
    schools = session.scalars(select(School).order_by(School.id).limit(n))
    programs = list(session.scalars(select(Program).order_by(Program.id).limit(n)))
    practices = _published(session)[:n]
    return [
        *({"__typename": "District", "ncesId": d.nces_id} for d in districts),
        *({"__typename": "School", "ncesId": s.nces_id} for s in schools),
        *({"__typename": "Center", "slug": c.slug} for c in _partner_centers(session, n)),
        *({"__typename": "Program", "id": p.id} for p in programs),
        *({"__typename": "Practice", "id": p.id} for p in practices),
        *(
            {"__typename": t, "originCenter": r.origin_center, "originId": r.origin_id}
            for t, rows in (("Program", programs), ("Practice", practices))
            for r in rows
        ),
    ]


def test_a_batch_of_references_costs_one_statement_per_type_and_key(hub: Hub) -> None:
    counts = {}
    for n in (1, 5):
        reps = _references(hub.session, n)
        assert len(reps) == 7 * n
        hub.session.expire_all()
        with statements(hub.session) as seen:
            got = hub.data(ENTITIES, {"representations": reps}, as_="admin")["_entities"]
        assert all(got), got
        per_table = {
            t: sum(f"FROM {t}" in s for s in seen)
            for t in ("districts", "schools", "centers", "programs", "practices")
        }
        assert per_table == {
            "districts": 1,
            "schools": 1,
            "centers": 1,
            "programs": 2,  # one by id, one by origin
            "practices": 2,
        }, seen
        counts[n] = len(seen)
    assert counts[1] == counts[5], counts


def test_entity_with_a_malformed_key_is_an_error_naming_it(hub: Hub) -> None:
    body = hub.call(ENTITIES, {"representations": [{"__typename": "District", "ncesId": "x"}]})
    assert body["errors"][0]["extensions"] == {"code": "invalid_input", "field": "ncesId"}


def test_a_program_reference_without_a_key_is_an_error(hub: Hub) -> None:
    body = hub.call(ENTITIES, {"representations": [{"__typename": "Program", "originId": "x"}]})
    assert body["errors"][0]["extensions"] == {"code": "invalid_input", "field": "id"}
