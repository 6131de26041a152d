"""A 50 MB NCES school file streams through `hub ingest`: memory does not grow with its size."""

import os
import subprocess
import sys
from pathlib import Path

from bench.ingest.generate import DISTRICT_HEADER, SCHOOL_HEADER, district_rows, school_rows, write
from tests.fresh_db import fresh_database

HUB = str(Path(sys.executable).with_name("hub"))
DISTRICTS = 2_000
# Rows of the published 65-column layout are ~334 bytes: 152,000 of them make just over 50 MB.
LARGE, SMALL = 152_000, 15_200


def _peak_rss_kb(url: str, *args: str) -> int:
    """Run `hub ARGS` against `url` in a child process; its peak resident memory in KiB."""
    env = {**os.environ, "HUB_DATABASE_URL": url}
    child = subprocess.Popen([HUB, *args], env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, output
    return usage.ru_maxrss


def test_a_50_mb_file_imports_in_flat_memory(db_url: str, tmp_path: Path) -> None:
    lea = write(tmp_path / "lea.csv", DISTRICT_HEADER, district_rows(DISTRICTS))
    small = write(tmp_path / "small.csv", SCHOOL_HEADER, school_rows(SMALL, DISTRICTS))
    large = write(tmp_path / "large.csv", SCHOOL_HEADER, school_rows(LARGE, DISTRICTS))
    assert large.stat().st_size > 50_000_000
    with fresh_database(db_url, tmp_path) as url:
        _peak_rss_kb(url, "db", "upgrade")
        _peak_rss_kb(url, "ingest", "nces-districts", str(lea))
        small_kb = _peak_rss_kb(url, "ingest", "nces-schools", str(small), "--dry-run")
        large_kb = _peak_rss_kb(url, "ingest", "nces-schools", str(large))
        report = (tmp_path / "large.csv.report.json").read_text()
    assert '"created": 152000' in report
    # Ten times the rows: the process grows by the duplicate-id index (~120 bytes a row, about
    # 15 MB here), not by the 45 MB more of file that a reader holding it would need.
    assert large_kb - small_kb < 30_000, (small_kb, large_kb)
