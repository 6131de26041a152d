"""The benchmarked server: the hub's app plus one plain JSON route over the same service calls.

`GET /plain/programs?topic=&district=&first=` answers the typical district query with the same
service functions the GraphQL layer uses (directory.list_programs, then one batch load each for
providers, ratings and contacts) and returns the JSON the GraphQL query in bench.directory.queries
returns, so both routes do the same database work and differ only in the API layer.

Run as `python -m bench.directory.server --url URL --port PORT` (the benchmark starts it).
"""

import argparse
import gc
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hub.app import create_app
from hub.auth.policy import ANONYMOUS
from hub.db import make_engine
from hub.deps import default_session_provider
from hub.directory import service as directory
from hub.directory.models import Contact, EvidenceRating, Program, Provider
from hub.directory.schemas import ProgramFilter
from hub.pagination import PageArgs


def _provider(p: Provider | None) -> dict[str, Any] | None:
    return None if p is None else {"id": p.id, "name": p.name, "website": p.website}


def _rating(r: EvidenceRating) -> dict[str, Any]:
    return {
        "tier": {"slug": r.tier.slug, "label": r.tier.label},
        "source": r.source,
        "asOf": r.as_of.isoformat() if r.as_of else None,
    }


def _contact(c: Contact | None) -> dict[str, Any] | None:
    if c is None:
        return None
    visible = directory.contact_details_visible(ANONYMOUS, c)
    return {
        "id": c.id,
        "name": c.name,
        "title": c.title,
        "role": c.role,
        "email": c.email if visible else None,
        "phone": c.phone if visible else None,
    }


def district_programs(engine: Engine, topic: str, district: str, first: int) -> dict[str, Any]:
    """The typical district query, answered by direct service calls (no GraphQL)."""
    provide = default_session_provider(engine)
    with provide(False) as session:
        page = directory.list_programs(
            session,
            filter=ProgramFilter(topics=[topic], available_to_district=district),
            page=PageArgs(first=first),
        )
        items: list[Program] = page.items
        provider_ids = sorted({p.provider_id for p in items if p.provider_id is not None})
        contact_ids = sorted({p.contact_id for p in items if p.contact_id is not None})
        providers = dict(
            zip(provider_ids, directory.providers_by_ids(session, provider_ids), strict=True)
        )
        contacts = dict(
            zip(contact_ids, directory.contacts_by_ids(session, contact_ids), strict=True)
        )
        ratings = directory.ratings_by_program_ids(session, [p.id for p in items])
        nodes = [
            {
                "id": p.id,
                "title": p.title,
                "summary": p.summary,
                "free": p.free,
                "url": p.url,
                "provider": _provider(providers.get(p.provider_id)) if p.provider_id else None,
                "ratings": [_rating(r) for r in rated],
                "contact": _contact(contacts.get(p.contact_id)) if p.contact_id else None,
            }
            for p, rated in zip(items, ratings, strict=True)
        ]
        return {
            "data": {
                "programs": {
                    "totalCount": page.total,
                    "pageInfo": {
                        "hasNextPage": page.has_next,
                        "endCursor": page.cursor(len(nodes) - 1) if nodes else None,
                    },
                    "edges": [
                        {"cursor": page.cursor(i), "node": node} for i, node in enumerate(nodes)
                    ],
                }
            }
        }


def build_app(url: str) -> FastAPI:
    """The hub's app on `url`, with the plain route and a readiness route added."""
    engine = make_engine(url)
    app = create_app(engine=engine)

    def plain_programs(topic: str, district: str, first: int = 25) -> JSONResponse:
        # Rendered as /graphql renders its answers (JSONResponse of a dict, no encoder pass).
        return JSONResponse(district_programs(engine, topic, district, first))

    def ready() -> dict[str, str]:
        return {"status": "ready"}

    app.add_api_route("/plain/programs", plain_programs, methods=["GET"])
    app.add_api_route("/bench/ready", ready, methods=["GET"])
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="database URL (migrated, filled)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = build_app(args.url)
    gc.freeze()  # as `hub serve` does: start-up objects live for the whole process
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
