"""The `hub` command line against a fresh database of each kind, as an operator runs it."""

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from hub.alerts.channels.webhook import sign, verify_signature
from hub.audit import AuditEntry
from hub.auth import service as auth
from hub.auth.models import User
from hub.cli import app
from hub.db import get_engine, make_engine, session_scope
from hub.directory import taxonomy
from hub.directory.models import (
    Contact,
    District,
    Practice,
    Program,
    ProgramAvailability,
    School,
    Term,
    program_terms,
)
from hub.directory.schemas import ContactInput, e164
from hub.settings import get_settings
from tests.fresh_db import fresh_database

TOKEN = re.compile(r"hub_[A-Za-z0-9_-]{20,}")
runner = CliRunner()


def _clear_caches() -> None:
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def cli_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """HUB_DATABASE_URL pointing at a new, empty database; yields an engine to inspect it."""
    with fresh_database(db_url, tmp_path) as url:
        monkeypatch.setenv("HUB_DATABASE_URL", url)
        _clear_caches()
        eng = make_engine(url)
        try:
            yield eng
        finally:
            eng.dispose()
            get_engine().dispose()
            _clear_caches()


def hub(*args: str, input: str | None = None) -> Result:
    """Run `hub ARGS` in-process, as the console script does."""
    return runner.invoke(app, list(args), input=input)


def ok(*args: str, input: str | None = None) -> Result:
    result = hub(*args, input=input)
    assert result.exit_code == 0, result.output
    return result


def fails(*args: str, input: str | None = None) -> Result:
    """The command exits 1 with a message and without a traceback."""
    result = hub(*args, input=input)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _program_topics(session: Session) -> set[str]:
    """Topics that at least one live (not retired) program is tagged with."""
    return set(
        session.scalars(
            select(Term.slug)
            .join(program_terms, program_terms.c.term_id == Term.id)
            .join(Program, Program.id == program_terms.c.program_id)
            .where(Term.vocabulary == "topics", Program.deleted.is_(False))
        )
    )


def test_db_upgrade_downgrade_and_upgrade_again(cli_db: Engine) -> None:
    assert "database at head" in ok("db", "upgrade").output
    assert "districts" in inspect(cli_db).get_table_names()
    ok("db", "downgrade", "base")
    assert set(inspect(cli_db).get_table_names()) <= {"alembic_version"}
    ok("db", "upgrade")
    assert "audit_log" in inspect(cli_db).get_table_names()


def test_demo_fills_a_realistic_state_once(cli_db: Engine) -> None:
    ok("db", "upgrade")
    result = ok("demo", "--seed", "5")
    assert "demo state ZZ loaded" in result.output
    tokens = dict(re.findall(r"^\s+(\w+)\s+(hub_\S+)$", result.output, flags=re.M))
    assert set(tokens) == {"admin", "author", "approver", "district", "viewer"}

    with Session(cli_db) as session:
        districts = session.scalars(select(District)).all()
        schools = session.scalars(select(School)).all()
        assert 45 <= len(districts) <= 55
        assert 180 <= len(schools) <= 220
        assert any(d.charter for d in districts)
        leaids = {d.id: d.nces_id for d in districts}
        for d in districts:
            assert re.fullmatch(r"99\d{5}", d.nces_id)
            assert d.county_fips
            assert re.fullmatch(r"99\d{3}", d.county_fips)
            assert d.region_id is not None
            assert d.enrollment
            assert d.enrollment > 0
            assert d.phone == e164(d.phone or "")
            assert d.website
            assert d.website.endswith(".example.org")
        for s in schools:
            assert re.fullmatch(r"\d{12}", s.nces_id)
            assert s.nces_id.startswith(leaids[s.district_id])
            assert s.latitude
            assert 42 < s.latitude < 46
            assert s.longitude
            assert -124 < s.longitude < -116
        assert len({s.nces_id for s in schools}) == len(schools)

        tax = taxonomy.load()
        assert _program_topics(session) == set(tax.slugs("topics"))
        practices = session.scalars(select(Practice)).all()
        practice_topics = {t.slug for p in practices for t in p.terms if t.vocabulary == "topics"}
        assert practice_topics == set(tax.slugs("topics"))
        statuses = [p.status for p in practices]
        assert statuses.count("published") > len(practices) / 2
        assert {"draft", "submitted"} <= set(statuses)
        assert 90 <= _count(session, Program) <= 110
        assert 40 <= _count(session, Practice) <= 60
        scopes = set(session.scalars(select(ProgramAvailability.scope)))
        assert scopes == {"state", "region", "district"}

        contacts = session.scalars(select(Contact)).all()
        assert {c.role for c in contacts} == set(tax.slugs("contact_roles"))
        for c in contacts:
            assert c.email
            assert c.email.endswith("example.org")
            parsed = ContactInput(
                name=c.name,
                title=c.title,
                role=c.role,
                email=c.email,
                phone=c.phone,
                channels=c.channels,
                available_24x7=c.available_24x7,
            )
            assert parsed.phone == c.phone

        for username, token in tokens.items():
            principal = auth.principal_for_token(session, token)
            assert principal is not None
            assert principal.username == username
        district_user = session.scalar(select(User).where(User.username == "district"))
        assert district_user is not None
        assert district_user.district_id in leaids
        loads = session.scalars(select(AuditEntry).where(AuditEntry.action == "demo.load")).all()
        assert len(loads) == 1
        assert loads[0].after
        assert loads[0].after["districts"] == len(districts)
        before = (_count(session, District), _count(session, Contact), _count(session, User))

    again = ok("demo")
    assert "has districts already" in again.output
    assert not TOKEN.search(again.output)
    with Session(cli_db) as session:
        after = (_count(session, District), _count(session, Contact), _count(session, User))
    assert after == before
    assert "entries checked" in ok("audit", "verify").output


