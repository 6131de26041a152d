"""What every resolver sees: the request's session, the caller and the request's DataLoaders."""

from dataclasses import dataclass, field

import strawberry
from sqlalchemy.orm import Session

from hub.auth.policy import Principal
from hub.graphql.loaders import Loaders


@dataclass
class Context:
    """One per operation, made inside the worker thread that runs it."""

    session: Session
    principal: Principal
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session, self.principal)


Info = strawberry.Info[Context, None]
