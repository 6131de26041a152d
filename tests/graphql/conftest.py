"""GraphQL test fixtures: the real app over the test transaction, demo data, callers by role."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit import AuditEntry
from hub.auth.models import User
from hub.directory import demo
from hub.directory.models import District


@dataclass
class Hub:
    """A client plus demo callers: `call(query, variables, as_="admin")`."""

    client: TestClient
    session: Session
    tokens: dict[str, str]
    passwords: dict[str, str]
    district: District

    def post(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None = None
    ) -> Any:
        headers = {} if as_ is None else {"Authorization": f"Bearer {self.tokens[as_]}"}
        return self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    def call(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None = None
    ) -> dict[str, Any]:
        """Post and return the JSON body; every GraphQL answer here is HTTP 200."""
        response = self.post(query, variables, as_=as_)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: str | None = None
    ) -> dict[str, Any]:
        """Post and return `data`, failing on any error."""
        body = self.call(query, variables, as_=as_)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def audit_count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.fixture
def hub(session: Session, app_client: TestClient) -> Hub:
    result = demo.load(session, seed=11)
    district_id = session.scalar(select(User.district_id).where(User.username == "district"))
    showcase = session.get(District, district_id)
    assert showcase is not None
    return Hub(
        client=app_client,
        session=session,
        tokens={c.username: c.token for c in result.credentials},
        passwords={c.username: c.password for c in result.credentials},
        district=showcase,
    )
