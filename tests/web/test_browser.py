"""The console in Debian's Chromium (Playwright, headless), against a whole running hub: the
directory, a district's contacts, an Actual alert from compose to approval to delivery by
e-mail, the recipient's acknowledgement, and the roll-up on the alert page."""

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
