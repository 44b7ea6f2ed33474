"""Wait on a condition with a deadline, never on a guessed sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Deadlines for things that do happen, only later on a loaded machine (CI's 2 cores shared with other jobs; load 8-19
# seen): every wait is on a condition, so a generous deadline costs nothing when the condition holds early.
# A server (the gateway, PostgreSQL, SeaweedFS, nginx) started until it answers: the gateway took 62 s at load 14 here
# (compiled) and 141 s at load 15 with the pure-Python fallback and a pool of scrub workers starting beside it.
START_TIMEOUT_S = 300.0
WAIT_TIMEOUT_S = 60.0  # anything else the test waits for: an event delivered, a session analysed, a reload
# One HTTP request from a test to a server it started, answered later on a loaded machine like anything else above:
# httpx's default (5 s) and the 10 s tests used to pass were the only deadlines here sized for a quiet machine.
REQUEST_TIMEOUT_S = WAIT_TIMEOUT_S


def wait_until(condition: Callable[[], T], timeout: float = WAIT_TIMEOUT_S, interval: float = 0.02,
               what: str = "condition") -> T:
    """Poll `condition` until it returns something truthy, and return that; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
