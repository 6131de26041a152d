"""Bad input, limits, authentication and masking: a message naming the field or the limit, never
an HTTP 500, and nothing written."""

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.app import create_app
from hub.directory.models import Practice, Program
from hub.errors import NotFound
from hub.settings import get_settings
from tests.graphql.conftest import Hub

DISTRICT = "query ($id: String!) { district(ncesId: $id) { name } }"
SCHOOL = "query ($id: String!) { school(ncesId: $id) { name } }"
PROGRAMS = """
query ($filter: ProgramFilter, $first: Int, $after: String) {
  programs(filter: $filter, first: $first, after: $after) { totalCount edges { node { id } } }
}
"""
PRACTICE = "query ($id: Int!) { practice(id: $id) { title citations { title } } }"
CREATE_THEN_RETIRE = """
mutation ($input: ProgramInput!, $practice: Int!) {
  createProgram(input: $input) { __typename ... on Program { id } }
  retirePractice(id: $practice) { __typename ... on Practice { citations { title } } }
}
"""
DEEP = """
{ districts { edges { node { schools { district { schools { district { schools {
  district { schools { district { name } } } } } } } } } } } }
"""
ALIASES = "{ " + " ".join(f"c{i}: centers {{ slug }}" for i in range(21)) + " }"
MANY_TOKENS = "{ " + "centers { slug } " * 800 + "}"
ME = "{ me { username } }"


def _error(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list)
    first = errors[0]
    assert isinstance(first, dict)
    return first


@pytest.mark.parametrize(
    ("query", "variables", "field", "words"),
    [
        (DISTRICT, {"id": "12ab"}, "ncesId", "7 digits"),
        (SCHOOL, {"id": "1234567"}, "ncesId", "12 digits"),
        (PROGRAMS, {"first": 101}, "first", "between 0 and 100"),
        (PROGRAMS, {"after": "bm90LW91cnM="}, "after", "not a cursor issued by this hub"),
        (PROGRAMS, {"filter": {"topics": ["nope"]}}, "topics", "allowed:"),
        (PROGRAMS, {"filter": {"availableToDistrict": "12"}}, "availableToDistrict", "pattern"),
    ],
)
def test_bad_query_input_names_the_field_and_reason(
    hub: Hub, query: str, variables: dict[str, object], field: str, words: str
) -> None:
    before = hub.audit_count()
    body = hub.call(query, variables)
    error = _error(body)
    assert error["extensions"] == {"code": "invalid_input", "field": field}
    assert words in str(error["message"])
    assert hub.audit_count() == before


def test_unknown_district_filter_is_not_found(hub: Hub) -> None:
    error = _error(hub.call(PROGRAMS, {"filter": {"availableToDistrict": "0000000"}}))
    assert error["extensions"] == {"code": "not_found", "field": "availableToDistrict"}


def test_first_101_is_refused_and_100_accepted(hub: Hub) -> None:
    assert "errors" in hub.call(PROGRAMS, {"first": 101})
    assert len(hub.data(PROGRAMS, {"first": 100})["programs"]["edges"]) > 25


@pytest.mark.parametrize(
    ("query", "words"),
    [
        (DEEP, "exceeds maximum operation depth of 10"),
        (ALIASES, "21 aliases found. Allowed: 20"),
        (MANY_TOKENS, "more than 3000 tokens"),
    ],
)
def test_limits_are_refused_with_a_message(hub: Hub, query: str, words: str) -> None:
    body = hub.call(query)
    assert words in str(_error(body)["message"])
    assert body["data"] is None


def test_a_body_over_the_limit_is_413_naming_the_limit(hub: Hub) -> None:
    limit = get_settings().graphql_max_body_bytes
    query = "{ centers { slug } }" + " " * limit
    response = hub.client.post("/graphql", json={"query": query})
    assert response.status_code == 413
    error = _error(response.json())
    assert str(limit) in str(error["message"])
    assert error["extensions"] == {"code": "body_too_large", "limit": limit}


def test_bad_or_revoked_token_is_401_graphql_shaped(hub: Hub) -> None:
    hub.tokens["bogus"] = "hub_not-a-token"
    response = hub.post(ME, as_="bogus")
    assert response.status_code == 401
    assert _error(response.json())["extensions"] == {"code": "unauthenticated"}
    malformed = hub.client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": "Basic x"}
    )
    assert malformed.status_code == 401


def test_malformed_requests_are_400_not_500(hub: Hub) -> None:
    not_json = hub.client.post(
        "/graphql", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    no_query = hub.client.post("/graphql", json={"variables": {}})
    assert no_query.status_code == 400
    assert _error(no_query.json())["extensions"] == {"code": "bad_request", "field": "query"}
    syntax = hub.call("{ centers { slug ")
    assert "Syntax Error" in str(_error(syntax)["message"])
    unknown = hub.call("{ nothingHere }")
    assert "nothingHere" in str(_error(unknown)["message"])


def _break_a_practice(hub: Hub) -> Practice:
    """Stored data the code cannot read (a citation without a title): a real unexpected error."""
    row = hub.session.scalars(
        select(Practice).where(Practice.status == "published").order_by(Practice.id)
    ).first()
    assert row is not None
    row.citations = [{"name": "no title key"}]
    hub.session.flush()
    return row


def test_unexpected_errors_are_masked_and_logged(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    row = _break_a_practice(hub)
    with caplog.at_level(logging.ERROR, logger="hub.graphql.schema"):
        body = hub.call(PRACTICE, {"id": row.id})
    error = _error(body)
    assert error["message"] == "Unexpected error."
    assert "extensions" not in error
    assert "KeyError" in caplog.text or "title" in caplog.text


def test_an_operation_with_errors_is_rolled_back_whole(hub: Hub) -> None:
    from tests.graphql.test_mutations import NEW_PROGRAM

    row = _break_a_practice(hub)
    before = hub.audit_count()
    body = hub.call(CREATE_THEN_RETIRE, {"input": NEW_PROGRAM, "practice": row.id}, as_="admin")
    assert _error(body)["message"] == "Unexpected error."
    assert hub.audit_count() == before
    count = hub.session.scalar(
        select(func.count()).select_from(Program).where(Program.title == NEW_PROGRAM["title"])
    )
    assert count == 0


def test_healthz_graphiql_and_hub_errors_on_plain_routes(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok"}
    ide = app_client.get("/graphql")
    assert ide.status_code == 200
    assert "graphiql" in ide.text.lower()

    app = create_app()

    @app.get("/missing")
    def missing() -> None:
        raise NotFound("no such thing", field="id")

    with TestClient(app) as client:
        response = client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "no such thing", "field": "id"}
    }
