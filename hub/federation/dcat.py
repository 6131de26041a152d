"""The public catalog as a DCAT-US 3.0 catalog in JSON-LD (GET /catalog.json), so the harvesters
that read data.json-style catalogs (data.gov, CKAN) list our programs and published practices.

It holds only what anonymous callers may read, and no person's e-mail or phone: a dataset's
contact point is its provider's public website or its center's public address.
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Header
from fastapi.responses import Response
from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from hub.deps import SessionProvider
from hub.directory import taxonomy
from hub.directory.models import (
    Center,
    District,
    EvidenceRating,
    Practice,
    Program,
    ProgramAvailability,
    Provider,
    Region,
    Term,
    practice_terms,
    program_terms,
)
from hub.directory.schemas import PracticeStatus
from hub.settings import Settings, get_settings

MEDIA_TYPE = "application/ld+json"
# Harvesters poll daily at most; five minutes keeps a burst of them off the database.
CACHE_CONTROL = "public, max-age=300"
DCAT_US_3 = "https://resources.data.gov/dcat-us/3.0.0"
# Vocabularies whose labels become keywords; topics also become themes.
KEYWORDS = ("topics", "phases", "audiences", "delivery_modes")

# Inline, so a JSON-LD processor needs no network; the terms are the DCAT-US 3.0 property names.
CONTEXT: dict[str, Any] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "pod": "https://project-open-data.cio.gov/v1.1/schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dataset": {"@id": "dcat:dataset", "@container": "@set"},
    "title": "dcterms:title",
    "description": "dcterms:description",
    "identifier": "dcterms:identifier",
    "modified": {"@id": "dcterms:modified", "@type": "xsd:dateTime"},
    "publisher": "dcterms:publisher",
    "creator": "dcterms:creator",
    "conformsTo": "dcterms:conformsTo",
    "language": "dcterms:language",
    "spatial": {"@id": "dcterms:spatial", "@container": "@set"},
    "accessRights": "dcterms:accessRights",
    "accessLevel": "pod:accessLevel",
    "keyword": {"@id": "dcat:keyword", "@container": "@set"},
    "theme": {"@id": "dcat:theme", "@container": "@set"},
    "themeTaxonomy": {"@id": "dcat:themeTaxonomy", "@container": "@set"},
    "contactPoint": {"@id": "dcat:contactPoint", "@type": "@id"},
    "landingPage": "dcat:landingPage",
    "distribution": {"@id": "dcat:distribution", "@container": "@set"},
    "accessURL": {"@id": "dcat:accessURL", "@type": "@id"},
    "mediaType": "dcat:mediaType",
    "name": "foaf:name",
    "prefLabel": "skos:prefLabel",
    "notation": "skos:notation",
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
    "version": "dcat:version",
    "schemaAgency": "adms:schemaAgency",
}


@dataclass
class Record:
    """One public program or practice with what its dataset shows."""

    kind: Literal["program", "practice"]
    row: Program | Practice
    provider: Provider | None = None
    terms: list[Term] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)


LIVE_PROGRAM = Program.deleted.is_(False)
PUBLIC_PRACTICE = and_(
    Practice.deleted.is_(False), Practice.status == PracticeStatus.PUBLISHED.value
)


def _terms(
    session: Session, table: Any, owner: str, model: Any, live: Any
) -> dict[int, list[Term]]:
    rows = session.execute(
        select(table.c[owner], Term)
        .join(Term, Term.id == table.c.term_id)
        .join(model, model.id == table.c[owner])
        .where(live, Term.retired.is_(False))
        .order_by(Term.position, Term.id)
    ).all()
    found: dict[int, list[Term]] = defaultdict(list)
    for owner_id, term in rows:
        found[owner_id].append(term)
    return found


def _tiers(session: Session) -> dict[tuple[str, int | None], list[str]]:
    """Evidence tier labels of every public record, in one statement ("not rated" left out)."""
    rating = EvidenceRating
    rows = session.execute(
        select(rating.program_id, rating.practice_id, Term.label)
        .join(Term, Term.id == rating.tier_id)
        .where(
            Term.slug != "unrated",
            or_(
                rating.program_id.in_(select(Program.id).where(LIVE_PROGRAM)),
                rating.practice_id.in_(select(Practice.id).where(PUBLIC_PRACTICE)),
            ),
        )
        .order_by(rating.id)
    ).all()
    found: dict[tuple[str, int | None], list[str]] = defaultdict(list)
    for program_id, practice_id, label in rows:
        key = ("program", program_id) if program_id is not None else ("practice", practice_id)
        found[key].append(label)
    return found


def _places(session: Session, local_state: str) -> dict[int, list[dict[str, Any]]]:
    """Each live program's availability as DCAT Locations, district and region names joined in.

    Region codes are unique per state only: a code two states use is named after this hub's.
    """
    av = ProgramAvailability
    district_name = District.name.label("district_name")
    region_name = Region.name.label("region_name")
    rows = session.execute(
        select(av.program_id, av.scope, av.code, district_name, region_name)
        .join(Program, Program.id == av.program_id)
        .outerjoin(District, and_(av.scope == "district", District.nces_id == av.code))
        .outerjoin(Region, and_(av.scope == "region", Region.code == av.code))
        .where(LIVE_PROGRAM)
        .order_by(av.program_id, av.scope, av.code, case((Region.state == local_state, 0), else_=1))
    ).all()
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    seen: set[tuple[int, str, str]] = set()
    for program_id, scope, code, district, region in rows:
        if (program_id, scope, code) in seen:
            continue
        seen.add((program_id, scope, code))
        found[program_id].append(_location(scope, code, district or region))
    return found


def _location(scope: str, code: str, name: str | None) -> dict[str, Any]:
    agency = {"state": "USPS", "district": "NCES"}.get(scope)
    identifier: dict[str, Any] = {"@type": "adms:Identifier", "notation": code}
    if agency:
        identifier["schemaAgency"] = agency
    return {"@type": "dcterms:Location", "prefLabel": name or code, "identifier": identifier}


def public_records(session: Session, settings: Settings) -> list[Record]:
    """Programs that are not retired, then published practices, each by id; six statements
    whatever their number (terms, ratings and availability are loaded for all at once)."""
    programs = session.execute(
        select(Program, Provider)
        .outerjoin(Provider, Provider.id == Program.provider_id)
        .where(LIVE_PROGRAM)
        .order_by(Program.id)
    ).all()
    practices = session.scalars(select(Practice).where(PUBLIC_PRACTICE).order_by(Practice.id)).all()
    program_tags = _terms(session, program_terms, "program_id", Program, LIVE_PROGRAM)
    practice_tags = _terms(session, practice_terms, "practice_id", Practice, PUBLIC_PRACTICE)
    tiers = _tiers(session)
    places = _places(session, settings.center_state)
    records = [
        Record(
            "program",
            program,
            provider=provider,
            terms=program_tags.get(program.id, []),
            tiers=tiers.get(("program", program.id), []),
            places=places.get(program.id, []),
        )
        for program, provider in programs
    ]
    records += [
        Record(
            "practice",
            practice,
            terms=practice_tags.get(practice.id, []),
            tiers=tiers.get(("practice", practice.id), []),
        )
        for practice in practices
    ]
    return records


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class _Site:
    """Where things live: this hub's public address, its catalog and its topic vocabulary."""

    base: str
    settings: Settings
    centers: dict[str, Center]

    @property
    def catalog(self) -> str:
        return f"{self.base}/catalog.json"

    @property
    def topics(self) -> str:
        return f"{self.base}/taxonomy/topics"

    def center_name(self, slug: str) -> str:
        if slug == self.settings.center_slug:
            return self.settings.center_name
        center = self.centers.get(slug)
        return center.name if center is not None else slug

    def center_url(self, slug: str) -> str:
        """A center's public website; this hub's address when it has none on record."""
        center = self.centers.get(slug)
        return center.website if center is not None and center.website else self.base


