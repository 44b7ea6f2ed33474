"""One sender per destination: takes the oldest queued deliveries, sends them as one batch, and acts on the answer.

- delivered: the rows leave the outbox.
- retry (408/429/5xx, connection errors): the rows stay; the sender waits (Retry-After when given, else exponential
  backoff with jitter) and tries the same rows again, keeping their dedup ids, so the destination can drop duplicates.
- rejected (any other 4xx): a batch of one goes to the dead letters with the reason. A larger batch is split in halves
  and retried at once, so one bad event cannot take its neighbours down with it.

One batch is in flight per destination, which keeps delivery in order of arrival.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Coroutine, Sequence
from typing import Any

from gateway.metrics import Metrics
from gateway.outbox.retry import backoff_delay
from gateway.outbox.store import OutboxStore, Queued
from gateway.outbox.transport import SendResult, Transport
from gateway.protocols.codec import Limits
from policies.policy import Destination

log = logging.getLogger("gateway.sender")


class Sender:
    def __init__(
        self,
        destination: Destination,
        transport: Transport,
        outbox: OutboxStore,
        limits: Limits,
        metrics: Metrics,
        rng: random.Random | None = None,
    ) -> None:
        self.destination = destination
        self.transport = transport
        self.outbox = outbox
        self.limits = limits
        self.metrics = metrics
        self.rng = rng or random.Random()
        self.batch_cap = limits.max_events  # shrinks while isolating a rejected event, grows back on success
        self.failures = 0  # consecutive retryable failures
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"sender:{self.destination.name}")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Let the batch in flight finish (up to `grace_s`), then stop. Undelivered rows stay queued for next start."""
        self._stopping.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_s)
        except TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def run(self) -> None:
        name = self.destination.name
        wakeup = self.outbox.wakeup(name)
        while not self._stopping.is_set():
            wakeup.clear()
            batch = await self.outbox.next_batch(name, self.batch_cap, self.limits.max_body_bytes)
            if not batch:
                await self._until_stopped_or(wakeup.wait())
                continue
            try:
                result = await self.transport.send(batch)
            except Exception:  # a bug in a transport must not kill the sender; the rows stay queued
                log.exception("sender %s: transport failed", name)
                result = SendResult("retry", reason="internal error in transport")
            await self._settle(batch, result)

    async def _settle(self, batch: Sequence[Queued], result: SendResult) -> None:
        name = self.destination.name
        by_source = Counter(q.source for q in batch)
        if result.outcome == "delivered":
            await self.outbox.delivered(name, batch)
            for source, n in by_source.items():
                self.metrics.inc("gateway_events_delivered_total", n, source=source, destination=name)
            self.failures = 0
            self.batch_cap = min(self.limits.max_events, self.batch_cap * 2)
        elif result.outcome == "retry":
            await self.outbox.attempted(batch)
            for source, n in by_source.items():
                self.metrics.inc("gateway_events_retried_total", n, source=source, destination=name)
            self.failures += 1
            delay = backoff_delay(self.destination.retry, self.failures, result.retry_after, self.rng)
            log.warning("sender %s: %s; retrying %d events in %.2f s", name, result.reason, len(batch), delay)
            await self._until_stopped_or(asyncio.sleep(delay))
        elif len(batch) > 1:
            self.batch_cap = max(1, len(batch) // 2)
            log.warning("sender %s: batch of %d refused (%s); splitting it", name, len(batch), result.reason)
        else:
            await self.outbox.dead_letter(name, batch, result.status, f"{result.reason}: {result.detail}")
            for source, n in by_source.items():
                self.metrics.inc("gateway_events_dead_lettered_total", n, source=source, destination=name)
            log.error("sender %s: event dead-lettered: %s", name, result.reason)

    async def _until_stopped_or(self, awaitable: Coroutine[Any, Any, Any]) -> None:
        waiter = asyncio.ensure_future(awaitable)
        stopper = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        stopper.cancel()
