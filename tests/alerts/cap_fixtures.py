"""What the CAP tests share: the validator, the spec's examples, alert rows, placed districts."""

import itertools
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import xmlschema
from defusedxml.ElementTree import fromstring
from sqlalchemy.orm import Session

from hub.alerts.cap import NS
from hub.alerts.models import Alert
from hub.auth.policy import Principal
from hub.directory.models import District
from tests import factories as f
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "schemas" / "cap" / "CAP-v1.2.xsd"
EXAMPLES = sorted((SHARED / "cap").glob("*.xml"))
SENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
AUTHOR = Principal(user_id=41, username="cap-author", role="alert_author")


@lru_cache
def validator() -> xmlschema.XMLSchema:
    """The hub's copy of the OASIS schema, through xmlschema (independent of the hub's code)."""
    return xmlschema.XMLSchema(XSD)


def problems(xml: bytes) -> list[str]:
    """Schema errors of `xml`, empty when it is valid CAP 1.2."""
    return [str(e.reason) for e in validator().iter_errors(fromstring(xml))]


def find(root: Element, path: str) -> list[str]:
    """Texts at `path`, written with a `cap:` prefix."""
    return [e.text or "" for e in root.findall(path, {"cap": NS})]


_seq = itertools.count(1)


def alert(**kw: Any) -> Alert:
    """An Alert row (not added to a session) with every column CAP export reads set."""
    n = next(_seq)
    values: dict[str, Any] = {
        "identifier": f"state-20261203-{n:012x}",
        "sender": "state@hub.example.org",
        "status": "Actual",
        "msg_type": "Alert",
        "scope": "Public",
        "category": "weather",
        "event": "Severe thunderstorm",
        "urgency": "Immediate",
        "severity": "Severe",
        "certainty": "Observed",
        "response": "shelter",
        "headline": "Severe thunderstorm: keep students indoors",
        "description": "Storms with hail over the county until 4 pm.",
        "instruction": "Move students away from windows.",
        "expires": None,
        "targets": {"counties": ["24005"]},
        "channels": ["email"],
        "state": "dispatched",
        "author": "author",
        "created_at": SENT,
        "updated_at": SENT,
        "sent_at": SENT,
    }
    values.update(kw)
    return Alert(**values)


def saved_alert(session: Session, **kw: Any) -> Alert:
    row = alert(**kw)
    session.add(row)
    session.flush()
    return row


def county_district(session: Session, fips: str, county: str | None = None, **kw: Any) -> District:
    """A district in county `fips` (named `county`, else "County <fips>")."""
    return f.district(session, county_fips=fips, county_name=county or f"County {fips}", **kw)
