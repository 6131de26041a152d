"""The change feed and the rules for applying a partner's changes, on both databases."""

import json
from datetime import UTC, datetime
from typing import Any

import jsonschema
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.directory import service as directory
from hub.directory.models import District, Practice, Program
from hub.federation.apply import Agreement, DeletionsHeld, Outcome, apply_changes, screen
from hub.federation.feed import STAFF, Audience, changes
from hub.provenance import CHANGE_SEQ, Counter
from hub.settings import SCHEMAS_DIR
from tests import factories
from tests.factories import ADMIN
from tests.sql_count import statements as recorded

PARTNER = "state-b"
AGREEMENT = Agreement(
    partner=PARTNER,
    receives=("program", "practice", "district"),
    relays_for=("national",),
    max_delete_share=0.2,
)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _seq(session: Session) -> int:
    return session.scalar(select(Counter.value).where(Counter.name == CHANGE_SEQ)) or 0


def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / f"{kind}.schema.json").read_text())
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _program_payload(**kw: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": "Threat assessment teams",
        "summary": "",
        "description": "",
        "provider": "State B University",
        "topics": ["threat-assessment"],
        "phases": [],
        "audiences": [],
        "delivery_modes": [],
        "free": True,
        "cost_note": None,
        "ratings": [{"tier": "tier-2", "source": "Clearinghouse", "as_of": None, "url": None}],
        "availability": {"states": ["ZZ"], "regions": [], "districts": []},
        "url": None,
        "starts_on": None,
        "ends_on": None,
    }
    payload.update(kw)
    return payload


def _envelope(origin_id: str, version: int = 1, **kw: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "type": "program",
        "origin_center": PARTNER,
        "origin_id": origin_id,
        "version": version,
        "updated_at": NOW.isoformat(),
        "deleted": False,
        "change_seq": 10 + version,
        "payload": _program_payload(title=f"Program {origin_id} v{version}"),
    }
    envelope.update(kw)
    return envelope


def _apply(session: Session, raws: list[dict[str, Any]], **kw: Any) -> Outcome:
    outcome = Outcome()
    accepted = screen(AGREEMENT, raws, outcome)
    apply_changes(session, AGREEMENT, accepted, outcome, **kw)
    session.flush()
    return outcome


def _row(session: Session, origin_id: str) -> Program:
    session.expire_all()
    return session.scalars(
        select(Program).where(Program.origin_center == PARTNER, Program.origin_id == origin_id)
    ).one()


# ---- the feed ----------------------------------------------------------------------------


def test_feed_shows_shareable_records_in_order_without_contact_details(session: Session) -> None:
    since = _seq(session)
    district = factories.district(session)
    contact = factories.contact(
        session, district, email="private@example.org", phone="+13075550123"
    )
    program = factories.program(session, contact_id=contact.id, provider="Safe Schools Inc")
    factories.practice(session, status="draft")
    published = factories.practice(session, status="published")
    page = changes(session, STAFF, since=since, first=50)
    kinds = [(c["type"], c["origin_id"]) for c in page.changes]
    assert kinds == [
        ("district", district.origin_id),
        ("program", program.origin_id),
        ("practice", published.origin_id),
    ]
    text = json.dumps(page.changes)
    assert "private@example.org" not in text
    assert "+13075550123" not in text
    assert "contact_id" not in text
    for change in page.changes:
        errors = list(_validator(change["type"]).iter_errors(change["payload"]))
        assert errors == [], errors
        assert list(_validator("change").iter_errors(change)) == []
    assert page.changes[1]["payload"]["provider"] == "Safe Schools Inc"
    assert not page.has_more
    assert page.cursor == page.changes[-1]["change_seq"]


def test_feed_pages_with_a_cursor_and_tombstones(session: Session) -> None:
    since = _seq(session)
    rows = [factories.program(session) for _ in range(5)]
    directory.retire_program(session, ADMIN, program_id=rows[1].id)
    first = changes(session, STAFF, since=since, first=2)
    assert first.has_more
    rest = changes(session, STAFF, since=first.cursor, first=10)
    assert not rest.has_more
    seen = first.changes + rest.changes
    assert [c["origin_id"] for c in seen] == [
        r.origin_id for r in (rows[0], rows[2], rows[3], rows[4], rows[1])
    ]
    tombstone = seen[-1]
    assert tombstone["deleted"] is True
    assert tombstone["payload"] is None
    assert tombstone["version"] == 2


