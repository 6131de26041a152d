"""Upstream CAP 1.2 messages read safely and made into alert drafts for review."""

import re
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.alerts import service as alerts
from hub.alerts.cap import NS, q, schema_problem
from hub.alerts.cap_export import (
    CATEGORY_PARAMETER,
    FIPS6,
    LEAID,
    SAME,
    SRP_PARAMETER,
    open_districts,
)
from hub.alerts.models import Alert
from hub.alerts.schemas import NOT_REAL, SRP_LABEL, AlertInput
from hub.auth import policy
from hub.auth.policy import Action, Principal
from hub.directory import taxonomy
from hub.directory.demo.places import STATE_FIPS
from hub.directory.models import District
from hub.errors import Conflict, InvalidInput

# System messages test the network: the nearest is our Test. Draft is missing on purpose: a
# CAP Draft is not meant to be acted on (Ack and Error, answers to other messages, neither).
STATUS = {"Actual": "Actual", "Exercise": "Exercise", "Test": "Test", "System": "Test"}
# A Private message's addresses are the sender's recipients, not ours.
SCOPE = {"Public": "Public", "Restricted": "Restricted", "Private": "Restricted"}
# Every CAP category → a hub category. The first seven reverse CAP_CATEGORY (Security is taken
# as a threat of violence, not a cyber incident); the rest are the nearest school concern:
# earthquakes and general safety notices inform, fires and pollution are handled like hazardous
# materials (shelter in place or evacuate), transport disruption like infrastructure.
FROM_CAP_CATEGORY = {
    "Met": "weather",
    "Security": "violence-threat",
    "CBRNE": "hazmat",
    "Health": "public-health",
    "Infra": "infrastructure",
    "Rescue": "missing-child",
    "Other": "information",
    "Geo": "information",
    "Safety": "information",
    "Fire": "hazmat",
    "Env": "hazmat",
    "Transport": "infrastructure",
}
# The response types that name an SRP action; the others (Prepare, Avoid, Monitor…) name none.
FROM_CAP_RESPONSE = {"Shelter": "shelter", "Evacuate": "evacuate", "AllClear": "all-clear"}
FROM_SRP_LABEL = {label: action for action, label in SRP_LABEL.items()}
UGC_COUNTY = re.compile(r"^([A-Z]{2})C(\d{3})$")
DIGITS = re.compile(r"^\d+$")
SOURCE_LENGTH = 400  # Alert.source


@dataclass(frozen=True)
class ParsedArea:
    """One `area`: its description and its geocodes as (valueName, value)."""

    desc: str
    geocodes: list[tuple[str, str]]


@dataclass(frozen=True)
class ParsedInfo:
    """The `info` block a draft is made from."""

    language: str
    categories: list[str]
    event: str
    response_types: list[str]
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    expires: datetime | None
    parameters: list[tuple[str, str]]
    areas: list[ParsedArea]


@dataclass(frozen=True)
class ParsedCap:
    """A valid CAP 1.2 message. `references` are "sender,identifier,sent" triples as written;
    `reference` is this message's own triple (what later Updates and Cancels will cite)."""

    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    references: list[str]
    reference: str
    info: ParsedInfo | None


def _text(parent: Element, name: str) -> str:
    child = parent.find(q(name))
    return (child.text or "").strip() if child is not None else ""


def _pairs(parent: Element, name: str) -> list[tuple[str, str]]:
    return [(_text(p, "valueName"), _text(p, "value")) for p in parent.findall(q(name))]


def _line(text: str) -> str:
    """One-line fields (event, headline, areaDesc) often arrive wrapped: join the lines."""
    return " ".join(text.split())


