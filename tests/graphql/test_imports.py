"""importFile over HTTP: multipart bodies built by hand per the GraphQL multipart request spec,
the runner's report back, permission, limits, and nothing written when refused."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.directory.models import Contact, District, Practice
from hub.graphql.imports import ImportKind
from hub.ingest import runner
from hub.settings import get_settings
from tests.graphql.conftest import Hub

IMPORT = """
mutation ($kind: ImportKind!, $file: Upload!, $dryRun: Boolean, $skipInvalid: Boolean,
          $state: String, $district: String) {
  importFile(kind: $kind, file: $file, dryRun: $dryRun, skipInvalid: $skipInvalid,
             state: $state, district: $district) {
    __typename
    ... on ImportReport {
      kind file dryRun skipInvalid created updated unchanged skipped rejected committed summary
      rejections { file line field reason }
      warnings { file line field reason }
      warningCount
    }
    ... on PermissionError { message }
    ... on InputError { message field }
    ... on NotFoundError { message field }
    ... on UnusableFileError { message }
  }
}
"""
CENTERS = "query { centers { slug } }"
BOUNDARY = "hub-test-7d1f0c"
HEADER = "LEAID,LEA_NAME,ST,LSTREET1,LCITY,LZIP,PHONE,WEBSITE,SY_STATUS"
DISTRICTS_CSV = (
    f"{HEADER}\r\n"
    "5300001,Cascade Valley School District,WA,100 Main St,Olympia,98501,(360) 555-0101,"
    "www.cascade.example.org,1\r\n"
    "5300002,Puget Lowlands School District,WA,2 Harbor Way,Tacoma,98402,253-555-0102,"
    "https://puget.example.org/,1\r\n"
).encode()
BAD_ROW_CSV = (
    f"{HEADER}\n"
    "5300001,Cascade Valley School District,WA,100 Main St,Olympia,98501,,,1\n"
    "530003,Dropped Zero School District,WA,3 Elm St,Yakima,98901,,,1\n"
).encode()
IDS = ["5300001", "5300002", "0530003", "530003"]


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"'
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}"
    if filename is not None:
        head += f'; filename="{filename}"\r\nContent-Type: text/csv'
    return head.encode() + b"\r\n\r\n" + value + b"\r\n"


def multipart(operations: str, mapping: str, files: dict[str, tuple[str, bytes]]) -> bytes:
    """A body per the spec: `operations`, `map`, then the file parts, in that order."""
    body = _part("operations", operations.encode()) + _part("map", mapping.encode())
    for name, (filename, content) in files.items():
        body += _part(name, content, filename)
    return body + f"--{BOUNDARY}--\r\n".encode()


def import_body(
    content: bytes, filename: str = "districts.csv", kind: str = "NCES_DISTRICTS", **more: Any
) -> bytes:
    variables = {"kind": kind, "file": None, **more}
    operations = json.dumps({"query": IMPORT, "variables": variables})
    return multipart(operations, json.dumps({"0": ["variables.file"]}), {"0": (filename, content)})


def headers(hub: Hub, as_: str | None = "admin", preflight: bool = True) -> dict[str, str]:
    found = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if preflight:
        found["Apollo-Require-Preflight"] = "true"
    if as_ is not None:
        found["Authorization"] = f"Bearer {hub.tokens[as_]}"
    return found


def upload(hub: Hub, body: bytes, *, as_: str | None = "admin") -> dict[str, Any]:
    """Post a multipart body and return `data.importFile`, failing on any error."""
    response = hub.client.post("/graphql", content=body, headers=headers(hub, as_))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "errors" not in answer, answer["errors"]
    result: dict[str, Any] = answer["data"]["importFile"]
    return result


def districts(session: Session) -> dict[str, District]:
    rows = session.scalars(select(District).where(District.nces_id.in_(IDS)))
    return {d.nces_id: d for d in rows}


def error(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert body["data"] is None
    first: dict[str, Any] = body["errors"][0]
    return first


def test_an_anonymous_upload_is_refused_before_reading_and_writes_nothing(hub: Hub) -> None:
    before = hub.audit_count()
    response = hub.client.post(
        "/graphql", content=import_body(DISTRICTS_CSV), headers=headers(hub, as_=None)
    )
    assert response.status_code == 401
    assert error(response)["extensions"] == {"code": "unauthenticated"}
    assert "Bearer" in error(response)["message"]
    assert districts(hub.session) == {}
    assert hub.audit_count() == before


def test_a_viewer_gets_permission_denied_and_nothing_is_written(hub: Hub) -> None:
    before = hub.audit_count()
    result = upload(hub, import_body(DISTRICTS_CSV), as_="viewer")
    assert result == {"__typename": "PermissionError", "message": "viewer may not run imports"}
    assert districts(hub.session) == {}
    assert hub.audit_count() == before


def test_a_state_admin_imports_districts_and_gets_the_report(hub: Hub) -> None:
    before = hub.audit_count()
    result = upload(hub, import_body(DISTRICTS_CSV))
    assert result == {
        "__typename": "ImportReport",
        "kind": "NCES_DISTRICTS",
        "file": "districts.csv",
        "dryRun": False,
        "skipInvalid": False,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "rejected": 0,
        "committed": True,
        "summary": "districts.csv: 2 created, 0 updated, 0 unchanged, 0 rejected; imported",
        "rejections": [],
        "warnings": [],
        "warningCount": 0,
    }
    hub.session.expire_all()
    found = districts(hub.session)
    assert sorted(found) == ["5300001", "5300002"]
    cascade = found["5300001"]
    assert (cascade.name, cascade.state, cascade.city, cascade.zip) == (
        "Cascade Valley School District",
        "WA",
        "Olympia",
        "98501",
    )
    assert cascade.phone == "+13605550101"
    assert cascade.website == "http://www.cascade.example.org"
    assert found["5300002"].website == "https://puget.example.org/"
    assert hub.audit_count() == before + 1

    again = upload(hub, import_body(DISTRICTS_CSV))
    assert (again["created"], again["unchanged"], again["committed"]) == (0, 2, True)
    assert again["summary"].endswith("; nothing changed")


def test_a_bad_row_rejects_the_file_with_line_and_field_and_writes_nothing(hub: Hub) -> None:
    before = hub.audit_count()
    result = upload(hub, import_body(BAD_ROW_CSV, filename="bad.csv"))
    assert (result["created"], result["rejected"], result["committed"]) == (1, 1, False)
    [rejection] = result["rejections"]
    assert rejection["file"] == "bad.csv"
    assert (rejection["line"], rejection["field"]) == (3, "LEAID")
    assert "exactly 7 digits" in rejection["reason"]
    assert "leading zero" in rejection["reason"]
    assert result["summary"].endswith(
        "nothing imported: fix the rejected rows or use --skip-invalid"
    )
    hub.session.expire_all()
    assert districts(hub.session) == {}
    assert hub.audit_count() == before


def test_skip_invalid_keeps_the_good_rows(hub: Hub) -> None:
    result = upload(hub, import_body(BAD_ROW_CSV, skipInvalid=True))
    assert (result["skipInvalid"], result["created"], result["rejected"]) == (True, 1, 1)
    assert result["committed"] is True
    hub.session.expire_all()
    assert sorted(districts(hub.session)) == ["5300001"]


def test_a_dry_run_reports_and_writes_nothing(hub: Hub) -> None:
    before = hub.audit_count()
    result = upload(hub, import_body(DISTRICTS_CSV, dryRun=True))
    assert (result["dryRun"], result["created"], result["committed"]) == (True, 2, False)
    assert result["summary"].endswith("; dry run: nothing written")
    hub.session.expire_all()
    assert districts(hub.session) == {}
    assert hub.audit_count() == before


def test_state_keeps_only_that_states_rows_and_is_checked(hub: Hub) -> None:
    result = upload(hub, import_body(DISTRICTS_CSV, state="or"))
    assert (result["created"], result["skipped"], result["committed"]) == (0, 2, True)
    wrong = upload(hub, import_body(DISTRICTS_CSV, state="Washington"))
    assert wrong["__typename"] == "InputError"
    assert wrong["field"] == "state"
    not_for_geocodes = upload(hub, import_body(DISTRICTS_CSV, kind="NCES_GEOCODES", state="WA"))
    assert not_for_geocodes == {
        "__typename": "InputError",
        "message": "state applies only to NCES_DISTRICTS and NCES_SCHOOLS",
        "field": "state",
    }


def test_an_unusable_file_says_why(hub: Hub) -> None:
    result = upload(hub, import_body(b"LEAID,ST\n5300001,WA\n", filename="short.csv"))
    assert result == {
        "__typename": "UnusableFileError",
        "message": "short.csv lacks the required column(s) LEA_NAME",
    }
    empty = upload(hub, import_body(b"", filename="empty.csv"))
    assert empty == {"__typename": "UnusableFileError", "message": "empty.csv is empty"}


def test_schools_import_through_the_same_mutation(hub: Hub) -> None:
    upload(hub, import_body(DISTRICTS_CSV))
    schools = b"NCESSCH,SCH_NAME,LEAID,ST\n530000100001,Cascade High,5300001,WA\n"
    result = upload(hub, import_body(schools, filename="schools.csv", kind="NCES_SCHOOLS"))
    assert (result["kind"], result["created"], result["committed"]) == ("NCES_SCHOOLS", 1, True)


def test_a_file_variable_sent_as_json_is_an_input_error(hub: Hub) -> None:
    body = hub.call(IMPORT, {"kind": "NCES_DISTRICTS", "file": "LEAID\n"}, as_="admin")
    assert body["data"]["importFile"]["__typename"] == "InputError"
    assert body["data"]["importFile"]["field"] == "file"


@pytest.fixture
def small_limit(
    session: Session, monkeypatch: pytest.MonkeyPatch, hub: Hub
) -> Iterator[TestClient]:
    """The app with HUB_GRAPHQL_MAX_UPLOAD_BYTES=2000, over the test's transaction."""

    @contextmanager
    def provide(write: bool) -> Iterator[Session]:
        with session.begin_nested():
            yield session

    monkeypatch.setenv("HUB_GRAPHQL_MAX_UPLOAD_BYTES", "2000")
    get_settings.cache_clear()
    try:
        assert get_settings().graphql_max_upload_bytes == 2000
        with TestClient(create_app(session_provider=provide)) as client:
            yield client
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_body_over_the_upload_limit_is_413(hub: Hub, small_limit: TestClient) -> None:
    big = DISTRICTS_CSV + b"\n" * 2000
    response = small_limit.post("/graphql", content=import_body(big), headers=headers(hub))
    assert response.status_code == 413
    assert error(response)["extensions"] == {"code": "body_too_large", "limit": 2000}
    assert "2000 bytes" in error(response)["message"]
    assert districts(hub.session) == {}
    ok = small_limit.post("/graphql", content=import_body(DISTRICTS_CSV), headers=headers(hub))
    assert ok.json()["data"]["importFile"]["created"] == 2


