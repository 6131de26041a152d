"""Opaque page cursors and page results shared by every listing (GraphQL connections, web pages)."""

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from hub.errors import InvalidInput

MAX_PAGE = 100
_PREFIX = "hub:o:"

T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    """The cursor of the item at `offset` in a listing."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str, *, field: str = "after") -> int:
    """The offset a cursor of ours stands for; any other string is an InvalidInput on `field`."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise InvalidInput("not a cursor issued by this hub", field=field)
    return int(text[len(_PREFIX) :])


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Which slice to read: `first` items after offset `offset` (first item is offset 0)."""

    first: int = 25
    offset: int = 0

    @classmethod
    def from_relay(cls, first: int | None, after: str | None, *, default: int = 25) -> "PageArgs":
        """Checks a Relay-style (first, after) pair: first in 0..100, after a cursor of ours."""
        size = default if first is None else first
        if size < 0 or size > MAX_PAGE:
            raise InvalidInput(f"must be between 0 and {MAX_PAGE}, got {size}", field="first")
        start = 0 if after is None else decode_cursor(after) + 1
        return cls(first=size, offset=start)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One slice of a listing, with the total the filter matched."""

    items: list[T]
    total: int
    offset: int

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    def cursor(self, index: int) -> str:
        """Cursor of items[index]."""
        return encode_cursor(self.offset + index)
