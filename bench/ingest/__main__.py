"""Ingest benchmark: `python -m bench.ingest [--db sqlite|postgresql] [--smoke]`.

Generates a national-size pair of NCES files (19,600 districts, 100,000 schools, every published
column), imports them with `hub.ingest.runner` into a fresh database, then, in a second fresh
database, bulk-inserts the same rows without any validation (csv.DictReader, the same column
mapping, Core executemany in batches of 1,000): the baseline. Prints rows/s of both, the ratio
and the targets (whole pair under 60 s; at least 30% of the baseline). Exits non-zero only when
the import rejects a row, never for a missed target.
"""

import argparse
import csv
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from bench.directory.databases import fresh_database
from bench.ingest.generate import DISTRICT_HEADER, SCHOOL_HEADER, district_rows, school_rows, write
from hub.auth.policy import SYSTEM
from hub.db import make_engine, new_session
from hub.directory.models import District, School
from hub.ingest import runner
from hub.migrate import upgrade
from hub.provenance import stamp_inserts

FULL = (19_600, 100_000)
SMOKE = (60, 300)


def _import(engine: Engine, kind: str, path: Path) -> int:
    session = new_session(engine, write=True)
    try:
        with path.open("rb") as stream:
            report = runner.run(session, SYSTEM, runner.Request(kind, stream, path.name))
        session.commit()
    finally:
        session.close()
    if report.rejected or report.unusable:
        sys.exit(f"{path.name}: {report.summary()}; first: {report.rejections[:3]}")
    return report.created


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _bulk(engine: Engine, table: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Insert rows in batches, provenance stamped, nothing checked."""
    session = new_session(engine, write=True)
    done = 0
    try:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 1000:
                stamp_inserts(session, batch)
                session.execute(table.insert(), batch)
                done, batch = done + len(batch), []
        stamp_inserts(session, batch)
        if batch:
            session.execute(table.insert(), batch)
        session.commit()
    finally:
        session.close()
    return done + len(batch)


def baseline(engine: Engine, districts: Path, schools: Path) -> int:
    """The same rows, mapped as the importer maps them, inserted without validation."""
    n = _bulk(
        engine,
        District.__table__,
        (
            {
                "nces_id": r["LEAID"],
                "origin_id": r["LEAID"],
                "name": r["LEA_NAME"],
                "state": r["ST"],
                "street": r["LSTREET1"],
                "city": r["LCITY"],
                "zip": r["LZIP"],
                "phone": r["PHONE"],
                "website": r["WEBSITE"],
                "grade_low": r["GSLO"],
                "grade_high": r["GSHI"],
                "charter": r["CHARTER_LEA_TEXT"] == "Yes",
                "closed": r["UPDATED_STATUS"] == "2",
            }
            for r in _rows(districts)
        ),
    )
    with new_session(engine) as session:
        ids = dict(session.execute(select(District.nces_id, District.id)).all())
    n += _bulk(
        engine,
        School.__table__,
        (
            {
                "nces_id": r["NCESSCH"],
                "origin_id": r["NCESSCH"],
                "district_id": ids[r["LEAID"]],
                "name": r["SCH_NAME"],
                "street": r["LSTREET1"],
                "city": r["LCITY"],
                "zip": r["LZIP"],
                "phone": r["PHONE"],
                "level": r["LEVEL"],
                "grade_low": r["GSLO"],
                "grade_high": r["GSHI"],
                "closed": r["UPDATED_STATUS"] == "2",
            }
            for r in _rows(schools)
        ),
    )
    return n


def _timed(label: str, work: Any) -> tuple[int, float]:
    started = time.perf_counter()
    rows = work()
    seconds = time.perf_counter() - started
    print(f"{label:<28} {rows:>8,} rows  {seconds:7.1f} s  {rows / seconds:>9,.0f} rows/s")
    return rows, seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--smoke", action="store_true", help="tiny files")
    args = parser.parse_args(argv)
    n_districts, n_schools = SMOKE if args.smoke else FULL
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        districts = write(folder / "lea.csv", DISTRICT_HEADER, district_rows(n_districts))
        schools = write(folder / "sch.csv", SCHOOL_HEADER, school_rows(n_schools, n_districts))
        size = (districts.stat().st_size + schools.stat().st_size) / 1e6
        print(
            f"ingest benchmark on {args.db}: {n_districts:,} districts + {n_schools:,} schools "
            f"({size:.0f} MB, published layout)"
        )
        with fresh_database(args.db) as url:
            engine = make_engine(url)
            upgrade(engine)

            def both() -> int:
                return _import(engine, "nces-districts", districts) + _import(
                    engine, "nces-schools", schools
                )

            rows, hub_s = _timed("hub ingest (validated)", both)
            engine.dispose()
        with fresh_database(args.db) as url:
            engine = make_engine(url)
            upgrade(engine)
            _, base_s = _timed(
                "baseline (bulk, unchecked)", lambda: baseline(engine, districts, schools)
            )
            engine.dispose()
    ratio = base_s / hub_s
    print(f"{'target':<28} {'measured':>10} {'target':>10}")
    print(f"{'whole pair':<28} {hub_s:>8.1f} s {'< 60 s':>10}  {'PASS' if hub_s < 60 else 'MISS'}")
    verdict = "PASS" if ratio >= 0.3 else "MISS"
    print(f"{'share of baseline speed':<28} {ratio:>10.2f} {'>= 0.30':>10}  {verdict}")
    del rows


if __name__ == "__main__":
    main()
