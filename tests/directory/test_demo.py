"""The demo generator: deterministic from its seed, covers the vocabulary, fills empty only."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.directory import demo, taxonomy
from hub.directory.demo import profiles
from hub.directory.demo.practice_texts import PRACTICES, STORY_TOPICS
from hub.directory.demo.program_texts import PROGRAMS
from hub.directory.models import Contact, District, Program, School
from hub.errors import Conflict


def _fingerprint(session: Session) -> tuple[list[str], list[str], list[str], list[str]]:
    return (
        list(session.scalars(select(District.nces_id + District.name).order_by(District.id))),
        list(session.scalars(select(School.nces_id + School.name).order_by(School.id))),
        list(session.scalars(select(Contact.email).order_by(Contact.id))),
        list(session.scalars(select(Program.title).order_by(Program.id))),
    )


def test_same_seed_same_state_other_seed_other_state(session: Session) -> None:
    runs = []
    for seed in (7, 7, 8):
        with session.begin_nested() as nested:
            demo.load(session, seed=seed, users=False)
            runs.append(_fingerprint(session))
            nested.rollback()
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]


def test_load_refuses_a_directory_with_districts(session: Session) -> None:
    result = demo.load(session, seed=2)
    assert result.counts["districts"] == 50
    assert [c.role for c in result.credentials] == [role for _, role in demo.DEMO_USERS]
    assert demo.is_loaded(session)
    with pytest.raises(Conflict):
        demo.load(session, seed=3)


def test_demo_text_covers_the_taxonomy() -> None:
    tax = taxonomy.load()
    topics = set(tax.slugs("topics"))
    assert set(PROGRAMS) == topics
    assert set(PRACTICES) == topics
    assert set(profiles.PROFILES) == topics
    assert {t for story in STORY_TOPICS for t in story} <= topics
    modes = set(tax.slugs("delivery_modes"))
    assert {m for texts in PROGRAMS.values() for t in texts for m in t.modes} <= modes
    for profile in profiles.PROFILES.values():
        assert set(profile.phases) <= set(tax.slugs("phases"))
        assert set(profile.audiences) <= set(tax.slugs("audiences"))
        assert set(profile.providers) <= {*profiles.PROVIDERS, "center", "esr"}
        assert set(profile.citations) <= set(profiles.CITATIONS)
