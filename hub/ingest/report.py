"""What an import did: counts, and each rejected row with its file, line, field and reason.

The same report is printed by the CLI, written as JSON beside the input and returned by GraphQL.
"""

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

# Exit codes of `hub ingest …`.
OK, REJECTED_ROWS, UNUSABLE_FILE = 0, 1, 2
# Rejections kept in full; beyond this only counted, so a file of bad rows cannot fill memory.
MAX_LISTED = 10_000


@dataclass(frozen=True, slots=True)
class Rejection:
    """One row (CSV line, or record index in JSON/YAML) that was not imported, and why."""

    file: str
    line: int
    field: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A value that could not be used and was left empty; the row itself was imported."""

    file: str
    line: int
    field: str
    reason: str


@dataclass
class Report:
    """Counts and rejections of one import run."""

    kind: str
    file: str
    dry_run: bool = False
    skip_invalid: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    committed: bool = False
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    warning_count: int = 0
    unusable: str | None = None
    rejected_sink: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    def reject(
        self, line: int, field_name: str | None, reason: str, raw: str | None = None
    ) -> None:
        """Count and list a rejected row; its original text goes to the rejected-rows sink."""
        self.rejected += 1
        if raw is not None and self.rejected_sink is not None:
            self.rejected_sink(raw)
        if len(self.rejections) < MAX_LISTED:
            self.rejections.append(Rejection(self.file, line, field_name, reason))

    def warn(self, line: int, field_name: str, reason: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Notice(self.file, line, field_name, reason))

    @property
    def exit_code(self) -> int:
        if self.unusable is not None:
            return UNUSABLE_FILE
        return REJECTED_ROWS if self.rejected else OK

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        """One line: what happened, including 'nothing changed' on a re-run."""
        if self.unusable is not None:
            return f"{self.file}: unusable file: {self.unusable}"
        counts = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )
        if self.skipped:
            counts += f", {self.skipped} skipped"
        if self.dry_run:
            outcome = "dry run: nothing written"
        elif self.rejected and not self.skip_invalid:
            outcome = "nothing imported: fix the rejected rows or use --skip-invalid"
        elif not self.changed:
            outcome = "nothing changed"
        else:
            outcome = "imported"
        return f"{self.file}: {counts}; {outcome}"

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        del body["rejected_sink"]
        body["summary"] = self.summary()
        body["exit_code"] = self.exit_code
        return body

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")

    def print(self, console: Console) -> None:
        """The summary and, when there are any, tables of rejections and warnings."""
        for title, rows in (("rejected", self.rejections), ("warnings", self.warnings)):
            if not rows:
                continue
            table = Table(title=title, title_justify="left")
            for column in ("line", "field", "reason"):
                table.add_column(column, overflow="fold")
            for row in rows[:200]:
                table.add_row(str(row.line), row.field or "", row.reason)
            console.print(table)
            if len(rows) > 200:
                console.print(f"… and {len(rows) - 200} more in the JSON report")
        colour = {OK: "green", REJECTED_ROWS: "yellow", UNUSABLE_FILE: "red"}[self.exit_code]
        console.print(f"[{colour}]{self.summary()}[/{colour}]")
