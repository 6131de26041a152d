"""The Query root: reads, each a few lines over a directory service function."""

from typing import TypeVar

import strawberry
from pydantic import BaseModel

from hub.auth.models import User as UserRow
from hub.directory import schemas
from hub.directory import service as directory
from hub.graphql import inputs
from hub.graphql.alerts import AlertQueries
from hub.graphql.context import Info
from hub.graphql.errors import validate
from hub.graphql.federation import FederationQueries
from hub.graphql.types.catalog import Practice, Program, TopicNode
from hub.graphql.types.common import Center, Connection, connection
from hub.graphql.types.places import Contact, District, School, User
from hub.pagination import PageArgs

F = TypeVar("F", bound=BaseModel)

strawberry.enum(schemas.ProgramOrder, name="ProgramOrder")


def _filter(model: type[F], given: object | None) -> F:
    return validate(model, inputs.as_data(given) if given is not None else {})


@strawberry.federation.type(shareable=True)
class Query(AlertQueries, FederationQueries):
    @strawberry.field
    def district(self, info: Info, nces_id: str) -> District | None:
        row = directory.get_district(info.context.session, nces_id=nces_id)
        return None if row is None else District.from_model(row)

    @strawberry.field
    def districts(
        self,
        info: Info,
        filter: inputs.DistrictFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[District]:
        page = directory.list_districts(
            info.context.session,
            filter=_filter(schemas.DistrictFilter, filter),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, District.from_model)

    @strawberry.field
    def school(self, info: Info, nces_id: str) -> School | None:
        row = directory.get_school(info.context.session, nces_id=nces_id)
        return None if row is None else School.from_model(row)

    @strawberry.field
    def schools(
        self,
        info: Info,
        filter: inputs.SchoolFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[School]:
        page = directory.list_schools(
            info.context.session,
            filter=_filter(schemas.SchoolFilter, filter),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, School.from_model)

    @strawberry.field
    def program(self, info: Info, id: int) -> Program | None:
        row = directory.get_program(info.context.session, program_id=id)
        return None if row is None else Program.from_model(row)

    @strawberry.field
    def programs(
        self,
        info: Info,
        filter: inputs.ProgramFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: schemas.ProgramOrder = schemas.ProgramOrder.RELEVANCE,
    ) -> Connection[Program]:
        page = directory.list_programs(
            info.context.session,
            filter=_filter(schemas.ProgramFilter, filter),
            page=PageArgs.from_relay(first, after),
            order=order_by,
        )
        return connection(page, Program.from_model)

    @strawberry.field
    def practice(self, info: Info, id: int) -> Practice | None:
        ctx = info.context
        row = directory.get_practice(ctx.session, ctx.principal, practice_id=id)
        return None if row is None else Practice.from_model(row)

    @strawberry.field
    def practices(
        self,
        info: Info,
        filter: inputs.PracticeFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Practice]:
        ctx = info.context
        page = directory.list_practices(
            ctx.session,
            ctx.principal,
            filter=_filter(schemas.PracticeFilter, filter),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, Practice.from_model)

    @strawberry.field
    def topics(self, info: Info) -> list[TopicNode]:
        """The topic tree with program and published-practice counts."""
        return [TopicNode.from_data(n) for n in directory.topic_tree(info.context.session)]

    @strawberry.field
    def centers(self, info: Info) -> list[Center]:
        """This hub's center first, then partners by name."""
        return [Center.from_model(c) for c in directory.list_centers(info.context.session)]

    @strawberry.field
    def contacts(
        self,
        info: Info,
        filter: inputs.ContactFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Contact]:
        page = directory.list_contacts(
            info.context.session,
            filter=_filter(schemas.ContactFilter, filter),
            page=PageArgs.from_relay(first, after),
        )
        return connection(page, Contact.from_model)

    @strawberry.field
    def me(self, info: Info) -> User | None:
        """The signed-in user, or null for an anonymous caller."""
        principal = info.context.principal
        if principal.user_id is None:
            return None
        row = info.context.session.get(UserRow, principal.user_id)
        return None if row is None else User.from_model(row)
