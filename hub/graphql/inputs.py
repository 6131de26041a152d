"""GraphQL input types; each maps field by field onto a pydantic input of hub.directory.schemas."""

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

import strawberry

from hub.directory.schemas import PracticeStatus


def as_data(value: Any) -> Any:
    """A strawberry input as plain data for pydantic; unset (None) fields take pydantic defaults."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if item is not None:
                out[f.name] = as_data(item)
        return out
    if isinstance(value, list):
        return [as_data(v) for v in value]
    return value


@strawberry.input
class DistrictFilter:
    state: str | None = None
    region: str | None = None
    county: str | None = strawberry.field(default=None, description="County name or 5-digit FIPS.")
    search: str | None = None


@strawberry.input
class SchoolFilter:
    district_nces_id: str | None = None
    state: str | None = None
    county: str | None = None
    level: str | None = None
    search: str | None = None


@strawberry.input
class ProgramFilter:
    topics: list[str] | None = None
    phases: list[str] | None = None
    audiences: list[str] | None = None
    evidence_tiers: list[str] | None = None
    delivery_modes: list[str] | None = None
    free: bool | None = None
    available_to_district: str | None = None
    origin: str | None = None
    search: str | None = None


@strawberry.input
class PracticeFilter:
    topics: list[str] | None = None
    phases: list[str] | None = None
    evidence_tiers: list[str] | None = None
    status: list[PracticeStatus] | None = None
    origin: str | None = None
    search: str | None = None


@strawberry.input
class ContactFilter:
    district_nces_id: str | None = None
    school_nces_id: str | None = None
    role: list[str] | None = None


@strawberry.input
class RatingInput:
    tier: str
    source: str
    as_of: date | None = None
    url: str | None = None


@strawberry.input
class AvailabilityInput:
    states: list[str] | None = None
    regions: list[str] | None = None
    districts: list[str] | None = None


@strawberry.input
class ProgramInput:
    title: str
    topics: list[str]
    summary: str | None = None
    description: str | None = None
    provider: str | None = None
    phases: list[str] | None = None
    audiences: list[str] | None = None
    delivery_modes: list[str] | None = None
    free: bool | None = None
    cost_note: str | None = None
    ratings: list[RatingInput] | None = None
    availability: AvailabilityInput | None = None
    url: str | None = None
    contact_id: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@strawberry.input
class CitationInput:
    title: str
    url: str | None = None


@strawberry.input
class PracticeInput:
    title: str
    topics: list[str]
    summary: str | None = None
    body: str | None = strawberry.field(default=None, description="Markdown.")
    phases: list[str] | None = None
    ratings: list[RatingInput] | None = None
    citations: list[CitationInput] | None = None
    status: PracticeStatus | None = None


@strawberry.input
class ContactInput:
    name: str
    role: str
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    channels: list[str] | None = None
    webhook_url: str | None = None
    available_24x7: bool | None = None
