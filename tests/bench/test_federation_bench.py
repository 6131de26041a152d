"""The federation benchmark's smoke mode runs end to end on both databases, so it cannot rot."""

import re

import pytest

from tests.bench.smoke import run_smoke

RATE = r"records\s+\d+\.\d s\s+[\d,]+ records/s\s+\d+\.\d MB"


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_smoke_prints_both_rates_the_resync_and_the_targets(db: str) -> None:
    out = run_smoke("bench.federation", "--db", db)
    assert re.search(r"hub: pull, validate, apply\s+300 " + RATE, out)
    assert re.search(r"baseline: download \+ bulk insert\s+300 " + RATE, out)
    assert re.search(r"hub: resync after 3 changes\s+3 " + RATE, out)
    assert re.search(r"share of baseline speed\s+\d+\.\d\d\s+>= 0\.50\s+(PASS|MISS)", out)
    assert re.search(r"1% resync bytes / full sync bytes\s+0\.0\d+\s+<= 0\.02\s+(PASS|MISS)", out)
