"""Targets resolved into recipients: geography by roles by channels, closed places left out, and
one query whatever the number of targets."""

from sqlalchemy.orm import Session

from hub.alerts import targeting
from tests import factories as f
from tests.sql_count import statements


def _names(session: Session, targets: dict[str, object], channels: list[str]) -> list[str]:
    from hub.directory.models import Contact

    found = targeting.recipients(session, targets, channels)
    return sorted(f"{session.get(Contact, r.contact_id).name}/{r.channel}" for r in found)  # type: ignore[union-attr]


def test_geography_roles_and_channels(session: Session) -> None:
    north = f.region(session, code="NORTH")
    a = f.district(session, region=north, county_fips="99001")
    b = f.district(session, county_fips="99002")
    closed = f.district(session, county_fips="99001", closed=True)
    school = f.school(session, b)
    shut = f.school(session, b, closed=True)
    f.contact(session, a, name="A supt", email="a@example.org", channels=["email"])
    f.contact(
        session,
        a,
        name="A safety",
        role="safety-director",
        email="as@example.org",
        phone="+12025550143",
        channels=["email", "sms"],
    )
    f.contact(session, b, name="B supt", email="b@example.org", channels=["email"])
    f.contact(
        session,
        school_row=school,
        name="B principal",
        role="principal",
        email="bp@example.org",
        channels=["email"],
    )
    f.contact(
        session,
        school_row=shut,
        name="Shut principal",
        role="principal",
        email="sp@example.org",
        channels=["email"],
    )
    f.contact(session, closed, name="Closed supt", email="c@example.org", channels=["email"])
    # E-mail only: takes no SMS however the alert asks.
    email_sms = ["email", "sms"]
    assert _names(session, {"regions": ["NORTH"]}, email_sms) == [
        "A safety/email",
        "A safety/sms",
        "A supt/email",
    ]
    assert _names(session, {"counties": ["99001"]}, ["sms"]) == ["A safety/sms"]
    assert _names(session, {"districts": [b.nces_id]}, ["email"]) == [
        "B principal/email",
        "B supt/email",
    ]
    assert _names(session, {"schools": [school.nces_id]}, ["email"]) == ["B principal/email"]
    assert _names(session, {"state": True, "roles": ["superintendent"]}, ["email"]) == [
        "A supt/email",
        "B supt/email",
    ]
    counts = targeting.count(session, {"state": True}, email_sms)
    assert counts == {"contacts": 4, "email": 4, "sms": 1}


def test_resolving_is_one_statement_however_many_targets(session: Session) -> None:
    districts = [f.district(session) for _ in range(5)]
    for d in districts:
        f.contact(session, d, email="x@example.org", channels=["email"])
    for n in (1, 5):
        targets = {"districts": [d.nces_id for d in districts[:n]], "counties": ["99009"] * n}
        with statements(session) as seen:
            found = list(targeting.recipients(session, targets, ["email"]))
        assert len(found) == n
        assert len(seen) == 1
