"""A problem that repeats is logged once per interval, with how often it happened meanwhile.

A full disk fails every write, many times a second; a sender that cannot start fails on every restart; a client with
a wrong key is refused on every request. Logging each failure buried everything else (the issue measured 82,600 lines
a minute). Here the first occurrence of a problem is logged at once, later ones are counted, and the count is logged
with the next line once `interval_s` has passed, or by `flush()` (the gateway calls it every interval and at
shutdown, so a burst that stops is still reported). Each line carries `count`, the occurrences it stands for: their
sum over the log is the number of occurrences. Counting for dashboards happens in the caller's metrics.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

DEFAULT_INTERVAL_S = 60.0


@dataclass
class _Seen:
    logged_at: float
    level: int
    message: str
    args: tuple[object, ...]
    fields: Mapping[str, object] = field(default_factory=dict)
    suppressed: int = 0


class ThrottledLog:
    """`warning(key, message, *args)` logs at most once per `interval_s` per key. Safe from any thread."""

    def __init__(self, logger: logging.Logger, interval_s: float = DEFAULT_INTERVAL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.interval_s, self.clock = logger, interval_s, clock
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    def warning(self, key: str, message: str, *args: object, exc_info: BaseException | None = None) -> None:
        self.log(logging.WARNING, key, message, *args, exc_info=exc_info)

    def error(self, key: str, message: str, *args: object, exc_info: BaseException | None = None) -> None:
        self.log(logging.ERROR, key, message, *args, exc_info=exc_info)

    def reset(self, key: str) -> None:
        """The problem is over: its next occurrence is logged at once."""
        with self._lock:
            self._seen.pop(key, None)

    def log(self, level: int, key: str, message: str, *args: object, fields: Mapping[str, object] | None = None,
            exc_info: BaseException | None = None) -> None:
        """Log `message % args` at `level` unless `key` was logged less than `interval_s` ago. `fields` go into the
        line as structured data (gateway.logs): codes and names, never values from a request."""
        now = self.clock()
        with self._lock:
            seen = self._seen.get(key)
            if seen is not None and now - seen.logged_at < self.interval_s:
                seen.suppressed += 1
                return
            suppressed = seen.suppressed if seen is not None else 0
            self._seen[key] = _Seen(now, level, message, args, fields or {})
        if suppressed:
            message += f" (and {suppressed} more times in the last {self.interval_s:g} s)"
        self._emit(level, message, args, fields or {}, 1 + suppressed, exc_info)

    def flush(self) -> None:
        """Log the count of each problem that repeated since its last line; its next line waits an interval more."""
        now = self.clock()
        with self._lock:
            pending = [(seen, seen.suppressed) for seen in self._seen.values() if seen.suppressed]
            for seen, _ in pending:
                seen.suppressed, seen.logged_at = 0, now
        for seen, n in pending:
            message = seen.message + f" ({n} more times in the last {self.interval_s:g} s)"
            self._emit(seen.level, message, seen.args, seen.fields, n, None)

    def _emit(self, level: int, message: str, args: tuple[object, ...], fields: Mapping[str, object], count: int,
              exc_info: BaseException | None) -> None:
        self.logger.log(level, message, *args, exc_info=exc_info, extra={**fields, "count": count})
