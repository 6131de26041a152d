"""Every mutation through the real app: the happy path, and refusals that write nothing."""

from typing import Any

from sqlalchemy import func, select

from hub.directory.models import Contact, District, Practice, Program
from tests.graphql.conftest import Hub

ERRORS = """
    ... on InputError { message field }
    ... on PermissionError { message }
    ... on NotFoundError { message field }
"""

PROGRAM_FIELDS = """
    ... on Program {
      id title provider { name } topics { slug } phases { slug } deliveryModes { slug }
      ratings { tier { slug } source } availability { states regions districts }
      provenance { deleted version }
    }
"""

CREATE_PROGRAM = f"""
mutation ($input: ProgramInput!) {{
  createProgram(input: $input) {{ __typename {PROGRAM_FIELDS} {ERRORS} }}
}}
"""

UPDATE_PROGRAM = f"""
mutation ($id: Int!, $input: ProgramInput!) {{
  updateProgram(id: $id, input: $input) {{ __typename {PROGRAM_FIELDS} {ERRORS} }}
}}
"""

RETIRE_PROGRAM = f"""
mutation ($id: Int!) {{ retireProgram(id: $id) {{ __typename {PROGRAM_FIELDS} {ERRORS} }} }}
"""

PRACTICE_FIELDS = """
    ... on Practice {
      id title status bodyHtml submittedByDistrict { ncesId } provenance { deleted }
    }
"""

CREATE_PRACTICE = f"""
mutation ($input: PracticeInput!) {{
  createPractice(input: $input) {{ __typename {PRACTICE_FIELDS} {ERRORS} }}
}}
"""

UPDATE_PRACTICE = f"""
mutation ($id: Int!, $input: PracticeInput!) {{
  updatePractice(id: $id, input: $input) {{ __typename {PRACTICE_FIELDS} {ERRORS} }}
}}
"""

RETIRE_PRACTICE = f"""
mutation ($id: Int!) {{ retirePractice(id: $id) {{ __typename {PRACTICE_FIELDS} {ERRORS} }} }}
"""

SUBMIT_PRACTICE = f"""
mutation ($input: PracticeInput!) {{
  submitPractice(input: $input) {{ __typename {PRACTICE_FIELDS} {ERRORS} }}
}}
"""

REVIEW_PRACTICE = f"""
mutation ($id: Int!, $status: PracticeStatus!) {{
  reviewPractice(id: $id, status: $status) {{ __typename {PRACTICE_FIELDS} {ERRORS} }}
}}
"""

PRACTICE = "query ($id: Int!) { practice(id: $id) { id status } }"

CONTACT_FIELDS = "... on Contact { id name role email phone channels district { ncesId } }"

CREATE_CONTACT = f"""
mutation ($input: ContactInput!, $district: String, $school: String) {{
  createContact(input: $input, districtNcesId: $district, schoolNcesId: $school) {{
    __typename {CONTACT_FIELDS} {ERRORS}
  }}
}}
"""

UPDATE_CONTACT = f"""
mutation ($id: Int!, $input: ContactInput!) {{
  updateContact(id: $id, input: $input) {{ __typename {CONTACT_FIELDS} {ERRORS} }}
}}
"""

DELETE_CONTACT = f"""
mutation ($id: Int!) {{ deleteContact(id: $id) {{ __typename {CONTACT_FIELDS} {ERRORS} }} }}
"""

CONFIRM_CONTACTS = f"""
mutation ($nces: String!) {{
  confirmContacts(districtNcesId: $nces) {{
    __typename ... on ConfirmedContacts {{ count }} {ERRORS}
  }}
}}
"""

LOGIN = """
mutation ($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename ... on Token { token } ... on InputError { message field }
  }
}
"""

ME = "{ me { username } }"

