"""Types shared by the directory types: Relay connections, vocabulary terms, centers, provenance."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import strawberry

from hub.directory import models
from hub.graphql.context import Info
from hub.pagination import Page
from hub.provenance import Provenanced

if TYPE_CHECKING:
    from hub.graphql.types.places import Contact

T = TypeVar("T")


@strawberry.federation.type(shareable=True)
class PageInfo:
    """Relay page info; cursors are opaque and only this hub's are accepted back."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.federation.type(shareable=True)
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.federation.type(shareable=True)
class Connection(Generic[T]):
    """A page of a listing; totalCount is what the filter matched in all."""

    total_count: int
    edges: list[Edge[T]]
    page_info: PageInfo


def connection(page: Page[Any], convert: Callable[[Any], T]) -> Connection[T]:
    """Shape a service Page as a Relay connection."""
    edges = [Edge(cursor=page.cursor(i), node=convert(item)) for i, item in enumerate(page.items)]
    return Connection(
        total_count=page.total,
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.federation.type(shareable=True)
class Term:
    """One vocabulary entry: the slug is the API value, the label is for people."""

    slug: str
    label: str

    @classmethod
    def from_model(cls, term: models.Term) -> "Term":
        return cls(slug=term.slug, label=term.label)


@strawberry.federation.type(keys=["slug"], shareable=True)
class Center:
    """A school safety center: this hub's own or a partner; its slug names it on every hub."""

    id: strawberry.Private[int]
    slug: str
    name: str
    level: str
    state: str | None
    website: str | None
    is_local: bool

    @classmethod
    def from_model(cls, center: models.Center) -> "Center":
        return cls(
            id=center.id,
            slug=center.slug,
            name=center.name,
            level=center.level,
            state=center.state,
            website=center.website,
            is_local=center.is_local,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, slug: str) -> "Center | None":
        row = await info.context.loaders.center_by_slug_loader.load(slug)
        return None if row is None else cls.from_model(row)

    @strawberry.field
    async def contacts(
        self, info: Info
    ) -> list[Annotated["Contact", strawberry.lazy("hub.graphql.types.places")]]:
        from hub.graphql.types.places import Contact

        rows = await info.context.loaders.contacts_by_center_id_loader.load(self.id)
        return [Contact.from_model(c) for c in rows]


@strawberry.federation.type(shareable=True)
class Provenance:
    """Where a shared record comes from and which version this is (see federation)."""

    origin_center: str
    origin_id: str
    version: int
    updated_at: datetime
    deleted: bool
    change_seq: int

    @classmethod
    def from_model(cls, row: Provenanced) -> "Provenance":
        return cls(
            origin_center=row.origin_center,
            origin_id=row.origin_id,
            version=row.version,
            updated_at=row.updated_at,
            deleted=row.deleted,
            change_seq=row.change_seq,
        )

    @strawberry.field
    async def center(self, info: Info) -> Center | None:
        """The origin center, when this hub knows it."""
        row = await info.context.loaders.center_by_slug_loader.load(self.origin_center)
        return None if row is None else Center.from_model(row)
