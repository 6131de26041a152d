"""Acknowledgement links: the page from a signed link, idempotent confirmation, refusal of
altered and expired links, and the roll-up by district."""

from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.alerts import ack
from hub.alerts.models import Acknowledgement, Delivery
from hub.alerts.reads import ack_rollups
from hub.app import create_app
from hub.db import utcnow
from hub.settings import get_settings
from tests.alerts.sending import approved_alert


@pytest.fixture
def client(live_engine: Engine) -> TestClient:
    return TestClient(create_app(engine=live_engine))


def _path(alert_id: int, contact_id: int) -> str:
    return f"/ack/{ack.token(alert_id, contact_id)}"


def _recipients(engine: Engine, alert_id: int) -> list[tuple[int, int]]:
    with Session(engine) as s:
        query = select(Delivery.contact_id, Delivery.district_id).where(
            Delivery.alert_id == alert_id
        )
        return [(c, d or 0) for c, d in s.execute(query.order_by(Delivery.id))]


def test_the_link_shows_the_alert_and_a_post_records_it_once(
    live_engine: Engine, client: TestClient
) -> None:
    sent = approved_alert(live_engine, districts=3, contacts=2, status="Exercise")
    contact_id, _ = _recipients(live_engine, sent.alert_id)[0]
    page = client.get(_path(sent.alert_id, contact_id))
    assert page.status_code == 200
    assert "EXERCISE — NOT A REAL EVENT" in page.text
    assert '<form method="post">' in page.text
    for _ in range(2):
        done = client.post(_path(sent.alert_id, contact_id))
        assert done.status_code == 200
        assert "your acknowledgement was recorded" in done.text
    with Session(live_engine) as s:
        count = s.scalar(select(func.count()).where(Acknowledgement.alert_id == sent.alert_id))
        assert count == 1
        rollup = ack_rollups(s, [sent.alert_id])[sent.alert_id]
    assert rollup.summary == "1 of 3 districts acknowledged"
    assert rollup.contacts_acknowledged == 1
    # Seen again, the page says it is done and offers no second button.
    assert "<form" not in client.get(_path(sent.alert_id, contact_id)).text


def test_altered_and_expired_links_are_refused(live_engine: Engine, client: TestClient) -> None:
    sent = approved_alert(live_engine, districts=1, contacts=1)
    contact_id, _ = _recipients(live_engine, sent.alert_id)[0]
    good = ack.token(sent.alert_id, contact_id)
    forged = jwt.encode(
        {"a": sent.alert_id, "c": contact_id, "aud": ack.AUDIENCE},
        "not-our-key-but-long-enough-for-hs256",
        "HS256",
    )
    old = jwt.encode(
        {
            "a": sent.alert_id,
            "c": contact_id,
            "aud": ack.AUDIENCE,
            "exp": utcnow() - timedelta(minutes=1),
        },
        get_settings().secret_key.get_secret_value(),
        "HS256",
    )
    for token, words in [
        (good[:-3] + "abc", "not valid"),
        (forged, "not valid"),
        (old, "has expired"),
    ]:
        answer = client.post(f"/ack/{token}")
        assert answer.status_code == 400
        assert words in answer.text
    with Session(live_engine) as s:
        assert s.scalar(select(func.count()).where(Acknowledgement.alert_id == sent.alert_id)) == 0