NEW_PROGRAM: dict[str, Any] = {
    "title": "Tabletop drills for small districts",
    "summary": "Run a tabletop exercise in two hours.",
    "provider": "GraphQL Test Provider",
    "topics": ["drills-exercises"],
    "phases": ["response"],
    "deliveryModes": ["in-person"],
    "free": True,
    "ratings": [{"tier": "tier-3", "source": "State review", "asOf": "2026-01-15"}],
    "availability": {"states": ["ZZ"]},
}

NEW_PRACTICE: dict[str, Any] = {
    "title": "Reunification cards at every door",
    "summary": "Printed cards speed up reunification.",
    "body": "## Why\n\nParents find their children *faster*.",
    "topics": ["family-reunification"],
    "citations": [{"title": "Reunification guide", "url": "https://example.org/guide"}],
}

NEW_CONTACT: dict[str, Any] = {
    "name": "Night Desk",
    "role": "superintendent",
    "email": "night.desk@example.org",
    "phone": "+1 202 555 0142",
    "channels": ["email", "sms"],
}


def _programs_titled(hub: Hub, title: str) -> int:
    return int(
        hub.session.scalar(select(func.count()).select_from(Program).where(Program.title == title))
        or 0
    )


def test_create_update_retire_program(hub: Hub) -> None:
    before = hub.audit_count()
    made = hub.data(CREATE_PROGRAM, {"input": NEW_PROGRAM}, as_="admin")["createProgram"]
    assert made["__typename"] == "Program"
    assert made["provider"] == {"name": "GraphQL Test Provider"}
    assert [t["slug"] for t in made["topics"]] == ["drills-exercises"]
    assert made["ratings"] == [{"tier": {"slug": "tier-3"}, "source": "State review"}]
    assert made["availability"] == {"states": ["ZZ"], "regions": [], "districts": []}
    assert hub.audit_count() == before + 1

    changed = {**NEW_PROGRAM, "title": "Tabletop drills, revised"}
    updated = hub.data(UPDATE_PROGRAM, {"id": made["id"], "input": changed}, as_="admin")
    assert updated["updateProgram"]["title"] == "Tabletop drills, revised"
    assert updated["updateProgram"]["provenance"]["version"] > made["provenance"]["version"]

    retired = hub.data(RETIRE_PROGRAM, {"id": made["id"]}, as_="admin")["retireProgram"]
    assert retired["provenance"]["deleted"] is True
    assert hub.audit_count() == before + 3


def test_program_mutation_refused_for_a_district_user_writes_nothing(hub: Hub) -> None:
    before = hub.audit_count()
    got = hub.data(CREATE_PROGRAM, {"input": NEW_PROGRAM}, as_="district")["createProgram"]
    assert got["__typename"] == "PermissionError"
    assert "manage the catalog" in got["message"]
    anonymous = hub.data(CREATE_PROGRAM, {"input": NEW_PROGRAM})["createProgram"]
    assert anonymous["__typename"] == "PermissionError"
    assert hub.audit_count() == before
    assert _programs_titled(hub, NEW_PROGRAM["title"]) == 0


def test_unknown_topic_slug_is_an_input_error_naming_the_field(hub: Hub) -> None:
    before = hub.audit_count()
    bad = {**NEW_PROGRAM, "topics": ["drills-exercises", "not-a-topic"]}
    got = hub.data(CREATE_PROGRAM, {"input": bad}, as_="admin")["createProgram"]
    assert got["__typename"] == "InputError"
    assert got["field"] == "topics"
    assert "'not-a-topic'" in got["message"]
    assert "allowed:" in got["message"]
    assert "drills-exercises" in got["message"]
    assert hub.audit_count() == before
    assert _programs_titled(hub, NEW_PROGRAM["title"]) == 0


def test_nested_input_error_names_the_camel_case_path(hub: Hub) -> None:
    bad = {**NEW_PROGRAM, "ratings": [{"tier": "tier-3", "source": "x", "url": "not a url"}]}
    got = hub.data(CREATE_PROGRAM, {"input": bad}, as_="admin")["createProgram"]
    assert got["__typename"] == "InputError"
    assert got["field"] == "ratings.0.url"


