"""Directory reads: filters, availability, pagination, search, batch loads, topic tree."""

import pytest
from sqlalchemy.orm import Session

from hub.directory import service as directory
from hub.directory.schemas import DistrictFilter, PracticeFilter, ProgramFilter
from hub.errors import InvalidInput, NotFound
from hub.pagination import PageArgs
from tests import factories as f
from tests.sql_count import statements


def test_parent_topic_matches_child_tags_and_tombstones_hidden(session: Session) -> None:
    child = f.program(session, topics=["family-reunification"])
    f.program(session, topics=["cyber-security"])
    gone = f.program(session, topics=["incident-command"])
    directory.retire_program(session, f.ADMIN, program_id=gone.id)
    page = directory.list_programs(
        session, filter=ProgramFilter(topics=["emergency-operations-planning"]), page=PageArgs()
    )
    assert [p.id for p in page.items] == [child.id]
    assert page.total == 1


def test_availability_semantics(session: Session) -> None:
    r = f.region(session, code="NORTH")
    d = f.district(session, region=r)
    everywhere = f.program(session)
    by_state = f.program(session, availability={"states": ["ZZ"]})
    by_region = f.program(session, availability={"regions": ["NORTH"]})
    by_district = f.program(session, availability={"districts": [d.nces_id]})
    f.program(session, availability={"states": ["AA"], "districts": ["1111111"]})
    page = directory.list_programs(
        session, filter=ProgramFilter(available_to_district=d.nces_id), page=PageArgs()
    )
    assert {p.id for p in page.items} == {everywhere.id, by_state.id, by_region.id, by_district.id}
    with pytest.raises(NotFound) as exc:
        directory.list_programs(
            session, filter=ProgramFilter(available_to_district="0000001"), page=PageArgs()
        )
    assert exc.value.field == "availableToDistrict"


def test_pagination_is_two_statements(session: Session) -> None:
    for i in range(5):
        f.district(session, name=f"Alpha {i}")
    with statements(session) as seen:
        page = directory.list_districts(
            session, filter=DistrictFilter(search="alpha"), page=PageArgs(first=2, offset=2)
        )
    assert len(seen) == 2
    assert ([d.name for d in page.items], page.total, page.has_next) == (
        ["Alpha 2", "Alpha 3"],
        5,
        True,
    )
    with pytest.raises(InvalidInput):
        directory.get_district(session, nces_id="12")


def test_title_match_ranks_first_and_hostile_text_is_safe(session: Session) -> None:
    body = f.program(session, title="Drill guide", description="Talks about reunification once.")
    title = f.program(session, title="Reunification planning")
    page = directory.list_programs(
        session, filter=ProgramFilter(search="reunification"), page=PageArgs()
    )
    assert [p.id for p in page.items] == [title.id, body.id]
    for text in ['"', "AND", "*", "-", "NEAR(", 'reunif" OR', "   "]:
        directory.list_programs(session, filter=ProgramFilter(search=text), page=PageArgs())
        directory.list_practices(
            session, f.ADMIN, filter=PracticeFilter(search=text), page=PageArgs()
        )


def test_batch_loads_align_and_use_one_statement(session: Session) -> None:
    a, b = f.program(session, phases=["response"]), f.program(session)
    with statements(session) as seen:
        terms = directory.terms_by_program_ids(session, [b.id, 0, a.id])
    assert len(seen) == 1
    assert [sorted(t.slug for t in ts) for ts in terms] == [
        ["threat-assessment"],
        [],
        ["response", "threat-assessment"],
    ]
    with statements(session) as seen:
        assert directory.districts_by_ids(session, [0]) == [None]
    assert len(seen) == 1


def test_topic_tree_counts_descendants(session: Session) -> None:
    f.program(session, topics=["family-reunification", "emergency-operations-planning"])
    f.program(session, topics=["incident-command"])
    f.practice(session, topics=["family-reunification"], status="published")
    f.practice(session, topics=["family-reunification"])
    tree = {n.slug: n for n in directory.topic_tree(session)}
    eop = tree["emergency-operations-planning"]
    assert (eop.program_count, eop.practice_count) == (2, 1)
    assert {c.slug: c.program_count for c in eop.children}["family-reunification"] == 1
