"""The partner endpoints in process: bearer tokens scoped to their center, and HMAC signing with
a timestamp, a nonce and a replay window. Every refused request leaves the data as it was."""

import json
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.directory.models import Program
from hub.federation import partners
from hub.federation.models import SyncRun
from hub.federation.schemas import PartnerInput
from hub.federation.signing import NONCE, SIGNATURE, TIMESTAMP, SignedAuth, signature
from tests import factories
from tests.factories import ADMIN

SECRET = "shared-between-the-two-centers"


def _partner(session: Session, slug: str, *, signing: str | None = None) -> str:
    data = PartnerInput(
        slug=slug,
        name=f"{slug} center",
        level="state",
        base_url=f"https://{slug}.example.org",
        direction="both",
        sends=["program", "practice"],
        receives=["program"],
    )
    return partners.add(session, ADMIN, data, signing_secret=signing).token


def _signed(token: str, method: str, target: str, body: bytes = b"") -> httpx.Headers:
    """The headers SignedAuth puts on a request to `target`."""
    request = httpx.Request(method, f"http://testserver{target}", content=body)
    flow = SignedAuth(token, SECRET).auth_flow(request)
    return httpx.Headers({k: v for k, v in next(flow).headers.items() if k != "content-length"})


def _push_body(origin: str) -> bytes:
    change = {
        "type": "program",
        "origin_center": origin,
        "origin_id": "p-1",
        "version": 1,
        "updated_at": "2026-12-01T00:00:00+00:00",
        "deleted": False,
        "change_seq": 1,
        "payload": {"title": "Signed program", "topics": ["threat-assessment"]},
    }
    return json.dumps({"changes": [change]}).encode()


def _programs(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Program)) or 0)


def test_the_feed_needs_a_partner_token_and_shows_only_what_is_shared(
    session: Session, app_client: TestClient
) -> None:
    factories.program(session, title="Shared")
    token = _partner(session, "state-b")
    assert app_client.get("/federation/changes").status_code == 403
    bad = app_client.get("/federation/changes", headers={"Authorization": "Bearer hubp_nope"})
    assert bad.status_code == 403
    assert "bearer token" in bad.json()["error"]["message"]
    auth = {"Authorization": f"Bearer {token}"}
    page = app_client.get("/federation/changes", headers=auth).json()
    assert [c["payload"]["title"] for c in page["changes"]] == ["Shared"]
    assert (page["has_more"], page["cursor"]) == (False, str(page["changes"][-1]["change_seq"]))


def test_a_signed_pull_is_accepted_once(session: Session, app_client: TestClient) -> None:
    factories.program(session)
    token = _partner(session, "state-b", signing=SECRET)
    target = "/federation/changes?first=5"
    headers = _signed(token, "GET", target)
    assert app_client.get(target, headers=headers).status_code == 200
    replayed = app_client.get(target, headers=headers)
    assert replayed.status_code == 403
    assert "replay" in replayed.json()["error"]["message"]
    # The same request signed again a moment later carries a new nonce: it is not a replay.
    assert app_client.get(target, headers=_signed(token, "GET", target)).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda h: h.pop(SIGNATURE), "signs its requests"),
        (lambda h: h.pop(NONCE), "signs its requests"),
        (lambda h: h.update({TIMESTAMP: str(int(time.time()) - 3600)}), "replay window"),
        (lambda h: h.update({TIMESTAMP: "soon"}), "replay window"),
        (lambda h: h.update({NONCE: "0" * 32}), "does not match"),
    ],
)
def test_unsigned_stale_or_altered_requests_are_refused(
    session: Session, app_client: TestClient, change: Any, message: str
) -> None:
    token = _partner(session, "state-b", signing=SECRET)
    target = "/federation/changes"
    headers = _signed(token, "GET", target)
    change(headers)
    refused = app_client.get(target, headers=headers)
    assert refused.status_code == 403
    assert message in refused.json()["error"]["message"]


def test_a_push_with_a_tampered_body_is_refused_and_writes_nothing(
    session: Session, app_client: TestClient
) -> None:
    token = _partner(session, "state-b", signing=SECRET)
    body = _push_body("state-b")
    headers = _signed(token, "POST", "/federation/push", body)
    tampered = body.replace(b"Signed program", b"Forged program")
    refused = app_client.post("/federation/push", content=tampered, headers=headers)
    assert refused.status_code == 403
    assert _programs(session) == 0
    assert session.scalar(select(func.count()).select_from(SyncRun)) == 0
    accepted = app_client.post("/federation/push", content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["created"] == 1
    assert _programs(session) == 1


def test_a_partner_token_writes_only_its_own_center(
    session: Session, app_client: TestClient
) -> None:
    token_b = _partner(session, "state-b")
    _partner(session, "state-c")
    auth = {"Authorization": f"Bearer {token_b}"}
    answer = app_client.post("/federation/push", content=_push_body("state-c"), headers=auth)
    assert answer.status_code == 200
    assert (answer.json()["created"], answer.json()["rejected"]) == (0, 1)
    assert "may not write records of state-c" in answer.json()["rejections"][0]["reason"]
    assert _programs(session) == 0


def test_the_signature_covers_every_part_of_the_request() -> None:
    base = ("secret", "1700000000", "n" * 32, "POST", "/federation/push", b"{}")
    reference = signature(*base)
    for i, other in enumerate(("other", "1700000001", "m" * 32, "GET", "/federation/x", b"[]")):
        changed = list(base)
        changed[i] = other
        assert signature(*changed) != reference  # type: ignore[arg-type]
