"""Fixtures the ingest tests share."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.db import get_engine
from hub.settings import get_settings
from tests.fresh_db import fresh_database


@pytest.fixture
def cli_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """HUB_DATABASE_URL on a new, migrated database, for commands run through the CLI."""
    with fresh_database(db_url, tmp_path) as url:
        monkeypatch.setenv("HUB_DATABASE_URL", url)
        get_settings.cache_clear()
        get_engine.cache_clear()
        try:
            assert CliRunner().invoke(app, ["db", "upgrade"]).exit_code == 0
            yield url
        finally:
            get_engine().dispose()
            get_settings.cache_clear()
            get_engine.cache_clear()
