"""What an author gives to compose an alert (validated here; the GraphQL input shares it), and
how the school vocabulary maps onto CAP 1.2."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hub.directory import taxonomy
from hub.directory.schemas import LEAID, NCESSCH, Roles, SlugEnum

Status = Literal["Actual", "Exercise", "Test"]
Scope = Literal["Public", "Restricted", "Private"]
Urgency = Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
Severity = Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
Certainty = Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
Channel = Literal["email", "sms", "webhook"]
# The Standard Response Protocol (I Love U Guys Foundation) actions schools drill.
Response = Literal["hold", "secure", "lockdown", "evacuate", "shelter", "all-clear"]

# Each SRP action as CAP responseType: Hold keeps people in rooms and out of the halls
# (Avoid), Secure and Lockdown keep them inside (Shelter); the exact action also travels as
# the CAP parameter SRP.
CAP_RESPONSE: dict[str, str] = {
    "hold": "Avoid",
    "secure": "Shelter",
    "lockdown": "Shelter",
    "evacuate": "Evacuate",
    "shelter": "Shelter",
    "all-clear": "AllClear",
}
SRP_LABEL: dict[str, str] = {
    "hold": "Hold",
    "secure": "Secure",
    "lockdown": "Lockdown",
    "evacuate": "Evacuate",
    "shelter": "Shelter",
    "all-clear": "All Clear",
}
# taxonomy alert_categories → CAP category.
CAP_CATEGORY: dict[str, str] = {
    "violence-threat": "Security",
    "weather": "Met",
    "hazmat": "CBRNE",
    "cyber": "Security",
    "public-health": "Health",
    "infrastructure": "Infra",
    "missing-child": "Rescue",
    "information": "Other",
}
# Every rendered message of a non-Actual alert says so, first.
NOT_REAL: dict[str, str] = {
    "Exercise": "EXERCISE — NOT A REAL EVENT",
    "Test": "TEST — NOT A REAL EVENT",
}

FIPS = re.compile(r"^\d{5}$")


def _category(value: str) -> str:
    allowed = taxonomy.load().slugs("alert_categories")
    if value not in allowed:
        raise ValueError(f"unknown alert category {value!r}; allowed: {', '.join(allowed)}")
    return value


Category = Annotated[str, SlugEnum("alert_categories"), AfterValidator(_category)]


class Targets(BaseModel):
    """Where an alert goes: the whole state, or any mix of regions, counties (5-digit FIPS),
    districts (LEAID) and schools (NCESSCH); crossed with contact roles (empty: every role)."""

    model_config = ConfigDict(extra="forbid")

    state: bool = False
    regions: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=100
    )
    counties: list[Annotated[str, Field(pattern=FIPS.pattern)]] = Field(
        default_factory=list, max_length=500
    )
    districts: list[Annotated[str, Field(pattern=LEAID.pattern)]] = Field(
        default_factory=list, max_length=2000
    )
    schools: list[Annotated[str, Field(pattern=NCESSCH.pattern)]] = Field(
        default_factory=list, max_length=5000
    )
    roles: Roles = Field(default_factory=list)

    @model_validator(mode="after")
    def _somewhere(self) -> "Targets":
        if not (self.state or self.regions or self.counties or self.districts or self.schools):
            raise ValueError(
                "an alert needs a target: the whole state, regions, counties, districts or schools"
            )
        for name in ("regions", "counties", "districts", "schools"):
            setattr(self, name, list(dict.fromkeys(getattr(self, name))))
        return self


class AlertInput(BaseModel):
    """An alert as composed or as its draft is replaced. CAP fields keep their CAP names'
    meaning; `response` is the school action (Standard Response Protocol)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Status
    scope: Scope = "Restricted"
    category: Category
    event: str = Field(min_length=1, max_length=200)
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    response: Response | None = None
    # CAP asks for headlines under 160 characters: some pagers and SMS show no more.
    headline: str = Field(min_length=1, max_length=160)
    description: str = Field(default="", max_length=5000)
    instruction: str = Field(default="", max_length=2000)
    expires: datetime | None = None
    targets: Targets
    channels: list[Channel] = Field(min_length=1, max_length=3)

    @model_validator(mode="after")
    def _consistent(self) -> "AlertInput":
        if self.expires is not None and self.expires.tzinfo is None:
            raise ValueError("expires needs a time zone (for example 2026-12-03T18:00:00Z)")
        self.channels = list(dict.fromkeys(self.channels))
        return self
