"""The directory pages: search and filters against the database, paging, messages beside bad
fields, what each role sees of contacts, and a district editing and confirming its contacts."""

import html
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit import AuditEntry
from hub.db import utcnow
from hub.directory.models import (
    Contact,
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    School,
    Term,
    practice_terms,
    program_terms,
)
from tests import factories as f
from tests.sql_count import statements
from tests.web.conftest import Console, csrf_of

PROGRAM_LINK = re.compile(r'<h3><a href="/programs/(\d+)">')
PRACTICE_LINK = re.compile(r'<h3><a href="/practices/(\d+)">')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
PREVIOUS = re.compile(r'<a href="([^"]+)" rel="prev">')
SHOWING = re.compile(r"Showing (\d+)\u2013(\d+) of (\d+)")
EOP_TOPICS = [
    "emergency-operations-planning",
    "family-reunification",
    "incident-command",
    "continuity-recovery",
]


def listed(client: TestClient, url: str, link: re.Pattern[str] = PROGRAM_LINK) -> list[int]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return [int(i) for i in link.findall(answer.text)]


def field_message(page: str, field_id: str) -> str:
    """The message right after the input `field_id`, which must point at it and be invalid."""
    found = re.search(
        rf'<input id="{field_id}"([^>]*)>\s*'
        rf'<p class="field-error" id="{field_id}-error">([^<]+)</p>',
        page,
    )
    assert found, f"no message beside #{field_id}"
    attributes = found.group(1)
    assert 'aria-invalid="true"' in attributes
    assert re.search(rf'aria-describedby="[^"]*{field_id}-error', attributes)
    return html.unescape(found.group(2))


def live_programs(session: Session) -> set[int]:
    return set(session.scalars(select(Program.id).where(Program.deleted.is_(False))))


def tagged(
    session: Session, vocabulary: str, slugs: list[str], practices: bool = False
) -> set[int]:
    table = practice_terms if practices else program_terms
    owner = table.c.practice_id if practices else table.c.program_id
    return set(
        session.scalars(
            select(owner)
            .join(Term, Term.id == table.c.term_id)
            .where(Term.vocabulary == vocabulary, Term.slug.in_(slugs))
        )
    )


def rated(session: Session, tier: str) -> set[int]:
    return {
        i
        for i in session.scalars(
            select(EvidenceRating.program_id)
            .join(Term, Term.id == EvidenceRating.tier_id)
            .where(Term.slug == tier)
        )
        if i is not None
    }


def open_to(session: Session, district: District) -> set[int]:
    """Programs offered to `district`, worked out in Python from the availability rows."""
    places: dict[int, list[ProgramAvailability]] = {}
    for row in session.scalars(select(ProgramAvailability)):
        places.setdefault(row.program_id, []).append(row)
    region = district.region.code if district.region else None
    wanted = {("state", district.state), ("region", region), ("district", district.nces_id)}
    return {
        p
        for p in live_programs(session)
        if p not in places or any((r.scope, r.code) in wanted for r in places[p])
    }


def test_program_search_and_each_filter_narrow_as_the_database_says(console: Console) -> None:
    s, client = console.session, console.browser()
    every = live_programs(s)
    assert set(listed(client, "/programs?size=100")) == every
    free = set(s.scalars(select(Program.id).where(Program.free.is_(True))))
    unrated = every - {i for i in s.scalars(select(EvidenceRating.program_id)) if i is not None}
    other = s.scalars(select(District).where(District.id != console.district.id)).first()
    assert other is not None
    cases = {
        "topic=emergency-operations-planning": tagged(s, "topics", EOP_TOPICS),
        "topic=family-reunification&topic=cyber-security": tagged(
            s, "topics", ["family-reunification", "cyber-security"]
        ),
        "phase=recovery": tagged(s, "phases", ["recovery"]),
        "audience=families": tagged(s, "audiences", ["families"]),
        "tier=tier-1": rated(s, "tier-1"),
        "tier=unrated": rated(s, "unrated") | unrated,
        "mode=document": tagged(s, "delivery_modes", ["document"]),
        "free=yes": free,
        "free=no": every - free,
        f"district={other.nces_id}": open_to(s, other),
        "topic=emergency-operations-planning&free=yes": tagged(s, "topics", EOP_TOPICS) & free,
    }
    for query, expected in cases.items():
        expected &= every
        assert expected, f"{query} matches nothing in the demo data: a weak test"
        assert expected != every, f"{query} does not narrow the demo data: a weak test"
        assert set(listed(client, f"/programs?size=100&{query}")) == expected, query

    found = set(listed(client, "/programs?size=100&q=reunification"))
    titled = set(s.scalars(select(Program.id).where(Program.title.like("%Reunification%"))))
    assert titled <= found < every
    for program in s.scalars(select(Program).where(Program.id.in_(found))):
        text = f"{program.title} {program.summary} {program.description}".lower()
        assert "reunif" in text

    # A district user's "my district" checkbox is the NCES id filter on their own district.
    mine = console.signed_in("district")
    page = mine.get("/programs").text
    assert 'name="mine"' in page
    assert 'name="district"' not in page
    assert set(listed(mine, "/programs?size=100&mine=1")) == open_to(s, console.district)
    assert 'name="district"' in client.get("/programs").text