def test_a_partner_sees_what_its_agreement_shares_and_not_its_own_records(
    session: Session,
) -> None:
    since = _seq(session)
    ours = factories.program(session)
    factories.district(session)
    _apply(session, [_envelope("theirs")])
    _apply(session, [_envelope("relayed", origin_center="national")])
    audience = Audience(types=("program",), partner=PARTNER, origins=("state",))
    page = changes(session, audience, since=since, first=50)
    assert [c["origin_id"] for c in page.changes] == [ours.origin_id]
    relaying = Audience(types=("program",), partner=PARTNER, origins=("state", "national"))
    page = changes(session, relaying, since=since, first=50)
    assert [c["origin_id"] for c in page.changes] == [ours.origin_id, "relayed"]
    staff = changes(session, STAFF, since=since, first=50, types=["program"])
    assert {c["origin_id"] for c in staff.changes} == {ours.origin_id, "theirs", "relayed"}
    with pytest.raises(Exception, match="does not share district"):
        changes(session, audience, since=since, first=50, types=["district"])


def test_feed_statements_do_not_grow_with_page_size(session: Session) -> None:
    since = _seq(session)
    for n in range(12):
        factories.program(session, ratings=[{"tier": "tier-1", "source": f"S{n}"}])
        factories.practice(session, status="published")

    def statements(first: int) -> int:
        with recorded(session) as seen:
            changes(session, STAFF, since=since, first=first)
        return len(seen)

    assert statements(2) == statements(24)


# ---- applying ----------------------------------------------------------------------------


def test_a_partner_record_is_created_updated_and_never_lowered(session: Session) -> None:
    outcome = _apply(session, [_envelope("p1")])
    assert (outcome.created, outcome.rejected) == (1, 0)
    row = _row(session, "p1")
    assert (row.version, row.title, row.free) == (1, "Program p1 v1", True)
    assert [r.tier.slug for r in row.ratings] == ["tier-2"]
    assert [(a.scope, a.code) for a in row.availability] == [("state", "ZZ")]
    assert {t.slug for t in row.terms} == {"threat-assessment"}

    assert _apply(session, [_envelope("p1", 3)]).updated == 1
    assert _row(session, "p1").title == "Program p1 v3"
    for stale in (2, 3):
        outcome = _apply(session, [_envelope("p1", stale)])
        assert (outcome.updated, outcome.skipped) == (0, 1)
    assert (_row(session, "p1").version, _row(session, "p1").title) == (3, "Program p1 v3")


def test_an_update_rewrites_only_the_children_that_changed(session: Session) -> None:
    def children(origin_id: str) -> tuple[set[str], list[tuple[str, str]], set[tuple[str, str]]]:
        row = _row(session, origin_id)
        return (
            {t.slug for t in row.terms},
            [(r.tier.slug, r.source) for r in sorted(row.ratings, key=lambda r: r.id)],
            {(a.scope, a.code) for a in row.availability},
        )

    _apply(session, [_envelope("c1"), _envelope("c2")])
    rating_ids = [r.id for r in _row(session, "c1").ratings]
    same = _envelope("c1", 2, payload=_program_payload(title="Retitled"))
    with recorded(session) as seen:
        assert _apply(session, [same]).updated == 1
    assert not [s for s in seen if s.lstrip().upper().startswith(("DELETE", "INSERT"))]
    assert [r.id for r in _row(session, "c1").ratings] == rating_ids
    assert _row(session, "c1").title == "Retitled"

    ratings = [
        {"tier": "tier-1", "source": "B", "as_of": "2026-01-02", "url": None},
        {"tier": "tier-2", "source": "A", "as_of": None, "url": None},
    ]
    changed = _program_payload(
        topics=["threat-assessment", "bomb-threats"],
        ratings=ratings,
        availability={"states": ["ZZ", "YY"], "regions": [], "districts": []},
    )
    emptied = _program_payload(
        topics=["bomb-threats"],
        ratings=[],
        availability={"states": [], "regions": [], "districts": []},
    )
    outcome = _apply(
        session, [_envelope("c1", 3, payload=changed), _envelope("c2", 2, payload=emptied)]
    )
    assert outcome.updated == 2
    assert children("c1") == (
        {"threat-assessment", "bomb-threats"},
        [("tier-1", "B"), ("tier-2", "A")],
        {("state", "ZZ"), ("state", "YY")},
    )
    assert children("c2") == ({"bomb-threats"}, [], set())
    restored = _program_payload(ratings=list(reversed(ratings)))
    assert _apply(session, [_envelope("c2", 3, payload=restored)]).updated == 1
    assert children("c2") == (
        {"threat-assessment"},
        [("tier-2", "A"), ("tier-1", "B")],
        {("state", "ZZ")},
    )


def test_applied_changes_keep_their_origin_and_version_and_enter_our_feed(
    session: Session,
) -> None:
    since = _seq(session)
    _apply(session, [_envelope("relayed", 4)])
    page = changes(session, STAFF, since=since, first=10)
    assert [(c["origin_center"], c["origin_id"], c["version"]) for c in page.changes] == [
        (PARTNER, "relayed", 4)
    ]


