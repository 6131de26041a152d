"""Shared fixtures: every database test runs twice, on SQLite and on PostgreSQL.

Each test session gets fresh databases (a SQLite file and a new PostgreSQL database on
127.0.0.1:5432), migrated with the real Alembic migrations. Each test runs inside a transaction
that is rolled back at the end; services' own commits become savepoints.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from hub import migrate
from hub.app import create_app
from hub.db import make_engine
from hub.deps import SessionProvider

PG_ADMIN_URL = os.environ.get(
    "HUB_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SHARED = Path(__file__).resolve().parents[2] / "shared"

os.environ.setdefault("HUB_ENVIRONMENT", "test")


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database URL of each kind for this test session."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'hub.db'}"
        return
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on the session's database."""
    eng = make_engine(db_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test; commits inside become savepoints."""
    conn = engine.connect()
    outer = conn.begin()
    sess = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        conn.close()


def in_transaction(session: Session) -> SessionProvider:
    """A session provider that keeps every request inside the test's transaction (savepoints)."""

    @contextmanager
    def provide(write: bool) -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return provide


@pytest.fixture
def app_client(session: Session) -> Iterator[TestClient]:
    """create_app with a provider that keeps every request inside the test's transaction."""

    with TestClient(create_app(session_provider=in_transaction(session))) as client:
        yield client


@pytest.fixture
def dialect(engine: Engine) -> str:
    """'sqlite' or 'postgresql'."""
    return engine.dialect.name


@pytest.fixture(scope="module")
def live_engine(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database of the session's kind whose commits are real (workers use it)."""
    from tests.fresh_db import migrated_engine  # it reads PG_ADMIN_URL from this module

    with migrated_engine(db_url, tmp_path_factory.mktemp("live")) as engine:
        yield engine
