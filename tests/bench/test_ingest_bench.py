"""The ingest benchmark's smoke mode runs end to end on both databases, so it cannot rot."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_smoke_prints_both_rates_and_the_targets(db: str) -> None:
    run = subprocess.run(  # noqa: S603 - our own benchmark module
        [sys.executable, "-m", "bench.ingest", "--smoke", "--db", db],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"hub ingest \(validated\)\s+360 rows", run.stdout)
    assert re.search(r"baseline \(bulk, unchecked\)\s+360 rows", run.stdout)
    assert re.search(r"share of baseline speed\s+\d+\.\d\d\s+>= 0\.30\s+(PASS|MISS)", run.stdout)
