"""Counting the SQL statements a piece of code runs: tests pin them, never wall-clock times."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import Session


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """Collects the SQL statements run on the session's connection inside the block."""
    session.flush()
    conn = session.connection()
    seen: list[str] = []

    def hook(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(conn, "before_cursor_execute", hook)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", hook)
