"""The federation status pages: partners, their runs, errors, rejections, the breaker."""

from sqlalchemy import select

from hub.audit import AuditEntry
from hub.auth.policy import SYSTEM
from hub.db import utcnow
from hub.federation import partners
from hub.federation.models import Partner, SyncAlert, SyncRun
from hub.federation.schemas import PartnerInput
from tests.web.conftest import Console, csrf_of


def _partner(
    console: Console, slug: str, *, breaker: bool = False, token: str | None = None
) -> Partner:
    data = PartnerInput(
        slug=slug,
        name=f"{slug.title()} Center",
        level="national" if slug == "national" else "state",
        base_url=f"http://127.0.0.1:9/{slug}",
        direction="both",
        sends=["program"],
        receives=["program", "practice"],
    )
    partner = partners.add(console.session, SYSTEM, data, outbound_token=token).partner
    partner.breaker_open = breaker
    now = utcnow()
    console.session.add_all(
        [
            SyncRun(
                partner=partner,
                direction="pull",
                status="succeeded",
                started_at=now,
                fetched=12,
                created=10,
                updated=2,
                finished_at=now,
            ),
            SyncRun(
                partner=partner,
                direction="pull",
                status="failed",
                started_at=now,
                error="connection refused by 127.0.0.1:9",
                finished_at=now,
                rejected=1,
                rejections=[
                    {
                        "type": "program",
                        "origin_center": "other",
                        "origin_id": "7",
                        "reason": "origin is not this partner",
                    }
                ],
            ),
        ]
    )
    if breaker:
        console.session.add(
            SyncAlert(
                partner=partner,
                kind="mass_deletion",
                message=f"{slug} would delete 60% of its programs",
            )
        )
    console.session.flush()
    return partner


def test_admins_see_partners_last_runs_errors_and_the_breaker(console: Console) -> None:
    _partner(console, "national")
    _partner(console, "neighbour", breaker=True)
    client = console.signed_in("admin")
    overview = client.get("/partners")
    assert overview.status_code == 200
    assert "Neighbour Center" in overview.text
    assert "National Center" in overview.text
    assert "neighbour would delete 60% of its programs" in overview.text
    assert overview.text.count('class="breaker-open"') == 1
    # The latest pull of each is the failed one.
    assert overview.text.count('run-failed">failed') == 2

    detail = client.get("/partners/national")
    assert "connection refused by 127.0.0.1:9" in detail.text
    assert "other/7: origin is not this partner" in detail.text
    assert "Pull now" in detail.text
    assert "Push now" in detail.text
    assert "Release the breaker" not in detail.text


def test_releasing_the_breaker_clears_its_alert_and_is_audited(console: Console) -> None:
    partner = _partner(console, "neighbour", breaker=True)
    client = console.signed_in("admin")
    page = client.get("/partners/neighbour")
    assert "Release the breaker" in page.text
    answer = client.post("/partners/neighbour/release", data={"csrf": csrf_of(page.text)})
    assert answer.status_code == 200
    assert "Breaker released" in answer.text
    console.session.refresh(partner)
    assert partner.breaker_released
    assert partners.open_alerts(console.session) == []
    actors = console.session.scalars(
        select(AuditEntry.actor).where(AuditEntry.action == "partner.release_breaker")
    ).all()
    assert actors == ["admin"]


def test_sync_now_begins_a_manual_run(console: Console) -> None:
    _partner(console, "neighbour")
    partner = _partner(console, "national", token="hub_token-they-issued-us")
    client = console.signed_in("admin")
    page = client.get("/partners/neighbour")
    refused = client.post("/partners/neighbour/sync", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 409
    assert "no token from neighbour is stored" in refused.text
    page = client.get("/partners/national")
    answer = client.post(
        "/partners/national/sync",
        data={"csrf": csrf_of(page.text), "direction": "push"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    run_id = int(answer.headers["location"].rsplit("=", 1)[1])
    run = console.session.get_one(SyncRun, run_id)
    assert (run.partner_id, run.direction, run.trigger) == (partner.id, "push", "manual")


def test_partner_pages_are_for_state_admins_only(console: Console) -> None:
    _partner(console, "national")
    anonymous = console.browser().get("/partners", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fpartners"
    for username in ("author", "approver", "district", "viewer"):
        client = console.signed_in(username)
        assert client.get("/partners").status_code == 403
        assert client.get("/partners/national").status_code == 403
    author = console.signed_in("author")
    refused = author.post("/partners/national/sync", data={"csrf": "x", "direction": "pull"})
    assert refused.status_code == 403


def test_an_unknown_partner_is_a_404_page(console: Console) -> None:
    answer = console.signed_in("admin").get("/partners/nowhere")
    assert answer.status_code == 404
    assert "nowhere" in answer.text
