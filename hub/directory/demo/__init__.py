"""A generated, fictional state for demos and trials: regions, districts, schools, contacts,
providers, programs, practices and one user per role. Deterministic from a seed.

`load` inserts through the ORM (provenance is stamped at flush), flushes and never commits; the
caller owns the transaction. It refuses a directory that has districts already.
"""

import secrets
from dataclasses import dataclass, field
from random import Random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub import audit
from hub.auth import service as auth
from hub.auth.models import User
from hub.auth.policy import SYSTEM, Principal
from hub.directory import taxonomy
from hub.directory.demo.catalog import CatalogBuilder
from hub.directory.demo.state import StateBuilder
from hub.directory.models import (
    Contact,
    District,
    Practice,
    Program,
    Provider,
    Region,
    School,
)
from hub.errors import Conflict
from hub.settings import get_settings

# username, role: one demo user per role that needs no partner center.
DEMO_USERS = (
    ("admin", "state_admin"),
    ("author", "alert_author"),
    ("approver", "alert_approver"),
    ("district", "district_user"),
    ("viewer", "viewer"),
)


@dataclass(frozen=True)
class Credential:
    """A demo user's sign-in: shown once, never stored in clear."""

    username: str
    role: str
    scope: str
    password: str
    token: str


@dataclass(frozen=True)
class DemoResult:
    """What `load` made: row counts per table and the demo users' credentials."""

    seed: int
    state: str
    counts: dict[str, int]
    credentials: list[Credential] = field(default_factory=list)


def is_loaded(session: Session) -> bool:
    """Whether the directory has districts already (demo data or real); then `load` refuses."""
    return session.scalar(select(District.id).limit(1)) is not None


def load(
    session: Session,
    *,
    seed: int = 1,
    state: str | None = None,
    actor: Principal = SYSTEM,
    users: bool = True,
) -> DemoResult:
    """Fill an empty directory with a fictional state and (with `users`) one user per role."""
    if is_loaded(session):
        raise Conflict("the directory has districts already; demo data goes into an empty one")
    taxonomy.sync(session)
    builder = StateBuilder(session, Random(seed), (state or get_settings().center_state).upper())
    builder.build()
    CatalogBuilder(builder).build()
    counts = _counts(session)
    audit.record(
        session,
        actor=actor.actor,
        action="demo.load",
        entity_type="directory",
        after={"seed": seed, "state": builder.state, **counts},
    )
    credentials = _make_users(session, actor, builder.showcase) if users else []
    return DemoResult(seed=seed, state=builder.state, counts=counts, credentials=credentials)


def _counts(session: Session) -> dict[str, int]:
    kinds = (Region, District, School, Contact, Provider, Program, Practice)
    return {
        k.__tablename__: int(session.scalar(select(func.count()).select_from(k)) or 0)
        for k in kinds
    }


def _make_users(session: Session, actor: Principal, district: District) -> list[Credential]:
    """One user per role with a fresh random password and token; existing usernames are kept."""
    out = []
    for username, role in DEMO_USERS:
        if session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        password = secrets.token_urlsafe(12)
        nces = district.nces_id if role == "district_user" else None
        auth.create_user(
            session,
            actor,
            username=username,
            role=role,
            password=password,
            display_name=f"Demo {role.replace('_', ' ')}",
            email=f"{username}@demo.example.org",
            district_nces_id=nces,
        )
        _row, token = auth.create_token(session, actor, username=username, name="demo")
        scope = f"{district.name} ({district.nces_id})" if nces else "statewide"
        out.append(Credential(username, role, scope, password, token))
    return out


__all__ = ["DEMO_USERS", "Credential", "DemoResult", "is_loaded", "load"]
