"""Alembic environment: runs on the connection hub.migrate hands over, or on HUB_DATABASE_URL."""

from alembic import context
from sqlalchemy import Connection

from hub.db import make_engine
from hub.models import Base
from hub.settings import get_settings

config = context.config
target_metadata = Base.metadata

# Made by migration 0002 in SQL, per dialect; not in the models, so comparisons skip them.
SEARCH_OBJECTS = ("programs_fts", "practices_fts")


def include_object(obj: object, name: str | None, type_: str, reflected: bool, _to: object) -> bool:
    """Leave the full-text search objects out of model/database comparisons."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(SEARCH_OBJECTS):
        return False
    return not (
        type_ in ("column", "index")
        and name in ("search", "ix_programs_search", "ix_practices_search")
    )


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return
    engine = make_engine(get_settings().database_url)
    with engine.connect() as conn:
        _run_on(conn)
    engine.dispose()


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
