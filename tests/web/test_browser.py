"""The console in Debian's Chromium (Playwright, headless), against a whole running hub: the
directory, a district's contacts, an Actual alert from compose to approval to delivery by
e-mail, the recipient's acknowledgement, and the roll-up on the alert page."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from hub.db import get_engine
from hub.settings import get_settings
from tests.web.live import LiveHub, hub_address, live_hub


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


def test_sign_in_shows_the_role_navigation_and_sign_out_ends_it(hub: LiveHub) -> None:
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
    hub.shoot(page, "programs")

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
    hub.shoot(page, "district")
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
