"""Every relation goes through a DataLoader: 100 programs cost the SQL statements of 10."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from tests.graphql.conftest import Hub

PAGE = """
query ($first: Int!) {
  programs(first: $first, orderBy: TITLE) {
    totalCount
    edges {
      node {
        id title
        provider { name }
        topics { slug } phases { slug } audiences { slug } deliveryModes { slug }
        ratings { tier { slug label } source }
        availability { states regions districts }
        contact { name email district { name } }
        provenance { center { slug } }
      }
    }
  }
}
"""


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_statement_count_does_not_grow_with_the_page(hub: Hub, engine: Engine) -> None:
    counts = {}
    for first in (10, 100):
        hub.session.expire_all()
        with counting(engine) as statements:
            data = hub.data(PAGE, {"first": first}, as_="admin")
        edges = data["programs"]["edges"]
        assert len(edges) == min(first, data["programs"]["totalCount"])
        assert any(e["node"]["contact"] for e in edges)
        assert any(e["node"]["ratings"] for e in edges)
        counts[first] = len(statements)
    assert counts[10] == counts[100], counts
