"""Whether the gateway can take work: asked by every ingest endpoint before it works, and by /readyz.

- `admit()` raises StorageUnavailable while the database's writes fail, or while the disk under the data directory
  has less than `[storage] min_free_mb` free. Free counts the database's reusable pages too: delivering and purging
  free pages inside the file, not on the disk, and the file reuses them. The endpoints answer 503 with Retry-After in
  their vendor's shape (on PostgreSQL the disk checked is the data directory's; the server's own fails its writes,
  which the writer's health reports). The reserve is there so that delivery can still record what it delivered (and
  so free space) when ingest has stopped: a disk filled to the last byte stops both.
- `reasons()` lists why the gateway is not ready (empty when it is): writes failing, the disk below the reserve, a
  supervised task (a destination's sender, a worker) down and waiting to restart.

The disk is sampled once a second (`watch`), not on every request; writes failing is known at once (the writer's
health, gateway.database).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gateway.database import Database, StorageUnavailable
from gateway.metrics import Metrics
from gateway.protocols.codec import ProtocolError
from gateway.supervisor import Supervised
from policies.policy import Storage

log = logging.getLogger("gateway.health")

SAMPLE_INTERVAL_S = 1.0
MB = 1024 * 1024


@dataclass(frozen=True)
class DiskSample:
    free_bytes: int  # what the file system has for us
    reusable_bytes: int  # free pages inside the database file
    at: float

    @property
    def available_bytes(self) -> int:
        return self.free_bytes + self.reusable_bytes


class Health:
    def __init__(self, db: Database, data_dir: Path, storage: Storage, metrics: Metrics) -> None:
        self.db, self.data_dir, self.metrics = db, data_dir, metrics
        self.configure(storage)
        self.disk = self.sample()

    def configure(self, storage: Storage) -> None:
        """The free-space floor and Retry-After of `storage` (at start, and when a reload changes [storage])."""
        self.storage, self.min_free_bytes = storage, storage.min_free_mb * MB

    def sample(self) -> DiskSample:
        stat = os.statvfs(self.data_dir)
        return DiskSample(stat.f_bavail * stat.f_frsize, self._reusable_bytes(), time.time())

    def _reusable_bytes(self) -> int:
        """Free pages inside the SQLite file. A PostgreSQL server's disk is its own: a full one fails the writes
        (SQLSTATE class 53), which the writer's health reports."""
        if self.db.engine.name != "sqlite":
            return 0
        pages, page_size = self.db.read_sync(
            lambda c: (c.execute("PRAGMA freelist_count").fetchone()[0], c.execute("PRAGMA page_size").fetchone()[0]))
        return int(pages * page_size)

    @property
    def disk_low(self) -> bool:
        return self.disk.available_bytes < self.min_free_bytes

    def admit(self) -> None:
        """Raise StorageUnavailable when ingest should not take work now (see the module's docstring)."""
        writer = self.db.health
        if writer.failing:
            raise StorageUnavailable(writer.reason)
        if self.disk_low:
            raise StorageUnavailable("disk nearly full")

    def refusal(self, fault: StorageUnavailable, endpoint: str) -> ProtocolError:
        """The 503 an ingest `endpoint` answers (in its own shape) when it cannot store; counted by reason."""
        self.metrics.inc("gateway_storage_unavailable_total", endpoint=endpoint, reason=fault.reason)
        return ProtocolError(503, "unavailable", f"the gateway cannot store data now ({fault.reason}); retry later",
                             retry_after=self.storage.retry_after_s)

    def reasons(self, tasks: Iterable[Supervised]) -> list[str]:
        """Why the gateway is not ready (empty: it is), given the `tasks` that must keep running."""
        found = []
        writer = self.db.health
        if writer.failing and writer.failing_since is not None:
            found.append(f"database writes failing for {time.time() - writer.failing_since:.0f} s: {writer.reason}")
        if self.disk_low:
            found.append(f"disk under the data directory: {self.disk.available_bytes / MB:.1f} MB free, below "
                         f"[storage] min_free_mb = {self.storage.min_free_mb}")
        found.extend(task.down for task in tasks if task.down is not None)
        return found

    async def watch(self, stopping: asyncio.Event) -> None:
        """Sample the disk every SAMPLE_INTERVAL_S until `stopping` is set; say when it crosses the reserve."""
        while not stopping.is_set():
            was_low = self.disk_low
            self.disk = await asyncio.to_thread(self.sample)
            if self.disk_low != was_low:
                log.warning("disk under the data directory: %.1f MB free (reserve %d MB): ingest %s",
                            self.disk.available_bytes / MB, self.storage.min_free_mb,
                            "refused (503)" if self.disk_low else "admitted again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), SAMPLE_INTERVAL_S)