def test_practice_filters_and_visibility_follow_the_database(console: Console) -> None:
    s = console.session
    live = Practice.deleted.is_(False)
    published = set(s.scalars(select(Practice.id).where(live, Practice.status == "published")))
    anonymous = console.browser()
    assert set(listed(anonymous, "/practices?size=100", PRACTICE_LINK)) == published
    # Anonymous readers have no status filter: asking for drafts still shows published ones.
    assert set(listed(anonymous, "/practices?size=100&status=draft", PRACTICE_LINK)) == published
    topic = tagged(s, "topics", EOP_TOPICS, practices=True) & published
    assert topic
    assert topic != published
    got = listed(
        anonymous, "/practices?size=100&topic=emergency-operations-planning", PRACTICE_LINK
    )
    assert set(got) == topic

    drafts = set(s.scalars(select(Practice.id).where(live, Practice.status == "draft")))
    admin = console.signed_in("admin")
    assert drafts
    assert set(listed(admin, "/practices?size=100&status=draft", PRACTICE_LINK)) == drafts
    draft = min(drafts)
    assert anonymous.get(f"/practices/{draft}").status_code == 404
    assert admin.get(f"/practices/{draft}").status_code == 200


def test_paging_walks_every_result_once_and_keeps_the_filters(console: Console) -> None:
    client = console.browser()
    every = live_programs(console.session)
    seen: list[int] = []
    url = "/programs?size=25"
    pages = []
    while url:
        page = client.get(url if url.startswith("/") else "/programs" + url).text
        ids = [int(i) for i in PROGRAM_LINK.findall(page)]
        first, last, total = map(int, SHOWING.search(page).groups())  # type: ignore[union-attr]
        assert (first, last, total) == (len(seen) + 1, len(seen) + len(ids), len(every))
        seen += ids
        pages.append((url, ids))
        nxt = NEXT.search(page)
        url = html.unescape(nxt.group(1)) if nxt else ""
    assert len(pages) == -(-len(every) // 25)
    assert len(seen) == len(set(seen))
    assert set(seen) == every
    # "Previous" from the second page is the first page again.
    second = client.get("/programs" + pages[1][0]).text
    back = PREVIOUS.search(second)
    assert back
    assert listed(client, "/programs" + html.unescape(back.group(1))) == pages[0][1]

    topic = tagged(console.session, "topics", EOP_TOPICS) & every
    url, walked = "?topic=emergency-operations-planning&size=5", []
    while url:
        page = client.get("/programs" + url).text
        walked += [int(i) for i in PROGRAM_LINK.findall(page)]
        nxt = NEXT.search(page)
        url = html.unescape(nxt.group(1)) if nxt else ""
    assert len(topic) > 5
    assert set(walked) == topic
    assert len(walked) == len(topic)


def test_a_bad_filter_value_is_a_message_beside_its_field(console: Console) -> None:
    client = console.browser()
    answer = client.get("/programs?district=12ab")
    assert answer.status_code == 422
    assert "exactly 7 digits" in field_message(answer.text, "f-district")
    assert 'role="alert"' in answer.text
    assert not PROGRAM_LINK.search(answer.text)

    answer = client.get("/programs?district=0000001")
    assert answer.status_code == 422
    assert "No district with NCES id 0000001" in field_message(answer.text, "f-district")

    answer = client.get("/programs?topic=nope&topic=cyber-security")
    assert answer.status_code == 422
    fieldset = re.search(
        r'<fieldset id="f-topic" aria-describedby="f-topic-error">\s*<legend>Topics</legend>\s*'
        r'<p class="field-error" id="f-topic-error">([^<]+)</p>',
        answer.text,
    )
    assert fieldset
    assert "&#39;nope&#39; is not among the choices" in fieldset.group(1)
    # The typed choices are kept.
    assert 'value="cyber-security" checked' in answer.text

    answer = client.get("/practices?size=1000&after=not-a-cursor")
    assert answer.status_code == 422
    assert "out of date" in answer.text
    assert "between 1 and 100" in answer.text


def queries(client: TestClient, session: Session, url: str) -> tuple[int, str]:
    """How many SQL statements the page ran (the test's savepoints aside), and the page."""
    with statements(session) as seen:
        page = client.get(url).text
    return len([s for s in seen if not s.startswith(("SAVEPOINT", "RELEASE"))]), page


def test_the_program_list_costs_the_same_statements_at_any_page_size(console: Console) -> None:
    s = console.session
    for client in (console.browser(), console.signed_in("district")):
        for query in ("", "&q=school&free=yes"):
            small, page = queries(client, s, f"/programs?size=5{query}")
            assert len(PROGRAM_LINK.findall(page)) == 5
            large, page = queries(client, s, f"/programs?size=50{query}")
            assert len(PROGRAM_LINK.findall(page)) > 5
            assert small == large
    # count, page, then terms, ratings and providers of the page's programs.
    assert queries(console.browser(), s, "/programs?size=50")[0] == 5
    small = queries(console.browser(), s, "/practices?size=5")[0]
    assert small == queries(console.browser(), s, "/practices?size=50")[0] == 4


def test_program_page_shows_ratings_and_contact_details_only_to_whom_the_policy_allows(
    console: Console,
) -> None:
    s = console.session
    program = next(
        p
        for p in s.scalars(
            select(Program).where(Program.contact_id.is_not(None)).order_by(Program.id)
        )
        if p.ratings
    )
    contact = s.get(Contact, program.contact_id)
    assert contact is not None
    assert contact.email
    assert contact.phone
    anonymous = console.browser().get(f"/programs/{program.id}").text
    for rating in program.ratings:
        assert html.escape(rating.tier.label) in anonymous
        assert html.escape(rating.source) in anonymous
    topic = next(t for t in program.terms if t.vocabulary == "topics")
    assert html.escape(topic.label) in anonymous
    assert html.escape(contact.name) in anonymous
    assert contact.email not in anonymous
    assert contact.phone not in anonymous
    staff = console.signed_in("author").get(f"/programs/{program.id}").text
    assert contact.email in staff
    assert f'href="tel:{contact.phone}"' in staff
    assert contact.email not in console.signed_in("viewer").get(f"/programs/{program.id}").text
    assert console.browser().get("/programs/999999").status_code == 404


def test_practice_page_renders_markdown_safely(console: Console) -> None:
    practice = f.practice(
        console.session,
        body="## Steps\n\n<script>alert(1)</script>\n\n**Drill** [x](javascript:alert(1))",
        status="published",
    )
    page = console.browser().get(f"/practices/{practice.id}").text
    assert "<h2>Steps</h2>" in page
    assert "<strong>Drill</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page


def test_district_page_shows_contact_details_and_edit_buttons_only_when_permitted(
    console: Console,
) -> None:
    d = console.district
    contact = console.session.scalars(
        select(Contact).where(Contact.district_id == d.id, Contact.school_id.is_(None))
    ).first()
    assert contact is not None
    assert contact.email
    other = console.session.scalars(select(District).where(District.id != d.id)).first()
    assert other is not None

    def page(who: str | None, district: District = d) -> str:
        client = console.signed_in(who) if who else console.browser()
        answer = client.get(f"/districts/{district.nces_id}")
        assert answer.status_code == 200
        return answer.text

    for who, details, edit in [
        (None, False, False),
        ("viewer", False, False),
        ("author", True, False),
        ("district", True, True),
        ("admin", True, True),
    ]:
        text = page(who)
        assert html.escape(contact.name) in text
        assert (contact.email in text) is details, who
        assert ("Edit contacts" in text) is edit, who
        assert ("Confirm contacts are current" in text) is edit, who
        assert ("last confirmed as current" in text) is edit, who
    assert "<table>" in page(None)
    school = console.session.scalars(select(School).where(School.district_id == d.id)).first()
    assert school is not None
    assert html.escape(school.name) in page(None)
    neighbour = page("district", other)
    assert "Edit contacts" not in neighbour
    assert "@" not in neighbour.split('id="contacts"')[1].split('id="programs"')[0]
    assert console.browser().get("/districts/12").status_code == 422
    assert console.browser().get("/districts/0000001").status_code == 404


def _contact(console: Console, district: District | None = None) -> Contact:
    d = district or console.district
    row = console.session.scalars(
        select(Contact).where(Contact.district_id == d.id).order_by(Contact.id)
    ).first()
    assert row is not None
    return row


def _form(contact: Contact, csrf: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf": csrf,
        "name": contact.name,
        "title": contact.title or "",
        "role": contact.role,
        "email": contact.email or "",
        "phone": contact.phone or "",
        "channels": list(contact.channels),
    }
    return data | changes


def test_only_the_districts_own_user_or_an_admin_may_open_its_contact_pages(
    console: Console,
) -> None:
    d = console.district
    other = console.session.scalars(select(District).where(District.id != d.id)).first()
    assert other is not None
    theirs = _contact(console, other)
    district = console.signed_in("district")
    assert district.get(f"/districts/{d.nces_id}/contacts").status_code == 200
    assert district.get(f"/districts/{other.nces_id}/contacts").status_code == 403
    refused = district.get(f"/districts/{other.nces_id}/contacts/{theirs.id}")
    assert refused.status_code == 403
    assert "may not manage" in refused.text
    # Another district's contact under one's own district's address is not there.
    assert district.get(f"/districts/{d.nces_id}/contacts/{theirs.id}").status_code == 404
    csrf = csrf_of(district.get(f"/districts/{d.nces_id}").text)
    answer = district.post(
        f"/districts/{other.nces_id}/contacts/{theirs.id}", data=_form(theirs, csrf, name="X")
    )
    assert answer.status_code == 403
    console.session.expire_all()
    assert console.session.get(Contact, theirs.id).name != "X"  # type: ignore[union-attr]
    assert console.signed_in("author").get(f"/districts/{d.nces_id}/contacts").status_code == 403
    assert console.signed_in("admin").get(f"/districts/{other.nces_id}/contacts").status_code == 200
    anonymous = console.browser().get(f"/districts/{d.nces_id}/contacts", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == f"/login?next=%2Fdistricts%2F{d.nces_id}%2Fcontacts"


def _audits(session: Session, action: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )
        or 0
    )


def test_a_bad_phone_number_comes_back_beside_the_field_and_nothing_is_written(
    console: Console,
) -> None:
    contact = _contact(console)
    before = (contact.name, contact.phone, contact.version)
    client = console.signed_in("district")
    url = f"/districts/{console.district.nces_id}/contacts/{contact.id}"
    csrf = csrf_of(client.get(url).text)
    updates = _audits(console.session, "contact.update")
    answer = client.post(url, data=_form(contact, csrf, name="Renamed Person", phone="555"))
    assert answer.status_code == 422
    assert "phone number" in field_message(answer.text, "contact-phone")
    assert 'value="Renamed Person"' in answer.text
    assert 'value="555"' in answer.text
    assert "The contact was not saved" in answer.text
    console.session.expire_all()
    again = console.session.get(Contact, contact.id)
    assert again is not None
    assert (again.name, again.phone, again.version) == before
    assert _audits(console.session, "contact.update") == updates

    answer = client.post(url, data=_form(contact, csrf, email="not-an-email"))
    assert answer.status_code == 422
    assert "email" in field_message(answer.text, "contact-email").lower()
    answer = client.post(url, data=_form(contact, csrf, email="", channels=["email"]))
    assert answer.status_code == 422
    assert "needs an e-mail address" in answer.text
    assert 'id="contact-channels" aria-describedby="contact-channels-error"' in answer.text


def test_a_good_edit_saves_is_audited_and_says_so(console: Console) -> None:
    contact = _contact(console)
    client = console.signed_in("district")
    nces = console.district.nces_id
    csrf = csrf_of(client.get(f"/districts/{nces}/contacts").text)
    answer = client.post(
        f"/districts/{nces}/contacts/{contact.id}",
        data=_form(contact, csrf, title="Chief of Safety", phone="541-555-0199"),
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/districts/{nces}/contacts?saved=1#contact-{contact.id}"
    shown = client.get(answer.headers["location"]).text
    assert '<p class="notice" role="status">Contact saved.</p>' in shown
    console.session.expire_all()
    saved = console.session.get(Contact, contact.id)
    assert saved is not None
    assert (saved.title, saved.phone) == ("Chief of Safety", "+15415550199")
    entry = console.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "contact.update", AuditEntry.entity_id == str(contact.id)
        )
    ).one()
    assert entry.actor == "district"
    assert entry.after is not None
    assert entry.after["title"] == "Chief of Safety"


