"""Rendering: every channel of an Exercise or Test says so first; HTML is escaped; an SMS is cut
in its instruction, never in its acknowledgement link."""

import json

import pytest

from hub.alerts.models import Alert
from hub.alerts.render import SMS_LIMIT, Recipient, render
from hub.db import utcnow

WHO = Recipient(contact_id=7, name="Pat <Principal>", district="Cedarvale", district_nces="9901996")


def _alert(**kw: object) -> Alert:
    values: dict[str, object] = {
        "id": 1,
        "identifier": "state-20261203-abc",
        "sender": "state@127.0.0.1",
        "status": "Actual",
        "msg_type": "Alert",
        "category": "weather",
        "event": "Tornado",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Observed",
        "response": "shelter",
        "headline": "Tornado warning <now>",
        "description": "A tornado was seen near Route 9 & Main.",
        "instruction": "Move to interior rooms.",
        "expires": None,
        "created_at": utcnow(),
    }
    values.update(kw)
    return Alert(**values)


@pytest.mark.parametrize(("status", "notice"), [("Exercise", "EXERCISE"), ("Test", "TEST")])
def test_every_channel_says_it_is_not_real(status: str, notice: str) -> None:
    alert = _alert(status=status)
    banner = f"{notice} — NOT A REAL EVENT"
    email = render(alert, "email", WHO)
    assert email.subject.startswith(banner)
    assert email.text.startswith(banner)
    assert email.html is not None
    assert banner in email.html
    assert render(alert, "sms", WHO).text.startswith(banner)
    hook = render(alert, "webhook", WHO)
    assert hook.data["notice"] == banner
    assert hook.data["status"] == status


def test_an_actual_alert_carries_no_notice_and_html_is_escaped() -> None:
    alert = _alert()
    email = render(alert, "email", WHO)
    assert "NOT A REAL EVENT" not in email.text + (email.html or "")
    assert email.subject == "ALERT: Tornado warning <now>"
    assert "Tornado warning &lt;now&gt;" in (email.html or "")
    assert "Pat &lt;Principal&gt;" in (email.html or "")
    assert "Route 9 &amp; Main" in (email.html or "")
    hook = render(alert, "webhook", WHO)
    assert json.loads(hook.text)["headline"] == "Tornado warning <now>"
    assert (hook.data["notice"], hook.data["response"], hook.data["district"]) == (
        None,
        "shelter",
        "9901996",
    )


def test_a_long_sms_is_cut_in_its_instruction_and_keeps_the_link() -> None:
    sms = render(_alert(instruction="Stay inside. " * 300), "sms", WHO).text
    assert len(sms) <= SMS_LIMIT
    assert "…" in sms
    assert "/ack/" in sms.rsplit("Confirm: ", 1)[1]
