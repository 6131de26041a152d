"""The console in Debian's Chromium (Playwright, headless), against a whole running hub: the
directory, a district's contacts, an Actual alert from compose to approval to delivery by
e-mail, the recipient's acknowledgement, and the roll-up on the alert page."""

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hub.alerts import service as alerts
from hub.alerts.models import Alert
from hub.alerts.schemas import AlertInput
from hub.auth.models import User
from hub.auth.policy import SYSTEM
from hub.auth.service import principal_of
from hub.db import get_engine, utcnow
from hub.directory.models import District
from hub.federation import partners
from hub.federation.models import SyncRun
from hub.federation.schemas import PartnerInput
from hub.settings import get_settings
from tests.factories import tornado_warning
from tests.web.live import LiveHub, hub_address, live_hub

# The machine is shared: give pages more than Playwright's default 5 s to settle.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def hub(live_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HUB_PUBLIC_BASE_URL", hub_address())
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            with live_hub(live_engine, get_settings(), tmp_path_factory.mktemp("shots")) as live:
                yield live
        finally:
            get_settings.cache_clear()
            get_engine.cache_clear()


def _partners_with_history(hub: LiveHub) -> None:
    """Two partner centers and a few runs, one failed, so the status page has something."""
    now = utcnow()
    with Session(hub.engine) as session, session.begin():
        for slug, name, level in (
            ("national", "National School Safety Center", "national"),
            ("neighbour", "Neighbouring State Center", "state"),
        ):
            partner = partners.add(
                session,
                SYSTEM,
                PartnerInput(
                    slug=slug,
                    name=name,
                    level=level,
                    direction="both",
                    base_url=f"https://{slug}.example.org",
                    sends=["program"],
                    receives=["program", "practice"],
                ),
            ).partner
            session.add(
                SyncRun(
                    partner=partner,
                    direction="pull",
                    status="succeeded",
                    started_at=now,
                    finished_at=now,
                    fetched=120,
                    created=100,
                    updated=20,
                )
            )
        session.add(
            SyncRun(
                partner=partner,
                direction="push",
                status="failed",
                started_at=now,
                finished_at=now,
                error="HTTP 503 from the partner",
            )
        )


def test_sign_in_shows_the_role_navigation_and_sign_out_ends_it(hub: LiveHub) -> None:
    _partners_with_history(hub)
    page = hub.context().new_page()
    page.goto("/partners")
    expect(page).to_have_url(f"{hub.base_url}/login?next=%2Fpartners")
    hub.shoot(page, "login")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    page.get_by_label("Password").fill(hub.passwords["admin"])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Partner centers")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("failed")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Partners")).to_have_attribute("aria-current", "page")
    hub.shoot(page, "partners")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{hub.base_url}/login")
    page.goto("/partners")
    expect(page).to_have_url(f"{hub.base_url}/login?next=%2Fpartners")


def test_screenshots_are_written(hub: LiveHub) -> None:
    assert (Path(hub.shots) / "login.png").stat().st_size > 1000


def test_anyone_searches_and_filters_programs_and_opens_one(hub: LiveHub) -> None:
    page = hub.context().new_page()
    page.goto("/programs")
    results = page.locator("h2#results")
    expect(results).to_contain_text("programs")
    everything = int(results.inner_text().split()[0])
    hub.shoot(page, "programs", full_page=False)

    page.get_by_role("group", name="Cost").get_by_label("Free only").check()
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"free=yes"))
    free = int(results.inner_text().split()[0])
    assert 0 < free < everything
    first = page.locator("ul.cards h3 a").first
    title = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    hub.shoot(page, "program")

    page.goto("/programs?district=12")
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.get_by_role("alert")).to_be_visible()


