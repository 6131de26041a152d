"""Districts, schools, regions, contacts and users as GraphQL types."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.auth import models as auth_models
from hub.directory import models
from hub.directory import service as directory
from hub.directory.schemas import ProgramFilter, check_leaid, check_ncessch
from hub.graphql.context import Info
from hub.graphql.types.common import Connection, Provenance, connection
from hub.pagination import PageArgs

if TYPE_CHECKING:
    from hub.graphql.types.catalog import Program

ProgramRef = Annotated["Program", strawberry.lazy("hub.graphql.types.catalog")]


@strawberry.federation.type(shareable=True)
class Region:
    """A sub-state region (an education service region); districts belong to one."""

    state: str
    code: str
    name: str

    @classmethod
    def from_model(cls, region: models.Region) -> "Region":
        return cls(state=region.state, code=region.code, name=region.name)


@strawberry.federation.type(shareable=True)
class Contact:
    """A person or desk to call. E-mail and phone only for callers the policy lets see them."""

    model: strawberry.Private[models.Contact]
    id: int
    name: str
    title: str | None
    role: str
    channels: list[str]
    unverified_channels: list[str] = strawberry.field(
        description="Channels whose address bounced: to be corrected."
    )
    available_24x7: bool
    verified_at: datetime | None

    @classmethod
    def from_model(cls, contact: models.Contact) -> "Contact":
        return cls(
            model=contact,
            id=contact.id,
            name=contact.name,
            title=contact.title,
            role=contact.role,
            channels=list(contact.channels),
            unverified_channels=list(contact.unverified_channels or []),
            available_24x7=contact.available_24x7,
            verified_at=contact.verified_at,
        )

    @strawberry.field
    def email(self, info: Info) -> str | None:
        visible = directory.contact_details_visible(info.context.principal, self.model)
        return self.model.email if visible else None

    @strawberry.field
    def phone(self, info: Info) -> str | None:
        visible = directory.contact_details_visible(info.context.principal, self.model)
        return self.model.phone if visible else None

    @strawberry.field
    def webhook_url(self, info: Info) -> str | None:
        visible = directory.contact_details_visible(info.context.principal, self.model)
        return self.model.webhook_url if visible else None

    @strawberry.field
    async def district(self, info: Info) -> "District | None":
        if self.model.district_id is None:
            return None
        row = await info.context.loaders.district_by_id_loader.load(self.model.district_id)
        return None if row is None else District.from_model(row)

    @strawberry.field
    async def school(self, info: Info) -> "School | None":
        if self.model.school_id is None:
            return None
        row = await info.context.loaders.school_by_id_loader.load(self.model.school_id)
        return None if row is None else School.from_model(row)


@strawberry.federation.type(keys=["ncesId"], shareable=True)
class District:
    """A local education agency, keyed by its 7-digit NCES LEAID."""

    id: strawberry.Private[int]
    region_id: strawberry.Private[int | None]
    nces_id: str
    name: str
    state: str
    county: str | None
    county_fips: str | None
    street: str | None
    city: str | None
    zip: str | None
    phone: str | None
    website: str | None
    grade_low: str | None
    grade_high: str | None
    charter: bool
    enrollment: int | None
    closed: bool
    provenance: Provenance

    @classmethod
    def from_model(cls, d: models.District) -> "District":
        return cls(
            id=d.id,
            region_id=d.region_id,
            nces_id=d.nces_id,
            name=d.name,
            state=d.state,
            county=d.county_name,
            county_fips=d.county_fips,
            street=d.street,
            city=d.city,
            zip=d.zip,
            phone=d.phone,
            website=d.website,
            grade_low=d.grade_low,
            grade_high=d.grade_high,
            charter=d.charter,
            enrollment=d.enrollment,
            closed=d.closed,
            provenance=Provenance.from_model(d),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, ncesId: str) -> "District | None":  # noqa: N803
        row = await info.context.loaders.district_by_nces_id_loader.load(check_leaid(ncesId))
        return None if row is None else cls.from_model(row)

    @strawberry.field
    async def region(self, info: Info) -> Region | None:
        if self.region_id is None:
            return None
        row = await info.context.loaders.region_by_id_loader.load(self.region_id)
        return None if row is None else Region.from_model(row)

    @strawberry.field
    async def schools(self, info: Info) -> list["School"]:
        rows = await info.context.loaders.schools_by_district_id_loader.load(self.id)
        return [School.from_model(s) for s in rows]

    @strawberry.field
    async def contacts(self, info: Info) -> list[Contact]:
        """District-level contacts and its schools' contacts."""
        rows = await info.context.loaders.contacts_by_district_id_loader.load(self.id)
        return [Contact.from_model(c) for c in rows]

    @strawberry.field
    def programs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ProgramRef]:
        """Programs available to this district."""
        from hub.graphql.types.catalog import Program

        page = directory.list_programs(
            info.context.session,
            filter=ProgramFilter(available_to_district=self.nces_id),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, Program.from_model)


@strawberry.federation.type(keys=["ncesId"], shareable=True)
class School:
    """A school, keyed by its 12-digit NCES id, in one district."""

    id: strawberry.Private[int]
    district_id: strawberry.Private[int]
    nces_id: str
    name: str
    level: str | None
    street: str | None
    city: str | None
    zip: str | None
    county: str | None
    county_fips: str | None
    phone: str | None
    grade_low: str | None
    grade_high: str | None
    latitude: float | None
    longitude: float | None
    closed: bool
    provenance: Provenance

    @classmethod
    def from_model(cls, s: models.School) -> "School":
        return cls(
            id=s.id,
            district_id=s.district_id,
            nces_id=s.nces_id,
            name=s.name,
            level=s.level,
            street=s.street,
            city=s.city,
            zip=s.zip,
            county=s.county_name,
            county_fips=s.county_fips,
            phone=s.phone,
            grade_low=s.grade_low,
            grade_high=s.grade_high,
            latitude=s.latitude,
            longitude=s.longitude,
            closed=s.closed,
            provenance=Provenance.from_model(s),
        )

    @classmethod
    async def resolve_reference(cls, info: Info, ncesId: str) -> "School | None":  # noqa: N803
        row = await info.context.loaders.school_by_nces_id_loader.load(check_ncessch(ncesId))
        return None if row is None else cls.from_model(row)

    @strawberry.field
    async def district(self, info: Info) -> District | None:
        row = await info.context.loaders.district_by_id_loader.load(self.district_id)
        return None if row is None else District.from_model(row)

    @strawberry.field
    async def contacts(self, info: Info) -> list[Contact]:
        rows = await info.context.loaders.contacts_by_school_id_loader.load(self.id)
        return [Contact.from_model(c) for c in rows]


@strawberry.federation.type(shareable=True)
class User:
    """A signed-in user, as `me` shows them."""

    district_id: strawberry.Private[int | None]
    id: int
    username: str
    display_name: str
    email: str | None
    role: str

    @classmethod
    def from_model(cls, user: auth_models.User) -> "User":
        return cls(
            district_id=user.district_id,
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            email=user.email,
            role=user.role,
        )

    @strawberry.field
    async def district(self, info: Info) -> District | None:
        if self.district_id is None:
            return None
        row = await info.context.loaders.district_by_id_loader.load(self.district_id)
        return None if row is None else District.from_model(row)
