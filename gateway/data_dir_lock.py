"""One server per data directory: an exclusive lock on a file in it, held for the server process's life.

Two processes on one SQLite data directory break the gateway's promises without an error: each keeps the suppression
list and the outbox depth in memory, both send the same rows (2,000 events became 2,400 deliveries), and a deletion
recorded by one does not stop the other. So `serve` takes `flock(LOCK_EX | LOCK_NB)` on `<data dir>/gateway.lock`
before it opens anything, and a second server is refused at start, told which process holds the directory. The kernel
releases the lock when the holder exits, however it exits (SIGKILL included): there is no stale lock to clean up.
Commands that only read or that the database serialises anyway (`db`, `backup`, `purge`) do not take it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_FILE = "gateway.lock"


class DataDirInUse(Exception):
    """Another process serves this data directory."""


def lock_data_dir(data_dir: Path) -> IO[str]:
    """Take the data directory's lock for as long as the returned file stays open (keep a reference to it); raises
    DataDirInUse, naming the holder's process id, when another process has it."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = data_dir / LOCK_FILE
    handle = path.open("a+", encoding="ascii")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise DataDirInUse(
            f"the data directory {data_dir} is in use by another gateway process (pid {holder}); two processes on "
            "one SQLite data directory would deliver events twice and miss deletions. Stop that process, give this "
            "one its own --data-dir, or share a PostgreSQL database between them (--database-url)") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