def test_an_upload_without_content_length_is_411(hub: Hub) -> None:
    body = import_body(DISTRICTS_CSV)
    response = hub.client.post("/graphql", content=iter([body]), headers=headers(hub))
    assert response.status_code == 411
    assert error(response)["extensions"]["code"] == "length_required"
    assert districts(hub.session) == {}


def test_a_query_sent_as_multipart_is_400(hub: Hub) -> None:
    operations = json.dumps({"query": CENTERS, "variables": {"file": None}})
    body = multipart(operations, '{"0": ["variables.file"]}', {"0": ("x.csv", b"x")})
    response = hub.client.post("/graphql", content=body, headers=headers(hub))
    assert response.status_code == 400
    assert error(response)["extensions"] == {"code": "bad_request"}
    assert "only a mutation" in error(response)["message"]


@pytest.mark.parametrize(
    ("mapping", "words"),
    [
        ('{"0": ["variables.file"', "'map' is not JSON"),
        ('["variables.file"]', "'map' must be a JSON object"),
        ('{"0": "variables.file"}', "must be a non-empty list"),
        ('{"1": ["variables.file"]}', "no file part of that name"),
        ('{"0": ["query"]}', "must point into the variables"),
        ('{"0": ["variables.nothing.here"]}', "does not name a null"),
        ('{"0": ["variables.kind"]}', "does not name a null"),
    ],
)
def test_a_bad_map_is_400_saying_why(hub: Hub, mapping: str, words: str) -> None:
    operations = json.dumps(
        {"query": IMPORT, "variables": {"kind": "NCES_DISTRICTS", "file": None}}
    )
    body = multipart(operations, mapping, {"0": ("districts.csv", DISTRICTS_CSV)})
    response = hub.client.post("/graphql", content=body, headers=headers(hub))
    assert response.status_code == 400, response.text
    assert words in error(response)["message"]
    assert districts(hub.session) == {}


