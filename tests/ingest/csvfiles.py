"""Writing CSV test files in a chosen encoding and line end."""

import csv
import io
from pathlib import Path


def write_dicts(
    path: Path,
    rows: list[dict[str, str]],
    *,
    header: list[str],
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    """`rows` under `header`, encoded as asked (Latin-1, UTF-8 with BOM, CRLF…)."""
    text = io.StringIO()
    writer = csv.DictWriter(text, header, lineterminator=newline)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode(encoding))
    return path
