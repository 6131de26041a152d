"""The alert operations through the real app: compose, preview, submit, two-person approval,
delivery figures, cancel; refusals that write nothing."""

from typing import Any

import xmlschema
from sqlalchemy import event, func, select

from hub.alerts.cap import schema_path as cap_schema_path
from hub.alerts.models import Alert, Delivery
from tests import factories
from tests.graphql.conftest import Hub

ERRORS = """
    ... on InputError { message field }
    ... on PermissionError { message }
    ... on NotFoundError { message field }
"""
ALERT = """
    ... on Alert {
      id state status msgType headline author approver
      targets { state districts roles }
      references { id }
    }
"""
CREATE = f"""
mutation ($input: AlertInput!) {{ createAlert(input: $input) {{ __typename {ALERT} {ERRORS} }} }}
"""
STEP = """
mutation ($id: Int!) {{ {name}(id: $id) {{ __typename {alert} {errors} }} }}
"""
REJECT = f"""
mutation ($id: Int!, $reason: String!) {{
  rejectAlert(id: $id, reason: $reason) {{ __typename {ALERT} {ERRORS} }}
}}
"""
DETAIL = """
query ($id: Int!) {
  alert(id: $id) {
    state
    preview(channel: "email") { subject text html }
    sms: preview(channel: "sms") { text }
    recipientsCount { contacts email sms webhook }
    deliveryStats { channel status count }
    acknowledgements { districtsAcknowledged districtsReached summary }
  }
}
"""
CAP = "query ($id: Int!) { alert(id: $id) { cap } }"
LIST = """
query ($first: Int) {
  alerts(first: $first, filter: {states: ["dispatching"]}) {
    totalCount
    edges { node { id deliveryStats { count } acknowledgements { summary } } }
  }
}
"""


def _input(hub: Hub, **kw: Any) -> dict[str, Any]:
    return factories.tornado_warning(targets={"districts": [hub.district.nces_id]}) | kw


def _step(hub: Hub, name: str, alert_id: int, as_: str) -> dict[str, Any]:
    query = STEP.format(name=name, alert=ALERT, errors=ERRORS)
    result: dict[str, Any] = hub.data(query, {"id": alert_id}, as_=as_)[name]
    return result


def _create(hub: Hub, as_: str = "author", **kw: Any) -> dict[str, Any]:
    result: dict[str, Any] = hub.data(CREATE, {"input": _input(hub, **kw)}, as_=as_)["createAlert"]
    return result


def test_compose_preview_submit_approve_and_watch(hub: Hub) -> None:
    draft = _create(hub)
    assert (draft["__typename"], draft["state"], draft["author"]) == ("Alert", "draft", "author")
    detail = hub.data(DETAIL, {"id": draft["id"]}, as_="author")["alert"]
    assert detail["preview"]["subject"] == "ALERT: Tornado warning: shelter in place"
    assert "Action: Shelter" in detail["preview"]["html"]
    assert "/ack/" in detail["sms"]["text"]
    counts = detail["recipientsCount"]
    assert counts["contacts"] > 0
    assert counts["email"] > 0
    assert counts["webhook"] == 0
    cap = hub.data(CAP, {"id": draft["id"]}, as_="author")["alert"]["cap"]
    schema = xmlschema.XMLSchema(str(cap_schema_path()))
    assert schema.is_valid(cap)
    assert "<responseType>Shelter</responseType>" in cap
    assert _step(hub, "submitAlert", draft["id"], "author")["state"] == "pending_approval"
    refused = _step(hub, "approveAlert", draft["id"], "author")
    assert refused["__typename"] == "PermissionError"
    approved = _step(hub, "approveAlert", draft["id"], "approver")
    assert (approved["state"], approved["approver"]) == ("dispatching", "approver")
    detail = hub.data(DETAIL, {"id": draft["id"]}, as_="approver")["alert"]
    stats = {(s["channel"], s["status"]): s["count"] for s in detail["deliveryStats"]}
    assert stats == {("email", "queued"): counts["email"], ("sms", "queued"): counts["sms"]}
    assert detail["acknowledgements"]["summary"] == "0 of 1 districts acknowledged"


def test_self_approval_by_an_admin_author_is_refused(hub: Hub) -> None:
    draft = _create(hub, as_="admin")
    _step(hub, "submitAlert", draft["id"], "admin")
    refused = _step(hub, "approveAlert", draft["id"], "admin")
    assert refused["__typename"] == "PermissionError"
    assert "two-person rule" in refused["message"]
    count = hub.session.scalar(select(func.count()).select_from(Delivery))
    assert count == 0


def test_callers_without_the_role_are_refused_and_nothing_is_written(hub: Hub) -> None:
    before = hub.audit_count()
    for who in ("viewer", "district", "approver"):
        answer = hub.data(CREATE, {"input": _input(hub)}, as_=who)["createAlert"]
        assert answer["__typename"] == "PermissionError"
    body = hub.call(LIST, {"first": 5}, as_="district")
    assert body["errors"][0]["extensions"]["code"] == "permission_denied"
    assert hub.audit_count() == before
    assert hub.session.scalar(select(func.count()).select_from(Alert)) == 0


def test_bad_input_names_the_field(hub: Hub) -> None:
    bad = hub.data(CREATE, {"input": _input(hub, category="alien")}, as_="author")["createAlert"]
    assert (bad["__typename"], bad["field"]) == ("InputError", "category")
    assert "allowed: violence-threat" in bad["message"]
    none = hub.data(CREATE, {"input": _input(hub, targets={})}, as_="author")["createAlert"]
    assert (none["__typename"], none["field"]) == ("InputError", "targets")
    assert hub.session.scalar(select(func.count()).select_from(Alert)) == 0


def test_reject_then_cancel_a_sent_alert(hub: Hub) -> None:
    first = _create(hub)
    _step(hub, "submitAlert", first["id"], "author")
    rejected = hub.data(REJECT, {"id": first["id"], "reason": "Wrong district"}, as_="approver")
    assert rejected["rejectAlert"]["state"] == "rejected"
    second = _create(hub)
    _step(hub, "submitAlert", second["id"], "author")
    _step(hub, "approveAlert", second["id"], "approver")
    cancel = _step(hub, "cancelAlert", second["id"], "approver")
    assert (cancel["state"], cancel["msgType"]) == ("cancelled", "Alert")
    again = _step(hub, "sendAllClear", second["id"], "approver")
    assert again["__typename"] == "InputError"


def test_listing_costs_the_same_statements_for_one_alert_or_five(hub: Hub) -> None:
    for _ in range(5):
        draft = _create(hub)
        _step(hub, "submitAlert", draft["id"], "author")
        _step(hub, "approveAlert", draft["id"], "approver")
    counts = []
    engine = hub.session.get_bind()
    for first in (1, 5):
        seen: list[str] = []

        def count(*args: Any, seen: list[str] = seen) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            data = hub.data(LIST, {"first": first}, as_="approver")["alerts"]
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(data["edges"]) == first
        counts.append(len(seen))
    assert counts[0] == counts[1]