@pytest.mark.parametrize(
    ("operations", "words"),
    [
        ("{nope", "'operations' is not JSON"),
        ("[]", "batched operations are not supported"),
        ('"query"', "'operations' must be a JSON object"),
        ('{"variables": {"file": null}}', "no query given"),
    ],
)
def test_bad_operations_are_400_saying_why(hub: Hub, operations: str, words: str) -> None:
    body = multipart(operations, '{"0": ["variables.file"]}', {"0": ("d.csv", DISTRICTS_CSV)})
    response = hub.client.post("/graphql", content=body, headers=headers(hub))
    assert response.status_code == 400, response.text
    assert words in error(response)["message"]


def test_malformed_multipart_and_missing_fields_are_400(hub: Hub) -> None:
    no_map = _part("operations", b"{}") + f"--{BOUNDARY}--\r\n".encode()
    response = hub.client.post("/graphql", content=no_map, headers=headers(hub))
    assert response.status_code == 400
    assert "no 'map' field" in error(response)["message"]
    garbage = hub.client.post("/graphql", content=b"not multipart at all", headers=headers(hub))
    assert garbage.status_code == 400
    assert "malformed multipart body" in error(garbage)["message"]


def test_an_upload_without_a_preflight_header_is_400_explaining_csrf(hub: Hub) -> None:
    response = hub.client.post(
        "/graphql", content=import_body(DISTRICTS_CSV), headers=headers(hub, preflight=False)
    )
    assert response.status_code == 400
    assert "Apollo-Require-Preflight" in error(response)["message"]
    assert "CSRF" in error(response)["message"]
    assert districts(hub.session) == {}
    by_name = headers(hub, preflight=False) | {"x-apollo-operation-name": "ImportDistricts"}
    ok = hub.client.post("/graphql", content=import_body(DISTRICTS_CSV), headers=by_name)
    assert ok.json()["data"]["importFile"]["created"] == 2


