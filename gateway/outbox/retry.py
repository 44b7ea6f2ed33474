"""When to retry a delivery and how long to wait.

The status classes follow the vendors' own SDK retry templates (analytics-next, analytics-python, mixpanel-browser):
408, 410, 429, 460 and 5xx are worth retrying, except 501 and 505; any other 4xx will never succeed as sent.
"""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime

from policies.policy import Retry

RETRYABLE_4XX = frozenset({408, 410, 429, 460})
PERMANENT_5XX = frozenset({501, 505})


def is_retryable(status: int) -> bool:
    if 500 <= status < 600:
        return status not in PERMANENT_5XX
    return status in RETRYABLE_4XX


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff_delay(retry: Retry, failures: int, retry_after: float | None, rng: random.Random) -> float:
    """Delay before the next attempt after `failures` consecutive failures (1 for the first)."""
    if retry_after is not None:
        return min(retry_after, retry.max_retry_after_s)
    delay = min(retry.max_backoff_s, retry.initial_backoff_s * retry.multiplier ** max(0, failures - 1))
    return delay * (1 + rng.uniform(-retry.jitter, retry.jitter))
