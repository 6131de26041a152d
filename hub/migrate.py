"""Applies Alembic migrations and mirrors the vocabulary into `terms` (`hub db upgrade`)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from hub.db import session_scope

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at hub/migrations, bound to `engine`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`, then sync the vocabulary and the local center."""
    from hub.directory import taxonomy

    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with session_scope(engine) as session:
        taxonomy.sync(session)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to `revision` (used by the round-trip test and by operators)."""
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
