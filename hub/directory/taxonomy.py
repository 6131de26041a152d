"""The controlled vocabulary: kept as data in schemas/taxonomy.yaml, mirrored into `terms`.

Slugs are the API values. A slug that disappears from the file is marked retired, never deleted,
so records tagged with it stay readable.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.directory.models import Center, Term
from hub.errors import InvalidInput
from hub.settings import get_settings

# Vocabularies tagged onto programs and practices through program_terms / practice_terms.
TAG_VOCABULARIES = ("topics", "phases", "audiences", "delivery_modes")
VOCABULARIES = (*TAG_VOCABULARIES, "evidence_tiers", "contact_roles", "alert_categories")


@dataclass(frozen=True)
class Entry:
    """One vocabulary entry as read from the file."""

    vocabulary: str
    slug: str
    label: str
    parent: str | None
    position: int


@dataclass(frozen=True)
class Taxonomy:
    """The file, indexed: entries by vocabulary, in file order."""

    version: int
    entries: dict[str, list[Entry]] = field(default_factory=dict)

    def slugs(self, vocabulary: str) -> list[str]:
        return [e.slug for e in self.entries.get(vocabulary, [])]

    def descendants(self, vocabulary: str, slug: str) -> list[str]:
        """`slug` and every slug below it (a filter on a parent topic matches its children)."""
        found = [slug]
        for e in self.entries.get(vocabulary, []):
            if e.parent in found:
                found.append(e.slug)
        return found

    def check(self, vocabulary: str, slugs: list[str], *, field: str) -> list[str]:
        """Return `slugs` if all are known, else raise InvalidInput listing the allowed ones."""
        allowed = self.slugs(vocabulary)
        unknown = [s for s in slugs if s not in allowed]
        if unknown:
            raise InvalidInput(
                f"unknown {vocabulary.replace('_', ' ')} {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(allowed)}",
                field=field,
            )
        return slugs


def _walk(
    vocabulary: str, items: list[dict[str, Any]], parent: str | None, out: list[Entry]
) -> None:
    for item in items:
        out.append(Entry(vocabulary, item["slug"], item["label"], parent, len(out)))
        _walk(vocabulary, item.get("children") or [], item["slug"], out)


def parse(path: Path) -> Taxonomy:
    """Read a taxonomy file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries: dict[str, list[Entry]] = {}
    for vocabulary in VOCABULARIES:
        out: list[Entry] = []
        _walk(vocabulary, data.get(vocabulary) or [], None, out)
        entries[vocabulary] = out
    return Taxonomy(version=int(data.get("version", 1)), entries=entries)


@lru_cache
def load() -> Taxonomy:
    """The hub's taxonomy, from HUB_SCHEMAS_DIR/taxonomy.yaml, read once."""
    return parse(get_settings().schemas_dir / "taxonomy.yaml")


def sync(session: Session, taxonomy: Taxonomy | None = None) -> None:
    """Mirror the taxonomy into `terms` and make sure the local center exists."""
    taxonomy = taxonomy or load()
    existing = {(t.vocabulary, t.slug): t for t in session.scalars(select(Term))}
    seen: set[tuple[str, str]] = set()
    for vocabulary, entries in taxonomy.entries.items():
        for e in entries:
            key = (vocabulary, e.slug)
            seen.add(key)
            term = existing.get(key)
            if term is None:
                term = Term(vocabulary=vocabulary, slug=e.slug)
                session.add(term)
                existing[key] = term
            term.label, term.position, term.retired = e.label, e.position, False
        session.flush()
        for e in entries:
            parent = existing[(vocabulary, e.parent)].id if e.parent else None
            existing[(vocabulary, e.slug)].parent_id = parent
    for key, term in existing.items():
        if key not in seen:
            term.retired = True
    settings = get_settings()
    local = session.scalar(select(Center).where(Center.slug == settings.center_slug))
    if local is None:
        session.add(
            Center(
                slug=settings.center_slug,
                name=settings.center_name,
                level="state",
                state=settings.center_state,
                is_local=True,
            )
        )
    session.flush()
