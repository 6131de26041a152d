"""Three hubs on 127.0.0.1 (national, state A, state B), each its own process and database:
random creates, updates and deletes on each, an outage of B in the middle, a second round, and
every hub holds the same records with the same versions. A partner that sends records claiming
another origin, invalid payloads or a mass deletion gets them rejected and recorded, and local
data stays as it was.

Agreements: A and B pull each other (signed requests); A pushes to national and pulls from it,
national relaying B's records to A; B and national pull each other, national relaying A's.
Districts go up to national only. A district user's practice goes up (and is relayed across)
only once the state has approved it.
"""

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.db import session_scope
from hub.directory.models import District
from tests.federation.hubs import Hub, hubs

SHARED = ["program", "practice"]
UP = ["program", "practice", "district"]
TOPICS = ["threat-assessment", "mental-health", "anonymous-reporting", "stop-the-bleed"]
SIGNING = "a-and-b-share-this-signing-secret"
CREATE_PROGRAM = """mutation($input: ProgramInput!) { createProgram(input: $input) {
  __typename ... on Program { id } ... on InputError { message } } }"""
UPDATE_PROGRAM = """mutation($id: Int!, $input: ProgramInput!) {
  updateProgram(id: $id, input: $input)
  { __typename } }"""
RETIRE_PROGRAM = "mutation($id: Int!) { retireProgram(id: $id) { __typename } }"
CREATE_PRACTICE = """mutation($input: PracticeInput!) { createPractice(input: $input) {
  __typename ... on Practice { id } } }"""
SUBMIT_PRACTICE = """mutation($input: PracticeInput!) { submitPractice(input: $input) {
  __typename ... on Practice { id originCenter originId status } } }"""
REVIEW_PRACTICE = """mutation($id: Int!, $status: PracticeStatus!) {
  reviewPractice(id: $id, status: $status) {
  __typename ... on Practice { status } ... on PermissionError { message } } }"""
PRACTICES_FROM = """query($origin: String!) { practices(filter: {origin: $origin}, first: 100) {
  edges { node { originCenter originId title status provenance { version } } } } }"""
FEED = """query($since: String) { changes(since: $since, first: 1000) {
  changes { type originCenter originId version deleted } cursor hasMore } }"""


def _connect(
    here: Hub, there: Hub, here_terms: dict[str, Any], there_terms: dict[str, Any], **kw: Any
) -> None:
    """Both halves of an agreement, and each side stores the token the other issued it."""
    token_for_there = here.add_partner(there, **here_terms)
    token_for_here = there.add_partner(here, **there_terms)
    here.store_token(there, token_for_here, **kw)
    there.store_token(here, token_for_there, **kw)


@pytest.fixture
def network(db_url: str, tmp_path: Path) -> Iterator[dict[str, Hub]]:
    specs = (("national", "US"), ("state-a", "WY"), ("state-b", "MT"))
    with hubs(db_url, tmp_path, *specs) as found:
        national, a, b = found["national"], found["state-a"], found["state-b"]
        _connect(
            a,
            national,
            {"direction": "both", "sends": UP, "receives": SHARED, "relaysFor": ["state-b"]},
            {"direction": "pull", "sends": SHARED, "receives": UP, "relaysFor": ["state-b"]},
        )
        _connect(
            b,
            national,
            {"direction": "pull", "sends": UP, "receives": SHARED, "relaysFor": ["state-a"]},
            {"direction": "pull", "sends": SHARED, "receives": UP, "relaysFor": ["state-a"]},
        )
        _connect(
            a,
            b,
            {"direction": "pull", "sends": SHARED, "receives": SHARED},
            {"direction": "pull", "sends": SHARED, "receives": SHARED},
            signing_secret=SIGNING,
        )
        yield found