def test_users_and_tokens(cli_db: Engine) -> None:
    ok("db", "upgrade")
    with session_scope(cli_db) as session:
        session.add(District(nces_id="9900001", name="Cedarbrook School District", state="ZZ"))

    ok("users", "create", "ann", "--role", "alert_author", "--password", "pw-ann-1")
    created = ok("users", "create", "dee", "--role", "district_user", "--district", "9900001",
                 input="pw-dee-2\npw-dee-2\n")  # fmt: skip
    assert "user dee" in created.output
    issued = ok("tokens", "create", "ann", "--label", "ci")
    match = TOKEN.search(issued.output)
    assert match is not None
    token_id = re.search(r"token (\d+)", issued.output)
    assert token_id is not None

    listing = ok("users", "list").output
    assert "ann" in listing
    assert "9900001" in listing
    with Session(cli_db) as session:
        principal = auth.principal_for_token(session, match.group())
        assert principal is not None
        assert (principal.username, principal.role) == ("ann", "alert_author")
        assert auth.authenticate(session, username="dee", password="pw-dee-2") is not None

    ok("tokens", "revoke", token_id.group(1))
    with Session(cli_db) as session:
        assert auth.principal_for_token(session, match.group()) is None

    assert "district" in fails("users", "create", "bo", "--role", "district_user", "--password",
                               "x").stderr  # fmt: skip
    assert (
        "unknown role 'wizard'"
        in fails("users", "create", "bo", "--role", "wizard", "--password", "x").stderr
    )
    assert "exists already" in fails("users", "create", "ann", "--role", "viewer",
                                     "--no-password").stderr  # fmt: skip
    assert "no user 'ghost'" in fails("tokens", "create", "ghost").stderr
    assert "no token 424242" in fails("tokens", "revoke", "424242").stderr


def test_audit_verify_exit_codes(cli_db: Engine) -> None:
    ok("db", "upgrade")
    ok("users", "create", "ann", "--role", "viewer", "--no-password")
    ok("users", "create", "bob", "--role", "viewer", "--no-password")
    ok("tokens", "create", "bob")
    assert "3 entries checked" in ok("audit", "verify").output
    assert "token.create" in ok("audit", "list", "--limit", "2").output

    with cli_db.begin() as conn:
        if cli_db.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    broken = fails("audit", "verify")
    assert "entry 2 was altered" in broken.stderr
    assert "1 entries intact" in broken.stderr


def test_unmigrated_database_is_a_message_not_a_traceback(cli_db: Engine) -> None:
    assert "database error" in fails("users", "list").stderr


def test_unreachable_database_is_a_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing")
    _clear_caches()
    try:
        assert "database error" in fails("audit", "verify").stderr
    finally:
        get_engine().dispose()
        _clear_caches()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_until_it_answers(url: str, port: int) -> str:
    """Run `hub serve --demo` as a real process until /graphql answers; return what it printed."""
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_ENVIRONMENT": "test"}
    hub_script = Path(sys.executable).parent / "hub"
    command = [str(hub_script), "serve", "--demo", "--port", str(port)]
    proc = subprocess.Popen(  # noqa: S603 - our own console script
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        answer = None
        for _ in range(300):
            if proc.poll() is not None:
                break
            try:
                answer = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, "hub serve exited or never answered"
        assert answer.json() == {"data": {"__typename": "Query"}}
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=30)
    return output


def test_serve_migrates_loads_the_demo_once_and_answers(db_url: str, tmp_path: Path) -> None:
    with fresh_database(db_url, tmp_path) as url:
        first = _serve_until_it_answers(url, _free_port())
        assert "demo state ZZ loaded" in first
        assert len(TOKEN.findall(first)) == 5
        second = _serve_until_it_answers(url, _free_port())
        assert "has districts already" in second
        assert not TOKEN.search(second)
        eng = make_engine(url)
        try:
            with Session(eng) as session:
                assert 45 <= _count(session, District) <= 55
        finally:
            eng.dispose()


def test_schemas_export_writes_sdl_and_json_schemas(tmp_path: Path) -> None:
    result = ok("schemas", "export", "--dir", str(tmp_path))
    assert "wrote" in result.output
    assert "type Query" in (tmp_path / "schema.graphql").read_text(encoding="utf-8")
    assert list(tmp_path.glob("*.schema.json"))


def test_a_districts_webhook_secret_verifies_our_signatures(cli_db: Engine) -> None:
    ok("db", "upgrade")
    with session_scope(cli_db) as session:
        session.add(District(nces_id="9900002", name="Maple Valley Schools", state="ZZ"))
        session.add(District(nces_id="9900003", name="Birch Hill Schools", state="ZZ"))
    secret = ok("alerts", "webhook-secret", "9900002").output.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert secret != ok("alerts", "webhook-secret", "9900003").output.strip()
    body = b'{"headline":"Lockdown"}'
    signature = sign(secret, "1700000000", body)
    assert verify_signature(secret, "1700000000", body, signature, now=1700000010)
    assert "no district with NCES id 9999999" in fails("alerts", "webhook-secret", "9999999").stderr
