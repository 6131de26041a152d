"""Inputs and filters of the directory services (pydantic): one definition for GraphQL, files and
federation. `hub schemas export` writes their JSON Schemas to schemas/*.schema.json.

Vocabulary slugs are checked against the taxonomy here, so every entry point rejects an unknown
topic with the list of allowed slugs.
"""

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    GetJsonSchemaHandler,
    HttpUrl,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from hub.directory import taxonomy

LEAID = re.compile(r"^\d{7}$")
NCESSCH = re.compile(r"^\d{12}$")
STATE = re.compile(r"^[A-Z]{2}$")


def check_leaid(value: str, *, field: str = "ncesId") -> str:
    """A district's NCES id: exactly 7 digits."""
    from hub.errors import InvalidInput

    if not LEAID.match(value):
        raise InvalidInput(
            f"a district NCES id (LEAID) is exactly 7 digits, got {value!r}", field=field
        )
    return value


def check_ncessch(value: str, *, field: str = "ncesId") -> str:
    """A school's NCES id: exactly 12 digits."""
    from hub.errors import InvalidInput

    if not NCESSCH.match(value):
        raise InvalidInput(
            f"a school NCES id (NCESSCH) is exactly 12 digits, got {value!r}", field=field
        )
    return value


def e164(value: str, region: str = "US") -> str:
    """Normalise a phone number to E.164, or raise ValueError saying why it is not one."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"not a valid phone number: {value!r}")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True, slots=True)
class SlugEnum:
    """Annotation marker: the JSON Schema of a slug lists the vocabulary's slugs as `enum`.

    Read from the taxonomy when a schema is generated, not at import, so the exported
    schemas/*.schema.json reject an unknown slug themselves.
    """

    vocabulary: str

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema: dict[str, Any] = handler(core_schema)
        schema["enum"] = taxonomy.load().slugs(self.vocabulary)
        return schema


def _slugs(vocabulary: str) -> AfterValidator:
    def check(values: list[str]) -> list[str]:
        allowed = taxonomy.load().slugs(vocabulary)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(
                f"unknown {vocabulary.replace('_', ' ')} {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(allowed)}"
            )
        return list(dict.fromkeys(values))

    return AfterValidator(check)


Topic = Annotated[str, SlugEnum("topics")]
Phase = Annotated[str, SlugEnum("phases")]
Audience = Annotated[str, SlugEnum("audiences")]
DeliveryMode = Annotated[str, SlugEnum("delivery_modes")]
Tier = Annotated[str, SlugEnum("evidence_tiers")]
Role = Annotated[str, SlugEnum("contact_roles")]
Topics = Annotated[list[Topic], _slugs("topics"), Field(max_length=100)]
Phases = Annotated[list[Phase], _slugs("phases"), Field(max_length=20)]
Audiences = Annotated[list[Audience], _slugs("audiences"), Field(max_length=20)]
DeliveryModes = Annotated[list[DeliveryMode], _slugs("delivery_modes"), Field(max_length=20)]
Tiers = Annotated[list[Tier], _slugs("evidence_tiers"), Field(max_length=20)]
Roles = Annotated[list[Role], _slugs("contact_roles"), Field(max_length=20)]
Phone = Annotated[str, AfterValidator(e164)]
Leaid = Annotated[str, Field(pattern=LEAID.pattern)]
StateCode = Annotated[str, Field(pattern=STATE.pattern)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RatingInput(_Input):
    """An evidence rating: tier slug, who rated, as of when."""

    tier: Tier
    source: str = Field(min_length=1, max_length=200)
    as_of: date | None = None
    url: HttpUrl | None = None

    @model_validator(mode="after")
    def _known_tier(self) -> "RatingInput":
        allowed = taxonomy.load().slugs("evidence_tiers")
        if self.tier not in allowed:
            raise ValueError(f"unknown evidence tier {self.tier!r}; allowed: {', '.join(allowed)}")
        return self


class AvailabilityInput(_Input):
    """Where a program is offered. All empty: everywhere."""

    states: list[StateCode] = Field(default_factory=list, max_length=60)
    regions: list[str] = Field(default_factory=list, max_length=100)
    districts: list[Leaid] = Field(default_factory=list, max_length=100)


class ProgramInput(_Input):
    """A program as created or replaced (catalog files, GraphQL, partners)."""

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=2000)
    description: str = Field(default="", max_length=20000)
    provider: str | None = Field(default=None, max_length=200)
    topics: Topics = Field(min_length=1)
    phases: Phases = Field(default_factory=list)
    audiences: Audiences = Field(default_factory=list)
    delivery_modes: DeliveryModes = Field(default_factory=list)
    free: bool = False
    cost_note: str | None = Field(default=None, max_length=300)
    ratings: list[RatingInput] = Field(default_factory=list, max_length=20)
    availability: AvailabilityInput = Field(default_factory=AvailabilityInput)
    url: HttpUrl | None = None
    contact_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "ProgramInput":
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class Citation(_Input):
    """A source a practice cites."""

    title: str = Field(min_length=1, max_length=500)
    url: HttpUrl | None = None


class PracticeStatus(StrEnum):
    """Review status of a best practice."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"


class PracticeInput(_Input):
    """A best practice as created or replaced. Body is Markdown."""

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=2000)
    body: str = Field(default="", max_length=100_000)
    topics: Topics = Field(min_length=1)
    phases: Phases = Field(default_factory=list)
    ratings: list[RatingInput] = Field(default_factory=list, max_length=20)
    citations: list[Citation] = Field(default_factory=list, max_length=100)
    status: PracticeStatus = PracticeStatus.DRAFT


class DistrictRecord(_Input):
    """A district's public directory data as partners exchange it (NCES CCD fields)."""

    nces_id: Leaid
    name: str = Field(min_length=1, max_length=200)
    state: StateCode
    county_name: str | None = Field(default=None, max_length=100)
    county_fips: str | None = Field(default=None, pattern=r"^\d{5}$")
    street: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    zip: str | None = Field(default=None, max_length=10)
    phone: str | None = Field(default=None, max_length=20)
    website: str | None = Field(default=None, max_length=500)
    grade_low: str | None = Field(default=None, max_length=2)
    grade_high: str | None = Field(default=None, max_length=2)
    charter: bool = False
    enrollment: int | None = Field(default=None, ge=0)
    closed: bool = False


Channel = Literal["email", "sms", "voice", "webhook"]


class ContactInput(_Input):
    """A contact as created or replaced. Owner (district / school) is given beside it."""

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    role: Role
    email: EmailStr | None = None
    phone: Phone | None = None
    channels: list[Channel] = Field(default_factory=list, max_length=4)
    webhook_url: AnyHttpUrl | None = Field(default=None, max_length=500)
    available_24x7: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "ContactInput":
        allowed = taxonomy.load().slugs("contact_roles")
        if self.role not in allowed:
            raise ValueError(f"unknown contact role {self.role!r}; allowed: {', '.join(allowed)}")
        if "email" in self.channels and not self.email:
            raise ValueError("channel 'email' needs an e-mail address")
        if {"sms", "voice"} & set(self.channels) and not self.phone:
            raise ValueError("channels 'sms' and 'voice' need a phone number")
        if "webhook" in self.channels and not self.webhook_url:
            raise ValueError("channel 'webhook' needs a webhook URL")
        self.channels = list(dict.fromkeys(self.channels))
        return self


# ---- filters -------------------------------------------------------------------------------


class DistrictFilter(BaseModel):
    """Which districts to list."""

    state: StateCode | None = None
    region: str | None = None
    county: str | None = None
    search: str | None = Field(default=None, max_length=200)


class SchoolFilter(BaseModel):
    """Which schools to list."""

    district_nces_id: Leaid | None = None
    state: StateCode | None = None
    county: str | None = None
    level: str | None = None
    search: str | None = Field(default=None, max_length=200)


class ProgramOrder(StrEnum):
    """How to order programs. RELEVANCE applies when a search is given, else TITLE."""

    RELEVANCE = "relevance"
    TITLE = "title"
    UPDATED = "updated"


class ProgramFilter(BaseModel):
    """Which programs to list; list fields match any of their values (a parent topic matches its
    children), different fields must all match."""

    topics: Topics = Field(default_factory=list)
    phases: Phases = Field(default_factory=list)
    audiences: Audiences = Field(default_factory=list)
    evidence_tiers: Tiers = Field(default_factory=list)
    delivery_modes: DeliveryModes = Field(default_factory=list)
    free: bool | None = None
    available_to_district: Leaid | None = None
    origin: str | None = None
    search: str | None = Field(default=None, max_length=200)
    include_retired: bool = False


class PracticeFilter(BaseModel):
    """Which practices to list. Callers who may not read unpublished ones see published only."""

    topics: Topics = Field(default_factory=list)
    phases: Phases = Field(default_factory=list)
    evidence_tiers: Tiers = Field(default_factory=list)
    status: list[PracticeStatus] = Field(default_factory=list)
    origin: str | None = None
    search: str | None = Field(default=None, max_length=200)


class ContactFilter(BaseModel):
    """Which contacts to list."""

    district_nces_id: Leaid | None = None
    school_nces_id: Annotated[str, Field(pattern=NCESSCH.pattern)] | None = None
    role: Roles = Field(default_factory=list)