def test_adding_a_contact_to_a_school_and_refusing_a_bad_one(console: Console) -> None:
    d = console.district
    school = console.session.scalars(select(School).where(School.district_id == d.id)).first()
    assert school is not None
    client = console.signed_in("district")
    csrf = csrf_of(client.get(f"/districts/{d.nces_id}/contacts").text)
    count = console.session.scalar(select(func.count()).select_from(Contact))
    bad = {"csrf": csrf, "name": "New Person", "role": "principal", "email": "nope"}
    answer = client.post(f"/districts/{d.nces_id}/contacts/new", data=bad)
    assert answer.status_code == 422
    assert field_message(answer.text, "contact-email")
    assert 'value="New Person"' in answer.text
    assert console.session.scalar(select(func.count()).select_from(Contact)) == count
    good = bad | {"email": "new.person@example.org", "school": school.nces_id}
    answer = client.post(f"/districts/{d.nces_id}/contacts/new", data=good, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("?added=1")
    made = console.session.scalars(select(Contact).where(Contact.name == "New Person")).one()
    assert (made.district_id, made.school_id) == (d.id, school.id)
    assert _audits(console.session, "contact.create") >= 1


def test_confirming_sets_verified_at_and_forged_forms_are_refused(console: Console) -> None:
    d = console.district
    client = console.signed_in("district")
    page = client.get(f"/districts/{d.nces_id}").text
    rows = console.session.scalars(
        select(Contact).where(Contact.district_id == d.id, Contact.deleted.is_(False))
    ).all()
    never = [c.id for c in rows if c.verified_at is None]
    assert never
    contact = rows[0]

    forged = client.post(f"/districts/{d.nces_id}/contacts/confirm", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert "came from elsewhere" in forged.text
    forged = client.post(
        f"/districts/{d.nces_id}/contacts/{contact.id}",
        data=_form(contact, "forged", name="Forged Name"),
    )
    assert forged.status_code == 403
    forged = client.post(
        f"/districts/{d.nces_id}/contacts/new", data={"name": "Nobody", "role": "principal"}
    )
    assert forged.status_code == 403
    console.session.expire_all()
    assert console.session.get(Contact, contact.id).name != "Forged Name"  # type: ignore[union-attr]
    assert all(console.session.get(Contact, i).verified_at is None for i in never)  # type: ignore[union-attr]

    start = utcnow() - timedelta(seconds=1)
    answer = client.post(
        f"/districts/{d.nces_id}/contacts/confirm",
        data={"csrf": csrf_of(page), "back": "district"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/districts/{d.nces_id}?confirmed={len(rows)}"
    shown = client.get(answer.headers["location"]).text
    assert f"Confirmed {len(rows)} contacts as current." in shown
    console.session.expire_all()
    for c in console.session.scalars(select(Contact).where(Contact.district_id == d.id)):
        assert c.verified_at is not None
        assert c.verified_at >= start
    assert _audits(console.session, "contact.confirm") == 1
