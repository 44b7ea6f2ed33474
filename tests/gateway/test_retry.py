"""Retry decisions and delays, as the vendors' own SDKs make them."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from gateway.outbox.retry import backoff_delay, is_retryable, parse_retry_after
from policies.policy import Retry


@pytest.mark.parametrize("status", [408, 410, 429, 460, 500, 502, 503, 504, 599])
def test_retryable(status: int) -> None:
    assert is_retryable(status)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422, 501, 505])
def test_never_succeeds_as_sent(status: int) -> None:
    assert not is_retryable(status)


def test_retry_after_in_seconds_and_as_http_date() -> None:
    assert parse_retry_after("3") == 3.0
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now.timestamp()) == pytest.approx(90)
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-5") == 0.0


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    retry = Retry(initial_backoff_s=0.5, max_backoff_s=60, multiplier=2, jitter=0.1)
    rng = random.Random(1)
    delays = [backoff_delay(retry, n, None, rng) for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        base = min(60, 0.5 * 2 ** (n - 1))
        assert base * 0.9 <= delay <= base * 1.1


def test_retry_after_wins_over_backoff_but_is_capped() -> None:
    retry = Retry(max_retry_after_s=300)
    rng = random.Random(1)
    assert backoff_delay(retry, 1, 20, rng) == 20
    assert backoff_delay(retry, 1, 10_000, rng) == 300
