"""Signing in and out of the console: cookies, CSRF, the navigation each role gets."""

from sqlalchemy import func, select

from hub.audit import AuditEntry
from hub.web.models import WebSession
from tests.web.conftest import Console, csrf_of


def test_sign_in_sets_an_httponly_samesite_cookie_and_signing_out_ends_it(
    console: Console,
) -> None:
    client = console.signed_in("author")
    cookie = next(c for c in client.cookies.jar if c.name == "hub_session")
    page = client.get("/programs")
    assert "Sign out" in page.text
    stored = console.session.scalar(select(func.count()).select_from(WebSession))
    assert stored == 1
    token = cookie.value
    assert console.session.scalar(select(WebSession.token_hash)) != token  # only a digest

    answer = client.post("/logout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303
    assert console.session.scalar(select(func.count()).select_from(WebSession)) == 0
    # The old cookie, replayed by someone who copied it, signs nobody in.
    thief = console.browser()
    thief.cookies.set("hub_session", token)
    assert "Sign out" not in thief.get("/programs").text
    actions = console.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("user.sign_%"))
    ).all()
    assert actions == ["user.sign_in", "user.sign_out"]


def test_the_session_cookie_is_httponly_and_lax(console: Console) -> None:
    answer = console.log_in(console.browser(), "author", next="/alerts")
    header = answer.headers["set-cookie"].lower()
    assert "hub_session=" in header
    assert "httponly" in header
    assert "samesite=lax" in header
    assert answer.headers["location"] == "/alerts"


def test_a_wrong_password_is_refused_with_one_message_for_both_faults(console: Console) -> None:
    client = console.browser()
    form = client.get("/login")
    for username in ("author", "nobody"):
        answer = client.post(
            "/login",
            data={"username": username, "password": "wrong", "csrf": csrf_of(form.text)},
        )
        assert answer.status_code == 401
        assert "Unknown username or wrong password." in answer.text
    assert "hub_session" not in client.cookies


def test_forms_without_the_right_csrf_token_are_refused(console: Console) -> None:
    client = console.browser()
    client.get("/login")
    answer = client.post(
        "/login",
        data={"username": "author", "password": console.passwords["author"], "csrf": "forged"},
    )
    assert answer.status_code == 403
    assert "came from elsewhere" in answer.text
    signed = console.signed_in("author")
    answer = signed.post("/logout", data={"csrf": "forged"})
    assert answer.status_code == 403
    assert console.session.scalar(select(func.count()).select_from(WebSession)) == 1


def test_next_only_returns_to_a_path_on_this_site(console: Console) -> None:
    answer = console.log_in(console.browser(), "author", next="//evil.example/steal")
    assert answer.headers["location"] == "/"


def test_navigation_shows_only_what_the_role_may_do(console: Console) -> None:
    def links(username: str | None) -> set[str]:
        client = console.signed_in(username) if username else console.browser()
        html = client.get("/programs").text
        nav = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
        return {
            label
            for label in (
                "Programs",
                "Practices",
                "My district",
                "Alerts",
                "New alert",
                "Approvals",
                "Partners",
            )
            if f">{label}<" in nav
        }

    assert links(None) == {"Programs", "Practices"}
    assert links("viewer") == {"Programs", "Practices"}
    assert links("district") == {"Programs", "Practices", "My district"}
    assert links("author") == {"Programs", "Practices", "Alerts", "New alert"}
    assert links("approver") == {"Programs", "Practices", "Alerts", "Approvals"}
    assert links("admin") >= {"Programs", "Practices", "Alerts", "Partners"}


def test_the_start_page_sends_each_role_to_its_work(console: Console) -> None:
    def start(username: str | None) -> str:
        client = console.signed_in(username) if username else console.browser()
        return client.get("/", follow_redirects=False).headers["location"]

    assert start(None) == "/programs"
    assert start("district") == f"/districts/{console.district.nces_id}"
    assert start("approver") == "/alerts/queue"
    assert start("author") == "/alerts"
