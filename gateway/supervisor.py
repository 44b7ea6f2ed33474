"""Work that must keep running while the gateway serves (a destination's sender, the deletion worker, retention):
restarted with backoff when it fails, and seen doing so.

A task that raises is restarted after a delay that doubles with each failure in a row (from `initial_s` to `max_s`;
a run that lasted `healthy_after_s` counts as a success and starts the series again). Each restart is counted in
`gateway_task_restarts_total{task}`, and the error is logged at most once per interval (gateway.throttled_log), with
its traceback: a full disk makes the same error every time. While it waits to restart, `down` says why, for /readyz.
The work returns when `stopping` is set; a return while the gateway runs is a failure too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.metrics import Metrics
from gateway.throttled_log import ThrottledLog

log = logging.getLogger("gateway.supervisor")


@dataclass(frozen=True)
class Backoff:
    initial_s: float = 0.5
    max_s: float = 30.0
    healthy_after_s: float = 60.0

    def delay(self, failures: int) -> float:
        return min(self.max_s, self.initial_s * 2 ** max(0, failures - 1))


class Supervised:
    def __init__(self, name: str, work: Callable[[], Awaitable[None]], stopping: asyncio.Event, metrics: Metrics,
                 backoff: Backoff = Backoff()) -> None:
        self.name, self.work, self.stopping, self.metrics, self.backoff = name, work, stopping, metrics, backoff
        self.restarts = 0
        self.down: str | None = None  # why it is not running now, while it waits to restart
        self.task: asyncio.Task[None] | None = None
        self._log = ThrottledLog(log)

    def start(self) -> Supervised:
        self.task = asyncio.create_task(self._run(), name=self.name)
        return self

    async def _run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            error = await self._run_once()
            if error is None and self.stopping.is_set():
                return
            failures = 1 if time.monotonic() - started >= self.backoff.healthy_after_s else failures + 1
            delay = self.backoff.delay(failures)
            what = type(error).__name__ if error is not None else "an unexpected return"
            self.down = f"{self.name} stopped after {what}; restarting in {delay:.1f} s"
            self.restarts += 1
            self.metrics.inc("gateway_task_restarts_total", task=self.name)
            self._log.error("failed", "%s failed (%s); restarting it in %.1f s", self.name, what, delay,
                            exc_info=error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), delay)
            self.down = None

    async def _run_once(self) -> BaseException | None:
        try:
            await self.work()
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever it was, the work starts again
            return error
        return None

    def cancel(self) -> None:
        """End this work alone, the gateway running on (a reload replacing it with work of other settings)."""
        if self.task is not None:
            self.task.cancel()

    async def wait(self, grace_s: float) -> None:
        """After `stopping` is set: let the work finish (up to `grace_s`), then cancel it."""
        if self.task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.task), grace_s)
        except TimeoutError:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
