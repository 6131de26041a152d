"""Every query through the real app, on both databases, over the demo state."""

from sqlalchemy import select

from hub.directory.models import Contact, District, Practice, Program, School
from tests.graphql.conftest import Hub

DISTRICT = """
query ($ncesId: String!) {
  district(ncesId: $ncesId) {
    ncesId name state county countyFips region { code name } street city zip phone website
    gradeLow gradeHigh charter enrollment closed
    provenance { originCenter originId version deleted changeSeq center { slug isLocal } }
    schools { ncesId name district { ncesId } }
    contacts { name role email phone }
    programs(first: 5) { totalCount edges { node { id title } } }
  }
}
"""

DISTRICTS = """
query ($filter: DistrictFilter, $first: Int, $after: String) {
  districts(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { ncesId name state } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

SCHOOL = """
query ($ncesId: String!) {
  school(ncesId: $ncesId) {
    ncesId name level latitude longitude district { ncesId } contacts { role }
  }
}
"""

SCHOOLS = """
query ($filter: SchoolFilter, $first: Int) {
  schools(filter: $filter, first: $first) { totalCount edges { node { ncesId name } } }
}
"""

PROGRAMS = """
query ($filter: ProgramFilter, $first: Int, $orderBy: ProgramOrder! = RELEVANCE) {
  programs(filter: $filter, first: $first, orderBy: $orderBy) {
    totalCount
    edges { node { id title topics { slug label } } }
  }
}
"""

PROGRAM = """
query ($id: Int!) {
  program(id: $id) {
    id title summary description free costNote url startsOn endsOn
    provider { name } contact { name email }
    topics { slug } phases { slug } audiences { slug } deliveryModes { slug label }
    ratings { tier { slug label } source asOf url }
    availability { states regions districts }
    provenance { originCenter version updatedAt deleted changeSeq }
  }
}
"""

PRACTICES = """
query ($filter: PracticeFilter, $first: Int) {
  practices(filter: $filter, first: $first) { totalCount edges { node { id title status } } }
}
"""

PRACTICE = """
query ($id: Int!) {
  practice(id: $id) {
    id title summary body bodyHtml status citations { title url }
    topics { slug } phases { slug } ratings { tier { slug } } submittedByDistrict { ncesId }
  }
}
"""

TOPICS = "{ topics { slug label programCount practiceCount children { slug programCount } } }"

CENTERS = "{ centers { slug name level isLocal contacts { name role } } }"

CONTACTS = """
query ($filter: ContactFilter, $first: Int) {
  contacts(filter: $filter, first: $first) {
    totalCount edges { node { id name role email phone district { ncesId } } }
  }
}
"""

ME = "{ me { username role displayName district { ncesId } } }"


def test_district_with_its_relations(hub: Hub) -> None:
    d = hub.district
    got = hub.data(DISTRICT, {"ncesId": d.nces_id})["district"]
    assert got["ncesId"] == d.nces_id
    assert got["name"] == d.name
    assert got["provenance"]["center"]["isLocal"] is True
    schools = hub.session.scalars(
        select(School.nces_id).where(School.district_id == d.id, School.deleted.is_(False))
    ).all()
    assert sorted(s["ncesId"] for s in got["schools"]) == sorted(schools)
    assert {s["district"]["ncesId"] for s in got["schools"]} <= {d.nces_id}
    assert got["contacts"]
    assert got["programs"]["totalCount"] >= len(got["programs"]["edges"]) > 0


def test_unknown_district_is_null(hub: Hub) -> None:
    assert hub.data(DISTRICT, {"ncesId": "0000000"})["district"] is None


def test_districts_pages_through_with_cursors(hub: Hub) -> None:
    first = hub.data(DISTRICTS, {"first": 20})["districts"]
    assert first["totalCount"] == 50
    assert len(first["edges"]) == 20
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    after = first["pageInfo"]["endCursor"]
    second = hub.data(DISTRICTS, {"first": 20, "after": after})["districts"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    names = [e["node"]["name"] for e in first["edges"] + second["edges"]]
    assert names == sorted(names)
    assert len(set(names)) == 40


def test_districts_filter_by_search(hub: Hub) -> None:
    word = hub.district.name.split()[0]
    got = hub.data(DISTRICTS, {"filter": {"search": word.lower()}})["districts"]
    assert hub.district.nces_id in {e["node"]["ncesId"] for e in got["edges"]}
    assert all(word.lower() in e["node"]["name"].lower() for e in got["edges"])


def test_school_and_schools_of_a_district(hub: Hub) -> None:
    school = hub.session.scalars(
        select(School).where(School.district_id == hub.district.id).order_by(School.id)
    ).first()
    assert school is not None
    got = hub.data(SCHOOL, {"ncesId": school.nces_id})["school"]
    assert got["district"]["ncesId"] == hub.district.nces_id
    listed = hub.data(SCHOOLS, {"filter": {"districtNcesId": hub.district.nces_id}})["schools"]
    assert school.nces_id in {e["node"]["ncesId"] for e in listed["edges"]}


def test_programs_filtered_by_topic_and_ordered_by_title(hub: Hub) -> None:
    got = hub.data(
        PROGRAMS, {"filter": {"topics": ["drills-exercises"]}, "orderBy": "TITLE", "first": 50}
    )["programs"]
    assert got["totalCount"] > 0
    titles = [e["node"]["title"] for e in got["edges"]]
    assert titles == sorted(titles)


def test_program_with_every_field(hub: Hub) -> None:
    row = hub.session.scalars(
        select(Program).where(Program.provider_id.is_not(None)).order_by(Program.id)
    ).first()
    assert row is not None
    got = hub.data(PROGRAM, {"id": row.id})["program"]
    assert got["title"] == row.title
    assert got["provider"]["name"]
    assert got["topics"]
    assert got["provenance"]["deleted"] is False
    assert set(got["availability"]) == {"states", "regions", "districts"}


def test_practices_and_practice_with_rendered_body(hub: Hub) -> None:
    got = hub.data(PRACTICES, {"first": 5})["practices"]
    assert got["totalCount"] > 0
    assert {e["node"]["status"] for e in got["edges"]} == {"PUBLISHED"}
    row = hub.session.scalars(
        select(Practice).where(Practice.status == "published").order_by(Practice.id)
    ).first()
    assert row is not None
    practice = hub.data(PRACTICE, {"id": row.id})["practice"]
    assert practice["body"] == row.body
    assert practice["bodyHtml"].startswith("<")
    assert practice["topics"]


def test_practice_body_html_is_sanitised(hub: Hub) -> None:
    row = hub.session.scalars(
        select(Practice).where(Practice.status == "published").order_by(Practice.id)
    ).first()
    assert row is not None
    row.body = (
        "# Plan\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> **bold**"
    )
    hub.session.flush()
    html = hub.data(PRACTICE, {"id": row.id})["practice"]["bodyHtml"]
    assert "<h1>Plan</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html


def test_topic_tree_counts(hub: Hub) -> None:
    topics = hub.data(TOPICS)["topics"]
    assert topics
    assert sum(t["programCount"] for t in topics) > 0
    assert all(t["practiceCount"] >= 0 for t in topics)


def test_centers_local_first(hub: Hub) -> None:
    centers = hub.data(CENTERS)["centers"]
    assert centers[0]["isLocal"] is True


def test_contacts_filtered_by_role(hub: Hub) -> None:
    got = hub.data(
        CONTACTS, {"filter": {"districtNcesId": hub.district.nces_id, "role": ["principal"]}}
    )["contacts"]
    assert got["totalCount"] > 0
    assert {e["node"]["role"] for e in got["edges"]} == {"principal"}


def test_me_is_null_for_anonymous_and_the_user_when_signed_in(hub: Hub) -> None:
    assert hub.data(ME)["me"] is None
    me = hub.data(ME, as_="district")["me"]
    assert me == {
        "username": "district",
        "role": "district_user",
        "displayName": me["displayName"],
        "district": {"ncesId": hub.district.nces_id},
    }


def _contact_details(hub: Hub, nces_id: str, as_: str | None) -> list[tuple[str | None, ...]]:
    got = hub.data(CONTACTS, {"filter": {"districtNcesId": nces_id}, "first": 100}, as_=as_)
    return [(e["node"]["email"], e["node"]["phone"]) for e in got["contacts"]["edges"]]


def test_contact_details_follow_the_policy(hub: Hub) -> None:
    own = hub.district.nces_id
    other = hub.session.scalars(
        select(District.nces_id).where(District.id != hub.district.id).order_by(District.id)
    ).first()
    assert other is not None
    stored = hub.session.scalars(
        select(Contact.email).where(Contact.district_id == hub.district.id)
    ).all()
    assert any(stored)
    # anonymous and a viewer: names only
    for caller in (None, "viewer"):
        assert all(pair == (None, None) for pair in _contact_details(hub, own, caller))
    # a district user: their own district's, not another's
    assert any(email for email, _ in _contact_details(hub, own, "district"))
    assert all(pair == (None, None) for pair in _contact_details(hub, other, "district"))
    # state staff: all
    for caller in ("admin", "author", "approver"):
        assert any(email for email, _ in _contact_details(hub, other, caller))
