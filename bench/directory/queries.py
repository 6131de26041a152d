"""The typical district query, as GraphQL and as the plain route, for one (topic, district) pair."""

from bench.directory.load import Request

PAGE = 25

DISTRICT_PROGRAMS = """
query DistrictPrograms($topic: String!, $district: String!, $first: Int!) {
  programs(filter: {topics: [$topic], availableToDistrict: $district}, first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id
        title
        summary
        free
        url
        provider { id name website }
        ratings { tier { slug label } source asOf }
        contact { id name title role email phone }
      }
    }
  }
}
"""


def graphql_request(topic: str, district: str) -> Request:
    """POST /graphql with the query and its variables."""
    variables = {"topic": topic, "district": district, "first": PAGE}
    return ("POST", "/graphql", {"query": DISTRICT_PROGRAMS, "variables": variables}, None)


def plain_request(topic: str, district: str) -> Request:
    """GET /plain/programs with the same values."""
    params = {"topic": topic, "district": district, "first": str(PAGE)}
    return ("GET", "/plain/programs", None, params)
