"""The ingest benchmark's smoke mode runs end to end on both databases, so it cannot rot."""

import re

import pytest

from tests.bench.smoke import run_smoke


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_smoke_prints_both_rates_and_the_targets(db: str) -> None:
    out = run_smoke("bench.ingest", "--db", db)
    assert re.search(r"hub ingest \(validated\)\s+360 rows", out)
    assert re.search(r"baseline \(bulk, unchecked\)\s+360 rows", out)
    assert re.search(r"share of baseline speed\s+\d+\.\d\d\s+>= 0\.30\s+(PASS|MISS)", out)