def _theme(site: _Site, term: Term) -> dict[str, Any]:
    return {
        "@id": f"{site.topics}/{term.slug}",
        "@type": "skos:Concept",
        "prefLabel": term.label,
        "notation": [term.slug],
        "inScheme": site.topics,
    }


def _graphql(site: _Site, record: Record) -> dict[str, Any]:
    fields = "title summary description url" if record.kind == "program" else "title summary body"
    query = f"{{ {record.kind}(id: {record.row.id}) {{ {fields} }} }}"
    return {
        "@type": "dcat:Distribution",
        "title": "GraphQL API",
        "description": f"POST {json.dumps({'query': query})} to the access URL.",
        "accessURL": f"{site.base}/graphql",
        "mediaType": "application/json",
    }


def _dataset(site: _Site, record: Record) -> dict[str, Any]:
    row = record.row
    if isinstance(row, Program):
        description = row.description or row.summary or row.title
    else:
        description = row.summary or row.title
    key = f"{quote(row.origin_center, safe='')}/{quote(row.origin_id, safe='')}"
    website = record.provider.website if record.provider is not None else None
    dataset: dict[str, Any] = {
        "@id": f"{site.catalog}#{record.kind}/{key}",
        "@type": "dcat:Dataset",
        # The federation key: the same on every hub that shares the record.
        "identifier": f"{row.origin_center}:{record.kind}:{row.origin_id}",
        "title": row.title,
        "description": description,
        "modified": _time(row.updated_at),
        "publisher": {"@type": "foaf:Organization", "name": site.center_name(row.origin_center)},
        "contactPoint": website or site.center_url(row.origin_center),
        "accessLevel": "public",  # DCAT-US 1.1, which harvesters still read
        "accessRights": "public",  # its DCAT-US 3.0 successor
        "distribution": [_graphql(site, record)],
    }
    tags = sorted(
        (t for t in record.terms if t.vocabulary in KEYWORDS),
        key=lambda t: (KEYWORDS.index(t.vocabulary), t.position),
    )
    keywords = [t.label for t in tags] + record.tiers
    if keywords:
        dataset["keyword"] = list(dict.fromkeys(keywords))
    themes = [_theme(site, t) for t in record.terms if t.vocabulary == "topics"]
    if themes:
        dataset["theme"] = themes
    if record.provider is not None:
        dataset["creator"] = {"@type": "foaf:Agent", "name": record.provider.name}
    if isinstance(row, Program) and row.url:
        dataset["landingPage"] = {
            "@type": "foaf:Document",
            "title": row.title,
            "accessURL": row.url,
        }
    if record.places:
        dataset["spatial"] = record.places
    return dataset


