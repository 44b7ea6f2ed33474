"""A problem that repeats is logged once per interval per key, each line with the occurrences it stands for, and a
burst that stopped is still reported by flush()."""

from __future__ import annotations

import logging

import pytest

from gateway.throttled_log import ThrottledLog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int]]:
    return [(record.getMessage(), record.__dict__["count"]) for record in caplog.records]


def test_repeats_within_the_interval_are_counted_into_the_next_line(caplog: pytest.LogCaptureFixture,
                                                                    clock: Clock) -> None:
    log = ThrottledLog(logging.getLogger("tests.throttled"), interval_s=60, clock=clock)
    for _ in range(5):
        log.warning("disk", "writes fail: %s", "disk full")
    clock.now += 60
    log.warning("disk", "writes fail: %s", "disk full")

    assert logged(caplog) == [("writes fail: disk full", 1),
                              ("writes fail: disk full (and 4 more times in the last 60 s)", 5)]


def test_each_key_has_its_own_interval_and_fields(caplog: pytest.LogCaptureFixture, clock: Clock) -> None:
    caplog.set_level(logging.INFO)
    log = ThrottledLog(logging.getLogger("tests.throttled"), interval_s=60, clock=clock)
    log.log(logging.INFO, "a", "request refused", fields={"reason": "unauthorized"})
    log.log(logging.INFO, "b", "request refused", fields={"reason": "invalid_request"})
    log.log(logging.INFO, "a", "request refused", fields={"reason": "unauthorized"})

    assert [(r.__dict__["reason"], r.__dict__["count"]) for r in caplog.records] == [("unauthorized", 1),
                                                                                      ("invalid_request", 1)]


def test_flush_reports_a_burst_that_stopped_and_starts_a_new_interval(caplog: pytest.LogCaptureFixture,
                                                                      clock: Clock) -> None:
    log = ThrottledLog(logging.getLogger("tests.throttled"), interval_s=60, clock=clock)
    for _ in range(3):
        log.error("sender", "sender %s down", "segment")
    log.flush()
    log.flush()  # nothing new: nothing logged
    log.error("sender", "sender %s down", "segment")  # within the interval the flush began: counted

    assert logged(caplog) == [("sender segment down", 1), ("sender segment down (2 more times in the last 60 s)", 2)]
    assert [r.levelno for r in caplog.records] == [logging.ERROR, logging.ERROR]


def test_reset_logs_the_next_occurrence_at_once(caplog: pytest.LogCaptureFixture, clock: Clock) -> None:
    log = ThrottledLog(logging.getLogger("tests.throttled"), interval_s=60, clock=clock)
    log.warning("disk", "writes fail")
    log.reset("disk")
    log.warning("disk", "writes fail")

    assert logged(caplog) == [("writes fail", 1), ("writes fail", 1)]