class Workload:
    """Random catalog changes on one hub, through its GraphQL API."""

    def __init__(self, hub: Hub, rng: random.Random) -> None:
        self.hub, self.rng = hub, rng
        self.live: list[int] = []

    def _program(self, n: int) -> dict[str, Any]:
        return {
            "title": f"{self.hub.slug} program {n}",
            "topics": self.rng.sample(TOPICS, 2),
            "provider": f"{self.hub.slug} university",
            "free": self.rng.random() < 0.5,
            "ratings": [{"tier": self.rng.choice(["tier-1", "tier-2"]), "source": "Review"}],
            "availability": {"states": [self.hub.state]},
        }

    def round(self, *, creates: int, updates: int, deletes: int) -> None:
        for _ in range(creates):
            n = self.rng.randrange(10**6)
            made = self.hub.gql(CREATE_PROGRAM, input=self._program(n))["createProgram"]
            assert made["__typename"] == "Program", made
            self.live.append(int(made["id"]))
        for program_id in self.rng.sample(self.live, updates):
            answer = self.hub.gql(UPDATE_PROGRAM, id=program_id, input=self._program(program_id))
            assert answer["updateProgram"]["__typename"] == "Program"
        for program_id in self.rng.sample(self.live, deletes):
            assert self.hub.gql(RETIRE_PROGRAM, id=program_id)["retireProgram"]["__typename"] == (
                "Program"
            )
            self.live.remove(program_id)
        practice = {
            "title": f"{self.hub.slug} practice {self.rng.randrange(10**6)}",
            "topics": [self.rng.choice(TOPICS)],
            "body": "Steps.",
            "status": "PUBLISHED",
        }
        assert self.hub.gql(CREATE_PRACTICE, input=practice)["createPractice"]["__typename"] == (
            "Practice"
        )


def _districts(hub: Hub, count: int) -> None:
    """NCES districts of the hub's state, loaded there (as an NCES import would)."""
    assert hub.engine is not None
    base = {"WY": 5600000, "MT": 3000000}[hub.state]
    with session_scope(hub.engine) as session:
        for n in range(count):
            session.add(
                District(
                    nces_id=f"{base + n + 1:07d}",
                    name=f"{hub.state} district {n}",
                    state=hub.state,
                    origin_center=hub.slug,
                )
            )


def _holdings(hub: Hub) -> dict[tuple[str, str, str], tuple[int, bool]]:
    """Every record the hub holds, read through its own change feed as a state admin."""
    held: dict[tuple[str, str, str], tuple[int, bool]] = {}
    since = None
    while True:
        page = hub.gql(FEED, since=since)["changes"]
        for c in page["changes"]:
            held[(c["type"], c["originCenter"], c["originId"])] = (c["version"], c["deleted"])
        since = page["cursor"]
        if not page["hasMore"]:
            return held


def _live(hub: Hub, types: tuple[str, ...] = ("program", "practice")) -> dict[Any, int]:
    return {k: v for k, (v, deleted) in _holdings(hub).items() if k[0] in types and not deleted}


SYNCS = (
    ("state-a", "national", "push"),
    ("national", "state-b", "pull"),
    ("state-a", "state-b", "pull"),
    ("state-b", "state-a", "pull"),
    ("state-a", "national", "pull"),
    ("state-b", "national", "pull"),
)


