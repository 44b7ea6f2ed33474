"""A problem that repeats is logged once per interval, with how often it happened meanwhile.

A full disk fails every write, many times a second; a sender that cannot start fails on every restart. Logging each
failure buried everything else (the issue measured 82,600 lines a minute). Here the first occurrence of a problem is
logged at once, later ones are counted, and the count is logged with the next line once `interval_s` has passed.
Counting happens in the caller's metrics; this is only about the log.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

DEFAULT_INTERVAL_S = 60.0


@dataclass
class _Seen:
    logged_at: float
    suppressed: int = 0


class ThrottledLog:
    """`warning(key, message, *args)` logs at most once per `interval_s` per key. Safe from any thread."""

    def __init__(self, logger: logging.Logger, interval_s: float = DEFAULT_INTERVAL_S) -> None:
        self.logger, self.interval_s = logger, interval_s
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    def warning(self, key: str, message: str, *args: object, exc_info: BaseException | None = None) -> None:
        self._log(logging.WARNING, key, message, args, exc_info)

    def error(self, key: str, message: str, *args: object, exc_info: BaseException | None = None) -> None:
        self._log(logging.ERROR, key, message, args, exc_info)

    def reset(self, key: str) -> None:
        """The problem is over: its next occurrence is logged at once."""
        with self._lock:
            self._seen.pop(key, None)

    def _log(self, level: int, key: str, message: str, args: tuple[object, ...], exc_info: BaseException | None
             ) -> None:
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen.logged_at < self.interval_s:
                seen.suppressed += 1
                return
            suppressed = seen.suppressed if seen is not None else 0
            self._seen[key] = _Seen(now)
        if suppressed:
            message += f" (and {suppressed} more times in the last {self.interval_s:g} s)"
        self.logger.log(level, message, *args, exc_info=exc_info)
