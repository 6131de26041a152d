"""The alert pages: compose with previews and field errors, the approval queue and its
confirmation step, the alert page with its live figures, cancel and All Clear, and who may see
what. No broker: approval writes deliveries and outbox rows, nothing is sent."""

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hub.alerts import targeting
from hub.alerts.ack import AckClaim, acknowledge
from hub.alerts.models import Alert, Delivery
from tests import factories
from tests.web.conftest import Console, csrf_of


def _fields(console: Console, **changes: Any) -> dict[str, Any]:
    values = factories.tornado_warning(
        description="A tornado was sighted west of town.",
        districts=[console.district.nces_id],
        action="submit",
    )
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def _compose(client: TestClient, console: Console, **changes: Any) -> Any:
    form = client.get("/alerts/new")
    assert form.status_code == 200, form.text
    data = _fields(console, **changes) | {"csrf": csrf_of(form.text)}
    return client.post("/alerts/new", data=data, follow_redirects=False)


def _alerts(console: Console) -> list[Alert]:
    console.session.expire_all()
    return list(console.session.scalars(select(Alert).order_by(Alert.id)))


def _submitted(console: Console, **changes: Any) -> Alert:
    """An alert the author composed and submitted."""
    answer = _compose(console.signed_in("author"), console, **changes)
    assert answer.status_code == 303, answer.text
    alert_id = int(answer.headers["location"].rsplit("/", 1)[1])
    alert = console.session.get(Alert, alert_id, populate_existing=True)
    assert alert is not None
    return alert


def _reach(console: Console, alert: Alert) -> int:
    return targeting.count(console.session, alert.targets, alert.channels)["contacts"]


def _approve(client: TestClient, alert: Alert, **data: str) -> Any:
    page = client.get(f"/alerts/{alert.id}/approve")
    return client.post(
        f"/alerts/{alert.id}/approve",
        data={"csrf": csrf_of(page.text), **data},
        follow_redirects=False,
    )


def _approved(console: Console, **changes: Any) -> tuple[Alert, TestClient]:
    alert = _submitted(console, **changes)
    approver = console.signed_in("approver")
    answer = _approve(approver, alert, confirm="yes", expected=str(_reach(console, alert)))
    assert answer.status_code == 303, answer.text
    return alert, approver