def _sync_all(net: dict[str, Hub], down: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    runs = []
    for here, there, way in SYNCS:
        if here in down:
            continue
        run = net[here].sync(there, way)
        run["pair"] = (here, there, way)
        runs.append(run)
    return runs


def test_three_hubs_converge_through_an_outage(network: dict[str, Hub]) -> None:
    national, a, b = network["national"], network["state-a"], network["state-b"]
    rng = random.Random(20261204)
    loads = {slug: Workload(hub, rng) for slug, hub in network.items()}
    _districts(a, 3)
    _districts(b, 2)

    for load in loads.values():
        load.round(creates=8, updates=0, deletes=0)
    for _ in range(2):
        runs = _sync_all(network)
        assert all(r["status"] == "succeeded" for r in runs), runs
        assert all(r["rejected"] == 0 for r in runs), runs

    for load in loads.values():
        load.round(creates=4, updates=3, deletes=1)
    # B goes down in the middle of the second round: its partners' runs fail, the rest go on.
    b.stop()
    runs = _sync_all(network, down=frozenset({"state-b"}))
    by_pair = {r["pair"]: r for r in runs}
    assert by_pair[("state-a", "state-b", "pull")]["status"] == "failed"
    assert by_pair[("national", "state-b", "pull")]["status"] == "failed"
    assert "127.0.0.1" in by_pair[("state-a", "state-b", "pull")]["error"]
    assert by_pair[("state-a", "national", "push")]["status"] == "succeeded"
    assert by_pair[("state-a", "national", "pull")]["status"] == "succeeded"
    assert a.partner("state-b")["failures"] == 1
    b.start()
    for load in loads.values():
        load.round(creates=2, updates=2, deletes=1)
    for _ in range(3):
        runs = _sync_all(network)
        assert all(r["status"] == "succeeded" for r in runs), runs
    assert a.partner("state-b")["failures"] == 0

    expected = _live(national)
    assert len(expected) == 3 * (8 + 4 + 2 - 2 + 3)  # programs left and practices, every origin
    assert _live(a) == expected
    assert _live(b) == expected
    assert {k[1] for k in expected} == {"national", "state-a", "state-b"}
    assert max(expected.values()) >= 2  # updates travelled as new versions
    districts = {k[1] for k in _live(national, ("district",))}
    assert districts == {"state-a", "state-b"}
    assert {k[1] for k in _holdings(a) if k[0] == "district"} == {"state-a"}  # up, not across


def test_bad_partner_input_is_rejected_and_recorded_and_local_data_untouched(
    network: dict[str, Hub],
) -> None:
    national, a = network["national"], network["state-a"]
    Workload(national, random.Random(1)).round(creates=3, updates=0, deletes=0)
    before = _holdings(national)
    # A new token national issues A: push crafted envelopes with it, as a misbehaving A would.
    issued = national.gql(
        'mutation { issuePartnerToken(slug: "state-a") { ... on PartnerToken { token } } }'
    )["issuePartnerToken"]["token"]
    own = next(k for k in before if k[1] == "national")
    envelope = {
        "type": "program",
        "version": 99,
        "updated_at": "2026-12-01T00:00:00+00:00",
        "deleted": False,
        "change_seq": 1,
    }
    good = {"title": "Fine", "topics": ["threat-assessment"]}
    changes = [
        {**envelope, "origin_center": "state-c", "origin_id": "x1", "payload": good},
        {**envelope, "origin_center": "national", "origin_id": own[2], "payload": good},
        {**envelope, "origin_center": "state-a", "origin_id": "x2", "payload": {"title": ""}},
        {**envelope, "origin_center": "state-a", "origin_id": "x3", "payload": good, "type": "x"},
    ]
    answer = httpx.post(
        f"{national.url}/federation/push",
        json={"changes": changes},
        headers={"Authorization": f"Bearer {issued}"},
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert (report["rejected"], report["created"], report["updated"]) == (4, 0, 0)
    reasons = [r["reason"] for r in report["rejections"]]
    assert "may not write records of state-c" in reasons[0]
    assert "written only here" in reasons[1]
    assert reasons[2].startswith("payload")
    assert reasons[3].startswith("type:")
    assert _holdings(national) == before
    runs = national.gql(
        '{ partner(slug: "state-a") { runs { direction status rejected '
        "rejections { originId reason } } } }"
    )["partner"]["runs"]
    assert runs[0]["direction"] == "received"
    assert runs[0]["rejected"] == 4
    assert runs[0]["rejections"][0]["originId"] == "x1"
    unsigned = httpx.get(f"{a.url}/federation/changes", headers={"Authorization": "Bearer nope"})
    assert unsigned.status_code == 403


def test_a_mass_deletion_is_held_back_until_staff_release_it(network: dict[str, Hub]) -> None:
    a, b = network["state-a"], network["state-b"]
    load = Workload(b, random.Random(7))
    load.round(creates=30, updates=0, deletes=0)
    assert a.sync("state-b")["status"] == "succeeded"
    held = _live(a)
    load.round(creates=0, updates=0, deletes=12)
    blocked = a.sync("state-b")
    assert blocked["status"] == "blocked"
    assert "would delete 12 of the 31 records" in blocked["error"]
    assert _live(a) == held
    assert a.partner("state-b")["breakerOpen"] is True
    alerts = a.gql("{ syncAlerts { partner kind message } }")["syncAlerts"]
    assert [(x["partner"], x["kind"]) for x in alerts] == [("state-b", "deletions")]
    released = a.gql('mutation { releaseSyncBreaker(slug: "state-b") { __typename } }')
    assert released["releaseSyncBreaker"]["__typename"] == "Partner"
    applied = a.sync("state-b")
    assert (applied["status"], applied["deleted"]) == ("succeeded", 12)
    assert a.partner("state-b")["breakerOpen"] is False
    assert a.gql("{ syncAlerts { id } }")["syncAlerts"] == []


def _practices_from(hub: Hub, origin: str) -> dict[str, dict[str, Any]]:
    """The practices of one origin the hub holds, by origin id, as its state admin sees them."""
    edges = hub.gql(PRACTICES_FROM, origin=origin)["practices"]["edges"]
    return {e["node"]["originId"]: e["node"] for e in edges}


def test_a_district_practice_goes_up_and_across_only_once_the_state_approves_it(
    network: dict[str, Hub],
) -> None:
    national, a, b = network["national"], network["state-a"], network["state-b"]
    _districts(a, 1)
    district = a.add_user("district", "district_user", district_nces_id="5600001")
    practice = {
        "title": "Reunification drill with the county",
        "topics": ["threat-assessment"],
        "body": "Steps.",
    }
    made = a.gql(SUBMIT_PRACTICE, token=district, input=practice)["submitPractice"]
    assert made["__typename"] == "Practice", made
    assert (made["originCenter"], made["status"]) == ("state-a", "SUBMITTED")
    practice_id, origin_id = int(made["id"]), made["originId"]
    refused = a.gql(REVIEW_PRACTICE, token=district, id=practice_id, status="APPROVED")
    assert refused["reviewPractice"]["__typename"] == "PermissionError"

    # Under review it stays home, whichever way national and A sync.
    assert a.sync("national", "push")["status"] == "succeeded"
    assert national.sync("state-a", "pull")["status"] == "succeeded"
    assert _practices_from(national, "state-a") == {}
    assert origin_id in _practices_from(a, "state-a")

    approved = a.gql(REVIEW_PRACTICE, id=practice_id, status="APPROVED")["reviewPractice"]
    assert approved == {"__typename": "Practice", "status": "APPROVED"}
    assert national.sync("state-a", "pull")["status"] == "succeeded"
    held = _practices_from(national, "state-a")
    assert list(held) == [origin_id]
    assert (held[origin_id]["title"], held[origin_id]["status"]) == (practice["title"], "APPROVED")
    assert held == _practices_from(a, "state-a")  # same version too
    approved_version = held[origin_id]["provenance"]["version"]

    published = a.gql(REVIEW_PRACTICE, id=practice_id, status="PUBLISHED")["reviewPractice"]
    assert published["status"] == "PUBLISHED"
    assert a.sync("national", "push")["status"] == "succeeded"
    here = _practices_from(a, "state-a")[origin_id]
    held = _practices_from(national, "state-a")
    assert held == {origin_id: here}
    assert here["status"] == "PUBLISHED"
    assert here["provenance"]["version"] > approved_version

    # B hears of it from national only (no sync with A here): relayed, with A still its origin.
    assert _practices_from(b, "state-a") == {}
    assert b.sync("national", "pull")["status"] == "succeeded"
    assert _practices_from(b, "state-a") == {origin_id: here}
    assert _practices_from(b, "national") == {}
