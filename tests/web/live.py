"""A whole hub for browser tests, on 127.0.0.1: the app under uvicorn, the outbox relay and a
delivery worker on the embedded Kafka-protocol broker, e-mail to an aiosmtpd receiver and SMS to
a Twilio-style gateway (the channels built from settings, as in production), and Debian's
Chromium driven by Playwright. Screenshots go to $HUB_SCREENSHOTS when it is set."""

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.sync_api import Browser, BrowserContext, Locator, Page, sync_playwright
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.app import create_app
from hub.directory import demo
from hub.runtime import Runtime
from hub.settings import Settings
from tests.alerts.channels.servers import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HttpServer,
    SmtpServer,
    free_port,
    sms_gateway,
)

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def wait_until(check: Callable[[], object], seconds: float = 60.0, what: str = "it") -> None:
    """Poll `check` until it is truthy (the delivery pipeline runs in other threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@dataclass
class LiveHub:
    """The running hub: its address, database, demo passwords, the SMTP receiver and the SMS
    gateway."""

    base_url: str
    engine: Engine
    passwords: dict[str, str]
    smtp: SmtpServer
    sms: HttpServer
    browser: Browser
    shots: Path

    def context(self, *, phone: bool = False) -> BrowserContext:
        """A new browser profile (its own cookies), like another person's computer."""
        return self.browser.new_context(
            base_url=self.base_url, viewport=PHONE if phone else DESKTOP
        )

    def sign_in(self, username: str, *, phone: bool = False) -> Page:
        """A page signed in as `username` through the login form."""
        page = self.context(phone=phone).new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(self.passwords[username])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    def shoot(self, page: Page, name: str, *, full_page: bool = True) -> None:
        """Save a screenshot as <name>.png (long lists: just the first screen)."""
        page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full_page)

    def shoot_part(self, part: Locator, name: str) -> None:
        """Save a screenshot of one part of a page (what a full-page shot leaves blank:
        sandboxed frames) as <name>.png."""
        part.scroll_into_view_if_needed()
        part.screenshot(path=str(self.shots / f"{name}.png"))


@contextmanager
def _server(settings: Settings, engine: Engine, port: int) -> Iterator[None]:
    config = uvicorn.Config(
        create_app(engine=engine, settings=settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_until(lambda: server.started, 30, "uvicorn starting")
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def live_hub(engine: Engine, settings: Settings, tmp: Path) -> Iterator[LiveHub]:
    """Demo data in `engine`, and everything running until the block ends. `settings` must
    already name this hub's public address (acknowledgement links point at it)."""
    with Session(engine) as session, session.begin():
        loaded = demo.load(session, seed=11)
    passwords = {c.username: c.password for c in loaded.credentials}
    shots = Path(os.environ.get("HUB_SCREENSHOTS") or tmp)
    shots.mkdir(parents=True, exist_ok=True)
    port = int(settings.public_base_url.rsplit(":", 1)[1])
    with SmtpServer() as smtp, HttpServer(sms_gateway(ACCOUNT_SID, AUTH_TOKEN)) as sms:
        settings = settings.model_copy(
            update={
                "smtp_url": SecretStr(smtp.url()),
                "sms_gateway_url": sms.url,
                "sms_account_sid": ACCOUNT_SID,
                "sms_auth_token": SecretStr(AUTH_TOKEN),
                "sms_from": "+15415550199",
            }
        )
        runtime = Runtime(settings, engine, workers=1, scheduler=False)
        with runtime, _server(runtime.settings, engine, port), sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            try:
                yield LiveHub(
                    settings.public_base_url, engine, passwords, smtp, sms, browser, shots
                )
            finally:
                browser.close()


def hub_address() -> str:
    """A loopback address for a hub about to start."""
    return f"http://127.0.0.1:{free_port()}"
