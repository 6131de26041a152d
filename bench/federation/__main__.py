"""Federation benchmark: `python -m bench.federation [--db sqlite|postgresql] [--smoke]`.

A source hub (`hub serve`, its own database, center `source`) holds 50,000 programs with topics,
phases, audiences, ratings and availability (bench.directory's generator). A second hub's Syncer
pulls them all over HTTP from /federation/changes, validating and applying every envelope: the
measured run. The baseline, in the same run, downloads the same feed pages with a plain httpx
client and bulk-inserts the programs' own columns into a third database, nothing checked. Then 1%
of the source's programs change and the hub syncs again: the bytes of that run against the full
one. Prints records/s of both, the ratio and the targets (at least 50% of the baseline; the 1%
sync moving at most 2% of the bytes). Exits non-zero only when a run fails or rejects a change.
"""

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, insert, select

from bench.directory.databases import fresh_database
from bench.directory.generate import Sizes, generate
from bench.serving import process
from hub.auth.policy import SYSTEM
from hub.db import make_engine, session_scope
from hub.directory.models import Program
from hub.federation import partners
from hub.federation.schemas import PartnerInput
from hub.federation.sync import RunReport, Syncer
from hub.migrate import upgrade
from hub.settings import get_settings

FULL = Sizes(districts=100, programs=50_000, contacts=200, regions=5, providers=100)
SMOKE = Sizes(districts=5, programs=300, contacts=10, regions=2, providers=5)
PAGE = 1000
CHANGED_SHARE = 0.01
TARGET_RATIO, TARGET_BYTES = 0.5, 0.02
PROGRAM_COLUMNS = ("title", "summary", "description", "free", "url", "starts_on", "ends_on")


def _as_center(slug: str) -> None:
    """Make `slug` this process's own center (migrations and stamps read it from settings)."""
    os.environ["HUB_CENTER_SLUG"] = slug
    get_settings.cache_clear()


@contextmanager
def serving(url: str) -> Iterator[str]:
    """The source hub as its own process (`hub serve`); yields its base URL."""
    env = {
        **os.environ,
        "HUB_DATABASE_URL": url,
        "HUB_CENTER_SLUG": "source",
        "HUB_FEDERATION_PAGE_SIZE": str(PAGE),
        "HUB_LOG_LEVEL": "WARNING",
    }
    hub = str(Path(sys.executable).parent / "hub")
    with process(
        lambda port: [hub, "serve", "--no-background", "--port", str(port)],
        env=env,
        ready="/healthz",
        what="the source hub",
    ) as base:
        yield base


def _agreement(slug: str, base_url: str, **kw: Any) -> PartnerInput:
    return PartnerInput(slug=slug, name=f"{slug} center", level="state", base_url=base_url, **kw)


def source_database(url: str, sizes: Sizes) -> tuple[Engine, str]:
    """The source's data and its agreement with `national`; returns the token it issued."""
    _as_center("source")
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, sizes)
    with session_scope(engine) as session:
        terms = _agreement("national", "http://127.0.0.1:1", sends=["program"])
        token = partners.add(session, SYSTEM, terms).token
    return engine, token


def receiving_database(url: str, source_url: str, token: str) -> Engine:
    """A hub that pulls programs from the source, holding the token the source issued it."""
    _as_center("national")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        terms = _agreement("source", source_url, receives=["program"])
        partners.add(session, SYSTEM, terms, outbound_token=token)
    return engine


def baseline(engine: Engine, source_url: str, token: str) -> tuple[int, int]:
    """Download every feed page and bulk-insert the programs' own columns; (records, bytes)."""
    records = moved = 0
    since = ""
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        while True:
            answer = client.get(f"{source_url}/federation/changes", params={"since": since})
            answer.raise_for_status()
            moved += len(answer.content)
            page = answer.json()
            rows = [
                {
                    **{c: change["payload"].get(c) for c in PROGRAM_COLUMNS},
                    "origin_center": change["origin_center"],
                    "origin_id": change["origin_id"],
                    "version": change["version"],
                    "deleted": change["deleted"],
                }
                for change in page["changes"]
                if change["payload"] is not None  # a tombstone of a record never held
            ]
            for row in rows:
                row["starts_on"] = row["starts_on"] and date.fromisoformat(row["starts_on"])
                row["ends_on"] = row["ends_on"] and date.fromisoformat(row["ends_on"])
            with engine.begin() as conn:
                if rows:
                    conn.execute(insert(Program), rows)
            records += len(page["changes"])
            since = page["cursor"]
            if not page["has_more"]:
                return records, moved


def change_some(engine: Engine, share: float) -> int:
    """Edit `share` of the source's programs through the ORM (versions and change_seq move)."""
    _as_center("source")
    with session_scope(engine) as session:
        total = session.scalar(select(func.count()).select_from(Program)) or 0
        step = max(1, round(1 / share))
        live = select(Program).where(Program.deleted.is_(False))
        picked = session.scalars(live.where(Program.id % step == 0)).all()
        for program in picked:
            program.summary = f"{program.summary} Revised."
        return len(picked) if total else 0


def _pull(engine: Engine) -> tuple[RunReport, float]:
    _as_center("national")
    started = time.perf_counter()
    report = Syncer(engine=engine).run("source", "pull")
    seconds = time.perf_counter() - started
    if report is None or report.status != "succeeded" or report.counts.get("rejected"):
        raise SystemExit(f"the sync did not succeed: {report}")
    return report, seconds


def _line(label: str, records: int, seconds: float, moved: int) -> None:
    print(
        f"{label:<34} {records:>8,} records {seconds:7.1f} s {records / seconds:>9,.0f} records/s"
        f" {moved / 1e6:8.1f} MB"
    )


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--smoke", action="store_true", help="300 programs")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    print(f"federation benchmark on {args.db}: {sizes.programs:,} programs, pages of {PAGE:,}")
    with (
        fresh_database(args.db) as source_url,
        fresh_database(args.db) as hub_url,
        fresh_database(args.db) as plain_url,
    ):
        source, token = source_database(source_url, sizes)
        with serving(source_url) as base:
            hub = receiving_database(hub_url, base, token)
            full, full_seconds = _pull(hub)
            _line(
                "hub: pull, validate, apply", full.counts["fetched"], full_seconds, full.bytes_moved
            )
            _as_center("national")
            plain = make_engine(plain_url)
            upgrade(plain)
            started = time.perf_counter()
            records, plain_bytes = baseline(plain, base, token)
            plain_seconds = time.perf_counter() - started
            _line("baseline: download + bulk insert", records, plain_seconds, plain_bytes)
            changed = change_some(source, CHANGED_SHARE)
            again, again_seconds = _pull(hub)
            _line(
                f"hub: resync after {changed:,} changes",
                again.counts["updated"],
                again_seconds,
                again.bytes_moved,
            )
        for engine in (source, hub, plain):
            engine.dispose()
    ratio = (full.counts["fetched"] / full_seconds) / (records / plain_seconds)
    share = again.bytes_moved / full.bytes_moved
    print(
        f"{'share of baseline speed':<34} {ratio:8.2f}  >= {TARGET_RATIO:.2f}  "
        f"{_verdict(ratio >= TARGET_RATIO)}"
    )
    print(
        f"{'1% resync bytes / full sync bytes':<34} {share:8.4f}  <= {TARGET_BYTES:.2f}  "
        f"{_verdict(share <= TARGET_BYTES)}"
    )
    if again.counts["updated"] != changed:
        raise SystemExit(f"the resync updated {again.counts['updated']}, not {changed}")


if __name__ == "__main__":
    main()