def test_the_kinds_are_the_runners(hub: Hub) -> None:
    assert {k.value for k in ImportKind} == set(runner.IMPORTERS)


CATALOG_CSV = (
    b"type,id,title,topics,body,status\n"
    b"practice,gql-b-1,Reunification drills,family-reunification,Practise twice a year.,"
    b"published\n"
)


def test_a_catalog_file_is_imported_by_its_suffix_and_checked_by_role(hub: Hub) -> None:
    body = import_body(CATALOG_CSV, filename="catalog.csv", kind="CATALOG")
    denied = upload(hub, body, as_="viewer")
    assert denied == {
        "__typename": "PermissionError",
        "message": "viewer may not manage the catalog",
    }
    result = upload(hub, body)
    assert (result["kind"], result["created"], result["rejected"]) == ("CATALOG", 1, 0)
    assert result["committed"] is True
    hub.session.expire_all()
    titles = hub.session.scalars(select(Practice.title).where(Practice.origin_id == "gql-b-1"))
    assert list(titles) == ["Reunification drills"]
    odd = upload(hub, import_body(CATALOG_CSV, filename="catalog.xlsx", kind="CATALOG"))
    assert odd == {
        "__typename": "UnusableFileError",
        "message": "catalog.xlsx: a catalog file is .csv, .json, .yaml or .yml",
    }


CONTACTS_CSV = b"name,title,role\nDana Ortiz,Superintendent,superintendent\n"


def _contacts(hub: Hub) -> list[str]:
    hub.session.expire_all()
    query = select(Contact.name).where(
        Contact.district_id == hub.district.id, Contact.name == "Dana Ortiz"
    )
    return list(hub.session.scalars(query))


def test_a_district_user_imports_their_own_districts_contacts(hub: Hub) -> None:
    own = hub.district.nces_id
    body = import_body(CONTACTS_CSV, filename="contacts.csv", kind="CONTACTS", district=own)
    denied = upload(hub, body, as_="viewer")
    assert denied["__typename"] == "PermissionError"
    assert _contacts(hub) == []
    result = upload(hub, body, as_="district")
    assert (result["kind"], result["created"], result["committed"]) == ("CONTACTS", 1, True)
    assert _contacts(hub) == ["Dana Ortiz"]

    other = hub.session.scalars(
        select(District.nces_id).where(District.id != hub.district.id).order_by(District.id)
    ).first()
    assert other is not None
    elsewhere = import_body(CONTACTS_CSV, filename="c.csv", kind="CONTACTS", district=other)
    assert upload(hub, elsewhere, as_="district")["__typename"] == "PermissionError"


@pytest.mark.parametrize(
    ("district", "expected"),
    [
        (
            None,
            {
                "__typename": "InputError",
                "message": "district is required for CONTACTS",
                "field": "district",
            },
        ),
        (
            "123",
            {
                "__typename": "InputError",
                "message": "a district NCES id (LEAID) is exactly 7 digits, got '123'",
                "field": "district",
            },
        ),
        (
            "5399999",
            {
                "__typename": "NotFoundError",
                "message": "no district with NCES id 5399999",
                "field": "district",
            },
        ),
    ],
)
def test_a_contact_list_needs_a_known_district(
    hub: Hub, district: str | None, expected: dict[str, str]
) -> None:
    body = import_body(CONTACTS_CSV, filename="c.csv", kind="CONTACTS", district=district)
    assert upload(hub, body) == expected
    assert _contacts(hub) == []


def test_a_body_longer_than_declared_is_cut_off_at_the_limit(
    hub: Hub, small_limit: TestClient
) -> None:
    """The limit holds while reading too, whatever Content-Length claimed."""
    body = import_body(DISTRICTS_CSV + b"\n" * 4000)
    lying = headers(hub) | {"Content-Length": "1500"}
    response = small_limit.post("/graphql", content=iter([body]), headers=lying)
    assert response.status_code == 413
    assert error(response)["extensions"] == {"code": "body_too_large", "limit": 2000}
    assert districts(hub.session) == {}
