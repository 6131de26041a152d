"""Ranked full-text search of programs and practices: SQLite FTS5 (bm25), PostgreSQL (ts_rank)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, Integer, Select, func, literal_column, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

WORD = re.compile(r"\w+")
# bm25 column weights: a title match outranks a summary match, which outranks the body.
WEIGHTS = "10.0, 4.0, 1.0"


def words(query: str | None) -> list[str]:
    """The searchable words of user text; none means "no search"."""
    return WORD.findall(query or "")


def fts5_query(found: list[str]) -> str:
    """An FTS5 MATCH string that is never a syntax error: words as quoted phrases, last a prefix."""
    phrases = ['"' + w.replace('"', '""') + '"' for w in found]
    phrases[-1] += "*"
    return " ".join(phrases)


@dataclass(frozen=True)
class Ranked:
    """A search applied to a statement (`apply`) and its rank, best first when sorted ascending."""

    apply: Callable[[Select[Any]], Select[Any]]
    rank: ColumnElement[Any]


def ranked(session: Session, table: str, query: str | None) -> Ranked | None:
    """The search on `table` ("programs" or "practices") for `query`, or None without words."""
    found = words(query)
    if not found:
        return None
    if session.get_bind().dialect.name == "sqlite":
        fts = (
            text(
                f"SELECT rowid AS id, bm25({table}_fts, {WEIGHTS}) AS rank "  # noqa: S608 - fixed names
                f"FROM {table}_fts WHERE {table}_fts MATCH :fts_query"
            )
            .bindparams(fts_query=fts5_query(found))
            .columns(id=Integer, rank=Float)
            .subquery(f"{table}_hits")
        )
        own_id: ColumnElement[Any] = literal_column(f"{table}.id")
        return Ranked(apply=lambda stmt: stmt.join(fts, fts.c.id == own_id), rank=fts.c.rank)
    tsq = func.websearch_to_tsquery("english", " ".join(found))
    vector: ColumnElement[Any] = literal_column(f"{table}.search")
    return Ranked(
        apply=lambda stmt: stmt.where(vector.op("@@")(tsq)), rank=-func.ts_rank(vector, tsq)
    )