def _text(page: str) -> str:
    """The page's text with tags dropped and whitespace folded, for reading sentences."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_compose_form_defaults_to_exercise_and_lists_the_directory(console: Console) -> None:
    page = console.signed_in("author").get("/alerts/new")
    assert page.status_code == 200
    body = page.text
    assert re.search(r'id="status-Exercise" checked', body)
    assert 'id="status-Actual" checked' not in body
    assert "ACTUAL — real emergency" in body
    assert "status-choice-actual" in body
    for srp in ("Hold", "Secure", "Lockdown", "Evacuate", "Shelter"):
        assert f'id="response-{srp.lower()}"' in body
        assert f">{srp}</label>" in body
    assert re.search(r"<option selected>Immediate</option>", body)
    assert re.search(r"<option selected>Severe</option>", body)
    assert re.search(r"<option selected>Observed</option>", body)
    assert 'maxlength="160"' in body
    assert "At most 160 characters" in body
    assert f"(NCES {console.district.nces_id})" in body
    assert 'value="weather"' in body
    assert 'id="roles-superintendent"' in body
    assert 'id="regions-' in body
    assert re.search(r'<option value="\d{5}">[^<]+\(\d{5}\)</option>', body)


def test_an_invalid_field_is_shown_next_to_it_and_nothing_is_created(console: Console) -> None:
    client = console.signed_in("author")
    answer = _compose(
        client, console, headline="x" * 161, districts=None, event="Kept event", category=""
    )
    assert answer.status_code == 422
    body = answer.text
    error = re.search(r'<p class="field-error" id="headline-error">([^<]+)</p>', body)
    assert error
    assert "160 characters" in error.group(1)
    assert re.search(r'id="headline"[^>]*aria-describedby="headline-hint headline-error"', body)
    assert 'aria-invalid="true"' in body
    assert '<p class="field-error" id="category-error">Choose a category</p>' in body
    assert 'id="targets-error"' in body
    assert "an alert needs a target" in body
    assert 'value="Kept event"' in body  # what was typed stays
    assert 'id="status-Actual" checked' in body
    assert 'href="#headline"' in body  # the summary links to the field
    assert _alerts(console) == []


def test_preview_saves_a_draft_and_shows_each_channel_with_the_counts(console: Console) -> None:
    client = console.signed_in("author")
    answer = _compose(client, console, status="Exercise", action="preview")
    assert answer.status_code == 200, answer.text
    [draft] = _alerts(console)
    assert (draft.state, draft.status, draft.author) == ("draft", "Exercise", "author")
    counts = targeting.count(console.session, draft.targets, draft.channels)
    body = answer.text
    assert f'data-recipients="{counts["contacts"]}"' in body
    assert f"{counts['email']} messages by email" in _text(body)
    assert 'id="preview-email"' in body
    assert 'id="preview-sms"' in body
    assert "EXERCISE — NOT A REAL EVENT" in body
    assert "<iframe" in body
    assert "sandbox" in body
    assert f'name="alert_id" value="{draft.id}"' in body
    # Previewing again changes the same draft.
    data = _fields(console, status="Exercise", action="preview", headline="Changed")
    again = client.post(
        "/alerts/new", data=data | {"csrf": csrf_of(body), "alert_id": str(draft.id)}
    )
    assert again.status_code == 200, again.text
    [same] = _alerts(console)
    assert (same.id, same.headline) == (draft.id, "Changed")


def test_an_actual_alert_from_its_author_is_submitted_for_approval(console: Console) -> None:
    alert = _submitted(console)
    assert (alert.state, alert.status, alert.author) == ("pending_approval", "Actual", "author")
    page = console.signed_in("author").get(f"/alerts/{alert.id}")
    assert page.status_code == 200
    assert "status-actual" in page.text
    assert f"ACTUAL — REAL ALERT, will reach {_reach(console, alert)} recipients" in _text(
        page.text
    )
    assert 'id="alert-state" data-state="pending_approval"' in page.text
    assert 'id="approve-' not in page.text  # an author has no approve button


def test_a_submit_the_service_refuses_comes_back_to_the_form(console: Console) -> None:
    client = console.signed_in("author")
    answer = _compose(client, console, channels=["webhook"])  # nobody here takes webhooks
    assert answer.status_code == 422
    assert re.search(r'id="targets-error">[^<]*nobody would receive it', answer.text)
    assert _alerts(console) == []


def test_the_queue_shows_actual_and_exercise_differently(console: Console) -> None:
    actual = _submitted(console)
    drill = _submitted(console, status="Exercise", headline="Tornado drill")
    page = console.signed_in("approver").get("/alerts/queue")
    assert page.status_code == 200
    body = page.text
    n = _reach(console, actual)
    banner = re.search(rf'class="status status-actual" id="status-banner-{actual.id}"', body)
    assert banner
    text = _text(body)
    assert f"ACTUAL — REAL ALERT, will reach {n} recipients" in text
    assert re.search(rf'class="status status-exercise" id="status-banner-{drill.id}"', body)
    assert "EXERCISE — NOT A REAL EVENT" in text
    assert f"Send ACTUAL alert to {n} recipients" in text
    assert f"Send EXERCISE alert to {_reach(console, drill)} recipients" in text
    assert f'id="approve-dialog-{actual.id}"' in body
    assert f'href="/alerts/{actual.id}/approve"' in body
    assert f'id="reason-{actual.id}"' in body


def test_approving_as_the_author_is_refused(console: Console) -> None:
    alert = _submitted(console)
    author = console.signed_in("author")
    answer = _approve(author, alert, confirm="yes", expected=str(_reach(console, alert)))
    assert answer.status_code == 403
    assert 'id="approve-error"' in answer.text
    assert "may not approve" in answer.text
    assert 'aria-label="Main"' in answer.text  # a page of the console, not a bare error
    assert _alerts(console)[0].state == "pending_approval"


def test_an_admin_may_not_approve_their_own_alert(console: Console) -> None:
    answer = _compose(console.signed_in("admin"), console)
    assert answer.status_code == 303
    [alert] = _alerts(console)
    refused = _approve(console.signed_in("admin"), alert, confirm="yes", expected="0")
    assert refused.status_code == 409  # the count is checked first …
    refused = _approve(
        console.signed_in("admin"), alert, confirm="yes", expected=str(_reach(console, alert))
    )
    assert refused.status_code == 403  # … then the two-person rule
    assert "two-person rule" in refused.text
    assert console.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_approving_needs_the_confirmation_then_sends(console: Console) -> None:
    alert = _submitted(console)
    n = _reach(console, alert)
    approver = console.signed_in("approver")
    page = approver.get(f"/alerts/{alert.id}/approve")
    assert page.status_code == 200
    label = f'<label for="approve-confirm-{alert.id}">Send ACTUAL alert to {n} recipients'
    assert label in page.text
    unconfirmed = _approve(approver, alert, expected=str(n))
    assert unconfirmed.status_code == 422
    assert "Tick" in unconfirmed.text
    assert _alerts(console)[0].state == "pending_approval"
    stale = _approve(approver, alert, confirm="yes", expected=str(n + 5))
    assert stale.status_code == 409
    assert _alerts(console)[0].state == "pending_approval"
    done = _approve(approver, alert, confirm="yes", expected=str(n))
    assert done.status_code == 303
    assert done.headers["location"] == f"/alerts/{alert.id}"
    sent = _alerts(console)[0]
    assert (sent.state, sent.approver) == ("dispatching", "approver")
    deliveries = console.session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.alert_id == alert.id)
    )
    assert deliveries
    view = approver.get(f"/alerts/{alert.id}")
    assert 'id="progress"' in view.text
    assert 'data-live="true"' in view.text
    email = targeting.count(console.session, alert.targets, ["email"])["email"]
    assert f'id="figure-email-queued">{email}<' in view.text
    assert "0 of 1 districts acknowledged" in view.text
    assert 'id="refresh-progress"' in view.text


def test_reject_asks_for_a_reason_and_the_author_can_rework_it(console: Console) -> None:
    alert = _submitted(console)
    approver = console.signed_in("approver")
    page = approver.get(f"/alerts/{alert.id}")
    empty = approver.post(
        f"/alerts/{alert.id}/reject", data={"csrf": csrf_of(page.text), "reason": "  "}
    )
    assert empty.status_code == 422
    assert f'id="reason-{alert.id}-error"' in empty.text
    done = approver.post(
        f"/alerts/{alert.id}/reject",
        data={"csrf": csrf_of(page.text), "reason": "Wrong district"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _alerts(console)[0].state == "rejected"
    author = console.signed_in("author")
    view = author.get(f"/alerts/{alert.id}")
    assert "Wrong district" in view.text
    assert f'href="/alerts/{alert.id}/edit"' in view.text
    form = author.get(f"/alerts/{alert.id}/edit")
    assert form.status_code == 200
    assert f'name="alert_id" value="{alert.id}"' in form.text
    assert 'value="Tornado warning: shelter in place"' in form.text
    resubmit = author.post(
        "/alerts/new",
        data=_fields(console) | {"csrf": csrf_of(form.text), "alert_id": str(alert.id)},
        follow_redirects=False,
    )
    assert resubmit.status_code == 303
    [again] = _alerts(console)
    assert again.state == "pending_approval"


def test_send_all_clear_and_cancel_in_one_click(console: Console) -> None:
    first, approver = _approved(console)
    page = approver.get(f"/alerts/{first.id}")
    assert 'id="send-all-clear"' in page.text
    assert 'id="cancel-alert"' in page.text
    answer = approver.post(
        f"/alerts/{first.id}/all-clear", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    states = {a.msg_type: a.state for a in _alerts(console)}
    assert states == {"Alert": "updated", "Update": "dispatching", "Cancel": "cancelled"}
    after = approver.get(f"/alerts/{first.id}")
    assert 'id="send-all-clear"' not in after.text
    assert "ALL CLEAR: Tornado warning" in after.text

    second, _ = _approved(console, headline="Second warning")
    page = approver.get(f"/alerts/{second.id}")
    answer = approver.post(
        f"/alerts/{second.id}/cancel", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    console.session.refresh(second)
    assert second.state == "cancelled"
    again = approver.post(f"/alerts/{second.id}/all-clear", data={"csrf": csrf_of(page.text)})
    assert again.status_code == 409
    assert 'id="action-error"' in again.text


def test_an_author_withdraws_a_pending_alert(console: Console) -> None:
    alert = _submitted(console)
    author = console.signed_in("author")
    page = author.get(f"/alerts/{alert.id}")
    assert 'id="cancel-alert"' in page.text
    answer = author.post(
        f"/alerts/{alert.id}/cancel", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert _alerts(console)[0].state == "cancelled"


def test_a_sent_exercise_looks_different_and_has_no_cancel(console: Console) -> None:
    drill, approver = _approved(console, status="Exercise", headline="Tornado drill")
    page = approver.get(f"/alerts/{drill.id}")
    assert 'class="status status-exercise" id="status-banner"' in page.text
    assert "EXERCISE — NOT A REAL EVENT" in page.text
    assert "ACTUAL — REAL ALERT" not in page.text
    assert 'id="send-all-clear"' not in page.text  # drills get no prepared follow-ups


def test_the_progress_endpoint_returns_the_figures(console: Console) -> None:
    alert, approver = _approved(console)
    first = approver.get(f"/alerts/{alert.id}/progress")
    assert first.status_code == 200
    data = first.json()
    email = targeting.count(console.session, alert.targets, ["email"])["email"]
    assert data["channels"]["email"] == {
        "queued": email,
        "sending": 0,
        "sent": 0,
        "failed": 0,
        "total": email,
    }
    assert data["live"] is True
    assert data["acknowledgements"]["districts_reached"] == 1
    assert data["districts"]["waiting"] == [console.district.name]

    delivery = console.session.scalars(
        select(Delivery).where(Delivery.alert_id == alert.id, Delivery.channel == "email")
    ).first()
    assert delivery is not None
    delivery.status = "sent"
    acknowledge(console.session, AckClaim(alert_id=alert.id, contact_id=delivery.contact_id))
    console.session.flush()
    data = approver.get(f"/alerts/{alert.id}/progress").json()
    assert (data["channels"]["email"]["sent"], data["channels"]["email"]["queued"]) == (
        1,
        email - 1,
    )
    assert data["totals"]["sent"] == 1
    assert data["acknowledgements"]["summary"].startswith("1 of 1 districts acknowledged")
    assert data["districts"] == {"acknowledged": [console.district.name], "waiting": []}


def test_the_list_shows_status_state_and_delivery_figures(console: Console) -> None:
    sent, approver = _approved(console)
    drill = _submitted(console, status="Exercise", headline="Tornado drill")
    page = approver.get("/alerts")
    assert page.status_code == 200
    body = page.text
    assert f'id="alert-row-{sent.id}" class="row-actual"' in body
    assert f'id="alert-row-{drill.id}" class="row-exercise"' in body
    assert '<span class="pill pill-actual">ACTUAL</span>' in body
    assert '<span class="pill pill-exercise">EXERCISE</span>' in body
    assert "0 sent, 0 failed" in body
    assert "0 of 1 districts acknowledged" in body
    standby = [a.id for a in _alerts(console) if a.state == "standby"]
    assert len(standby) == 2  # the prepared Cancel and All Clear: listed only when asked for
    assert not any(f'id="alert-row-{i}"' in body for i in standby)
    prepared = approver.get("/alerts?state=standby").text
    assert all(f'id="alert-row-{i}"' in prepared for i in standby)
    only = approver.get("/alerts?status=Exercise")
    assert f'id="alert-row-{sent.id}"' not in only.text
    assert f'id="alert-row-{drill.id}"' in only.text


@pytest.mark.parametrize("username", ["viewer", "district"])
def test_non_staff_are_refused_every_alert_page(console: Console, username: str) -> None:
    alert = _submitted(console)
    client = console.signed_in(username)
    for path in (
        "/alerts",
        "/alerts/new",
        "/alerts/queue",
        f"/alerts/{alert.id}",
        f"/alerts/{alert.id}/progress",
        f"/alerts/{alert.id}/approve",
        f"/alerts/{alert.id}/edit",
    ):
        assert client.get(path).status_code == 403, path


def test_each_role_gets_only_its_own_pages(console: Console) -> None:
    assert console.signed_in("author").get("/alerts/queue").status_code == 403
    assert console.signed_in("approver").get("/alerts/new").status_code == 403
    assert console.signed_in("approver").get("/alerts").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(console: Console) -> None:
    client = console.browser()
    for path in ("/alerts", "/alerts/new", "/alerts/queue", "/alerts/1", "/alerts/1/progress"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2Falerts")


def test_posts_without_the_csrf_token_are_refused(console: Console) -> None:
    alert = _submitted(console)
    author = console.signed_in("author")
    approver = console.signed_in("approver")
    assert author.post("/alerts/new", data=_fields(console)).status_code == 403
    for path in ("approve", "reject", "cancel", "all-clear"):
        answer = approver.post(
            f"/alerts/{alert.id}/{path}", data={"confirm": "yes", "reason": "x", "csrf": "forged"}
        )
        assert answer.status_code == 403, path
        assert "came from elsewhere" in answer.text
    assert len(_alerts(console)) == 1
    assert _alerts(console)[0].state == "pending_approval"
    forged = author.post("/alerts/new", data=_fields(console) | {"csrf": "forged"})
    assert forged.status_code == 403
    assert len(_alerts(console)) == 1
