"""A small real file system to fill up: a tmpfs of a few megabytes mounted for one test, and a filler file that takes
every byte left on it, as a log or a backup would on a server.

Mounting needs root (or CAP_SYS_ADMIN). Where the test cannot mount, it is skipped saying why; under CI it fails
(tests.support.engines.skip_or_fail), since CI runs as root.
"""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.engines import skip_or_fail

CHUNK = 256 * 1024


@contextmanager
def small_disk(path: Path, size_mb: int) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(path)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        skip_or_fail("a small tmpfs", f"cannot mount one (needs root): {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def free_bytes(path: Path) -> int:
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def fill(path: Path) -> Path:
    """Write zeros to `path/filler` until the file system says it is full; returns the filler."""
    filler = path / "filler"
    chunk = b"\0" * CHUNK
    with open(filler, "wb", buffering=0) as out:
        while True:
            try:
                out.write(chunk if free_bytes(path) >= CHUNK else b"\0" * max(1, free_bytes(path)))
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                return filler
