"""Each program and practice filter field on its own, and who sees which practices."""

from typing import Any

import pytest
from sqlalchemy.orm import Session

from hub.auth.policy import ANONYMOUS, Principal
from hub.directory import service as directory
from hub.directory.models import Practice, Program
from hub.directory.schemas import PracticeFilter, PracticeStatus, ProgramFilter, RatingInput
from hub.pagination import PageArgs
from tests import factories as f

VIEWER = Principal(user_id=7, username="viewer", role="viewer")


def titles(session: Session, **filter: Any) -> set[str]:
    page = directory.list_programs(
        session, filter=ProgramFilter(**filter), page=PageArgs(first=100)
    )
    return {p.title for p in page.items}


def practice_titles(session: Session, principal: Principal, **filter: Any) -> set[str]:
    page = directory.list_practices(
        session, principal, filter=PracticeFilter(**filter), page=PageArgs(first=100)
    )
    return {p.title for p in page.items}


@pytest.fixture
def catalog(session: Session) -> dict[str, Program]:
    """Two programs that differ in every filterable field."""
    tier1 = RatingInput(tier="tier-1", source="RCT")
    a = f.program(
        session,
        title="Alpha",
        topics=["threat-assessment"],
        phases=["prevention"],
        audiences=["teachers"],
        delivery_modes=["in-person"],
        free=True,
        ratings=[tier1],
    )
    b = f.program(
        session,
        title="Beta",
        topics=["mental-health"],
        phases=["recovery"],
        audiences=["students"],
        delivery_modes=["self-paced"],
        free=False,
        ratings=[RatingInput(tier="tier-4", source="Logic model")],
    )
    return {"a": a, "b": b}


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"topics": ["threat-assessment"]}, {"Alpha"}),
        ({"phases": ["recovery"]}, {"Beta"}),
        ({"audiences": ["teachers"]}, {"Alpha"}),
        ({"delivery_modes": ["self-paced"]}, {"Beta"}),
        ({"evidence_tiers": ["tier-1"]}, {"Alpha"}),
        ({"evidence_tiers": ["tier-1", "tier-4"]}, {"Alpha", "Beta"}),
        ({"free": True}, {"Alpha"}),
        ({"free": False}, {"Beta"}),
        ({"origin": "state"}, {"Alpha", "Beta"}),
        ({"origin": "elsewhere"}, set()),
        ({"topics": ["threat-assessment"], "free": False}, set()),
        ({}, {"Alpha", "Beta"}),
    ],
)
def test_each_program_filter_field(
    session: Session, catalog: dict[str, Program], filter: dict[str, Any], expected: set[str]
) -> None:
    assert titles(session, **filter) == expected


@pytest.fixture
def practices(session: Session) -> dict[str, Practice]:
    d = f.district(session)
    other = f.district(session)
    rows = {
        status: f.practice(session, title=f"P-{status}", status=PracticeStatus(status))
        for status in ("draft", "approved", "published")
    }
    mine = f.practice(session, title="P-mine", status=PracticeStatus.SUBMITTED)
    mine.submitted_by_district_id = d.id
    theirs = f.practice(session, title="P-theirs", status=PracticeStatus.SUBMITTED)
    theirs.submitted_by_district_id = other.id
    session.flush()
    return {**rows, "mine": mine, "theirs": theirs, "district": d}  # type: ignore[dict-item]


def test_who_sees_which_practices(session: Session, practices: dict[str, Any]) -> None:
    everyone = {"P-draft", "P-approved", "P-published", "P-mine", "P-theirs"}
    assert practice_titles(session, f.ADMIN) == everyone
    assert practice_titles(session, ANONYMOUS) == {"P-published"}
    assert practice_titles(session, VIEWER) == {"P-published"}
    district_user = f.district_user(practices["district"])
    assert practice_titles(session, district_user) == {"P-published", "P-mine"}
    # Filtering by status never widens what a caller may see.
    assert practice_titles(session, ANONYMOUS, status=["draft", "submitted"]) == set()
    assert practice_titles(session, f.ADMIN, status=["submitted"]) == {"P-mine", "P-theirs"}
    assert directory.get_practice(session, ANONYMOUS, practice_id=practices["draft"].id) is None
    found = directory.get_practice(session, district_user, practice_id=practices["mine"].id)
    assert found is not None
    assert found.title == "P-mine"
