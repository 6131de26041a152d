"""Console test fixtures: the real app over the test transaction, demo data, and signing in
through the login form like a browser does (cookies kept by the client)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.auth.models import User
from hub.directory import demo
from hub.directory.models import District
from tests.conftest import in_transaction

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Console:
    """The app, the demo data's passwords, and a fresh browser-like client per user."""

    session: Session
    passwords: dict[str, str]
    district: District
    make_client: "ClientFactory"

    def browser(self) -> TestClient:
        """A client with no cookies, like a new browser."""
        return self.make_client()

    def log_in(self, client: TestClient, username: str, *, next: str = "/") -> httpx.Response:
        """Fill in and post the login form as `username` (right password), redirects not
        followed."""
        form = client.get("/login")
        return client.post(
            "/login",
            data={
                "username": username,
                "password": self.passwords[username],
                "csrf": csrf_of(form.text),
                "next": next,
            },
            follow_redirects=False,
        )

    def signed_in(self, username: str) -> TestClient:
        """A client signed in as `username` through the login form."""
        client = self.browser()
        answer = self.log_in(client, username)
        assert answer.status_code == 303, answer.text
        return client


class ClientFactory:
    """Makes TestClients over one app; closes them all at the end of the test."""

    def __init__(self, session: Session) -> None:
        self.app = create_app(session_provider=in_transaction(session))
        self.clients: list[TestClient] = []

    def __call__(self) -> TestClient:
        client = TestClient(self.app)
        client.__enter__()
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            client.__exit__(None, None, None)


@pytest.fixture
def console(session: Session) -> Iterator[Console]:
    result = demo.load(session, seed=11)
    district_id = session.scalar(select(User.district_id).where(User.username == "district"))
    showcase = session.get(District, district_id)
    assert showcase is not None
    factory = ClientFactory(session)
    try:
        yield Console(
            session=session,
            passwords={c.username: c.password for c in result.credentials},
            district=showcase,
            make_client=factory,
        )
    finally:
        factory.close()
