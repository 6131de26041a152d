"""Every batch load: one SQL statement for any number of keys, results aligned with the keys
(a missing key gives None or an empty list in its place, duplicates repeat)."""

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hub.directory import service as directory
from hub.directory.models import Center
from hub.directory.schemas import AvailabilityInput, RatingInput
from tests import factories as f

MISSING = 0


def one_statement(
    session: Session, load: Callable[[Session, Sequence[Any]], list[Any]], keys: list[Any]
) -> list[Any]:
    session.flush()
    seen: list[str] = []
    conn = session.connection()

    def hook(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(conn, "before_cursor_execute", hook)
    try:
        result = load(session, keys)
    finally:
        event.remove(conn, "before_cursor_execute", hook)
    assert len(seen) == 1, seen
    assert len(result) == len(keys)
    return result


@pytest.mark.parametrize(
    "load",
    [directory.districts_by_ids, directory.regions_by_ids, directory.schools_by_ids,
     directory.providers_by_ids, directory.contacts_by_ids],
)  # fmt: skip
def test_rows_by_id(session: Session, load: Callable[[Session, Sequence[int]], list[Any]]) -> None:
    d = f.district(session, region=f.region(session))
    s = f.school(session, d)
    c = f.contact(session, d)
    p = f.program(session, provider="Some Provider")
    key = {
        directory.districts_by_ids: d.id,
        directory.regions_by_ids: d.region_id,
        directory.schools_by_ids: s.id,
        directory.providers_by_ids: p.provider_id,
        directory.contacts_by_ids: c.id,
    }[load]
    found = one_statement(session, load, [key, MISSING, key])
    assert found[1] is None
    assert found[0] is not None
    assert found[0] is found[2]
    assert found[0].id == key


def test_children_by_parent_id(session: Session) -> None:
    d, other = f.district(session), f.district(session)
    s1, s2 = f.school(session, d), f.school(session, d)
    dc = f.contact(session, d)
    sc = f.contact(session, school_row=s1)
    schools = one_statement(session, directory.schools_by_district_ids, [d.id, other.id])
    assert [sorted(s.id for s in group) for group in schools] == [sorted([s1.id, s2.id]), []]
    by_district = one_statement(session, directory.contacts_by_district_ids, [other.id, d.id])
    assert by_district[0] == []
    assert {c.id for c in by_district[1]} >= {dc.id}
    by_school = one_statement(session, directory.contacts_by_school_ids, [s1.id, s2.id])
    assert [[c.id for c in group] for group in by_school] == [[sc.id], []]
    center = session.scalars(select(Center)).first()
    assert center is not None
    by_center = one_statement(session, directory.contacts_by_center_ids, [center.id, MISSING])
    assert by_center[1] == []


def test_program_and_practice_relations(session: Session) -> None:
    rating = RatingInput(tier="tier-2", source="Quasi-experiment")
    prog = f.program(
        session,
        ratings=[rating],
        availability=AvailabilityInput(states=["ZZ"], districts=["9900001"]),
    )
    prac = f.practice(session, ratings=[rating], phases=["mitigation"])
    ratings = one_statement(session, directory.ratings_by_program_ids, [prog.id, MISSING])
    assert [[r.tier.slug for r in group] for group in ratings] == [["tier-2"], []]
    ratings = one_statement(session, directory.ratings_by_practice_ids, [MISSING, prac.id])
    assert [[r.source for r in group] for group in ratings] == [[], ["Quasi-experiment"]]
    terms = one_statement(session, directory.terms_by_practice_ids, [prac.id])
    assert sorted(t.slug for t in terms[0]) == ["mental-health", "mitigation"]
    places = one_statement(session, directory.availability_by_program_ids, [prog.id, MISSING])
    assert sorted((a.scope, a.code) for a in places[0]) == [
        ("district", "9900001"),
        ("state", "ZZ"),
    ]
    assert places[1] == []


def test_centers_by_slug(session: Session) -> None:
    found = one_statement(session, directory.centers_by_slugs, ["state", "nowhere", "state"])
    assert found[0] is not None
    assert found[0].slug == "state"
    assert found[1] is None
