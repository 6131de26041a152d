"""Programs, practices, providers, ratings and the topic tree as GraphQL types."""

from datetime import date
from typing import TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from hub.directory import models
from hub.directory.schemas import PracticeStatus
from hub.directory.service import TopicNode as TopicNodeData
from hub.errors import InvalidInput
from hub.graphql.context import Info
from hub.graphql.markdown import to_safe_html
from hub.graphql.types.common import Provenance, Term
from hub.graphql.types.places import Contact, District

strawberry.enum(PracticeStatus, name="PracticeStatus")

# `id` is this hub's; (originCenter, originId) names the same record on every hub.
KEYS = ["id", "originCenter originId"]
ORIGIN_CENTER = "The center that made the record; with originId, its key on every hub."
ORIGIN_ID = "The record's id at its origin center."

M = TypeVar("M")


async def _by_reference(
    typename: str,
    by_id: DataLoader[int, M | None],
    by_origin: DataLoader[tuple[str, str], M | None],
    id: int | None,
    origin_center: str | None,
    origin_id: str | None,
) -> M | None:
    """The row an entity representation names: by this hub's id, or by the origin pair."""
    if id is not None:
        return await by_id.load(int(id))
    if origin_center is None or origin_id is None:
        raise InvalidInput(
            f"a {typename} reference needs id, or originCenter and originId", field="id"
        )
    return await by_origin.load((origin_center, origin_id))


@strawberry.federation.type(shareable=True)
class Provider:
    """An organization that offers programs."""

    id: int
    name: str
    kind: str | None
    website: str | None

    @classmethod
    def from_model(cls, p: models.Provider) -> "Provider":
        return cls(id=p.id, name=p.name, kind=p.kind, website=p.website)


@strawberry.federation.type(shareable=True)
class Rating:
    """One rating of the evidence behind a program or practice."""

    tier: Term
    source: str
    as_of: date | None
    url: str | None

    @classmethod
    def from_model(cls, r: models.EvidenceRating) -> "Rating":
        return cls(tier=Term.from_model(r.tier), source=r.source, as_of=r.as_of, url=r.url)


@strawberry.federation.type(shareable=True)
class Availability:
    """Where a program is offered; all empty means everywhere."""

    states: list[str]
    regions: list[str]
    districts: list[str]

    @classmethod
    def from_models(cls, rows: list[models.ProgramAvailability]) -> "Availability":
        def codes(scope: str) -> list[str]:
            return sorted(r.code for r in rows if r.scope == scope)

        return cls(states=codes("state"), regions=codes("region"), districts=codes("district"))


@strawberry.federation.type(shareable=True)
class Citation:
    """A source a practice cites."""

    title: str
    url: str | None


async def _terms(info: Info, loader_key: int, vocabulary: str, *, practice: bool) -> list[Term]:
    loaders = info.context.loaders
    loader = loaders.terms_by_practice_id_loader if practice else loaders.terms_by_program_id_loader
    return [Term.from_model(t) for t in await loader.load(loader_key) if t.vocabulary == vocabulary]


