"""Reading import files as published: encoding by content, rows by header name, line numbers.

NCES files are unquoted CSV in ISO-8859-1 (older years) or UTF-8 with or without a BOM, and a few
rows hold a literal `"` inside a field. So a line is first split without quoting; only a line
whose field count is off is parsed again with CSV quoting. A CSV record is one physical line.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from hub.errors import HubError

CHUNK = 1 << 20


class UnusableFile(HubError):
    """The file as a whole cannot be imported (unreadable, no header, missing columns)."""

    code = "unusable_file"


def detect_encoding(stream: BinaryIO) -> str:
    """'utf-8-sig', 'utf-8' or 'iso-8859-1', by reading the stream once (then rewinding)."""
    start = stream.tell()
    head = stream.read(3)
    if head == codecs.BOM_UTF8:
        stream.seek(start)
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    chunk = head
    try:
        while chunk:
            decoder.decode(chunk)
            chunk = stream.read(CHUNK)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return _rewound(stream, start, "iso-8859-1")
    return _rewound(stream, start, "utf-8")


def _rewound(stream: BinaryIO, start: int, encoding: str) -> str:
    stream.seek(start)
    return encoding


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its physical line number (header is line 1) and values by column name."""

    line: int
    values: dict[str, str]
    raw: str


class CsvRows:
    """Iterates a CSV stream's data rows; `bad` collects lines whose field count is wrong.

    `bytes_read` tells a progress bar how far the stream is.
    """

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self.name = name
        self.encoding = detect_encoding(stream)
        self.stream = stream
        self.bytes_read = 0
        self._lines = self._text_lines()
        try:
            _, header_line = next(self._lines)
        except StopIteration:
            raise UnusableFile(f"{name} is empty") from None
        self.header = [h.strip() for h in header_line.split(",")]
        if not any(self.header):
            raise UnusableFile(f"{name} has no header line")

    def require(self, columns: tuple[str, ...]) -> None:
        """UnusableFile naming the columns of `columns` that the header lacks."""
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise UnusableFile(
                f"{self.name} lacks the required column(s) {', '.join(missing)}",
                field=missing[0],
            )

    def _text_lines(self) -> Iterator[tuple[int, str]]:
        decoder = codecs.getincrementaldecoder(self.encoding)()
        pending = ""
        number = 0
        while True:
            chunk = self.stream.read(CHUNK)
            self.bytes_read += len(chunk)
            text = pending + decoder.decode(chunk, final=not chunk)
            lines = text.split("\n")
            pending = lines.pop()
            for line in lines:
                number += 1
                yield number, line.rstrip("\r")
            if not chunk:
                if pending:
                    yield number + 1, pending.rstrip("\r")
                return

    def __iter__(self) -> Iterator[Row | tuple[int, str, str]]:
        """Rows, or (line, raw, reason) for a line whose fields do not match the header."""
        width = len(self.header)
        for number, line in self._lines:
            if not line.strip():
                continue
            fields = line.split(",")
            if len(fields) != width:
                fields = next(csv.reader([line]))
            if len(fields) != width:
                yield number, line, f"expected {width} fields, found {len(fields)}"
                continue
            yield Row(number, dict(zip(self.header, fields, strict=True)), line)


def open_binary(path: Path) -> BinaryIO:
    """The file opened for reading, or UnusableFile saying why not."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise UnusableFile(f"cannot read {path}: {exc.strerror}") from exc
