"""The change envelope partners exchange (schemas/change.schema.json) and partner inputs."""

from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

Kind = Literal["program", "practice", "district"]
Direction = Literal["pull", "push", "both"]
Level = Literal["national", "state", "regional", "district"]
SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"


class ChangeEnvelope(BaseModel):
    """One record's latest state in a change feed: who made it, which version, tombstone or
    not, and (unless deleted) the record as its own schema describes it."""

    model_config = ConfigDict(extra="forbid")

    type: Kind
    origin_center: str = Field(pattern=SLUG)
    origin_id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=1)
    updated_at: datetime
    deleted: bool = False
    change_seq: int = Field(ge=1, description="The sender's change_seq: a cursor position")
    payload: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _payload_unless_deleted(self) -> "ChangeEnvelope":
        if not self.deleted and self.payload is None:
            raise ValueError("a live record needs its payload")
        return self


class ChangePage(BaseModel):
    """A page of the change feed."""

    changes: list[ChangeEnvelope]
    cursor: str = Field(description="Pass as `since` for the next page")
    has_more: bool


class PartnerInput(BaseModel):
    """A partner agreement as added or changed (CLI, GraphQL)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=200)
    level: Level
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    base_url: AnyHttpUrl
    direction: Direction = "pull"
    sends: list[Kind] = Field(default_factory=list)
    receives: list[Kind] = Field(default_factory=list)
    relays_for: list[str] = Field(default_factory=list, max_length=100)
    interval_seconds: int = Field(default=900, ge=10, le=7 * 86400)
    max_delete_share: float | None = Field(default=None, gt=0, le=1)
