"""Backoff and HTTP status classification shared by the channels."""

import pytest

from hub.alerts.channels import PermanentFailure, TransientFailure, backoff_seconds
from hub.alerts.channels.base import http_failure


def ceiling(attempt: int, base: float = 2.0, cap: float = 300) -> float:
    return backoff_seconds(attempt, base, cap, random=lambda: 1.0)


def test_backoff_doubles_and_never_decreases() -> None:
    delays = [ceiling(attempt) for attempt in range(1, 30)]
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0]
    assert delays == sorted(delays)


def test_backoff_is_capped_even_after_very_many_attempts() -> None:
    assert ceiling(9) == 300
    assert ceiling(10_000) == 300
    assert ceiling(3, cap=5) == 5


def test_backoff_jitter_stays_below_the_ceiling() -> None:
    assert backoff_seconds(4, 2.0, random=lambda: 0.0) == 0
    assert backoff_seconds(4, 2.0, random=lambda: 0.5) == 8.0
    assert all(0 <= backoff_seconds(4, 2.0) <= 16.0 for _ in range(200))


def test_backoff_counts_attempts_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        backoff_seconds(0, 2.0)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_http_statuses_worth_a_retry(status: int) -> None:
    assert isinstance(http_failure(status, "x"), TransientFailure)


@pytest.mark.parametrize(
    ("status", "bounce"), [(400, False), (401, False), (404, False), (410, True), (301, False)]
)
def test_http_statuses_that_will_not_change(status: int, bounce: bool) -> None:
    failure = http_failure(status, "x")
    assert isinstance(failure, PermanentFailure)
    assert failure.bounce is bounce
