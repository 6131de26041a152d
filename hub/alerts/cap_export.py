"""An alert as a CAP 1.2 message, with its areas resolved from the directory in a few queries."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, tostring

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hub.alerts.cap import NS, cap_time, headline, q
from hub.alerts.models import Alert
from hub.alerts.schemas import CAP_CATEGORY, CAP_RESPONSE, SRP_LABEL
from hub.directory.models import District, Region, School
from hub.settings import get_settings

# Who may see a Restricted message (CAP `restriction`).
RESTRICTION = "School safety officials"
# `parameter` names: the exact SRP action (CAP responseType is coarser) and the hub's category
# slug, so a receiving hub can restore both.
SRP_PARAMETER = "SRP"
CATEGORY_PARAMETER = "HubCategory"
# `geocode` names: NWS/IPAWS county codes ("0" + 5-digit FIPS for both), and the district's
# NCES LEAID for receivers that know districts.
FIPS6, SAME, LEAID = "FIPS6", "SAME", "NCES-LEAID"


@dataclass(frozen=True)
class Area:
    """One CAP `area`: a description, its counties (5-digit FIPS) and its districts (LEAIDs)."""

    desc: str
    fips: list[str] = field(default_factory=list)
    leaids: list[str] = field(default_factory=list)


def _add(parent: Element, name: str, text: str) -> Element:
    child = SubElement(parent, q(name))
    child.text = text
    return child


def _pair(parent: Element, name: str, value_name: str, value: str) -> None:
    pair = SubElement(parent, q(name))
    _add(pair, "valueName", value_name)
    _add(pair, "value", value)


def reference(alert: Alert) -> str:
    """How a CAP `references` list names `alert`: sender,identifier,sent."""
    return f"{alert.sender},{alert.identifier},{cap_time(alert.sent_at or alert.created_at)}"


def _addresses(areas: list[Area]) -> str:
    # Groups, not people: a CAP message may be forwarded, contacts' addresses stay in the hub.
    groups = [a.desc.replace('"', "'") for a in areas] or [RESTRICTION]
    return " ".join(f'"{g}"' for g in groups)


def to_cap(alert: Alert, *, references: list[Alert], areas: list[Area]) -> bytes:
    """The CAP 1.2 XML of `alert` (UTF-8, with declaration); `references` are the alerts an
    Update or Cancel refers to (references_for), `areas` where it applies (areas_for)."""
    root = Element(q("alert"))
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent_at or alert.created_at))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "scope", alert.scope)
    if alert.scope == "Restricted":
        _add(root, "restriction", RESTRICTION)
    elif alert.scope == "Private":
        _add(root, "addresses", _addresses(areas))
    if alert.msg_type in ("Update", "Cancel") and references:
        _add(root, "references", " ".join(reference(r) for r in references))
    _info(root, alert, areas)
    body: bytes = tostring(root, encoding="UTF-8", xml_declaration=True, default_namespace=NS)
    return body


def _info(root: Element, alert: Alert, areas: list[Area]) -> None:
    info = SubElement(root, q("info"))
    _add(info, "language", "en-US")
    _add(info, "category", CAP_CATEGORY.get(alert.category, "Other"))
    _add(info, "event", alert.event)
    if alert.response:
        _add(info, "responseType", CAP_RESPONSE[alert.response])
    _add(info, "urgency", alert.urgency)
    _add(info, "severity", alert.severity)
    _add(info, "certainty", alert.certainty)
    if alert.expires is not None:
        _add(info, "expires", cap_time(alert.expires))
    _add(info, "senderName", get_settings().center_name)
    _add(info, "headline", headline(alert))
    if alert.description:
        _add(info, "description", alert.description)
    if alert.instruction:
        _add(info, "instruction", alert.instruction)
    if alert.response:
        _pair(info, "parameter", SRP_PARAMETER, SRP_LABEL[alert.response])
    _pair(info, "parameter", CATEGORY_PARAMETER, alert.category)
    for area in areas:
        element = SubElement(info, q("area"))
        _add(element, "areaDesc", area.desc)
        for fips in area.fips:
            _pair(element, "geocode", FIPS6, "0" + fips)
            _pair(element, "geocode", SAME, "0" + fips)
        for leaid in area.leaids:
            _pair(element, "geocode", LEAID, leaid)


def open_districts() -> ColumnElement[bool]:
    """The districts targeting reaches (hub.alerts.targeting): neither deleted nor closed."""
    return District.deleted.is_(False) & District.closed.is_(False)


def _counties(rows: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """(key, county FIPS) rows as each key's sorted, distinct counties."""
    found: dict[str, set[str]] = {}
    for key, fips in rows:
        found.setdefault(key, set())
        if fips:
            found[key].add(fips)
    return {key: sorted(values) for key, values in found.items()}


def areas_for(session: Session, alert: Alert) -> list[Area]:
    """`alert.targets` as CAP areas: the state (its districts' counties), each region (its
    districts' counties), each county, each district (schools count as their district). At
    most four queries, however many targets."""
    targets = alert.targets
    areas: list[Area] = []
    if targets.get("state"):
        query = select(District.county_fips).where(
            open_districts(), District.county_fips.is_not(None)
        )
        fips = sorted({f for f in session.scalars(query.distinct()) if f})
        areas.append(Area(f"State of {get_settings().center_state}", fips))
    if codes := targets.get("regions"):
        regions = session.execute(
            select(Region.code, Region.name, District.county_fips)
            .outerjoin(District, (District.region_id == Region.id) & open_districts())
            .where(Region.code.in_(codes))
        ).all()
        region_names = {code: name for code, name, _ in regions}
        by_region = _counties((code, fips) for code, _, fips in regions)
        areas += [
            Area(region_names[c], by_region[c]) for c in dict.fromkeys(codes) if c in region_names
        ]
    if counties := targets.get("counties"):
        named = session.execute(
            select(District.county_fips, func.min(District.county_name))
            .where(District.county_fips.in_(counties))
            .group_by(District.county_fips)
        )
        county_names = {fips: name for fips, name in named if fips and name}
        areas += [Area(county_names.get(f, f"County {f}"), [f]) for f in dict.fromkeys(counties)]
    districts, schools = targets.get("districts") or [], targets.get("schools") or []
    if districts or schools:
        of_schools = select(School.district_id).where(School.nces_id.in_(schools))
        found = session.execute(
            select(District.nces_id, District.name)
            .where(
                or_(District.nces_id.in_(districts), District.id.in_(of_schools)), open_districts()
            )
            .order_by(District.name, District.nces_id)
        )
        areas += [Area(name, leaids=[leaid]) for leaid, name in found]
    return areas


def references_for(session: Session, alert: Alert) -> list[Alert]:
    """The alerts `alert` updates or cancels, oldest first: the one it references, that one's
    own reference, and so on (one recursive query)."""
    if alert.references_id is None:
        return []
    chain = (
        select(Alert.id, Alert.references_id)
        .where(Alert.id == alert.references_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union(
        select(Alert.id, Alert.references_id).join(chain, Alert.id == chain.c.references_id)
    )
    query = select(Alert).join(chain, Alert.id == chain.c.id).order_by(Alert.id)
    return list(session.scalars(query))
