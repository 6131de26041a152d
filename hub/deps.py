"""Request dependencies shared by the HTTP routes: how a request gets its database session."""

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.db import session_scope

SessionProvider = Callable[[bool], AbstractContextManager[Session]]
"""Opens one transaction for a request; the argument says whether it will write."""


def default_session_provider(engine: Engine | None = None) -> SessionProvider:
    """The default provider: `session_scope` on `engine` (commit on success, roll back on error)."""

    def provide(write: bool) -> AbstractContextManager[Session]:
        return session_scope(engine, write=write)

    return provide
