"""`python -m hub.graphql.export`: writes the printed SDL to schemas/schema.graphql."""

import sys
from pathlib import Path

from hub.graphql.schema import build_schema
from hub.settings import SCHEMAS_DIR, get_settings

SDL_PATH = SCHEMAS_DIR / "schema.graphql"


def print_sdl() -> str:
    """The schema as SDL, with the configured limits (they do not change the SDL)."""
    settings = get_settings()
    schema = build_schema(
        max_depth=settings.graphql_max_depth,
        max_aliases=settings.graphql_max_aliases,
        max_tokens=settings.graphql_max_tokens,
    )
    return schema.as_str() + "\n"


def main(path: Path = SDL_PATH) -> None:
    """Write the SDL to `path`."""
    path.write_text(print_sdl(), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")


if __name__ == "__main__":
    main()
