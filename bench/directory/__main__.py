"""Directory benchmark: `python -m bench.directory [--db sqlite|postgresql] [--smoke]`.

Generates a large directory in a fresh database, serves it (uvicorn in a subprocess on 127.0.0.1),
checks that GraphQL and the plain JSON route give the same answers, warms both up, then measures
both with the same request sequence: 16 concurrent clients, then a single client. Prints req/s,
p50 and p99 of each, the GraphQL/plain throughput ratio and the targets with PASS/MISS. Exits
non-zero when a request failed or the two routes disagree, never because a target was missed.
"""

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.directory import load
from bench.directory.databases import PG_ADMIN_URL, fresh_database
from bench.directory.generate import FULL, SMOKE, Generated, generate, request_mix
from bench.directory.queries import graphql_request, plain_request
from bench.serving import process
from hub import migrate
from hub.db import make_engine

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "bench" / "out"

RATIO_TARGET = 0.50
P99_TARGET_MS = 100.0


@dataclass(frozen=True)
class Plan:
    """How many requests each phase sends, and the time cap of each measured run."""

    clients: int
    requests: int
    single_requests: int
    warmup: int
    max_seconds: float
    checks: int


FULL_PLAN = Plan(
    clients=16, requests=2000, single_requests=200, warmup=200, max_seconds=45, checks=20
)
SMOKE_PLAN = Plan(clients=16, requests=48, single_requests=8, warmup=16, max_seconds=30, checks=4)


@contextmanager
def serving(url: str) -> Iterator[str]:
    """Run bench.directory.server on a free loopback port; yields its base URL."""
    env = {**os.environ, "HUB_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "bench.directory.server", "--url", url, "--port"]
    with process(
        lambda port: [*command, str(port)], env=env, ready="/bench/ready", what="the bench server"
    ) as base:
        yield base


def check_same_answers(base: str, pairs: list[tuple[str, str]]) -> float:
    """Ask both routes each pair; exit if any answer differs. Returns the mean page size."""
    sizes = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for topic, district in pairs:
            answers = []
            for method, path, body, params in (
                graphql_request(topic, district),
                plain_request(topic, district),
            ):
                response = client.request(method, path, json=body, params=params)
                response.raise_for_status()
                answers.append(response.json())
            if answers[0] != answers[1]:
                raise SystemExit(
                    f"GraphQL and plain answers differ for topic={topic} district={district}:\n"
                    f"graphql: {json.dumps(answers[0])[:1500]}\n"
                    f"plain:   {json.dumps(answers[1])[:1500]}"
                )
            sizes.append(len(answers[1]["data"]["programs"]["edges"]))
    return sum(sizes) / len(sizes)


def measure(base: str, pairs: list[tuple[str, str]], plan: Plan) -> list[load.Result]:
    """Warm-up, then plain and GraphQL at `plan.clients` clients, then both with one client."""

    def plain(i: int) -> load.Request:
        return plain_request(*pairs[i % len(pairs)])

    def graphql(i: int) -> load.Request:
        return graphql_request(*pairs[i % len(pairs)])

    for name, make, is_graphql in (("plain", plain, False), ("graphql", graphql, True)):
        warm = load.run(
            base,
            name,
            make,
            clients=plan.clients,
            total=plan.warmup,
            max_seconds=plan.max_seconds,
            graphql=is_graphql,
        )
        _fail_on_errors(warm)
    results = []
    for clients, total in ((plan.clients, plan.requests), (1, plan.single_requests)):
        for name, make, is_graphql in (
            ("plain JSON", plain, False),
            ("GraphQL", graphql, True),
        ):
            result = load.run(
                base,
                name,
                make,
                clients=clients,
                total=total,
                max_seconds=plan.max_seconds,
                graphql=is_graphql,
            )
            _fail_on_errors(result)
            results.append(result)
    return results


def _fail_on_errors(result: load.Result) -> None:
    if result.errors:
        raise SystemExit(
            f"{result.errors} of {result.requests} {result.name} requests failed; "
            f"first: {result.first_error}"
        )


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    db: str, generated: Generated, page_size: float, results: list[load.Result], plan: Plan
) -> dict[str, Any]:
    """Print the figures and targets; returns them as a dict for bench/out/."""
    counts = generated.counts
    print(
        f"\ndirectory benchmark on {db}: {counts['districts']:,} districts, "
        f"{counts['programs']:,} programs, {counts['contacts']:,} contacts, "
        f"{counts['regions']} regions, {counts['providers']} providers, "
        f"{counts['program_terms']:,} tags, {counts['evidence_ratings']:,} ratings, "
        f"{counts['program_availability']:,} availability rows "
        f"(generated in {generated.seconds:.1f} s)"
    )
    print(
        "query: programs(topic, availableToDistrict, first: 25) with provider, ratings, contact; "
        f"mean page {page_size:.1f} items; answers identical on both routes"
    )
    print(
        f"{'endpoint':<12}{'clients':>8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}"
    )
    for r in results:
        print(
            f"{r.name:<12}{r.clients:>8}{r.requests:>10}{r.rps:>10.1f}"
            f"{r.percentile(0.5) * 1000:>10.1f}{r.percentile(0.99) * 1000:>10.1f}"
        )
    plain, graphql, plain_one, graphql_one = results
    ratio = graphql.rps / plain.rps if plain.rps else 0.0
    checks = [
        (
            f"GraphQL/plain throughput, {plan.clients} clients",
            f"{ratio:.2f}",
            f">= {RATIO_TARGET:.2f}",
            ratio >= RATIO_TARGET,
        )
    ]
    for r in (graphql, plain, graphql_one, plain_one):
        p99 = r.percentile(0.99) * 1000
        checks.append(
            (
                f"{r.name} p99, {r.clients} client{'s' if r.clients > 1 else ''}",
                f"{p99:.1f} ms",
                f"< {P99_TARGET_MS:.0f} ms",
                p99 < P99_TARGET_MS,
            )
        )
    print(f"\n{'target':<36}{'measured':>12}{'target':>12}  verdict")
    for label, measured, target, ok in checks:
        print(f"{label:<36}{measured:>12}{target:>12}  {_verdict(ok)}")
    return {
        "db": db,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "counts": counts,
        "generated_seconds": round(generated.seconds, 2),
        "mean_page": page_size,
        "results": [r.as_dict() for r in results],
        "ratio": round(ratio, 3),
        "targets": {label: _verdict(ok) for label, _, _, ok in checks},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.directory", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--smoke", action="store_true", help="tiny data, few requests")
    parser.add_argument(
        "--url", help="an existing empty database to use instead of a fresh one (tests)"
    )
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL)
    args = parser.parse_args(argv)
    plan, sizes = (SMOKE_PLAN, SMOKE) if args.smoke else (FULL_PLAN, FULL)

    with _database(args) as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        generated = generate(engine, sizes)
        engine.dispose()
        pairs = request_mix(generated, max(plan.requests, plan.warmup))
        with serving(url) as base:
            page_size = check_same_answers(base, pairs[: plan.checks])
            results = measure(base, pairs, plan)
    kind = args.db if not args.url else args.url.split(":", 1)[0].split("+", 1)[0]
    summary = report(kind, generated, page_size, results, plan)
    if not args.smoke:
        OUT.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = OUT / f"directory-{args.db}-{stamp}.json"
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten to {path.relative_to(REPO)}")


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str]:
    if args.url:
        yield args.url
        return
    with fresh_database(args.db, pg_admin_url=args.pg_admin_url) as url:
        yield url


if __name__ == "__main__":
    main()
