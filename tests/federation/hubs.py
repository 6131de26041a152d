"""Hubs as real processes on 127.0.0.1, each with its own database and center slug, driven over
HTTP as another center would: GraphQL with a state admin's token (or another user's, made with
`add_user`), syncs through `syncPartner`."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from hub.auth import service as auth
from hub.auth.policy import SYSTEM
from hub.db import make_engine, session_scope
from tests.fresh_db import fresh_database

SECRET = "federation-test-secret-key-0123456789abcdef"
PARTNER_FIELDS = "slug breakerOpen failures pullCursor pushCursor"
RUN_FIELDS = (
    "id direction status fetched created updated deleted skipped rejected bytesMoved error "
    "rejections { originCenter originId reason }"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Hub:
    """One hub process: start, stop (an outage) and start again on the same database."""

    slug: str
    state: str
    db_url: str
    log: Path
    port: int = field(default_factory=free_port)
    token: str = ""
    proc: subprocess.Popen[bytes] | None = None
    engine: Engine | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "HUB_DATABASE_URL": self.db_url,
            "HUB_ENVIRONMENT": "test",
            "HUB_CENTER_SLUG": self.slug,
            "HUB_CENTER_NAME": f"{self.slug} center",
            "HUB_CENTER_STATE": self.state,
            "HUB_SECRET_KEY": SECRET + self.slug,
            "HUB_PUBLIC_BASE_URL": self.url,
            "HUB_FEDERATION_PAGE_SIZE": "7",  # several pages even for small rounds
            "HUB_FEDERATION_TIMEOUT_SECONDS": "5",
            "HUB_LOG_LEVEL": "WARNING",
        }

    def start(self) -> "Hub":
        hub_script = Path(sys.executable).parent / "hub"
        command = [str(hub_script), "serve", "--no-background", "--port", str(self.port)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                command, env=self.env(), stdout=log, stderr=subprocess.STDOUT
            )
        for _ in range(600):
            if self.proc.poll() is not None:
                raise AssertionError(f"hub {self.slug} exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise AssertionError(f"hub {self.slug} never answered")
        if self.engine is None:
            self.engine = make_engine(self.db_url)
            self.token = self.add_user("admin", "state_admin")
        return self

    def add_user(self, username: str, role: str, district_nces_id: str | None = None) -> str:
        """A user in this hub's database, as `hub users create` makes one; returns their token."""
        assert self.engine is not None, "start the hub first"
        with session_scope(self.engine) as session:
            auth.create_user(
                session,
                SYSTEM,
                username=username,
                role=role,
                password=None,
                district_nces_id=district_nces_id,
            )
            _, token = auth.create_token(session, SYSTEM, username=username)
        return token

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None

    def gql(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        """Run an operation; fail on any GraphQL error."""
        answer = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token or self.token}"},
            timeout=30,
        )
        body = answer.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def add_partner(self, other: "Hub", **agreement: Any) -> str:
        """Register `other` here; returns the token to give it."""
        data = self.gql(
            """mutation($input: PartnerInput!) { addPartner(input: $input) {
                 __typename ... on PartnerAdded { token } ... on InputError { message } } }""",
            input={
                "slug": other.slug,
                "name": f"{other.slug} center",
                "level": "national" if other.slug == "national" else "state",
                "baseUrl": other.url,
                **agreement,
            },
        )["addPartner"]
        assert data["__typename"] == "PartnerAdded", data
        return str(data["token"])

    def store_token(self, other: "Hub", token: str, signing_secret: str | None = None) -> None:
        data = self.gql(
            """mutation($slug: String!, $outbound: String, $secret: String) {
                 setPartnerCredentials(
                   slug: $slug, outboundToken: $outbound, signingSecret: $secret
                 ) { __typename } }""",
            slug=other.slug,
            outbound=token,
            secret=signing_secret,
        )
        assert data["setPartnerCredentials"]["__typename"] == "Partner"

    def sync(self, partner: str, direction: str = "pull") -> dict[str, Any]:
        """Start a sync with `syncPartner` and wait for its run to end."""
        started = self.gql(
            """mutation($slug: String!, $d: String!) { syncPartner(slug: $slug, direction: $d)
                 { __typename ... on SyncRun { id } ... on InputError { message } } }""",
            slug=partner,
            d=direction,
        )["syncPartner"]
        assert started["__typename"] == "SyncRun", started
        for _ in range(1200):
            run = self.run(partner, int(started["id"]))
            if run["status"] != "running":
                return run
            time.sleep(0.05)
        raise AssertionError(f"sync {started['id']} with {partner} never ended")

    def run(self, partner: str, run_id: int) -> dict[str, Any]:
        runs = self.gql(
            f"""query($slug: String!) {{ partner(slug: $slug) {{ runs(first: 20)
                 {{ {RUN_FIELDS} }} }} }}""",
            slug=partner,
        )["partner"]["runs"]
        return next(r for r in runs if int(r["id"]) == run_id)

    def partner(self, slug: str) -> dict[str, Any]:
        data = self.gql(
            f"query($slug: String!) {{ partner(slug: $slug) {{ {PARTNER_FIELDS} }} }}", slug=slug
        )
        return dict(data["partner"])


@contextmanager
def hubs(like_url: str, tmp_path: Path, *specs: tuple[str, str]) -> Iterator[dict[str, Hub]]:
    """Started hubs, one fresh database each, stopped and dropped after."""
    with ExitStack() as stack:
        found: dict[str, Hub] = {}
        for slug, state in specs:
            url = stack.enter_context(fresh_database(like_url, tmp_path))
            hub = Hub(slug, state, url, tmp_path / f"{slug}.log")
            stack.callback(_dispose, hub)
            found[slug] = hub.start()
        yield found


def _dispose(hub: Hub) -> None:
    hub.stop()
    if hub.engine is not None:
        hub.engine.dispose()
