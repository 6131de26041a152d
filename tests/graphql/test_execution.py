"""Operations run in a worker thread, in a transaction opened there: written for mutations only."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.app import create_app

CENTERS = "{ centers { slug } }"
LOGIN = 'mutation { login(username: "nobody", password: "x") { __typename } }'
NAMED = """
query A { centers { slug } }
mutation B { login(username: "n", password: "x") { __typename } }
"""


def test_sessions_open_off_the_event_loop_and_write_only_for_mutations(session: Session) -> None:
    opened: list[tuple[bool, int]] = []

    @contextmanager
    def provide(write: bool) -> Iterator[Session]:
        opened.append((write, threading.get_ident()))
        with session.begin_nested():
            yield session

    app = create_app(session_provider=provide)

    @app.get("/loop-thread")
    async def loop_thread() -> int:
        return threading.get_ident()

    with TestClient(app) as client:
        loop_ident = client.get("/loop-thread").json()
        assert client.post("/graphql", json={"query": CENTERS}).status_code == 200
        assert client.post("/graphql", json={"query": LOGIN}).status_code == 200
        for name in ("A", "B"):
            response = client.post("/graphql", json={"query": NAMED, "operationName": name})
            assert "errors" not in response.json()
    assert [write for write, _ in opened] == [False, True, False, True]
    assert all(ident != loop_ident for _, ident in opened)
