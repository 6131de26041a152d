"""What every `hub` command prints with, and how an expected failure ends one: a red one-line
message and exit status 1, never a traceback."""

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError, ProgrammingError

from hub.errors import HubError

# soft_wrap: long lines (tokens, messages) are left whole for the terminal to wrap or copy.
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def friendly(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures into a red one-line message and exit status 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except HubError as exc:
            where = f" ({exc.field})" if exc.field else ""
            err.print(f"[red]error{where}:[/red] {exc.message}")
        except (OperationalError, ProgrammingError) as exc:
            # Unreachable server, or a schema that was never migrated (`hub db upgrade`).
            err.print(f"[red]database error:[/red] {str(exc.orig).strip()}")
        raise typer.Exit(1)

    return run
