"""The Mutation root. Each mutation runs its service call in a savepoint and answers with the
record or a typed error, so an error member never leaves partial writes behind."""

from collections.abc import Callable
from typing import Annotated, TypeVar

import strawberry

from hub.auth import service as auth
from hub.auth.policy import SYSTEM
from hub.directory import schemas
from hub.directory import service as directory
from hub.errors import HubError, InvalidInput
from hub.graphql import imports, inputs
from hub.graphql.alerts import AlertMutations
from hub.graphql.context import Info
from hub.graphql.errors import (
    ErrorMember,
    InputError,
    NotFoundError,
    PermissionProblem,
    as_member,
    validate,
)
from hub.graphql.federation import FederationMutations
from hub.graphql.types.catalog import Practice, Program
from hub.graphql.types.places import Contact

R = TypeVar("R")


@strawberry.federation.type(shareable=True)
class ConfirmedContacts:
    """How many contacts were marked verified now."""

    count: int


@strawberry.federation.type(shareable=True)
class Token:
    """A bearer token for the Authorization header; shown only this once."""

    token: str


ProgramResult = Annotated[
    Program | InputError | PermissionProblem | NotFoundError, strawberry.union("ProgramResult")
]
PracticeResult = Annotated[
    Practice | InputError | PermissionProblem | NotFoundError, strawberry.union("PracticeResult")
]
ContactResult = Annotated[
    Contact | InputError | PermissionProblem | NotFoundError, strawberry.union("ContactResult")
]
ConfirmContactsResult = Annotated[
    ConfirmedContacts | InputError | PermissionProblem | NotFoundError,
    strawberry.union("ConfirmContactsResult"),
]
LoginResult = Annotated[Token | InputError, strawberry.union("LoginResult")]


def _attempt(info: Info, action: Callable[[], R]) -> R | ErrorMember:
    """Run `action` in a savepoint; an expected failure rolls it back and becomes a member."""
    try:
        with info.context.session.begin_nested():
            return action()
    except HubError as exc:
        return as_member(exc)


def _program(data: inputs.ProgramInput) -> schemas.ProgramInput:
    return validate(schemas.ProgramInput, inputs.as_data(data))


def _practice(data: inputs.PracticeInput) -> schemas.PracticeInput:
    return validate(schemas.PracticeInput, inputs.as_data(data))


def _contact(data: inputs.ContactInput) -> schemas.ContactInput:
    return validate(schemas.ContactInput, inputs.as_data(data))


@strawberry.federation.type(shareable=True)
class Mutation(AlertMutations, FederationMutations):
    @strawberry.mutation
    def create_program(self, info: Info, input: inputs.ProgramInput) -> ProgramResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Program.from_model(directory.create_program(s, p, _program(input)))
        )

    @strawberry.mutation
    def update_program(
        self,
        info: Info,
        id: int,
        input: inputs.ProgramInput,
    ) -> ProgramResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Program.from_model(
                directory.update_program(s, p, program_id=id, data=_program(input))
            ),
        )

    @strawberry.mutation
    def retire_program(self, info: Info, id: int) -> ProgramResult:
        """Tombstones the program (deleted: true); partners see it."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Program.from_model(directory.retire_program(s, p, program_id=id))
        )

    @strawberry.mutation
    def restore_program(self, info: Info, id: int) -> ProgramResult:
        """Brings back a retired program within the tombstone grace period."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Program.from_model(directory.restore_program(s, p, program_id=id))
        )

    @strawberry.mutation
    def create_practice(self, info: Info, input: inputs.PracticeInput) -> PracticeResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Practice.from_model(directory.create_practice(s, p, _practice(input)))
        )

    @strawberry.mutation
    def update_practice(
        self,
        info: Info,
        id: int,
        input: inputs.PracticeInput,
    ) -> PracticeResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Practice.from_model(
                directory.update_practice(s, p, practice_id=id, data=_practice(input))
            ),
        )

    @strawberry.mutation
    def retire_practice(self, info: Info, id: int) -> PracticeResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Practice.from_model(directory.retire_practice(s, p, practice_id=id))
        )

    @strawberry.mutation
    def restore_practice(self, info: Info, id: int) -> PracticeResult:
        """Brings back a retired practice, as a draft, within the tombstone grace period."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Practice.from_model(directory.restore_practice(s, p, practice_id=id))
        )

    @strawberry.mutation
    def submit_practice(self, info: Info, input: inputs.PracticeInput) -> PracticeResult:
        """A district user submits a practice for the state's review."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Practice.from_model(directory.submit_practice(s, p, _practice(input)))
        )

    @strawberry.mutation
    def review_practice(
        self,
        info: Info,
        id: int,
        status: schemas.PracticeStatus,
    ) -> PracticeResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Practice.from_model(
                directory.review_practice(s, p, practice_id=id, status=status)
            ),
        )

    @strawberry.mutation
    def create_contact(
        self,
        info: Info,
        input: inputs.ContactInput,
        district_nces_id: str | None = None,
        school_nces_id: str | None = None,
    ) -> ContactResult:
        """Give exactly one of districtNcesId and schoolNcesId."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Contact.from_model(
                directory.create_contact(
                    s,
                    p,
                    data=_contact(input),
                    district_nces_id=district_nces_id,
                    school_nces_id=school_nces_id,
                )
            ),
        )

    @strawberry.mutation
    def update_contact(
        self,
        info: Info,
        id: int,
        input: inputs.ContactInput,
    ) -> ContactResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: Contact.from_model(
                directory.update_contact(s, p, contact_id=id, data=_contact(input))
            ),
        )

    @strawberry.mutation
    def delete_contact(self, info: Info, id: int) -> ContactResult:
        s, p = info.context.session, info.context.principal
        return _attempt(
            info, lambda: Contact.from_model(directory.delete_contact(s, p, contact_id=id))
        )

    @strawberry.mutation
    def confirm_contacts(self, info: Info, district_nces_id: str) -> ConfirmContactsResult:
        """Marks a district's and its schools' contacts verified now."""
        s, p = info.context.session, info.context.principal
        return _attempt(
            info,
            lambda: ConfirmedContacts(
                count=directory.confirm_contacts(s, p, district_nces_id=district_nces_id)
            ),
        )

    import_file: imports.ImportFileResult = strawberry.mutation(resolver=imports.import_file)

    @strawberry.mutation
    def login(self, info: Info, username: str, password: str) -> LoginResult:
        """Sign in: issues a bearer token (audit-logged)."""
        session = info.context.session
        try:
            with session.begin_nested():
                user = auth.authenticate(session, username=username, password=password)
                if user is None:
                    raise InvalidInput("unknown username or wrong password", field="password")
                _row, token = auth.create_token(
                    session, SYSTEM, username=user.username, name="login"
                )
                return Token(token=token)
        except InvalidInput as exc:
            return InputError(message=exc.message, field=exc.field)