def test_a_district_user_fixes_a_contact_after_a_bad_phone_number(hub: LiveHub) -> None:
    page = hub.sign_in("district")
    expect(page).to_have_url(re.compile(r"/districts/\d{7}$"))
    hub.shoot(page, "district", full_page=False)
    page.get_by_role("link", name="Edit contacts").click()
    page.locator("ul.contact-list summary").first.click()  # open the first contact
    page.get_by_role("link", name="Edit on its own page").first.click()
    phone = page.get_by_label("Phone")
    phone.fill("555-01")
    page.get_by_role("button", name="Save contact").click()
    expect(phone).to_have_attribute("aria-invalid", "true")
    error = page.locator("#contact-phone-error")
    expect(error).to_be_visible()
    expect(phone).to_have_value("555-01")  # what was typed is kept
    hub.shoot(page, "contact-error")
    phone.fill("541-555-0100")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status")).to_be_visible()
    page.get_by_role("button", name="Confirm contacts are current").first.click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed")


ACK_LINK = re.compile(r"http://127\.0\.0\.1:\d+/ack/[\w.\-]+")


def _showcase_district(hub: LiveHub) -> tuple[str, str]:
    """(NCES id, name) of the demo district user's district."""
    with Session(hub.engine) as session:
        district = session.scalars(
            select(District)
            .join(User, User.district_id == District.id)
            .where(User.username == "district")
        ).one()
        return district.nces_id, district.name


def _an_exercise_waiting(hub: LiveHub, nces_id: str) -> None:
    """A drill in the queue beside the real alert, as the author's service call makes it."""
    with Session(hub.engine) as session, session.begin():
        author = principal_of(session.scalars(select(User).where(User.username == "author")).one())
        drill = alerts.create_alert(
            session,
            author,
            data=AlertInput(
                **tornado_warning(
                    status="Exercise",
                    event="Tornado drill",
                    headline="Statewide tornado drill at 10:00",
                    targets={"districts": [nces_id]},
                    channels=["email"],
                )
            ),
        )
        alerts.submit_alert(session, author, alert_id=drill.id)


def test_an_actual_alert_from_compose_to_acknowledgement(hub: LiveHub) -> None:
    nces_id, name = _showcase_district(hub)
    author = hub.sign_in("author")
    author.get_by_role("link", name="New alert").click()
    author.locator("#status-Actual").check()
    author.locator("#category").select_option("violence-threat")
    author.locator("#event").fill("Armed intruder reported")
    author.locator("#response-lockdown").check()
    author.get_by_label("Headline").fill(f"Lockdown now: {name}")
    author.locator("#instruction").fill("Lock doors, lights off, stay out of sight.")
    author.locator("#districts").select_option(nces_id)
    author.locator("#channels-email").check()
    author.locator("#channels-sms").check()
    author.locator("#channels-webhook").uncheck()
    author.locator("#preview-button").click()
    count = author.locator("#recipient-count")
    expect(count).to_have_attribute("data-recipients", re.compile(r"^[1-9]\d*$"))
    recipients = int(count.get_attribute("data-recipients") or 0)
    expect(author.locator("#preview-sms")).to_contain_text("Lockdown now")
    email = author.frame_locator("iframe.preview-html").locator("body")
    expect(email).to_contain_text("Lock doors, lights off")
    hub.shoot(author, "alert-compose", full_page=False)
    hub.shoot_part(author.locator("#preview-email"), "alert-preview")
    author.locator("#submit-button").click()
    expect(author).to_have_url(re.compile(r"/alerts/\d+$"))
    alert_id = int(author.url.rsplit("/", 1)[1])
    _an_exercise_waiting(hub, nces_id)

    approver = hub.sign_in("approver")
    expect(approver).to_have_url(f"{hub.base_url}/alerts/queue")
    banner = approver.locator(f"#status-banner-{alert_id}")
    expect(banner).to_have_class(re.compile(r"\bstatus-actual\b"))
    expect(banner).to_contain_text(f"ACTUAL — REAL ALERT, will reach {recipients} recipient")
    expect(approver.locator(".status-exercise").first).to_contain_text(
        "EXERCISE — NOT A REAL EVENT"
    )
    hub.shoot(approver, "alert-queue")
    approver.locator(f"#approve-{alert_id}").click()
    confirm = approver.locator(f"#approve-confirm-{alert_id}")
    expect(confirm).to_be_visible()  # the dialog, not the page behind it
    label = approver.locator(f"label[for=approve-confirm-{alert_id}]")
    expect(label).to_contain_text(f"Send ACTUAL alert to {recipients} recipient")
    hub.shoot(approver, "alert-approve")
    confirm.check()
    approver.locator(f"#approve-send-{alert_id}").click()
    expect(approver).to_have_url(f"{hub.base_url}/alerts/{alert_id}")

    # The page polls: the figures move to "sent" without a reload.
    totals = {}
    for channel in ("email", "sms"):
        total = approver.locator(f"#figure-{channel}-total").inner_text()
        assert int(total) > 0
        expect(approver.locator(f"#figure-{channel}-sent")).to_have_text(total, timeout=60_000)
        totals[channel] = int(total)
    assert len(hub.sms.requests) == totals["sms"]
    assert sum(1 for m in hub.smtp.received if name in str(m.email)) == totals["email"]
    expect(approver.locator("#alert-state")).to_have_attribute("data-state", "dispatched")
    expect(approver.locator("#ack-summary")).to_contain_text("0 of 1 districts acknowledged")

    mail = next(m for m in hub.smtp.received if f"Lockdown now: {name}" in str(m.email))
    body = mail.email.get_body(preferencelist=("plain",))
    assert body is not None
    link = ACK_LINK.search(body.get_content())
    assert link, "the e-mail has no acknowledgement link"
    recipient = hub.context(phone=True).new_page()
    recipient.goto(link.group(0))
    expect(recipient.get_by_role("heading", level=1)).to_have_text(f"Lockdown now: {name}")
    recipient.get_by_role("button", name="I received this alert").click()
    expect(recipient.get_by_role("status")).to_contain_text("your acknowledgement was recorded")
    hub.shoot(recipient, "acknowledgement")

    expect(approver.locator("#ack-summary")).to_contain_text(
        "1 of 1 districts acknowledged", timeout=30_000
    )
    expect(approver.locator("#acked-districts")).to_contain_text(name)
    hub.shoot(approver, "alert-progress")


