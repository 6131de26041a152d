"""The public CAP feed: public alerts that went out, newest first, each with valid CAP XML."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from hub.alerts.feed import FEED_SIZE, atom_feed, cap_router
from hub.app import create_app
from tests.alerts.cap_fixtures import SENT, alert, county_district, find, problems, saved_alert

ATOM = {"a": "http://www.w3.org/2005/Atom"}
BASE = "https://hub.example.org/"


def entries(xml: bytes) -> list[dict[str, str]]:
    root = fromstring(xml)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    out = []
    for entry in root.findall("a:entry", ATOM):
        fields = {child.tag.split("}")[1]: child.text or "" for child in entry}
        link = entry.find("a:link", ATOM)
        assert link is not None
        assert (link.get("rel"), link.get("type")) == ("alternate", "application/cap+xml")
        fields["link"] = link.get("href") or ""
        out.append(fields)
    return out


def test_atom_feed() -> None:
    storm = alert(
        identifier="state-20261203-aaa",
        headline="Gas leak <Main & 5th>",
        description="Stay inside & close windows",
        updated_at=SENT + timedelta(minutes=5),
    )
    drill = alert(identifier="state-20261203-bbb", status="Exercise", description="")
    xml = atom_feed([storm, drill], BASE)
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = fromstring(xml)
    assert [e.text for e in root.findall("a:id", ATOM)] == [f"{BASE}cap/feed.xml"]
    assert [e.text for e in root.findall("a:updated", ATOM)] == ["2026-12-03T14:10:00Z"]
    assert root.findall("a:author/a:name", ATOM)
    first, second = entries(xml)
    assert first == {
        "id": "urn:cap:state-20261203-aaa",
        "title": "Gas leak <Main & 5th>",
        "updated": "2026-12-03T14:10:00Z",
        "published": "2026-12-03T14:05:00Z",
        "summary": "Stay inside & close windows",
        "link": "https://hub.example.org/cap/state-20261203-aaa.xml",
    }
    assert second["title"].startswith("EXERCISE — NOT A REAL EVENT: ")
    assert "summary" not in second


def test_an_empty_feed_is_still_a_feed() -> None:
    root = fromstring(atom_feed([], BASE))
    assert root.findall("a:updated", ATOM)
    assert root.findall("a:entry", ATOM) == []


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The app with the CAP routes, every request inside the test's transaction."""

    @contextmanager
    def provide(write: bool) -> Iterator[Session]:
        with session.begin_nested():
            yield session

    app = create_app(session_provider=provide)
    app.include_router(cap_router(provide))
    with TestClient(app) as test_client:
        yield test_client


def test_the_feed_lists_public_alerts_that_went_out_newest_first(
    session: Session, client: TestClient
) -> None:
    shown = [
        saved_alert(session, state=state, sent_at=SENT + timedelta(minutes=i))
        for i, state in enumerate(("dispatched", "updated", "cancelled", "expired"))
    ]
    saved_alert(session, scope="Restricted")
    saved_alert(session, scope="Private")
    for state in ("draft", "pending_approval", "approved", "standby", "dispatching"):
        saved_alert(session, state=state, sent_at=None)
    response = client.get("/cap/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    found = [e["id"] for e in entries(response.content)]
    assert found == [f"urn:cap:{a.identifier}" for a in reversed(shown)]


def test_the_feed_holds_the_newest_fifty(session: Session, client: TestClient) -> None:
    made = [saved_alert(session, sent_at=SENT + timedelta(seconds=i)) for i in range(52)]
    found = entries(client.get("/cap/feed.xml").content)
    assert len(found) == FEED_SIZE
    assert found[-1]["id"] == f"urn:cap:{made[2].identifier}"


def test_a_public_alerts_cap_xml(session: Session, client: TestClient) -> None:
    county_district(session, "24005", "Baltimore County")
    original = saved_alert(session, state="cancelled")
    cancel = saved_alert(session, msg_type="Cancel", references_id=original.id)
    link = entries(client.get("/cap/feed.xml").content)[0]["link"]
    assert link.endswith(f"/cap/{cancel.identifier}.xml")
    response = client.get(f"/cap/{cancel.identifier}.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/cap+xml"
    assert problems(response.content) == []
    root = fromstring(response.content)
    assert find(root, "cap:identifier") == [cancel.identifier]
    assert find(root, "cap:references")[0].split(",")[1] == original.identifier
    assert find(root, "cap:info/cap:area/cap:areaDesc") == ["Baltimore County"]


@pytest.mark.parametrize(
    "kw",
    [{"scope": "Restricted"}, {"state": "draft", "sent_at": None}],
    ids=["restricted", "draft"],
)
def test_other_alerts_are_not_found(
    session: Session, client: TestClient, kw: dict[str, object]
) -> None:
    hidden = saved_alert(session, **kw)
    for identifier in (hidden.identifier, "no-such-alert"):
        response = client.get(f"/cap/{identifier}.xml")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
