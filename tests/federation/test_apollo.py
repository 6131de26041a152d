"""Two hubs compose into one supergraph with @apollo/composition, and @apollo/gateway answers over
them: hub fields, and references to hub entities from a subgraph that only extends District.

Apollo's packages come from npm, pinned in apollo/package-lock.json and installed once per
session; the hubs and the extending subgraph are uvicorn servers on 127.0.0.1 in this process.
"""

import json
import select
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
import uvicorn
from sqlalchemy import Engine, event
from sqlalchemy import select as sql_select
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from hub.app import create_app
from hub.db import session_scope
from hub.directory import demo
from hub.directory.models import District as DistrictRow
from tests.fresh_db import migrated_engine

APOLLO = Path(__file__).parent / "apollo"
SERVICE = "{ _service { sdl } }"
STARTUP_SECONDS = 30

NEIGHBOURS = """
query ($ncesId: String!) {
  district(ncesId: $ncesId) { name neighbours { ncesId name } }
}
"""

PAGE = """
{
  districts(first: 3) { totalCount edges { node { ncesId name } } }
  programs(first: 2, orderBy: TITLE) { edges { node { title originCenter originId } } }
}
"""


# ---- the subgraph that only extends District -----------------------------------------------


@strawberry.federation.type(keys=["ncesId"])
class District:
    """A district as the neighbours subgraph knows it: by its key alone."""

    nces_id: str

    @strawberry.field
    def neighbours(self, info: strawberry.Info) -> list["District"]:
        """Districts this subgraph calls neighbours; their names come from a hub."""
        return [District(nces_id=n) for n in info.context["neighbours"].get(self.nces_id, [])]


class NeighboursApp(GraphQL):
    """The extending subgraph: District is reachable from no root field, so it is in types=[]."""

    def __init__(self, neighbours: dict[str, list[str]]) -> None:
        super().__init__(strawberry.federation.Schema(types=[District]))
        self.neighbours = neighbours

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> dict[str, Any]:
        return {"neighbours": self.neighbours}


# ---- servers --------------------------------------------------------------------------------


@dataclass
class Subgraph:
    name: str
    url: str
    engine: Engine | None = None


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """`app` under uvicorn in a thread, on a free 127.0.0.1 port; yields its /graphql URL."""
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        assert thread.is_alive(), "uvicorn exited before it started"
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        sock.close()


def _post(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query, "variables": variables or {}}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


@pytest.fixture(scope="session")
def apollo() -> Path:
    """The folder with Apollo's packages installed from the lock file (a no-op when current)."""
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed: the federation tests run Apollo's own packages"
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts"]
    done = subprocess.run(command, cwd=APOLLO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return APOLLO


@pytest.fixture(scope="module")
def hubs(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Subgraph]]:
    """Two hubs with the same demo directory, each on a database of its own."""
    with ExitStack() as stack:
        found = []
        for name in ("hub_a", "hub_b"):
            engine = stack.enter_context(migrated_engine(db_url, tmp_path_factory.mktemp(name)))
            with session_scope(engine) as session:
                demo.load(session, seed=11, users=False)
            url = stack.enter_context(serving(create_app(engine=engine)))
            found.append(Subgraph(name, url, engine))
        yield found


@pytest.fixture(scope="module")
def district_ids(hubs: list[Subgraph]) -> list[str]:
    with session_scope(hubs[0].engine, write=False) as session:
        query = sql_select(DistrictRow.nces_id).order_by(DistrictRow.nces_id).limit(7)
        return list(session.scalars(query))


@pytest.fixture(scope="module")
def neighbours(district_ids: list[str]) -> Iterator[Subgraph]:
    """The extending subgraph: the first district has one neighbour, the second five."""
    first, second, *rest = district_ids
    app = NeighboursApp({first: [second], second: rest[:5]})
    with serving(app) as url:
        yield Subgraph("neighbours", url)


@pytest.fixture(scope="module")
def gateway(apollo: Path, hubs: list[Subgraph], neighbours: Subgraph) -> Iterator[str]:
    """@apollo/gateway with @apollo/server over the two hubs and the neighbours subgraph."""
    subgraphs = json.dumps([{"name": s.name, "url": s.url} for s in [*hubs, neighbours]])
    node = subprocess.Popen(
        ["node", "gateway.mjs", subgraphs],
        cwd=apollo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert node.stdout is not None
        ready, _, _ = select.select([node.stdout], [], [], STARTUP_SECONDS)
        line = node.stdout.readline() if ready else ""
        if not line:
            node.kill()
            pytest.fail(f"the gateway did not start: {node.communicate()[1]}")
        yield json.loads(line)["url"]
    finally:
        node.terminate()
        node.wait(timeout=STARTUP_SECONDS)


@contextmanager
def hub_statements(hubs: list[Subgraph]) -> Iterator[list[tuple[str, str]]]:
    """(statement, parameters) of every SQL statement either hub runs inside the block."""
    seen: list[tuple[str, str]] = []

    def hook(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, repr(parameters)))

    engines = [h.engine for h in hubs if h.engine is not None]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", hook)


# ---- tests ------------------------------------------------------------------------------------


def _compose(apollo: Path, subgraphs: list[Subgraph]) -> dict[str, Any]:
    services = [
        {"name": s.name, "url": s.url, "sdl": _post(s.url, SERVICE)["_service"]["sdl"]}
        for s in subgraphs
    ]
    done = subprocess.run(
        ["node", "compose.mjs"],
        cwd=apollo,
        input=json.dumps(services),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_two_hubs_compose_into_one_supergraph(apollo: Path, hubs: list[Subgraph]) -> None:
    result = _compose(apollo, hubs)
    assert result["errors"] == []
    assert result["hints"] == []
    supergraph = result["supergraphSdl"]
    for graph in ("HUB_A", "HUB_B"):
        for typename, key in (
            ("Program", "originCenter originId"),
            ("Practice", "originCenter originId"),
            ("Center", "slug"),
            ("District", "ncesId"),
            ("School", "ncesId"),
        ):
            assert f'@join__type(graph: {graph}, key: "{key}")' in supergraph, (typename, graph)


def test_hubs_and_an_extending_subgraph_compose(
    apollo: Path, hubs: list[Subgraph], neighbours: Subgraph
) -> None:
    assert _compose(apollo, [*hubs, neighbours])["errors"] == []


def test_the_gateway_answers_as_a_hub_does(gateway: str, hubs: list[Subgraph]) -> None:
    assert _post(gateway, PAGE) == _post(hubs[0].url, PAGE)


def test_references_from_another_subgraph_cost_a_hub_one_statement(
    gateway: str, hubs: list[Subgraph], district_ids: list[str]
) -> None:
    first, second, *rest = district_ids
    with session_scope(hubs[0].engine, write=False) as session:
        rows = session.execute(sql_select(DistrictRow.nces_id, DistrictRow.name))
        names = dict(rows.all())
    counts = {}
    for root, expected in ((first, [second]), (second, rest[:5])):
        with hub_statements(hubs) as seen:
            data = _post(gateway, NEIGHBOURS, {"ncesId": root})["district"]
        assert data == {
            "name": names[root],
            "neighbours": [{"ncesId": n, "name": names[n]} for n in expected],
        }
        batch = [s for s, params in seen if any(n in params for n in expected)]
        assert len(batch) == 1, seen
        assert all(n in dict(seen)[batch[0]] for n in expected)
        counts[len(expected)] = len(seen)
    assert counts[1] == counts[5], counts