AXE = Path(__file__).parent / "axe"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
AXE_RUN = """async () => (await axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
})).violations.map(v => v.id + ': ' + v.help + ' ' +
  v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""


@pytest.fixture(scope="module")
def axe_script() -> Path:
    """axe-core from the npm registry, pinned in tests/web/axe/package-lock.json."""
    script = AXE / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed for the accessibility checks (apt-get install npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE, check=True)  # noqa: S603
    return script


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_main_pages_pass_axe_fit_a_phone_and_start_with_the_skip_link(
    hub: LiveHub, axe_script: Path, phone: bool
) -> None:
    nces_id, _ = _showcase_district(hub)
    pages = {
        None: ["/login", "/programs", "/practices", f"/districts/{nces_id}"],
        "admin": ["/partners", "/partners/national", "/alerts"],
        "author": ["/alerts/new", *_alert_pages(hub)],
        "approver": ["/alerts/queue"],
        "district": [f"/districts/{nces_id}/contacts"],
    }
    problems = []
    for username, paths in pages.items():
        page = (
            hub.sign_in(username, phone=phone) if username else hub.context(phone=phone).new_page()
        )
        for path in paths:
            page.goto(path)
            page.add_script_tag(path=str(axe_script))
            problems += [f"{path}: {v}" for v in page.evaluate(AXE_RUN)]
            assert page.evaluate(OVERFLOW) <= 0, f"{path}: wider than the screen"
            if path != "/login":  # its username field has the focus already
                page.keyboard.press("Tab")
                focused = page.evaluate("() => document.activeElement.textContent")
                assert focused == "Skip to content", path
        page.context.close()
    assert problems == [], "\n".join(problems)


def _alert_pages(hub: LiveHub) -> list[str]:
    """The pages of the alerts the other tests made (none when run alone)."""
    with Session(hub.engine) as session:
        return [f"/alerts/{i}" for i in session.scalars(select(Alert.id).limit(2))]