@strawberry.federation.type(keys=KEYS, shareable=True)
class Program:
    """A program, training or service a district can use."""

    provider_id: strawberry.Private[int | None]
    contact_id: strawberry.Private[int | None]
    id: int
    origin_center: str = strawberry.field(description=ORIGIN_CENTER)
    origin_id: str = strawberry.field(description=ORIGIN_ID)
    title: str
    summary: str
    description: str
    free: bool
    cost_note: str | None
    url: str | None
    starts_on: date | None
    ends_on: date | None
    provenance: Provenance

    @classmethod
    def from_model(cls, p: models.Program) -> "Program":
        return cls(
            provider_id=p.provider_id,
            contact_id=p.contact_id,
            id=p.id,
            origin_center=p.origin_center,
            origin_id=p.origin_id,
            title=p.title,
            summary=p.summary,
            description=p.description,
            free=p.free,
            cost_note=p.cost_note,
            url=p.url,
            starts_on=p.starts_on,
            ends_on=p.ends_on,
            provenance=Provenance.from_model(p),
        )

    @classmethod
    async def resolve_reference(
        cls,
        info: Info,
        id: int | None = None,
        originCenter: str | None = None,  # noqa: N803
        originId: str | None = None,  # noqa: N803
    ) -> "Program | None":
        loaders = info.context.loaders
        by_id, by_origin = loaders.program_by_id_loader, loaders.program_by_origin_loader
        row = await _by_reference("Program", by_id, by_origin, id, originCenter, originId)
        return None if row is None else cls.from_model(row)

    @strawberry.field
    async def provider(self, info: Info) -> Provider | None:
        if self.provider_id is None:
            return None
        row = await info.context.loaders.provider_by_id_loader.load(self.provider_id)
        return None if row is None else Provider.from_model(row)

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        if self.contact_id is None:
            return None
        row = await info.context.loaders.contact_by_id_loader.load(self.contact_id)
        return None if row is None else Contact.from_model(row)

    @strawberry.field
    async def topics(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "topics", practice=False)

    @strawberry.field
    async def phases(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "phases", practice=False)

    @strawberry.field
    async def audiences(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "audiences", practice=False)

    @strawberry.field
    async def delivery_modes(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "delivery_modes", practice=False)

    @strawberry.field
    async def ratings(self, info: Info) -> list[Rating]:
        rows = await info.context.loaders.ratings_by_program_id_loader.load(self.id)
        return [Rating.from_model(r) for r in rows]

    @strawberry.field
    async def availability(self, info: Info) -> Availability:
        rows = await info.context.loaders.availability_by_program_id_loader.load(self.id)
        return Availability.from_models(rows)


@strawberry.federation.type(keys=KEYS, shareable=True)
class Practice:
    """A best practice: Markdown body, citations and a review status."""

    submitted_by_district_id: strawberry.Private[int | None]
    id: int
    origin_center: str = strawberry.field(description=ORIGIN_CENTER)
    origin_id: str = strawberry.field(description=ORIGIN_ID)
    title: str
    summary: str
    body: str
    citations: list[Citation]
    status: PracticeStatus
    provenance: Provenance

    @classmethod
    def from_model(cls, p: models.Practice) -> "Practice":
        return cls(
            submitted_by_district_id=p.submitted_by_district_id,
            id=p.id,
            origin_center=p.origin_center,
            origin_id=p.origin_id,
            title=p.title,
            summary=p.summary,
            body=p.body,
            citations=[Citation(title=c["title"], url=c.get("url")) for c in p.citations],
            status=PracticeStatus(p.status),
            provenance=Provenance.from_model(p),
        )

    @classmethod
    async def resolve_reference(
        cls,
        info: Info,
        id: int | None = None,
        originCenter: str | None = None,  # noqa: N803
        originId: str | None = None,  # noqa: N803
    ) -> "Practice | None":
        loaders = info.context.loaders
        by_id, by_origin = loaders.practice_by_id_loader, loaders.practice_by_origin_loader
        row = await _by_reference("Practice", by_id, by_origin, id, originCenter, originId)
        return None if row is None else cls.from_model(row)

    @strawberry.field
    def body_html(self) -> str:
        """The body rendered as sanitised HTML."""
        return to_safe_html(self.body)

    @strawberry.field
    async def topics(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "topics", practice=True)

    @strawberry.field
    async def phases(self, info: Info) -> list[Term]:
        return await _terms(info, self.id, "phases", practice=True)

    @strawberry.field
    async def ratings(self, info: Info) -> list[Rating]:
        rows = await info.context.loaders.ratings_by_practice_id_loader.load(self.id)
        return [Rating.from_model(r) for r in rows]

    @strawberry.field
    async def submitted_by_district(self, info: Info) -> District | None:
        if self.submitted_by_district_id is None:
            return None
        row = await info.context.loaders.district_by_id_loader.load(self.submitted_by_district_id)
        return None if row is None else District.from_model(row)


@strawberry.federation.type(shareable=True)
class TopicNode:
    """A topic with how many programs and published practices it (or a subtopic) tags."""

    slug: str
    label: str
    program_count: int
    practice_count: int
    children: list["TopicNode"]

    @classmethod
    def from_data(cls, node: TopicNodeData) -> "TopicNode":
        return cls(
            slug=node.slug,
            label=node.label,
            program_count=node.program_count,
            practice_count=node.practice_count,
            children=[cls.from_data(c) for c in node.children],
        )
