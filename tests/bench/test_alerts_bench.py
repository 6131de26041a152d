"""The alert benchmark's smoke mode runs end to end on both databases, so it cannot rot."""

import re

import pytest

from tests.bench.smoke import run_smoke


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_smoke_prints_both_rates_and_the_target(db: str) -> None:
    out = run_smoke("bench.alerts", "--db", db)
    assert re.search(r"hub: approval to all recorded\s+\d+\.\d s\s+[\d,]+ deliveries/s", out)
    assert re.search(r"raw kafka-python produce\+consume\s+\d+\.\d s\s+[\d,]+ msg/s", out)
    assert re.search(r"share of raw Kafka speed\s+\d+\.\d\d\s+>= 0\.25\s+(PASS|MISS)", out)
