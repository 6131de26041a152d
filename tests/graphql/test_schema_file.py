"""schemas/schema.graphql is the printed schema; regenerate with `python -m hub.graphql.export`."""

from hub.graphql.export import SDL_PATH, print_sdl


def test_committed_sdl_is_current() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == print_sdl(), (
        "schemas/schema.graphql is stale: run `python -m hub.graphql.export`"
    )
