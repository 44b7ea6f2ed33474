from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest

from gateway import logs


@pytest.fixture
def configured_logs() -> Iterator[Callable[[str, str], io.StringIO]]:
    """`configured_logs(format, level)`: the gateway's log set up as `serve` sets it up, written to a buffer; the
    loggers it changes are put back after the test."""
    touched = [logging.getLogger(), *map(logging.getLogger, (*logs.SERVER_LOGGERS, *logs.QUIET_LOGGERS))]
    saved = [(logger, logger.handlers[:], logger.level, logger.propagate) for logger in touched]

    def configure(log_format: str, level: str) -> io.StringIO:
        stream = io.StringIO()
        logs.configure(log_format, level, stream)
        return stream

    yield configure
    for logger, handlers, level, propagate in saved:
        logger.handlers[:], logger.propagate = handlers, propagate
        logger.setLevel(level)
    logging.captureWarnings(False)