def test_unknown_contact_id_is_refused(hub: Hub) -> None:
    bad = {**NEW_PROGRAM, "contactId": 987654}
    got = hub.data(CREATE_PROGRAM, {"input": bad}, as_="admin")["createProgram"]
    assert got["__typename"] == "NotFoundError"
    assert got["field"] == "contactId"
    assert _programs_titled(hub, NEW_PROGRAM["title"]) == 0


def test_updating_a_missing_program_is_not_found_on_id(hub: Hub) -> None:
    got = hub.data(UPDATE_PROGRAM, {"id": 987654, "input": NEW_PROGRAM}, as_="admin")
    assert got["updateProgram"]["__typename"] == "NotFoundError"
    assert got["updateProgram"]["field"] == "id"


def test_practice_lifecycle_and_visibility(hub: Hub) -> None:
    made = hub.data(CREATE_PRACTICE, {"input": NEW_PRACTICE}, as_="admin")["createPractice"]
    assert made["__typename"] == "Practice"
    assert made["status"] == "DRAFT"
    assert "<em>faster</em>" in made["bodyHtml"]
    assert hub.data(PRACTICE, {"id": made["id"]})["practice"] is None
    assert hub.data(PRACTICE, {"id": made["id"]}, as_="author")["practice"]["status"] == "DRAFT"

    changed = {**NEW_PRACTICE, "title": "Reunification cards, revised"}
    updated = hub.data(UPDATE_PRACTICE, {"id": made["id"], "input": changed}, as_="admin")
    assert updated["updatePractice"]["title"] == "Reunification cards, revised"

    retired = hub.data(RETIRE_PRACTICE, {"id": made["id"]}, as_="admin")["retirePractice"]
    assert retired["status"] == "RETIRED"
    assert retired["provenance"]["deleted"] is True


def test_submit_then_review_to_published(hub: Hub) -> None:
    sent = hub.data(SUBMIT_PRACTICE, {"input": NEW_PRACTICE}, as_="district")["submitPractice"]
    assert sent["__typename"] == "Practice"
    assert sent["status"] == "SUBMITTED"
    assert sent["submittedByDistrict"] == {"ncesId": hub.district.nces_id}
    assert hub.data(PRACTICE, {"id": sent["id"]}, as_="district")["practice"] is not None
    assert hub.data(PRACTICE, {"id": sent["id"]})["practice"] is None

    refused = hub.data(REVIEW_PRACTICE, {"id": sent["id"], "status": "APPROVED"}, as_="district")
    assert refused["reviewPractice"]["__typename"] == "PermissionError"

    for status in ("APPROVED", "PUBLISHED"):
        step = hub.data(REVIEW_PRACTICE, {"id": sent["id"], "status": status}, as_="admin")
        assert step["reviewPractice"]["status"] == status
    assert hub.data(PRACTICE, {"id": sent["id"]})["practice"]["status"] == "PUBLISHED"


def test_anonymous_cannot_submit_a_practice(hub: Hub) -> None:
    before = hub.audit_count()
    got = hub.data(SUBMIT_PRACTICE, {"input": NEW_PRACTICE})["submitPractice"]
    assert got["__typename"] == "PermissionError"
    assert hub.audit_count() == before
    count = hub.session.scalar(
        select(func.count()).select_from(Practice).where(Practice.title == NEW_PRACTICE["title"])
    )
    assert count == 0


