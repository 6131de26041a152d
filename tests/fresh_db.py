"""Fresh, empty databases for tests that commit for real (CLI runs, migration round trips)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from hub import migrate
from hub.db import make_engine
from tests.conftest import PG_ADMIN_URL


@contextmanager
def fresh_database(like_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same kind as `like_url`; a PostgreSQL one is dropped after."""
    if like_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / f'fresh_{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"hub_fresh_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def migrated_engine(like_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a fresh database of `like_url`'s kind, migrated; disposed after. For tests
    whose workers commit for real on connections of their own."""
    with fresh_database(like_url, tmp_path) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
