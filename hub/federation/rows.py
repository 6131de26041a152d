"""Accepted changes as rows: the Change a sync writes, and the bulk statements it writes with
(Core executemany or COPY, no RETURNING, no ORM object per record)."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Table,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from hub.directory.models import (
    District,
    Practice,
    Program,
    Term,
)

SharedModel = type[Program] | type[Practice] | type[District]
CHUNK = 500  # ids per IN list: well under SQLite's bound-parameter limit


@dataclass(slots=True)
class Change:
    """An accepted change, ready to write; `row_id` is set once the local row is known."""

    kind: str
    origin_center: str
    origin_id: str
    version: int
    updated_at: datetime
    deleted: bool
    payload: dict[str, Any] | None
    row_id: int | None = None


def table_of(model: Any) -> Table:
    """A mapped class's table, for Core statements (no ORM bookkeeping per row)."""
    table: Table = model.__table__
    return table


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT rows that all set the same columns, without RETURNING: on PostgreSQL with COPY
    (several times faster than psycopg's pipelined executemany) unless a column is JSON, which
    COPY would not encode; elsewhere with Core executemany."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name != "postgresql" or any(isinstance(c.type, JSON) for c in table.c):
        session.execute(insert(table), rows)
        return
    names = list(rows[0])
    quote = conn.dialect.identifier_preparer.quote
    target = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
    driver: Any = conn.connection.driver_connection  # psycopg 3, inside this transaction
    with driver.cursor() as cursor, cursor.copy(target) as copy:
        for row in rows:
            copy.write_row([row[n] for n in names])


def parse_day(value: str | None) -> date | None:
    """A payload's ISO date."""
    return None if value is None else date.fromisoformat(value)


def iso_day(value: date | None) -> str | None:
    """A date as a payload writes it."""
    return None if value is None else value.isoformat()


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class TermIds:
    """(vocabulary, slug) -> term id and back, read once per sync."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Term.id, Term.vocabulary, Term.slug)).all()
        self.ids = {(v, s): i for i, v, s in rows}
        self.slugs = {i: (v, s) for i, v, s in rows}

    def unknown(self, vocabulary: str, slugs: Iterable[str]) -> list[str]:
        return [s for s in slugs if (vocabulary, s) not in self.ids]


def update_rows(session: Session, model: SharedModel, rows: list[dict[str, Any]]) -> None:
    """Bulk UPDATE by primary key (Core executemany), grouped by the set of columns each row
    sets."""
    table = table_of(model)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    for names, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values({n: bindparam(f"new_{n}") for n in names if n != "id"})
        )
        session.execute(
            statement,
            [{"row_id": r["id"], **{f"new_{n}": r[n] for n in names if n != "id"}} for r in group],
        )