def test_district_user_manages_own_contacts(hub: Hub) -> None:
    nces = hub.district.nces_id
    made = hub.data(CREATE_CONTACT, {"input": NEW_CONTACT, "district": nces}, as_="district")
    contact = made["createContact"]
    assert contact["__typename"] == "Contact"
    assert contact["email"] == "night.desk@example.org"
    assert contact["phone"] == "+12025550142"
    assert contact["district"] == {"ncesId": nces}

    changed = {**NEW_CONTACT, "name": "Night Desk (24x7)", "available24x7": True}
    updated = hub.data(UPDATE_CONTACT, {"id": contact["id"], "input": changed}, as_="district")
    assert updated["updateContact"]["name"] == "Night Desk (24x7)"

    deleted = hub.data(DELETE_CONTACT, {"id": contact["id"]}, as_="district")
    assert deleted["deleteContact"]["__typename"] == "Contact"
    row = hub.session.get(Contact, contact["id"])
    assert row is not None
    assert row.deleted is True


def test_contact_in_another_district_is_refused_and_not_written(hub: Hub) -> None:
    other = hub.session.scalars(
        select(District).where(District.id != hub.district.id).order_by(District.id)
    ).first()
    assert other is not None
    before = hub.audit_count()
    made = hub.data(
        CREATE_CONTACT, {"input": NEW_CONTACT, "district": other.nces_id}, as_="district"
    )
    assert made["createContact"]["__typename"] == "PermissionError"
    theirs = hub.session.scalars(
        select(Contact).where(Contact.district_id == other.id).order_by(Contact.id)
    ).first()
    assert theirs is not None
    name = theirs.name
    changed = hub.data(UPDATE_CONTACT, {"id": theirs.id, "input": NEW_CONTACT}, as_="district")
    assert changed["updateContact"]["__typename"] == "PermissionError"
    hub.session.expire_all()
    assert hub.session.get(Contact, theirs.id).name == name  # type: ignore[union-attr]
    assert hub.audit_count() == before
    stored = hub.session.scalar(
        select(func.count()).select_from(Contact).where(Contact.name == NEW_CONTACT["name"])
    )
    assert stored == 0


def test_contact_with_malformed_district_id_names_the_field(hub: Hub) -> None:
    before = hub.audit_count()
    got = hub.data(CREATE_CONTACT, {"input": NEW_CONTACT, "district": "12-45"}, as_="admin")
    error = got["createContact"]
    assert error["__typename"] == "InputError"
    assert error["field"] == "districtNcesId"
    assert "7 digits" in error["message"]
    assert hub.audit_count() == before


def test_contact_input_error_from_pydantic(hub: Hub) -> None:
    bad = {**NEW_CONTACT, "phone": "12"}
    got = hub.data(CREATE_CONTACT, {"input": bad, "district": hub.district.nces_id}, as_="admin")[
        "createContact"
    ]
    assert got["__typename"] == "InputError"
    assert got["field"] == "phone"
    assert "phone number" in got["message"]


def test_confirm_contacts(hub: Hub) -> None:
    got = hub.data(CONFIRM_CONTACTS, {"nces": hub.district.nces_id}, as_="district")
    assert got["confirmContacts"]["count"] > 0
    refused = hub.data(CONFIRM_CONTACTS, {"nces": hub.district.nces_id}, as_="viewer")
    assert refused["confirmContacts"]["__typename"] == "PermissionError"


def test_login_issues_a_token_that_signs_in(hub: Hub) -> None:
    before = hub.audit_count()
    got = hub.data(LOGIN, {"u": "viewer", "p": hub.passwords["viewer"]})["login"]
    assert got["__typename"] == "Token"
    assert hub.audit_count() == before + 1
    hub.tokens["fresh"] = got["token"]
    assert hub.data(ME, as_="fresh")["me"] == {"username": "viewer"}


def test_login_with_a_wrong_password_is_an_input_error(hub: Hub) -> None:
    before = hub.audit_count()
    got = hub.data(LOGIN, {"u": "viewer", "p": "wrong"})["login"]
    assert got == {
        "__typename": "InputError",
        "message": "unknown username or wrong password",
        "field": "password",
    }
    assert hub.audit_count() == before