def test_a_tombstone_deletes_and_a_later_version_restores(session: Session) -> None:
    _apply(session, [_envelope(f"t{n}") for n in range(10)])
    outcome = _apply(session, [_envelope("t0", 2, deleted=True, payload=None)])
    assert outcome.deleted == 1
    assert _row(session, "t0").deleted is True
    assert _apply(session, [_envelope("t0", 3)]).updated == 1
    assert _row(session, "t0").deleted is False


def test_the_rules_reject_and_record_and_touch_nothing(session: Session) -> None:
    mine = factories.program(session)
    before = session.scalar(select(func.count()).select_from(Program))
    raws = [
        _envelope("other", origin_center="state-c"),
        _envelope(mine.origin_id, 9, origin_center="state"),
        _envelope("bad", payload=_program_payload(topics=["not-a-topic"])),
        _envelope("untyped", type="alert"),
        {"type": "program", "origin_center": PARTNER},
    ]
    outcome = _apply(session, raws)
    assert outcome.rejected == 5
    reasons = [r["reason"] for r in outcome.rejections]
    assert "may not write records of state-c" in reasons[0]
    assert "records of state are written only here" in reasons[1]
    assert reasons[2].startswith("payload/topics/0:")
    assert reasons[3].startswith("type:")
    assert reasons[4].startswith("origin_id:")
    assert outcome.rejections[2]["origin_id"] == "bad"
    assert session.scalar(select(func.count()).select_from(Program)) == before
    session.refresh(mine)
    assert mine.version == 1


def test_an_agreed_relay_writes_records_of_their_true_origin(session: Session) -> None:
    assert _apply(session, [_envelope("n1", origin_center="national")]).created == 1
    row = session.scalars(select(Program).where(Program.origin_id == "n1")).one()
    assert row.origin_center == "national"


def test_the_deletion_breaker_holds_back_a_mass_deletion_whole(session: Session) -> None:
    _apply(session, [_envelope(f"m{n}") for n in range(10)])
    deleting = [_envelope(f"m{n}", 2, deleted=True, payload=None) for n in range(3)]
    with pytest.raises(DeletionsHeld, match="3 of the 10"):
        _apply(session, [*deleting, _envelope("m9", 2)])
    assert not any(_row(session, f"m{n}").deleted for n in range(3))
    assert _row(session, "m9").version == 1
    assert _apply(session, deleting[:2]).deleted == 2  # 20 % is allowed
    assert _apply(session, [_envelope("m2", 2, deleted=True, payload=None)]).deleted == 1


def test_a_few_deletions_never_trip_the_breaker(session: Session) -> None:
    _apply(session, [_envelope(f"f{n}") for n in range(2)])
    outcome = Outcome()
    agreement = Agreement(PARTNER, ("program",), (), 0.2, min_deletions=10)
    gone = screen(agreement, [_envelope("f0", 2, deleted=True, payload=None)], outcome)
    apply_changes(session, agreement, gone, outcome)
    assert outcome.deleted == 1


def test_released_breaker_lets_the_deletions_through(session: Session) -> None:
    _apply(session, [_envelope(f"r{n}") for n in range(4)])
    deleting = [_envelope(f"r{n}", 2, deleted=True, payload=None) for n in range(4)]
    assert _apply(session, deleting, allow_deletions=True).deleted == 4


def test_practices_and_districts_apply(session: Session) -> None:
    practice = {
        "title": "Reunification drills",
        "summary": "",
        "body": "# Steps",
        "topics": ["family-reunification"],
        "phases": [],
        "ratings": [],
        "citations": [{"title": "Guide", "url": "https://example.org/guide"}],
        "status": "published",
    }
    district = {
        "nces_id": "5600001",
        "name": "Partner District",
        "state": "WY",
        "county_name": None,
        "county_fips": None,
        "street": None,
        "city": "Casper",
        "zip": None,
        "phone": None,
        "website": None,
        "grade_low": "KG",
        "grade_high": "12",
        "charter": False,
        "enrollment": 1200,
        "closed": False,
    }
    outcome = _apply(
        session,
        [
            _envelope("pr1", type="practice", payload=practice),
            _envelope("d1", type="district", payload=district),
            _envelope("pr2", type="practice", payload={**practice, "status": "draft"}),
        ],
    )
    assert (outcome.created, outcome.rejected) == (2, 1)
    assert "only approved or published" in outcome.rejections[0]["reason"]
    row = session.scalars(select(Practice).where(Practice.origin_id == "pr1")).one()
    assert (row.status, row.citations[0]["title"]) == ("published", "Guide")
    assert session.scalars(select(District).where(District.nces_id == "5600001")).one().city == (
        "Casper"
    )
    clash = _apply(session, [_envelope("d2", type="district", payload=district)])
    assert clash.rejected == 1
    assert "is held here as state-b/d1" in clash.rejections[0]["reason"]
    tomb = _apply(
        session,
        [_envelope("pr1", 2, type="practice", deleted=True, payload=None)],
        allow_deletions=True,
    )
    assert tomb.deleted == 1
    session.expire_all()
    assert row.status == "retired"