def build_catalog(session: Session, settings: Settings) -> dict[str, Any]:
    """The DCAT-US 3.0 catalog of the public programs and practices (seven statements)."""
    records = public_records(session, settings)
    centers = {c.slug: c for c in session.scalars(select(Center))}
    site = _Site(settings.public_base_url.rstrip("/"), settings, centers)
    catalog: dict[str, Any] = {
        "@context": CONTEXT,
        "@id": site.catalog,
        "@type": "dcat:Catalog",
        "conformsTo": {
            "@type": "dcterms:Standard",
            "title": "DCAT-US 3.0",
            "identifier": DCAT_US_3,
        },
        "title": f"{settings.center_name}: school safety programs and practices",
        "description": (
            f"Programs, trainings and services for schools and districts, and the best practices "
            f"{settings.center_name} has published."
        ),
        "publisher": {"@type": "foaf:Organization", "name": settings.center_name},
        "language": ["en"],
        "themeTaxonomy": [
            {
                "@id": site.topics,
                "@type": "skos:ConceptScheme",
                "title": "School safety topics",
                "version": str(taxonomy.load().version),
            }
        ],
        "dataset": [_dataset(site, r) for r in records],
    }
    if records:
        catalog["modified"] = _time(max(r.row.updated_at for r in records))
    return catalog


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def catalog_router(sessions: SessionProvider) -> APIRouter:
    """GET /catalog.json: the catalog, with an ETag so a harvester that has it gets a 304."""
    router = APIRouter()

    @router.get("/catalog.json")
    def catalog(if_none_match: Annotated[str | None, Header()] = None) -> Response:
        with sessions(False) as session:
            document = build_catalog(session, get_settings())
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if _matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=MEDIA_TYPE, headers=headers)

    return router
