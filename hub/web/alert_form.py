"""The alert compose form: its fields as posted, turned into an AlertInput (errors by field, the
way the form names them), filled from a saved draft, and the choices it offers (taxonomy terms,
and regions, counties and districts from the directory)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.alerts.models import Alert
from hub.alerts.schemas import AlertInput
from hub.directory import taxonomy
from hub.directory.models import District, Region

# The Standard Response Protocol actions, with what each asks of a school, in its own words.
SRP_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("hold", "Hold", "“In your room or area. Clear the halls.” Class goes on behind closed doors."),
    ("secure", "Secure", "“Get inside. Lock outside doors.” A danger outside the building."),
    ("lockdown", "Lockdown", "“Locks, lights, out of sight.” A danger inside the building."),
    ("evacuate", "Evacuate", "“To a location.” Everyone leaves the building for a named place."),
    ("shelter", "Shelter", "“State the hazard and safety strategy.” Tornado, hazmat, earthquake."),
)
STATUSES: tuple[tuple[str, str], ...] = (
    ("Exercise", "A drill or exercise. Every message says “EXERCISE — NOT A REAL EVENT”."),
    ("Test", "A technical test of the channels. Every message says “TEST — NOT A REAL EVENT”."),
    ("Actual", "A REAL emergency. Recipients are told to act now."),
)
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
CHANNELS: tuple[tuple[str, str], ...] = (
    ("email", "E-mail"),
    ("sms", "Text message (SMS)"),
    ("webhook", "Webhook (district systems)"),
)
HEADLINE_LIMIT = 160
# datetime-local sends minutes, sometimes seconds.
_LOCAL_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")


class ComposeFields(BaseModel):
    """The compose form as posted: all text, so that a bad value comes back to the form with
    a message next to it instead of being refused before the page sees it. A box nobody ticked
    is not posted at all, so every default here is empty; `new()` has the defaults a fresh
    form shows."""

    csrf: str = ""
    alert_id: str = ""
    action: str = "preview"
    status: str = ""
    category: str = ""
    event: str = ""
    urgency: str = ""
    severity: str = ""
    certainty: str = ""
    response: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    expires: str = ""
    target_state: str = ""
    regions: list[str] = []
    counties: list[str] = []
    districts: list[str] = []
    roles: list[str] = []
    channels: list[str] = []

    @classmethod
    def new(cls) -> "ComposeFields":
        """A fresh form: an Exercise (the safer choice), Immediate, Severe, Observed."""
        return cls(
            status="Exercise",
            urgency="Immediate",
            severity="Severe",
            certainty="Observed",
            channels=["email", "sms"],
        )

    @property
    def draft_id(self) -> int | None:
        """The saved draft this form edits, if any."""
        return int(self.alert_id) if self.alert_id.isdigit() else None


class FormErrors(Exception):
    """The form's faults: message per form field ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _field(loc: tuple[int | str, ...]) -> str:
    """The form field a pydantic error location points at."""
    if not loc:
        return ""
    if loc[0] == "targets":
        return str(loc[1]) if len(loc) > 1 and loc[1] != "state" else "targets"
    return str(loc[0])


# What to say when a required field is left empty.
_EMPTY = {
    "status": "Choose Exercise, Test or Actual",
    "category": "Choose a category",
    "event": "Say what is happening",
    "headline": "Write a headline",
    "urgency": "Choose an urgency",
    "severity": "Choose a severity",
    "certainty": "Choose a certainty",
    "channels": "Tick at least one channel",
}


def _message(error: Any, field: str, fields: ComposeFields) -> str:
    empty = getattr(fields, field, None) in ("", [])
    if field in _EMPTY and empty:
        return _EMPTY[field]
    return str(error["msg"]).removeprefix("Value error, ")


def _expires(value: str) -> datetime | None:
    """A datetime-local value, read as UTC (the form says so)."""
    value = value.strip()
    if not value:
        return None
    for fmt in _LOCAL_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise FormErrors({"expires": "give a date and time, for example 2026-12-03 18:00"})


def to_input(fields: ComposeFields) -> AlertInput:
    """The AlertInput the form describes, or FormErrors naming every faulty field."""
    data: dict[str, Any] = {
        "status": fields.status,
        "category": fields.category,
        "event": fields.event,
        "urgency": fields.urgency,
        "severity": fields.severity,
        "certainty": fields.certainty,
        "response": fields.response or None,
        "headline": fields.headline,
        "description": fields.description,
        "instruction": fields.instruction,
        "expires": _expires(fields.expires),
        "targets": {
            "state": fields.target_state == "yes",
            "regions": fields.regions,
            "counties": fields.counties,
            "districts": fields.districts,
            "roles": fields.roles,
        },
        "channels": fields.channels,
    }
    try:
        return AlertInput.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = _field(tuple(error["loc"]))
            errors.setdefault(field, _message(error, field, fields))
        raise FormErrors(errors) from exc


def from_alert(alert: Alert) -> ComposeFields:
    """The form filled from a saved draft (or a rejected alert being reworked)."""
    targets = alert.targets
    return ComposeFields(
        alert_id=str(alert.id),
        status=alert.status,
        category=alert.category,
        event=alert.event,
        urgency=alert.urgency,
        severity=alert.severity,
        certainty=alert.certainty,
        response=alert.response or "",
        headline=alert.headline,
        description=alert.description,
        instruction=alert.instruction,
        expires=alert.expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if alert.expires else "",
        target_state="yes" if targets.get("state") else "",
        regions=list(targets.get("regions", [])),
        counties=list(targets.get("counties", [])),
        districts=list(targets.get("districts", [])),
        roles=list(targets.get("roles", [])),
        channels=list(alert.channels),
    )


@dataclass(frozen=True, slots=True)
class Option:
    """One choice in a list: the value posted and the label shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Choices:
    """Everything the compose form offers to pick from."""

    categories: list[Option]
    roles: list[Option]
    regions: list[Option]
    counties: list[Option]
    districts: list[Option]


def _terms(vocabulary: str) -> list[Option]:
    return [Option(e.slug, e.label) for e in taxonomy.load().entries.get(vocabulary, [])]


def choices(session: Session) -> Choices:
    """The form's lists: the taxonomy's categories and roles; regions, counties and open
    districts as the directory has them now."""
    live = District.deleted.is_(False) & District.closed.is_(False)
    regions = session.execute(select(Region.code, Region.name).order_by(Region.name))
    counties = session.execute(
        select(District.county_fips, District.county_name)
        .where(live, District.county_fips.is_not(None))
        .distinct()
        .order_by(District.county_name, District.county_fips)
    )
    districts = session.execute(
        select(District.nces_id, District.name).where(live).order_by(District.name)
    )
    return Choices(
        categories=_terms("alert_categories"),
        roles=_terms("contact_roles"),
        regions=[Option(code, name) for code, name in regions],
        counties=[Option(str(fips), f"{name or 'County'} ({fips})") for fips, name in counties],
        districts=[Option(nces, f"{name} (NCES {nces})") for nces, name in districts],
    )