def _time(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _xml(data: bytes) -> Element:
    """The document's root, parsed with DTDs, entities and external references refused."""
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise InvalidInput(
            f"refused: the message declares a DTD or entities ({type(exc).__name__}). CAP "
            "messages need neither, and they can read local files or expand without bound"
        ) from None
    except ParseError as exc:
        raise InvalidInput(f"not well-formed XML: {exc}") from None


def parse_cap(data: bytes) -> ParsedCap:
    """Read a CAP 1.2 message; InvalidInput says what is wrong when it is unsafe, not XML,
    not CAP 1.2 or not valid against the schema."""
    root = _xml(data)
    if root.tag != q("alert"):
        namespace, _, name = root.tag.rpartition("}")
        raise InvalidInput(
            f"not a CAP 1.2 message: the document is <{name}> in the namespace "
            f"{namespace.lstrip('{') or '(none)'}, expected <alert> in {NS}"
        )
    problem = schema_problem(root)
    if problem is not None:
        raise InvalidInput(f"not a valid CAP 1.2 message: {problem}")
    infos = root.findall(q("info"))
    english = [i for i in infos if _english(_text(i, "language"))]
    sender, identifier, sent = (_text(root, n) for n in ("sender", "identifier", "sent"))
    return ParsedCap(
        identifier=identifier,
        sender=sender,
        sent=datetime.fromisoformat(sent),
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=_text(root, "references").split(),
        reference=f"{sender},{identifier},{sent}",
        info=_info((english or infos)[0]) if infos else None,
    )


def _english(language: str) -> bool:
    """CAP's language is en-US when absent; the hub's reviewers read English."""
    return language.lower() in ("", "en") or language.lower().startswith("en-")


def _info(info: Element) -> ParsedInfo:
    return ParsedInfo(
        language=_text(info, "language") or "en-US",
        categories=[(c.text or "").strip() for c in info.findall(q("category"))],
        event=_line(_text(info, "event")),
        response_types=[(r.text or "").strip() for r in info.findall(q("responseType"))],
        urgency=_text(info, "urgency"),
        severity=_text(info, "severity"),
        certainty=_text(info, "certainty"),
        headline=_line(_text(info, "headline")),
        description=_text(info, "description"),
        instruction=_text(info, "instruction"),
        expires=_time(_text(info, "expires")),
        parameters=_pairs(info, "parameter"),
        areas=[
            ParsedArea(_line(_text(a, "areaDesc")), _pairs(a, "geocode"))
            for a in info.findall(q("area"))
        ],
    )


def _county(name: str, value: str) -> str | None:
    """The 5-digit county FIPS a geocode names ("SS000": the whole state), if it names one:
    SAME is PSSCCC (P a part of the county), FIPS6 and FIPS end with SSCCC, a UGC county code
    is like MDC031. UGC zones (MDZ011) would need the NWS zone-county table: not read."""
    name = name.upper()
    if name == SAME and len(value) == 6 and DIGITS.match(value):
        return value[1:]
    if name in (FIPS6, "FIPS") and len(value) >= 5 and DIGITS.match(value):
        return value[-5:]
    ugc = UGC_COUNTY.match(value.upper()) if name == "UGC" else None
    if ugc and ugc[1] in STATE_FIPS:
        return STATE_FIPS[ugc[1]] + ugc[2]
    return None


def _targets(session: Session, areas: list[ParsedArea]) -> dict[str, list[str]]:
    """The counties and districts of `areas` that the hub has open districts in (two queries)."""
    codes = [code for area in areas for code in area.geocodes]
    wanted = [f for f in (_county(n, v) for n, v in codes) if f]
    leaids = [v for n, v in codes if n.upper() == LEAID]
    live = open_districts()
    known = session.scalars(
        select(District.county_fips).where(live, District.county_fips.is_not(None)).distinct()
    )
    states = {f[:2] for f in wanted if f.endswith("000")}
    counties = sorted({f for f in known if f and (f in wanted or f[:2] in states)})
    districts: list[str] = []
    if leaids:
        query = select(District.nces_id).where(live, District.nces_id.in_(leaids))
        districts = sorted(session.scalars(query))
    if not (counties or districts):
        listed = ", ".join(f"{n} {v}" for n, v in codes[:10]) or "none"
        raise InvalidInput(
            "the message concerns no county or district the hub has: its geocodes are "
            f"{listed} (counties are read from SAME, FIPS6, FIPS and UGC county codes, "
            "districts from NCES-LEAID)",
            field="targets",
        )
    return {"counties": counties, "districts": districts}


def _category(info: ParsedInfo, parameters: dict[str, str]) -> str:
    slug = parameters.get(CATEGORY_PARAMETER, "")
    if slug in taxonomy.load().slugs("alert_categories"):
        return slug
    return FROM_CAP_CATEGORY[info.categories[0]]


def _response(info: ParsedInfo, parameters: dict[str, str]) -> str | None:
    if action := FROM_SRP_LABEL.get(parameters.get(SRP_PARAMETER, "")):
        return action
    return next((FROM_CAP_RESPONSE[r] for r in info.response_types if r in FROM_CAP_RESPONSE), None)


def _clip(text: str, limit: int) -> str:
    # The draft's source (the message's reference) leads back to the full text.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _headline(info: ParsedInfo) -> str:
    """The headline without a partner hub's EXERCISE/TEST prefix, which our own export adds."""
    text = info.headline or info.event
    for prefix in NOT_REAL.values():
        text = text.removeprefix(f"{prefix}: ")
    return text


def draft_input(session: Session, parsed: ParsedCap) -> AlertInput:
    """The AlertInput a reviewer starts from: a partner hub's HubCategory and SRP parameters
    win over the CAP category and responseType; it goes by e-mail to every role of the counties
    and districts the hub has, unless the reviewer changes that."""
    if parsed.status not in STATUS:
        raise InvalidInput(
            f"a CAP {parsed.status} message is not meant to be acted on: nothing to draft",
            field="status",
        )
    if parsed.msg_type not in ("Alert", "Update", "Cancel"):
        raise InvalidInput(
            f"a CAP {parsed.msg_type} message answers another message: it carries no alert",
            field="msgType",
        )
    info = parsed.info
    if info is None:
        raise InvalidInput("the message has no <info> block: there is nothing to draft from")
    parameters = dict(info.parameters)
    values = {
        "status": STATUS[parsed.status],
        "scope": SCOPE[parsed.scope],
        "category": _category(info, parameters),
        "event": _clip(info.event, 200),
        "urgency": info.urgency,
        "severity": info.severity,
        "certainty": info.certainty,
        "response": _response(info, parameters),
        "headline": _clip(_headline(info), 160),
        "description": _clip(info.description, 5000),
        "instruction": _clip(info.instruction, 2000),
        "expires": info.expires,
        "targets": _targets(session, info.areas),
        "channels": ["email"],
    }
    try:
        return AlertInput.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(
            f"the CAP message does not make a valid alert: {where}: {first['msg']}", field=where
        ) from None


def import_cap(session: Session, principal: Principal, data: bytes) -> Alert:
    """A draft for review made from an upstream CAP message, its reference kept as the draft's
    source; Conflict when that message was imported already."""
    policy.require(principal, Action.COMPOSE_ALERT)
    parsed = parse_cap(data)
    if len(parsed.reference) > SOURCE_LENGTH:
        raise InvalidInput(f"the message's sender and identifier pass {SOURCE_LENGTH} characters")
    earlier = session.scalar(select(Alert.id).where(Alert.source == parsed.reference).limit(1))
    if earlier is not None:
        raise Conflict(f"this CAP message was imported already, as alert {earlier}")
    data_in = draft_input(session, parsed)
    return alerts.create_alert(session, principal, data=data_in, source=parsed.reference)
