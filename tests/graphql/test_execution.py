"""Operations run in a worker thread, in a transaction opened there: written for mutations only."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.graphql.execution import Answer, Executor, Operation
from hub.graphql.schema import build_schema

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


def test_no_more_operations_run_at_once_than_the_thread_setting() -> None:
    active, most = 0, 0
    lock = threading.Lock()

    @contextmanager
    def provide(write: bool) -> Iterator[Session]:
        nonlocal active, most
        with lock:
            active += 1
            most = max(most, active)
        time.sleep(0.05)  # long enough for all callers to be waiting at once
        try:
            yield Session()
        finally:
            with lock:
                active -= 1

    schema = build_schema(max_depth=10, max_aliases=20, max_tokens=3000)
    executor = Executor(schema, provide, max_tokens=3000, threads=2)

    async def six_at_once() -> list[Answer]:
        answers: list[Answer] = []

        async def one() -> None:
            answers.append(await executor(Operation(query="{ __typename }"), None))

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(one)
        return answers

    answers = anyio.run(six_at_once)
    assert [a.body for a in answers] == [{"data": {"__typename": "Query"}}] * 6
    assert most == 2
